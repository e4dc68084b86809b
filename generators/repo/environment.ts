import { commandAvailable } from './post-generate.js';

export interface EnvironmentCheck {
  name: string;
  ok: boolean;
  /** Version found, or why it failed / was skipped. */
  detail: string;
  /** How to fix a failed check. */
  fix?: string;
  skipped?: boolean;
}

const MIN_NODE: [number, number, number] = [20, 19, 0];

export function nodeVersionSatisfies(version: string, minimum: [number, number, number] = MIN_NODE): boolean {
  const parts = version.replace(/^v/, '').split('.').map((p) => Number.parseInt(p, 10));
  for (let i = 0; i < 3; i++) {
    const actual = parts[i] ?? 0;
    if (actual !== minimum[i]) return actual > minimum[i]!;
  }
  return true;
}

export async function checkNode(): Promise<EnvironmentCheck> {
  const ok = nodeVersionSatisfies(process.version);
  return { name: 'node', ok, detail: process.version, ...(ok ? {} : { fix: 'Install Node.js 20.19 or newer (https://nodejs.org).' }) };
}

export async function checkCommand(name: 'npm' | 'git'): Promise<EnvironmentCheck> {
  const version = await commandAvailable(name);
  if (version) return { name, ok: true, detail: version.replace(/^git version /, '') };
  return { name, ok: false, detail: `${name} not found on PATH`, fix: `Install ${name} and make sure it is on PATH.` };
}

/** Connects to DATABASE_URL (when set) and runs `select 1`. */
export async function checkDatabase(url = process.env.DATABASE_URL): Promise<EnvironmentCheck> {
  if (!url) {
    return {
      name: 'database',
      ok: true,
      skipped: true,
      detail: 'DATABASE_URL not set: products start an embedded PostgreSQL for `npm run dev` and tests',
    };
  }
  let pg: typeof import('pg');
  try {
    pg = ((await import('pg')) as unknown as { default: typeof import('pg') }).default;
  } catch {
    return { name: 'database', ok: false, detail: 'the `pg` package is not installed', fix: 'npm install pg' };
  }
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5000 });
  const redacted = url.replace(/\/\/([^:@/]+):[^@/]*@/, '//$1:***@');
  try {
    await client.connect();
    const { rows } = await client.query<{ version: string }>('select version() as version');
    return { name: 'database', ok: true, detail: `${redacted}: ${rows[0]?.version.split(' ').slice(0, 2).join(' ')}` };
  } catch (error) {
    return {
      name: 'database',
      ok: false,
      detail: `${redacted}: ${(error as Error).message || String(error)}`,
      fix: 'Start PostgreSQL (e.g. `docker compose up -d postgres` in a product) or fix DATABASE_URL.',
    };
  } finally {
    await client.end().catch(() => undefined);
  }
}

export async function runEnvironmentChecks(): Promise<EnvironmentCheck[]> {
  return Promise.all([checkNode(), checkCommand('npm'), checkCommand('git'), checkDatabase()]);
}
