import { Inject, Injectable, Logger } from '@nestjs/common';
import { RequestContext } from '../context/request-context.js';
import { PrismaService, type TenantTx } from '../database/prisma.service.js';
import type { EventHandler, EventSubscriber, PlatformEvent } from '../platform/platform-module.js';
import { EventQueue } from './event-queue.js';
import { OUTBOX_SETTINGS, type OutboxSettings } from './outbox-settings.js';
import { OutboxStore, type OutboxRef, type PendingEvent } from './outbox-store.js';
import { afterFailure } from './retry-policy.js';

/** What became of one delivery: `skipped` when the event was no longer pending (delivered or given up on meanwhile). */
export type DeliveryOutcome = 'dispatched' | 'retrying' | 'failed' | 'skipped';

const refOf = (event: PlatformEvent): OutboxRef => ({ id: event.id, orgId: event.orgId });
const messageOf = (error: unknown): string => (error instanceof Error ? error.message : String(error));

/**
 * Transactional outbox: `publish` writes the event to `outbox_events` in the caller's tenant transaction, so the
 * event exists iff the change that caused it committed. Delivery is at least once — subscribers must be idempotent:
 *
 * - Right after the commit (the fast path) the publishing process sends the event on: onto the BullMQ queue when
 *   REDIS_URL is set, else to the subscribers in process. It holds the event's lease meanwhile (next_attempt_at).
 * - The OutboxRelay claims every event that is due — a failed delivery after its backoff, an event whose process
 *   died after the commit once its lease ran out — and sends it the same way.
 * - A delivery runs every subscriber of the type in a request context of the event's org, then records the attempt:
 *   dispatched, or failed with last_error and the next attempt scheduled (exponential backoff), or given up on
 *   after OUTBOX_MAX_ATTEMPTS (failed_at). One failing subscriber makes all of them run again on the next attempt.
 */
@Injectable()
export class EventBus implements EventSubscriber {
  private readonly logger = new Logger('EventBus');
  private readonly handlers = new Map<string, EventHandler[]>();
  private readonly inFlight = new Set<Promise<void>>();

  constructor(
    private readonly prisma: PrismaService,
    private readonly store: OutboxStore,
    private readonly queue: EventQueue,
    @Inject(OUTBOX_SETTINGS) private readonly settings: OutboxSettings,
  ) {}

  subscribe(type: string, handler: EventHandler): void {
    this.handlers.set(type, [...(this.handlers.get(type) ?? []), handler]);
  }

  async publish(tx: TenantTx, type: string, payload: object): Promise<PlatformEvent> {
    const pending = await this.store.insert(tx, type, payload, RequestContext.find()?.correlationId ?? null, this.settings.leaseMs);
    if (!this.prisma.afterCommit(tx, () => this.track(this.sendAfterCommit(pending)))) {
      this.logger.warn({ msg: 'event published outside PrismaService.tenant(); the relay delivers it once its lease runs out', type });
    }
    return pending.event;
  }

  /** Delivers the event `ref` if it is still pending (the relay's in-process path and the queue's worker). */
  async deliver(ref: OutboxRef): Promise<DeliveryOutcome> {
    const pending = await this.store.findPending(ref);
    if (!pending) return 'skipped';
    return this.deliverPending(pending);
  }

  /** Resolves when every delivery started after a commit so far has finished (tests, graceful shutdown). */
  async drain(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight]);
  }


  private track(work: Promise<void>): void {
    const tracked = work.finally(() => this.inFlight.delete(tracked));
    this.inFlight.add(tracked);
  }

  private async sendAfterCommit(pending: PendingEvent): Promise<void> {
    // Not inside the caller's await: the request that published the event is answered first.
    await new Promise<void>((resolve) => setImmediate(resolve));
    try {
      if (this.queue.enabled) await this.queue.enqueue([refOf(pending.event)]);
      else await this.deliverPending(pending);
    } catch (error) {
      this.logger.warn({
        msg: 'event not sent after commit; the relay delivers it once its lease runs out',
        eventId: pending.event.id,
        type: pending.event.type,
        error: messageOf(error),
      });
    }
  }

  private async deliverPending({ event, attempts }: PendingEvent): Promise<DeliveryOutcome> {
    const attempt = attempts + 1;
    const leaseMs = this.settings.leaseMs;
    const renewal = setInterval(() => {
      this.store.renewLease(refOf(event), leaseMs).catch((error: unknown) => {
        this.logger.warn({ msg: 'could not renew the lease of an event being delivered', eventId: event.id, error: messageOf(error) });
      });
    }, leaseMs / 2);
    renewal.unref();
    let failure: string | undefined;
    try {
      failure = await this.runSubscribers(event, attempt);
    } finally {
      clearInterval(renewal);
    }

    if (failure === undefined) {
      await this.store.recordDispatched(refOf(event));
      return 'dispatched';
    }
    const next = afterFailure(attempt, this.settings.retry);
    await this.store.recordFailure(refOf(event), failure, next.giveUp ? null : next.retryInMs);
    if (next.giveUp) {
      this.logger.error({ msg: `event given up on after ${attempt} attempts`, eventId: event.id, type: event.type, orgId: event.orgId, error: failure });
      return 'failed';
    }
    this.logger.warn({ msg: 'event delivery failed; retrying', eventId: event.id, type: event.type, attempt, retryInMs: next.retryInMs });
    return 'retrying';
  }

  /** Runs every subscriber of the event's type; the first failure's message, or undefined when all succeeded. */
  private async runSubscribers(event: PlatformEvent, attempt: number): Promise<string | undefined> {
    const handlers = this.handlers.get(event.type) ?? [];
    const context = { correlationId: event.correlationId ?? event.id, orgId: event.orgId, userId: event.actorId ?? undefined, roles: [] };
    return RequestContext.run(context, async () => {
      let failure: string | undefined;
      for (const handler of handlers) {
        try {
          await handler(event);
        } catch (error) {
          failure ??= messageOf(error) || 'subscriber failed';
          this.logger.error({
            msg: 'event subscriber failed',
            eventId: event.id,
            type: event.type,
            attempt,
            error: messageOf(error),
            stack: error instanceof Error ? error.stack : undefined,
          });
        }
      }
      return failure;
    });
  }
}
