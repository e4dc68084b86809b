#!/usr/bin/env node
// Applies prisma/migrations/*.sql (node-pg-migrate SQL format) as the owner (DATABASE_URL), then makes sure the
// runtime role the app connects as (APP_DATABASE_URL; default app_runtime/app_runtime on the same database) exists,
// can log in, is neither superuser nor BYPASSRLS nor owner of anything, and has DML rights only — so PostgreSQL's
// row-level security applies to every query the app makes.
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import pg from 'pg';
import { runner } from 'node-pg-migrate';

const projectRoot = join(dirname(fileURLToPath(import.meta.url)), '..');
export const MIGRATIONS_DIR = join(projectRoot, 'prisma', 'migrations');
export const MIGRATIONS_TABLE = 'pgmigrations';
/** Tables the runtime role may read and append to but never change (append-only audit trail). */
const APPEND_ONLY_TABLES = ['audit_log'];

/** APP_DATABASE_URL, or DATABASE_URL with the default runtime credentials. */
export function runtimeDatabaseUrl(databaseUrl, appDatabaseUrl = process.env.APP_DATABASE_URL) {
  if (appDatabaseUrl) return appDatabaseUrl;
  const url = new URL(databaseUrl);
  url.username = 'app_runtime';
  url.password = 'app_runtime';
  return url.toString();
}

