import { Injectable } from '@nestjs/common';
import { RequestContext } from '../context/request-context.js';
import { PrismaService, type TenantTx } from '../database/prisma.service.js';
import { ValidationError, type FieldError } from '../errors/domain-errors.js';
import { PermissionEngine, type AccessEntry, type ObjectRef } from './permission-engine.js';

export interface TupleSubject {
  type: string;
  id: string;
  relation?: string | null;
}

export interface TupleInput {
  namespace: string;
  objectId: string;
  relation: string;
  subject: TupleSubject;
}

export interface CheckOptions {
  /** Org whose tuples are evaluated. Default: the object itself for `org` objects, else the caller's current org. */
  orgId?: string;
}

/**
 * What modules use: write tuples inside their own tenant transaction (so a tuple commits or rolls back with the
 * entity) and check permissions. A grant drops the engine's cached denials; any removal clears the whole cache.
 */
@Injectable()
export class PermissionService {
  constructor(
    private readonly engine: PermissionEngine,
    private readonly prisma: PrismaService,
  ) {}

  /** Adds the tuple in the transaction's org (idempotent). Throws ValidationError when the DSL does not allow it. */
  grant(tx: TenantTx, tuple: TupleInput): Promise<void> {
    return this.grantAll(tx, [tuple]);
  }

  /** Adds several tuples in one statement (what a new object's creator and org get), each checked like grant(). */
  async grantAll(tx: TenantTx, tuples: readonly TupleInput[]): Promise<void> {
    for (const tuple of tuples) this.assertValid(tuple);
    await tx.permissionTuple.createMany({
      data: tuples.map((tuple) => ({
        namespace: tuple.namespace,
        objectId: tuple.objectId,
        relation: tuple.relation,
        subjectNs: tuple.subject.type,
        subjectId: tuple.subject.id,
        subjectRel: tuple.subject.relation ?? null,
      })),
      skipDuplicates: true,
    });
    // Adding a tuple cannot revoke anything: cached grants stay valid (see PermissionEngine.forgetDenials).
    this.engine.forgetDenials();
    this.prisma.afterCommit(tx, () => this.engine.forgetDenials());
  }

  /** Removes one tuple; false when it did not exist. */
  async revoke(tx: TenantTx, tuple: TupleInput): Promise<boolean> {
    const result = await tx.permissionTuple.deleteMany({
      where: {
        namespace: tuple.namespace,
        objectId: tuple.objectId,
        relation: tuple.relation,
        subjectNs: tuple.subject.type,
        subjectId: tuple.subject.id,
        subjectRel: tuple.subject.relation ?? null,
      },
    });
    this.invalidate(tx);
    return result.count > 0;
  }

  /** Removes every tuple about an object and every tuple that uses it as a subject (the object is gone). */
  async revokeObject(tx: TenantTx, namespace: string, objectId: string): Promise<number> {
    const result = await tx.permissionTuple.deleteMany({
      where: { OR: [{ namespace, objectId }, { subjectNs: namespace, subjectId: objectId }] },
    });
    this.invalidate(tx);
    return result.count;
  }

  /** Removes the subject's tuples in the transaction's org, optionally only those on one namespace. */
  async revokeSubject(tx: TenantTx, subject: { type: string; id: string }, namespace?: string): Promise<number> {
    const result = await tx.permissionTuple.deleteMany({
      where: { subjectNs: subject.type, subjectId: subject.id, ...(namespace ? { namespace } : {}) },
    });
    this.invalidate(tx);
    return result.count;
  }

  check(userId: string, permission: string, object: ObjectRef, options: CheckOptions = {}): Promise<boolean> {
    return this.engine.check(userId, permission, object, this.scopeFor(object, options));
  }

  lookup(userId: string, namespace: string, options: CheckOptions = {}): Promise<AccessEntry[]> {
    return this.engine.lookup(userId, namespace, options.orgId ?? RequestContext.find()?.orgId);
  }

  /** Field errors when the namespace, relation or subject type does not exist or is not allowed by the DSL. */
  violations(tuple: TupleInput): FieldError[] {
    const schema = this.engine.namespace(tuple.namespace);
    if (!schema) return [{ field: 'namespace', message: `Unknown namespace; known: ${this.engine.namespaces().join(', ')}` }];
    const allowed = schema.relations.get(tuple.relation);
    if (!allowed) {
      return [{ field: 'relation', message: `Unknown relation of '${tuple.namespace}'; known: ${[...schema.relations.keys()].join(', ')}` }];
    }
    const subjectRelation = tuple.subject.relation ?? undefined;
    const fits = allowed.some((type) => type.namespace === tuple.subject.type && type.relation === subjectRelation);
    if (!fits) {
      const expected = allowed.map((type) => (type.relation ? `${type.namespace}#${type.relation}` : type.namespace)).join(' | ');
      return [{ field: 'subject', message: `'${tuple.namespace}#${tuple.relation}' accepts ${expected}` }];
    }
    return [];
  }

  knows(namespace: string): boolean {
    return this.engine.namespace(namespace) !== undefined;
  }

  has(namespace: string, name: string): boolean {
    return this.engine.has(namespace, name);
  }

  /** Now, and again after the commit: a check between the two could otherwise cache the old answer. */
  private invalidate(tx: TenantTx): void {
    this.engine.invalidate();
    this.prisma.afterCommit(tx, () => this.engine.invalidate());
  }

  private assertValid(tuple: TupleInput): void {
    const violations = this.violations(tuple);
    if (violations.length > 0) throw new ValidationError(violations);
  }

  private scopeFor(object: ObjectRef, options: CheckOptions): string | undefined {
    if (options.orgId) return options.orgId;
    if (object.type === 'org') return object.id;
    return RequestContext.find()?.orgId;
  }
}
