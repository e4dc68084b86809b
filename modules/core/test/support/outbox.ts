import { randomUUID } from 'node:crypto';
import { Logger } from '@nestjs/common';
import { PrismaService } from '../../../src/core/database/prisma.service.js';
import { EventBus } from '../../../src/core/events/event-bus.js';
import { EventQueue } from '../../../src/core/events/event-queue.js';
import { OutboxRelay } from '../../../src/core/events/outbox-relay.js';
import { type OutboxSettings, outboxSettings } from '../../../src/core/events/outbox-settings.js';
import { OutboxStore } from '../../../src/core/events/outbox-store.js';

/**
 * The event kernel of one process (PrismaService as the runtime role, OutboxStore, EventQueue, EventBus, OutboxRelay),
 * wired by hand in the test process so that a test can subscribe its own handlers. Fast retries by default.
 */
export interface OutboxKernel {
  prisma: PrismaService;
  bus: EventBus;
  relay: OutboxRelay;
  queue: EventQueue;
  settings: OutboxSettings;
  /** Publishes `type` in a tenant transaction of `orgId`, as a service does; resolves after the commit. */
  publish(orgId: string, type: string, payload?: object): Promise<string>;
  close(): Promise<void>;
}

export function outboxKernel(appDatabaseUrl: string, env: Record<string, string> = {}): OutboxKernel {
  // Failing subscribers are what these tests are about: their error logs would only be noise here.
  Logger.overrideLogger(false);
  const settings = outboxSettings({
    APP_DATABASE_URL: appDatabaseUrl,
    REDIS_URL: '',
    OUTBOX_POLL_MS: '50',
    OUTBOX_RETRY_BASE_MS: '100',
    OUTBOX_RETRY_MAX_MS: '400',
    ...env,
  });
  // PrismaService reads its connection from the environment when it is constructed.
  const saved = process.env.APP_DATABASE_URL;
  process.env.APP_DATABASE_URL = appDatabaseUrl;
  const prisma = new PrismaService();
  if (saved === undefined) delete process.env.APP_DATABASE_URL;
  else process.env.APP_DATABASE_URL = saved;

  const store = new OutboxStore(prisma);
  const queue = new EventQueue(settings);
  const bus = new EventBus(prisma, store, queue, settings);
  const relay = new OutboxRelay(store, bus, queue, prisma, settings);
  return {
    prisma,
    bus,
    relay,
    queue,
    settings,
    publish: (orgId, type, payload = {}) => prisma.tenant(async (tx) => (await bus.publish(tx, type, payload)).id, { orgId, userId: '' }),
    close: async () => {
      await relay.stop();
      await prisma.$disconnect();
    },
  };
}

/** Polls `probe` until it returns something truthy; fails after `timeoutMs` with `what`. */
export async function eventually<T>(what: string, probe: () => T | undefined | null | false | Promise<T | undefined | null | false>, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

export const newOrgId = () => randomUUID();
export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
