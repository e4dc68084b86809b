import type { FastifyInstance, FastifyRequest } from 'fastify';
import { ValidationError } from '../errors/domain-errors.js';

/** Nesting deeper than this is refused (400) before JSON.parse: no request body needs it, and it costs stack. */
export const DEFAULT_MAX_JSON_DEPTH = 32;

/** A 400 the Fastify parser chain carries to the envelope filter (statusCode for Fastify, DomainError for the filter). */
function badBody(message: string): ValidationError & { statusCode: number } {
  return Object.assign(new ValidationError([{ field: 'body', message }], message), { statusCode: 400 });
}

/** Deepest `{`/`[` nesting of a JSON text, counted outside strings; stops early beyond `limit`. */
export function jsonDepth(text: string, limit: number): number {
  let depth = 0;
  let max = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 92 /* \ */) i++;
      else if (c === 34 /* " */) inString = false;
      continue;
    }
    if (c === 34) inString = true;
    else if (c === 123 /* { */ || c === 91 /* [ */) {
      if (++depth > max) {
        max = depth;
        if (max > limit) return max;
      }
    } else if (c === 125 /* } */ || c === 93 /* ] */) depth--;
  }
  return max;
}

/**
 * The only body parser of the app: `application/json` (and `+json` types), strict UTF-8, nesting at most
 * MAX_JSON_DEPTH (32) levels, `__proto__` / `constructor.prototype` keys refused (Fastify's secure parser).
 * Any other content type with a body is a 415; a body over the app's bodyLimit is a 413.
 */
export function installJsonBodyParser(fastify: FastifyInstance, bodyLimit: number): void {
  const maxDepth = Number(process.env.MAX_JSON_DEPTH ?? DEFAULT_MAX_JSON_DEPTH);
  const decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false });
  const secureParse = fastify.getDefaultJsonParser('error', 'error');
  fastify.removeAllContentTypeParsers();
  fastify.addContentTypeParser(
    /^application\/([a-z0-9.+-]+\+)?json$/i,
    { parseAs: 'buffer', bodyLimit },
    (request: FastifyRequest, body: Buffer | string, done: (error: Error | null, value?: unknown) => void) => {
      let text: string;
      try {
        text = typeof body === 'string' ? body : decoder.decode(body);
      } catch {
        done(badBody('The request body is not valid UTF-8'));
        return;
      }
      if (text.trim() === '') {
        done(null, undefined);
        return;
      }
      if (jsonDepth(text, maxDepth) > maxDepth) {
        done(badBody(`JSON nested deeper than ${maxDepth} levels`));
        return;
      }
      // Fastify's default parser answers through `done` synchronously; its type also allows a promise.
      void secureParse(request, text, done);
    },
  );
}
