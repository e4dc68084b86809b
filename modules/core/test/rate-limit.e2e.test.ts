import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { client, registerUser, type RegisteredUser } from './support/api.js';
import { spawnApp, type SpawnedApp } from './support/spawn-app.js';

/**
 * Rate limits per (caller, route), per user, per tenant and per anonymous IP, on instances of the app started
 * with small limits (the shared test app runs with limits nobody reaches).
 */

const apps: SpawnedApp[] = [];
afterAll(async () => {
  await Promise.all(apps.map((app) => app.stop()));
});

async function get(app: SpawnedApp, path: string, token?: string) {
  const response = await fetch(`${app.url}/api/v1${path}`, { headers: token ? { authorization: `Bearer ${token}` } : {} });
  const body = (await response.json().catch(() => undefined)) as any;
  return {
    status: response.status,
    body,
    limit: response.headers.get('x-ratelimit-limit'),
    remaining: response.headers.get('x-ratelimit-remaining'),
    retryAfter: response.headers.get('retry-after'),
  };
}

/** A member of `owner`'s org with a session in it (set up through the shared app, which has no tight limits). */
async function memberOf(owner: RegisteredUser): Promise<string> {
  const member = await registerUser();
  const added = await client(owner.accessToken).POST('/api/v1/organizations/{id}/members', {
    params: { path: { id: owner.org.id } },
    body: { email: member.email, role: 'member' },
  });
  expect(added.response.status).toBe(201);
  const switched = await client(member.accessToken).POST('/api/v1/auth/switch-org', { body: { org_id: owner.org.id } });
  expect(switched.response.status).toBe(200);
  return switched.data!.tokens.access_token;
}

const SMALL_LIMITS = {
  RATE_LIMIT_ENDPOINT_POINTS: '5',
  RATE_LIMIT_USER_POINTS: '7',
  RATE_LIMIT_TENANT_POINTS: '10',
  RATE_LIMIT_IP_POINTS: '4',
  RATE_LIMIT_WINDOW_SECONDS: '60',
};

describe('rate limits (in memory)', () => {
  let app: SpawnedApp;
  beforeAll(async () => {
    app = await spawnApp({ ...SMALL_LIMITS, REDIS_URL: '' });
    apps.push(app);
  });

  it('per endpoint, then per user, then per tenant — with X-RateLimit-* and Retry-After', async () => {
    const owner = await registerUser();
    const memberB = await memberOf(owner);
    const memberC = await memberOf(owner);
    const outsider = await registerUser();

    // Per (caller, route): 5 on GET /users/me, the 6th is refused.
    const remaining: (string | null)[] = [];
    for (let i = 0; i < 5; i++) {
      const ok = await get(app, '/users/me', owner.accessToken);
      expect(ok.status).toBe(200);
      expect(ok.limit).toBe('5');
      remaining.push(ok.remaining);
    }
    expect(remaining).toEqual(['4', '3', '2', '1', '0']);
    const endpointLimited = await get(app, '/users/me', owner.accessToken);
    expect(endpointLimited.status).toBe(429);
    expect(endpointLimited.body.error).toMatchObject({ code: 'RATE_LIMITED', correlationId: expect.any(String) });
    expect(Number(endpointLimited.retryAfter)).toBeGreaterThan(0);
    expect(Number(endpointLimited.retryAfter)).toBeLessThanOrEqual(60);
    expect(endpointLimited.remaining).toBe('0');

    // Per user (7): another route still answers once, then the user is out whatever the route.
    expect((await get(app, '/organizations', owner.accessToken)).status).toBe(200);
    const userLimited = await get(app, '/organizations', owner.accessToken);
    expect(userLimited.status).toBe(429);
    expect(userLimited.limit).toBe('7');

    // Per tenant (10): the org has spent 8; B spends 2 more, then B and C (far under their own limits) are refused.
    expect((await get(app, '/users/me', memberB)).status).toBe(200);
    expect((await get(app, '/users/me', memberB)).status).toBe(200);
    const tenantLimited = await get(app, '/users/me', memberB);
    expect(tenantLimited.status).toBe(429);
    expect(tenantLimited.limit).toBe('10');
    expect((await get(app, '/permissions/my-access', memberC)).status).toBe(429);

    // Another tenant is not affected.
    const other = await get(app, '/users/me', outsider.accessToken);
    expect(other.status).toBe(200);
    expect(other.remaining).toBe('4');
  });

  it('counts anonymous requests per IP', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 5; i++) {
      const response = await fetch(`${app.url}/api/v1/auth/refresh`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ refresh_token: randomUUID() }),
      });
      statuses.push(response.status);
    }
    expect(statuses).toEqual([401, 401, 401, 401, 429]);
    // Health probes are never limited.
    for (let i = 0; i < 6; i++) expect((await fetch(`${app.url}/health/live`)).status).toBe(200);
  });
});

const redisUrl = process.env.REDIS_URL || 'redis://127.0.0.1:6379';
async function redisReachable(): Promise<boolean> {
  const probe = new Redis(redisUrl, { lazyConnect: true, connectTimeout: 1_000, maxRetriesPerRequest: 0, retryStrategy: () => null });
  probe.on('error', () => {});
  try {
    await probe.connect();
    return (await probe.ping()) === 'PONG';
  } catch {
    return false;
  } finally {
    probe.disconnect();
  }
}
const withRedis = await redisReachable();

describe.runIf(withRedis)(`rate limits in Redis (${redisUrl})`, () => {
  it('shares the counters between instances (a Redis outage is covered by rate-limit.service.spec.ts)', async () => {
    const prefix = `rl-test-${randomUUID().slice(0, 8)}`;
    const env = { ...SMALL_LIMITS, RATE_LIMIT_ENDPOINT_POINTS: '4', REDIS_URL: redisUrl, RATE_LIMIT_KEY_PREFIX: prefix };
    const [one, two] = await Promise.all([spawnApp(env), spawnApp(env)]);
    apps.push(one, two);
    const { accessToken } = await registerUser();

    expect((await get(one, '/users/me', accessToken)).status).toBe(200);
    expect((await get(two, '/users/me', accessToken)).status).toBe(200);
    expect((await get(one, '/users/me', accessToken)).status).toBe(200);
    const fourth = await get(two, '/users/me', accessToken);
    expect(fourth).toMatchObject({ status: 200, remaining: '0' });
    expect((await get(one, '/users/me', accessToken)).status).toBe(429);

    const redis = new Redis(redisUrl);
    try {
      const keys = await redis.keys(`${prefix}:*`);
      expect(keys.some((k) => k.startsWith(`${prefix}:endpoint:`))).toBe(true);
      expect(keys.some((k) => k.startsWith(`${prefix}:user:`))).toBe(true);
      if (keys.length > 0) await redis.del(...keys);
    } finally {
      redis.disconnect();
    }
  });
});
