import { type INestApplication, type LoggerService, RequestMethod } from '@nestjs/common';
import type { FastifyInstance } from 'fastify';
import { installRequestContext } from '../context/request-context.hooks.js';
import { installJsonBodyParser } from '../http/json-body.js';
import { setupOpenApi } from '../openapi/openapi.js';

export const API_PREFIX = 'api/v1';

/**
 * HTTP wiring every product app gets before `init()`: request context + correlation id + access log, the
 * `/api/v1` prefix (health stays at `/health/*`), OpenAPI at `/api/docs(-json)` and shutdown hooks.
 * The app must be created with `bodyParser: false`: the only body parser is strict JSON (see installJsonBodyParser).
 */
export function configurePlatformApp(app: INestApplication, logger: LoggerService): void {
  installRequestContext(app, logger);
  const fastify = app.getHttpAdapter().getInstance() as FastifyInstance;
  installJsonBodyParser(fastify, fastify.initialConfig.bodyLimit ?? 1024 * 1024);
  // Shutdown stops listening, then waits for every open connection. A request still in flight at that moment answers
  // with Connection: close, so that its keep-alive socket does not hold the shutdown open until the client lets go.
  fastify.addHook('onSend', (_request, reply, payload, done) => {
    if (!fastify.server.listening) reply.header('connection', 'close');
    done(null, payload);
  });
  app.setGlobalPrefix(API_PREFIX, {
    exclude: [
      { path: 'health/live', method: RequestMethod.GET },
      { path: 'health/ready', method: RequestMethod.GET },
    ],
  });
  setupOpenApi(app);
  app.enableShutdownHooks(['SIGTERM', 'SIGINT']);
}
