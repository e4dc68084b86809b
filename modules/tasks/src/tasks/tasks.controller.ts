import { Controller, Delete, Get, HttpCode, Patch, Post } from '@nestjs/common';
import { ApiNoContentResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { z } from 'zod';
import { ApiResult, IdParam, paginatedSchema, ValidBody, ValidQuery } from '../../../core/http/zod.js';
import { Authorize } from '../../../core/permissions/authorize.decorator.js';
import { taskListQuery, type TaskListQuery } from './task-list.query.js';
import {
  createSubtaskBody,
  createTaskBody,
  kanbanResponse,
  moveTaskBody,
  taskDetailResponse,
  taskResponse,
  updateTaskBody,
  type CreateSubtaskBody,
  type CreateTaskBody,
  type MoveTaskBody,
  type UpdateTaskBody,
} from './task.schemas.js';
import { TasksService } from './tasks.service.js';

@ApiTags('tasks')
@Controller('tasks')
export class TasksController {
  constructor(private readonly tasks: TasksService) {}

  @Get()
  @Authorize('org', 'member', { object: 'org' })
  @ApiOperation({
    summary: 'List tasks',
    description:
      'view=list (default): a page of top-level tasks (subtasks with filter[parent_id]). ' +
      'view=kanban&board_id=…: the board’s columns, each with its tasks in position order (limit/page apply per column).',
  })
  @ApiResult(z.union([paginatedSchema(taskResponse), kanbanResponse]), { description: 'A page of tasks, or the kanban view' })
  list(@ValidQuery(taskListQuery.schema) query: TaskListQuery) {
    return this.tasks.list(query);
  }

  @Post()
  @Authorize('org', 'member', { object: 'org' })
  @ApiOperation({ summary: 'Create a task (last in its column)' })
  @ApiResult(taskResponse, { status: 201, description: 'The created task' })
  create(@ValidBody(createTaskBody) body: CreateTaskBody) {
    return this.tasks.create(body);
  }

  @Get(':id')
  @Authorize('task', 'view')
  @ApiOperation({ summary: 'Get a task with its subtasks and checklists' })
  @ApiResult(taskDetailResponse)
  get(@IdParam('id') id: string) {
    return this.tasks.get(id);
  }

  @Patch(':id')
  @Authorize('task', 'edit')
  @ApiOperation({ summary: 'Update a task (changing assignee_id also needs the assign permission)' })
  @ApiResult(taskResponse)
  update(@IdParam('id') id: string, @ValidBody(updateTaskBody) body: UpdateTaskBody) {
    return this.tasks.update(id, body);
  }

  @Delete(':id')
  @Authorize('task', 'delete')
  @HttpCode(204)
  @ApiOperation({ summary: 'Delete a task and its subtasks (soft delete)' })
  @ApiNoContentResponse({ description: 'Deleted' })
  async remove(@IdParam('id') id: string): Promise<void> {
    await this.tasks.remove(id);
  }

  @Patch(':id/move')
  @Authorize('task', 'edit')
  @ApiOperation({ summary: 'Move a task to a column and/or position (fractional index between neighbours)' })
  @ApiResult(taskResponse)
  move(@IdParam('id') id: string, @ValidBody(moveTaskBody) body: MoveTaskBody) {
    return this.tasks.move(id, body);
  }

  @Post(':id/subtasks')
  @Authorize('task', 'edit')
  @ApiOperation({ summary: 'Create a subtask (last among its siblings)' })
  @ApiResult(taskResponse, { status: 201, description: 'The created subtask' })
  createSubtask(@IdParam('id') id: string, @ValidBody(createSubtaskBody) body: CreateSubtaskBody) {
    return this.tasks.createSubtask(id, body);
  }
}