async function withClient(connectionString, fn) {
  const client = new pg.Client({ connectionString });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

// Roles are cluster-wide: migrators of different databases on one server (parallel test runs) may update the
// same role at once, which PostgreSQL answers with "tuple concurrently updated" (or a duplicate on create).
const CONCURRENT_CATALOG_UPDATE = new Set(['XX000', '23505', '42710', '40001', '40P01']);

/** Creates/updates the runtime role and its grants. Idempotent; safe to run concurrently on one server. */
export async function ensureRuntimeRole(options) {
  for (let attempt = 1; ; attempt++) {
    try {
      return await provisionRuntimeRole(options);
    } catch (error) {
      if (attempt >= 8 || !CONCURRENT_CATALOG_UPDATE.has(error.code)) throw error;
      await new Promise((resolve) => setTimeout(resolve, 50 * attempt + Math.random() * 100));
    }
  }
}

async function provisionRuntimeRole({ databaseUrl, appDatabaseUrl, log = () => {} }) {
  const owner = new URL(databaseUrl);
  const runtime = new URL(runtimeDatabaseUrl(databaseUrl, appDatabaseUrl));
  const role = decodeURIComponent(runtime.username);
  const password = decodeURIComponent(runtime.password);
  if (!role) throw new Error('APP_DATABASE_URL must name a user');
  if (role === decodeURIComponent(owner.username || 'postgres')) {
    throw new Error(`APP_DATABASE_URL uses the migration owner '${role}': the app must connect as a separate role for row-level security to apply`);
  }

  await withClient(databaseUrl, async (client) => {
    const ident = client.escapeIdentifier(role);
    const secret = client.escapeLiteral(password);
    const database = client.escapeIdentifier((await client.query('select current_database() as db')).rows[0].db);
    await client.query(`DO $$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = ${client.escapeLiteral(role)}) THEN CREATE ROLE ${ident} LOGIN PASSWORD ${secret}; END IF; END $$`);
    // Only what needs changing: on managed PostgreSQL (RDS/Aurora) the migration owner has CREATEROLE but is no
    // superuser, and PostgreSQL lets only superusers touch the SUPERUSER, BYPASSRLS and REPLICATION attributes — even
    // to turn them off. A role created here has none of them; one that has them is refused below.
    try {
      await client.query(`ALTER ROLE ${ident} WITH LOGIN PASSWORD ${secret}`);
    } catch (error) {
      // PostgreSQL 16+: a CREATEROLE owner manages only the roles it created (or was given ADMIN OPTION on).
      if (error.code !== '42501') throw error;
      throw new Error(
        `the migration owner '${decodeURIComponent(owner.username)}' may not manage the runtime role '${role}' (${error.message}): ` +
          `let db:migrate create it, or as a superuser: ALTER ROLE ${role} LOGIN NOSUPERUSER NOBYPASSRLS and GRANT ${role} TO ${decodeURIComponent(owner.username)} WITH ADMIN OPTION`,
        { cause: error },
      );
    }
    const { rows: [current] } = await client.query(
      `select r.rolcreatedb, r.rolcreaterole, r.rolsuper or r.rolbypassrls or r.rolreplication as privileged,
              (select rolsuper from pg_roles where rolname = current_user) as migrator_is_superuser
         from pg_roles r where r.rolname = $1`,
      [role],
    );
    if (current.rolcreatedb || current.rolcreaterole) await client.query(`ALTER ROLE ${ident} WITH NOCREATEDB NOCREATEROLE`);
    if (current.privileged && current.migrator_is_superuser) await client.query(`ALTER ROLE ${ident} WITH NOSUPERUSER NOBYPASSRLS NOREPLICATION`);
    // The API's queries are short; JIT compiling one that the planner overestimates (recursive CTEs) costs far more
    // than it saves.
    await client.query(`ALTER ROLE ${ident} IN DATABASE ${database} SET jit = off`);
    await client.query('BEGIN');
    try {
      await client.query(`GRANT CONNECT ON DATABASE ${database} TO ${ident}`);
      await client.query(`GRANT USAGE ON SCHEMA public TO ${ident}`);
      await client.query(`GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO ${ident}`);
      await client.query(`GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO ${ident}`);
      // Migrations revoke EXECUTE from PUBLIC on the functions that must not be open to every role (outbox_claim_due).
      await client.query(`GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA public TO ${ident}`);
      await client.query(`REVOKE ALL ON TABLE ${client.escapeIdentifier(MIGRATIONS_TABLE)} FROM ${ident}`);
      const { rows } = await client.query(`select tablename from pg_tables where schemaname = 'public' and tablename = any($1)`, [APPEND_ONLY_TABLES]);
      for (const { tablename } of rows) {
        await client.query(`REVOKE UPDATE, DELETE, TRUNCATE ON TABLE ${client.escapeIdentifier(tablename)} FROM ${ident}`);
      }
      await client.query('COMMIT');
    } catch (error) {
      await client.query('ROLLBACK');
      throw error;
    }
    const { rows: [attributes] } = await client.query(
      `select rolsuper, rolbypassrls, (select count(*) from pg_tables where tableowner = $1)::int as owned from pg_roles where rolname = $1`,
      [role],
    );
    if (attributes.rolsuper || attributes.rolbypassrls || attributes.owned > 0) {
      throw new Error(
        `runtime role '${role}' must not be superuser, BYPASSRLS or table owner (as a superuser: ALTER ROLE ${role} NOSUPERUSER NOBYPASSRLS)`,
      );
    }
    log(`runtime role ${role}: DML grants, no superuser, no BYPASSRLS`);
  });
}

/** Applies pending migrations as the owner, then provisions the runtime role. Returns the names applied. */
export async function migrate({
  databaseUrl = process.env.DATABASE_URL,
  appDatabaseUrl = process.env.APP_DATABASE_URL,
  dir = MIGRATIONS_DIR,
  log = (message) => console.log(message),
} = {}) {
  if (!databaseUrl) throw new Error('DATABASE_URL is not set (the owner connection used for migrations)');
  const applied = await runner({
    databaseUrl,
    dir,
    migrationsTable: MIGRATIONS_TABLE,
    direction: 'up',
    count: Infinity,
    // Pending migrations run even when an applied one sorts after them: a product's own module may have migrated
    // (20261202…) before a platform release whose migration was written earlier (20261201…) reaches it. Order
    // between modules is checked when the product is generated (dependencies' first migrations come first).
    checkOrder: false,
    singleTransaction: true,
    verbose: false,
    log: () => {},
    logger: { debug: () => {}, info: () => {}, warn: (m) => log(m), error: (m) => log(m) },
  });
  for (const migration of applied) log(`applied ${migration.name}`);
  if (applied.length === 0) log('database is up to date');
  await ensureRuntimeRole({ databaseUrl, appDatabaseUrl, log });
  return applied.map((m) => m.name);
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  migrate().catch((error) => {
    console.error(`migration failed: ${error.message}`);
    process.exit(1);
  });
}
