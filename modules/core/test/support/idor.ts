import { existsSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { ApiClient } from '../../../sdk/index.js';
import { asOwner, type RegisteredUser } from './api.js';

/**
 * What a module gives the product's IDOR matrix (test/core/idor.e2e.test.ts): real rows of org A behind each of
 * its routes with an id, and plausible bodies so that a route cannot hide behind a 400. A module exports it as
 * `idorFixture` from `test/<module>/idor.fixture.ts`; a route with an id that no module's fixture covers fails the matrix.
 */
export interface IdorFixture {
  /** Route prefix (`/api/v1/tasks/{id}`, which also covers `/api/v1/tasks/{id}/move`) → its path params' values. */
  ids(owner: RegisteredUser, api: ApiClient): Promise<Record<string, Record<string, string>>>;
  /** `METHOD /path` → a valid body for that route. */
  bodies?: Record<string, unknown>;
}

const testRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** Every module's `test/<module>/idor.fixture.ts`, by module name. */
export async function loadIdorFixtures(): Promise<Map<string, IdorFixture>> {
  const fixtures = new Map<string, IdorFixture>();
  for (const module of readdirSync(testRoot).sort()) {
    const file = join(testRoot, module, 'idor.fixture.ts');
    if (!existsSync(file)) continue;
    const loaded = (await import(pathToFileURL(file).href)) as { idorFixture?: IdorFixture };
    if (!loaded.idorFixture) throw new Error(`${file} must export idorFixture`);
    fixtures.set(module, loaded.idorFixture);
  }
  return fixtures;
}

/** Count and hash of every row of `orgId` in every table that carries org_id, and of the user's row. */
export async function orgFingerprint(orgId: string, userId: string): Promise<Record<string, string>> {
  const tables = await asOwner<{ table_name: string }>(
    `select table_name from information_schema.columns
      where table_schema = 'public' and column_name = 'org_id' order by table_name`,
  );
  const result: Record<string, string> = {};
  for (const { table_name } of tables) {
    const [row] = await asOwner(
      `select count(*)::int as n, md5(coalesce(string_agg(t::text, '|' order by t::text), '')) as h from "${table_name}" t where org_id = $1`,
      [orgId],
    );
    result[table_name] = `${row!.n}:${row!.h}`;
  }
  const [user] = await asOwner('select md5(u::text) as h from users u where id = $1', [userId]);
  result.users = user!.h;
  return result;
}
