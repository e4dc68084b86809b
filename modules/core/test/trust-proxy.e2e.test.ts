import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerUser, uniqueEmail } from './support/api.js';
import { spawnApp, type SpawnedApp } from './support/spawn-app.js';

/**
 * TRUST_PROXY is a hop count. On AWS a request passes CloudFront, then the ALB: the ALB connects to the app and
 * X-Forwarded-For ends with `<client>, <CloudFront edge>`, each appended by the proxy that saw it. Whatever the
 * client wrote itself stands further left, so with TRUST_PROXY=2 the client is the second entry from the right
 * and no value of its own header changes the address its sign-in failures are counted against.
 */

const WRONG = 'Wrong-password-1!';
const apps: SpawnedApp[] = [];

afterAll(async () => {
  await Promise.all(apps.map((app) => app.stop()));
});

const octet = () => 1 + (randomBytes(1)[0]! % 250);
const address = (prefix: string) => `${prefix}.${octet()}`;

async function failedLogin(app: SpawnedApp, forwardedFor: string) {
  const response = await fetch(`${app.url}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-forwarded-for': forwardedFor },
    body: JSON.stringify({ email: uniqueEmail('nobody'), password: WRONG }),
  });
  return response.status;
}

describe('TRUST_PROXY=2 (CloudFront → ALB → app)', () => {
  let app: SpawnedApp;
  beforeAll(async () => {
    app = await spawnApp({ TRUST_PROXY: '2', LOGIN_IP_MAX_FAILURES: '3', LOGIN_IP_WINDOW_SECONDS: '600', REDIS_URL: '' });
    apps.push(app);
  });

  it('counts sign-in failures against the address CloudFront saw, whatever the client puts in front', async () => {
    const client = address('203.0.113');
    const edge = address('130.176.0');
    const statuses: number[] = [];
    // A new spoofed left-most entry on every attempt, as an attacker rotating "its" address would send.
    for (let i = 0; i < 5; i++) statuses.push(await failedLogin(app, `${address('10.9.8')}, ${address('192.0.2')}, ${client}, ${edge}`));
    expect(statuses).toEqual([401, 401, 401, 429, 429]);
    // With no header of its own the client is the same address, still blocked.
    expect(await failedLogin(app, `${client}, ${edge}`)).toBe(429);
  });

  it('tells clients apart by that address (so it is read from the header, not the socket)', async () => {
    const edge = address('130.176.1');
    const blocked = address('198.51.100');
    for (let i = 0; i < 3; i++) expect(await failedLogin(app, `${blocked}, ${edge}`)).toBe(401);
    expect(await failedLogin(app, `${blocked}, ${edge}`)).toBe(429);
    // Another client behind the same edge, and the blocked client's address spoofed by a third one, are not blocked.
    expect(await failedLogin(app, `${address('100.64.0')}, ${edge}`)).toBe(401);
    expect(await failedLogin(app, `${blocked}, ${address('100.64.1')}, ${edge}`)).toBe(401);
  });

  it('still signs a user in from a fresh address', async () => {
    const user = await registerUser();
    const response = await fetch(`${app.url}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-forwarded-for': `${address('203.0.114')}, ${address('130.176.2')}` },
      body: JSON.stringify({ email: user.email, password: user.password }),
    });
    expect(response.status).toBe(200);
  });
});

describe('TRUST_PROXY=true', () => {
  it('trusts only the nearest proxy: the right-most entry, not the client-controlled left-most one', async () => {
    const app = await spawnApp({ TRUST_PROXY: 'true', LOGIN_IP_MAX_FAILURES: '2', LOGIN_IP_WINDOW_SECONDS: '600', REDIS_URL: '' });
    apps.push(app);
    const client = address('203.0.115');
    const statuses: number[] = [];
    for (let i = 0; i < 3; i++) statuses.push(await failedLogin(app, `${address('10.7.6')}, ${client}`));
    expect(statuses).toEqual([401, 401, 429]);
  });
});
