import { Injectable } from '@nestjs/common';
import { RequestContext } from '../../../core/context/request-context.js';
import { PrismaService, type TenantTx } from '../../../core/database/prisma.service.js';
import { ForbiddenError, NotFoundError, ValidationError } from '../../../core/errors/domain-errors.js';
import { EventBus } from '../../../core/events/event-bus.js';
import { PermissionService } from '../../../core/permissions/permission.service.js';
import { Prisma, type Task } from '../../../generated/prisma/client.js';
import { positionBetween, spacedPositions } from '../shared/fractional-position.js';
import { byPosition } from '../shared/ordering.js';
import { grantCreatorAccess } from '../shared/ownership.js';
import { taskListQuery, type TaskListQuery } from './task-list.query.js';
import type { CreateSubtaskBody, CreateTaskBody, MoveTaskBody, UpdateTaskBody } from './task.schemas.js';
import { serializeTask, serializeTaskDetail } from './task.serializer.js';

/** The list a task is ordered in: its column on a board, or its siblings under a parent. */
interface OrderingScope {
  boardId: string | null;
  columnId: string | null;
  parentId: string | null;
}

/** Subtasks are ordered among their siblings whatever board they carry; top-level tasks within their column. */
function scopeWhere(scope: OrderingScope): Prisma.TaskWhereInput {
  return scope.parentId ? { parentId: scope.parentId } : { boardId: scope.boardId, columnId: scope.columnId, parentId: null };
}

type Actor = { userId: string; orgId: string };

@Injectable()
export class TasksService {
  constructor(
    private readonly prisma: PrismaService,
    private readonly events: EventBus,
    private readonly permissions: PermissionService,
  ) {}

  async list(query: TaskListQuery) {
    if (query.view === 'kanban') return this.kanban(query);
    const { where, orderBy, skip, take } = taskListQuery.toPrisma(query);
    const scoped = this.listWhere(where, query);
    const [rows, total] = await this.prisma.tenantReads((db) => [db.task.findMany({ where: scoped, orderBy, skip, take }), db.task.count({ where: scoped })]);
    return taskListQuery.paginate(rows.map(serializeTask), total, query);
  }

  /** The board's columns in order, each with (a page of) its matching tasks in position order. */
  private async kanban(query: TaskListQuery) {
    const boardId = query.board_id ?? singleValue(query.filter?.board_id);
    if (!boardId) throw new ValidationError([{ field: 'board_id', message: 'Required for view=kanban' }]);
    const actor = RequestContext.actor();
    if (!(await this.permissions.check(actor.userId, 'view', { type: 'board', id: boardId }))) throw new NotFoundError('Board');
    const { where, skip, take } = taskListQuery.toPrisma(query);
    const scoped = this.listWhere(where, query);
    return this.prisma.tenant(async (tx) => {
      const board = await tx.taskBoard.findFirst({
        where: { id: boardId, deletedAt: null },
        include: { columns: { orderBy: byPosition } },
      });
      if (!board) throw new NotFoundError('Board');
      const columns = [];
      for (const column of board.columns) {
        const inColumn: Prisma.TaskWhereInput = { AND: [scoped, { boardId: board.id, columnId: column.id }] };
        const tasks = await tx.task.findMany({ where: inColumn, orderBy: byPosition, skip, take });
        const total = await tx.task.count({ where: inColumn });
        columns.push({ id: column.id, name: column.name, position: column.position, total, tasks: tasks.map(serializeTask) });
      }
      return { view: 'kanban' as const, board_id: board.id, columns };
    });
  }

  private listWhere(where: Record<string, unknown>, query: TaskListQuery): Prisma.TaskWhereInput {
    const and: Prisma.TaskWhereInput[] = [where, { deletedAt: null }];
    if (query.filter?.parent_id === undefined) and.push({ parentId: null });
    if (query.board_id) and.push({ boardId: query.board_id });
    return { AND: and };
  }

