import { z } from 'zod';
import { metadataInput, metadataOutput, positionInput, timestampInput, timestampOutput } from '../shared/common.schemas.js';

export const TASK_PRIORITIES = ['urgent', 'high', 'medium', 'low'] as const;

const title = z.string().trim().min(1).max(500);
const description = z.string().max(50_000).nullable();
const status = z.string().trim().min(1).max(50);
const priority = z.enum(TASK_PRIORITIES).nullable();

/** Fields a caller may set on any task; ids of the org, creator and the row itself are never accepted. */
const editableFields = {
  title,
  description: description.optional(),
  status: status.optional(),
  priority: priority.optional(),
  due_date: timestampInput.nullable().optional(),
  start_date: timestampInput.nullable().optional(),
  assignee_id: z.uuid().nullable().optional(),
  metadata: metadataInput.optional(),
};

export const createTaskBody = z
  .object({
    ...editableFields,
    board_id: z.uuid().optional(),
    column_id: z.uuid().optional(),
  })
  .strict();
export type CreateTaskBody = z.output<typeof createTaskBody>;

export const createSubtaskBody = z.object(editableFields).strict();
export type CreateSubtaskBody = z.output<typeof createSubtaskBody>;

export const updateTaskBody = z
  .object({ ...editableFields, title: title.optional() })
  .strict()
  .refine((body) => Object.keys(body).length > 0, { message: 'Provide at least one field to change' });
export type UpdateTaskBody = z.output<typeof updateTaskBody>;

/**
 * Where to put the task: a column of its board (default: its current one) and a spot in it — an explicit
 * `position`, or relative to neighbours (`after_id`: directly after that task, `before_id`: directly before it).
 * With neither, the task goes to the end of the column.
 */
export const moveTaskBody = z
  .object({
    column_id: z.uuid().optional(),
    position: positionInput.optional(),
    before_id: z.uuid().optional(),
    after_id: z.uuid().optional(),
  })
  .strict()
  .refine((body) => Object.keys(body).length > 0, { message: 'Provide column_id, position, before_id or after_id' })
  .refine((body) => body.position === undefined || (body.before_id === undefined && body.after_id === undefined), {
    message: 'Give either position or before_id/after_id, not both',
    path: ['position'],
  });
export type MoveTaskBody = z.output<typeof moveTaskBody>;

export const taskResponse = z
  .object({
    id: z.uuid(),
    title: z.string(),
    description: z.string().nullable(),
    status: z.string(),
    priority: z.enum(TASK_PRIORITIES).nullable(),
    due_date: timestampOutput.nullable(),
    start_date: timestampOutput.nullable(),
    board_id: z.uuid().nullable(),
    column_id: z.uuid().nullable(),
    parent_id: z.uuid().nullable(),
    position: z.number(),
    metadata: metadataOutput,
    assignee_id: z.uuid().nullable(),
    created_by: z.uuid(),
    created_at: timestampOutput,
    updated_at: timestampOutput,
  })
  .strict();

export const checklistItemResponse = z
  .object({
    id: z.uuid(),
    checklist_id: z.uuid(),
    title: z.string(),
    done: z.boolean(),
    done_by: z.uuid().nullable(),
    done_at: timestampOutput.nullable(),
    position: z.number(),
    created_at: timestampOutput,
  })
  .strict();

export const checklistResponse = z
  .object({
    id: z.uuid(),
    task_id: z.uuid(),
    title: z.string(),
    position: z.number(),
    created_at: timestampOutput,
    items: z.array(checklistItemResponse),
  })
  .strict();

export const taskDetailResponse = taskResponse
  .extend({ subtasks: z.array(taskResponse), checklists: z.array(checklistResponse) })
  .strict();

export const kanbanResponse = z
  .object({
    view: z.literal('kanban'),
    board_id: z.uuid(),
    columns: z.array(
      z
        .object({
          id: z.uuid(),
          name: z.string(),
          position: z.number(),
          /** Tasks of this column matching the query; `tasks` holds at most `limit` of them. */
          total: z.number().int(),
          tasks: z.array(taskResponse),
        })
        .strict(),
    ),
  })
  .strict();
