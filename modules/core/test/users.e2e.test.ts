import { describe, expect, it } from 'vitest';
import { client, registerUser } from './support/api.js';

describe('users/me', () => {
  it('returns the caller without secrets', async () => {
    const { accessToken, user, email } = await registerUser({ first_name: 'Grace', last_name: 'Hopper' });
    const { data, response } = await client(accessToken).GET('/api/v1/users/me');
    expect(response.status).toBe(200);
    expect(data).toMatchObject({ id: user.id, email, first_name: 'Grace', last_name: 'Hopper', timezone: 'UTC', locale: 'en' });
    expect(Object.keys(data!)).not.toEqual(expect.arrayContaining(['password_hash']));
    expect(JSON.stringify(data)).not.toMatch(/\$2[aby]\$/);
  });

  it('updates name, timezone and locale', async () => {
    const { accessToken } = await registerUser();
    const api = client(accessToken);
    const { data, response } = await api.PATCH('/api/v1/users/me', {
      body: { first_name: 'Ada', last_name: 'King', timezone: 'Europe/London', locale: 'en-GB' },
    });
    expect(response.status).toBe(200);
    expect(data).toMatchObject({ first_name: 'Ada', last_name: 'King', timezone: 'Europe/London', locale: 'en-GB' });
    expect((await api.GET('/api/v1/users/me')).data).toMatchObject({ timezone: 'Europe/London' });
  });

  it('400 for unknown keys (strict) and invalid values; email and password cannot be changed here', async () => {
    const { accessToken } = await registerUser();
    const api = client(accessToken);
    for (const body of [{ email: 'x@example.test' }, { password_hash: 'x' }, { is_admin: true }]) {
      const { error, response } = await api.PATCH('/api/v1/users/me', { body: body as never });
      expect(response.status).toBe(400);
      expect(error!.error.code).toBe('VALIDATION_ERROR');
      expect(error!.error.details).toEqual([{ field: Object.keys(body)[0], message: 'Unknown field' }]);
    }
    const badZone = await api.PATCH('/api/v1/users/me', { body: { timezone: 'Mars/Olympus' } });
    expect(badZone.response.status).toBe(400);
    expect(badZone.error!.error.details).toEqual([expect.objectContaining({ field: 'timezone' })]);
    expect((await api.PATCH('/api/v1/users/me', { body: { first_name: 'x'.repeat(101) } })).response.status).toBe(400);
  });
});
