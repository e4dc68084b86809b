import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { AppModule } from './app.module.js';
import { JsonLogger } from './core/context/json-logger.js';
import { configurePlatformApp } from './core/platform/platform-app.js';

/** Largest accepted request body (413 beyond): BODY_LIMIT_BYTES, default 1 MiB. */
const BODY_LIMIT_BYTES = Number(process.env.BODY_LIMIT_BYTES ?? 1024 * 1024);

/** The configured, initialised app (not listening): used by main.ts and by the OpenAPI emitter. */
export async function createApp(): Promise<NestFastifyApplication> {
  const logger = new JsonLogger();
  // TRUST_PROXY is a hop count (`true` = 1, see .env.example); a function, because Fastify reads a bare number as "trust no hop".
  const adapter = new FastifyAdapter({ bodyLimit: BODY_LIMIT_BYTES, trustProxy: (_address: string, hop: number) => hop < (process.env.TRUST_PROXY === 'true' ? 1 : Number(process.env.TRUST_PROXY) || 0) });
  // bodyParser: false — the platform installs its own strict JSON parser (configurePlatformApp).
  const app = await NestFactory.create<NestFastifyApplication>(AppModule, adapter, { logger, bodyParser: false });
  configurePlatformApp(app, logger);
  await app.init();
  return app;
}
