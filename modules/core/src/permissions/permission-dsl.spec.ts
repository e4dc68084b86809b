import { describe, expect, it } from 'vitest';
import { parseNamespace, parsePermissionExpression, parseSubjectTypes, PermissionDslError, validateSchemas, type NamespaceSchema } from './permission-dsl.js';

describe('permission DSL', () => {
  it('parses subject types: plain namespaces and usersets', () => {
    expect(parseSubjectTypes('user | team#member | org#member', 'p')).toEqual([
      { namespace: 'user' },
      { namespace: 'team', relation: 'member' },
      { namespace: 'org', relation: 'member' },
    ]);
    expect(parseSubjectTypes('org', 'p')).toEqual([{ namespace: 'org' }]);
  });

  it('parses permission expressions: unions of computed names and arrows', () => {
    expect(parsePermissionExpression('viewer + editor + owner + org->admin', 'p')).toEqual([
      { kind: 'computed', name: 'viewer' },
      { kind: 'computed', name: 'editor' },
      { kind: 'computed', name: 'owner' },
      { kind: 'arrow', tupleset: 'org', computed: 'admin' },
    ]);
  });

  it.each([
    ['', 'expected'],
    ['viewer +', 'empty term'],
    ['a->b->c', "more than one '->'"],
    ['Viewer', 'invalid relation or permission'],
    ['viewer - editor', 'invalid relation or permission'],
  ])('rejects the expression %j', (expression, message) => {
    expect(() => parsePermissionExpression(expression, 'task.permissions.view')).toThrow(message);
  });

  it.each([
    ['user |', 'empty subject type'],
    ['team#member#x', "more than one '#'"],
    ['user:*', 'invalid namespace'],
  ])('rejects the subject types %j', (expression, message) => {
    expect(() => parseSubjectTypes(expression, 'task.relations.viewer')).toThrow(message);
  });

  it('parses a namespace from a module manifest', () => {
    const schema = parseNamespace('task', {
      relations: { org: 'org', owner: 'user', viewer: 'user | team#member | org#member' },
      permissions: { view: 'viewer + owner + org->admin', edit: 'owner + org->admin', manage: 'edit + view' },
    });
    expect([...schema.relations.keys()]).toEqual(['org', 'owner', 'viewer']);
    expect(schema.permissions.get('manage')).toEqual([
      { kind: 'computed', name: 'edit' },
      { kind: 'computed', name: 'view' },
    ]);
  });

  it('names the key path of an unknown relation', () => {
    const error = (() => {
      try {
        parseNamespace('task', { relations: { owner: 'user' }, permissions: { view: 'owner + viewer' } });
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(PermissionDslError);
    expect((error as PermissionDslError).path).toBe('task.permissions.view');
    expect((error as Error).message).toContain("unknown relation or permission 'viewer'");
  });

  it('rejects arrows over non-relations, duplicated names and permission cycles', () => {
    expect(() => parseNamespace('task', { relations: { owner: 'user' }, permissions: { view: 'org->admin' } })).toThrow("'org' is not a relation");
    expect(() => parseNamespace('task', { relations: { owner: 'user' }, permissions: { owner: 'owner' } })).toThrow('already a relation');
    expect(() => parseNamespace('task', { relations: { owner: 'user' }, permissions: { a: 'b + owner', b: 'a' } })).toThrow('cycle');
  });

  it('validates references across namespaces', () => {
    const schemas = (defs: Record<string, Parameters<typeof parseNamespace>[1]>) =>
      new Map<string, NamespaceSchema>(Object.entries(defs).map(([n, d]) => [n, parseNamespace(n, d)]));
    const base = { user: { relations: {} }, org: { relations: { admin: 'user', member: 'user' } } };
    expect(() => validateSchemas(schemas({ ...base, task: { relations: { org: 'org', viewer: 'org#member' }, permissions: { view: 'viewer + org->admin' } } }))).not.toThrow();
    expect(() => validateSchemas(schemas({ ...base, task: { relations: { viewer: 'team#member' } } }))).toThrow("unknown namespace 'team'");
    expect(() => validateSchemas(schemas({ ...base, task: { relations: { viewer: 'org#owner' } } }))).toThrow("'org' has no relation or permission 'owner'");
    expect(() => validateSchemas(schemas({ ...base, task: { relations: { org: 'org' }, permissions: { view: 'org->owner' } } }))).toThrow("'org->owner'");
  });
});
