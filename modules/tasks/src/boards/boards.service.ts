import { Injectable } from '@nestjs/common';
import { RequestContext } from '../../../core/context/request-context.js';
import { PrismaService, type TenantTx } from '../../../core/database/prisma.service.js';
import { Prisma } from '../../../generated/prisma/client.js';
import { ConflictError, NotFoundError, ValidationError } from '../../../core/errors/domain-errors.js';
import { EventBus } from '../../../core/events/event-bus.js';
import { defineListQuery, type ListQueryOf, type NoExtraParams } from '../../../core/list-query/list-query.js';
import { PermissionService } from '../../../core/permissions/permission.service.js';
import { fillPositions, spacedPositions } from '../shared/fractional-position.js';
import { byPosition } from '../shared/ordering.js';
import { grantCreatorAccess } from '../shared/ownership.js';
import type { CreateBoardBody, ReplaceColumnsBody, UpdateBoardBody } from './board.schemas.js';
import { serializeBoard, serializeBoardWithColumns } from './board.serializer.js';

export const boardListQuery = defineListQuery({
  sortable: ['name', 'created_at', 'updated_at'],
  defaultSort: 'created_at:desc',
  searchable: ['name'],
  filterable: { view_type: { field: 'viewType', type: 'string' } },
  sortFields: { created_at: 'createdAt', updated_at: 'updatedAt' },
});
export type BoardListQuery = ListQueryOf<NoExtraParams>;

@Injectable()
export class BoardsService {
  constructor(
    private readonly prisma: PrismaService,
    private readonly events: EventBus,
    private readonly permissions: PermissionService,
  ) {}

  async create(body: CreateBoardBody) {
    const actor = RequestContext.actor();
    return this.prisma.tenant(async (tx) => {
      const positions = spacedPositions(body.columns?.length ?? 0);
      const board = await tx.taskBoard.create({
        data: {
          orgId: actor.orgId,
          name: body.name,
          viewType: body.view_type,
          createdBy: actor.userId,
          columns: {
            create: (body.columns ?? []).map((column, index) => ({ orgId: actor.orgId, name: column.name, position: positions[index]! })),
          },
        },
        include: { columns: { orderBy: byPosition } },
      });
      await grantCreatorAccess(this.permissions, tx, 'board', board.id, actor);
      await this.events.publish(tx, 'board.created', { boardId: board.id, name: board.name, viewType: board.viewType });
      return serializeBoardWithColumns(board);
    });
  }

  async list(query: BoardListQuery) {
    const { where, orderBy, skip, take } = boardListQuery.toPrisma(query);
    const scoped: Prisma.TaskBoardWhereInput = { AND: [where, { deletedAt: null }] };
    const [rows, total] = await this.prisma.tenantReads((db) => [db.taskBoard.findMany({ where: scoped, orderBy, skip, take }), db.taskBoard.count({ where: scoped })]);
    return boardListQuery.paginate(rows.map(serializeBoard), total, query);
  }

  async get(id: string) {
    return this.prisma.tenant(async (tx) => serializeBoardWithColumns(await this.findLive(tx, id)));
  }

  async update(id: string, body: UpdateBoardBody) {
    return this.prisma.tenant(async (tx) => {
      const board = await this.findLive(tx, id);
      await tx.taskBoard.update({
        where: { id: board.id },
        data: { ...(body.name !== undefined ? { name: body.name } : {}), ...(body.view_type !== undefined ? { viewType: body.view_type } : {}) },
      });
      await this.events.publish(tx, 'board.updated', { boardId: board.id, changes: Object.keys(body) });
      return serializeBoardWithColumns(await this.findLive(tx, board.id));
    });
  }

  /** Soft delete of the board and of every live task on it (subtasks included); rows stay for audit and restore. */
  async remove(id: string): Promise<void> {
    await this.prisma.tenant(async (tx) => {
      const board = await this.findLive(tx, id);
      const tasks = await tx.$executeRaw(Prisma.sql`
        UPDATE tasks SET deleted_at = now(), updated_at = now() WHERE board_id = ${board.id}::uuid AND deleted_at IS NULL`);
      await tx.taskBoard.update({ where: { id: board.id }, data: { deletedAt: new Date() } });
      await this.events.publish(tx, 'board.deleted', { boardId: board.id, deletedTasks: tasks });
    });
  }

  /**
   * Makes the board's columns exactly `body.columns`: rename/reposition the listed ones, add those without an id,
   * remove the rest. A column that still holds live tasks cannot be removed (409).
   */
  async replaceColumns(id: string, body: ReplaceColumnsBody) {
    const actor = RequestContext.actor();
    return this.prisma.tenant(async (tx) => {
      const board = await this.findLive(tx, id);
      const existing = new Map(board.columns.map((column) => [column.id, column]));
      const unknown = body.columns
        .map((column, index) => ({ column, index }))
        .filter(({ column }) => column.id && !existing.has(column.id));
      if (unknown.length > 0) {
        throw new ValidationError(unknown.map(({ index }) => ({ field: `columns.${index}.id`, message: 'Not a column of this board' })));
      }

      const kept = new Set(body.columns.flatMap((column) => (column.id ? [column.id] : [])));
      const removed = board.columns.filter((column) => !kept.has(column.id)).map((column) => column.id);
      if (removed.length > 0) {
        const occupied = await tx.task.groupBy({
          by: ['columnId'],
          where: { columnId: { in: removed }, deletedAt: null },
          _count: { _all: true },
        });
        if (occupied.length > 0) {
          const names = occupied.map((row) => existing.get(row.columnId!)?.name).join(', ');
          throw new ConflictError(`Columns still holding tasks cannot be removed (${names}); move their tasks first`);
        }
        // Soft-deleted tasks are detached by the foreign key (ON DELETE SET NULL (column_id)).
        await tx.taskColumn.deleteMany({ where: { id: { in: removed }, boardId: board.id } });
      }

      const positions = fillPositions(body.columns.map((column) => column.position));
      for (const [index, column] of body.columns.entries()) {
        const position = positions[index]!;
        if (column.id) {
          await tx.taskColumn.update({ where: { id: column.id }, data: { name: column.name, position } });
        } else {
          await tx.taskColumn.create({ data: { orgId: actor.orgId, boardId: board.id, name: column.name, position } });
        }
      }
      await tx.taskBoard.update({ where: { id: board.id }, data: { updatedAt: new Date() } });
      await this.events.publish(tx, 'board.updated', { boardId: board.id, columnsRemoved: removed });
      return serializeBoardWithColumns(await this.findLive(tx, board.id));
    });
  }

  private async findLive(tx: TenantTx, id: string) {
    const board = await tx.taskBoard.findFirst({ where: { id, deletedAt: null }, include: { columns: { orderBy: byPosition } } });
    if (!board) throw new NotFoundError('Board');
    return board;
  }
}
