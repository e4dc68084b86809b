import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { execa } from 'execa';
import { beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../../../generators/fixtures/fixture-platform.js';
import { REPO_ROOT, runCli } from '../run-cli.js';
import { copyPlatform, edit } from './upgrade.fixture.js';

/** `platform add module` / `platform remove module` on a product made from a frozen copy of templates/ and modules/. */
let env: Record<string, string>;
beforeAll(() => {
  const root = copyPlatform();
  // A module that depends on tasks, so that removing tasks must be refused while it is in.
  mkdirSync(path.join(root, 'modules/task-reports'));
  writeFileSync(
    path.join(root, 'modules/task-reports/module.yaml'),
    'name: task-reports\nversion: 1.0.0\nkind: optional\ndescription: Reports over tasks\ndependencies: [core, tasks]\ntarget: src/modules/task-reports\n',
  );
  env = { PLATFORM_ROOT: root };
});

const git = async (dir: string, args: string[]) => (await execa('git', ['-c', 'user.name=o', '-c', 'user.email=o@example.com', ...args], { cwd: dir })).stdout;
const OWNER_IMPORT = "import { Logger } from '@nestjs/common';";

async function ownedProduct(): Promise<string> {
  const dir = path.join(tempDir('platform-module-'), 'acme-crm');
  const run = await runCli(['new', '--spec', path.join(REPO_ROOT, 'examples/acme-crm.yaml'), '--dir', dir, '--skip-install', '--yes', '--json'], { env });
  expect(run.exitCode, run.stderr).toBe(0);
  // The owner's own comment in platform.yaml, and their own import + provider in app.module.ts.
  edit(path.join(dir, 'platform.yaml'), (t) => t.replace(/^modules:/m, '# what we sell\nmodules:'));
  edit(path.join(dir, 'src/app.module.ts'), (t) => `${OWNER_IMPORT}\n${t.replace(/imports: \[/, 'providers: [Logger],\n  imports: [')}`);
  await git(dir, ['add', '-A']);
  await git(dir, ['commit', '-q', '-m', 'owner edits']);
  return dir;
}

describe('platform add/remove module', () => {
  it('remove then add round-trips: files, wiring in the owner-edited app.module.ts, platform.yaml comments; migrations stay', async () => {
    const dir = await ownedProduct();
    const appModule = () => readFileSync(path.join(dir, 'src/app.module.ts'), 'utf8');
    const before = appModule();
    expect(before).toContain('TasksModule');

    const removed = await runCli(['remove', 'module', 'tasks', '--json'], { cwd: dir, env });
    expect(removed.exitCode, removed.stderr).toBe(0);
    expect(removed.json.changes).toContainEqual({ type: 'DELETE', path: 'src/modules/tasks/tasks/tasks.service.ts' });
    expect(removed.json.changes).toContainEqual({ type: 'DELETE', path: 'prisma/schema/tasks.prisma' });
    expect(removed.json.wiredInOwnerAppModule).toBe(true);
    // Every migration of tasks stays (however many releases it has had), and nothing else is left.
    const tasksMigrations = readdirSync(path.join(dir, 'prisma/migrations')).filter((f) => /^\d{14}_tasks_/.test(f)).map((f) => `prisma/migrations/${f}`);
    expect(tasksMigrations).toContain('prisma/migrations/20261125010000_tasks_tasks.sql');
    expect(removed.json.left).toEqual(tasksMigrations.map((file) => expect.objectContaining({ path: file, reason: expect.stringMatching(/^migration kept/) })));
    expect(existsSync(path.join(dir, 'prisma/migrations/20261125010000_tasks_tasks.sql'))).toBe(true);
    expect(existsSync(path.join(dir, 'src/modules/tasks'))).toBe(false);
    expect(appModule()).not.toContain('TasksModule');
    expect(appModule()).toContain(OWNER_IMPORT);
    expect(appModule()).toContain('providers: [Logger]');
    const spec = readFileSync(path.join(dir, 'platform.yaml'), 'utf8');
    expect(spec).toContain('# what we sell\nmodules: []');
    expect(spec.startsWith('# yaml-language-server:')).toBe(true);
    await git(dir, ['add', '-A']);
    await git(dir, ['commit', '-q', '-m', 'remove tasks']);

    const human = await runCli(['remove', 'module', 'tasks'], { cwd: dir, env });
    expect(human.exitCode).toBe(0);
    expect(human.stdout).toContain('not in the product: nothing to do');

    const added = await runCli(['add', 'module', 'tasks', '--json'], { cwd: dir, env });
    expect(added.exitCode, added.stderr).toBe(0);
    expect(added.json.changes).toContainEqual({ type: 'CREATE', path: 'src/modules/tasks/tasks/tasks.service.ts' });
    expect(appModule()).toBe(before);
    // Back to the committed state before the removal.
    await git(dir, ['add', '-A']);
    expect(await git(dir, ['diff', '--cached', '--stat', 'HEAD~1'])).toBe('');
  });

  it('--dry-run writes nothing', async () => {
    const dir = await ownedProduct();
    const run = await runCli(['remove', 'module', 'tasks', '--dry-run', '--json'], { cwd: dir, env });
    expect(run.exitCode, run.stderr).toBe(0);
    expect(run.json.changes.length).toBeGreaterThan(5);
    expect(await git(dir, ['status', '--porcelain'])).toBe('');
  });

  it('refuses to remove a module another one depends on (exit 2, naming it), and unknown or core modules', async () => {
    const dir = await ownedProduct();
    const added = await runCli(['add', 'module', 'task-reports', '--json'], { cwd: dir, env });
    expect(added.exitCode, added.stderr).toBe(0);
    expect(readFileSync(path.join(dir, 'platform.yaml'), 'utf8')).toMatch(/modules:\n  - tasks\n  - task-reports\n/);
    const refused = await runCli(['remove', 'module', 'tasks', '--json'], { cwd: dir, env });
    expect(refused.exitCode).toBe(2);
    expect(refused.json.error).toMatchObject({ code: 'MODULE_REQUIRED' });
    expect(refused.json.error.message).toContain('task-reports');
    expect(readFileSync(path.join(dir, 'platform.yaml'), 'utf8')).toContain('  - tasks\n');

    expect((await runCli(['remove', 'module', 'core', '--json'], { cwd: dir, env })).json.error.code).toBe('MODULE_UNKNOWN');
    const unknown = await runCli(['add', 'module', 'invoices', '--json'], { cwd: dir, env });
    expect(unknown.exitCode).toBe(2);
    expect(unknown.json.error.code).toBe('MODULE_UNKNOWN');
  });
});
