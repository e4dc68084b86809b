import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { inject } from 'vitest';
import { migrate } from '../../../scripts/migrate.mjs';

/**
 * A database of its own, migrated like the test database, on the same server and with the same runtime role. For
 * tests that need to be alone with a table the app under test works on too (the outbox relay of the app under test
 * would deliver the events a relay test inserts).
 */
export interface ScratchDatabase {
  name: string;
  /** Owner connection (the migrator's role). */
  databaseUrl: string;
  /** Runtime-role connection: what the app uses; RLS applies. */
  appDatabaseUrl: string;
  /** Raw SQL as the owner. */
  asOwner<R extends Record<string, any> = Record<string, any>>(sql: string, params?: unknown[]): Promise<R[]>;
  drop(): Promise<void>;
}

const withDatabase = (url: string, name: string) => {
  const parsed = new URL(url);
  parsed.pathname = `/${name}`;
  return parsed.toString();
};

export async function createScratchDatabase(label: string): Promise<ScratchDatabase> {
  const admin = inject('databaseUrl');
  const base = decodeURIComponent(new URL(admin).pathname.slice(1));
  const name = `${base}_${label}_${randomBytes(3).toString('hex')}`.slice(0, 63);
  const client = new pg.Client({ connectionString: admin });
  await client.connect();
  try {
    await client.query(`create database ${client.escapeIdentifier(name)}`);
  } finally {
    await client.end();
  }
  const databaseUrl = withDatabase(admin, name);
  const appDatabaseUrl = withDatabase(inject('appDatabaseUrl'), name);
  await migrate({ databaseUrl, appDatabaseUrl, log: () => {} });
  const pool = new pg.Pool({ connectionString: databaseUrl, max: 4 });
  return {
    name,
    databaseUrl,
    appDatabaseUrl,
    asOwner: async (sql, params = []) => (await pool.query(sql, params)).rows,
    drop: async () => {
      await pool.end();
      const dropper = new pg.Client({ connectionString: admin });
      await dropper.connect();
      try {
        await dropper.query(`drop database if exists ${dropper.escapeIdentifier(name)} with (force)`);
      } finally {
        await dropper.end();
      }
    },
  };
}