  async create(body: CreateTaskBody) {
    const actor = RequestContext.actor();
    // Permission checks use their own connection, so they run before the transaction opens.
    const boardId =
      body.board_id ??
      (body.column_id
        ? (await this.prisma.tenant((tx) => tx.taskColumn.findFirst({ where: { id: body.column_id }, select: { boardId: true } })))
            ?.boardId
        : undefined);
    if (boardId) await this.assertBoardVisible(actor, boardId, body.board_id ? 'board_id' : 'column_id');
    if (body.assignee_id) await this.assertAssignable(actor, body.assignee_id);
    return this.prisma.tenant(async (tx) => {
      const placement = await this.resolvePlacement(tx, body.board_id, body.column_id);
      const scope: OrderingScope = { ...placement, parentId: null };
      const task = await tx.task.create({
        data: {
          ...this.editableData(body),
          title: body.title,
          orgId: actor.orgId,
          createdBy: actor.userId,
          boardId: scope.boardId,
          columnId: scope.columnId,
          position: positionBetween(await this.lastPosition(tx, scope), null)!,
        },
      });
      await this.afterCreate(tx, task, actor);
      return serializeTask(task);
    });
  }

  async createSubtask(parentId: string, body: CreateSubtaskBody) {
    const actor = RequestContext.actor();
    if (body.assignee_id) await this.assertAssignable(actor, body.assignee_id);
    return this.prisma.tenant(async (tx) => {
      const parent = await this.findLive(tx, parentId);
      const scope: OrderingScope = { boardId: parent.boardId, columnId: null, parentId: parent.id };
      const task = await tx.task.create({
        data: {
          ...this.editableData(body),
          title: body.title,
          orgId: actor.orgId,
          createdBy: actor.userId,
          boardId: parent.boardId,
          parentId: parent.id,
          position: positionBetween(await this.lastPosition(tx, scope), null)!,
        },
      });
      await this.afterCreate(tx, task, actor);
      return serializeTask(task);
    });
  }

  async get(id: string) {
    return this.prisma.tenant(async (tx) => {
      const task = await tx.task.findFirst({
        where: { id, deletedAt: null },
        include: {
          subtasks: { where: { deletedAt: null }, orderBy: byPosition },
          checklists: { orderBy: byPosition, include: { items: { orderBy: byPosition } } },
        },
      });
      if (!task) throw new NotFoundError('Task');
      return serializeTaskDetail(task);
    });
  }

  async update(id: string, body: UpdateTaskBody) {
    const actor = RequestContext.actor();
    if (body.assignee_id !== undefined) {
      // Reassigning is its own permission (`assign`), beyond `edit` which the route already checked.
      if (!(await this.permissions.check(actor.userId, 'assign', { type: 'task', id }))) {
        throw new ForbiddenError('You may not assign this task');
      }
      if (body.assignee_id) await this.assertAssignable(actor, body.assignee_id);
    }
    return this.prisma.tenant(async (tx) => {
      const before = await this.findLive(tx, id);
      const task = await tx.task.update({
        where: { id: before.id },
        data: { ...this.editableData(body), ...(body.title !== undefined ? { title: body.title } : {}) },
      });
      await this.events.publish(tx, 'task.updated', { taskId: task.id, changes: Object.keys(body) });
      if (body.assignee_id !== undefined && body.assignee_id !== before.assigneeId) {
        await this.events.publish(tx, 'task.assigned', {
          taskId: task.id,
          assigneeId: task.assigneeId,
          previousAssigneeId: before.assigneeId,
        });
      }
      return serializeTask(task);
    });
  }

  /** Soft delete of the task and its subtasks; rows stay for audit and restore. */
  async remove(id: string): Promise<void> {
    await this.prisma.tenant(async (tx) => {
      const task = await this.findLive(tx, id);
      const deleted = await tx.$executeRaw(Prisma.sql`
        WITH RECURSIVE subtree AS (
          SELECT id FROM tasks WHERE id = ${task.id}::uuid
          UNION
          SELECT t.id FROM tasks t JOIN subtree s ON t.parent_id = s.id WHERE t.deleted_at IS NULL
        )
        UPDATE tasks SET deleted_at = now(), updated_at = now()
        WHERE id IN (SELECT id FROM subtree) AND deleted_at IS NULL`);
      await this.events.publish(tx, 'task.deleted', { taskId: task.id, boardId: task.boardId, deletedCount: deleted });
    });
  }

