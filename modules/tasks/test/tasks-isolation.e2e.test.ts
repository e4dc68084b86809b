import { beforeAll, describe, expect, it } from 'vitest';
import type { ApiClient } from '../../sdk/index.js';
import { asOwner, asTenant, client, registerUser, type RegisteredUser } from '../core/support/api.js';
import { createBoard, createTask, expectEnvelope, ok, okPage } from './tasks-fixtures.js';

const TENANT_TABLES = ['task_boards', 'task_columns', 'tasks', 'task_checklists', 'checklist_items'];

let alice: RegisteredUser; // owner of org A
let bob: RegisteredUser; // owner of org B
let apiA: ApiClient;
let apiB: ApiClient;
let boardA: Awaited<ReturnType<typeof createBoard>>;
let taskA: Awaited<ReturnType<typeof createTask>>;
let taskB: Awaited<ReturnType<typeof createTask>>;
let checklistA: { id: string; items: { id: string }[] };

beforeAll(async () => {
  alice = await registerUser({ org_name: 'Org A' });
  bob = await registerUser({ org_name: 'Org B' });
  apiA = client(alice.accessToken);
  apiB = client(bob.accessToken);
  boardA = await createBoard(apiA, 'A board');
  taskA = await createTask(apiA, { title: 'secret-of-org-a', description: 'alpha plans', board_id: boardA.id });
  checklistA = ok(
    await apiA.POST('/api/v1/tasks/{id}/checklists', { params: { path: { id: taskA.id } }, body: { title: 'A list', items: [{ title: 'A item' }] } }),
    201,
  );
  const boardB = await createBoard(apiB, 'B board');
  taskB = await createTask(apiB, { title: 'org-b task', board_id: boardB.id });
});

describe('tenant isolation through the API', () => {
  it("gives org B 404 for org A's task, board and checklist by id", async () => {
    const path = { params: { path: { id: taskA.id } } };
    expectEnvelope(await apiB.GET('/api/v1/tasks/{id}', path), 404, 'NOT_FOUND');
    expectEnvelope(await apiB.PATCH('/api/v1/tasks/{id}', { ...path, body: { title: 'pwned' } }), 404, 'NOT_FOUND');
    expectEnvelope(await apiB.DELETE('/api/v1/tasks/{id}', path), 404, 'NOT_FOUND');
    expectEnvelope(await apiB.PATCH('/api/v1/tasks/{id}/move', { ...path, body: { position: 1 } }), 404, 'NOT_FOUND');
    expectEnvelope(await apiB.POST('/api/v1/tasks/{id}/subtasks', { ...path, body: { title: 'x' } }), 404, 'NOT_FOUND');
    expectEnvelope(await apiB.POST('/api/v1/tasks/{id}/checklists', { ...path, body: { title: 'x' } }), 404, 'NOT_FOUND');
    expectEnvelope(await apiB.GET('/api/v1/boards/{id}', { params: { path: { id: boardA.id } } }), 404, 'NOT_FOUND');
    expectEnvelope(
      await apiB.PATCH('/api/v1/boards/{id}/columns', { params: { path: { id: boardA.id } }, body: { columns: [] } }),
      404,
      'NOT_FOUND',
    );
    expectEnvelope(
      await apiB.POST('/api/v1/checklists/{id}/items', { params: { path: { id: checklistA.id } }, body: { title: 'x' } }),
      404,
      'NOT_FOUND',
    );
    expectEnvelope(
      await apiB.PATCH('/api/v1/checklists/{id}/items/{itemId}', {
        params: { path: { id: checklistA.id, itemId: checklistA.items[0]!.id } },
        body: { done: true },
      }),
      404,
      'NOT_FOUND',
    );
    // Nothing changed for A.
    const still = ok(await apiA.GET('/api/v1/tasks/{id}', { params: { path: { id: taskA.id } } }));
    expect(still).toMatchObject({ title: 'secret-of-org-a' });
    expect(still.checklists[0]!.items[0]!.done).toBe(false);
  });

  it("never shows org A's rows in org B's lists, search, kanban or counts", async () => {
    const all = okPage(await apiB.GET('/api/v1/tasks', { params: { query: { limit: 100 } } }));
    expect(all.data.map((t) => t.id)).toEqual([taskB.id]);
    expect(all.meta.total).toBe(1);
    const search = okPage(await apiB.GET('/api/v1/tasks', { params: { query: { search: 'secret-of-org-a' } } }));
    expect(search.meta).toMatchObject({ total: 0, totalPages: 0, hasNext: false });
    const byBoard = okPage(await apiB.GET('/api/v1/tasks', { params: { query: { filter: { board_id: boardA.id } } } }));
    expect(byBoard.meta.total).toBe(0);
    expectEnvelope(await apiB.GET('/api/v1/tasks', { params: { query: { view: 'kanban', board_id: boardA.id } } }), 404, 'NOT_FOUND');
    const boards = ok(await apiB.GET('/api/v1/boards', { params: { query: { limit: 100 } } }));
    expect(boards.data.map((b) => b.name)).toEqual(['B board']);
    expect(boards.meta.total).toBe(1);
  });

  it("does not let org B attach to org A's board or columns", async () => {
    expectEnvelope(await apiB.POST('/api/v1/tasks', { body: { title: 'x', board_id: boardA.id } }), 400, 'VALIDATION_ERROR');
    expectEnvelope(await apiB.POST('/api/v1/tasks', { body: { title: 'x', column_id: boardA.columns[0]!.id } }), 400, 'VALIDATION_ERROR');
    expectEnvelope(
      await apiB.PATCH('/api/v1/tasks/{id}/move', { params: { path: { id: taskB.id } }, body: { column_id: boardA.columns[0]!.id } }),
      400,
      'VALIDATION_ERROR',
    );
    expectEnvelope(
      await apiB.PATCH('/api/v1/tasks/{id}/move', { params: { path: { id: taskB.id } }, body: { after_id: taskA.id } }),
      400,
      'VALIDATION_ERROR',
    );
    expectEnvelope(await apiB.POST('/api/v1/tasks', { body: { title: 'x', assignee_id: alice.user.id } }), 400, 'VALIDATION_ERROR');
  });
});

