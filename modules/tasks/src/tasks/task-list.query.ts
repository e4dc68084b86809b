import { z } from 'zod';
import { defineListQuery, type ListQueryOf } from '../../../core/list-query/list-query.js';

const extra = {
  /** `list`: one flat, paginated list. `kanban`: the board's columns, each with its tasks in position order. */
  view: z.enum(['list', 'kanban']).default('list'),
  /** The board to show (required for `view=kanban`; same as `filter[board_id]` for `view=list`). */
  board_id: z.uuid().optional(),
};

/** GET /tasks: sort, filter and search allow-lists. Top-level tasks only unless `filter[parent_id]` is given. */
export const taskListQuery = defineListQuery({
  sortable: ['title', 'due_date', 'priority', 'created_at', 'position', 'status'],
  defaultSort: 'created_at:desc',
  searchable: ['title', 'description'],
  filterable: {
    status: { field: 'status', type: 'string' },
    priority: { field: 'priority', type: 'string' },
    assignee_id: { field: 'assigneeId', type: 'uuid' },
    board_id: { field: 'boardId', type: 'uuid' },
    column_id: { field: 'columnId', type: 'uuid' },
    parent_id: { field: 'parentId', type: 'uuid' },
    due_date: { field: 'dueDate', type: 'date' },
  },
  sortFields: { due_date: 'dueDate', created_at: 'createdAt' },
  extra,
});

export type TaskListQuery = ListQueryOf<typeof extra>;
