import { Controller, Delete, Get, Post } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import type { z } from 'zod';
import { RequestContext } from '../context/request-context.js';
import { ApiNoContent, ApiPaginated, ApiResult, IdParam, ValidBody, ValidQuery } from '../http/zod.js';
import type { Paginated } from '../list-query/list-query.js';
import { Authorize } from '../permissions/authorize.decorator.js';
import {
  addMemberSchema,
  createOrganizationSchema,
  memberSchema,
  organizationSchema,
  type AddMemberRequest,
  type CreateOrganizationRequest,
  type MemberDto,
  type OrganizationDto,
} from './organizations.schemas.js';
import { memberListQuery, organizationListQuery, OrganizationsService } from './organizations.service.js';

type OrganizationListQuery = z.infer<typeof organizationListQuery.schema>;
type MemberListQuery = z.infer<typeof memberListQuery.schema>;

@ApiTags('organizations')
@Controller('organizations')
export class OrganizationsController {
  constructor(private readonly organizations: OrganizationsService) {}

  @Post()
  @ApiResult(organizationSchema, { status: 201, description: 'The new organization; the caller is its owner' })
  create(@ValidBody(createOrganizationSchema) body: CreateOrganizationRequest): Promise<OrganizationDto> {
    return this.organizations.create(RequestContext.actor().userId, body);
  }

  @Get()
  @ApiPaginated(organizationSchema, { description: 'The organizations the caller is a member of' })
  list(@ValidQuery(organizationListQuery.schema) query: OrganizationListQuery): Promise<Paginated<OrganizationDto>> {
    return this.organizations.listMine(RequestContext.actor().userId, query);
  }

  @Get(':id')
  @Authorize('org', 'view')
  @ApiResult(organizationSchema)
  get(@IdParam('id') id: string): Promise<OrganizationDto> {
    return this.organizations.get(id, RequestContext.actor().userId);
  }

  @Get(':id/members')
  @Authorize('org', 'view')
  @ApiPaginated(memberSchema)
  members(@IdParam('id') id: string, @ValidQuery(memberListQuery.schema) query: MemberListQuery): Promise<Paginated<MemberDto>> {
    return this.organizations.listMembers(id, query);
  }

  @Post(':id/members')
  @Authorize('org', 'manage')
  @ApiResult(memberSchema, { status: 201, description: 'The user (who must already have an account) is now a member' })
  addMember(@IdParam('id') id: string, @ValidBody(addMemberSchema) body: AddMemberRequest): Promise<MemberDto> {
    return this.organizations.addMember(id, body);
  }

  @Delete(':id/members/:userId')
  @Authorize('org', 'view')
  @ApiNoContent('The member was removed (admins/owners remove others; anyone may leave)')
  async removeMember(@IdParam('id') id: string, @IdParam('userId') userId: string): Promise<void> {
    await this.organizations.removeMember(id, userId, RequestContext.actor().userId);
  }
}