describe('tenant isolation in PostgreSQL (row-level security, not app code)', () => {
  it("returns only org B's rows to the runtime role under org B's context", async () => {
    const rows = await asTenant(bob.org.id, 'SELECT * FROM tasks');
    expect(rows.length).toBeGreaterThan(0);
    expect(rows.map((r) => r.id)).toContain(taskB.id);
    expect(rows.map((r) => r.id)).not.toContain(taskA.id);
    expect(new Set(rows.map((r) => r.org_id))).toEqual(new Set([bob.org.id]));
    const aRows = await asTenant(alice.org.id, 'SELECT id FROM tasks WHERE id = $1', [taskA.id]);
    expect(aRows).toHaveLength(1);
  });

  it('returns nothing without a tenant context, on every tasks table', async () => {
    const total = await asOwner<{ n: number }>('SELECT count(*)::int AS n FROM tasks');
    expect(total[0]!.n).toBeGreaterThan(1);
    for (const table of TENANT_TABLES) {
      expect(await asTenant('', `SELECT * FROM ${table}`), table).toEqual([]);
      const foreign = await asTenant(bob.org.id, `SELECT * FROM ${table} WHERE org_id = $1`, [alice.org.id]);
      expect(foreign, table).toEqual([]);
    }
  });

  it("refuses writes of org A's rows under org B's context", async () => {
    await expect(
      asTenant(bob.org.id, 'INSERT INTO tasks (org_id, title, position, created_by) VALUES ($1, $2, 1, $3)', [alice.org.id, 'x', bob.user.id]),
    ).rejects.toThrow(/row-level security/);
    const updated = await asTenant(bob.org.id, "UPDATE tasks SET title = 'pwned' WHERE id = $1 RETURNING id", [taskA.id]);
    expect(updated).toEqual([]);
    // A row of org B cannot point at org A's board (composite foreign key), even if someone bypassed the API.
    await expect(
      asTenant(bob.org.id, 'INSERT INTO tasks (org_id, title, position, created_by, board_id) VALUES ($1, $2, 1, $3, $4)', [
        bob.org.id,
        'x',
        bob.user.id,
        boardA.id,
      ]),
    ).rejects.toThrow(/foreign key/);
  });
});

