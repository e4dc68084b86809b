import { beforeAll, describe, expect, it } from 'vitest';
import { apiUrl, client, registerUser, type RegisteredUser } from './support/api.js';
import { loadIdorFixtures, orgFingerprint } from './support/idor.js';
import { fillPath, operations } from './support/openapi-routes.js';

/**
 * IDOR matrix, driven by the OpenAPI document: every route with an id param, called by another org's owner with
 * org A's real ids, answers 404 and changes nothing — checked by hashing every org-A row of every table that
 * carries org_id (and A's user row) before and after. Each module supplies the ids and bodies of its routes in
 * `test/<module>/idor.fixture.ts`; a new route with an id fails this test until a fixture covers it.
 */

let alice: RegisteredUser;
let bob: RegisteredUser;
const ids: Record<string, Record<string, string>> = {};
const bodies: Record<string, unknown> = {};

beforeAll(async () => {
  alice = await registerUser({ org_name: 'IDOR A' });
  bob = await registerUser({ org_name: 'IDOR B' });
  const apiA = client(alice.accessToken);
  for (const fixture of (await loadIdorFixtures()).values()) {
    Object.assign(ids, await fixture.ids(alice, apiA));
    Object.assign(bodies, fixture.bodies ?? {});
  }
});

describe('IDOR matrix', () => {
  it("answers 404 to another org on every route with an id, and leaves org A's rows untouched", async () => {
    const routes = (await operations()).filter((op) => op.pathParams.length > 0);
    expect(routes.length).toBeGreaterThan(0);
    for (const prefix of Object.keys(ids)) {
      expect(routes.some((op) => op.path === prefix || op.path.startsWith(`${prefix}/`)), `the IDOR fixture for ${prefix} matches no route`).toBe(true);
    }
    const before = await orgFingerprint(alice.org.id, alice.user.id);
    const misses: string[] = [];
    for (const op of routes) {
      const prefix = Object.keys(ids).find((p) => op.path === p || op.path.startsWith(`${p}/`));
      expect(prefix, `no IDOR fixture for ${op.method} ${op.path}: add it to test/<module>/idor.fixture.ts of its module`).toBeDefined();
      const url = `${apiUrl()}${fillPath(op.path, ids[prefix!]!)}`;
      const body = bodies[`${op.method} ${op.path}`];
      const response = await fetch(url, {
        method: op.method,
        headers: { authorization: `Bearer ${bob.accessToken}`, ...(body ? { 'content-type': 'application/json' } : {}) },
        body: body ? JSON.stringify(body) : undefined,
      });
      const answer = (await response.json().catch(() => undefined)) as any;
      if (response.status !== 404 || answer?.error?.code !== 'NOT_FOUND') misses.push(`${op.method} ${op.path} → ${response.status} ${JSON.stringify(answer)}`);
    }
    expect(misses).toEqual([]);
    expect(await orgFingerprint(alice.org.id, alice.user.id)).toEqual(before);
  });
});
