import { HttpException } from '@nestjs/common';
import { DomainError, TooManyRequestsError } from './domain-errors.js';

/** The one error shape every response uses. */
export interface ErrorEnvelope {
  error: {
    code: string;
    message: string;
    details?: unknown[];
    correlationId: string;
    timestamp: string;
  };
}

export interface MappedError {
  status: number;
  code: string;
  message: string;
  details?: unknown[];
  headers?: Record<string, string>;
  /** True when the cause is a bug or an outage rather than a client mistake (logged with its stack). */
  unexpected: boolean;
}

const CODE_BY_STATUS: Record<number, string> = {
  400: 'BAD_REQUEST',
  401: 'UNAUTHORIZED',
  403: 'FORBIDDEN',
  404: 'NOT_FOUND',
  405: 'METHOD_NOT_ALLOWED',
  406: 'NOT_ACCEPTABLE',
  408: 'REQUEST_TIMEOUT',
  409: 'CONFLICT',
  410: 'GONE',
  413: 'PAYLOAD_TOO_LARGE',
  414: 'URI_TOO_LONG',
  415: 'UNSUPPORTED_MEDIA_TYPE',
  422: 'UNPROCESSABLE_ENTITY',
  423: 'ACCOUNT_LOCKED',
  429: 'RATE_LIMITED',
  431: 'HEADERS_TOO_LARGE',
};

const MESSAGE_BY_STATUS: Record<number, string> = {
  400: 'Bad request',
  401: 'Authentication required',
  403: 'You do not have permission to perform this action',
  404: 'Resource not found',
  405: 'Method not allowed',
  409: 'Conflict',
  413: 'Request body is too large',
  415: 'Unsupported media type',
  429: 'Too many requests',
};

const INTERNAL: MappedError = { status: 500, code: 'INTERNAL_ERROR', message: 'An unexpected error occurred', unexpected: true };

interface ErrorLike {
  name?: unknown;
  code?: unknown;
  statusCode?: unknown;
  message?: unknown;
  meta?: unknown;
}

function clientStatus(status: unknown): number | undefined {
  return typeof status === 'number' && status >= 400 && status < 500 ? status : undefined;
}

const UNAVAILABLE: MappedError = { status: 503, code: 'SERVICE_UNAVAILABLE', message: 'Service temporarily unavailable', unexpected: true };

const OUTAGE_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EHOSTUNREACH', '57P01', '57P02', '57P03', '53300']);
const OUTAGE_KINDS = new Set(['DatabaseNotReachable', 'ConnectionClosed', 'SocketTimeout', 'TooManyConnections']);
const OUTAGE_MESSAGE =
  /Connection terminated|connection timeout|timeout exceeded when trying to connect|Server has closed the connection|Can't reach database server|Unable to start a transaction in the given time|connection error|Connection refused/i;

/**
 * The database cannot be reached (refused, dropped, timed out, shutting down, out of connections): an outage,
 * not a bug of the request, so 503 and clients may retry. Recognised on pg errors, driver-adapter errors and
 * Prisma's errors alike, by shape.
 */
function isDatabaseOutage(error: ErrorLike & { cause?: unknown; kind?: unknown }, depth = 0): boolean {
  if (!error || typeof error !== 'object' || depth > 3) return false;
  if (error.name === 'PrismaClientInitializationError') return true;
  if (typeof error.code === 'string' && (OUTAGE_CODES.has(error.code) || /^08/.test(error.code))) return true;
  if (typeof error.kind === 'string' && OUTAGE_KINDS.has(error.kind)) return true;
  if (typeof error.message === 'string' && OUTAGE_MESSAGE.test(error.message)) return true;
  return isDatabaseOutage(error.cause as ErrorLike, depth + 1);
}

