import { execa } from 'execa';
import { describe, expect, it } from 'vitest';
import { runCli } from '../run-cli.js';

const LOCAL_DB = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const localDbUp = await execa('pg_isready', ['-d', LOCAL_DB, '-q'], { reject: false }).then(
  (r) => r.exitCode === 0,
  () => false,
);

describe('platform doctor', () => {
  it('checks node, npm and git; skips the database without DATABASE_URL', async () => {
    const run = await runCli(['doctor', '--json'], { env: { DATABASE_URL: undefined } });
    expect(run.exitCode).toBe(0);
    expect(run.json.ok).toBe(true);
    expect(run.json.checks.map((c: { name: string }) => c.name)).toEqual(['node', 'npm', 'git', 'database']);
    expect(run.json.checks[0].detail).toBe(process.version);
    expect(run.json.checks[3]).toMatchObject({ ok: true, skipped: true });
  });

  it.runIf(localDbUp)('reaches the database named by DATABASE_URL', async () => {
    const run = await runCli(['doctor', '--json'], { env: { DATABASE_URL: LOCAL_DB } });
    expect(run.exitCode).toBe(0);
    expect(run.json.checks[3]).toMatchObject({ name: 'database', ok: true });
    expect(run.json.checks[3].detail).toContain('PostgreSQL');
  });

  it('fails with exit 1 when the database is unreachable', async () => {
    const run = await runCli(['doctor'], { env: { DATABASE_URL: 'postgres://nobody:secret@127.0.0.1:1/none' } });
    expect(run.exitCode).toBe(1);
    expect(run.stdout).toMatch(/✖ database/);
    expect(run.stdout).not.toContain('secret');
  });
});
