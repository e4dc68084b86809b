import { LRUCache } from 'lru-cache';
import type { NamespaceDefinition, NamespaceRegistry } from '../platform/platform-module.js';
import { parseNamespace, validateSchemas, type NamespaceSchema } from './permission-dsl.js';

/** `namespace:objectId#relation@subjectNs:subjectId[#subjectRel]` */
export interface RelationTuple {
  namespace: string;
  objectId: string;
  relation: string;
  subjectNs: string;
  subjectId: string;
  subjectRel?: string | null;
}

export interface ObjectRef {
  type: string;
  id: string;
}

/** Reads tuples of one consistent view (one tenant transaction); the engine memoises reads within a check. */
export interface TupleReader {
  tuplesOf(namespace: string, objectId: string): Promise<RelationTuple[]>;
  objectIdsIn(namespace: string, limit: number): Promise<string[]>;
}

/** Opens a reader for a tenant scope (the org whose tuples are visible). */
export interface TupleStore {
  read<T>(scope: string | undefined, fn: (reader: TupleReader) => Promise<T>): Promise<T>;
}

export interface AccessEntry {
  objectId: string;
  relations: string[];
  permissions: string[];
}

export interface PermissionEngineOptions {
  maxDepth?: number;
  cacheTtlMs?: number;
  cacheMax?: number;
  lookupLimit?: number;
}

export class UnknownNamespaceError extends Error {
  constructor(readonly namespace: string) {
    super(`Unknown permission namespace '${namespace}'`);
    this.name = 'UnknownNamespaceError';
  }
}

/** Namespaces every product has: identities, organizations (roles materialized as tuples) and teams. */
export const BUILT_IN_NAMESPACES: Record<string, NamespaceDefinition> = {
  user: { relations: {} },
  org: {
    relations: { owner: 'user', admin: 'user | team#member', member: 'user | team#member' },
    permissions: { view: 'member + admin + owner', manage: 'admin + owner' },
  },
  team: {
    relations: { org: 'org', maintainer: 'user', member: 'user | team#member' },
    permissions: { view: 'member + maintainer + org->admin', manage: 'maintainer + org->admin' },
  },
};

/**
 * Zanzibar-style evaluation over relation tuples. A check is a bounded depth-first walk:
 * direct tuples, usersets (`team:t#member`), computed relations/permissions and tuple-to-userset arrows
 * (`org->admin`). Results are cached briefly; grant/revoke clear the cache.
 */
export class PermissionEngine implements NamespaceRegistry {
  private readonly schemas = new Map<string, NamespaceSchema>();
  private readonly cache: LRUCache<string, boolean>;
  private readonly maxDepth: number;
  private readonly lookupLimit: number;

  constructor(
    private readonly store: TupleStore,
    options: PermissionEngineOptions = {},
  ) {
    this.maxDepth = options.maxDepth ?? 8;
    this.lookupLimit = options.lookupLimit ?? 1000;
    this.cache = new LRUCache<string, boolean>({ max: options.cacheMax ?? 10_000, ttl: options.cacheTtlMs ?? 5_000 });
    for (const [name, definition] of Object.entries(BUILT_IN_NAMESPACES)) this.schemas.set(name, parseNamespace(name, definition));
  }

  /**
   * Registers (or replaces) a namespace after checking it on its own. References to other namespaces are
   * checked by `validate()` once every module has registered (namespaces may reference later ones).
   */
  defineNamespace(name: string, definition: NamespaceDefinition): void {
    this.schemas.set(name, parseNamespace(name, definition));
    this.invalidate();
  }

  /** Registers several namespaces and validates the cross-namespace references of the whole set. */
  defineNamespaces(definitions: Record<string, NamespaceDefinition>): void {
    for (const [name, definition] of Object.entries(definitions)) this.defineNamespace(name, definition);
    this.validate();
  }

  /** Throws PermissionDslError when a subject type or arrow points at a missing namespace, relation or permission. */
  validate(): void {
    validateSchemas(this.schemas);
  }

  namespace(name: string): NamespaceSchema | undefined {
    return this.schemas.get(name);
  }

  namespaces(): string[] {
    return [...this.schemas.keys()];
  }

  /** True when `name` is a relation or permission of `namespace`. */
  has(namespace: string, name: string): boolean {
    const schema = this.schemas.get(namespace);
    return !!schema && (schema.relations.has(name) || schema.permissions.has(name));
  }

  invalidate(): void {
    this.cache.clear();
  }

