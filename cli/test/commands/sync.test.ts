import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { execa } from 'execa';
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { tempDir } from '../../../generators/fixtures/fixture-platform.js';
import { REPO_ROOT, runCli } from '../run-cli.js';

type Change = { type: string; path: string };
const describeChanges = (changes: Change[]) => changes.map((c) => `${c.type} ${c.path}`);

/**
 * A frozen copy of this repository's templates/ and modules/: sync compares against what the CLI
 * generates *now*, so the product and every later sync must see the same sources.
 */
let env: Record<string, string>;
beforeAll(() => {
  const root = tempDir('platform-root-');
  const skip = (source: string) => !source.split(path.sep).includes('node_modules');
  for (const entry of ['package.json', 'templates', 'modules']) {
    cpSync(path.join(REPO_ROOT, entry), path.join(root, entry), { recursive: true, filter: skip });
  }
  env = { PLATFORM_ROOT: root };
});

const runCliFrozen = (args: string[], options: { cwd?: string } = {}) => runCli(args, { ...options, env });

async function newProduct(): Promise<string> {
  const dir = path.join(tempDir(), 'acme-crm');
  const run = await runCliFrozen(['new', '--spec', path.join(REPO_ROOT, 'examples/acme-crm.yaml'), '--dir', dir, '--skip-install', '--yes', '--json']);
  expect(run.exitCode).toBe(0);
  return dir;
}

function editSpec(dir: string, edit: (text: string) => string): void {
  const file = path.join(dir, 'platform.yaml');
  writeFileSync(file, edit(readFileSync(file, 'utf8')));
}

const addFeature = (text: string) => text.replace('features:\n  enableKanban: true\n', 'features:\n  enableKanban: true\n  enableReports: true\n');

describe('platform sync', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await newProduct();
  });

  it('is a no-op on an unchanged platform.yaml', async () => {
    const run = await runCliFrozen(['sync', '--json'], { cwd: dir });
    expect(run.exitCode).toBe(0);
    expect(run.json).toMatchObject({ changes: [], skipped: [], dryRun: false });
    expect((await execa('git', ['status', '--porcelain'], { cwd: dir })).stdout).toBe('');

    const human = await runCliFrozen(['sync'], { cwd: path.join(dir, 'src') });
    expect(human.exitCode).toBe(0);
    expect(human.stdout).toContain('Already in sync');
  });

  it('after adding a feature, changes only platform.config.ts (and the lock)', async () => {
    editSpec(dir, addFeature);
    expect(readFileSync(path.join(dir, 'platform.yaml'), 'utf8')).toContain('enableReports: true');
    const run = await runCliFrozen(['sync', '--json'], { cwd: dir });
    expect(run.exitCode).toBe(0);
    expect(describeChanges(run.json.changes)).toEqual(['UPDATE .platform/lock.json', 'UPDATE src/platform.config.ts']);
    expect(readFileSync(path.join(dir, 'src/platform.config.ts'), 'utf8')).toContain('enableReports: true');
    const status = (await execa('git', ['status', '--porcelain'], { cwd: dir })).stdout.split('\n').sort();
    expect(status).toEqual([' M .platform/lock.json', ' M platform.yaml', ' M src/platform.config.ts']);

    const again = await runCliFrozen(['sync', '--json'], { cwd: dir });
    expect(again.json.changes).toEqual([]);
  });

  it('--dry-run reports the changes and writes nothing', async () => {
    editSpec(dir, addFeature);
    const run = await runCliFrozen(['sync', '--dry-run', '--json', '--dir', dir]);
    expect(run.exitCode).toBe(0);
    expect(describeChanges(run.json.changes)).toContain('UPDATE src/platform.config.ts');
    expect(readFileSync(path.join(dir, 'src/platform.config.ts'), 'utf8')).not.toContain('enableReports');
  });

  it('never overwrites a file the owner edited; reports it as skipped', async () => {
    const config = path.join(dir, 'src/platform.config.ts');
    const edited = `${readFileSync(config, 'utf8')}// tuned by hand\n`;
    writeFileSync(config, edited);
    editSpec(dir, addFeature);
    const run = await runCliFrozen(['sync', '--json'], { cwd: dir });
    expect(run.exitCode).toBe(0);
    expect(run.json.skipped).toEqual([{ path: 'src/platform.config.ts', reason: 'edited' }]);
    expect(readFileSync(config, 'utf8')).toBe(edited);

    const human = await runCliFrozen(['sync'], { cwd: dir });
    expect(human.stdout).toContain('SKIP src/platform.config.ts (edited since the last generation)');
  });

  it('adds a module: its files appear and app.module.ts is rewired', async () => {
    editSpec(dir, (text) => text.replace('modules:\n  - tasks\n', 'modules: []\n'));
    const removed = await runCliFrozen(['sync', '--json'], { cwd: dir });
    expect(removed.exitCode).toBe(0);
    const removedChanges = describeChanges(removed.json.changes);
    expect(removedChanges).toContain('DELETE src/modules/tasks/tasks.module.ts');
    expect(removedChanges).toContain('UPDATE src/app.module.ts');
    expect(readFileSync(path.join(dir, 'src/app.module.ts'), 'utf8')).not.toContain('TasksModule');

    editSpec(dir, (text) => text.replace('modules: []\n', 'modules:\n  - tasks\n'));
    const added = await runCliFrozen(['sync', '--json'], { cwd: dir });
    expect(describeChanges(added.json.changes)).toContain('CREATE src/modules/tasks/tasks.module.ts');
    expect((await execa('git', ['status', '--porcelain'], { cwd: dir })).stdout).toBe('');
  });

  it('a bad platform.yaml fails with exit 2 and its location, writing nothing', async () => {
    editSpec(dir, (text) => text.replace('maxAttempts: 5', 'maxAttempts: many'));
    const run = await runCliFrozen(['sync'], { cwd: dir });
    expect(run.exitCode).toBe(2);
    expect(run.stderr).toMatch(/platform\.yaml:\d+:\d+ auth\.lockout\.maxAttempts: expected number/);
    expect((await execa('git', ['status', '--porcelain'], { cwd: dir })).stdout).toBe(' M platform.yaml');
  });
});

describe('platform sync outside a product', () => {
  it('explains what is missing, exit 2', async () => {
    const run = await runCliFrozen(['sync', '--json'], { cwd: tempDir() });
    expect(run.exitCode).toBe(2);
    expect(run.json.error.code).toBe('SPEC_NOT_FOUND');
  });
});
