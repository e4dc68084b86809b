import type { INestApplication, LoggerService } from '@nestjs/common';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { CORRELATION_HEADER, correlationIdFrom } from './correlation-id.js';
import { RequestContext, type RequestContextData } from './request-context.js';

declare module 'fastify' {
  interface FastifyRequest {
    platformContext?: RequestContextData;
  }
}

/** The context of a Fastify request (also reachable outside AsyncLocalStorage, e.g. from the exception filter). */
export function contextOf(request: { platformContext?: RequestContextData } | undefined): RequestContextData | undefined {
  return request?.platformContext;
}

/**
 * Opens the RequestContext for every request (also unknown routes), puts X-Correlation-Id on every response,
 * and writes one access-log line per request. (Errors Fastify raises itself — bad JSON, 413, 415 — reach the
 * global ExceptionEnvelopeFilter through Nest's Fastify error handler.)
 *
 * The context is re-entered before validation and the handler because body parsing resumes on the socket's
 * async context, not the one opened in onRequest.
 */
export function installRequestContext(app: INestApplication, logger: LoggerService): void {
  const fastify = app.getHttpAdapter().getInstance() as FastifyInstance;

  fastify.addHook('onRequest', (request: FastifyRequest, reply: FastifyReply, done: () => void) => {
    const data: RequestContextData = {
      correlationId: correlationIdFrom(request.headers[CORRELATION_HEADER]),
      roles: [],
      ip: request.ip,
      userAgent: typeof request.headers['user-agent'] === 'string' ? request.headers['user-agent'] : undefined,
    };
    request.platformContext = data;
    void reply.header(CORRELATION_HEADER, data.correlationId);
    RequestContext.run(data, done);
  });

  const reenter = (request: FastifyRequest, _reply: FastifyReply, done: () => void): void => {
    if (request.platformContext) RequestContext.run(request.platformContext, done);
    else done();
  };
  fastify.addHook('preValidation', reenter);
  fastify.addHook('preHandler', reenter);

  fastify.addHook('onResponse', (request: FastifyRequest, reply: FastifyReply, done: () => void) => {
    const run = () => {
      logger.log(
        {
          msg: 'request completed',
          method: request.method,
          url: request.url.split('?')[0],
          status: reply.statusCode,
          durationMs: Math.round(reply.elapsedTime),
          userId: request.platformContext?.userId,
          orgId: request.platformContext?.orgId,
        },
        'http',
      );
      done();
    };
    if (request.platformContext) RequestContext.run(request.platformContext, run);
    else run();
  });
}
