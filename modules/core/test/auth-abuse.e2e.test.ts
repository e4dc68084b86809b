import { randomBytes } from 'node:crypto';
import { SignJWT, decodeJwt } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiUrl, asOwner, client, registerUser, STRONG_PASSWORD, uniqueEmail } from './support/api.js';
import { linkIn, waitForMail } from './support/mail.js';
import { spawnApp, type SpawnedApp } from './support/spawn-app.js';

/** Attacks on sign-in and sessions (beyond auth.e2e.test.ts, which covers the single-request cases). */

const WRONG = 'Wrong-password-1!';
let throttled: SpawnedApp;

beforeAll(async () => {
  // Client IPs from X-Forwarded-For (as behind a load balancer), and a small per-IP failure budget.
  throttled = await spawnApp({ TRUST_PROXY: 'true', LOGIN_IP_MAX_FAILURES: '3', LOGIN_IP_WINDOW_SECONDS: '600', REDIS_URL: '' });
});
afterAll(async () => {
  await throttled?.stop();
});

function randomIp(prefix: string): string {
  return `${prefix}.${1 + (randomBytes(1)[0]! % 250)}`;
}

async function login(base: string, email: string, password: string, ip?: string) {
  const started = performance.now();
  const response = await fetch(`${base}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(ip ? { 'x-forwarded-for': ip } : {}) },
    body: JSON.stringify({ email, password }),
  });
  const body = (await response.json()) as any;
  return { status: response.status, body, retryAfter: response.headers.get('retry-after'), ms: performance.now() - started };
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

describe('auth abuse: brute force', () => {
  it('throttles failures per IP (429 for that address only), without locking the accounts it sprayed', async () => {
    const victims = await Promise.all([registerUser(), registerUser(), registerUser()]);
    const attacker = randomIp('203.0.113');
    for (const victim of victims) expect((await login(throttled.url, victim.email, WRONG, attacker)).status).toBe(401);

    // The attacker's address is out of attempts — even a right password (a stolen one) is refused from there.
    const blocked = await login(throttled.url, victims[0].email, victims[0].password, attacker);
    expect(blocked.status).toBe(429);
    expect(blocked.body.error.code).toBe('RATE_LIMITED');
    expect(Number(blocked.retryAfter)).toBeGreaterThan(0);
    expect(Number(blocked.retryAfter)).toBeLessThanOrEqual(600);
    expect((await login(throttled.url, uniqueEmail(), WRONG, attacker)).status).toBe(429);

    // The victims, from their own addresses, sign in normally: the block is on the IP, not on the accounts.
    for (const victim of victims) {
      expect((await login(throttled.url, victim.email, victim.password, randomIp('198.51.100'))).status).toBe(200);
    }
    const rows = await asOwner('select failed_login_count, locked_until from users where id = any($1::uuid[])', [victims.map((v) => v.user.id)]);
    expect(rows.every((r) => r.failed_login_count === 0 && r.locked_until === null)).toBe(true);
  });

  it('locks an account for a bounded time only: the lock expires by itself', async () => {
    const { email, password, user } = await registerUser();
    const api = apiUrl();
    const statuses = [];
    for (let i = 0; i < 5; i++) statuses.push((await login(api, email, WRONG)).status);
    expect(statuses.at(-1)).toBe(423);
    const [row] = await asOwner(
      'select extract(epoch from locked_until - now())::int as seconds_left from users where id = $1',
      [user.id],
    );
    expect(row!.seconds_left).toBeGreaterThan(0);
    expect(row!.seconds_left).toBeLessThanOrEqual(15 * 60); // the product's lockout duration
    expect((await login(api, email, password)).status).toBe(423);

    // Time passes (the lock's end moved to the past): the right password works again, and the count restarted.
    await asOwner("update users set locked_until = now() - interval '1 second' where id = $1", [user.id]);
    expect((await login(api, email, password)).status).toBe(200);
    expect((await login(api, email, WRONG)).status).toBe(401);
  });

  it('takes as long for an unknown email as for a known one (constant-work hashing)', async () => {
    const known = await registerUser();
    const api = apiUrl();
    await login(api, uniqueEmail(), WRONG); // warm-up
    const knownMs: number[] = [];
    const unknownMs: number[] = [];
    for (let i = 0; i < 5; i++) {
      knownMs.push((await login(api, known.email, WRONG)).ms);
      await asOwner('update users set failed_login_count = 0 where id = $1', [known.user.id]);
      unknownMs.push((await login(api, uniqueEmail('nobody'), WRONG)).ms);
    }
    const [k, u] = [median(knownMs), median(unknownMs)];
    // Both are one bcrypt comparison (tens to hundreds of ms); without the dummy hash an unknown email would answer
    // in a few ms. The tolerance is wide on purpose: the machine may be busy.
    expect(u / k, `known ${k.toFixed(0)} ms, unknown ${u.toFixed(0)} ms`).toBeGreaterThan(0.5);
    expect(u / k, `known ${k.toFixed(0)} ms, unknown ${u.toFixed(0)} ms`).toBeLessThan(2);
  });
});

describe('auth abuse: tokens', () => {
  it('401 for a token signed with another key, even with valid claims', async () => {
    const { accessToken } = await registerUser();
    const claims = decodeJwt(accessToken);
    const otherKey = new TextEncoder().encode(randomBytes(48).toString('base64'));
    const forged = await new SignJWT({ ...claims }).setProtectedHeader({ alg: 'HS256', typ: 'JWT' }).sign(otherKey);
    expect((await client(forged).GET('/api/v1/users/me')).response.status).toBe(401);
    // A token with a key id pointing elsewhere or an embedded key is not trusted either.
    const [, payload] = accessToken.split('.');
    const jwkHeader = Buffer.from(JSON.stringify({ alg: 'HS256', typ: 'JWT', kid: '../../dev/null', jwk: { kty: 'oct', k: 'AA' } })).toString('base64url');
    const withJwk = `${jwkHeader}.${payload}.${accessToken.split('.')[2]}`;
    expect((await client(withJwk).GET('/api/v1/users/me')).response.status).toBe(401);
  });

  it('a refresh token replayed concurrently yields at most one new session, and the replay revokes the family', async () => {
    const { refreshToken } = await registerUser();
    const attempts = await Promise.all(
      Array.from({ length: 8 }, () => client().POST('/api/v1/auth/refresh', { body: { refresh_token: refreshToken } })),
    );
    const ok = attempts.filter((a) => a.response.status === 200);
    expect(ok.length).toBeLessThanOrEqual(1);
    expect(attempts.every((a) => [200, 401].includes(a.response.status))).toBe(true);
    for (const winner of ok) {
      // The others were reuse of a rotated token: the family is dead, including the winner's new tokens.
      expect((await client().POST('/api/v1/auth/refresh', { body: { refresh_token: winner.data!.tokens.refresh_token } })).response.status).toBe(401);
      expect((await client(winner.data!.tokens.access_token).GET('/api/v1/users/me')).response.status).toBe(401);
    }
  });

  it('a password reset token works once even when used concurrently, and not after it expired', async () => {
    const { email } = await registerUser();
    await client().POST('/api/v1/auth/forgot-password', { body: { email } });
    const token = new URL(linkIn(await waitForMail(email), 'reset-password')!).searchParams.get('token')!;
    const results = await Promise.all(
      ['Parallel-Secret-11a', 'Parallel-Secret-22b', 'Parallel-Secret-33c'].map((new_password) =>
        client().POST('/api/v1/auth/reset-password', { body: { token, new_password } }),
      ),
    );
    expect(results.map((r) => r.response.status).sort()).toEqual([200, 400, 400]);

    // A second token, expired while unused: refused, and it stays unused.
    await client().POST('/api/v1/auth/forgot-password', { body: { email } });
    const second = new URL(linkIn(await waitForMail(email, { index: 1 }), 'reset-password')!).searchParams.get('token')!;
    const [user] = await asOwner('select id from users where email = $1', [email]);
    await asOwner("update password_reset_tokens set expires_at = now() - interval '1 second' where user_id = $1 and used_at is null", [user!.id]);
    const expired = await client().POST('/api/v1/auth/reset-password', { body: { token: second, new_password: STRONG_PASSWORD } });
    expect(expired.response.status).toBe(400);
    expect(expired.error!.error.details).toEqual([{ field: 'token', message: 'Invalid or expired reset token' }]);
  });
});
