import { Module } from '@nestjs/common';
import { BoardsController } from './boards/boards.controller.js';
import { BoardsService } from './boards/boards.service.js';
import { ChecklistsController } from './checklists/checklists.controller.js';
import { ChecklistsService } from './checklists/checklists.service.js';
import { TasksController } from './tasks/tasks.controller.js';
import { TasksService } from './tasks/tasks.service.js';

/**
 * Boards, tasks, subtasks and checklists. The `task` and `board` permission namespaces come from this module's
 * manifest (registered by the platform lifecycle); PrismaService, EventBus and PermissionService are global.
 */
@Module({
  controllers: [BoardsController, TasksController, ChecklistsController],
  providers: [BoardsService, TasksService, ChecklistsService],
})
export class TasksModule {}
