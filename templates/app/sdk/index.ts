import createClient, { type Client, type Middleware } from 'openapi-fetch';
import type { paths } from './schema.js';

export type { components, operations, paths } from './schema.js';

export interface ApiClientOptions {
  /** Origin of the API, e.g. `http://localhost:3000` (paths in the schema include `/api/v1`). */
  baseUrl: string;
  /** Access token sent as `Authorization: Bearer …`; a function is asked on every request (token refresh). */
  token?: string | (() => string | undefined | Promise<string | undefined>);
  /** X-Correlation-Id for every request; default: a new UUID per request. */
  correlationId?: string | (() => string);
  fetch?: typeof globalThis.fetch;
  headers?: Record<string, string>;
}

export type ApiClient = Client<paths>;

/** Typed client of the product's REST API (openapi-fetch over the generated OpenAPI types). */
export function createApiClient(options: ApiClientOptions): ApiClient {
  const client = createClient<paths>({ baseUrl: options.baseUrl, fetch: options.fetch, headers: options.headers });
  const auth: Middleware = {
    async onRequest({ request }) {
      const token = typeof options.token === 'function' ? await options.token() : options.token;
      if (token && !request.headers.has('authorization')) request.headers.set('authorization', `Bearer ${token}`);
      if (!request.headers.has('x-correlation-id')) {
        const id = typeof options.correlationId === 'function' ? options.correlationId() : options.correlationId;
        request.headers.set('x-correlation-id', id ?? globalThis.crypto.randomUUID());
      }
      return request;
    },
  };
  client.use(auth);
  return client;
}
