import { randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { apiUrl, asOwner, client, registerUser, type RegisteredUser } from '../core/support/api.js';
import { fillPath, operations } from '../core/support/openapi-routes.js';
import { createBoard, createTask, ok } from './tasks-fixtures.js';

/**
 * IDOR matrix, driven by the OpenAPI document: every route with an id param, called by another org's owner with
 * org A's real ids, answers 404 and changes nothing — checked by hashing every org-A row of every table that
 * carries org_id (and A's user row) before and after. A new route with an id fails this test until it has a fixture.
 */

let alice: RegisteredUser;
let bob: RegisteredUser;
let ids: Record<string, Record<string, string>>;

/** Plausible bodies, so a route cannot hide behind a 400 for an invalid body: the answer must be about the id. */
const BODIES: Record<string, unknown> = {
  'PATCH /api/v1/tasks/{id}': { title: 'taken over', priority: 'high' },
  'PATCH /api/v1/tasks/{id}/move': { position: 0 },
  'POST /api/v1/tasks/{id}/subtasks': { title: 'planted subtask' },
  'POST /api/v1/tasks/{id}/checklists': { title: 'planted list', items: [{ title: 'x' }] },
  'POST /api/v1/checklists/{id}/items': { title: 'planted item' },
  'PATCH /api/v1/checklists/{id}/items/{itemId}': { done: true },
  'PATCH /api/v1/boards/{id}/columns': { columns: [{ name: 'Only column' }] },
  'POST /api/v1/organizations/{id}/members': { email: 'someone@example.test', role: 'admin' },
};

async function orgFingerprint(orgId: string, userId: string): Promise<Record<string, string>> {
  const tables = await asOwner<{ table_name: string }>(
    `select table_name from information_schema.columns
      where table_schema = 'public' and column_name = 'org_id' order by table_name`,
  );
  const result: Record<string, string> = {};
  for (const { table_name } of tables) {
    const [row] = await asOwner(
      `select count(*)::int as n, md5(coalesce(string_agg(t::text, '|' order by t::text), '')) as h from "${table_name}" t where org_id = $1`,
      [orgId],
    );
    result[table_name] = `${row!.n}:${row!.h}`;
  }
  const [user] = await asOwner('select md5(u::text) as h from users u where id = $1', [userId]);
  result.users = user!.h;
  return result;
}

beforeAll(async () => {
  alice = await registerUser({ org_name: 'IDOR A' });
  bob = await registerUser({ org_name: 'IDOR B' });
  const apiA = client(alice.accessToken);
  const board = await createBoard(apiA, 'A private board');
  const task = await createTask(apiA, { title: 'A private task', board_id: board.id });
  const checklist = ok(
    await apiA.POST('/api/v1/tasks/{id}/checklists', { params: { path: { id: task.id } }, body: { title: 'A list', items: [{ title: 'A item' }] } }),
    201,
  ) as { id: string; items: { id: string }[] };
  ids = {
    '/api/v1/tasks/{id}': { id: task.id },
    '/api/v1/boards/{id}': { id: board.id },
    '/api/v1/checklists/{id}': { id: checklist.id, itemId: checklist.items[0]!.id },
    '/api/v1/organizations/{id}': { id: alice.org.id, userId: alice.user.id },
  };
});

describe('IDOR matrix', () => {
  it("answers 404 to another org on every route with an id, and leaves org A's rows untouched", async () => {
    const routes = (await operations()).filter((op) => op.pathParams.length > 0);
    expect(routes.length).toBeGreaterThan(5);
    const before = await orgFingerprint(alice.org.id, alice.user.id);
    const misses: string[] = [];
    for (const op of routes) {
      const prefix = Object.keys(ids).find((p) => op.path === p || op.path.startsWith(`${p}/`));
      expect(prefix, `no IDOR fixture for ${op.method} ${op.path}: add one to tasks-idor.e2e.test.ts`).toBeDefined();
      const url = `${apiUrl()}${fillPath(op.path, ids[prefix!]!)}`;
      const body = BODIES[`${op.method} ${op.path}`];
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

  it('refuses server-owned fields on real objects (strict schemas) and stores nothing of them', async () => {
    const apiA = client(alice.accessToken);
    const taskId = ids['/api/v1/tasks/{id}']!.id!;
    const before = await orgFingerprint(alice.org.id, alice.user.id);
    const foreign = { org_id: bob.org.id, created_by: bob.user.id, id: randomUUID() };

    const patch = await apiA.PATCH('/api/v1/tasks/{id}', { params: { path: { id: taskId } }, body: { title: 'renamed', ...foreign } as never });
    expect(patch.response.status).toBe(400);
    expect((patch.error as any).error.details.map((d: { field: string }) => d.field).sort()).toEqual(['created_by', 'id', 'org_id']);
    const create = await apiA.POST('/api/v1/tasks', { body: { title: 'mass-assigned', ...foreign } as never });
    expect(create.response.status).toBe(400);
    const board = await apiA.POST('/api/v1/boards', { body: { name: 'mass-assigned', ...foreign } as never });
    expect(board.response.status).toBe(400);

    expect(await orgFingerprint(alice.org.id, alice.user.id)).toEqual(before);
    expect(await asOwner("select id from tasks where title = 'mass-assigned' or id = $1", [foreign.id])).toEqual([]);
    expect(await asOwner("select id from task_boards where name = 'mass-assigned'")).toEqual([]);
    expect(await asOwner('select count(*)::int as n from tasks where org_id = $1', [bob.org.id])).toEqual([{ n: 0 }]);
  });
});
