import { randomUUID } from 'node:crypto';

export const CORRELATION_HEADER = 'x-correlation-id';

// Echo only values that cannot inject into logs or headers.
const SAFE_CORRELATION_ID = /^[A-Za-z0-9._:@-]{1,128}$/;

export function correlationIdFrom(header: string | string[] | undefined): string {
  const value = Array.isArray(header) ? header[0] : header;
  return value && SAFE_CORRELATION_ID.test(value) ? value : randomUUID();
}
