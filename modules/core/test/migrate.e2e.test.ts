import { randomBytes } from 'node:crypto';
import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { migrate, MIGRATIONS_DIR } from '../../scripts/migrate.mjs';

/**
 * `npm run db:migrate` as managed PostgreSQL (RDS, Aurora) runs it: the migration owner has CREATEDB and CREATEROLE
 * but is not a superuser, and only superusers may touch the SUPERUSER/BYPASSRLS attributes of a role.
 */

const suffix = randomBytes(3).toString('hex');
const owner = `managed_owner_${suffix}`;
const runtime = `managed_runtime_${suffix}`;
const database = `managed_db_${suffix}`;
const admin = () => inject('databaseUrl');

const urlFor = (user: string, password: string) => {
  const url = new URL(admin());
  url.username = user;
  url.password = password;
  url.pathname = `/${database}`;
  return url.toString();
};

/** Raw SQL as the server's superuser, on the test database or (`inManaged`) on the managed owner's database. */
async function asAdmin(sql: string, params: unknown[] = [], inManaged = false) {
  const url = new URL(admin());
  if (inManaged) url.pathname = `/${database}`;
  const client = new pg.Client({ connectionString: url.toString() });
  await client.connect();
  try {
    return (await client.query(sql, params)).rows;
  } finally {
    await client.end();
  }
}

afterAll(async () => {
  await asAdmin(`drop database if exists ${database} with (force)`);
  await asAdmin(`drop role if exists ${runtime}`);
  await asAdmin(`drop role if exists ${owner}`);
});

describe('db:migrate with a managed-PostgreSQL owner', () => {
  it('migrates and provisions the runtime role without superuser rights, twice', async () => {
    await asAdmin(`create role ${owner} login createdb createrole nosuperuser password 'owner-secret'`);
    await asAdmin(`create database ${database} owner ${owner}`);
    const databaseUrl = urlFor(owner, 'owner-secret');
    const appDatabaseUrl = urlFor(runtime, 'runtime-secret');

    const applied = await migrate({ databaseUrl, appDatabaseUrl, log: () => {} });
    expect(applied.length).toBeGreaterThan(0);
    expect(await migrate({ databaseUrl, appDatabaseUrl, log: () => {} })).toEqual([]);

    const [role] = await asAdmin('select rolsuper, rolbypassrls, rolcreaterole, rolcanlogin from pg_roles where rolname = $1', [runtime]);
    expect(role).toEqual({ rolsuper: false, rolbypassrls: false, rolcreaterole: false, rolcanlogin: true });
    const client = new pg.Client({ connectionString: appDatabaseUrl });
    await client.connect();
    try {
      // Row-level security applies: without a tenant the runtime role sees no tenant rows and cannot write any.
      expect((await client.query('select count(*)::int as n from permission_tuples')).rows[0].n).toBe(0);
      await expect(
        client.query(`insert into permission_tuples (org_id, namespace, object_id, relation, subject_ns, subject_id) values (gen_random_uuid(), 'org', 'x', 'member', 'user', 'y')`),
      ).rejects.toThrow(/row-level security/);
    } finally {
      await client.end();
    }
  });

  it('applies a pending migration that sorts before applied ones (a release written before a custom module migrated)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'migrations-'));
    try {
      cpSync(MIGRATIONS_DIR, dir, { recursive: true });
      writeFileSync(join(dir, '20200101000000_core_written_earlier.sql'), '-- Up Migration\nCREATE TABLE written_earlier (id int);\n\n-- Down Migration\nDROP TABLE written_earlier;\n');
      const applied = await migrate({ databaseUrl: urlFor(owner, 'owner-secret'), appDatabaseUrl: urlFor(runtime, 'runtime-secret'), dir, log: () => {} });
      expect(applied).toEqual(['20200101000000_core_written_earlier']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('refuses a runtime role with BYPASSRLS that it may not change, naming the fix', async () => {
    // PostgreSQL 15 lets the owner alter the role and then finds BYPASSRLS; 16+ refuses the owner any change to a
    // role it did not create. Either way the message names the role and the statement that fixes it.
    const privileged = `${runtime}_rls`;
    try {
      await asAdmin(`create role ${privileged} login bypassrls password 'x'`);
      await expect(migrate({ databaseUrl: urlFor(owner, 'owner-secret'), appDatabaseUrl: urlFor(privileged, 'x'), log: () => {} })).rejects.toThrow(
        new RegExp(`runtime role '${privileged}'.*NOBYPASSRLS`),
      );
    } finally {
      await asAdmin(`drop owned by ${privileged}`, [], true);
      await asAdmin(`drop role if exists ${privileged}`);
    }
  });
});
