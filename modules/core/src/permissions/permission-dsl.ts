import type { NamespaceDefinition } from '../platform/platform-module.js';

/**
 * Parser of the permission DSL that modules declare in `module.yaml`:
 *
 *   relations:   { org: org, owner: user, viewer: 'user | team#member | org#member' }
 *   permissions: { view: 'viewer + editor + owner + org->admin' }
 *
 * A relation lists the subject types a tuple may carry (`user`, `org`, or a userset `team#member`).
 * A permission is a union (`+`) of relations, other permissions, and tuple-to-userset arrows
 * (`org->admin`: follow the `org` relation to its object and evaluate `admin` there).
 */

export interface SubjectTypeRef {
  namespace: string;
  relation?: string;
}

export type PermissionTerm =
  | { kind: 'computed'; name: string }
  | { kind: 'arrow'; tupleset: string; computed: string };

export interface NamespaceSchema {
  name: string;
  relations: Map<string, SubjectTypeRef[]>;
  permissions: Map<string, PermissionTerm[]>;
}

export class PermissionDslError extends Error {
  constructor(
    readonly path: string,
    message: string,
  ) {
    super(`${path}: ${message}`);
    this.name = 'PermissionDslError';
  }
}

const IDENTIFIER = /^[a-z][a-z0-9_]*$/;

function identifier(value: string, path: string, what: string): string {
  if (!IDENTIFIER.test(value)) throw new PermissionDslError(path, `invalid ${what} '${value}' (expected ${IDENTIFIER.source})`);
  return value;
}

export function parseSubjectTypes(expression: string, path: string): SubjectTypeRef[] {
  if (typeof expression !== 'string' || expression.trim() === '') throw new PermissionDslError(path, 'expected subject types such as "user | team#member"');
  return expression.split('|').map((part) => {
    const token = part.trim();
    if (token === '') throw new PermissionDslError(path, `empty subject type in '${expression}'`);
    const [ns, rel, ...rest] = token.split('#');
    if (rest.length > 0) throw new PermissionDslError(path, `'${token}' has more than one '#'`);
    const ref: SubjectTypeRef = { namespace: identifier(ns!.trim(), path, 'namespace') };
    if (rel !== undefined) ref.relation = identifier(rel.trim(), path, 'relation');
    return ref;
  });
}

export function parsePermissionExpression(expression: string, path: string): PermissionTerm[] {
  if (typeof expression !== 'string' || expression.trim() === '') throw new PermissionDslError(path, 'expected an expression such as "viewer + owner + org->admin"');
  return expression.split('+').map((part) => {
    const token = part.trim();
    if (token === '') throw new PermissionDslError(path, `empty term in '${expression}'`);
    const arrow = token.split('->');
    if (arrow.length === 1) return { kind: 'computed', name: identifier(token, path, 'relation or permission') };
    if (arrow.length !== 2) throw new PermissionDslError(path, `'${token}' has more than one '->'`);
    return {
      kind: 'arrow',
      tupleset: identifier(arrow[0]!.trim(), path, 'relation'),
      computed: identifier(arrow[1]!.trim(), path, 'relation or permission'),
    };
  });
}

/** Parses one namespace and checks what can be checked locally (names exist, no name is both relation and permission). */
export function parseNamespace(name: string, definition: NamespaceDefinition): NamespaceSchema {
  identifier(name, name, 'namespace');
  const relations = new Map<string, SubjectTypeRef[]>();
  for (const [relation, expression] of Object.entries(definition.relations ?? {})) {
    const path = `${name}.relations.${relation}`;
    relations.set(identifier(relation, path, 'relation'), parseSubjectTypes(expression, path));
  }
  const permissions = new Map<string, PermissionTerm[]>();
  for (const [permission, expression] of Object.entries(definition.permissions ?? {})) {
    const path = `${name}.permissions.${permission}`;
    if (relations.has(permission)) throw new PermissionDslError(path, `'${permission}' is already a relation`);
    permissions.set(identifier(permission, path, 'permission'), parsePermissionExpression(expression, path));
  }
  for (const [permission, terms] of permissions) {
    const path = `${name}.permissions.${permission}`;
    for (const term of terms) {
      if (term.kind === 'computed' && !relations.has(term.name) && !permissions.has(term.name)) {
        throw new PermissionDslError(path, `unknown relation or permission '${term.name}'`);
      }
      if (term.kind === 'arrow' && !relations.has(term.tupleset)) {
        throw new PermissionDslError(path, `'${term.tupleset}->${term.computed}': '${term.tupleset}' is not a relation of '${name}'`);
      }
    }
  }
  detectPermissionCycles(name, permissions);
  return { name, relations, permissions };
}

function detectPermissionCycles(namespace: string, permissions: Map<string, PermissionTerm[]>): void {
  const state = new Map<string, 'visiting' | 'done'>();
  const visit = (permission: string, trail: string[]): void => {
    if (state.get(permission) === 'done') return;
    if (state.get(permission) === 'visiting') {
      throw new PermissionDslError(`${namespace}.permissions.${permission}`, `cycle ${[...trail, permission].join(' -> ')}`);
    }
    state.set(permission, 'visiting');
    for (const term of permissions.get(permission) ?? []) {
      if (term.kind === 'computed' && permissions.has(term.name)) visit(term.name, [...trail, permission]);
    }
    state.set(permission, 'done');
  };
  for (const permission of permissions.keys()) visit(permission, []);
}

/**
 * Cross-namespace checks once every namespace is known: subject types and arrows must point at existing
 * namespaces, relations and permissions.
 */
export function validateSchemas(schemas: ReadonlyMap<string, NamespaceSchema>): void {
  const hasMember = (ns: string, name: string) => {
    const schema = schemas.get(ns);
    return !!schema && (schema.relations.has(name) || schema.permissions.has(name));
  };
  for (const schema of schemas.values()) {
    for (const [relation, types] of schema.relations) {
      const path = `${schema.name}.relations.${relation}`;
      for (const type of types) {
        if (!schemas.has(type.namespace)) throw new PermissionDslError(path, `unknown namespace '${type.namespace}'`);
        if (type.relation && !hasMember(type.namespace, type.relation)) {
          throw new PermissionDslError(path, `'${type.namespace}' has no relation or permission '${type.relation}'`);
        }
      }
    }
    for (const [permission, terms] of schema.permissions) {
      const path = `${schema.name}.permissions.${permission}`;
      for (const term of terms) {
        if (term.kind !== 'arrow') continue;
        for (const type of schema.relations.get(term.tupleset) ?? []) {
          if (!hasMember(type.namespace, term.computed)) {
            throw new PermissionDslError(path, `'${term.tupleset}->${term.computed}': '${type.namespace}' has no relation or permission '${term.computed}'`);
          }
        }
      }
    }
  }
}
