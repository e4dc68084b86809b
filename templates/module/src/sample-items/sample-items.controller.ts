import { Controller, Delete, Get, Patch, Post } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { Audited } from '../../../core/audit/audited.decorator.js';
import { ApiNoContent, ApiPaginated, ApiResult, IdParam, ValidBody, ValidQuery } from '../../../core/http/zod.js';
import { Authorize } from '../../../core/permissions/authorize.decorator.js';
import {
  createSampleItemBody,
  sampleItemResponse,
  updateSampleItemBody,
  type CreateSampleItemBody,
  type UpdateSampleItemBody,
} from './sample-item.schemas.js';
import { sampleItemListQuery, SampleItemsService, type SampleItemListQuery } from './sample-items.service.js';

/**
 * Routes under /api/v1. Authentication is global; `@Authorize` checks a permission of the module's namespace on
 * the `:id` object (404 when the caller cannot even view it), or org membership for lists and creation.
 * Every successful mutation is recorded in the audit log.
 */
@ApiTags('sample-items')
@Audited({ entityType: 'sample_item' })
@Controller('sample-items')
export class SampleItemsController {
  constructor(private readonly sampleItems: SampleItemsService) {}

  @Get()
  @Authorize('org', 'member', { object: 'org' })
  @ApiOperation({ summary: 'List sample items (page, limit, sort, search, filter)' })
  @ApiPaginated(sampleItemResponse)
  list(@ValidQuery(sampleItemListQuery.schema) query: SampleItemListQuery) {
    return this.sampleItems.list(query);
  }

  @Post()
  @Authorize('org', 'member', { object: 'org' })
  @ApiOperation({ summary: 'Create a sample item' })
  @ApiResult(sampleItemResponse, { status: 201, description: 'The created sample item' })
  create(@ValidBody(createSampleItemBody) body: CreateSampleItemBody) {
    return this.sampleItems.create(body);
  }

  @Get(':id')
  @Authorize('sample_item', 'view')
  @ApiOperation({ summary: 'Get a sample item' })
  @ApiResult(sampleItemResponse)
  get(@IdParam('id') id: string) {
    return this.sampleItems.get(id);
  }

  @Patch(':id')
  @Authorize('sample_item', 'edit')
  @ApiOperation({ summary: 'Update a sample item' })
  @ApiResult(sampleItemResponse)
  update(@IdParam('id') id: string, @ValidBody(updateSampleItemBody) body: UpdateSampleItemBody) {
    return this.sampleItems.update(id, body);
  }

  @Delete(':id')
  @Authorize('sample_item', 'delete')
  @ApiOperation({ summary: 'Delete a sample item (soft delete)' })
  @ApiNoContent('Deleted')
  async remove(@IdParam('id') id: string): Promise<void> {
    await this.sampleItems.remove(id);
  }
}
