import { beforeAll, describe, expect, it } from 'vitest';
import type { ApiClient } from '../../sdk/index.js';
import { asOwner, asTenant, client, registerUser, type RegisteredUser } from '../core/support/api.js';

/** Fails the test with the response body when a call did not answer `status`. */
function ok<T>(result: { data?: T; error?: unknown; response: Response }, status = 200): T {
  expect(result.response.status, JSON.stringify(result.error)).toBe(status);
  return result.data as T;
}

/** What every failed call must answer: the standard envelope, never a stack or database text. */
function expectEnvelope(result: { error?: unknown; response: Response }, status: number, code: string) {
  expect(result.response.status, JSON.stringify(result.error)).toBe(status);
  const body = result.error as { error: { code: string; message: string; details?: { field: string; message: string }[] } };
  expect(body.error).toMatchObject({ code, message: expect.any(String), correlationId: expect.any(String) });
  expect(JSON.stringify(body)).not.toMatch(/prisma|postgres|select |at \w+ \(/i);
  return body.error;
}

let alice: RegisteredUser; // owner of org A
let bob: RegisteredUser; // owner of org B
let apiA: ApiClient;
let apiB: ApiClient;

beforeAll(async () => {
  alice = await registerUser({ org_name: 'Org A' });
  bob = await registerUser({ org_name: 'Org B' });
  apiA = client(alice.accessToken);
  apiB = client(bob.accessToken);
});

const create = async (api: ApiClient, name: string, description?: string) =>
  ok(await api.POST('/api/v1/sample-items', { body: { name, ...(description === undefined ? {} : { description }) } }), 201);

describe('sample items', () => {
  it('creates, reads, lists, updates and soft-deletes, and audits every change', async () => {
    const created = await create(apiA, 'First', 'the first one');
    expect(created).toMatchObject({ name: 'First', description: 'the first one', created_by: alice.user.id });
    expect(created).not.toHaveProperty('org_id');
    const path = { params: { path: { id: created.id } } };
    expect(ok(await apiA.GET('/api/v1/sample-items/{id}', path))).toEqual(created);

    const updated = ok(await apiA.PATCH('/api/v1/sample-items/{id}', { ...path, body: { name: 'Renamed', description: null } }));
    expect(updated).toMatchObject({ id: created.id, name: 'Renamed', description: null });

    expect((await apiA.DELETE('/api/v1/sample-items/{id}', path)).response.status).toBe(204);
    expectEnvelope(await apiA.GET('/api/v1/sample-items/{id}', path), 404, 'NOT_FOUND');
    expectEnvelope(await apiA.DELETE('/api/v1/sample-items/{id}', path), 404, 'NOT_FOUND');
    const [stored] = await asOwner('select deleted_at from sample_items where id = $1', [created.id]);
    expect(stored!.deleted_at).toBeInstanceOf(Date);

    const audit = await asOwner('select action from audit_log where org_id = $1 and entity_id = $2 order by created_at', [alice.org.id, created.id]);
    expect(audit.map((row) => row.action)).toEqual(['sample_item.create', 'sample_item.update', 'sample_item.delete']);
    const events = await asOwner("select type from outbox_events where org_id = $1 and payload->>'id' = $2 order by created_at", [alice.org.id, created.id]);
    expect(events.map((row) => row.type)).toEqual(['sample_item.created', 'sample_item.updated', 'sample_item.deleted']);
  });

  it('lists a page with search, sort and filters (ListQuery), without deleted rows', async () => {
    const owner = await registerUser({ org_name: 'Lists' });
    const api = client(owner.accessToken);
    for (const name of ['alpha', 'bravo', 'charlie']) await create(api, name);
    const gone = await create(api, 'delta');
    ok(await api.DELETE('/api/v1/sample-items/{id}', { params: { path: { id: gone.id } } }), 204);

    const page = ok(await api.GET('/api/v1/sample-items', { params: { query: { sort: 'name:asc', limit: 2 } } }));
    expect(page.data.map((row) => row.name)).toEqual(['alpha', 'bravo']);
    expect(page.meta).toEqual({ page: 1, limit: 2, total: 3, totalPages: 2, hasNext: true, hasPrev: false });
    const second = ok(await api.GET('/api/v1/sample-items', { params: { query: { sort: 'name:asc', limit: 2, page: 2 } } }));
    expect(second.data.map((row) => row.name)).toEqual(['charlie']);
    const search = ok(await api.GET('/api/v1/sample-items', { params: { query: { search: 'RAV' } } }));
    expect(search.data.map((row) => row.name)).toEqual(['bravo']);
    const mine = ok(await api.GET('/api/v1/sample-items', { params: { query: { filter: { created_by: owner.user.id } } } }));
    expect(mine.meta.total).toBe(3);
  });

  it('validates input with the standard envelope', async () => {
    const empty = expectEnvelope(await apiA.POST('/api/v1/sample-items', { body: { name: '' } }), 400, 'VALIDATION_ERROR');
    expect(empty.details).toEqual([expect.objectContaining({ field: 'name' })]);
    const unknown = expectEnvelope(await apiA.POST('/api/v1/sample-items', { body: { name: 'x', org_id: bob.org.id } as never }), 400, 'VALIDATION_ERROR');
    expect(unknown.details).toEqual([{ field: 'org_id', message: 'Unknown field' }]);
    const row = await create(apiA, 'valid');
    expectEnvelope(await apiA.PATCH('/api/v1/sample-items/{id}', { params: { path: { id: row.id } }, body: {} }), 400, 'VALIDATION_ERROR');
    expectEnvelope(await apiA.GET('/api/v1/sample-items/{id}', { params: { path: { id: 'not-a-uuid' } } }), 400, 'VALIDATION_ERROR');
    expectEnvelope(await apiA.GET('/api/v1/sample-items', { params: { query: { sort: 'org_id:asc' } } }), 400, 'VALIDATION_ERROR');
    expectEnvelope(await client().GET('/api/v1/sample-items'), 401, 'UNAUTHORIZED');
  });
});

describe('tenant isolation', () => {
  it("gives org B 404 for org A's rows and never lists them", async () => {
    const secret = await create(apiA, 'secret-of-org-a');
    const path = { params: { path: { id: secret.id } } };
    expectEnvelope(await apiB.GET('/api/v1/sample-items/{id}', path), 404, 'NOT_FOUND');
    expectEnvelope(await apiB.PATCH('/api/v1/sample-items/{id}', { ...path, body: { name: 'pwned' } }), 404, 'NOT_FOUND');
    expectEnvelope(await apiB.DELETE('/api/v1/sample-items/{id}', path), 404, 'NOT_FOUND');
    const listed = ok(await apiB.GET('/api/v1/sample-items', { params: { query: { search: 'secret-of-org-a' } } }));
    expect(listed.meta.total).toBe(0);
    expect(ok(await apiA.GET('/api/v1/sample-items/{id}', path)).name).toBe('secret-of-org-a');
  });

  it('is enforced by PostgreSQL row-level security, not only by the app', async () => {
    const row = await create(apiA, 'rls-probe');
    expect(await asTenant(alice.org.id, 'select id from sample_items where id = $1', [row.id])).toHaveLength(1);
    expect(await asTenant(bob.org.id, 'select id from sample_items where id = $1', [row.id])).toEqual([]);
    expect(await asTenant('', 'select id from sample_items')).toEqual([]);
    expect(await asTenant(bob.org.id, "update sample_items set name = 'pwned' where id = $1 returning id", [row.id])).toEqual([]);
    await expect(
      asTenant(bob.org.id, 'insert into sample_items (org_id, name, created_by) values ($1, $2, $3)', [alice.org.id, 'x', bob.user.id]),
    ).rejects.toThrow(/row-level security/);
    const flags = await asOwner("select relrowsecurity, relforcerowsecurity from pg_class where relname = 'sample_items'");
    expect(flags).toEqual([{ relrowsecurity: true, relforcerowsecurity: true }]);
  });
});

describe('permissions inside one org', () => {
  it('lets a member view but not change a row until granted editor; delete stays with the owner and admins', async () => {
    const carol = await registerUser({ org_name: 'Carol personal' });
    ok(
      await apiA.POST('/api/v1/organizations/{id}/members', { params: { path: { id: alice.org.id } }, body: { email: carol.email, role: 'member' } }),
      201,
    );
    const session = ok(await client(carol.accessToken).POST('/api/v1/auth/switch-org', { body: { org_id: alice.org.id } }));
    const apiC = client(session.tokens.access_token);
    const row = await create(apiA, 'shared');
    const path = { params: { path: { id: row.id } } };

    expect(ok(await apiC.GET('/api/v1/sample-items/{id}', path)).name).toBe('shared');
    expectEnvelope(await apiC.PATCH('/api/v1/sample-items/{id}', { ...path, body: { name: 'carol' } }), 403, 'FORBIDDEN');
    ok(
      await apiA.POST('/api/v1/permissions/grant', {
        body: { namespace: 'sample_item', object_id: row.id, relation: 'editor', subject: { type: 'user', id: carol.user.id } },
      }),
      201,
    );
    expect(ok(await apiC.PATCH('/api/v1/sample-items/{id}', { ...path, body: { name: 'carol' } })).name).toBe('carol');
    expectEnvelope(await apiC.DELETE('/api/v1/sample-items/{id}', path), 403, 'FORBIDDEN');
    expect((await apiA.DELETE('/api/v1/sample-items/{id}', path)).response.status).toBe(204);
  });
});
