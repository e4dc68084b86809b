import { randomUUID } from 'node:crypto';
import { SignJWT, decodeJwt, type JWTPayload } from 'jose';
import { describe, expect, inject, it } from 'vitest';
import { asOwner, client, registerUser, STRONG_PASSWORD, uniqueEmail } from './support/api.js';
import { platformConfig } from '../../src/platform.config.js';

/** The app's signing key, as the global setup gave it to the app. */
function jwtSecret(): Uint8Array {
  return new TextEncoder().encode(inject('jwtSecret'));
}

/** Signs `claims` as they are (HS256, the app's key): tokens the app must judge by their claims alone. */
function signedToken(claims: JWTPayload): Promise<string> {
  return new SignJWT({ ...claims }).setProtectedHeader({ alg: 'HS256', typ: 'JWT' }).sign(jwtSecret());
}

const api = client();

describe('auth: register', () => {
  it('creates the user, a personal org they own, and a session', async () => {
    const email = uniqueEmail('reg');
    const { data, error, response } = await api.POST('/api/v1/auth/register', {
      body: { email: email.toUpperCase(), password: STRONG_PASSWORD, first_name: 'Ada', last_name: 'Lovelace' },
    });
    expect(error).toBeUndefined();
    expect(response.status).toBe(201);
    expect(data!.user).toMatchObject({ email, first_name: 'Ada', last_name: 'Lovelace', timezone: 'UTC', locale: 'en' });
    expect(data!.user).not.toHaveProperty('password_hash');
    expect(data!.org).toMatchObject({ name: "Ada's workspace", personal: true, role: 'owner' });
    const { issuer, audience, accessTokenTtlSeconds } = platformConfig.auth;
    expect(data!.tokens.expires_in).toBe(accessTokenTtlSeconds);
    const claims = decodeJwt(data!.tokens.access_token);
    expect(claims).toMatchObject({ sub: data!.user.id, org: data!.org.id, roles: ['owner'], iss: issuer, aud: audience });
    expect(claims.exp! - claims.iat!).toBe(accessTokenTtlSeconds);
    expect(typeof claims.jti).toBe('string');

    const [stored] = await asOwner('select password_hash, email from users where id = $1', [data!.user.id]);
    expect(stored!.password_hash).toMatch(/^\$2[aby]\$12\$/);
    const tuples = await asOwner('select relation from permission_tuples where org_id = $1 and subject_id = $2 order by relation', [
      data!.org.id,
      data!.user.id,
    ]);
    expect(tuples.map((t) => t.relation)).toEqual(['admin', 'member', 'owner']);
    const events = await asOwner('select type from outbox_events where org_id = $1 order by type', [data!.org.id]);
    expect(events.map((e) => e.type)).toEqual(['org.created', 'user.registered']);
    const [refresh] = await asOwner('select token_hash from refresh_tokens where user_id = $1', [data!.user.id]);
    expect(refresh!.token_hash).not.toBe(data!.tokens.refresh_token);
    expect(refresh!.token_hash).toHaveLength(64);
  });

  it('rejects a password that breaks the policy with every broken rule in details', async () => {
    const { error, response } = await api.POST('/api/v1/auth/register', { body: { email: uniqueEmail(), password: 'short' } });
    expect(response.status).toBe(400);
    expect(error!.error.code).toBe('VALIDATION_ERROR');
    expect(error!.error.details).toEqual(
      expect.arrayContaining([
        { field: 'password', message: 'Must be at least 12 characters long' },
        { field: 'password', message: 'Must contain an uppercase letter' },
        { field: 'password', message: 'Must contain a number' },
        { field: 'password', message: 'Must contain a special character' },
      ]),
    );
    for (const password of ['alllowercase-123', 'ALLUPPERCASE-123', 'NoDigitsHere-!!', 'NoSpecials12345']) {
      const result = await api.POST('/api/v1/auth/register', { body: { email: uniqueEmail(), password } });
      expect(result.response.status, password).toBe(400);
    }
  });

  it('rejects a bad email, unknown fields and a taken email', async () => {
    const bad = await api.POST('/api/v1/auth/register', { body: { email: 'not-an-email', password: STRONG_PASSWORD } });
    expect(bad.response.status).toBe(400);
    expect(bad.error!.error.details).toEqual([expect.objectContaining({ field: 'email' })]);

    const unknown = await api.POST('/api/v1/auth/register', {
      body: { email: uniqueEmail(), password: STRONG_PASSWORD, is_admin: true } as never,
    });
    expect(unknown.response.status).toBe(400);
    expect(unknown.error!.error.details).toEqual([{ field: 'is_admin', message: 'Unknown field' }]);

    const { email } = await registerUser();
    const taken = await api.POST('/api/v1/auth/register', { body: { email, password: STRONG_PASSWORD } });
    expect(taken.response.status).toBe(409);
    expect(taken.error!.error.code).toBe('CONFLICT');
  });
});

