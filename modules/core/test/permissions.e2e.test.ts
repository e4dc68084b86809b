import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { asOwner, asTenant, client, registerUser, type RegisteredUser } from './support/api.js';

/** An org (the owner's personal one) with an admin and a plain member, each holding a session in it. */
async function orgWithTeam(): Promise<{ owner: RegisteredUser; adminToken: string; memberToken: string; member: RegisteredUser; orgId: string }> {
  const owner = await registerUser();
  const admin = await registerUser();
  const member = await registerUser();
  const api = client(owner.accessToken);
  const path = { id: owner.org.id };
  await api.POST('/api/v1/organizations/{id}/members', { params: { path }, body: { email: admin.email, role: 'admin' } });
  await api.POST('/api/v1/organizations/{id}/members', { params: { path }, body: { email: member.email, role: 'member' } });
  const switchInto = async (user: RegisteredUser) =>
    (await client(user.accessToken).POST('/api/v1/auth/switch-org', { body: { org_id: owner.org.id } })).data!.tokens.access_token;
  return { owner, adminToken: await switchInto(admin), memberToken: await switchInto(member), member, orgId: owner.org.id };
}

describe('permissions', () => {
  it('my-access lists the caller’s org relations and permissions', async () => {
    const { accessToken, org } = await registerUser();
    const { data, response } = await client(accessToken).GET('/api/v1/permissions/my-access', { params: { query: { namespace: 'org' } } });
    expect(response.status).toBe(200);
    expect(data).toEqual([{ object_id: org.id, relations: ['owner', 'admin', 'member'], permissions: ['view', 'manage'] }]);
  });

  it('an admin grants through a userset (team#member); my-access and checks follow the graph; revoke undoes it', async () => {
    const { adminToken, memberToken, member, orgId } = await orgWithTeam();
    const teamId = randomUUID();
    const asAdmin = client(adminToken);
    const asMember = client(memberToken);

    // team:T#member@user:member, then team:T2#member@team:T#member (nested team)
    const grant = await asAdmin.POST('/api/v1/permissions/grant', {
      body: { namespace: 'team', object_id: teamId, relation: 'member', subject: { type: 'user', id: member.user.id } },
    });
    expect(grant.response.status).toBe(201);
    expect(grant.data).toEqual({ namespace: 'team', object_id: teamId, relation: 'member', subject: { type: 'user', id: member.user.id, relation: null } });
    const outer = randomUUID();
    expect(
      (
        await asAdmin.POST('/api/v1/permissions/grant', {
          body: { namespace: 'team', object_id: outer, relation: 'member', subject: { type: 'team', id: teamId, relation: 'member' } },
        })
      ).response.status,
    ).toBe(201);
    // Granting twice is harmless.
    expect(
      (
        await asAdmin.POST('/api/v1/permissions/grant', {
          body: { namespace: 'team', object_id: teamId, relation: 'member', subject: { type: 'user', id: member.user.id } },
        })
      ).response.status,
    ).toBe(201);

    const access = await asMember.GET('/api/v1/permissions/my-access', { params: { query: { namespace: 'team' } } });
    expect(access.response.status).toBe(200);
    const byObject = Object.fromEntries(access.data!.map((e) => [e.object_id, e]));
    expect(byObject[teamId]).toEqual({ object_id: teamId, relations: ['member'], permissions: ['view'] });
    expect(byObject[outer]).toEqual({ object_id: outer, relations: ['member'], permissions: ['view'] });

    // The tuple lives in the org (RLS): invisible from another org's context.
    const stored = await asTenant(orgId, 'select namespace, object_id, relation, subject_ns, subject_id from permission_tuples where object_id = $1', [teamId]);
    expect(stored).toEqual([{ namespace: 'team', object_id: teamId, relation: 'member', subject_ns: 'user', subject_id: member.user.id }]);
    expect(await asTenant(randomUUID(), 'select 1 from permission_tuples where object_id = $1', [teamId])).toEqual([]);

    const revoke = await asAdmin.DELETE('/api/v1/permissions/grant', {
      body: { namespace: 'team', object_id: teamId, relation: 'member', subject: { type: 'user', id: member.user.id } },
    });
    expect(revoke.response.status).toBe(204);
    const after = await asMember.GET('/api/v1/permissions/my-access', { params: { query: { namespace: 'team' } } });
    expect(after.data!.map((e) => e.object_id)).not.toContain(teamId);
    expect(after.data!.map((e) => e.object_id)).not.toContain(outer);
    const again = await asAdmin.DELETE('/api/v1/permissions/grant', {
      body: { namespace: 'team', object_id: teamId, relation: 'member', subject: { type: 'user', id: member.user.id } },
    });
    expect(again.response.status).toBe(404);
  });

  it('403 for a member without owner/admin rights; 400 for what the DSL does not allow', async () => {
    const { adminToken, memberToken, member } = await orgWithTeam();
    const body = { namespace: 'team', object_id: randomUUID(), relation: 'member', subject: { type: 'user', id: member.user.id } };
    const denied = await client(memberToken).POST('/api/v1/permissions/grant', { body });
    expect(denied.response.status).toBe(403);
    expect(denied.error!.error.code).toBe('FORBIDDEN');

    const asAdmin = client(adminToken);
    const cases: [object, string][] = [
      [{ ...body, namespace: 'spaceship' }, 'namespace'],
      [{ ...body, relation: 'captain' }, 'relation'],
      [{ ...body, subject: { type: 'org', id: randomUUID() } }, 'subject'],
      [{ ...body, subject: { type: 'team', id: randomUUID(), relation: 'owner' } }, 'subject'],
      [{ ...body, namespace: 'org', relation: 'admin' }, 'namespace'],
      [{ ...body, extra: 1 }, 'extra'],
    ];
    for (const [invalid, field] of cases) {
      const { response, error } = await asAdmin.POST('/api/v1/permissions/grant', { body: invalid as never });
      expect(response.status, JSON.stringify(invalid)).toBe(400);
      expect(error!.error.details).toEqual([expect.objectContaining({ field })]);
    }
    const unknownNs = await asAdmin.GET('/api/v1/permissions/my-access', { params: { query: { namespace: 'spaceship' } } });
    expect(unknownNs.response.status).toBe(400);
  });

  it('an object owner may grant on it without being admin', async () => {
    const { owner, memberToken, member, orgId } = await orgWithTeam();
    const teamId = randomUUID();
    // team has no owner relation; `maintainer` is not owner either, so only admins grant on teams.
    const asMember = client(memberToken);
    expect(
      (await asMember.POST('/api/v1/permissions/grant', { body: { namespace: 'team', object_id: teamId, relation: 'maintainer', subject: { type: 'user', id: member.user.id } } }))
        .response.status,
    ).toBe(403);
    expect(
      (
        await client(owner.accessToken).POST('/api/v1/permissions/grant', {
          body: { namespace: 'team', object_id: teamId, relation: 'maintainer', subject: { type: 'user', id: member.user.id } },
        })
      ).response.status,
    ).toBe(201);
    const [row] = await asOwner('select count(*)::int as n from permission_tuples where org_id = $1 and object_id = $2', [orgId, teamId]);
    expect(row!.n).toBe(1);
  });
});
