import { readFileSync } from 'node:fs';
import { describe, expect, inject, it } from 'vitest';
import { apiUrl, asOwner, asTenant, client, registerUser, fetchAnsweredEarly } from './support/api.js';

const IDENTITY_TABLES_WITH_ORG = ['refresh_tokens'];

describe('health, correlation id, error envelope, OpenAPI', () => {
  it('reports liveness and readiness (database reachable as the runtime role)', async () => {
    const live = await client().GET('/health/live');
    expect(live.response.status).toBe(200);
    expect(live.data?.status).toBe('ok');

    const ready = await client().GET('/health/ready');
    expect(ready.response.status).toBe(200);
    expect(ready.data).toEqual({ status: 'ready', checks: { database: 'up' } });
  });

  it('echoes a safe X-Correlation-Id, replaces an unsafe one, and logs it', async () => {
    const echoed = await fetch(`${apiUrl()}/health/live`, { headers: { 'x-correlation-id': 'req_e2e-123' } });
    expect(echoed.headers.get('x-correlation-id')).toBe('req_e2e-123');

    const unsafe = await fetch(`${apiUrl()}/health/live`, { headers: { 'x-correlation-id': 'bad value\twith spaces' } });
    expect(unsafe.headers.get('x-correlation-id')).toMatch(/^[0-9a-f-]{36}$/);

    const generated = await fetch(`${apiUrl()}/health/live`);
    expect(generated.headers.get('x-correlation-id')).toMatch(/^[0-9a-f-]{36}$/);

    await new Promise((resolve) => setTimeout(resolve, 200));
    const lines = readFileSync(inject('appLogFile'), 'utf8').split('\n').filter(Boolean);
    const entry = lines.map((line) => JSON.parse(line) as Record<string, unknown>).find((e) => e.correlationId === 'req_e2e-123');
    expect(entry).toMatchObject({ msg: 'request completed', url: '/health/live', status: 200 });
  });

  it('answers an unknown route with the 404 envelope carrying the correlation id', async () => {
    const response = await fetch(`${apiUrl()}/api/v1/does-not-exist`, { headers: { 'x-correlation-id': 'req_404' } });
    expect(response.status).toBe(404);
    const body = await response.json();
    expect(body).toEqual({
      error: { code: 'NOT_FOUND', message: expect.any(String), correlationId: 'req_404', timestamp: expect.any(String) },
    });
  });

  it('answers malformed JSON, a wrong content type and an oversized body with envelopes, never parser internals', async () => {
    const badJson = await fetch(`${apiUrl()}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"email": ',
    });
    expect(badJson.status).toBe(400);
    const badJsonBody = (await badJson.json()) as any;
    expect(badJsonBody.error).toMatchObject({ code: 'BAD_REQUEST', message: 'Malformed JSON request body' });
    expect(badJsonBody.error.correlationId).toBe(badJson.headers.get('x-correlation-id'));

    const wrongType = await fetch(`${apiUrl()}/api/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'text/xml' }, body: '<a/>' });
    expect(wrongType.status).toBe(415);
    expect(((await wrongType.json()) as any).error.code).toBe('UNSUPPORTED_MEDIA_TYPE');

    const huge = await fetchAnsweredEarly(`${apiUrl()}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      // Just over the 1 MiB limit: the server answers 413 and closes; a much larger upload can still be in flight then (EPIPE).
      body: JSON.stringify({ email: 'x'.repeat(1024 * 1024), password: 'x' }),
    });
    expect(huge.status).toBe(413);
    expect(((await huge.json()) as any).error.code).toBe('PAYLOAD_TOO_LARGE');
  });

  it('documents every route with a response schema, request schemas and the bearer scheme', async () => {
    const response = await fetch(`${apiUrl()}/api/docs-json`);
    expect(response.status).toBe(200);
    const document = (await response.json()) as {
      paths: Record<string, Record<string, any>>;
      components: { securitySchemes: Record<string, unknown> };
    };
    expect(document.components.securitySchemes.bearer).toMatchObject({ type: 'http', scheme: 'bearer' });
    expect(document.paths['/health/live']).toBeDefined();
    const problems: string[] = [];
    for (const [path, item] of Object.entries(document.paths)) {
      for (const [method, operation] of Object.entries(item)) {
        const success = Object.entries(operation.responses ?? {}).filter(([status]) => /^2\d\d$/.test(status));
        if (success.length === 0) problems.push(`${method.toUpperCase()} ${path}: no success response`);
        for (const [status, res] of success as [string, any][]) {
          if (status !== '204' && !res.content?.['application/json']?.schema) problems.push(`${method.toUpperCase()} ${path}: ${status} without schema`);
        }
        if (['put', 'patch'].includes(method) && !operation.requestBody?.content?.['application/json']?.schema) {
          problems.push(`${method.toUpperCase()} ${path}: no request body schema`);
        }
        if (!operation.responses?.default) problems.push(`${method.toUpperCase()} ${path}: no error envelope`);
        for (const param of operation.parameters ?? []) {
          if (!param.schema) problems.push(`${method.toUpperCase()} ${path}: parameter ${param.name} without schema`);
        }
      }
    }
    expect(problems).toEqual([]);
  });

  it('connects as a runtime role that RLS applies to (not owner, superuser or BYPASSRLS)', async () => {
    const appUser = new URL(inject('appDatabaseUrl')).username;
    const [role] = await asOwner<{ rolsuper: boolean; rolbypassrls: boolean; owned: number }>(
      `select rolsuper, rolbypassrls, (select count(*) from pg_tables where tableowner = $1)::int as owned from pg_roles where rolname = $1`,
      [appUser],
    );
    expect(role).toEqual({ rolsuper: false, rolbypassrls: false, owned: 0 });
    const unprotected = await asOwner<{ tablename: string }>(
      `select c.relname as tablename from pg_class c join pg_namespace n on n.oid = c.relnamespace
        where n.nspname = 'public' and c.relkind = 'r'
          and exists (select 1 from information_schema.columns where table_schema = 'public' and table_name = c.relname and column_name = 'org_id')
          and not (c.relrowsecurity and c.relforcerowsecurity)`,
    );
    // refresh_tokens carries the session's org but is identity data reached by token hash (see the IAM migration).
    expect(unprotected.filter((t) => !IDENTITY_TABLES_WITH_ORG.includes(t.tablename))).toEqual([]);
  });
});

describe('tenancy is enforced by PostgreSQL (outbox_events as the probe)', () => {
  it('shows a tenant only its own rows and refuses writes into another tenant', async () => {
    const [a, b] = await Promise.all([registerUser(), registerUser()]);
    const insert = `insert into outbox_events (org_id, type, payload) values ($1, 'probe.created', '{}') returning id`;
    const [row] = await asTenant(a.org.id, insert, [a.org.id], { commit: true });

    expect(await asTenant(a.org.id, 'select id from outbox_events where id = $1', [row!.id])).toEqual([{ id: row!.id }]);
    // Same query, other tenant: the row does not exist for B — no WHERE org_id needed, RLS filters it.
    expect(await asTenant(b.org.id, 'select id from outbox_events where id = $1', [row!.id])).toEqual([]);
    expect(await asTenant(b.org.id, 'select count(*)::int as n from outbox_events where org_id = $1', [a.org.id])).toEqual([{ n: 0 }]);
    // Without a tenant nothing is visible.
    expect(await asTenant('', 'select count(*)::int as n from outbox_events')).toEqual([{ n: 0 }]);
    // B cannot write a row into A, nor move or delete A's row.
    await expect(asTenant(b.org.id, insert, [a.org.id])).rejects.toThrow(/row-level security/);
    expect(await asTenant(b.org.id, 'update outbox_events set type = $2 where id = $1 returning id', [row!.id, 'x'])).toEqual([]);
    expect(await asTenant(b.org.id, 'delete from outbox_events where id = $1 returning id', [row!.id])).toEqual([]);
    // The runtime role cannot switch RLS off or become someone else.
    await expect(asTenant(b.org.id, 'set local row_security = off; select count(*) from outbox_events')).rejects.toThrow(/row-level security/);
    await expect(asTenant(b.org.id, 'set local role postgres')).rejects.toThrow();
  });

  it('delivers published events after commit (every outbox row older than a moment is dispatched)', async () => {
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    const pending = await asOwner<{ type: string }>(
      `select type from outbox_events where dispatched_at is null and type <> 'probe.created' and created_at < now() - interval '1 second'`,
    );
    expect(pending).toEqual([]);
  });
});

