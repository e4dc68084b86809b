import { Injectable, Logger } from '@nestjs/common';
import { RequestContext } from '../context/request-context.js';
import { PrismaService, type TenantTx } from '../database/prisma.service.js';
import type { EventHandler, EventSubscriber, PlatformEvent } from '../platform/platform-module.js';

interface OutboxRow {
  id: string;
  org_id: string;
  actor_id: string | null;
  correlation_id: string | null;
  created_at: Date;
}

/**
 * Transactional outbox: `publish` writes the event to `outbox_events` in the caller's tenant transaction, so
 * the event exists iff the change that caused it committed. After the commit the event is delivered to the
 * in-process subscribers (each in a request context of the event's org) and marked dispatched.
 * Subscribers must be idempotent: delivery is at least once.
 */
@Injectable()
export class EventBus implements EventSubscriber {
  private readonly logger = new Logger('EventBus');
  private readonly handlers = new Map<string, EventHandler[]>();
  private readonly inFlight = new Set<Promise<void>>();

  constructor(private readonly prisma: PrismaService) {}

  subscribe(type: string, handler: EventHandler): void {
    this.handlers.set(type, [...(this.handlers.get(type) ?? []), handler]);
  }

  async publish(tx: TenantTx, type: string, payload: object): Promise<PlatformEvent> {
    const context = RequestContext.find();
    const rows = await tx.$queryRaw<OutboxRow[]>`
      insert into outbox_events (org_id, type, payload, actor_id, correlation_id)
      values (nullif(current_setting('app.current_org_id', true), '')::uuid, ${type}, ${JSON.stringify(payload)}::jsonb,
              nullif(current_setting('app.current_user_id', true), '')::uuid, ${context?.correlationId ?? null})
      returning id, org_id, actor_id, correlation_id, created_at`;
    const row = rows[0]!;
    const event: PlatformEvent = {
      id: row.id,
      type,
      orgId: row.org_id,
      actorId: row.actor_id,
      correlationId: row.correlation_id,
      payload: payload as Record<string, unknown>,
      occurredAt: row.created_at,
    };
    if (!this.prisma.afterCommit(tx, () => this.schedule(event))) {
      this.logger.warn({ msg: 'event published outside PrismaService.tenant(); not dispatched in-process', type });
    }
    return event;
  }

  /** Resolves when every dispatch started so far has finished (tests, graceful shutdown). */
  async drain(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight]);
  }

  private schedule(event: PlatformEvent): void {
    const delivery = new Promise<void>((resolve) => setImmediate(resolve))
      .then(() => this.dispatch(event))
      .finally(() => this.inFlight.delete(delivery));
    this.inFlight.add(delivery);
  }

  private async dispatch(event: PlatformEvent): Promise<void> {
    const handlers = this.handlers.get(event.type) ?? [];
    const context = {
      correlationId: event.correlationId ?? event.id,
      orgId: event.orgId,
      userId: event.actorId ?? undefined,
      roles: [],
    };
    let failure: string | null = null;
    await RequestContext.run(context, async () => {
      for (const handler of handlers) {
        try {
          await handler(event);
        } catch (error) {
          failure = error instanceof Error ? error.message : String(error);
          this.logger.error(error instanceof Error ? error : { msg: failure }, `EventBus:${event.type}`);
        }
      }
      try {
        await this.prisma.tenant(
          (tx) => tx.$executeRaw`
            update outbox_events
               set attempts = attempts + 1,
                   last_error = ${failure},
                   dispatched_at = case when ${failure}::text is null then now() else null end
             where id = ${event.id}::uuid`,
          { orgId: event.orgId, userId: event.actorId ?? '' },
        );
      } catch (error) {
        this.logger.error(error instanceof Error ? error : { msg: String(error) });
      }
    });
  }
}
