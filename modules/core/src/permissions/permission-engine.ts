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

/** A subject of tuples: a user (`user:alice`), an object (`org:acme`) or a subject set (`team:eng#member`). */
export interface SubjectRef {
  namespace: string;
  id: string;
  relation?: string | null;
}

/**
 * Reads the relation tuples of a tenant `scope` (the org whose tuples are visible). Every call is one statement, so
 * it sees one consistent snapshot.
 */
export interface TupleStore {
  /**
   * What a check of `userId` starting at `objects` can read: every tuple of every object reachable from them through
   * tuples whose subject is an object or a subject set, except other users' direct tuples.
   */
  reachable(scope: string | undefined, userId: string, objects: readonly ObjectRef[]): Promise<RelationTuple[]>;
  /**
   * The subject sets `userId` is in through tuples (`team:eng#member`, then every set that contains those), among the
   * `usersets` the namespaces allow as subjects: sets nobody can name as a subject (every task's `viewer`) are not
   * followed, which keeps the walk to a user's teams and orgs.
   */
  subjectSetsOf(scope: string | undefined, userId: string, usersets: readonly { namespace: string; relation: string }[]): Promise<SubjectRef[]>;
  /** Ids (ascending) of objects of `namespace` with a tuple, of `relation` when given, whose subject is one of `subjects`. */
  objectsWithSubjects(scope: string | undefined, namespace: string, subjects: readonly SubjectRef[], options: { relation?: string; limit: number }): Promise<string[]>;
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
 * (`org->admin`), over the tuples the store returns in one read. Results are cached briefly; a grant drops the
 * cached denials, a revoke clears the cache.
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

  /**
   * Does `user:userId` hold `permission` (a permission or relation) on `object`, in the tuples of `scope`? A cold
   * check reads the reachable part of the tuple graph in one round trip and walks it in memory.
   */
  async check(userId: string, permission: string, object: ObjectRef, scope?: string): Promise<boolean> {
    this.requireNamespace(object.type);
    const key = `${scope ?? ''}|${userId}|${object.type}:${object.id}#${permission}`;
    const cached = this.cache.get(key);
    if (cached !== undefined) return cached;
    const graph = new TupleGraph(await this.store.reachable(scope, userId, [object]));
    const allowed = new Walk(this.schemas, graph, this.maxDepth).check(userId, object.type, object.id, permission);
    this.cache.set(key, allowed);
    return allowed;
  }

  /**
   * The objects of `namespace` on which the user holds anything, with the relations and permissions held (at most
   * `lookupLimit`, by id). Candidates come from the user's side — objects naming the user or one of their subject
   * sets, and objects whose tuple-to-userset arrows lead to objects the user holds the arrow's relation on — and each
   * candidate is then evaluated like a check.
   */
  async lookup(userId: string, namespace: string, scope?: string): Promise<AccessEntry[]> {
    const schema = this.requireNamespace(namespace);
    const subjects: SubjectRef[] = [{ namespace: 'user', id: userId }, ...(await this.store.subjectSetsOf(scope, userId, this.usersetTypes()))];
    const candidates = await this.candidates({ userId, scope, subjects }, namespace, this.lookupLimit, new Set());
    const { walk } = await this.evaluator(userId, scope, namespace, candidates);
    const entries: AccessEntry[] = [];
    for (const objectId of candidates) {
      const relations = [...schema.relations.keys()].filter((relation) => walk.check(userId, namespace, objectId, relation));
      const permissions = [...schema.permissions.keys()].filter((permission) => walk.check(userId, namespace, objectId, permission));
      if (relations.length > 0 || permissions.length > 0) entries.push({ objectId, relations, permissions });
    }
    return entries;
  }

  /** Ids of `namespace` objects the user may hold something on (a superset of the answer; at most `limit`, sorted). */
  private async candidates(user: LookupUser, namespace: string, limit: number, visiting: ReadonlySet<string>): Promise<string[]> {
    const { scope, subjects } = user;
    const ids = new Set(await this.store.objectsWithSubjects(scope, namespace, subjects, { limit }));
    if (visiting.has(namespace) || visiting.size >= this.maxDepth) return [...ids].sort();
    const inner = new Set([...visiting, namespace]);
    for (const arrow of this.arrowsOf(namespace)) {
      if (ids.size >= limit) break;
      const targets = await this.candidates(user, arrow.target, limit, inner);
      if (targets.length === 0) continue;
      const { walk } = await this.evaluator(user.userId, scope, arrow.target, targets);
      const held = targets.filter((id) => walk.check(user.userId, arrow.target, id, arrow.computed));
      if (held.length === 0) continue;
      const linked = await this.store.objectsWithSubjects(scope, namespace, held.map((id) => ({ namespace: arrow.target, id })), {
        relation: arrow.tupleset,
        limit: limit - ids.size,
      });
      for (const id of linked) ids.add(id);
    }
    return [...ids].sort().slice(0, limit);
  }

