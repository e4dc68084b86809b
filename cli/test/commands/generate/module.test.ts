import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { execa } from 'execa';
import { beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../../../../generators/fixtures/fixture-platform.js';
import { REPO_ROOT, runCli } from '../../run-cli.js';
import { copyPlatform, edit } from '../upgrade.fixture.js';

/**
 * `platform generate module` on a product made from a frozen copy of templates/ and modules/. The scaffolded code
 * itself is type-checked and its e2e suite run against PostgreSQL by the upgrade scenario (../upgrade.test.ts).
 */
let env: Record<string, string>;
beforeAll(() => {
  env = { PLATFORM_ROOT: copyPlatform() };
});

const git = async (dir: string, args: string[]) => (await execa('git', ['-c', 'user.name=o', '-c', 'user.email=o@example.com', ...args], { cwd: dir })).stdout;
const read = (dir: string, file: string) => readFileSync(path.join(dir, file), 'utf8');
const commitAll = async (dir: string, message: string) => {
  await git(dir, ['add', '-A']);
  await git(dir, ['commit', '-q', '-m', message]);
};

async function newProduct(): Promise<string> {
  const dir = path.join(tempDir('platform-generate-'), 'acme-crm');
  const run = await runCli(['new', '--spec', path.join(REPO_ROOT, 'examples/acme-crm.yaml'), '--dir', dir, '--skip-install', '--yes', '--json'], { env });
  expect(run.exitCode, run.stderr).toBe(0);
  return dir;
}

const MODULE_FILES = [
  'prisma/schema/expense-reports.prisma',
  'src/modules/expense-reports/expense-reports.module.ts',
  'src/modules/expense-reports/expense-reports/expense-report.schemas.ts',
  'src/modules/expense-reports/expense-reports/expense-reports.controller.ts',
  'src/modules/expense-reports/expense-reports/expense-reports.service.ts',
  'src/modules/expense-reports/module.yaml',
  'test/expense-reports/expense-reports.e2e.test.ts',
  'test/expense-reports/idor.fixture.ts',
];

/** Hash of every file of the custom module (its migration included), to prove nothing touched them. */
async function moduleFingerprint(dir: string): Promise<string> {
  const files = (await git(dir, ['ls-files', '--others', '--cached', '--exclude-standard'])).split('\n').filter((f) => f.includes('expense-reports') || f.includes('expense_reports'));
  const hash = createHash('sha256');
  for (const file of files.sort()) hash.update(`${file}\0${read(dir, file)}\0`);
  return `${files.length}:${hash.digest('hex')}`;
}

describe('platform generate module', () => {
  it('scaffolds a module that follows the module contract, lists it in platform.yaml, wires and declares it; sync is then a no-op', async () => {
    const dir = await newProduct();
    const run = await runCli(['generate', 'module', 'expense-reports', '--json'], { cwd: dir, env });
    expect(run.exitCode, run.stderr).toBe(0);
    const migration = run.json.files.find((f: string) => f.startsWith('prisma/migrations/'));
    expect(migration).toMatch(/^prisma\/migrations\/\d{14}_expense-reports_expense_reports\.sql$/);
    expect(run.json).toMatchObject({
      module: 'expense-reports',
      className: 'ExpenseReportsModule',
      resource: { name: 'expense-report', plural: 'expense-reports', namespace: 'expense_report', table: 'expense_reports', route: '/api/v1/expense-reports', model: 'ExpenseReport' },
      dryRun: false,
      sdk: false,
      files: [...MODULE_FILES, migration].sort(),
    });
    const changed = run.json.changes.map((c: { type: string; path: string }) => `${c.type} ${c.path}`);
    for (const file of ['platform.yaml', 'src/app.module.ts', 'src/platform.modules.ts', '.platform/lock.json']) expect(changed).toContain(`UPDATE ${file}`);

    // The manifest and what the engine derives from it.
    const manifest = read(dir, 'src/modules/expense-reports/module.yaml');
    expect(manifest).toMatch(/^kind: custom$/m);
    expect(manifest).toContain("expense_report:\n    relations:\n      org: org\n      owner: user");
    expect(read(dir, 'platform.yaml')).toMatch(/modules:\n  - tasks\n  - expense-reports\n/);
    expect(read(dir, 'src/app.module.ts')).toContain("import { ExpenseReportsModule } from './modules/expense-reports/expense-reports.module.js';");
    expect(read(dir, 'src/app.module.ts')).toContain('imports: [CoreModule, ExpenseReportsModule, TasksModule]');
    const declared = read(dir, 'src/platform.modules.ts');
    expect(declared).toContain("name: 'expense-reports',\n    version: '0.1.0',\n    kind: 'custom'");
    expect(declared).toContain("view: 'viewer + editor + owner + org->admin'");
    const lock = JSON.parse(read(dir, '.platform/lock.json'));
    expect(lock.modules).toEqual({ core: expect.any(String), 'expense-reports': '0.1.0', tasks: expect.any(String) });
    expect(Object.keys(lock.files).filter((f) => f.includes('expense'))).toEqual([]);

    // The migration: RLS enabled and forced, policy on app.current_org_id; migrations run after the kernel's.
    const sql = read(dir, migration);
    expect(sql).toContain('ALTER TABLE expense_reports ENABLE ROW LEVEL SECURITY;\nALTER TABLE expense_reports FORCE ROW LEVEL SECURITY;');
    expect(sql).toContain("CREATE POLICY tenant_isolation ON expense_reports\n  USING (org_id = nullif(current_setting('app.current_org_id', true), '')::uuid)");
    const migrations = (await git(dir, ['ls-files', '--others', '--cached', 'prisma/migrations'])).split('\n').sort();
    expect(migrations.at(-1)).toBe(migration);
    // The code: the kernel's guard, list query, zod decorators; no placeholder left anywhere.
    const controller = read(dir, 'src/modules/expense-reports/expense-reports/expense-reports.controller.ts');
    expect(controller).toContain("@Authorize('expense_report', 'delete')");
    expect(controller).toContain('@ApiPaginated(expenseReportResponse)');
    for (const file of MODULE_FILES) expect(read(dir, file), file).not.toMatch(/sample|starter/i);

    // The pristine base records the wiring, never the owner's module.
    expect(await git(dir, ['show', 'refs/platform/pristine:src/app.module.ts'])).toContain('ExpenseReportsModule');
    expect((await git(dir, ['ls-tree', '-r', '--name-only', 'refs/platform/pristine'])).split('\n').filter((f) => f.includes('expense-reports/'))).toEqual([]);

    await commitAll(dir, 'Generate expense-reports');
    const sync = await runCli(['sync', '--json'], { cwd: dir, env });
    expect(sync.exitCode, sync.stderr).toBe(0);
    expect(sync.json).toMatchObject({ changes: [], skipped: [] });
    expect(await git(dir, ['status', '--porcelain', '--untracked-files=all'])).toBe('');
  });

  it('keeps the custom module intact through add module, remove module and sync, and (un)wires it on request', async () => {
    const dir = await newProduct();
    expect((await runCli(['generate', 'module', 'expense-reports', '--json'], { cwd: dir, env })).exitCode).toBe(0);
    edit(path.join(dir, 'src/modules/expense-reports/expense-reports/expense-reports.service.ts'), (t) => `${t}\n// acme: approval flow next quarter\n`);
    await commitAll(dir, 'My module');
    const before = await moduleFingerprint(dir);
    const head = await git(dir, ['rev-parse', 'HEAD']);

    const removeTasks = await runCli(['remove', 'module', 'tasks', '--json'], { cwd: dir, env });
    expect(removeTasks.exitCode, removeTasks.stderr).toBe(0);
    expect(await moduleFingerprint(dir)).toBe(before);
    expect(read(dir, 'src/app.module.ts')).toContain('imports: [CoreModule, ExpenseReportsModule]');
    const addTasks = await runCli(['add', 'module', 'tasks', '--json'], { cwd: dir, env });
    expect(addTasks.exitCode, addTasks.stderr).toBe(0);
    expect((await runCli(['sync', '--json'], { cwd: dir, env })).json.changes).toEqual([]);
    expect(await moduleFingerprint(dir)).toBe(before);
    // Back where it was, but for the order of platform.yaml's modules (tasks was added back last).
    expect(read(dir, 'platform.yaml')).toMatch(/modules:\n  - expense-reports\n  - tasks\n/);
    await git(dir, ['add', '-A']);
    expect(await git(dir, ['diff', '--cached', '--stat', head, '--', '.', ':(exclude)platform.yaml'])).toBe('');

    // Removing the custom module unwires it and keeps every file of it (listed); adding it back rewires it.
    const removed = await runCli(['remove', 'module', 'expense-reports', '--json'], { cwd: dir, env });
    expect(removed.exitCode, removed.stderr).toBe(0);
    expect(removed.json.left.map((l: { path: string }) => l.path)).toEqual(
      expect.arrayContaining(['src/modules/expense-reports/', 'test/expense-reports/', 'prisma/schema/expense-reports.prisma', expect.stringMatching(/_expense-reports_expense_reports\.sql$/)]),
    );
    expect(await moduleFingerprint(dir)).toBe(before);
    expect(read(dir, 'src/app.module.ts')).not.toContain('ExpenseReportsModule');
    expect(read(dir, 'src/platform.modules.ts')).not.toContain('expense_report');
    expect(read(dir, 'platform.yaml')).not.toContain('expense-reports');
    expect(JSON.parse(read(dir, '.platform/lock.json')).modules).not.toHaveProperty('expense-reports');
    const added = await runCli(['add', 'module', 'expense-reports', '--json'], { cwd: dir, env });
    expect(added.exitCode, added.stderr).toBe(0);
    expect(read(dir, 'platform.yaml')).toMatch(/modules:\n  - tasks\n  - expense-reports\n/);
    await git(dir, ['add', '-A']);
    expect(await git(dir, ['diff', '--cached', '--stat', head])).toBe('');
  });

  it('refuses bad names and names already taken (exit 2, nothing written)', async () => {
    const dir = await newProduct();
    const refuse = async (args: string[], code: string, message: RegExp) => {
      const run = await runCli(['generate', 'module', ...args, '--json'], { cwd: dir, env });
      expect(run.exitCode, run.stdout).toBe(2);
      expect(run.json.error.code).toBe(code);
      expect(run.json.error.message).toMatch(message);
    };
    await refuse(['Bad_Name'], 'MODULE_NAME_INVALID', /Invalid module name "Bad_Name"/);
    await refuse(['invoices', '--resource', 'class'], 'MODULE_NAME_INVALID', /reserved word/);
    await refuse(['tasks'], 'MODULE_EXISTS', /"tasks" is a module of the platform/);
    await refuse(['teams'], 'MODULE_EXISTS', /permission namespace "team" is already declared by module "core"/);
    await refuse(['users'], 'MODULE_EXISTS', /permission namespace "user"/);
    expect(await git(dir, ['status', '--porcelain', '--untracked-files=all'])).toBe('');

    const human = await runCli(['generate', 'module', 'tasks'], { cwd: dir, env });
    expect(human.exitCode).toBe(2);
    expect(human.stderr).toContain('→ Add the platform\'s module instead: platform add module tasks');

    expect((await runCli(['generate', 'module', 'billing', '--resource', 'invoice', '--json'], { cwd: dir, env })).json).toMatchObject({
      className: 'BillingModule',
      resource: { route: '/api/v1/invoices', table: 'invoices', namespace: 'invoice' },
    });
    await refuse(['billing'], 'MODULE_EXISTS', /already a custom module of this product/);
    await refuse(['receipts', '--resource', 'invoice'], 'MODULE_EXISTS', /permission namespace "invoice" is already declared by module "billing"/);
  });

  it('--dry-run lists the changes and writes nothing', async () => {
    const dir = await newProduct();
    const run = await runCli(['generate', 'module', 'expense-reports', '--dry-run'], { cwd: dir, env });
    expect(run.exitCode, run.stderr).toBe(0);
    expect(run.stdout).toContain('CREATE src/modules/expense-reports/module.yaml');
    expect(run.stdout).toContain('UPDATE src/app.module.ts');
    expect(run.stdout).toContain('Dry run: nothing was written.');
    expect(await git(dir, ['status', '--porcelain', '--untracked-files=all'])).toBe('');
  });

  it('wires the module into an app.module.ts the owner edited, keeping their code', async () => {
    const dir = await newProduct();
    edit(path.join(dir, 'src/app.module.ts'), (t) => `import { Logger } from '@nestjs/common';\n${t.replace(/imports: \[/, 'providers: [Logger],\n  imports: [')}`);
    await commitAll(dir, 'owner edit');
    const run = await runCli(['generate', 'module', 'expense-reports', '--json'], { cwd: dir, env });
    expect(run.exitCode, run.stderr).toBe(0);
    expect(run.json.wiredInOwnerAppModule).toBe(true);
    const appModule = read(dir, 'src/app.module.ts');
    expect(appModule).toContain('providers: [Logger]');
    expect(appModule).toMatch(/imports: \[CoreModule, TasksModule, ExpenseReportsModule\]/);
  });
});
