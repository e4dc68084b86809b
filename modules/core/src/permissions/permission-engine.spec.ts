import { describe, expect, it } from 'vitest';
import { PermissionEngine, type ObjectRef, type RelationTuple, type SubjectRef, type TupleStore } from './permission-engine.js';

/** Tuples in memory, written as `ns:obj#rel@subjectNs:subjectId[#subjectRel]`. */
class MemoryTupleStore implements TupleStore {
  readonly tuples: RelationTuple[] = [];
  reads = 0;

  add(...specs: string[]): this {
    for (const spec of specs) {
      const match = /^(\w+):([\w-]+)#(\w+)@(\w+):([\w-]+)(?:#(\w+))?$/.exec(spec);
      if (!match) throw new Error(`bad tuple ${spec}`);
      const [, namespace, objectId, relation, subjectNs, subjectId, subjectRel] = match;
      this.tuples.push({ namespace: namespace!, objectId: objectId!, relation: relation!, subjectNs: subjectNs!, subjectId: subjectId!, subjectRel: subjectRel ?? null });
    }
    return this;
  }

  remove(spec: string): void {
    const index = this.tuples.findIndex((t) => `${t.namespace}:${t.objectId}#${t.relation}@${t.subjectNs}:${t.subjectId}${t.subjectRel ? `#${t.subjectRel}` : ''}` === spec);
    this.tuples.splice(index, 1);
  }

  /** Follows tuples whose subject is an object or a subject set; keeps other users' direct tuples out (as the SQL does). */
  async reachable(_scope: string | undefined, userId: string, objects: readonly ObjectRef[]): Promise<RelationTuple[]> {
    this.reads++;
    const seen = new Set<string>();
    const queue = objects.map((o) => [o.type, o.id] as const);
    const found: RelationTuple[] = [];
    while (queue.length > 0) {
      const [namespace, objectId] = queue.shift()!;
      if (seen.has(`${namespace}:${objectId}`)) continue;
      seen.add(`${namespace}:${objectId}`);
      for (const t of this.tuples.filter((x) => x.namespace === namespace && x.objectId === objectId)) {
        if (t.subjectNs !== 'user') queue.push([t.subjectNs, t.subjectId]);
        if (t.subjectNs !== 'user' || t.subjectRel || t.subjectId === userId) found.push(t);
      }
    }
    return found;
  }

  async subjectSetsOf(_scope: string | undefined, userId: string, usersets: readonly { namespace: string; relation: string }[]): Promise<SubjectRef[]> {
    this.reads++;
    const sets = new Map<string, SubjectRef>();
    let frontier: SubjectRef[] = [{ namespace: 'user', id: userId }];
    while (frontier.length > 0) {
      const next: SubjectRef[] = [];
      for (const subject of frontier) {
        for (const t of this.tuples) {
          if (t.subjectNs !== subject.namespace || t.subjectId !== subject.id || (t.subjectRel ?? null) !== (subject.relation ?? null)) continue;
          if (!usersets.some((u) => u.namespace === t.namespace && u.relation === t.relation)) continue;
          const key = `${t.namespace}:${t.objectId}#${t.relation}`;
          if (sets.has(key)) continue;
          const set = { namespace: t.namespace, id: t.objectId, relation: t.relation };
          sets.set(key, set);
          next.push(set);
        }
      }
      frontier = next;
    }
    return [...sets.values()];
  }

  async objectsWithSubjects(_scope: string | undefined, namespace: string, subjects: readonly SubjectRef[], options: { relation?: string; limit: number }): Promise<string[]> {
    this.reads++;
    const matches = (t: RelationTuple) =>
      subjects.some((s) => s.namespace === t.subjectNs && s.id === t.subjectId && (s.relation ?? null) === (t.subjectRel ?? null));
    const ids = this.tuples.filter((t) => t.namespace === namespace && (!options.relation || t.relation === options.relation) && matches(t)).map((t) => t.objectId);
    return [...new Set(ids)].sort().slice(0, options.limit);
  }
}

const TASK = {
  relations: { org: 'org', owner: 'user', assignee: 'user | team#member', viewer: 'user | team#member | org#member', editor: 'user | team#member' },
  permissions: { view: 'viewer + editor + owner + org->admin', edit: 'editor + owner + org->admin', delete: 'owner + org->admin', assign: 'editor + owner' },
};

function engineWith(store: MemoryTupleStore, options = {}) {
  const engine = new PermissionEngine(store, options);
  engine.defineNamespaces({ task: TASK });
  return engine;
}

const task = (id: string) => ({ type: 'task', id });

describe('PermissionEngine', () => {
  it('grants through a direct relation and denies everyone else', async () => {
    const engine = engineWith(new MemoryTupleStore().add('task:t1#owner@user:alice'));
    expect(await engine.check('alice', 'edit', task('t1'))).toBe(true);
    expect(await engine.check('alice', 'owner', task('t1'))).toBe(true);
    expect(await engine.check('bob', 'view', task('t1'))).toBe(false);
    expect(await engine.check('alice', 'view', task('t2'))).toBe(false);
  });

  it('follows usersets: task editor → team#member → user', async () => {
    const store = new MemoryTupleStore().add('task:t1#editor@team:eng#member', 'team:eng#member@user:bob');
    const engine = engineWith(store);
    expect(await engine.check('bob', 'edit', task('t1'))).toBe(true);
    expect(await engine.check('bob', 'delete', task('t1'))).toBe(false);
    expect(await engine.check('carol', 'edit', task('t1'))).toBe(false);
  });

  it('follows nested teams and tuple-to-userset arrows: task → org->admin → team#member → user', async () => {
    const store = new MemoryTupleStore().add(
      'task:t1#org@org:acme',
      'org:acme#admin@team:leads#member',
      'team:leads#member@team:founders#member',
      'team:founders#member@user:carol',
      'org:acme#member@user:dave',
    );
    const engine = engineWith(store);
    expect(await engine.check('carol', 'delete', task('t1'))).toBe(true);
    expect(await engine.check('dave', 'delete', task('t1'))).toBe(false);
    // viewer: org#member is only a subject type; without a viewer tuple membership alone grants nothing
    expect(await engine.check('dave', 'view', task('t1'))).toBe(false);
    store.add('task:t1#viewer@org:acme#member');
    engine.invalidate();
    expect(await engine.check('dave', 'view', task('t1'))).toBe(true);
    expect(await engine.check('dave', 'edit', task('t1'))).toBe(false);
  });

  it('stops at the depth bound and on cycles', async () => {
    const store = new MemoryTupleStore().add('task:t1#editor@team:a#member', 'team:a#member@team:b#member', 'team:b#member@team:a#member');
    const engine = engineWith(store);
    expect(await engine.check('eve', 'edit', task('t1'))).toBe(false);

    const chain = new MemoryTupleStore().add('task:t1#editor@team:t0#member');
    for (let i = 0; i < 12; i++) chain.add(`team:t${i}#member@team:t${i + 1}#member`);
    chain.add('team:t12#member@user:far');
    expect(await engineWith(chain).check('far', 'edit', task('t1'))).toBe(false);
    expect(await engineWith(chain, { maxDepth: 64 }).check('far', 'edit', task('t1'))).toBe(true);
  });

  it('caches results until invalidated', async () => {
    const store = new MemoryTupleStore().add('task:t1#owner@user:alice');
    const engine = engineWith(store);
    expect(await engine.check('alice', 'edit', task('t1'))).toBe(true);
    const reads = store.reads;
    expect(await engine.check('alice', 'edit', task('t1'))).toBe(true);
    expect(store.reads).toBe(reads);
    store.remove('task:t1#owner@user:alice');
    expect(await engine.check('alice', 'edit', task('t1'))).toBe(true);
    engine.invalidate();
    expect(await engine.check('alice', 'edit', task('t1'))).toBe(false);
  });

  it('after a grant, forgets cached denials but keeps cached grants', async () => {
    const store = new MemoryTupleStore().add('task:t1#owner@user:alice');
    const engine = engineWith(store);
    expect(await engine.check('alice', 'edit', task('t1'))).toBe(true);
    expect(await engine.check('bob', 'view', task('t1'))).toBe(false);
    store.add('task:t1#viewer@user:bob');
    engine.forgetDenials();
    const reads = store.reads;
    expect(await engine.check('alice', 'edit', task('t1'))).toBe(true);
    expect(store.reads).toBe(reads); // still cached
    expect(await engine.check('bob', 'view', task('t1'))).toBe(true); // re-evaluated
    expect(store.reads).toBeGreaterThan(reads);
  });

  it('keys the cache by tenant scope', async () => {
    const store = new MemoryTupleStore().add('task:t1#owner@user:alice');
    const engine = engineWith(store);
    await engine.check('alice', 'edit', task('t1'), 'org-a');
    store.remove('task:t1#owner@user:alice');
    expect(await engine.check('alice', 'edit', task('t1'), 'org-b')).toBe(false);
  });

  it('looks up the objects a user can reach, with relations and permissions', async () => {
    const store = new MemoryTupleStore().add(
      'task:t1#owner@user:alice',
      'task:t2#viewer@team:eng#member',
      'team:eng#member@user:alice',
      'task:t3#owner@user:bob',
    );
    const entries = await engineWith(store).lookup('alice', 'task');
    expect(entries).toEqual([
      { objectId: 't1', relations: ['owner'], permissions: ['view', 'edit', 'delete', 'assign'] },
      { objectId: 't2', relations: ['viewer'], permissions: ['view'] },
    ]);
  });

  it('a cold check reads the store once, whatever the depth of the chain', async () => {
    const store = new MemoryTupleStore().add('task:t1#org@org:acme', 'org:acme#admin@team:leads#member', 'team:leads#member@team:founders#member', 'team:founders#member@user:carol');
    const engine = engineWith(store);
    expect(await engine.check('carol', 'delete', task('t1'))).toBe(true);
    expect(store.reads).toBe(1);
  });

  it('looks up objects reached through arrows: every task of the org for its admins, through nested arrows too', async () => {
    const store = new MemoryTupleStore().add(
      'task:t1#org@org:acme',
      'task:t2#org@org:acme',
      'task:t3#org@org:other',
      'org:acme#admin@team:leads#member',
      'team:leads#member@user:carol',
      'doc:d1#task@task:t2',
      'doc:d2#task@task:t3',
    );
    const engine = engineWith(store);
    engine.defineNamespaces({ doc: { relations: { task: 'task', reader: 'user' }, permissions: { read: 'reader + task->view' } } });
    expect(await engine.lookup('carol', 'task')).toEqual([
      { objectId: 't1', relations: [], permissions: ['view', 'edit', 'delete'] },
      { objectId: 't2', relations: [], permissions: ['view', 'edit', 'delete'] },
    ]);
    expect(await engine.lookup('carol', 'doc')).toEqual([{ objectId: 'd1', relations: [], permissions: ['read'] }]);
    expect(await engine.lookup('dave', 'task')).toEqual([]);
  });

  it("a lookup follows only the subject sets some relation accepts (a user's teams and orgs, not every task's viewers)", async () => {
    const store = new MemoryTupleStore().add('org:acme#member@user:dave', 'team:eng#member@user:dave', 'team:eng#org@org:acme');
    for (let i = 0; i < 5; i++) store.add(`task:t${i}#viewer@org:acme#member`);
    const followed: string[] = [];
    const subjectSetsOf = store.subjectSetsOf.bind(store);
    store.subjectSetsOf = async (...args) => {
      const sets = await subjectSetsOf(...args);
      followed.push(...sets.map((set) => `${set.namespace}:${set.id}#${set.relation}`));
      return sets;
    };
    const entries = await engineWith(store).lookup('dave', 'task');
    expect(entries.map((e) => e.objectId)).toEqual(['t0', 't1', 't2', 't3', 't4']);
    expect(followed.sort()).toEqual(['org:acme#member', 'team:eng#member']);
  });

  it('bounds a lookup by lookupLimit, keeping the first ids', async () => {
    const store = new MemoryTupleStore().add('org:acme#admin@user:carol');
    for (let i = 0; i < 30; i++) store.add(`task:t${String(i).padStart(2, '0')}#org@org:acme`);
    const entries = await engineWith(store, { lookupLimit: 5 }).lookup('carol', 'task');
    expect(entries.map((e) => e.objectId)).toEqual(['t00', 't01', 't02', 't03', 't04']);
  });

  it('rejects unknown namespaces and ignores unknown permissions', async () => {
    const engine = engineWith(new MemoryTupleStore());
    await expect(engine.check('alice', 'view', { type: 'nope', id: 'x' })).rejects.toThrow("Unknown permission namespace 'nope'");
    expect(await engine.check('alice', 'fly', task('t1'))).toBe(false);
  });

  it('validates definitions that reference other namespaces', () => {
    const engine = new PermissionEngine(new MemoryTupleStore());
    expect(() => engine.defineNamespaces({ doc: { relations: { viewer: 'folder#member' } } })).toThrow("unknown namespace 'folder'");
  });
});
