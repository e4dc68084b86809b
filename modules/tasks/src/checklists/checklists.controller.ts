import { Controller, Patch, Post } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiResult, IdParam, ValidBody } from '../../../core/http/zod.js';
import { Authorize } from '../../../core/permissions/authorize.decorator.js';
import { checklistItemResponse, checklistResponse } from '../tasks/task.schemas.js';
import {
  createChecklistBody,
  createChecklistItemBody,
  toggleChecklistItemBody,
  type CreateChecklistBody,
  type CreateChecklistItemBody,
  type ToggleChecklistItemBody,
} from './checklist.schemas.js';
import { ChecklistsService } from './checklists.service.js';

@ApiTags('tasks')
@Controller()
export class ChecklistsController {
  constructor(private readonly checklists: ChecklistsService) {}

  @Post('tasks/:id/checklists')
  @Authorize('task', 'edit')
  @ApiOperation({ summary: 'Add a checklist (optionally with items) to a task' })
  @ApiResult(checklistResponse, { status: 201, description: 'The checklist with its items' })
  create(@IdParam('id') taskId: string, @ValidBody(createChecklistBody) body: CreateChecklistBody) {
    return this.checklists.create(taskId, body);
  }

  // Checklist routes carry no task id, so the service checks `edit` on the checklist's task itself.
  @Post('checklists/:id/items')
  @Authorize('org', 'member', { object: 'org' })
  @ApiOperation({ summary: 'Add an item to a checklist' })
  @ApiResult(checklistItemResponse, { status: 201, description: 'The created item' })
  addItem(@IdParam('id') checklistId: string, @ValidBody(createChecklistItemBody) body: CreateChecklistItemBody) {
    return this.checklists.addItem(checklistId, body);
  }

  @Patch('checklists/:id/items/:itemId')
  @Authorize('org', 'member', { object: 'org' })
  @ApiOperation({ summary: 'Tick or untick a checklist item' })
  @ApiResult(checklistItemResponse)
  toggleItem(
    @IdParam('id') checklistId: string,
    @IdParam('itemId') itemId: string,
    @ValidBody(toggleChecklistItemBody) body: ToggleChecklistItemBody,
  ) {
    return this.checklists.toggleItem(checklistId, itemId, body);
  }
}
