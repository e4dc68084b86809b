import { Inject, Injectable, Logger } from '@nestjs/common';
import { type Job, Queue, Worker } from 'bullmq';
import { EVENTS_QUEUE_NAME, OUTBOX_SETTINGS, type OutboxSettings } from './outbox-settings.js';
import type { OutboxRef } from './outbox-store.js';

interface DeliveryJob {
  orgId: string;
}

/** An enqueue that Redis does not answer in this time fails: the event's lease runs out and a relay claims it again. */
const ENQUEUE_TIMEOUT_MS = 5_000;
/** BullMQ's close() never settles when Redis was never reached: past this, the connections are dropped instead. */
const CLOSE_TIMEOUT_MS = 2_000;

/** `work`, or a rejection with `message` once `ms` have passed. */
async function within<T>(work: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(message)), ms);
  });
  try {
    return await Promise.race([work, late]);
  } finally {
    clearTimeout(timer);
  }
}

/** True when `work` settled within `ms`. */
async function settlesWithin(work: Promise<unknown>, ms: number): Promise<boolean> {
  return within(
    work.then(
      () => true,
      () => true,
    ),
    ms,
    'late',
  ).catch(() => false);
}

/**
 * The BullMQ queue events travel through when REDIS_URL is set: one job per event, job id = event id, so enqueueing
 * an event that is already waiting or running is a no-op (the relay re-enqueues what it claims again). A job only
 * says which event to deliver; the outbox row stays the record of attempts and the schedule of retries, so a job
 * is never retried by BullMQ (attempts: 1) and is removed once done either way.
 */
@Injectable()
export class EventQueue {
  private readonly logger = new Logger('EventQueue');
  readonly enabled: boolean;
  private queue?: Queue<DeliveryJob>;
  private worker?: Worker<DeliveryJob>;
  private lastConnectionWarning = 0;
  private closed = false;
  private readonly running = new Set<Promise<void>>();

  constructor(@Inject(OUTBOX_SETTINGS) private readonly settings: OutboxSettings) {
    this.enabled = !!settings.redisUrl;
  }

  async enqueue(refs: OutboxRef[]): Promise<void> {
    if (refs.length === 0) return;
    const jobs = refs.map((ref) => ({ name: 'deliver', data: { orgId: ref.orgId }, opts: { jobId: ref.id } }));
    await within(this.producer().addBulk(jobs), ENQUEUE_TIMEOUT_MS, `Redis did not take the jobs within ${ENQUEUE_TIMEOUT_MS} ms`);
  }

  /** Starts the BullMQ worker: `deliver` runs for each job, `concurrency` at once. */
  consume(deliver: (ref: OutboxRef) => Promise<void>): void {
    if (!this.enabled || this.worker || this.closed) return;
    const run = (job: Job<DeliveryJob>) => {
      const delivery = deliver({ id: job.id!, orgId: job.data.orgId });
      const tracked = delivery.then(
        () => undefined,
        () => undefined,
      );
      this.running.add(tracked);
      void tracked.finally(() => this.running.delete(tracked));
      return delivery;
    };
    this.worker = new Worker<DeliveryJob>(EVENTS_QUEUE_NAME, run, {
      connection: { url: this.settings.redisUrl },
      prefix: this.settings.queuePrefix,
      concurrency: this.settings.concurrency,
    });
    this.worker.on('error', (error) => this.connectionTrouble(error));
    this.worker.on('failed', (job, error) => {
      this.logger.warn({ msg: 'event job failed; the relay delivers the event again once its lease runs out', eventId: job?.id, error: error.message });
    });
  }

  /** Resolves once Redis answers (the worker's startup check); rejects after `timeoutMs`. */
  async waitUntilReady(timeoutMs: number): Promise<void> {
    if (!this.enabled) return;
    await within((this.worker ?? this.producer()).waitUntilReady(), timeoutMs, `Redis (REDIS_URL) did not answer within ${timeoutMs} ms`);
  }

  /** Stops taking jobs and waits for the running ones to finish. */
  async stopConsuming(): Promise<void> {
    const worker = this.worker;
    this.worker = undefined;
    if (!worker) return;
    // BullMQ's own graceful close() waits forever for Redis when it is down: take no more jobs, wait for ours, then
    // close without waiting (nothing of ours runs any more).
    await settlesWithin(worker.pause(true), CLOSE_TIMEOUT_MS);
    await this.jobsFinished();
    if (!(await settlesWithin(worker.close(true), CLOSE_TIMEOUT_MS))) await settlesWithin(worker.disconnect(), CLOSE_TIMEOUT_MS);
    await this.jobsFinished();
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.stopConsuming();
    const queue = this.queue;
    this.queue = undefined;
    if (queue && !(await settlesWithin(queue.close(), CLOSE_TIMEOUT_MS))) await settlesWithin(queue.disconnect(), CLOSE_TIMEOUT_MS);
  }

  private async jobsFinished(): Promise<void> {
    while (this.running.size > 0) await Promise.all([...this.running]);
  }


  private producer(): Queue<DeliveryJob> {
    if (this.closed) throw new Error('the events queue is closed');
    if (!this.queue) {
      this.queue = new Queue<DeliveryJob>(EVENTS_QUEUE_NAME, {
        // Fail fast while Redis is away rather than queue commands in memory: the relay covers what failed.
        connection: { url: this.settings.redisUrl, enableOfflineQueue: false, connectTimeout: 5_000 },
        prefix: this.settings.queuePrefix,
        defaultJobOptions: { attempts: 1, removeOnComplete: true, removeOnFail: true },
      });
      this.queue.on('error', (error) => this.connectionTrouble(error));
    }
    return this.queue;
  }

  /** ioredis reconnects by itself: log at most every 30 s, never crash. */
  private connectionTrouble(error: Error): void {
    if (Date.now() - this.lastConnectionWarning < 30_000) return;
    this.lastConnectionWarning = Date.now();
    this.logger.warn({ msg: 'redis unavailable for the events queue; events wait in the outbox', error: error.message });
  }
}
