import { describe, expect, it } from 'vitest';
import { asOwner, asTenant, client, registerUser } from './support/api.js';

describe('audit log', () => {
  it('records successful mutations with actor, entity, ip, user agent and correlation id — not reads or failures', async () => {
    const { accessToken, org, user } = await registerUser();
    const api = client(accessToken, { correlationId: `audit-${user.id}` });
    await api.PATCH('/api/v1/users/me', { body: { first_name: 'Audited' } });
    await api.GET('/api/v1/users/me');
    await api.PATCH('/api/v1/users/me', { body: { timezone: 'Nowhere/Nothing' } });

    const rows = await asOwner('select * from audit_log where org_id = $1 order by created_at', [org.id]);
    expect(rows.map((r) => r.action)).toEqual(['user.registered', 'user.updated']);
    expect(rows[0]).toMatchObject({ actor_id: user.id, entity_type: 'user', entity_id: user.id });
    expect(rows[1]).toMatchObject({ actor_id: user.id, entity_type: 'user', entity_id: user.id, correlation_id: `audit-${user.id}`, ip: '127.0.0.1' });
    expect(rows[1]!.user_agent).toBeTruthy();
  });

  it('is append-only: the runtime role cannot update or delete, and the trigger stops even the owner', async () => {
    const { org } = await registerUser();
    await expect(asTenant(org.id, "update audit_log set action = 'tampered'")).rejects.toThrow(/permission denied|append-only/);
    await expect(asTenant(org.id, 'delete from audit_log')).rejects.toThrow(/permission denied|append-only/);
    await expect(asOwner("update audit_log set action = 'tampered' where org_id = $1", [org.id])).rejects.toThrow(/append-only/);
    await expect(asOwner('delete from audit_log where org_id = $1', [org.id])).rejects.toThrow(/append-only/);
  });

  it('is tenant-isolated', async () => {
    const alice = await registerUser();
    const bob = await registerUser();
    const seen = await asTenant(bob.org.id, 'select distinct org_id from audit_log');
    expect(seen.map((r) => r.org_id)).toEqual([bob.org.id]);
    expect(seen.map((r) => r.org_id)).not.toContain(alice.org.id);
  });
});
