import type { z } from 'zod';
import type { TaskBoard, TaskColumn } from '../../../generated/prisma/client.js';
import type { boardResponse, boardWithColumnsResponse, columnResponse } from './board.schemas.js';

type JsonObject = Record<string, unknown>;

/** Explicit field lists: org_id and deleted_at never leave the service. */
export function serializeColumn(column: TaskColumn): z.output<typeof columnResponse> {
  return {
    id: column.id,
    board_id: column.boardId,
    name: column.name,
    position: column.position,
    config: (column.config ?? {}) as JsonObject,
    created_at: column.createdAt.toISOString(),
    updated_at: column.updatedAt.toISOString(),
  };
}

export function serializeBoard(board: TaskBoard): z.output<typeof boardResponse> {
  return {
    id: board.id,
    name: board.name,
    view_type: board.viewType,
    config: (board.config ?? {}) as JsonObject,
    created_by: board.createdBy,
    created_at: board.createdAt.toISOString(),
    updated_at: board.updatedAt.toISOString(),
  };
}

export function serializeBoardWithColumns(board: TaskBoard & { columns: TaskColumn[] }): z.output<typeof boardWithColumnsResponse> {
  return { ...serializeBoard(board), columns: board.columns.map(serializeColumn) };
}
