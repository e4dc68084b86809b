import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { AppModule } from './app.module.js';
import { JsonLogger } from './core/context/json-logger.js';
import { configurePlatformApp } from './core/platform/platform-app.js';

const BODY_LIMIT_BYTES = 1024 * 1024;

/** The configured, initialised app (not listening): used by main.ts and by the OpenAPI emitter. */
export async function createApp(): Promise<NestFastifyApplication> {
  const logger = new JsonLogger();
  const adapter = new FastifyAdapter({ bodyLimit: BODY_LIMIT_BYTES, trustProxy: process.env.TRUST_PROXY === 'true' });
  const app = await NestFactory.create<NestFastifyApplication>(AppModule, adapter, { logger });
  configurePlatformApp(app, logger);
  await app.init();
  return app;
}
