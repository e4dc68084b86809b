import { type ArgumentsHost, Catch, type ExceptionFilter, Logger } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { CORRELATION_HEADER, correlationIdFrom } from '../context/correlation-id.js';
import { RequestContext } from '../context/request-context.js';
import { mapError, toEnvelope } from './error-envelope.js';

/** Maps every exception (domain, Nest, Fastify, Prisma, anything) to the standard envelope; logs the full error server-side. */
@Catch()
export class ExceptionEnvelopeFilter implements ExceptionFilter {
  private readonly logger = new Logger('ExceptionEnvelopeFilter');

  catch(exception: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const request = http.getRequest<FastifyRequest>();
    const reply = http.getResponse<FastifyReply>();
    const mapped = mapError(exception);
    const correlationId =
      request?.platformContext?.correlationId ?? RequestContext.find()?.correlationId ?? correlationIdFrom(undefined);

    if (mapped.unexpected) {
      this.logger.error(exception instanceof Error ? exception : { msg: 'non-error thrown', value: String(exception) });
    } else if (mapped.status >= 400) {
      this.logger.debug({ msg: 'request rejected', code: mapped.code, status: mapped.status });
    }

    void reply
      .status(mapped.status)
      .headers({ ...(mapped.headers ?? {}), [CORRELATION_HEADER]: correlationId })
      .send(toEnvelope(mapped, correlationId));
  }
}
