import { Controller, Delete, Get, Patch, Post } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiNoContent, ApiPaginated, ApiResult, IdParam, ValidBody, ValidQuery } from '../../../core/http/zod.js';
import { Authorize } from '../../../core/permissions/authorize.decorator.js';
import {
  boardResponse,
  boardWithColumnsResponse,
  createBoardBody,
  replaceColumnsBody,
  updateBoardBody,
  type CreateBoardBody,
  type ReplaceColumnsBody,
  type UpdateBoardBody,
} from './board.schemas.js';
import { boardListQuery, BoardsService, type BoardListQuery } from './boards.service.js';

@ApiTags('boards')
@Controller('boards')
export class BoardsController {
  constructor(private readonly boards: BoardsService) {}

  @Post()
  @Authorize('org', 'member', { object: 'org' })
  @ApiOperation({ summary: 'Create a board (optionally with its columns)' })
  @ApiResult(boardWithColumnsResponse, { status: 201, description: 'The board with its columns' })
  create(@ValidBody(createBoardBody) body: CreateBoardBody) {
    return this.boards.create(body);
  }

  @Get()
  @Authorize('org', 'member', { object: 'org' })
  @ApiOperation({ summary: "List the org's boards" })
  @ApiPaginated(boardResponse)
  list(@ValidQuery(boardListQuery.schema) query: BoardListQuery) {
    return this.boards.list(query);
  }

  @Get(':id')
  @Authorize('board', 'view')
  @ApiOperation({ summary: 'Get a board with its columns' })
  @ApiResult(boardWithColumnsResponse)
  get(@IdParam('id') id: string) {
    return this.boards.get(id);
  }

  @Patch(':id')
  @Authorize('board', 'edit')
  @ApiOperation({ summary: 'Rename a board or change its view type' })
  @ApiResult(boardWithColumnsResponse)
  update(@IdParam('id') id: string, @ValidBody(updateBoardBody) body: UpdateBoardBody) {
    return this.boards.update(id, body);
  }

  @Delete(':id')
  @Authorize('board', 'delete')
  @ApiOperation({ summary: 'Delete a board and its tasks (soft delete)' })
  @ApiNoContent('The board and its tasks were deleted')
  async remove(@IdParam('id') id: string): Promise<void> {
    await this.boards.remove(id);
  }

  @Patch(':id/columns')
  @Authorize('board', 'edit')
  @ApiOperation({ summary: "Replace the board's columns (add, rename, reorder, remove)" })
  @ApiResult(boardWithColumnsResponse)
  replaceColumns(@IdParam('id') id: string, @ValidBody(replaceColumnsBody) body: ReplaceColumnsBody) {
    return this.boards.replaceColumns(id, body);
  }
}
