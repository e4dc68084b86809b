import { Injectable } from '@nestjs/common';
import { PrismaService, type TenantTx } from '../database/prisma.service.js';
import type { PlatformEvent } from '../platform/platform-module.js';

/** An event as the relay knows it before reading it: enough to open a transaction of its org. */
export interface OutboxRef {
  id: string;
  orgId: string;
}

/** An undispatched event and how many deliveries of it were tried so far. */
export interface PendingEvent {
  event: PlatformEvent;
  attempts: number;
}

interface OutboxRow {
  id: string;
  org_id: string;
  type: string;
  payload: Record<string, unknown>;
  actor_id: string | null;
  correlation_id: string | null;
  attempts: number;
  created_at: Date;
}

const toPending = (row: OutboxRow): PendingEvent => ({
  event: {
    id: row.id,
    type: row.type,
    orgId: row.org_id,
    actorId: row.actor_id,
    correlationId: row.correlation_id,
    payload: row.payload,
    occurredAt: row.created_at,
  },
  attempts: row.attempts,
});

/** Longest last_error kept (a stack or a driver message can be long). */
const MAX_ERROR_LENGTH = 2_000;

/**
 * The SQL of `outbox_events`. Everything but claiming runs as the runtime role in a transaction of the event's org,
 * so row-level security applies as for any tenant data; claiming goes through `outbox_claim_due()` (see the
 * migration 20261202001000_outbox_relay), which only returns ids and org ids.
 */
@Injectable()
export class OutboxStore {
  constructor(private readonly prisma: PrismaService) {}

  /** Writes the event in the caller's tenant transaction; its publisher holds the lease for `leaseMs`. */
  async insert(tx: TenantTx, type: string, payload: object, correlationId: string | null, leaseMs: number): Promise<PendingEvent> {
    const rows = await tx.$queryRaw<OutboxRow[]>`
      insert into outbox_events (org_id, type, payload, actor_id, correlation_id, next_attempt_at)
      values (nullif(current_setting('app.current_org_id', true), '')::uuid, ${type}, ${JSON.stringify(payload)}::jsonb,
              nullif(current_setting('app.current_user_id', true), '')::uuid, ${correlationId},
              now() + ${leaseMs}::int * interval '1 millisecond')
      returning id, org_id, type, payload, actor_id, correlation_id, attempts, created_at`;
    return toPending(rows[0]!);
  }

  /** Up to `limit` due events of any org, leased for `leaseMs`; concurrent callers get disjoint batches. */
  async claimDue(limit: number, leaseMs: number): Promise<OutboxRef[]> {
    const rows = await this.prisma.$queryRaw<{ id: string; org_id: string }[]>`
      select id, org_id from outbox_claim_due(${limit}::int, ${leaseMs}::int)`;
    return rows.map((row) => ({ id: row.id, orgId: row.org_id }));
  }

  /** The event if it is still to be delivered (not dispatched, not given up on); null otherwise. */
  async findPending(ref: OutboxRef): Promise<PendingEvent | null> {
    const rows = await this.inOrg(
      ref,
      (tx) => tx.$queryRaw<OutboxRow[]>`
        select id, org_id, type, payload, actor_id, correlation_id, attempts, created_at
          from outbox_events
         where id = ${ref.id}::uuid and dispatched_at is null and failed_at is null`,
    );
    return rows[0] ? toPending(rows[0]) : null;
  }

  /** Keeps the relays off an event whose subscribers are still running. */
  async renewLease(ref: OutboxRef, leaseMs: number): Promise<void> {
    await this.inOrg(
      ref,
      (tx) => tx.$executeRaw`
        update outbox_events set next_attempt_at = now() + ${leaseMs}::int * interval '1 millisecond'
         where id = ${ref.id}::uuid and dispatched_at is null and failed_at is null`,
    );
  }

  /** Counts the attempt and marks the event dispatched; last_error keeps the failure before, if any. */
  async recordDispatched(ref: OutboxRef): Promise<void> {
    await this.inOrg(
      ref,
      (tx) => tx.$executeRaw`
        update outbox_events set attempts = attempts + 1, dispatched_at = now()
         where id = ${ref.id}::uuid and dispatched_at is null`,
    );
  }

  /** Counts the failed attempt; the event is due again in `retryInMs`, or given up on (failed_at) when null. */
  async recordFailure(ref: OutboxRef, error: string, retryInMs: number | null): Promise<void> {
    const message = error.slice(0, MAX_ERROR_LENGTH);
    await this.inOrg(
      ref,
      (tx) => tx.$executeRaw`
        update outbox_events
           set attempts = attempts + 1,
               last_error = ${message},
               next_attempt_at = case when ${retryInMs}::int is null then next_attempt_at
                                      else now() + ${retryInMs}::int * interval '1 millisecond' end,
               failed_at = case when ${retryInMs}::int is null then now() end
         where id = ${ref.id}::uuid and dispatched_at is null`,
    );
  }

  private inOrg<T>(ref: OutboxRef, fn: (tx: TenantTx) => Promise<T>): Promise<T> {
    return this.prisma.tenant(fn, { orgId: ref.orgId, userId: '' });
  }
}
