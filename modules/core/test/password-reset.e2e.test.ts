import { describe, expect, it } from 'vitest';
import { asOwner, client, registerUser, uniqueEmail } from './support/api.js';
import { linkIn, mailsTo, waitForMail } from './support/mail.js';

const api = client();
const NEW_PASSWORD = 'Brand-New-Secret-77';

function tokenFrom(link: string | undefined): string {
  const token = link ? new URL(link).searchParams.get('token') : null;
  if (!token) throw new Error(`no reset token in ${link}`);
  return token;
}

describe('auth: forgot / reset password (real SMTP capture)', () => {
  it('emails a single-use link; the reset changes the password and ends every session', async () => {
    const { email, password, refreshToken, accessToken, user } = await registerUser();
    const forgot = await api.POST('/api/v1/auth/forgot-password', { body: { email } });
    expect(forgot.response.status).toBe(200);

    const mail = await waitForMail(email);
    expect(mail.subject).toContain('Reset your');
    const link = linkIn(mail, 'reset-password');
    expect(link).toBeDefined();
    const token = tokenFrom(link);
    // Stored hashed, valid for one hour.
    const [stored] = await asOwner(
      'select token_hash, extract(epoch from expires_at - created_at)::int as ttl from password_reset_tokens where user_id = $1',
      [user.id],
    );
    expect(stored!.token_hash).not.toBe(token);
    expect(Math.abs(stored!.ttl - 3600)).toBeLessThan(10);

    const weak = await api.POST('/api/v1/auth/reset-password', { body: { token, new_password: 'weak' } });
    expect(weak.response.status).toBe(400);
    expect(weak.error!.error.details).toEqual(expect.arrayContaining([expect.objectContaining({ field: 'new_password' })]));

    const reset = await api.POST('/api/v1/auth/reset-password', { body: { token, new_password: NEW_PASSWORD } });
    expect(reset.response.status).toBe(200);

    // Every session ended: refresh tokens and the access tokens of those sessions.
    expect((await api.POST('/api/v1/auth/refresh', { body: { refresh_token: refreshToken } })).response.status).toBe(401);
    expect((await client(accessToken).GET('/api/v1/users/me')).response.status).toBe(401);
    // The old password no longer works; the new one does.
    expect((await api.POST('/api/v1/auth/login', { body: { email, password } })).response.status).toBe(401);
    expect((await api.POST('/api/v1/auth/login', { body: { email, password: NEW_PASSWORD } })).response.status).toBe(200);

    // The token is single-use.
    const reuse = await api.POST('/api/v1/auth/reset-password', { body: { token, new_password: 'Another-Secret-88' } });
    expect(reuse.response.status).toBe(400);
    expect(reuse.error!.error.details).toEqual([{ field: 'token', message: 'Invalid or expired reset token' }]);
  });

  it('answers the same for an unknown email and sends nothing', async () => {
    const { email } = await registerUser();
    const known = await api.POST('/api/v1/auth/forgot-password', { body: { email } });
    const nobody = uniqueEmail('nobody');
    const unknown = await api.POST('/api/v1/auth/forgot-password', { body: { email: nobody } });
    expect(unknown.response.status).toBe(known.response.status);
    expect(unknown.data).toEqual(known.data);
    await waitForMail(email);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(mailsTo(nobody)).toHaveLength(0);
  });

  it('rejects an expired token and an unknown one', async () => {
    const { email, user } = await registerUser();
    await api.POST('/api/v1/auth/forgot-password', { body: { email } });
    const token = tokenFrom(linkIn(await waitForMail(email), 'reset-password'));
    await asOwner("update password_reset_tokens set expires_at = now() - interval '1 second' where user_id = $1", [user.id]);
    expect((await api.POST('/api/v1/auth/reset-password', { body: { token, new_password: NEW_PASSWORD } })).response.status).toBe(400);
    expect((await api.POST('/api/v1/auth/reset-password', { body: { token: 'made-up', new_password: NEW_PASSWORD } })).response.status).toBe(400);
  });

  it('a reset also lifts a lockout', async () => {
    const { email, user } = await registerUser();
    for (let i = 0; i < 5; i++) await api.POST('/api/v1/auth/login', { body: { email, password: 'Wrong-password-1' } });
    expect((await api.POST('/api/v1/auth/login', { body: { email, password: 'Wrong-password-1' } })).response.status).toBe(423);
    await api.POST('/api/v1/auth/forgot-password', { body: { email } });
    const token = tokenFrom(linkIn(await waitForMail(email), 'reset-password'));
    expect((await api.POST('/api/v1/auth/reset-password', { body: { token, new_password: NEW_PASSWORD } })).response.status).toBe(200);
    expect((await api.POST('/api/v1/auth/login', { body: { email, password: NEW_PASSWORD } })).response.status).toBe(200);
    const [row] = await asOwner('select failed_login_count, locked_until from users where id = $1', [user.id]);
    expect(row).toEqual({ failed_login_count: 0, locked_until: null });
  });
});