  private async evaluator(userId: string, scope: string | undefined, namespace: string, ids: readonly string[]) {
    const tuples = ids.length === 0 ? [] : await this.store.reachable(scope, userId, ids.map((id) => ({ type: namespace, id })));
    return { walk: new Walk(this.schemas, new TupleGraph(tuples), this.maxDepth) };
  }

  /** Every `namespace#relation` some relation accepts as its subject (`team#member`, `org#member`). */
  private usersetTypes(): { namespace: string; relation: string }[] {
    const types = new Map<string, { namespace: string; relation: string }>();
    for (const schema of this.schemas.values()) {
      for (const allowed of schema.relations.values()) {
        for (const type of allowed) if (type.relation) types.set(`${type.namespace}#${type.relation}`, { namespace: type.namespace, relation: type.relation });
      }
    }
    return [...types.values()];
  }

  /** The tuple-to-userset arrows of `namespace`'s permissions, one per (tupleset, object namespace, relation). */
  private arrowsOf(namespace: string): { tupleset: string; target: string; computed: string }[] {
    const schema = this.schemas.get(namespace);
    if (!schema) return [];
    const arrows = new Map<string, { tupleset: string; target: string; computed: string }>();
    for (const terms of schema.permissions.values()) {
      for (const term of terms) {
        if (term.kind !== 'arrow') continue;
        for (const type of schema.relations.get(term.tupleset) ?? []) {
          if (type.relation) continue;
          arrows.set(`${term.tupleset}>${type.namespace}#${term.computed}`, { tupleset: term.tupleset, target: type.namespace, computed: term.computed });
        }
      }
    }
    return [...arrows.values()];
  }

  private requireNamespace(name: string): NamespaceSchema {
    const schema = this.schemas.get(name);
    if (!schema) throw new UnknownNamespaceError(name);
    return schema;
  }
}

interface LookupUser {
  userId: string;
  scope: string | undefined;
  /** The user and the subject sets they are in. */
  subjects: SubjectRef[];
}

/** Tuples read from the store, by object. An object that was not read has none (it is unreachable). */
class TupleGraph {
  private readonly byObject = new Map<string, RelationTuple[]>();

  constructor(tuples: readonly RelationTuple[]) {
    for (const tuple of tuples) {
      const key = `${tuple.namespace}:${tuple.objectId}`;
      const list = this.byObject.get(key);
      if (list) list.push(tuple);
      else this.byObject.set(key, [tuple]);
    }
  }

  tuplesOf(namespace: string, objectId: string): readonly RelationTuple[] {
    return this.byObject.get(`${namespace}:${objectId}`) ?? [];
  }
}

/** One evaluation over a TupleGraph: depth-bounded, with the nodes on the current path remembered so cycles end. */
class Walk {
  private readonly onPath = new Set<string>();

  constructor(
    private readonly schemas: ReadonlyMap<string, NamespaceSchema>,
    private readonly graph: TupleGraph,
    private readonly maxDepth: number,
  ) {}

  check(userId: string, namespace: string, objectId: string, name: string): boolean {
    return this.visit(userId, namespace, objectId, name, 0);
  }

  private visit(userId: string, namespace: string, objectId: string, name: string, depth: number): boolean {
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
            if (this.visit(userId, namespace, objectId, term.name, depth + 1)) return true;
          } else {
            for (const t of this.graph.tuplesOf(namespace, objectId)) {
              if (t.relation === term.tupleset && !t.subjectRel && this.visit(userId, t.subjectNs, t.subjectId, term.computed, depth + 1)) return true;
            }
          }
        }
        return false;
      }
      if (!schema.relations.has(name)) return false;
      const tuples = this.graph.tuplesOf(namespace, objectId).filter((t) => t.relation === name);
      if (tuples.some((t) => t.subjectNs === 'user' && t.subjectId === userId && !t.subjectRel)) return true;
      return tuples.some((t) => !!t.subjectRel && this.visit(userId, t.subjectNs, t.subjectId, t.subjectRel, depth + 1));
    } finally {
      this.onPath.delete(node);
    }
  }
}
