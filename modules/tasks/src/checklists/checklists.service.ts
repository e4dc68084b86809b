import { Injectable } from '@nestjs/common';
import { RequestContext } from '../../../core/context/request-context.js';
import { PrismaService, type TenantTx } from '../../../core/database/prisma.service.js';
import { ForbiddenError, NotFoundError } from '../../../core/errors/domain-errors.js';
import { EventBus } from '../../../core/events/event-bus.js';
import { PermissionService } from '../../../core/permissions/permission.service.js';
import { positionBetween, spacedPositions } from '../shared/fractional-position.js';
import { byPosition } from '../shared/ordering.js';
import { serializeChecklist, serializeChecklistItem } from '../tasks/task.serializer.js';
import type { CreateChecklistBody, CreateChecklistItemBody, ToggleChecklistItemBody } from './checklist.schemas.js';

/** Checklists belong to a task: changing them needs `edit` on that task. */
@Injectable()
export class ChecklistsService {
  constructor(
    private readonly prisma: PrismaService,
    private readonly events: EventBus,
    private readonly permissions: PermissionService,
  ) {}

  /** The route guard already checked `edit` on the task. */
  async create(taskId: string, body: CreateChecklistBody) {
    const actor = RequestContext.actor();
    return this.prisma.tenant(async (tx) => {
      const task = await tx.task.findFirst({ where: { id: taskId, deletedAt: null }, select: { id: true } });
      if (!task) throw new NotFoundError('Task');
      // findFirst, not aggregate({ _max }): see TasksService.lastPosition.
      const last = await tx.taskChecklist.findFirst({ where: { taskId: task.id }, orderBy: { position: 'desc' }, select: { position: true } });
      const itemPositions = spacedPositions(body.items?.length ?? 0);
      const checklist = await tx.taskChecklist.create({
        data: {
          orgId: actor.orgId,
          taskId: task.id,
          title: body.title,
          position: positionBetween(last?.position ?? null, null)!,
          items: {
            create: (body.items ?? []).map((item, index) => ({ orgId: actor.orgId, title: item.title, position: itemPositions[index]! })),
          },
        },
        include: { items: { orderBy: byPosition } },
      });
      await this.events.publish(tx, 'task.updated', { taskId: task.id, changes: ['checklists'], checklistId: checklist.id });
      return serializeChecklist(checklist);
    });
  }

  async addItem(checklistId: string, body: CreateChecklistItemBody) {
    const actor = RequestContext.actor();
    await this.authorizeEdit(await this.taskIdOfChecklist(checklistId));
    return this.prisma.tenant(async (tx) => {
      const checklist = await this.findChecklist(tx, checklistId);
      const last = await tx.checklistItem.findFirst({ where: { checklistId: checklist.id }, orderBy: { position: 'desc' }, select: { position: true } });
      const item = await tx.checklistItem.create({
        data: { orgId: actor.orgId, checklistId: checklist.id, title: body.title, position: positionBetween(last?.position ?? null, null)! },
      });
      await this.events.publish(tx, 'task.updated', { taskId: checklist.taskId, changes: ['checklists'], checklistId: checklist.id });
      return serializeChecklistItem(item);
    });
  }

  /** Ticks or unticks an item; the tick that completes the checklist emits `task.checklist_completed`. */
  async toggleItem(checklistId: string, itemId: string, body: ToggleChecklistItemBody) {
    const actor = RequestContext.actor();
    await this.authorizeEdit(await this.taskIdOfChecklist(checklistId));
    return this.prisma.tenant(async (tx) => {
      const checklist = await this.findChecklist(tx, checklistId);
      // Serialises toggles of one checklist so exactly one of two concurrent final ticks sees it complete.
      await tx.$queryRaw`SELECT id FROM task_checklists WHERE id = ${checklist.id}::uuid FOR UPDATE`;
      const current = await tx.checklistItem.findFirst({ where: { id: itemId, checklistId: checklist.id } });
      if (!current) throw new NotFoundError('Checklist item');
      if (current.done === body.done) return serializeChecklistItem(current);

      const item = await tx.checklistItem.update({
        where: { id: current.id },
        data: body.done ? { done: true, doneBy: actor.userId, doneAt: new Date() } : { done: false, doneBy: null, doneAt: null },
      });
      await this.events.publish(tx, 'task.updated', {
        taskId: checklist.taskId,
        changes: ['checklists'],
        checklistId: checklist.id,
        itemId: item.id,
        done: item.done,
      });
      if (item.done && (await tx.checklistItem.count({ where: { checklistId: checklist.id, done: false } })) === 0) {
        await this.events.publish(tx, 'task.checklist_completed', { taskId: checklist.taskId, checklistId: checklist.id });
      }
      return serializeChecklistItem(item);
    });
  }

  private async taskIdOfChecklist(checklistId: string): Promise<string> {
    return this.prisma.tenant(async (tx) => (await this.findChecklist(tx, checklistId)).taskId);
  }

  private async findChecklist(tx: TenantTx, checklistId: string) {
    const checklist = await tx.taskChecklist.findFirst({ where: { id: checklistId, task: { deletedAt: null } } });
    if (!checklist) throw new NotFoundError('Checklist');
    return checklist;
  }

  /** Same rule as the route guard: no `view` → 404 (existence not revealed), `view` without `edit` → 403. */
  private async authorizeEdit(taskId: string): Promise<void> {
    const { userId } = RequestContext.actor();
    const object = { type: 'task', id: taskId };
    if (await this.permissions.check(userId, 'edit', object)) return;
    if (await this.permissions.check(userId, 'view', object)) throw new ForbiddenError();
    throw new NotFoundError('Checklist');
  }
}
