import type { IdorFixture } from '../core/support/idor.js';
import { createBoard, createTask, ok } from './tasks-fixtures.js';

/** Org A's board, task and checklist behind every tasks route with an id, for the IDOR matrix (test/core/idor.e2e.test.ts). */
export const idorFixture: IdorFixture = {
  async ids(_owner, api) {
    const board = await createBoard(api, 'A private board');
    const task = await createTask(api, { title: 'A private task', board_id: board.id });
    const checklist = ok(
      await api.POST('/api/v1/tasks/{id}/checklists', { params: { path: { id: task.id } }, body: { title: 'A list', items: [{ title: 'A item' }] } }),
      201,
    ) as { id: string; items: { id: string }[] };
    return {
      '/api/v1/tasks/{id}': { id: task.id },
      '/api/v1/boards/{id}': { id: board.id },
      '/api/v1/checklists/{id}': { id: checklist.id, itemId: checklist.items[0]!.id },
    };
  },
  bodies: {
    'PATCH /api/v1/tasks/{id}': { title: 'taken over', priority: 'high' },
    'PATCH /api/v1/tasks/{id}/move': { position: 0 },
    'POST /api/v1/tasks/{id}/subtasks': { title: 'planted subtask' },
    'POST /api/v1/tasks/{id}/checklists': { title: 'planted list', items: [{ title: 'x' }] },
    'POST /api/v1/checklists/{id}/items': { title: 'planted item' },
    'PATCH /api/v1/checklists/{id}/items/{itemId}': { done: true },
    'PATCH /api/v1/boards/{id}': { name: 'taken over' },
    'PATCH /api/v1/boards/{id}/columns': { columns: [{ name: 'Only column' }] },
  },
};