  /**
   * Drag and drop: puts the task in a column of its board (default: where it is) at an explicit position or
   * between neighbours. Only the moved row is written, unless the neighbours' gap is exhausted and the column is
   * renumbered first.
   */
  async move(id: string, body: MoveTaskBody) {
    return this.prisma.tenant(async (tx) => {
      const task = await this.findLive(tx, id);
      const after = body.after_id ? await this.findAnchor(tx, body.after_id, task.id, 'after_id') : null;
      const before = body.before_id ? await this.findAnchor(tx, body.before_id, task.id, 'before_id') : null;

      let boardId = task.boardId;
      if (body.column_id) {
        if (task.parentId) {
          throw new ValidationError([{ field: 'column_id', message: 'A subtask is ordered under its parent, not in a column' }]);
        }
        const column = await tx.taskColumn.findFirst({ where: { id: body.column_id, board: { deletedAt: null } } });
        if (!column) throw new ValidationError([{ field: 'column_id', message: 'Column not found' }]);
        if (task.boardId && column.boardId !== task.boardId) {
          throw new ValidationError([{ field: 'column_id', message: "The column belongs to another board than the task's" }]);
        }
        boardId = column.boardId;
      }
      const columnId = body.column_id ?? after?.columnId ?? before?.columnId ?? task.columnId;
      const scope: OrderingScope = { boardId, columnId, parentId: task.parentId };
      for (const [field, anchor] of [['after_id', after], ['before_id', before]] as const) {
        if (anchor && !sameScope(anchor, scope)) {
          throw new ValidationError([{ field, message: 'Must be a task in the same column (or under the same parent)' }]);
        }
      }
      if (after && before && after.position > before.position) {
        throw new ValidationError([{ field: 'before_id', message: 'before_id must come after after_id in the column' }]);
      }

      const position = body.position ?? (await this.positionNear(tx, scope, task.id, after?.id, before?.id));
      const moved = await tx.task.update({ where: { id: task.id }, data: { boardId, columnId, position } });
      await this.events.publish(tx, 'task.moved', {
        taskId: task.id,
        boardId,
        fromColumnId: task.columnId,
        toColumnId: columnId,
        position,
      });
      return serializeTask(moved);
    });
  }

  /** A position between the anchors (or at the end of the scope); renumbers the scope once if the gap is exhausted. */
  private async positionNear(tx: TenantTx, scope: OrderingScope, selfId: string, afterId?: string, beforeId?: string) {
    const others: Prisma.TaskWhereInput = { ...scopeWhere(scope), deletedAt: null, id: { not: selfId } };
    const positionOf = async (taskId: string) =>
      (await tx.task.findUniqueOrThrow({ where: { id: taskId }, select: { position: true } })).position;
    const neighbour = async (where: Prisma.TaskWhereInput, direction: 'asc' | 'desc') =>
      (await tx.task.findFirst({ where: { AND: [others, where] }, orderBy: { position: direction }, select: { position: true } }))
        ?.position ?? null;

    for (let attempt = 0; attempt < 2; attempt += 1) {
      let lower: number | null;
      let upper: number | null;
      if (afterId && beforeId) {
        lower = await positionOf(afterId);
        upper = await positionOf(beforeId);
      } else if (afterId) {
        lower = await positionOf(afterId);
        upper = await neighbour({ position: { gt: lower } }, 'asc');
      } else if (beforeId) {
        upper = await positionOf(beforeId);
        lower = await neighbour({ position: { lt: upper } }, 'desc');
      } else {
        lower = await neighbour({}, 'desc');
        upper = null;
      }
      // Equal neighbours (two concurrent appends) leave no room either: renumbering separates them.
      const position = lower !== null && upper !== null && lower >= upper ? null : positionBetween(lower, upper);
      if (position !== null) return position;
      if (attempt === 1) break;
      await this.renumber(tx, others);
    }
    throw new ValidationError([{ field: 'before_id', message: 'before_id must come after after_id in the column' }]);
  }

  private async renumber(tx: TenantTx, where: Prisma.TaskWhereInput): Promise<void> {
    const rows = await tx.task.findMany({ where, orderBy: byPosition, select: { id: true } });
    const positions = spacedPositions(rows.length);
    for (const [index, row] of rows.entries()) {
      await tx.task.update({ where: { id: row.id }, data: { position: positions[index]! } });
    }
  }

  /**
   * The highest position in the scope. `ORDER BY position DESC LIMIT 1` reads one entry of the (org, board, column,
   * position) index; Prisma's `aggregate({ _max })` wraps the rows in an `OFFSET` subquery, which PostgreSQL cannot
   * answer from the index, so it read every task of the column (creates slowed down as a column grew).
   */
  private async lastPosition(tx: TenantTx, scope: OrderingScope): Promise<number | null> {
    const last = await tx.task.findFirst({ where: { ...scopeWhere(scope), deletedAt: null }, orderBy: { position: 'desc' }, select: { position: true } });
    return last?.position ?? null;
  }

