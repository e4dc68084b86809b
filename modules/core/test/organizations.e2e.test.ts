import { decodeJwt } from 'jose';
import { describe, expect, it } from 'vitest';
import { asOwner, asTenant, client, registerUser } from './support/api.js';

describe('organizations', () => {
  it('creates an org owned by the caller and lists the caller’s orgs', async () => {
    const owner = await registerUser();
    const api = client(owner.accessToken);
    const created = await api.POST('/api/v1/organizations', { body: { name: 'Acme Robotics' } });
    expect(created.response.status).toBe(201);
    expect(created.data).toMatchObject({ name: 'Acme Robotics', role: 'owner', personal: false });
    expect(created.data!.slug).toMatch(/^acme-robotics-[0-9a-f]{8}$/);

    const list = await api.GET('/api/v1/organizations', { params: { query: { sort: 'name:asc' } } });
    expect(list.response.status).toBe(200);
    expect(list.data!.data.map((o) => o.id).sort()).toEqual([owner.org.id, created.data!.id].sort());
    expect(list.data!.meta).toMatchObject({ page: 1, total: 2, totalPages: 1, hasNext: false, hasPrev: false });

    const one = await api.GET('/api/v1/organizations/{id}', { params: { path: { id: created.data!.id } } });
    expect(one.data).toMatchObject({ id: created.data!.id, role: 'owner' });

    const duplicateSlug = await api.POST('/api/v1/organizations', { body: { name: 'Other', slug: created.data!.slug } });
    expect(duplicateSlug.response.status).toBe(409);
    expect((await api.POST('/api/v1/organizations', { body: { name: '' } })).response.status).toBe(400);
    expect((await api.GET('/api/v1/organizations', { params: { query: { sort: 'password:asc' } } })).response.status).toBe(400);
  });

  it('hides other orgs: 404 by id, absent from lists, invisible to raw SQL under RLS', async () => {
    const alice = await registerUser();
    const bob = await registerUser();
    const asBob = client(bob.accessToken);
    const peek = await asBob.GET('/api/v1/organizations/{id}', { params: { path: { id: alice.org.id } } });
    expect(peek.response.status).toBe(404);
    expect((await asBob.GET('/api/v1/organizations/{id}/members', { params: { path: { id: alice.org.id } } })).response.status).toBe(404);
    const bobs = await asBob.GET('/api/v1/organizations');
    expect(bobs.data!.data.map((o) => o.id)).toEqual([bob.org.id]);

    // RLS, not app code: as the runtime role in Bob's org context, Alice's org and memberships do not exist.
    const orgs = await asTenant(bob.org.id, 'select id from organizations');
    expect(orgs.map((r) => r.id)).toEqual([bob.org.id]);
    const members = await asTenant(bob.org.id, 'select org_id from org_members');
    expect(new Set(members.map((r) => r.org_id))).toEqual(new Set([bob.org.id]));
    const tuples = await asTenant(bob.org.id, 'select distinct org_id from permission_tuples');
    expect(tuples.map((r) => r.org_id)).toEqual([bob.org.id]);
    // No org in context: nothing tenant-scoped at all.
    expect(await asTenant('', 'select id from organizations')).toEqual([]);
    // Writing into another org is refused by the policy's WITH CHECK.
    await expect(
      asTenant(bob.org.id, "insert into org_members (org_id, user_id, role) values ($1, $2, 'owner')", [alice.org.id, bob.user.id]),
    ).rejects.toThrow(/row-level security/);
  });

  it('members: owner adds by email, lists (paginated), member gets 403 on admin actions, removal revokes access', async () => {
    const owner = await registerUser();
    const admin = await registerUser();
    const member = await registerUser({ first_name: 'Mem' });
    const outsider = await registerUser();
    const asOwnerApi = client(owner.accessToken);
    const orgId = owner.org.id;
    const path = { id: orgId };

    const addAdmin = await asOwnerApi.POST('/api/v1/organizations/{id}/members', { params: { path }, body: { email: admin.email, role: 'admin' } });
    expect(addAdmin.response.status).toBe(201);
    expect(addAdmin.data).toMatchObject({ user_id: admin.user.id, role: 'admin', email: admin.email });
    const addMember = await asOwnerApi.POST('/api/v1/organizations/{id}/members', {
      params: { path },
      body: { email: member.email.toUpperCase(), role: 'member' },
    });
    expect(addMember.response.status).toBe(201);

    const again = await asOwnerApi.POST('/api/v1/organizations/{id}/members', { params: { path }, body: { email: member.email, role: 'member' } });
    expect(again.response.status).toBe(409);
    const nobody = await asOwnerApi.POST('/api/v1/organizations/{id}/members', {
      params: { path },
      body: { email: 'nobody@example.test', role: 'member' },
    });
    expect(nobody.response.status).toBe(404);
    const ownerRole = await asOwnerApi.POST('/api/v1/organizations/{id}/members', {
      params: { path },
      body: { email: outsider.email, role: 'owner' as never },
    });
    expect(ownerRole.response.status).toBe(400);

    const page1 = await asOwnerApi.GET('/api/v1/organizations/{id}/members', { params: { path, query: { limit: 2, sort: 'joined_at:asc' } } });
    expect(page1.data!.data.map((m) => m.role)).toEqual(['owner', 'admin']);
    expect(page1.data!.meta).toEqual({ page: 1, limit: 2, total: 3, totalPages: 2, hasNext: true, hasPrev: false });
    const page2 = await asOwnerApi.GET('/api/v1/organizations/{id}/members', { params: { path, query: { limit: 2, page: 2 } } });
    expect(page2.data!.data).toHaveLength(1);
    const admins = await asOwnerApi.GET('/api/v1/organizations/{id}/members', { params: { path, query: { filter: { role: 'admin' } } } });
    expect(admins.data!.data.map((m) => m.user_id)).toEqual([admin.user.id]);
    const search = await asOwnerApi.GET('/api/v1/organizations/{id}/members', { params: { path, query: { search: member.email.split('@')[0] } } });
    expect(search.data!.data.map((m) => m.user_id)).toEqual([member.user.id]);

    // The member switches into the org and can see it, but not manage it (403, not 404: they can view it).
    const switched = await client(member.accessToken).POST('/api/v1/auth/switch-org', { body: { org_id: orgId } });
    expect(switched.response.status).toBe(200);
    expect(switched.data!.org).toMatchObject({ id: orgId, role: 'member' });
    expect(decodeJwt(switched.data!.tokens.access_token)).toMatchObject({ org: orgId, roles: ['member'] });
    const asMember = client(switched.data!.tokens.access_token);
    expect((await asMember.GET('/api/v1/organizations/{id}/members', { params: { path } })).response.status).toBe(200);
    const denied = await asMember.POST('/api/v1/organizations/{id}/members', { params: { path }, body: { email: outsider.email, role: 'member' } });
    expect(denied.response.status).toBe(403);
    expect(denied.error!.error.code).toBe('FORBIDDEN');
    const cannotRemove = await asMember.DELETE('/api/v1/organizations/{id}/members/{userId}', { params: { path: { id: orgId, userId: admin.user.id } } });
    expect(cannotRemove.response.status).toBe(403);

    // An outsider cannot switch in, nor see the org.
    const outsiderSwitch = await client(outsider.accessToken).POST('/api/v1/auth/switch-org', { body: { org_id: orgId } });
    expect(outsiderSwitch.response.status).toBe(404);
    const outsiderAdd = await client(outsider.accessToken).POST('/api/v1/organizations/{id}/members', {
      params: { path },
      body: { email: outsider.email, role: 'admin' },
    });
    expect(outsiderAdd.response.status).toBe(404);

    // The admin (in their own token's org context) removes the member; the member's session in that org ends.
    const removed = await asOwnerApi.DELETE('/api/v1/organizations/{id}/members/{userId}', { params: { path: { id: orgId, userId: member.user.id } } });
    expect(removed.response.status).toBe(204);
    expect((await asMember.GET('/api/v1/users/me')).response.status).toBe(401);
    const tuples = await asOwner('select count(*)::int as n from permission_tuples where org_id = $1 and subject_id = $2', [orgId, member.user.id]);
    expect(tuples[0]!.n).toBe(0);

    // The last owner cannot be removed; an admin cannot remove an owner.
    const lastOwner = await asOwnerApi.DELETE('/api/v1/organizations/{id}/members/{userId}', { params: { path: { id: orgId, userId: owner.user.id } } });
    expect(lastOwner.response.status).toBe(400);
    const adminSession = await client(admin.accessToken).POST('/api/v1/auth/switch-org', { body: { org_id: orgId } });
    const adminRemovesOwner = await client(adminSession.data!.tokens.access_token).DELETE('/api/v1/organizations/{id}/members/{userId}', {
      params: { path: { id: orgId, userId: owner.user.id } },
    });
    expect(adminRemovesOwner.response.status).toBe(403);
  });

  it('400 for a malformed id, before any permission check', async () => {
    const { accessToken } = await registerUser();
    const bad = await client(accessToken).GET('/api/v1/organizations/{id}', { params: { path: { id: 'not-a-uuid' } } });
    expect(bad.response.status).toBe(400);
    expect(bad.error!.error.details).toEqual([{ field: 'id', message: 'Must be a UUID' }]);
  });
});
