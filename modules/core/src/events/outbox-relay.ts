import { Inject, Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { PrismaService } from '../database/prisma.service.js';
import { EventBus } from './event-bus.js';
import { EventQueue } from './event-queue.js';
import { OUTBOX_SETTINGS, type OutboxSettings } from './outbox-settings.js';
import { OutboxStore, type OutboxRef } from './outbox-store.js';

const messageOf = (error: unknown): string => (error instanceof Error ? error.message : String(error));

/** Runs `fn` on every item, at most `limit` at once. */
async function eachConcurrently<T>(items: T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const lane = async () => {
    while (next < items.length) await fn(items[next++]!);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, lane));
}

/**
 * The outbox relay guarantees delivery: it claims the due events of every org in batches (outbox_claim_due: FOR
 * UPDATE SKIP LOCKED, so relays in several processes share the work and never claim the same event) and sends them
 * on — onto the BullMQ queue when REDIS_URL is set (and then also runs the queue's worker), else to the subscribers
 * in process. Claiming leases an event (OUTBOX_LEASE_MS): nobody claims it again before it is delivered, or its
 * lease runs out because the process delivering it died.
 *
 * Where it runs: always in the worker (`node dist/worker.js`, which calls start()); in the API process too once it
 * listens, unless EVENTS_RELAY=off — so `npm run dev` delivers and retries with neither Redis nor a worker. Never in
 * a process that does not serve (the OpenAPI emitter, tests creating the app).
 */
@Injectable()
export class OutboxRelay implements OnApplicationBootstrap {
  private readonly logger = new Logger('OutboxRelay');
  private running?: Promise<void>;
  private stopping = false;
  private wake?: () => void;
  private lastFailureLog = 0;

  constructor(
    private readonly store: OutboxStore,
    private readonly bus: EventBus,
    private readonly queue: EventQueue,
    private readonly prisma: PrismaService,
    @Inject(OUTBOX_SETTINGS) private readonly settings: OutboxSettings,
    private readonly http?: HttpAdapterHost,
  ) {
    // At shutdown: once the HTTP server has closed (the last requests' events are published), before the database.
    prisma.runBeforeDisconnect(() => this.stop());
  }

  onApplicationBootstrap(): void {
    if (!this.settings.relayInApi || !this.http) return;
    this.http.listen$.subscribe(() => this.start());
  }

  /** How this process delivers: through the queue (Redis) or in process. */
  get transport(): 'bullmq' | 'in-process' {
    return this.queue.enabled ? 'bullmq' : 'in-process';
  }

  /** Starts the relay loop (and the queue's worker with Redis); idempotent until stop(), which is final. */
  start(): void {
    if (this.running || this.stopping) return;
    if (this.queue.enabled) {
      this.queue.consume(async (ref) => {
        await this.bus.deliver(ref);
      });
    }
    this.running = this.loop();
    this.logger.log({
      msg: 'outbox relay started',
      transport: this.transport,
      ...(this.queue.enabled ? { queuePrefix: this.settings.queuePrefix } : {}),
      concurrency: this.settings.concurrency,
      pollIntervalMs: this.settings.pollIntervalMs,
    });
  }

  /** Stops claiming, lets the deliveries and jobs under way finish, closes the queue. */
  async stop(): Promise<void> {
    this.stopping = true;
    this.wake?.();
    const running = this.running;
    this.running = undefined;
    await running;
    await this.queue.stopConsuming();
    await this.bus.drain();
    await this.queue.close();
  }

  /** Fails unless the database (and Redis, when configured) answer within `timeoutMs`: the worker's startup check. */
  async checkConnections(timeoutMs: number): Promise<void> {
    const database = async () => {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        try {
          return await this.prisma.ping();
        } catch (error) {
          if (Date.now() >= deadline) throw new Error(`the database did not answer within ${timeoutMs} ms: ${messageOf(error)}`, { cause: error });
          await new Promise((resolve) => setTimeout(resolve, 500));
        }
      }
    };
    await Promise.all([database(), this.queue.waitUntilReady(timeoutMs)]);
  }

  /** Claims one batch of due events and sends it on; the number claimed. */
  async relayOnce(): Promise<number> {
    const refs = await this.store.claimDue(this.settings.batchSize, this.settings.leaseMs);
    if (refs.length === 0) return 0;
    if (this.queue.enabled) {
      await this.queue.enqueue(refs);
    } else {
      await eachConcurrently(refs, this.settings.concurrency, (ref) => this.deliverInProcess(ref));
    }
    return refs.length;
  }

  private async deliverInProcess(ref: OutboxRef): Promise<void> {
    try {
      await this.bus.deliver(ref);
    } catch (error) {
      // The attempt could not be read or recorded (database trouble): the lease runs out and it is claimed again.
      this.logger.warn({ msg: 'event delivery not recorded; retried once its lease runs out', eventId: ref.id, error: messageOf(error) });
    }
  }

  private async loop(): Promise<void> {
    while (!this.stopping) {
      let claimed = 0;
      try {
        claimed = await this.relayOnce();
      } catch (error) {
        if (Date.now() - this.lastFailureLog > 30_000) {
          this.lastFailureLog = Date.now();
          this.logger.warn({ msg: 'outbox relay failed (database or Redis unavailable?); trying again', error: messageOf(error) });
        }
      }
      // A full batch means more may be due: go on at once.
      if (claimed < this.settings.batchSize && !this.stopping) await this.pause(this.settings.pollIntervalMs);
    }
  }

  private pause(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.wake = done;
    });
  }
}