  /** Board and column of a new task: the column decides the board; a board alone means its first column. */
  private async resolvePlacement(tx: TenantTx, boardId?: string, columnId?: string) {
    if (columnId) {
      const column = await tx.taskColumn.findFirst({ where: { id: columnId, board: { deletedAt: null } } });
      if (!column) throw new ValidationError([{ field: 'column_id', message: 'Column not found' }]);
      if (boardId && column.boardId !== boardId) {
        throw new ValidationError([{ field: 'column_id', message: 'The column belongs to another board' }]);
      }
      return { boardId: column.boardId, columnId: column.id };
    }
    if (boardId) {
      const board = await tx.taskBoard.findFirst({
        where: { id: boardId, deletedAt: null },
        include: { columns: { orderBy: byPosition, take: 1 } },
      });
      if (!board) throw new ValidationError([{ field: 'board_id', message: 'Board not found' }]);
      return { boardId: board.id, columnId: board.columns[0]?.id ?? null };
    }
    return { boardId: null, columnId: null };
  }

  private async afterCreate(tx: TenantTx, task: Task, actor: Actor): Promise<void> {
    await grantCreatorAccess(this.permissions, tx, 'task', task.id, actor);
    await this.events.publish(tx, 'task.created', {
      taskId: task.id,
      boardId: task.boardId,
      columnId: task.columnId,
      parentId: task.parentId,
      assigneeId: task.assigneeId,
    });
    if (task.assigneeId) {
      await this.events.publish(tx, 'task.assigned', { taskId: task.id, assigneeId: task.assigneeId, previousAssigneeId: null });
    }
  }

  private editableData(body: CreateSubtaskBody | UpdateTaskBody) {
    return {
      ...(body.description !== undefined ? { description: body.description } : {}),
      ...(body.status !== undefined ? { status: body.status } : {}),
      ...(body.priority !== undefined ? { priority: body.priority } : {}),
      ...(body.due_date !== undefined ? { dueDate: body.due_date } : {}),
      ...(body.start_date !== undefined ? { startDate: body.start_date } : {}),
      ...(body.assignee_id !== undefined ? { assigneeId: body.assignee_id } : {}),
      ...(body.metadata !== undefined ? { metadata: body.metadata as Prisma.InputJsonObject } : {}),
    };
  }

  private async findLive(tx: TenantTx, id: string): Promise<Task> {
    const task = await tx.task.findFirst({ where: { id, deletedAt: null } });
    if (!task) throw new NotFoundError('Task');
    return task;
  }

  private async findAnchor(tx: TenantTx, id: string, selfId: string, field: 'after_id' | 'before_id'): Promise<Task> {
    if (id === selfId) throw new ValidationError([{ field, message: 'A task cannot be placed relative to itself' }]);
    const anchor = await tx.task.findFirst({ where: { id, deletedAt: null } });
    if (!anchor) throw new ValidationError([{ field, message: 'Task not found' }]);
    return anchor;
  }

  /** Boards are referenced by id in bodies: one the caller cannot see is reported as not found. */
  private async assertBoardVisible(actor: Actor, boardId: string, field: string): Promise<void> {
    if (!(await this.permissions.check(actor.userId, 'view', { type: 'board', id: boardId }))) {
      throw new ValidationError([{ field, message: 'Board not found' }]);
    }
  }

  /** Only members of the caller's org can be assigned. */
  private async assertAssignable(actor: Actor, assigneeId: string): Promise<void> {
    if (!(await this.permissions.check(assigneeId, 'view', { type: 'org', id: actor.orgId }))) {
      throw new ValidationError([{ field: 'assignee_id', message: 'Not a member of this organization' }]);
    }
  }
}

function sameScope(task: Task, scope: OrderingScope): boolean {
  if (scope.parentId) return task.parentId === scope.parentId;
  return task.parentId === null && task.boardId === scope.boardId && task.columnId === scope.columnId;
}

function singleValue(value: string | undefined): string | undefined {
  return value && !value.includes(',') ? value.trim() : undefined;
}
