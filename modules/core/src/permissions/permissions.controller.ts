import { Controller, Delete, Get, Post } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import type { z } from 'zod';
import { RequestContext } from '../context/request-context.js';
import { PrismaService } from '../database/prisma.service.js';
import { ForbiddenError, NotFoundError, ValidationError } from '../errors/domain-errors.js';
import { ApiNoContent, ApiResult, ValidBody, ValidQuery } from '../http/zod.js';
import { PermissionService, type TupleInput } from './permission.service.js';
import {
  grantRequestSchema,
  myAccessQuerySchema,
  myAccessResponseSchema,
  tupleSchema,
  type GrantRequest,
} from './permissions.schemas.js';

/** Namespaces whose tuples are derived from other records and must not be edited directly. */
const MANAGED_NAMESPACES: Record<string, string> = {
  org: 'Org roles are managed through /organizations/:id/members',
  user: 'Users have no relations',
};

const toTuple = (body: GrantRequest): TupleInput => ({
  namespace: body.namespace,
  objectId: body.object_id,
  relation: body.relation,
  subject: { type: body.subject.type, id: body.subject.id, relation: body.subject.relation },
});

@ApiTags('permissions')
@Controller('permissions')
export class PermissionsController {
  constructor(
    private readonly permissions: PermissionService,
    private readonly prisma: PrismaService,
  ) {}

  @Post('grant')
  @ApiResult(tupleSchema, { status: 201, description: 'The tuple exists (granting twice is harmless)' })
  async grant(@ValidBody(grantRequestSchema) body: GrantRequest): Promise<z.infer<typeof tupleSchema>> {
    const tuple = toTuple(body);
    await this.authorizeChange(tuple);
    await this.prisma.tenant((tx) => this.permissions.grant(tx, tuple));
    return { ...body, subject: { type: body.subject.type, id: body.subject.id, relation: body.subject.relation ?? null } };
  }

  @Delete('grant')
  @ApiNoContent('The tuple was removed')
  async revoke(@ValidBody(grantRequestSchema) body: GrantRequest): Promise<void> {
    const tuple = toTuple(body);
    await this.authorizeChange(tuple);
    const removed = await this.prisma.tenant((tx) => this.permissions.revoke(tx, tuple));
    if (!removed) throw new NotFoundError('Grant');
  }

  @Get('my-access')
  @ApiResult(myAccessResponseSchema, { description: "The objects of the namespace the caller holds anything on, in the current org" })
  async myAccess(@ValidQuery(myAccessQuerySchema) query: z.infer<typeof myAccessQuerySchema>): Promise<z.infer<typeof myAccessResponseSchema>> {
    const { userId } = RequestContext.actor();
    if (!this.permissions.knows(query.namespace)) {
      throw new ValidationError([{ field: 'namespace', message: 'Unknown namespace' }]);
    }
    const entries = await this.permissions.lookup(userId, query.namespace);
    return entries.map((entry) => ({ object_id: entry.objectId, relations: entry.relations, permissions: entry.permissions }));
  }

  /** Grants and revocations need the object's `owner` relation or the current org's `admin`. */
  private async authorizeChange(tuple: TupleInput): Promise<void> {
    const managed = MANAGED_NAMESPACES[tuple.namespace];
    if (managed) throw new ValidationError([{ field: 'namespace', message: managed }]);
    const violations = this.permissions.violations(tuple);
    if (violations.length > 0) throw new ValidationError(violations);
    const { userId, orgId } = RequestContext.actor();
    const object = { type: tuple.namespace, id: tuple.objectId };
    const isOwner = this.permissions.has(tuple.namespace, 'owner') && (await this.permissions.check(userId, 'owner', object));
    if (isOwner || (await this.permissions.check(userId, 'admin', { type: 'org', id: orgId }))) return;
    throw new ForbiddenError('Granting requires the owner relation on the object or the org admin role');
  }
}
