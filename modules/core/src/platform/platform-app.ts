import { type INestApplication, type LoggerService, RequestMethod } from '@nestjs/common';
import { installRequestContext } from '../context/request-context.hooks.js';
import { setupOpenApi } from '../openapi/openapi.js';

export const API_PREFIX = 'api/v1';

/**
 * HTTP wiring every product app gets before `init()`: request context + correlation id + access log, the
 * `/api/v1` prefix (health stays at `/health/*`), OpenAPI at `/api/docs(-json)` and shutdown hooks.
 */
export function configurePlatformApp(app: INestApplication, logger: LoggerService): void {
  installRequestContext(app, logger);
  app.setGlobalPrefix(API_PREFIX, {
    exclude: [
      { path: 'health/live', method: RequestMethod.GET },
      { path: 'health/ready', method: RequestMethod.GET },
    ],
  });
  setupOpenApi(app);
  app.enableShutdownHooks(['SIGTERM', 'SIGINT']);
}
