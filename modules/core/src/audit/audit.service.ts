import { Injectable, Logger } from '@nestjs/common';
import { RequestContext } from '../context/request-context.js';
import { PrismaService } from '../database/prisma.service.js';
import type { Prisma } from '../../generated/prisma/client.js';

export interface AuditEntry {
  orgId: string;
  actorId?: string | null;
  action: string;
  entityType: string;
  entityId?: string | null;
  changes?: Prisma.InputJsonObject | null;
}

/** Appends to `audit_log` (tenant table, append-only) in the org's tenant context. */
@Injectable()
export class AuditService {
  private readonly logger = new Logger('AuditService');

  constructor(private readonly prisma: PrismaService) {}

  async record(entry: AuditEntry): Promise<void> {
    const context = RequestContext.find();
    try {
      await this.prisma.tenant(
        (tx) =>
          tx.auditLog.create({
            data: {
              orgId: entry.orgId,
              actorId: entry.actorId ?? null,
              action: entry.action.slice(0, 200),
              entityType: entry.entityType.slice(0, 100),
              entityId: entry.entityId?.slice(0, 200) ?? null,
              changes: entry.changes ?? undefined,
              ip: context?.ip?.slice(0, 64) ?? null,
              userAgent: context?.userAgent?.slice(0, 500) ?? null,
              correlationId: context?.correlationId?.slice(0, 128) ?? null,
            },
          }),
        { orgId: entry.orgId, userId: entry.actorId ?? undefined },
      );
    } catch (error) {
      // The change itself has committed; a lost audit line is logged loudly rather than turned into a failed request.
      this.logger.error({ msg: 'audit entry not written', action: entry.action, error: error instanceof Error ? error.message : String(error) });
    }
  }
}