  /**
   * After tuples were only added: permissions are unions of relations and arrows (no exclusion, no intersection), so
   * an added tuple can turn a cached "no" into "yes" but never a "yes" into "no" — only the denials are dropped.
   * Keeps the cache warm while objects are created (each creation grants tuples).
   */
  forgetDenials(): void {
    const denied: string[] = [];
    for (const [key, allowed] of this.cache.entries()) if (!allowed) denied.push(key);
    for (const key of denied) this.cache.delete(key);
  }

  /** Does `user:userId` hold `permission` (a permission or relation) on `object`, in the tuples of `scope`? */
  async check(userId: string, permission: string, object: ObjectRef, scope?: string): Promise<boolean> {
    this.requireNamespace(object.type);
    const key = `${scope ?? ''}|${userId}|${object.type}:${object.id}#${permission}`;
    const cached = this.cache.get(key);
    if (cached !== undefined) return cached;
    const allowed = await this.store.read(scope, (reader) => new Walk(this.schemas, memoize(reader), this.maxDepth).check(userId, object.type, object.id, permission));
    this.cache.set(key, allowed);
    return allowed;
  }

  /** The objects of `namespace` on which the user holds anything, with the relations and permissions held. */
  async lookup(userId: string, namespace: string, scope?: string): Promise<AccessEntry[]> {
    const schema = this.requireNamespace(namespace);
    return this.store.read(scope, async (raw) => {
      const reader = memoize(raw);
      const walk = new Walk(this.schemas, reader, this.maxDepth);
      const entries: AccessEntry[] = [];
      for (const objectId of await reader.objectIdsIn(namespace, this.lookupLimit)) {
        const relations: string[] = [];
        for (const relation of schema.relations.keys()) if (await walk.check(userId, namespace, objectId, relation)) relations.push(relation);
        const permissions: string[] = [];
        for (const permission of schema.permissions.keys()) if (await walk.check(userId, namespace, objectId, permission)) permissions.push(permission);
        if (relations.length > 0 || permissions.length > 0) entries.push({ objectId, relations, permissions });
      }
      return entries;
    });
  }

  private requireNamespace(name: string): NamespaceSchema {
    const schema = this.schemas.get(name);
    if (!schema) throw new UnknownNamespaceError(name);
    return schema;
  }
}

function memoize(reader: TupleReader): TupleReader {
  const tuples = new Map<string, Promise<RelationTuple[]>>();
  return {
    tuplesOf(namespace, objectId) {
      const key = `${namespace}:${objectId}`;
      let found = tuples.get(key);
      if (!found) {
        found = reader.tuplesOf(namespace, objectId);
        tuples.set(key, found);
      }
      return found;
    },
    objectIdsIn: (namespace, limit) => reader.objectIdsIn(namespace, limit),
  };
}

/** One evaluation: depth-bounded, with the nodes on the current path remembered so cycles end. */
class Walk {
  private readonly onPath = new Set<string>();

  constructor(
    private readonly schemas: ReadonlyMap<string, NamespaceSchema>,
    private readonly reader: TupleReader,
    private readonly maxDepth: number,
  ) {}

  check(userId: string, namespace: string, objectId: string, name: string): Promise<boolean> {
    return this.visit(userId, namespace, objectId, name, 0);
  }

  private async visit(userId: string, namespace: string, objectId: string, name: string, depth: number): Promise<boolean> {
    if (depth > this.maxDepth) return false;
    const schema = this.schemas.get(namespace);
    if (!schema) return false;
    const node = `${namespace}:${objectId}#${name}`;
    if (this.onPath.has(node)) return false;
    this.onPath.add(node);
    try {
      const terms = schema.permissions.get(name);
      if (terms) {
        for (const term of terms) {
          if (term.kind === 'computed') {
            if (await this.visit(userId, namespace, objectId, term.name, depth + 1)) return true;
          } else {
            const tupleset = (await this.reader.tuplesOf(namespace, objectId)).filter((t) => t.relation === term.tupleset && !t.subjectRel);
            for (const t of tupleset) if (await this.visit(userId, t.subjectNs, t.subjectId, term.computed, depth + 1)) return true;
          }
        }
        return false;
      }
      if (!schema.relations.has(name)) return false;
      const tuples = (await this.reader.tuplesOf(namespace, objectId)).filter((t) => t.relation === name);
      if (tuples.some((t) => t.subjectNs === 'user' && t.subjectId === userId && !t.subjectRel)) return true;
      for (const t of tuples) {
        if (t.subjectRel && (await this.visit(userId, t.subjectNs, t.subjectId, t.subjectRel, depth + 1))) return true;
      }
      return false;
    } finally {
      this.onPath.delete(node);
    }
  }
}
