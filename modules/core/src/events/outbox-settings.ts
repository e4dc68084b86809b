import { runtimeDatabaseUrl } from '../database/database-url.js';
import type { RetryPolicy } from './retry-policy.js';

/** Delivery of outbox events, from the environment (defaults in brackets). */
export interface OutboxSettings {
  /** OUTBOX_MAX_ATTEMPTS [12], OUTBOX_RETRY_BASE_MS [1000], OUTBOX_RETRY_MAX_MS [900000 = 15 min]. */
  retry: RetryPolicy;
  /**
   * OUTBOX_LEASE_MS [60000]: how long an event being delivered is left alone by the relays. It is renewed while
   * the subscribers run, so it only bounds how late an event is picked up again when its process died.
   */
  leaseMs: number;
  /** OUTBOX_POLL_MS [1000]: pause of the relay when nothing was due. */
  pollIntervalMs: number;
  /** OUTBOX_BATCH_SIZE [50]: events claimed at once. */
  batchSize: number;
  /** OUTBOX_CONCURRENCY [8]: events delivered at once by one process (in process, or jobs of the BullMQ worker). */
  concurrency: number;
  /**
   * EVENTS_RELAY [on]: whether the API process relays (and, with Redis, runs the queue's worker) too. `off` when a
   * separate worker (`node dist/worker.js`) does it; the worker relays whatever this says.
   */
  relayInApi: boolean;
  /** REDIS_URL: deliveries go through a BullMQ queue on it; without it, in process. */
  redisUrl?: string;
  /**
   * EVENTS_QUEUE_PREFIX: namespace of the queue's Redis keys. Defaults to one per database (`outbox:<db>@<host>:<port>`),
   * so that products, or test runs, sharing a Redis never take each other's jobs.
   */
  queuePrefix: string;
}

export const EVENTS_QUEUE_NAME = 'events';

/** Injection token of the OutboxSettings (EventsModule provides outboxSettings()). */
export const OUTBOX_SETTINGS = Symbol('OUTBOX_SETTINGS');

function positive(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw.trim() === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value <= 0) throw new Error(`${name} must be a positive integer (got "${raw}")`);
  return value;
}

function onOff(env: NodeJS.ProcessEnv, name: string, fallback: boolean): boolean {
  const raw = env[name]?.trim().toLowerCase();
  if (!raw) return fallback;
  if (['on', 'true', '1'].includes(raw)) return true;
  if (['off', 'false', '0'].includes(raw)) return false;
  throw new Error(`${name} must be on or off (got "${env[name]}")`);
}

function defaultQueuePrefix(env: NodeJS.ProcessEnv): string {
  const url = runtimeDatabaseUrl(env);
  if (!url) return 'outbox';
  const parsed = new URL(url);
  return `outbox:${decodeURIComponent(parsed.pathname.replace(/^\//, ''))}@${parsed.hostname}:${parsed.port || '5432'}`;
}

export function outboxSettings(env: NodeJS.ProcessEnv = process.env): OutboxSettings {
  const retry: RetryPolicy = {
    maxAttempts: positive(env, 'OUTBOX_MAX_ATTEMPTS', 12),
    baseDelayMs: positive(env, 'OUTBOX_RETRY_BASE_MS', 1_000),
    maxDelayMs: positive(env, 'OUTBOX_RETRY_MAX_MS', 15 * 60_000),
  };
  if (retry.maxDelayMs < retry.baseDelayMs) throw new Error('OUTBOX_RETRY_MAX_MS must not be below OUTBOX_RETRY_BASE_MS');
  return {
    retry,
    leaseMs: Math.max(1_000, positive(env, 'OUTBOX_LEASE_MS', 60_000)),
    pollIntervalMs: positive(env, 'OUTBOX_POLL_MS', 1_000),
    batchSize: Math.min(1_000, positive(env, 'OUTBOX_BATCH_SIZE', 50)),
    concurrency: positive(env, 'OUTBOX_CONCURRENCY', 8),
    relayInApi: onOff(env, 'EVENTS_RELAY', true),
    redisUrl: env.REDIS_URL?.trim() || undefined,
    queuePrefix: env.EVENTS_QUEUE_PREFIX?.trim() || defaultQueuePrefix(env),
  };
}
