import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { execa } from 'execa';
import { describe, expect, it } from 'vitest';
import { fixturePlatform, tempDir, writeFiles } from '../../../generators/fixtures/fixture-platform.js';
import { REPO_ROOT, runCli } from '../run-cli.js';

const EXAMPLE = path.join(REPO_ROOT, 'examples/acme-crm.yaml');

describe('platform new', () => {
  it('--dry-run --json lists the planned files and writes nothing', async () => {
    const cwd = tempDir();
    const run = await runCli(['new', 'acme-crm', '--modules', 'tasks', '--dry-run', '--json'], { cwd });
    expect(run.exitCode).toBe(0);
    expect(run.json).toMatchObject({ name: 'acme-crm', dryRun: true, dir: path.join(cwd, 'acme-crm') });
    expect(run.json.modules.map((m: { name: string }) => m.name)).toEqual(['core', 'tasks']);
    const paths = run.json.changes.map((c: { type: string; path: string }) => `${c.type} ${c.path}`);
    for (const file of ['platform.yaml', '.platform/lock.json', '.platform/platform.schema.json', 'package.json', 'src/app.module.ts', 'src/platform.config.ts', 'src/platform.modules.ts']) {
      expect(paths).toContain(`CREATE ${file}`);
    }
    expect(run.json.files).toBe(run.json.changes.length);
    expect(readdirSync(cwd)).toEqual([]);
  });

  it('--dry-run without --json prints the changes', async () => {
    const cwd = tempDir();
    const run = await runCli(['new', 'acme-crm', '--dry-run'], { cwd });
    expect(run.exitCode).toBe(0);
    expect(run.stdout).toContain('CREATE platform.yaml');
    expect(run.stdout).toContain('nothing was written');
    expect(readdirSync(cwd)).toEqual([]);
  });

  it('generates a product from a spec into --dir: files, lock and a git repo with one commit', async () => {
    const dir = path.join(tempDir(), 'acme');
    const run = await runCli(['new', 'acme-crm', '--spec', EXAMPLE, '--dir', dir, '--skip-install', '--yes', '--json']);
    expect(run.stderr).toBe('');
    expect(run.exitCode).toBe(0);
    expect(run.json).toMatchObject({ name: 'acme-crm', dir, dryRun: false, installed: false, warnings: [] });

    const lock = JSON.parse(readFileSync(path.join(dir, '.platform/lock.json'), 'utf8'));
    expect(lock.modules).toMatchObject({ core: expect.any(String), tasks: expect.any(String) });
    expect(Object.keys(lock.files).length).toBeGreaterThan(5);
    expect(readFileSync(path.join(dir, 'platform.yaml'), 'utf8').split('\n')[0]).toBe('# yaml-language-server: $schema=./.platform/platform.schema.json');
    expect(readFileSync(path.join(dir, 'src/app.module.ts'), 'utf8')).toContain("import { TasksModule } from './modules/tasks/tasks.module.js';");
    expect(JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8')).name).toBe('acme-crm');

    const log = await execa('git', ['log', '--format=%s'], { cwd: dir });
    expect(log.stdout.split('\n')).toHaveLength(1);
    expect(run.json.git.commit).toMatch(/^[0-9a-f]{40}$/);
    expect((await execa('git', ['status', '--porcelain'], { cwd: dir })).stdout).toBe('');
    expect(readdirSync(path.dirname(dir))).toEqual(['acme']);
  });

  it('commits with a fallback author when git has no identity configured', async () => {
    const home = tempDir();
    const dir = path.join(tempDir(), 'shop');
    const run = await runCli(['new', 'shop', '--dir', dir, '--skip-install', '--yes'], {
      env: { HOME: home, XDG_CONFIG_HOME: home, GIT_CONFIG_NOSYSTEM: '1', GIT_AUTHOR_NAME: undefined, GIT_AUTHOR_EMAIL: undefined, GIT_COMMITTER_NAME: undefined, GIT_COMMITTER_EMAIL: undefined, EMAIL: undefined },
    });
    expect(run.exitCode).toBe(0);
    expect(run.stdout).toContain('Created shop');
    const author = await execa('git', ['log', '--format=%an <%ae>'], { cwd: dir });
    expect(author.stdout).toBe('platform <platform@localhost>');
  });

  it('refuses a non-empty target folder with exit code 2', async () => {
    const dir = tempDir();
    writeFileSync(path.join(dir, 'keep.txt'), 'mine');
    const run = await runCli(['new', 'acme-crm', '--dir', dir, '--skip-install', '--json']);
    expect(run.exitCode).toBe(2);
    expect(run.json.error.code).toBe('TARGET_EXISTS');
    expect(readdirSync(dir)).toEqual(['keep.txt']);
  });

  it('needs a name when it cannot prompt', async () => {
    const run = await runCli(['new', '--skip-install']);
    expect(run.exitCode).toBe(2);
    expect(run.stderr).toContain('Error [USAGE_MISSING_NAME]');
    expect(run.stderr).toContain('platform new acme-crm --modules tasks --yes');
  });

  it('rejects an unknown flag with exit code 2', async () => {
    const run = await runCli(['new', 'acme-crm', '--frobnicate']);
    expect(run.exitCode).toBe(2);
    expect(run.stderr).toContain('Error [USAGE]');
  });

  it('suggests the closest module for an unknown --modules entry', async () => {
    const run = await runCli(['new', 'acme-crm', '--modules', 'taks', '--dry-run', '--json']);
    expect(run.exitCode).toBe(2);
    expect(run.json.error).toMatchObject({ code: 'SPEC_UNKNOWN_MODULE', exitCode: 2 });
    expect(run.json.error.message).toContain('did you mean "tasks"?');
  });

  it('rejects a bad product name from the argument', async () => {
    const run = await runCli(['new', 'Acme_CRM', '--dry-run']);
    expect(run.exitCode).toBe(2);
    expect(run.stderr).toContain('<name> argument (name)');
  });
});

describe('platform new with a bad spec: exit 2, a located message, nothing written', () => {
  const cases: { title: string; spec: string; contains: string[]; root?: () => string }[] = [
    { title: 'empty file', spec: '', contains: ['bad.yaml:1:1', 'empty'] },
    { title: 'YAML syntax error', spec: 'name: acme-crm\nmodules: [tasks\n', contains: ['YAML syntax error', 'bad.yaml:3:1'] },
    {
      title: 'wrong type',
      spec: 'name: acme-crm\nauth:\n  lockout:\n    maxAttempts: five\n',
      contains: ['auth.lockout.maxAttempts', 'bad.yaml:4:18', 'expected number'],
    },
    { title: 'unknown key', spec: 'name: acme-crm\nfeatures: {}\ndatabse: {}\n', contains: ['databse', 'unknown key', 'bad.yaml:3:1'] },
    {
      title: 'unknown module',
      spec: 'name: acme-crm\nmodules:\n  - tasks\n  - taks\n',
      contains: ['bad.yaml:4:5 modules[1]: unknown module "taks"', 'did you mean "tasks"?'],
    },
    {
      title: 'aws account id',
      spec: 'name: acme-crm\naws:\n  region: us-east-1\n  accounts:\n    dev: "123"\n',
      contains: ['aws.accounts.dev', 'bad.yaml:5:10', '12-digit'],
    },
    {
      title: 'module dependency cycle',
      spec: 'name: acme-crm\nmodules: [alpha]\n',
      contains: ['bad.yaml:2:11 modules[0]', 'cycle: alpha → beta → alpha'],
      root: () =>
        fixturePlatform({
          'modules/alpha/module.yaml': 'name: alpha\nversion: 1.0.0\nkind: optional\ndependencies: [core, beta]\n',
          'modules/beta/module.yaml': 'name: beta\nversion: 1.0.0\nkind: optional\ndependencies: [alpha]\n',
        }).root,
    },
  ];

  it.each(cases)('$title', async ({ spec, contains, root }) => {
    const cwd = tempDir();
    writeFiles(cwd, { 'bad.yaml': spec });
    const env = root ? { PLATFORM_ROOT: root() } : {};
    const human = await runCli(['new', '--spec', 'bad.yaml', '--dir', 'out', '--skip-install', '--yes'], { cwd, env });
    expect(human.exitCode).toBe(2);
    for (const fragment of contains) expect(human.stderr).toContain(fragment);
    expect(human.stderr).not.toMatch(/^\s+at .*\.js:\d+/m);

    const json = await runCli(['new', '--spec', 'bad.yaml', '--dir', 'out', '--skip-install', '--yes', '--json'], { cwd, env });
    expect(json.exitCode).toBe(2);
    expect(json.json.error.exitCode).toBe(2);
    expect(json.json.error.location).toMatchObject({ file: 'bad.yaml', line: expect.any(Number), column: expect.any(Number) });

    expect(readdirSync(cwd)).toEqual(['bad.yaml']);
    expect(existsSync(path.join(cwd, 'out'))).toBe(false);
  });
});