describe('auth: login', () => {
  it('signs in with the right password (email case-insensitive) and counts the login', async () => {
    const { email, password, user } = await registerUser();
    const { data, response } = await api.POST('/api/v1/auth/login', { body: { email: email.toUpperCase(), password } });
    expect(response.status).toBe(200);
    expect(data!.user.id).toBe(user.id);
    expect(data!.user.last_login_at).not.toBeNull();
    const me = await client(data!.tokens.access_token).GET('/api/v1/users/me');
    expect(me.data!.id).toBe(user.id);
    const [row] = await asOwner('select login_count, failed_login_count from users where id = $1', [user.id]);
    expect(row).toEqual({ login_count: 1, failed_login_count: 0 });
  });

  it('answers a wrong password and an unknown email the same way', async () => {
    const { email } = await registerUser();
    const wrong = await api.POST('/api/v1/auth/login', { body: { email, password: 'Wrong-password-1' } });
    const unknown = await api.POST('/api/v1/auth/login', { body: { email: uniqueEmail('nobody'), password: 'Wrong-password-1' } });
    expect(wrong.response.status).toBe(401);
    expect(unknown.response.status).toBe(401);
    expect(wrong.error!.error.code).toBe('UNAUTHORIZED');
    expect(unknown.error!.error.message).toBe(wrong.error!.error.message);
  });

  it('locks the account after 5 failures (423 even with the right password) and a success resets the count', async () => {
    const { email, password, user } = await registerUser();
    // Fewer than 5 failures, then a success: the count starts over.
    for (let i = 0; i < 4; i++) expect((await api.POST('/api/v1/auth/login', { body: { email, password: 'Wrong-password-1' } })).response.status).toBe(401);
    expect((await api.POST('/api/v1/auth/login', { body: { email, password } })).response.status).toBe(200);

    const statuses: number[] = [];
    for (let i = 0; i < 5; i++) statuses.push((await api.POST('/api/v1/auth/login', { body: { email, password: 'Wrong-password-1' } })).response.status);
    expect(statuses).toEqual([401, 401, 401, 401, 423]);

    const locked = await api.POST('/api/v1/auth/login', { body: { email, password } });
    expect(locked.response.status).toBe(423);
    expect(locked.error!.error.code).toBe('ACCOUNT_LOCKED');

    const [row] = await asOwner("select locked_until > now() + interval '14 minutes' as locked from users where id = $1", [user.id]);
    expect(row!.locked).toBe(true);

    // Once the lock has passed, the right password works again.
    await asOwner("update users set locked_until = now() - interval '1 second' where id = $1", [user.id]);
    expect((await api.POST('/api/v1/auth/login', { body: { email, password } })).response.status).toBe(200);
  });

  it('answers an email without an account the same way, lockout included: 423 does not reveal accounts', async () => {
    const known = await registerUser();
    const unknownEmail = uniqueEmail('nobody');
    const attempt = async (email: string) => {
      const { response, error } = await api.POST('/api/v1/auth/login', { body: { email, password: 'Wrong-password-1' } });
      return `${response.status} ${error!.error.code} ${error!.error.message}`;
    };
    const knownAnswers: string[] = [];
    const unknownAnswers: string[] = [];
    for (let i = 0; i < 6; i++) {
      knownAnswers.push(await attempt(known.email));
      unknownAnswers.push(await attempt(unknownEmail));
    }
    expect(unknownAnswers).toEqual(knownAnswers);
    expect(knownAnswers.map((a) => a.slice(0, 3))).toEqual(['401', '401', '401', '401', '423', '423']);
  });
});

describe('auth: access tokens', () => {
  it('401 without a token and with a malformed header', async () => {
    const missing = await api.GET('/api/v1/users/me');
    expect(missing.response.status).toBe(401);
    expect(missing.error!.error.code).toBe('UNAUTHORIZED');
    const basic = await fetch(new URL('/api/v1/users/me', missing.response.url), { headers: { authorization: 'Basic abc' } });
    expect(basic.status).toBe(401);
  });

  it('401 for a tampered token', async () => {
    const { accessToken, org } = await registerUser();
    const [header, payload, signature] = accessToken.split('.');
    const claims = JSON.parse(Buffer.from(payload!, 'base64url').toString());
    const forged = Buffer.from(JSON.stringify({ ...claims, roles: ['owner', 'superadmin'], org: org.id })).toString('base64url');
    expect((await client(`${header}.${forged}.${signature}`).GET('/api/v1/users/me')).response.status).toBe(401);
    const flipped = signature!.slice(0, -2) + (signature!.endsWith('AA') ? 'BB' : 'AA');
    expect((await client(`${header}.${payload}.${flipped}`).GET('/api/v1/users/me')).response.status).toBe(401);
  });

  it('401 for alg none', async () => {
    const { accessToken } = await registerUser();
    const claims = decodeJwt(accessToken);
    const none = `${Buffer.from(JSON.stringify({ alg: 'none', typ: 'JWT' })).toString('base64url')}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}.`;
    expect((await client(none).GET('/api/v1/users/me')).response.status).toBe(401);
  });

  it('401 for an expired token, a wrong audience or issuer, and a token of another algorithm — all signed with the real key', async () => {
    const { accessToken } = await registerUser();
    const claims = decodeJwt(accessToken);
    // Sanity: a token we sign ourselves with the same key and claims is accepted, so the rejections below are about the claim.
    expect((await client(await signedToken(claims)).GET('/api/v1/users/me')).response.status).toBe(200);

    const now = Math.floor(Date.now() / 1000);
    const expired = await signedToken({ ...claims, iat: now - 3600, exp: now - 60 });
    expect((await client(expired).GET('/api/v1/users/me')).response.status).toBe(401);
    expect((await client(await signedToken({ ...claims, aud: 'some-other-api' })).GET('/api/v1/users/me')).response.status).toBe(401);
    expect((await client(await signedToken({ ...claims, iss: 'someone-else' })).GET('/api/v1/users/me')).response.status).toBe(401);
    const hs512 = await new SignJWT({ ...claims }).setProtectedHeader({ alg: 'HS512' }).sign(jwtSecret());
    expect((await client(hs512).GET('/api/v1/users/me')).response.status).toBe(401);
    // A valid signature over someone else's org: not a member there → 401.
    const otherOrg = await signedToken({ ...claims, org: randomUUID() });
    expect((await client(otherOrg).GET('/api/v1/users/me')).response.status).toBe(401);
  });
});

