import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { INestApplication } from '@nestjs/common';
import { DiscoveryService, Reflector } from '@nestjs/core';
import { DocumentBuilder, type OpenAPIObject, SwaggerModule } from '@nestjs/swagger';
import type { FastifyInstance } from 'fastify';
import { IS_PUBLIC_KEY } from '../auth/public.decorator.js';
import { PLATFORM_CONFIG, type PlatformConfig } from '../platform/platform-config.js';

export const OPENAPI_DOCS_PATH = 'api/docs';
export const OPENAPI_JSON_PATH = 'api/docs-json';

const ERROR_ENVELOPE_SCHEMA = {
  type: 'object',
  required: ['error'],
  properties: {
    error: {
      type: 'object',
      required: ['code', 'message', 'correlationId', 'timestamp'],
      properties: {
        code: { type: 'string', example: 'VALIDATION_ERROR' },
        message: { type: 'string' },
        details: { type: 'array', items: {} },
        correlationId: { type: 'string' },
        timestamp: { type: 'string', format: 'date-time' },
      },
      additionalProperties: false,
    },
  },
  additionalProperties: false,
} as const;

const operationId = (controllerKey: string, methodKey: string) => `${controllerKey}_${methodKey}`;

/** Operation ids of routes marked @Public(): they are documented without the bearer requirement. */
function publicOperationIds(app: INestApplication): Set<string> {
  const discovery = app.get(DiscoveryService);
  const reflector = app.get(Reflector);
  const ids = new Set<string>();
  for (const wrapper of discovery.getControllers()) {
    const controller = wrapper.metatype as (new (...args: unknown[]) => unknown) | undefined;
    if (!controller?.prototype) continue;
    for (const key of Object.getOwnPropertyNames(controller.prototype)) {
      if (key === 'constructor') continue;
      const handler = (controller.prototype as Record<string, unknown>)[key];
      if (typeof handler !== 'function') continue;
      if (reflector.getAllAndOverride<boolean>(IS_PUBLIC_KEY, [handler, controller])) ids.add(operationId(controller.name, key));
    }
  }
  return ids;
}

/**
 * The OpenAPI 3 document of every route: request/response schemas come from the zod decorators; every operation
 * also documents the error envelope, and the bearer requirement unless it is @Public().
 */
export function createOpenApiDocument(app: INestApplication): OpenAPIObject {
  const config = app.get<PlatformConfig>(PLATFORM_CONFIG);
  const builder = new DocumentBuilder()
    .setTitle(`${config.product.displayName} API`)
    .setDescription(`REST API of ${config.product.displayName}. Errors use one envelope: { error: { code, message, details?, correlationId, timestamp } }.`)
    .setVersion('1.0.0')
    .addBearerAuth({ type: 'http', scheme: 'bearer', bearerFormat: 'JWT' }, 'bearer')
    .addSecurityRequirements('bearer')
    .build();
  const document = SwaggerModule.createDocument(app, builder, { operationIdFactory: operationId });
  document.components = document.components ?? {};
  document.components.schemas = { ...(document.components.schemas ?? {}), ErrorEnvelope: ERROR_ENVELOPE_SCHEMA as never };

  const publicIds = publicOperationIds(app);
  for (const item of Object.values(document.paths)) {
    for (const method of ['get', 'put', 'post', 'delete', 'patch', 'options', 'head'] as const) {
      const operation = item[method];
      if (!operation) continue;
      if (operation.operationId && publicIds.has(operation.operationId)) operation.security = [];
      operation.responses = operation.responses ?? {};
      operation.responses.default = operation.responses.default ?? {
        description: 'Error (standard envelope)',
        content: { 'application/json': { schema: { $ref: '#/components/schemas/ErrorEnvelope' } } },
      };
    }
  }
  return document;
}

const SWAGGER_UI_ASSETS: Record<string, string> = {
  'swagger-ui.css': 'text/css; charset=utf-8',
  'swagger-ui-bundle.js': 'application/javascript; charset=utf-8',
  'swagger-ui-standalone-preset.js': 'application/javascript; charset=utf-8',
};

function swaggerUiHtml(title: string): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${title}</title>
<link rel="stylesheet" href="/${OPENAPI_DOCS_PATH}/swagger-ui.css"></head>
<body><div id="swagger-ui"></div>
<script src="/${OPENAPI_DOCS_PATH}/swagger-ui-bundle.js"></script>
<script src="/${OPENAPI_DOCS_PATH}/swagger-ui-standalone-preset.js"></script>
<script>window.ui = SwaggerUIBundle({ url: '/${OPENAPI_JSON_PATH}', dom_id: '#swagger-ui', persistAuthorization: true,
  presets: [SwaggerUIBundle.presets.apis, SwaggerUIStandalonePreset], layout: 'StandaloneLayout' });</script>
</body></html>`;
}

/**
 * Serves the document at `/api/docs-json` and Swagger UI at `/api/docs` (assets from swagger-ui-dist, read
 * directly: the Fastify static plugin Nest would use is not a dependency).
 */
export function setupOpenApi(app: INestApplication): void {
  const fastify = app.getHttpAdapter().getInstance() as FastifyInstance;
  let document: OpenAPIObject | undefined;
  const getDocument = () => (document ??= createOpenApiDocument(app));
  const title = `${app.get<PlatformConfig>(PLATFORM_CONFIG).product.displayName} API`;

  fastify.get(`/${OPENAPI_JSON_PATH}`, async (_request, reply) => reply.type('application/json').send(getDocument()));
  fastify.get(`/${OPENAPI_DOCS_PATH}`, async (_request, reply) => reply.type('text/html; charset=utf-8').send(swaggerUiHtml(title)));

  let assetsDir: string | undefined;
  try {
    assetsDir = dirname(createRequire(import.meta.url).resolve('swagger-ui-dist/package.json'));
  } catch {
    assetsDir = undefined;
  }
  for (const [file, type] of Object.entries(SWAGGER_UI_ASSETS)) {
    fastify.get(`/${OPENAPI_DOCS_PATH}/${file}`, async (_request, reply) => {
      if (!assetsDir) return reply.status(404).send();
      return reply.type(type).header('cache-control', 'public, max-age=86400').send(readFileSync(join(assetsDir, file)));
    });
  }
}
