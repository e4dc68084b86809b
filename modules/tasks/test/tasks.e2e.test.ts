import { beforeAll, describe, expect, it } from 'vitest';
import type { ApiClient } from '../../sdk/index.js';
import { asOwner, client, registerUser, type RegisteredUser } from '../core/support/api.js';
import { createBoard, createTask, expectEnvelope, ok, okPage } from './tasks-fixtures.js';

type Kanban = { view: 'kanban'; board_id: string; columns: { id: string; name: string; total: number; tasks: { id: string; title: string }[] }[] };

let owner: RegisteredUser;
let api: ApiClient;

beforeAll(async () => {
  owner = await registerUser({ org_name: 'Tasks Org' });
  api = client(owner.accessToken);
});

async function columnTitles(boardId: string): Promise<Record<string, string[]>> {
  const view = ok(await api.GET('/api/v1/tasks', { params: { query: { view: 'kanban', board_id: boardId, limit: 100 } } })) as unknown as Kanban;
  return Object.fromEntries(view.columns.map((column) => [column.name, column.tasks.map((task) => task.title)]));
}

describe('boards', () => {
  it('creates a board with ordered columns and reads it back', async () => {
    const board = await createBoard(api, 'Roadmap');
    expect(board).toMatchObject({ name: 'Roadmap', view_type: 'kanban', created_by: owner.user.id });
    expect(board.columns.map((c) => c.name)).toEqual(['To do', 'Doing', 'Done']);
    const positions = board.columns.map((c) => c.position);
    expect([...positions].sort((a, b) => a - b)).toEqual(positions);
    expect(board).not.toHaveProperty('org_id');

    const fetched = ok(await api.GET('/api/v1/boards/{id}', { params: { path: { id: board.id } } }));
    expect(fetched).toEqual(board);

    const list = ok(await api.GET('/api/v1/boards', { params: { query: { search: 'roadmap' } } }));
    expect(list.data.map((b) => b.id)).toContain(board.id);
    expect(list.data[0]).not.toHaveProperty('columns');
  });

  it('adds, renames, reorders and removes columns; refuses to remove a column that holds tasks', async () => {
    const board = await createBoard(api, 'Columns', ['A', 'B', 'C']);
    const [a, b, c] = board.columns;
    const task = await createTask(api, { title: 'in B', column_id: b!.id });

    const updated = ok(
      await api.PATCH('/api/v1/boards/{id}/columns', {
        params: { path: { id: board.id } },
        body: { columns: [{ id: c!.id, name: 'C first' }, { name: 'New' }, { id: b!.id, name: 'B renamed' }] },
      }),
    );
    expect(updated.columns.map((column) => column.name)).toEqual(['C first', 'New', 'B renamed']);
    expect(updated.columns.map((column) => column.id)).not.toContain(a!.id);

    const mixed = ok(
      await api.PATCH('/api/v1/boards/{id}/columns', {
        params: { path: { id: board.id } },
        body: { columns: [{ id: c!.id, name: 'C first', position: 100 }, { name: 'Mid' }, { id: b!.id, name: 'B renamed', position: 200 }] },
      }),
    );
    expect(mixed.columns.map((column) => [column.name, column.position])).toEqual([['C first', 100], ['Mid', 150], ['B renamed', 200]]);

    const blocked = await api.PATCH('/api/v1/boards/{id}/columns', {
      params: { path: { id: board.id } },
      body: { columns: [{ id: c!.id, name: 'C first' }] },
    });
    expectEnvelope(blocked, 409, 'CONFLICT');

    const foreign = await api.PATCH('/api/v1/boards/{id}/columns', {
      params: { path: { id: board.id } },
      body: { columns: [{ id: '00000000-0000-4000-8000-000000000000', name: 'X' }] },
    });
    expect(expectEnvelope(foreign, 400, 'VALIDATION_ERROR').details).toEqual([{ field: 'columns.0.id', message: expect.any(String) }]);

    // Once its task is deleted (soft), the column can go; the deleted task is detached from it.
    expect((await api.DELETE('/api/v1/tasks/{id}', { params: { path: { id: task.id } } })).response.status).toBe(204);
    const trimmed = ok(
      await api.PATCH('/api/v1/boards/{id}/columns', {
        params: { path: { id: board.id } },
        body: { columns: [{ id: c!.id, name: 'Only', position: 5 }] },
      }),
    );
    expect(trimmed.columns).toEqual([expect.objectContaining({ id: c!.id, name: 'Only', position: 5 })]);
    const [row] = await asOwner('select column_id, deleted_at from tasks where id = $1', [task.id]);
    expect(row).toMatchObject({ column_id: null, deleted_at: expect.any(Date) });
  });

  it('renames a board, changes its view, and soft-deletes it with its tasks (rows kept)', async () => {
    const board = await createBoard(api, 'Temporary board');
    const path = { params: { path: { id: board.id } } };
    const renamed = ok(await api.PATCH('/api/v1/boards/{id}', { ...path, body: { name: 'Renamed board', view_type: 'list' } }));
    expect(renamed).toMatchObject({ id: board.id, name: 'Renamed board', view_type: 'list' });
    expect(renamed.columns.map((c) => c.id)).toEqual(board.columns.map((c) => c.id));
    expectEnvelope(await api.PATCH('/api/v1/boards/{id}', { ...path, body: {} }), 400, 'VALIDATION_ERROR');
    expectEnvelope(await api.PATCH('/api/v1/boards/{id}', { ...path, body: { name: 'x', org_id: owner.org.id } as never }), 400, 'VALIDATION_ERROR');

    const task = await createTask(api, { title: 'on the temporary board', board_id: board.id });
    const sub = ok(await api.POST('/api/v1/tasks/{id}/subtasks', { params: { path: { id: task.id } }, body: { title: 'its subtask' } }), 201);
    expect((await api.DELETE('/api/v1/boards/{id}', path)).response.status).toBe(204);

    expectEnvelope(await api.GET('/api/v1/boards/{id}', path), 404, 'NOT_FOUND');
    expectEnvelope(await api.PATCH('/api/v1/boards/{id}', { ...path, body: { name: 'back' } }), 404, 'NOT_FOUND');
    expectEnvelope(await api.DELETE('/api/v1/boards/{id}', path), 404, 'NOT_FOUND');
    expect(ok(await api.GET('/api/v1/boards', { params: { query: { limit: 100 } } })).data.map((b) => b.id)).not.toContain(board.id);
    expectEnvelope(await api.GET('/api/v1/tasks/{id}', { params: { path: { id: task.id } } }), 404, 'NOT_FOUND');
    expectEnvelope(await api.GET('/api/v1/tasks', { params: { query: { view: 'kanban', board_id: board.id } } }), 404, 'NOT_FOUND');

    const [boardRow] = await asOwner('select deleted_at from task_boards where id = $1', [board.id]);
    expect(boardRow!.deleted_at).toBeInstanceOf(Date);
    const taskRows = await asOwner('select deleted_at from tasks where id = any($1::uuid[])', [[task.id, sub.id]]);
    expect(taskRows).toHaveLength(2);
    for (const row of taskRows) expect(row.deleted_at).toBeInstanceOf(Date);
    const [event] = await asOwner("select payload from outbox_events where type = 'board.deleted' and payload->>'boardId' = $1", [board.id]);
    expect(event!.payload).toEqual({ boardId: board.id, deletedTasks: 2 });
  });

  it('rejects bad board input with the envelope', async () => {
    expectEnvelope(await api.POST('/api/v1/boards', { body: { name: '' } as never }), 400, 'VALIDATION_ERROR');
    expectEnvelope(await api.POST('/api/v1/boards', { body: { name: 'x', view_type: 'pie' } as never }), 400, 'VALIDATION_ERROR');
    const massAssign = await api.POST('/api/v1/boards', { body: { name: 'x', org_id: owner.org.id } as never });
    expect(expectEnvelope(massAssign, 400, 'VALIDATION_ERROR').details).toEqual([{ field: 'org_id', message: 'Unknown field' }]);
    // A malformed id never reaches the database: 400 from IdParam, or 404 when the permission guard (which runs
    // before parameter validation) answers first.
    const malformed = await api.GET('/api/v1/boards/{id}', { params: { path: { id: "1' OR '1'='1" } } });
    expect([400, 404]).toContain(malformed.response.status);
    expectEnvelope(malformed, malformed.response.status, malformed.response.status === 400 ? 'VALIDATION_ERROR' : 'NOT_FOUND');
    expectEnvelope(await api.GET('/api/v1/boards/{id}', { params: { path: { id: '00000000-0000-4000-8000-000000000000' } } }), 404, 'NOT_FOUND');
  });
});

