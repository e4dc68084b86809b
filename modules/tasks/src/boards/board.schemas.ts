import { z } from 'zod';
import { positionInput, timestampOutput } from '../shared/common.schemas.js';

export const BOARD_VIEW_TYPES = ['kanban', 'list'] as const;
export const MAX_COLUMNS_PER_BOARD = 50;

const columnName = z.string().trim().min(1).max(200);

export const createBoardBody = z
  .object({
    name: z.string().trim().min(1).max(200),
    view_type: z.enum(BOARD_VIEW_TYPES).default('kanban'),
    columns: z
      .array(z.object({ name: columnName }).strict())
      .max(MAX_COLUMNS_PER_BOARD)
      .optional(),
  })
  .strict();
export type CreateBoardBody = z.output<typeof createBoardBody>;

export const updateBoardBody = z
  .object({
    name: z.string().trim().min(1).max(200).optional(),
    view_type: z.enum(BOARD_VIEW_TYPES).optional(),
  })
  .strict()
  .refine((body) => body.name !== undefined || body.view_type !== undefined, { message: 'Give name and/or view_type' });
export type UpdateBoardBody = z.output<typeof updateBoardBody>;

/**
 * The board's complete column list: entries with an `id` are kept (renamed, repositioned), entries without one
 * are added, existing columns left out are removed. The array order is the column order: a `position` given is
 * kept, the others are spread between their neighbours' positions.
 */
export const replaceColumnsBody = z
  .object({
    columns: z
      .array(
        z
          .object({
            id: z.uuid().optional(),
            name: columnName,
            position: positionInput.optional(),
          })
          .strict(),
      )
      .max(MAX_COLUMNS_PER_BOARD),
  })
  .strict()
  .superRefine((body, ctx) => {
    const seen = new Set<string>();
    body.columns.forEach((column, index) => {
      if (!column.id) return;
      if (seen.has(column.id)) ctx.addIssue({ code: 'custom', path: ['columns', index, 'id'], message: 'Duplicate column id' });
      seen.add(column.id);
    });
  });
export type ReplaceColumnsBody = z.output<typeof replaceColumnsBody>;

export const columnResponse = z
  .object({
    id: z.uuid(),
    board_id: z.uuid(),
    name: z.string(),
    position: z.number(),
    config: z.record(z.string(), z.unknown()),
    created_at: timestampOutput,
    updated_at: timestampOutput,
  })
  .strict();

export const boardResponse = z
  .object({
    id: z.uuid(),
    name: z.string(),
    view_type: z.string(),
    config: z.record(z.string(), z.unknown()),
    created_by: z.uuid(),
    created_at: timestampOutput,
    updated_at: timestampOutput,
  })
  .strict();

export const boardWithColumnsResponse = boardResponse.extend({ columns: z.array(columnResponse) }).strict();