describe('permissions inside one org', () => {
  let carol: RegisteredUser;
  let apiC: ApiClient;

  beforeAll(async () => {
    carol = await registerUser({ org_name: 'Carol personal' });
    ok(
      await apiA.POST('/api/v1/organizations/{id}/members', {
        params: { path: { id: alice.org.id } },
        body: { email: carol.email, role: 'member' },
      }),
      201,
    );
    const session = ok(await client(carol.accessToken).POST('/api/v1/auth/switch-org', { body: { org_id: alice.org.id } }));
    apiC = client(session.tokens.access_token);
  });

  it('lets a member view but not change a task until granted editor', async () => {
    const path = { params: { path: { id: taskA.id } } };
    expect(ok(await apiC.GET('/api/v1/tasks/{id}', path)).title).toBe('secret-of-org-a');
    expect(okPage(await apiC.GET('/api/v1/tasks', { params: { query: { search: 'secret-of-org-a' } } })).meta.total).toBe(1);
    expect(ok(await apiC.GET('/api/v1/boards/{id}', { params: { path: { id: boardA.id } } })).id).toBe(boardA.id);

    expectEnvelope(await apiC.PATCH('/api/v1/tasks/{id}', { ...path, body: { title: 'carol was here' } }), 403, 'FORBIDDEN');
    expectEnvelope(await apiC.PATCH('/api/v1/tasks/{id}/move', { ...path, body: { position: 7 } }), 403, 'FORBIDDEN');
    expectEnvelope(await apiC.DELETE('/api/v1/tasks/{id}', path), 403, 'FORBIDDEN');
    expectEnvelope(
      await apiC.PATCH('/api/v1/checklists/{id}/items/{itemId}', {
        params: { path: { id: checklistA.id, itemId: checklistA.items[0]!.id } },
        body: { done: true },
      }),
      403,
      'FORBIDDEN',
    );
    expectEnvelope(
      await apiC.PATCH('/api/v1/boards/{id}/columns', { params: { path: { id: boardA.id } }, body: { columns: [] } }),
      403,
      'FORBIDDEN',
    );
    expectEnvelope(await apiC.PATCH('/api/v1/boards/{id}', { params: { path: { id: boardA.id } }, body: { name: 'carol was here' } }), 403, 'FORBIDDEN');
    expectEnvelope(await apiC.DELETE('/api/v1/boards/{id}', { params: { path: { id: boardA.id } } }), 403, 'FORBIDDEN');
    const grantByCarol = await apiC.POST('/api/v1/permissions/grant', {
      body: { namespace: 'task', object_id: taskA.id, relation: 'editor', subject: { type: 'user', id: carol.user.id } },
    });
    expectEnvelope(grantByCarol, 403, 'FORBIDDEN');

    ok(
      await apiA.POST('/api/v1/permissions/grant', {
        body: { namespace: 'task', object_id: taskA.id, relation: 'editor', subject: { type: 'user', id: carol.user.id } },
      }),
      201,
    );

    expect(ok(await apiC.PATCH('/api/v1/tasks/{id}', { ...path, body: { title: 'carol was here' } })).title).toBe('carol was here');
    expect(ok(await apiC.PATCH('/api/v1/tasks/{id}', { ...path, body: { assignee_id: carol.user.id } })).assignee_id).toBe(carol.user.id);
    ok(
      await apiC.PATCH('/api/v1/checklists/{id}/items/{itemId}', {
        params: { path: { id: checklistA.id, itemId: checklistA.items[0]!.id } },
        body: { done: true },
      }),
    );
    // editor does not include delete
    expectEnvelope(await apiC.DELETE('/api/v1/tasks/{id}', path), 403, 'FORBIDDEN');
  });

  it("lets a member create tasks they own in the org's boards", async () => {
    const own = await createTask(apiC, { title: 'carol task', board_id: boardA.id });
    expect(own).toMatchObject({ created_by: carol.user.id, board_id: boardA.id });
    ok(await apiC.PATCH('/api/v1/tasks/{id}', { params: { path: { id: own.id } }, body: { status: 'doing' } }));
    // The org owner is an org admin: `org->admin` lets her edit and delete it.
    ok(await apiA.PATCH('/api/v1/tasks/{id}', { params: { path: { id: own.id } }, body: { priority: 'low' } }));
    expect((await apiA.DELETE('/api/v1/tasks/{id}', { params: { path: { id: own.id } } })).response.status).toBe(204);
  });
});