/** Prisma's known request errors, recognised by shape so this file does not depend on the generated client. */
function mapPrismaError(error: ErrorLike): MappedError | undefined {
  if (error.name !== 'PrismaClientKnownRequestError' || typeof error.code !== 'string') return undefined;
  switch (error.code) {
    case 'P2002':
      return { status: 409, code: 'CONFLICT', message: 'A resource with the same unique values already exists', unexpected: false };
    case 'P2025':
    case 'P2001':
      return { status: 404, code: 'NOT_FOUND', message: 'Resource not found', unexpected: false };
    case 'P2003':
      return { status: 409, code: 'CONFLICT', message: 'A referenced resource does not exist or is still referenced', unexpected: false };
    case 'P1001':
    case 'P1002':
    case 'P1008':
    case 'P1017':
    case 'P2024':
    case 'P2028':
      // Database unreachable, pool exhausted or no transaction in time: an outage, not a bug of the request.
      return UNAVAILABLE;
    case 'P2000':
    case 'P2006':
    case 'P2007':
    case 'P2023':
      return { status: 400, code: 'VALIDATION_ERROR', message: 'Request validation failed', unexpected: false };
    default:
      return undefined;
  }
}

/** Fastify's own errors (bad JSON, body too large, wrong content type, ...) carry `FST_*` codes or a 4xx statusCode. */
function mapFastifyError(error: ErrorLike): MappedError | undefined {
  const status = clientStatus(error.statusCode);
  if (!status) return undefined;
  const code = typeof error.code === 'string' ? error.code : '';
  if (status === 400 && (error.name === 'SyntaxError' || code.includes('JSON') || code === 'FST_ERR_CTP_EMPTY_JSON_BODY')) {
    return { status, code: 'BAD_REQUEST', message: 'Malformed JSON request body', unexpected: false };
  }
  return {
    status,
    code: CODE_BY_STATUS[status] ?? 'BAD_REQUEST',
    message: MESSAGE_BY_STATUS[status] ?? 'Bad request',
    unexpected: false,
  };
}

function mapHttpException(exception: HttpException): MappedError {
  const status = exception.getStatus();
  if (status >= 500) return { ...INTERNAL, status, unexpected: true };
  const response = exception.getResponse();
  let message = MESSAGE_BY_STATUS[status] ?? exception.message;
  let details: unknown[] | undefined;
  if (typeof response === 'string') message = response;
  else if (response && typeof response === 'object') {
    const body = response as { message?: unknown };
    if (typeof body.message === 'string') message = body.message;
    else if (Array.isArray(body.message)) {
      message = 'Request validation failed';
      details = body.message.map((m) => ({ field: '', message: String(m) }));
    }
  }
  const code = status === 400 && details ? 'VALIDATION_ERROR' : (CODE_BY_STATUS[status] ?? 'HTTP_ERROR');
  return { status, code, message, details, unexpected: false };
}

/** Maps anything thrown to status + code + a message safe for clients; never a stack or database text. */
export function mapError(exception: unknown): MappedError {
  if (exception instanceof DomainError) {
    const headers = exception instanceof TooManyRequestsError ? { 'retry-after': String(exception.retryAfterSeconds) } : undefined;
    return { status: exception.status, code: exception.code, message: exception.message, details: exception.details, headers, unexpected: false };
  }
  if (exception instanceof HttpException) {
    // Nest's Fastify adapter wraps Fastify's own errors (bad JSON, 413, 415) in an HttpException with the cause.
    const cause = exception.cause as ErrorLike | undefined;
    if (cause instanceof DomainError) return mapError(cause);
    return (cause && typeof cause === 'object' && mapFastifyError(cause)) || mapHttpException(exception);
  }
  if (exception && typeof exception === 'object') {
    const error = exception as ErrorLike;
    return mapPrismaError(error) ?? mapFastifyError(error) ?? (isDatabaseOutage(error) ? UNAVAILABLE : INTERNAL);
  }
  return INTERNAL;
}

export function toEnvelope(mapped: MappedError, correlationId: string): ErrorEnvelope {
  return {
    error: {
      code: mapped.code,
      message: mapped.message,
      ...(mapped.details && mapped.details.length > 0 ? { details: mapped.details } : {}),
      correlationId,
      timestamp: new Date().toISOString(),
    },
  };
}
