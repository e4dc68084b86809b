import { randomUUID } from 'node:crypto';
import { request as httpRequest } from 'node:http';
import pg from 'pg';
import { inject } from 'vitest';
import { type ApiClient, createApiClient } from '../../../sdk/index.js';

/** Origin of the app under test (from the global setup, or API_URL to aim at a running server). */
export function apiUrl(): string {
  return process.env.API_URL ?? inject('apiUrl');
}

/** Typed SDK client on the app under test; with `token`, every request carries `Authorization: Bearer <token>`. */
export function client(token?: string, options: { correlationId?: string } = {}): ApiClient {
  return createApiClient({ baseUrl: apiUrl(), token, correlationId: options.correlationId });
}

/** A password that satisfies the default policy (12+ chars, upper, lower, digit, special). */
export const STRONG_PASSWORD = 'Correct-Horse-42-battery';

export function uniqueEmail(prefix = 'user'): string {
  return `${prefix}.${randomUUID().slice(0, 8)}@example.test`;
}

export interface RegisteredUser {
  user: { id: string; email: string; first_name: string; last_name: string; [key: string]: unknown };
  org: { id: string; name: string; slug: string; role: string; [key: string]: unknown };
  accessToken: string;
  refreshToken: string;
  email: string;
  password: string;
}

export interface RegisterOverrides {
  email?: string;
  password?: string;
  first_name?: string;
  last_name?: string;
  org_name?: string;
}

/** Registers a new user (+ personal org where they are owner) through the API; fails the test on any error. */
export async function registerUser(overrides: RegisterOverrides = {}): Promise<RegisteredUser> {
  const email = overrides.email ?? uniqueEmail();
  const password = overrides.password ?? STRONG_PASSWORD;
  const body = { first_name: 'Test', last_name: 'User', ...overrides, email, password };
  const response = await fetch(`${apiUrl()}/api/v1/auth/register`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  const json = (await response.json()) as Record<string, any>;
  if (!response.ok) throw new Error(`register ${email} failed: ${response.status} ${JSON.stringify(json)}`);
  const tokens = json.tokens ?? json;
  return {
    user: json.user,
    org: json.org ?? json.organization,
    accessToken: tokens.access_token ?? tokens.accessToken,
    refreshToken: tokens.refresh_token ?? tokens.refreshToken,
    email,
    password,
  };
}

export type Row = Record<string, any>;

const pools = new Map<string, pg.Pool>();

function pool(connectionString: string): pg.Pool {
  let existing = pools.get(connectionString);
  if (!existing) {
    existing = new pg.Pool({ connectionString, max: 4, idleTimeoutMillis: 1_000, allowExitOnIdle: true });
    pools.set(connectionString, existing);
  }
  return existing;
}

/**
 * Raw SQL as the app's runtime role (RLS applies), inside a transaction where `app.current_org_id` is `orgId`
 * (and `app.current_user_id` is `userId` when given) — exactly what PrismaService.tenant() sets. Rolled back
 * unless `commit` is set, so probes leave no trace.
 */
export async function asTenant<R extends Row = Row>(
  orgId: string,
  sql: string,
  params: unknown[] = [],
  options: { userId?: string; commit?: boolean } = {},
): Promise<R[]> {
  const connection = await pool(inject('appDatabaseUrl')).connect();
  try {
    await connection.query('begin');
    await connection.query("select set_config('app.current_org_id', $1, true), set_config('app.current_user_id', $2, true)", [
      orgId,
      options.userId ?? '',
    ]);
    const result = await connection.query<R>(sql, params);
    await connection.query(options.commit ? 'commit' : 'rollback');
    return result.rows;
  } catch (error) {
    await connection.query('rollback').catch(() => {});
    throw error;
  } finally {
    connection.release();
  }
}

/** Raw SQL as the migration owner (for setup and for checking what is really stored). */
export async function asOwner<R extends Row = Row>(sql: string, params: unknown[] = []): Promise<R[]> {
  const result = await pool(inject('databaseUrl')).query<R>(sql, params);
  return result.rows;
}

/** `db(orgId)` binds asTenant to one org: `await db(org.id).asTenant('select * from tasks')`. */
export function db(orgId?: string) {
  return {
    asTenant: <R extends Row = Row>(sqlOrOrgId: string, sqlOrParams?: string | unknown[], params?: unknown[]) =>
      typeof sqlOrParams === 'string'
        ? asTenant<R>(sqlOrOrgId, sqlOrParams, params ?? [])
        : asTenant<R>(orgId ?? '', sqlOrOrgId, sqlOrParams ?? []),
    asOwner,
  };
}

/** Bodies above this go out after their headers (see sendHeadersFirst). */
const HEADERS_FIRST_BYTES = 64 * 1024;

/**
 * A large body is sent only once the server had a chance to answer its headers: a server that refuses the body from
 * its Content-Length (413) answers and closes the connection at once, and a client still writing the body into the
 * closing socket loses that answer to EPIPE — often under load, however often it retries. When no answer comes
 * within half a second, the body is sent as usual.
 */
function sendHeadersFirst(url: string, init: RequestInit, body: Buffer): Promise<Response> {
  return new Promise((resolve, reject) => {
    const headers = { ...(init.headers as Record<string, string> | undefined), 'content-length': String(body.length) };
    const request = httpRequest(url, { method: init.method ?? 'POST', headers });
    let settled = false;
    const settle = (outcome: () => void) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      outcome();
    };
    const timer = setTimeout(() => request.end(body), 500);
    request.on('response', (response) => {
      clearTimeout(timer);
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('error', (error) => settle(() => reject(error)));
      response.on('end', () =>
        settle(() => {
          const status = response.statusCode ?? 0;
          const answer = new Headers();
          for (const [name, value] of Object.entries(response.headers)) for (const one of [value ?? []].flat()) answer.append(name, one);
          resolve(new Response(status === 204 || status === 304 ? null : Buffer.concat(chunks), { status, headers: answer }));
          request.destroy();
        }),
      );
    });
    request.on('error', (error) => settle(() => reject(error)));
    request.flushHeaders();
  });
}

/**
 * fetch for requests the server may answer before it has read the whole body (413 for an oversized upload): a large
 * body waits for an early answer to its headers (sendHeadersFirst); a request whose socket still closes while
 * sending is sent again (at most twice more). Any HTTP answer is returned as is.
 */
export async function fetchAnsweredEarly(url: string, init: RequestInit): Promise<Response> {
  const body = typeof init.body === 'string' ? Buffer.from(init.body) : Buffer.isBuffer(init.body) ? init.body : undefined;
  if (body && body.length > HEADERS_FIRST_BYTES) return sendHeadersFirst(url, init, body);
  for (let attempt = 0; ; attempt++) {
    try {
      return await fetch(url, init);
    } catch (error) {
      const code = (error as { cause?: { code?: string } }).cause?.code ?? '';
      if (attempt >= 2 || !/UND_ERR_SOCKET|EPIPE|ECONNRESET/.test(code)) throw error;
    }
  }
}
