import { Injectable } from '@nestjs/common';
import { RequestContext } from '../../../core/context/request-context.js';
import { PrismaService, type TenantTx } from '../../../core/database/prisma.service.js';
import { NotFoundError } from '../../../core/errors/domain-errors.js';
import { EventBus } from '../../../core/events/event-bus.js';
import { defineListQuery, type ListQueryOf, type NoExtraParams } from '../../../core/list-query/list-query.js';
import { PermissionService } from '../../../core/permissions/permission.service.js';
import type { Prisma, SampleItem } from '../../../generated/prisma/client.js';
import type { CreateSampleItemBody, SampleItemResponse, UpdateSampleItemBody } from './sample-item.schemas.js';

/** The permission namespace of this resource, declared in the module's manifest (module.yaml `permissions`). */
export const SAMPLE_ITEM_NAMESPACE = 'sample_item';

export const sampleItemListQuery = defineListQuery({
  sortable: ['name', 'created_at', 'updated_at'],
  defaultSort: 'created_at:desc',
  searchable: ['name', 'description'],
  filterable: {
    created_by: { field: 'createdBy', type: 'uuid' },
    created_at: { field: 'createdAt', type: 'date' },
  },
  sortFields: { created_at: 'createdAt', updated_at: 'updatedAt' },
});
export type SampleItemListQuery = ListQueryOf<NoExtraParams>;

/** Explicit field list: org_id and deleted_at never leave the service. */
export function serializeSampleItem(row: SampleItem): SampleItemResponse {
  return {
    id: row.id,
    name: row.name,
    description: row.description,
    created_by: row.createdBy,
    created_at: row.createdAt.toISOString(),
    updated_at: row.updatedAt.toISOString(),
  };
}

/**
 * Every query runs in `prisma.tenant()`: one transaction in which `app.current_org_id` is the caller's org, so
 * PostgreSQL's row-level security keeps each org to its own rows. Events go to the outbox in the same transaction.
 */
@Injectable()
export class SampleItemsService {
  constructor(
    private readonly prisma: PrismaService,
    private readonly events: EventBus,
    private readonly permissions: PermissionService,
  ) {}

  async list(query: SampleItemListQuery) {
    const { where, orderBy, skip, take } = sampleItemListQuery.toPrisma(query);
    const scoped: Prisma.SampleItemWhereInput = { AND: [where, { deletedAt: null }] };
    const [rows, total] = await this.prisma.tenantReads((db) => [db.sampleItem.findMany({ where: scoped, orderBy, skip, take }), db.sampleItem.count({ where: scoped })]);
    return sampleItemListQuery.paginate(rows.map(serializeSampleItem), total, query);
  }

  async get(id: string) {
    return this.prisma.tenant(async (tx) => serializeSampleItem(await this.findLive(tx, id)));
  }

  /** The creator owns the new row, the org's admins manage it and every member of the org may view it. */
  async create(body: CreateSampleItemBody) {
    const actor = RequestContext.actor();
    return this.prisma.tenant(async (tx) => {
      const row = await tx.sampleItem.create({
        data: { orgId: actor.orgId, name: body.name, description: body.description ?? null, createdBy: actor.userId },
      });
      const objectId = row.id;
      await this.permissions.grant(tx, { namespace: SAMPLE_ITEM_NAMESPACE, objectId, relation: 'org', subject: { type: 'org', id: actor.orgId } });
      await this.permissions.grant(tx, { namespace: SAMPLE_ITEM_NAMESPACE, objectId, relation: 'owner', subject: { type: 'user', id: actor.userId } });
      await this.permissions.grant(tx, {
        namespace: SAMPLE_ITEM_NAMESPACE,
        objectId,
        relation: 'viewer',
        subject: { type: 'org', id: actor.orgId, relation: 'member' },
      });
      await this.events.publish(tx, 'sample_item.created', { id: row.id, name: row.name });
      return serializeSampleItem(row);
    });
  }

  async update(id: string, body: UpdateSampleItemBody) {
    return this.prisma.tenant(async (tx) => {
      const existing = await this.findLive(tx, id);
      const row = await tx.sampleItem.update({
        where: { id: existing.id },
        data: {
          ...(body.name !== undefined ? { name: body.name } : {}),
          ...(body.description !== undefined ? { description: body.description } : {}),
        },
      });
      await this.events.publish(tx, 'sample_item.updated', { id: row.id, fields: Object.keys(body) });
      return serializeSampleItem(row);
    });
  }

  /** Soft delete: the row stays (deleted_at set) and disappears from every read. */
  async remove(id: string): Promise<void> {
    await this.prisma.tenant(async (tx) => {
      const existing = await this.findLive(tx, id);
      await tx.sampleItem.update({ where: { id: existing.id }, data: { deletedAt: new Date() } });
      await this.events.publish(tx, 'sample_item.deleted', { id: existing.id });
    });
  }

  private async findLive(tx: TenantTx, id: string) {
    const row = await tx.sampleItem.findFirst({ where: { id, deletedAt: null } });
    if (!row) throw new NotFoundError('Sample item');
    return row;
  }
}
