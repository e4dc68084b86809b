import 'reflect-metadata';
import { type INestApplicationContext, Logger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { AppModule } from './app.module.js';
import { JsonLogger } from './core/context/json-logger.js';
import { OutboxRelay } from './core/events/outbox-relay.js';

// `npm run worker` / `node dist/worker.js` (on AWS: `node docker-entrypoint.mjs dist/worker.js`): the product's
// background process. No HTTP: the Nest application context, the outbox relay and, with REDIS_URL, the BullMQ worker
// of the events queue. The API process relays as well unless it runs with EVENTS_RELAY=off.
// Exit codes: 0 after SIGTERM/SIGINT once the deliveries under way have finished; 1 when it cannot start (database or
// Redis unreachable within WORKER_STARTUP_TIMEOUT_MS, default 30 s) or cannot stop within WORKER_SHUTDOWN_TIMEOUT_MS
// (default 25 s, under ECS's 30 s before SIGKILL).
const jsonLogger = new JsonLogger();
Logger.overrideLogger(jsonLogger);
const logger = new Logger('Worker');
const ms = (name: string, fallback: number) => Number(process.env[name] || fallback);
const describe = (error: unknown) => ({ error: error instanceof Error ? error.message : String(error), stack: error instanceof Error ? error.stack : undefined });

let app: INestApplicationContext | undefined;
let stopping: Promise<void> | undefined;

async function start(): Promise<void> {
  app = await NestFactory.createApplicationContext(AppModule, { logger: jsonLogger });
  const relay = app.get(OutboxRelay);
  await relay.checkConnections(ms('WORKER_STARTUP_TIMEOUT_MS', 30_000));
  if (stopping) return;
  relay.start();
  logger.log({ msg: 'worker started', transport: relay.transport, pid: process.pid });
}

async function stop(): Promise<void> {
  await starting.catch(() => undefined);
  await app?.get(OutboxRelay).stop();
  await app?.close();
}

function shutdown(signal: NodeJS.Signals): void {
  if (stopping) return;
  logger.log({ msg: 'worker stopping', signal });
  setTimeout(() => {
    logger.error({ msg: 'worker did not stop in time; exiting' });
    process.exit(1);
  }, ms('WORKER_SHUTDOWN_TIMEOUT_MS', 25_000)).unref();
  stopping = stop().then(
    () => {
      logger.log({ msg: 'worker stopped', signal });
      process.exit(0);
    },
    (error: unknown) => {
      logger.error({ msg: 'worker stopped with an error', ...describe(error) });
      process.exit(1);
    },
  );
}

const starting = start();
process.once('SIGTERM', shutdown);
process.once('SIGINT', shutdown);
await starting.catch((error: unknown) => {
  // Nothing was taken on yet: no need to wait for connections that do not answer to close.
  logger.fatal({ msg: 'worker failed to start', ...describe(error) });
  process.exit(1);
});
