import { describe, expect, it } from 'vitest';
import { outboxSettings } from './outbox-settings.js';

describe('outboxSettings', () => {
  it('has defaults for a product that sets nothing: in process, relayed by the API as well', () => {
    const settings = outboxSettings({ DATABASE_URL: 'postgres://owner:secret@db.internal:6543/acme' });
    expect(settings).toEqual({
      retry: { maxAttempts: 12, baseDelayMs: 1_000, maxDelayMs: 900_000 },
      leaseMs: 60_000,
      pollIntervalMs: 1_000,
      batchSize: 50,
      concurrency: 8,
      relayInApi: true,
      redisUrl: undefined,
      queuePrefix: 'outbox:acme@db.internal:6543',
    });
  });

  it('reads every knob from the environment', () => {
    const settings = outboxSettings({
      APP_DATABASE_URL: 'postgres://rt:rt@127.0.0.1/app',
      REDIS_URL: ' redis://127.0.0.1:6379 ',
      EVENTS_RELAY: 'off',
      EVENTS_QUEUE_PREFIX: 'acme-events',
      OUTBOX_MAX_ATTEMPTS: '3',
      OUTBOX_RETRY_BASE_MS: '50',
      OUTBOX_RETRY_MAX_MS: '500',
      OUTBOX_LEASE_MS: '5000',
      OUTBOX_POLL_MS: '200',
      OUTBOX_BATCH_SIZE: '10',
      OUTBOX_CONCURRENCY: '2',
    });
    expect(settings).toEqual({
      retry: { maxAttempts: 3, baseDelayMs: 50, maxDelayMs: 500 },
      leaseMs: 5_000,
      pollIntervalMs: 200,
      batchSize: 10,
      concurrency: 2,
      relayInApi: false,
      redisUrl: 'redis://127.0.0.1:6379',
      queuePrefix: 'acme-events',
    });
  });

  it('derives the queue prefix from the runtime connection, so two databases on one Redis never share a queue', () => {
    expect(outboxSettings({ APP_DATABASE_URL: 'postgres://rt:rt@127.0.0.1/app_test_1' }).queuePrefix).toBe('outbox:app_test_1@127.0.0.1:5432');
    expect(outboxSettings({}).queuePrefix).toBe('outbox');
  });

  it('keeps the lease at one second at least and a batch at 1000 at most', () => {
    expect(outboxSettings({ OUTBOX_LEASE_MS: '10', OUTBOX_BATCH_SIZE: '100000' })).toMatchObject({ leaseMs: 1_000, batchSize: 1_000 });
  });

  it('refuses values that are not what they should be, naming the variable', () => {
    expect(() => outboxSettings({ OUTBOX_MAX_ATTEMPTS: '0' })).toThrow(/OUTBOX_MAX_ATTEMPTS must be a positive integer/);
    expect(() => outboxSettings({ OUTBOX_LEASE_MS: '1.5' })).toThrow(/OUTBOX_LEASE_MS/);
    expect(() => outboxSettings({ EVENTS_RELAY: 'maybe' })).toThrow(/EVENTS_RELAY must be on or off/);
    expect(() => outboxSettings({ OUTBOX_RETRY_BASE_MS: '1000', OUTBOX_RETRY_MAX_MS: '10' })).toThrow(/OUTBOX_RETRY_MAX_MS/);
  });
});
