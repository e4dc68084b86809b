import type { z } from 'zod';
import type { ChecklistItem, Task, TaskChecklist } from '../../../generated/prisma/client.js';
import type { checklistItemResponse, checklistResponse, taskDetailResponse, taskResponse, TASK_PRIORITIES } from './task.schemas.js';

type Priority = (typeof TASK_PRIORITIES)[number];

/** Explicit field lists: org_id and deleted_at never leave the service. */
export function serializeTask(task: Task): z.output<typeof taskResponse> {
  return {
    id: task.id,
    title: task.title,
    description: task.description,
    status: task.status,
    priority: task.priority as Priority | null,
    due_date: task.dueDate?.toISOString() ?? null,
    start_date: task.startDate?.toISOString() ?? null,
    board_id: task.boardId,
    column_id: task.columnId,
    parent_id: task.parentId,
    position: task.position,
    metadata: (task.metadata ?? {}) as Record<string, unknown>,
    assignee_id: task.assigneeId,
    created_by: task.createdBy,
    created_at: task.createdAt.toISOString(),
    updated_at: task.updatedAt.toISOString(),
  };
}

export function serializeChecklistItem(item: ChecklistItem): z.output<typeof checklistItemResponse> {
  return {
    id: item.id,
    checklist_id: item.checklistId,
    title: item.title,
    done: item.done,
    done_by: item.doneBy,
    done_at: item.doneAt?.toISOString() ?? null,
    position: item.position,
    created_at: item.createdAt.toISOString(),
  };
}

export function serializeChecklist(checklist: TaskChecklist & { items: ChecklistItem[] }): z.output<typeof checklistResponse> {
  return {
    id: checklist.id,
    task_id: checklist.taskId,
    title: checklist.title,
    position: checklist.position,
    created_at: checklist.createdAt.toISOString(),
    items: checklist.items.map(serializeChecklistItem),
  };
}

export function serializeTaskDetail(
  task: Task & { subtasks: Task[]; checklists: (TaskChecklist & { items: ChecklistItem[] })[] },
): z.output<typeof taskDetailResponse> {
  return {
    ...serializeTask(task),
    subtasks: task.subtasks.map(serializeTask),
    checklists: task.checklists.map(serializeChecklist),
  };
}