describe('tasks', () => {
  it('creates tasks last in their column, defaulting to the board’s first column', async () => {
    const board = await createBoard(api, 'Create');
    const first = await createTask(api, { title: 'first', board_id: board.id });
    const second = await createTask(api, { title: 'second', board_id: board.id, column_id: board.columns[0]!.id, priority: 'high' });
    const elsewhere = await createTask(api, { title: 'done one', column_id: board.columns[2]!.id, due_date: '2026-12-01T09:00:00Z' });

    expect(first).toMatchObject({ column_id: board.columns[0]!.id, board_id: board.id, status: 'todo', created_by: owner.user.id, parent_id: null });
    expect(second.position).toBeGreaterThan(first.position);
    expect(elsewhere).toMatchObject({ board_id: board.id, due_date: '2026-12-01T09:00:00.000Z' });
    expect(first).not.toHaveProperty('org_id');
    expect(first).not.toHaveProperty('deleted_at');

    const mismatch = await api.POST('/api/v1/tasks', { body: { title: 'x', board_id: board.id, column_id: (await createBoard(api, 'Other')).columns[0]!.id } });
    expectEnvelope(mismatch, 400, 'VALIDATION_ERROR');
  });

  it('rejects mass assignment and bad input', async () => {
    for (const field of ['org_id', 'created_by', 'id', 'deleted_at', 'position']) {
      const result = await api.POST('/api/v1/tasks', { body: { title: 'x', [field]: owner.user.id } as never });
      expect(expectEnvelope(result, 400, 'VALIDATION_ERROR').details).toEqual([{ field, message: 'Unknown field' }]);
    }
    expectEnvelope(await api.POST('/api/v1/tasks', { body: { title: '' } }), 400, 'VALIDATION_ERROR');
    expectEnvelope(await api.POST('/api/v1/tasks', { body: { title: 'x', priority: 'whenever' } as never }), 400, 'VALIDATION_ERROR');
    expectEnvelope(await api.POST('/api/v1/tasks', { body: { title: 'x', due_date: 'tomorrow' } }), 400, 'VALIDATION_ERROR');
    expectEnvelope(await api.POST('/api/v1/tasks', { body: { title: 'x', board_id: 'nope' } }), 400, 'VALIDATION_ERROR');
    expectEnvelope(await api.POST('/api/v1/tasks', { body: { title: 'x', assignee_id: '00000000-0000-4000-8000-000000000000' } }), 400, 'VALIDATION_ERROR');
    const task = await createTask(api, { title: 'patch me' });
    expectEnvelope(await api.PATCH('/api/v1/tasks/{id}', { params: { path: { id: task.id } }, body: {} }), 400, 'VALIDATION_ERROR');
    expectEnvelope(
      await api.PATCH('/api/v1/tasks/{id}', { params: { path: { id: task.id } }, body: { org_id: owner.org.id } as never }),
      400,
      'VALIDATION_ERROR',
    );
  });

  it('updates fields and assigns', async () => {
    const task = await createTask(api, { title: 'to update' });
    const updated = ok(
      await api.PATCH('/api/v1/tasks/{id}', {
        params: { path: { id: task.id } },
        body: { title: 'updated', status: 'in_progress', priority: 'urgent', metadata: { points: 3 }, assignee_id: owner.user.id },
      }),
    );
    expect(updated).toMatchObject({ title: 'updated', status: 'in_progress', priority: 'urgent', metadata: { points: 3 }, assignee_id: owner.user.id });
    const events = await asOwner("select type, payload from outbox_events where org_id = $1 and payload->>'taskId' = $2 order by created_at", [
      owner.org.id,
      task.id,
    ]);
    expect(events.map((e) => e.type).sort()).toEqual(['task.assigned', 'task.created', 'task.updated']);
    expect(events.find((e) => e.type === 'task.assigned')!.payload).toMatchObject({ assigneeId: owner.user.id, previousAssigneeId: null });
  });

  it('lists with exact pagination meta, filters, search and the sort allow-list', async () => {
    const board = await createBoard(api, 'Paging', ['Only']);
    for (let i = 1; i <= 7; i += 1) {
      await createTask(api, {
        title: `page task ${i}`,
        board_id: board.id,
        priority: i % 2 === 0 ? 'high' : 'low',
        due_date: `2027-01-0${i}T00:00:00Z`,
        description: i === 4 ? 'needle in the description' : null,
      });
    }
    const page = async (n: number) =>
      okPage(await api.GET('/api/v1/tasks', { params: { query: { filter: { board_id: board.id }, limit: 3, page: n, sort: 'due_date:asc' } } }));
    const [p1, p2, p3] = [await page(1), await page(2), await page(3)];
    expect(p1.meta).toEqual({ page: 1, limit: 3, total: 7, totalPages: 3, hasNext: true, hasPrev: false });
    expect(p2.meta).toEqual({ page: 2, limit: 3, total: 7, totalPages: 3, hasNext: true, hasPrev: true });
    expect(p3.meta).toEqual({ page: 3, limit: 3, total: 7, totalPages: 3, hasNext: false, hasPrev: true });
    expect([...p1.data, ...p2.data, ...p3.data].map((t) => t.title)).toEqual([1, 2, 3, 4, 5, 6, 7].map((i) => `page task ${i}`));
    const beyond = await page(4);
    expect(beyond.data).toEqual([]);
    expect(beyond.meta).toMatchObject({ total: 7, hasNext: false, hasPrev: true });

    const list = (query: Record<string, unknown>) => api.GET('/api/v1/tasks', { params: { query: { board_id: board.id, ...query } as never } });
    expect(okPage(await list({ filter: { priority: 'high' } })).meta.total).toBe(3);
    expect(okPage(await list({ filter: { priority: 'high,low' } })).meta.total).toBe(7);
    expect(okPage(await list({ filter: { 'due_date.gte': '2027-01-03', 'due_date.lte': '2027-01-05T00:00:00Z' } })).meta.total).toBe(3);
    expect(okPage(await list({ search: 'NEEDLE' })).data.map((t) => t.title)).toEqual(['page task 4']);
    expect(okPage(await list({ search: 'page task 7' })).meta.total).toBe(1);
    expect(okPage(await list({ search: "' OR 1=1--" })).meta.total).toBe(0);
    expect(okPage(await list({ sort: 'title:desc' })).data[0]!.title).toBe('page task 7');
    expect(okPage(await list({ sort: 'position:asc' })).data[0]!.title).toBe('page task 1');
    // ILIKE wildcards are searched for literally.
    expect(okPage(await list({ search: '_' })).meta.total).toBe(0);
    expect(okPage(await list({ search: '%' })).meta.total).toBe(0);
    await createTask(api, { title: 'ship 100% of page_task_x', board_id: board.id });
    expect(okPage(await list({ search: '100%' })).data.map((t) => t.title)).toEqual(['ship 100% of page_task_x']);
    expect(okPage(await list({ search: 'page_task' })).data.map((t) => t.title)).toEqual(['ship 100% of page_task_x']);

    expectEnvelope(await list({ sort: 'org_id:asc' }), 400, 'VALIDATION_ERROR');
    expectEnvelope(await list({ sort: 'title;DROP TABLE tasks' }), 400, 'VALIDATION_ERROR');
    expectEnvelope(await list({ sort: 'title:sideways' }), 400, 'VALIDATION_ERROR');
    expectEnvelope(await list({ filter: { title: "' OR 1=1--" } }), 400, 'VALIDATION_ERROR');
    expectEnvelope(await list({ filter: { org_id: owner.org.id } }), 400, 'VALIDATION_ERROR');
    expectEnvelope(await list({ filter: { assignee_id: "1' OR '1'='1" } }), 400, 'VALIDATION_ERROR');
    expectEnvelope(await list({ filter: { 'priority.gte': 'a' } }), 400, 'VALIDATION_ERROR');
    expectEnvelope(await list({ filter: { 'due_date.gte': 'yesterday' } }), 400, 'VALIDATION_ERROR');
    expectEnvelope(await list({ limit: 101 }), 400, 'VALIDATION_ERROR');
    expectEnvelope(await list({ page: 0 }), 400, 'VALIDATION_ERROR');
    expectEnvelope(await list({ view: 'gantt' }), 400, 'VALIDATION_ERROR');
    expectEnvelope(await list({ unknown: 1 }), 400, 'VALIDATION_ERROR');
    // The table is still there.
    expect((await asOwner('select count(*)::int as n from tasks'))[0]!.n).toBeGreaterThan(0);
  });

  it('groups by column in the kanban view', async () => {
    const board = await createBoard(api, 'Kanban');
    const [todo, doing, done] = board.columns;
    await createTask(api, { title: 'k1', column_id: todo!.id });
    await createTask(api, { title: 'k2', column_id: todo!.id });
    await createTask(api, { title: 'k3', column_id: done!.id, status: 'done' });
    const view = ok(await api.GET('/api/v1/tasks', { params: { query: { view: 'kanban', board_id: board.id } } })) as unknown as Kanban;
    expect(view.view).toBe('kanban');
    expect(view.columns.map((c) => [c.id, c.name, c.total, c.tasks.map((t) => t.title)])).toEqual([
      [todo!.id, 'To do', 2, ['k1', 'k2']],
      [doing!.id, 'Doing', 0, []],
      [done!.id, 'Done', 1, ['k3']],
    ]);
    const filtered = ok(
      await api.GET('/api/v1/tasks', { params: { query: { view: 'kanban', board_id: board.id, filter: { status: 'done' } } } }),
    ) as unknown as Kanban;
    expect(filtered.columns.map((c) => c.total)).toEqual([0, 0, 1]);
    expectEnvelope(await api.GET('/api/v1/tasks', { params: { query: { view: 'kanban' } } }), 400, 'VALIDATION_ERROR');
    const list = okPage(await api.GET('/api/v1/tasks', { params: { query: { view: 'list', board_id: board.id, sort: 'position:asc' } } }));
    expect(list.meta.total).toBe(3);
  });

  it('moves tasks between neighbours and columns with fractional positions', async () => {
    const board = await createBoard(api, 'Moves');
    const [todo, doing] = board.columns;
    const t1 = await createTask(api, { title: 't1', column_id: todo!.id });
    const t2 = await createTask(api, { title: 't2', column_id: todo!.id });
    const t3 = await createTask(api, { title: 't3', column_id: todo!.id });
    const move = (id: string, body: Record<string, unknown>) => api.PATCH('/api/v1/tasks/{id}/move', { params: { path: { id } }, body: body as never });

    const moved = ok(await move(t3.id, { after_id: t1.id }));
    expect(moved.position).toBeGreaterThan(t1.position);
    expect(moved.position).toBeLessThan(t2.position);
    expect(await columnTitles(board.id)).toMatchObject({ 'To do': ['t1', 't3', 't2'] });

    ok(await move(t2.id, { before_id: t1.id }));
    expect(await columnTitles(board.id)).toMatchObject({ 'To do': ['t2', 't1', 't3'] });

    ok(await move(t1.id, { column_id: doing!.id }));
    expect(await columnTitles(board.id)).toMatchObject({ 'To do': ['t2', 't3'], Doing: ['t1'] });

    ok(await move(t3.id, { column_id: doing!.id, before_id: t1.id }));
    ok(await move(t2.id, { column_id: doing!.id, after_id: t3.id, before_id: t1.id }));
    expect(await columnTitles(board.id)).toMatchObject({ 'To do': [], Doing: ['t3', 't2', 't1'] });

    ok(await move(t1.id, { position: -1 }));
    expect(await columnTitles(board.id)).toMatchObject({ Doing: ['t1', 't3', 't2'] });

    const events = await asOwner("select payload from outbox_events where type = 'task.moved' and payload->>'taskId' = $1 order by created_at", [t1.id]);
    expect(events[0]!.payload).toMatchObject({ fromColumnId: todo!.id, toColumnId: doing!.id, boardId: board.id });

    // Wrong moves
    const other = await createBoard(api, 'Other board');
    expectEnvelope(await move(t1.id, { column_id: other.columns[0]!.id }), 400, 'VALIDATION_ERROR');
    expectEnvelope(await move(t1.id, { column_id: todo!.id, after_id: t2.id }), 400, 'VALIDATION_ERROR');
    expectEnvelope(await move(t1.id, { after_id: t1.id }), 400, 'VALIDATION_ERROR');
    expectEnvelope(await move(t1.id, { after_id: t2.id, before_id: t3.id }), 400, 'VALIDATION_ERROR');
    expectEnvelope(await move(t1.id, { position: 1, after_id: t2.id }), 400, 'VALIDATION_ERROR');
    expectEnvelope(await move(t1.id, {}), 400, 'VALIDATION_ERROR');
    expectEnvelope(await move('00000000-0000-4000-8000-000000000000', { position: 1 }), 404, 'NOT_FOUND');
  });

  it('keeps order when repeated moves into the same gap exhaust float precision (renumbering)', async () => {
    const board = await createBoard(api, 'Precision', ['Only']);
    const a = await createTask(api, { title: 'a', board_id: board.id });
    const b = await createTask(api, { title: 'b', board_id: board.id });
    const c = await createTask(api, { title: 'c', board_id: board.id });
    // Alternately drop b and c right after a: the gap after `a` halves every time.
    let [moving, other] = [c, b];
    for (let i = 0; i < 60; i += 1) {
      ok(await api.PATCH('/api/v1/tasks/{id}/move', { params: { path: { id: moving.id } }, body: { after_id: a.id } }));
      [moving, other] = [other, moving];
    }
    // After 60 moves the last one moved (`other` now) sits directly after a.
    expect(await columnTitles(board.id)).toEqual({ Only: ['a', other.title, moving.title] });
    const positions = await asOwner<{ position: number }>('select position from tasks where board_id = $1 order by position', [board.id]);
    expect(new Set(positions.map((p) => p.position)).size).toBe(3);
  });

  it('places a task between two neighbours that share one position', async () => {
    const board = await createBoard(api, 'Ties', ['Only']);
    const p = await createTask(api, { title: 'p', board_id: board.id });
    const q = await createTask(api, { title: 'q', board_id: board.id });
    const r = await createTask(api, { title: 'r', board_id: board.id });
    ok(await api.PATCH('/api/v1/tasks/{id}/move', { params: { path: { id: q.id } }, body: { position: p.position } }));
    expect(await columnTitles(board.id)).toEqual({ Only: ['p', 'q', 'r'] }); // tie broken by creation order
    ok(await api.PATCH('/api/v1/tasks/{id}/move', { params: { path: { id: r.id } }, body: { after_id: p.id, before_id: q.id } }));
    expect(await columnTitles(board.id)).toEqual({ Only: ['p', 'r', 'q'] });
  });

  it('creates subtasks, which stay out of the top-level list', async () => {
    const parent = await createTask(api, { title: 'parent with subtasks' });
    const s1 = ok(await api.POST('/api/v1/tasks/{id}/subtasks', { params: { path: { id: parent.id } }, body: { title: 'sub 1' } }), 201);
    const s2 = ok(await api.POST('/api/v1/tasks/{id}/subtasks', { params: { path: { id: parent.id } }, body: { title: 'sub 2' } }), 201);
    expect(s1.parent_id).toBe(parent.id);
    expect(s2.position).toBeGreaterThan(s1.position);

    const detail = ok(await api.GET('/api/v1/tasks/{id}', { params: { path: { id: parent.id } } }));
    expect(detail.subtasks.map((t) => t.title)).toEqual(['sub 1', 'sub 2']);

    const top = okPage(await api.GET('/api/v1/tasks', { params: { query: { search: 'sub ', limit: 100 } } }));
    expect(top.data.map((t) => t.id)).not.toContain(s1.id);
    const children = okPage(await api.GET('/api/v1/tasks', { params: { query: { filter: { parent_id: parent.id }, sort: 'position:asc' } } }));
    expect(children.data.map((t) => t.title)).toEqual(['sub 1', 'sub 2']);

    ok(await api.PATCH('/api/v1/tasks/{id}/move', { params: { path: { id: s2.id } }, body: { before_id: s1.id } }));
    const reordered = ok(await api.GET('/api/v1/tasks/{id}', { params: { path: { id: parent.id } } }));
    expect(reordered.subtasks.map((t) => t.title)).toEqual(['sub 2', 'sub 1']);

    expectEnvelope(
      await api.POST('/api/v1/tasks/{id}/subtasks', { params: { path: { id: parent.id } }, body: { title: 'x', board_id: parent.id } as never }),
      400,
      'VALIDATION_ERROR',
    );
  });

  it('toggles checklist items and emits task.checklist_completed when all are done', async () => {
    const task = await createTask(api, { title: 'with checklist' });
    const checklist = ok(
      await api.POST('/api/v1/tasks/{id}/checklists', {
        params: { path: { id: task.id } },
        body: { title: 'Launch', items: [{ title: 'write' }, { title: 'review' }] },
      }),
      201,
    );
    expect(checklist).toMatchObject({ task_id: task.id, title: 'Launch' });
    expect(checklist.items.map((i) => [i.title, i.done])).toEqual([['write', false], ['review', false]]);

    const extra = ok(await api.POST('/api/v1/checklists/{id}/items', { params: { path: { id: checklist.id } }, body: { title: 'ship' } }), 201);
    expect(extra.position).toBeGreaterThan(checklist.items[1]!.position);

    const toggle = (itemId: string, done: boolean) =>
      api.PATCH('/api/v1/checklists/{id}/items/{itemId}', { params: { path: { id: checklist.id, itemId } }, body: { done } });
    const ticked = ok(await toggle(checklist.items[0]!.id, true));
    expect(ticked).toMatchObject({ done: true, done_by: owner.user.id, done_at: expect.any(String) });
    const unticked = ok(await toggle(checklist.items[0]!.id, false));
    expect(unticked).toMatchObject({ done: false, done_by: null, done_at: null });

    const completions = () =>
      asOwner("select payload from outbox_events where type = 'task.checklist_completed' and payload->>'checklistId' = $1", [checklist.id]);
    for (const item of [...checklist.items, extra]) ok(await toggle(item.id, true));
    expect(await completions()).toEqual([{ payload: { taskId: task.id, checklistId: checklist.id } }]);
    ok(await toggle(extra.id, true)); // no change, no second event
    expect(await completions()).toHaveLength(1);

    const detail = ok(await api.GET('/api/v1/tasks/{id}', { params: { path: { id: task.id } } }));
    expect(detail.checklists).toHaveLength(1);
    expect(detail.checklists[0]!.items.map((i) => [i.title, i.done])).toEqual([['write', true], ['review', true], ['ship', true]]);

    expectEnvelope(await toggle('00000000-0000-4000-8000-000000000000', true), 404, 'NOT_FOUND');
    expectEnvelope(
      await api.PATCH('/api/v1/checklists/{id}/items/{itemId}', {
        params: { path: { id: checklist.id, itemId: extra.id } },
        body: { done: 'yes' } as never,
      }),
      400,
      'VALIDATION_ERROR',
    );
  });

  it('soft-deletes: hidden from GET and lists, row kept', async () => {
    const task = await createTask(api, { title: 'soon deleted unique-7f3a' });
    const sub = ok(await api.POST('/api/v1/tasks/{id}/subtasks', { params: { path: { id: task.id } }, body: { title: 'its subtask' } }), 201);
    const deleted = await api.DELETE('/api/v1/tasks/{id}', { params: { path: { id: task.id } } });
    expect(deleted.response.status).toBe(204);

    expectEnvelope(await api.GET('/api/v1/tasks/{id}', { params: { path: { id: task.id } } }), 404, 'NOT_FOUND');
    expectEnvelope(await api.GET('/api/v1/tasks/{id}', { params: { path: { id: sub.id } } }), 404, 'NOT_FOUND');
    expectEnvelope(await api.PATCH('/api/v1/tasks/{id}', { params: { path: { id: task.id } }, body: { title: 'x' } }), 404, 'NOT_FOUND');
    expectEnvelope(await api.DELETE('/api/v1/tasks/{id}', { params: { path: { id: task.id } } }), 404, 'NOT_FOUND');
    expect(okPage(await api.GET('/api/v1/tasks', { params: { query: { search: 'unique-7f3a' } } })).meta.total).toBe(0);
    expect(okPage(await api.GET('/api/v1/tasks', { params: { query: { filter: { parent_id: task.id } } } })).meta.total).toBe(0);

    const rows = await asOwner('select id, deleted_at from tasks where id = any($1::uuid[])', [[task.id, sub.id]]);
    expect(rows).toHaveLength(2);
    for (const row of rows) expect(row.deleted_at).toBeInstanceOf(Date);
  });
});