describe('auth: refresh tokens', () => {
  it('rotates on every refresh; reusing a rotated token revokes the whole family', async () => {
    const { refreshToken: first } = await registerUser();
    const r1 = await api.POST('/api/v1/auth/refresh', { body: { refresh_token: first } });
    expect(r1.response.status).toBe(200);
    const second = r1.data!.tokens.refresh_token;
    expect(second).not.toBe(first);
    const r2 = await api.POST('/api/v1/auth/refresh', { body: { refresh_token: second } });
    expect(r2.response.status).toBe(200);
    const third = r2.data!.tokens.refresh_token;
    const accessOfThird = r2.data!.tokens.access_token;
    expect((await client(accessOfThird).GET('/api/v1/users/me')).response.status).toBe(200);

    // The first token was rotated already: presenting it again is a breach signal.
    const reuse = await api.POST('/api/v1/auth/refresh', { body: { refresh_token: first } });
    expect(reuse.response.status).toBe(401);
    // ...so the newest token of that family is dead too, and so are its access tokens.
    expect((await api.POST('/api/v1/auth/refresh', { body: { refresh_token: third } })).response.status).toBe(401);
    expect((await client(accessOfThird).GET('/api/v1/users/me')).response.status).toBe(401);
  });

  it('401 for an unknown refresh token', async () => {
    const { response, error } = await api.POST('/api/v1/auth/refresh', { body: { refresh_token: 'not-a-token' } });
    expect(response.status).toBe(401);
    expect(error!.error.code).toBe('UNAUTHORIZED');
  });

  it('logout ends one session; other sessions live on', async () => {
    const { email, password, refreshToken, accessToken } = await registerUser();
    const other = await api.POST('/api/v1/auth/login', { body: { email, password } });
    const logout = await api.POST('/api/v1/auth/logout', { body: { refresh_token: refreshToken } });
    expect(logout.response.status).toBe(204);
    expect((await api.POST('/api/v1/auth/refresh', { body: { refresh_token: refreshToken } })).response.status).toBe(401);
    expect((await client(accessToken).GET('/api/v1/users/me')).response.status).toBe(401);
    expect((await client(other.data!.tokens.access_token).GET('/api/v1/users/me')).response.status).toBe(200);
    expect((await api.POST('/api/v1/auth/refresh', { body: { refresh_token: other.data!.tokens.refresh_token } })).response.status).toBe(200);
  });

  it('logout-all ends every session of the user', async () => {
    const { email, password, refreshToken, accessToken } = await registerUser();
    const other = await api.POST('/api/v1/auth/login', { body: { email, password } });
    expect((await client(accessToken).POST('/api/v1/auth/logout-all')).response.status).toBe(204);
    for (const token of [refreshToken, other.data!.tokens.refresh_token]) {
      expect((await api.POST('/api/v1/auth/refresh', { body: { refresh_token: token } })).response.status).toBe(401);
    }
    expect((await client(other.data!.tokens.access_token).GET('/api/v1/users/me')).response.status).toBe(401);
    // Signing in again works.
    expect((await api.POST('/api/v1/auth/login', { body: { email, password } })).response.status).toBe(200);
  });
});

describe('request context', () => {
  it('echoes X-Correlation-Id on success and in error envelopes, and generates one when absent', async () => {
    const { accessToken } = await registerUser();
    const ok = await client(accessToken, { correlationId: 'corr-iam-ok-1' }).GET('/api/v1/users/me');
    expect(ok.response.headers.get('x-correlation-id')).toBe('corr-iam-ok-1');
    const failed = await client(undefined, { correlationId: 'corr-iam-401' }).GET('/api/v1/users/me');
    expect(failed.response.headers.get('x-correlation-id')).toBe('corr-iam-401');
    expect(failed.error!.error.correlationId).toBe('corr-iam-401');
    const bare = await fetch(new URL('/api/v1/users/me', failed.response.url));
    expect(bare.headers.get('x-correlation-id')).toMatch(/^[0-9a-f-]{36}$/);
  });
});
