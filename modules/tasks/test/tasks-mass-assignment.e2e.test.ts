import { randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { asOwner, client, registerUser, type RegisteredUser } from '../core/support/api.js';
import { orgFingerprint } from '../core/support/idor.js';
import { createTask } from './tasks-fixtures.js';

/** Server-owned fields (org_id, created_by, id) cannot be set through the API. The IDOR matrix is test/core/idor.e2e.test.ts. */

let alice: RegisteredUser;
let bob: RegisteredUser;
let taskId: string;

beforeAll(async () => {
  alice = await registerUser({ org_name: 'Mass assignment A' });
  bob = await registerUser({ org_name: 'Mass assignment B' });
  taskId = (await createTask(client(alice.accessToken), { title: 'A private task' })).id;
});

describe('server-owned fields', () => {
  it('refuses server-owned fields on real objects (strict schemas) and stores nothing of them', async () => {
    const apiA = client(alice.accessToken);
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
