import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { asOwner, registerUser } from './support/api.js';
import { spawnApp, startTcpProxy, type SpawnedApp, type TcpProxy, withHostPort } from './support/spawn-app.js';

/**
 * A PostgreSQL outage while serving, and a shutdown while serving: an instance of the app reaches the database
 * through a TCP proxy the test cuts and restores (the shared database server keeps running for other tests).
 */

let proxy: TcpProxy;
let app: SpawnedApp;
let token: string;

async function me(): Promise<{ status: number; body: any; ms: number }> {
  const started = Date.now();
  const response = await fetch(`${app.url}/api/v1/users/me`, { headers: { authorization: `Bearer ${token}` } });
  return { status: response.status, body: await response.json().catch(() => undefined), ms: Date.now() - started };
}

async function ready(): Promise<{ status: number; body: any }> {
  const response = await fetch(`${app.url}/health/ready`);
  return { status: response.status, body: await response.json() };
}

beforeAll(async () => {
  const target = new URL(inject('appDatabaseUrl'));
  proxy = await startTcpProxy({ host: target.hostname, port: Number(target.port || 5432) });
  app = await spawnApp({
    APP_DATABASE_URL: withHostPort(inject('appDatabaseUrl'), '127.0.0.1', proxy.port),
    DATABASE_URL: withHostPort(inject('databaseUrl'), '127.0.0.1', proxy.port),
    DATABASE_CONNECT_TIMEOUT_MS: '2000',
  });
  token = (await registerUser()).accessToken;
});

afterAll(async () => {
  await app?.stop();
  await proxy?.close();
});

describe('faults', () => {
  it('database unreachable mid-traffic → 503 envelopes and degraded readiness, no crash; recovers by itself', async () => {
    for (let i = 0; i < 5; i++) expect((await me()).status).toBe(200);
    expect((await ready()).status).toBe(200);

    proxy.cut();
    const during = await Promise.all(Array.from({ length: 6 }, () => me()));
    for (const answer of during) {
      expect(answer.status, JSON.stringify(answer.body)).toBe(503);
      expect(answer.body.error).toMatchObject({ code: 'SERVICE_UNAVAILABLE', correlationId: expect.any(String) });
      expect(answer.ms).toBeLessThan(15_000);
    }
    const degraded = await ready();
    expect(degraded).toMatchObject({ status: 503, body: { status: 'degraded', checks: { database: 'down' } } });
    expect((await fetch(`${app.url}/health/live`)).status).toBe(200);

    proxy.restore();
    const deadline = Date.now() + 20_000;
    let last = await me();
    while (last.status !== 200 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 250));
      last = await me();
    }
    expect(last.status).toBe(200);
    expect(await ready()).toMatchObject({ status: 200, body: { status: 'ready' } });

    expect(app.child.exitCode).toBeNull();
    expect(app.output()).not.toMatch(/unhandled ?rejection|uncaught ?exception/i);
  });

  it('SIGTERM during slow requests lets them complete, then exits without being killed', async () => {
    proxy.delayMs = 150; // every database answer is late: the requests take several hundred ms
    const inFlight = me();
    // A write that needs several transactions (the org, then its audit entry after the handler): the database must
    // stay open until the last in-flight request is done, not close when shutdown starts.
    const write = fetch(`${app.url}/api/v1/organizations`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'Created during shutdown' }),
    });
    await new Promise((resolve) => setTimeout(resolve, 100));
    const exited = app.stop();
    const answer = await inFlight;
    expect(answer.status).toBe(200);
    expect(answer.ms).toBeGreaterThan(150);
    const created = await write;
    expect(created.status).toBe(201);
    const org = (await created.json()) as { id: string };
    expect(await asOwner('select action from audit_log where entity_id = $1', [org.id])).toHaveLength(1);
    // Nest closes the app (in-flight requests finish, pools close), then re-raises SIGTERM: no SIGKILL needed.
    const end = await exited;
    expect(end.code === 0 || end.signal === 'SIGTERM', JSON.stringify(end)).toBe(true);
    expect(await fetch(`${app.url}/health/live`).then(() => 'served', () => 'refused')).toBe('refused');
    expect(app.output()).not.toMatch(/unhandled ?rejection|uncaught ?exception/i);
  });
});
