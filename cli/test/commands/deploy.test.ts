import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { describe, expect, it } from 'vitest';
import { FIXTURE_SPEC, productFixture } from '../../../generators/aws/testing/product-fixture.js';
import { runCli } from '../run-cli.js';

const WITH_ACCOUNTS = `${FIXTURE_SPEC}aws:
  region: eu-west-1
  accounts:
    dev: "111111111111"
    prod: "333333333333"
`;
const REGISTRY = '111111111111.dkr.ecr.eu-west-1.amazonaws.com';

/** A product as `platform new` leaves it: a git repository with everything committed. Returns the commit. */
async function committed(dir: string): Promise<string> {
  const git = (...args: string[]) => execa('git', ['-c', 'user.name=Test', '-c', 'user.email=test@example.test', ...args], { cwd: dir });
  await git('init', '--quiet', '--initial-branch=main');
  writeFileSync(path.join(dir, '.gitignore'), 'node_modules/\ninfra/node_modules/\n');
  await git('add', '-A');
  await git('commit', '--quiet', '-m', 'Generate acme-crm');
  return (await git('rev-parse', 'HEAD')).stdout.trim();
}

/**
 * Stand-ins for the programs deploy runs, recording each call (program, folder, arguments, stdin) in one log, in
 * order. `aws ecr describe-images` succeeds when `imagePushed`; `docker` is never the real one (not runnable here).
 */
function standIns(dir: string, options: { imagePushed?: boolean; failing?: string; without?: string } = {}) {
  const log = path.join(dir, 'calls.log');
  const bin = mkdtempSync(path.join(tmpdir(), 'deploy-bin-'));
  const script = (name: string, body: string) => {
    if (name === options.without) return;
    const file = name === 'cdk' ? path.join(dir, 'infra/node_modules/.bin/cdk') : path.join(bin, name);
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, `#!/bin/sh\n${body}\n`);
    chmodSync(file, 0o755);
  };
  const record = (name: string, stdin = false) =>
    `printf '%s|%s|%s|%s\\n' '${name}' "$(basename "$PWD")" "$*" "${stdin ? '$(cat)' : ''}" >> '${log}'` + (options.failing === name ? '\nexit 7' : '');
  script('cdk', `${record('cdk')}\necho "cdk (stand-in): $*"`);
  script('docker', `if [ "$1" = login ]; then ${record('docker', true)}; else ${record('docker')}; fi`);
  script(
    'aws',
    [
      `${record('aws')}`,
      'case "$*" in',
      `  "ecr describe-images"*) exit ${options.imagePushed ? 0 : 254} ;;`,
      '  "ecr get-login-password"*) printf "ecr-password" ;;',
      'esac',
    ].join('\n'),
  );
  return {
    env: { PATH: `${bin}:${process.env.PATH}` },
    calls: () => (existsSync(log) ? readFileSync(log, 'utf8').trim().split('\n') : []),
  };
}

describe('platform deploy', () => {
  it('--dry-run prints the exact commands: registry stack, image of the commit unless already pushed, then the cell', async () => {
    const dir = productFixture(WITH_ACCOUNTS, { infra: true });
    const sha = await committed(dir);
    const run = await runCli(['deploy', '--env', 'dev', '--dry-run', '--json'], { cwd: path.join(dir, 'infra') });
    expect(run.exitCode, run.stderr).toBe(0);
    const image = `${REGISTRY}/acme-crm-dev:${sha}`;
    expect(run.json).toMatchObject({
      product: 'acme-crm', env: 'dev', accountId: '111111111111', region: 'eu-west-1', profile: 'acme-crm-dev', requireApproval: 'never',
      imageTag: sha, image, build: true, dryRun: true,
    });
    const aws = (...args: string[]) => ({ command: 'aws', args: [...args, '--region', 'eu-west-1', '--profile', 'acme-crm-dev'] });
    const pushed = aws('ecr', 'describe-images', '--repository-name', 'acme-crm-dev', '--image-ids', `imageTag=${sha}`);
    const cdk = (...stacks: string[]) => ['cdk', 'deploy', ...stacks, '--context', 'environment=dev', '--context', `imageTag=${sha}`, '--require-approval', 'never', '--profile', 'acme-crm-dev'];
    expect(run.json.commands).toEqual([
      { cwd: path.join(dir, 'infra'), command: 'npx', args: cdk('acme-crm-dev-registry'), env: { AWS_REGION: 'eu-west-1' }, display: `cd infra && AWS_REGION=eu-west-1 npx ${cdk('acme-crm-dev-registry').join(' ')}` },
      {
        cwd: dir, command: 'docker', args: ['login', '--username', 'AWS', '--password-stdin', REGISTRY], env: {}, skipIf: pushed, stdinFrom: aws('ecr', 'get-login-password'),
        display: `aws ecr describe-images --repository-name acme-crm-dev --image-ids imageTag=${sha} --region eu-west-1 --profile acme-crm-dev >/dev/null 2>&1 || aws ecr get-login-password --region eu-west-1 --profile acme-crm-dev | docker login --username AWS --password-stdin ${REGISTRY}`,
      },
      {
        cwd: dir, command: 'docker', args: ['build', '--platform', 'linux/amd64', '--tag', image, '.'], env: {}, skipIf: pushed,
        display: `aws ecr describe-images --repository-name acme-crm-dev --image-ids imageTag=${sha} --region eu-west-1 --profile acme-crm-dev >/dev/null 2>&1 || docker build --platform linux/amd64 --tag ${image} .`,
      },
      {
        cwd: dir, command: 'docker', args: ['push', image], env: {}, skipIf: pushed,
        display: `aws ecr describe-images --repository-name acme-crm-dev --image-ids imageTag=${sha} --region eu-west-1 --profile acme-crm-dev >/dev/null 2>&1 || docker push ${image}`,
      },
      { cwd: path.join(dir, 'infra'), command: 'npx', args: cdk('--all'), env: { AWS_REGION: 'eu-west-1' }, display: `cd infra && AWS_REGION=eu-west-1 npx ${cdk('--all').join(' ')}` },
    ]);

    const prod = await runCli(['deploy', '--env', 'prod', '--profile', 'acme-admin', '--image-tag', 'v1.2.0', '--dry-run'], { cwd: dir });
    expect(prod.exitCode, prod.stderr).toBe(0);
    expect(prod.stdout).toBe(
      'Would deploy acme-crm v1.2.0 to prod (account 333333333333, eu-west-1, profile acme-admin):\n' +
        '  aws ecr describe-images --repository-name acme-crm-prod --image-ids imageTag=v1.2.0 --region eu-west-1 --profile acme-admin\n' +
        '  cd infra && AWS_REGION=eu-west-1 npx cdk deploy --all --context environment=prod --context imageTag=v1.2.0 --require-approval broadening --profile acme-admin',
    );
  });

  it('installs infra/ first when it is an npm project without node_modules', async () => {
    const dir = productFixture(WITH_ACCOUNTS, { infra: true });
    writeFileSync(path.join(dir, 'infra/package.json'), '{ "name": "acme-crm-infra", "private": true }\n');
    await committed(dir);
    const run = await runCli(['deploy', '--env', 'dev', '--image-tag', 'abc', '--dry-run', '--json'], { cwd: dir });
    expect(run.exitCode, run.stderr).toBe(0);
    expect(run.json.commands.map((c: { display: string }) => c.display)).toEqual([
      'cd infra && npm install',
      'aws ecr describe-images --repository-name acme-crm-dev --image-ids imageTag=abc --region eu-west-1 --profile acme-crm-dev',
      'cd infra && AWS_REGION=eu-west-1 npx cdk deploy --all --context environment=dev --context imageTag=abc --require-approval never --profile acme-crm-dev',
    ]);
  });

  it('deploys the registry, builds and pushes the commit\'s image, then deploys the cell with that tag (stand-ins record the calls)', async () => {
    const dir = productFixture(WITH_ACCOUNTS, { infra: true });
    const { env, calls } = standIns(dir);
    const sha = await committed(dir);
    const run = await runCli(['deploy', '--env', 'prod', '--require-approval', 'any-change', '--json'], { cwd: dir, env });
    expect(run.exitCode, run.stderr).toBe(0);
    expect(run.json).toMatchObject({ env: 'prod', dryRun: false, requireApproval: 'any-change', imageTag: sha, build: true });
    expect(run.stderr).toContain('cdk (stand-in): deploy --all');
    const image = `333333333333.dkr.ecr.eu-west-1.amazonaws.com/acme-crm-prod:${sha}`;
    const awsTail = '--region eu-west-1 --profile acme-crm-prod';
    const cdkTail = `--context environment=prod --context imageTag=${sha} --require-approval any-change --profile acme-crm-prod`;
    const describe = `aws|acme-crm|ecr describe-images --repository-name acme-crm-prod --image-ids imageTag=${sha} ${awsTail}|`;
    expect(calls()).toEqual([
      `cdk|infra|deploy acme-crm-prod-registry ${cdkTail}|`,
      describe,
      `aws|acme-crm|ecr get-login-password ${awsTail}|`,
      'docker|acme-crm|login --username AWS --password-stdin 333333333333.dkr.ecr.eu-west-1.amazonaws.com|ecr-password',
      describe,
      `docker|acme-crm|build --platform linux/amd64 --tag ${image} .|`,
      describe,
      `docker|acme-crm|push ${image}|`,
      `cdk|infra|deploy --all ${cdkTail}|`,
    ]);
  });

  it('builds nothing when the commit\'s image is already in ECR (pushed by the workflow or an earlier deploy)', async () => {
    const dir = productFixture(WITH_ACCOUNTS, { infra: true });
    const { env, calls } = standIns(dir, { imagePushed: true });
    await committed(dir);
    const run = await runCli(['deploy', '--env', 'dev'], { cwd: dir, env });
    expect(run.exitCode, run.stderr).toBe(0);
    expect(run.stdout).toContain('skipped (');
    expect(calls().filter((c) => c.startsWith('docker'))).toEqual([]);
    expect(calls().at(-1)).toMatch(/^cdk\|infra\|deploy --all --context environment=dev --context imageTag=[0-9a-f]{40} /);
  });

  it('--image-tag deploys an image already in ECR, and stops before cdk when it is not there', async () => {
    const dir = productFixture(WITH_ACCOUNTS, { infra: true });
    const present = standIns(dir, { imagePushed: true });
    const ok = await runCli(['deploy', '--env', 'dev', '--image-tag', 'release-7', '--json'], { cwd: dir, env: present.env });
    expect(ok.exitCode, ok.stderr).toBe(0);
    expect(ok.json).toMatchObject({ imageTag: 'release-7', build: false, image: `${REGISTRY}/acme-crm-dev:release-7` });
    expect(present.calls().map((c) => c.split('|')[0])).toEqual(['aws', 'cdk']);

    const missing = productFixture(WITH_ACCOUNTS, { infra: true });
    const absent = standIns(missing, { imagePushed: false });
    const refused = await runCli(['deploy', '--env', 'dev', '--image-tag', 'release-8', '--json'], { cwd: missing, env: absent.env });
    expect(refused.exitCode).toBe(1);
    expect(refused.json.error.code).toBe('IMAGE_NOT_FOUND');
    expect(refused.json.error.message).toContain('acme-crm-dev:release-8 is not in ECR');
    expect(absent.calls().some((c) => c.startsWith('cdk'))).toBe(false);
  });

  it('refuses uncommitted changes (the tag is the commit) and a product without a commit, exit 2', async () => {
    const dir = productFixture(WITH_ACCOUNTS, { infra: true });
    const none = await runCli(['deploy', '--env', 'dev', '--dry-run', '--json'], { cwd: dir });
    expect(none.exitCode).toBe(2);
    expect(none.json.error.code).toBe('IMAGE_TAG_UNKNOWN');

    await committed(dir);
    writeFileSync(path.join(dir, 'platform.yaml'), `${WITH_ACCOUNTS}# edited\n`);
    const dirty = await runCli(['deploy', '--env', 'dev', '--dry-run'], { cwd: dir });
    expect(dirty.exitCode).toBe(2);
    expect(dirty.stderr).toContain('Error [WORKTREE_DIRTY]: Uncommitted changes in');
    expect(dirty.stderr).toContain('platform.yaml');
    expect(dirty.stderr).toContain('--image-tag');
  });

  it('a failing step exits 1 naming its command; a missing program says so', async () => {
    const dir = productFixture(WITH_ACCOUNTS, { infra: true });
    const { env, calls } = standIns(dir, { failing: 'docker' });
    await committed(dir);
    const run = await runCli(['deploy', '--env', 'dev', '--json'], { cwd: dir, env });
    expect(run.exitCode).toBe(1);
    expect(run.json.error.code).toBe('DEPLOY_FAILED');
    expect(run.json.error.message).toMatch(/docker login --username AWS --password-stdin .* exited with code 7/);
    expect(calls().some((c) => c.includes('deploy --all'))).toBe(false);

    // A PATH with the stand-in aws and what the CLI itself needs, but no docker.
    const noDocker = productFixture(WITH_ACCOUNTS, { infra: true });
    const stand = standIns(noDocker, { without: 'docker' });
    await committed(noDocker);
    const tools = mkdtempSync(path.join(tmpdir(), 'no-docker-'));
    for (const name of ['git', 'node', 'npx', 'npm', 'sh', 'printf', 'basename', 'cat']) {
      const found = (await execa('sh', ['-c', `command -v ${name}`])).stdout.trim();
      if (found.startsWith('/')) writeFileSync(path.join(tools, name), `#!/bin/sh\nexec '${found}' "$@"\n`, { mode: 0o755 });
    }
    const missing = await runCli(['deploy', '--env', 'dev', '--json'], { cwd: noDocker, env: { PATH: `${stand.env.PATH.split(':')[0]}:${tools}` } });
    expect(missing.exitCode).toBe(1);
    expect(missing.json.error.message).toMatch(/docker login .* could not run/);
    expect(missing.json.error.suggestions[0]).toMatch(/Install docker/);
  });

  it('without an account id for the env: names aws.accounts.<env> and the command that fixes it, exit 2', async () => {
    const dir = productFixture(WITH_ACCOUNTS, { infra: true });
    const run = await runCli(['deploy', '--env', 'staging'], { cwd: dir });
    expect(run.exitCode).toBe(2);
    expect(run.stderr).toContain('Error [ACCOUNT_ID_MISSING]: platform.yaml has no account for "staging": aws.accounts.staging is not set (set: dev, prod)');
    expect(run.stderr).toContain('→ platform account create acme-crm --envs staging');

    const bare = productFixture(undefined, { infra: true });
    const json = await runCli(['deploy', '--env', 'dev', '--dry-run', '--json'], { cwd: bare });
    expect(json.exitCode).toBe(2);
    expect(json.json.error).toMatchObject({ code: 'ACCOUNT_ID_MISSING', exitCode: 2 });
  });

  it('without infra/ or outside a product: exit 2 with what to do', async () => {
    const noInfra = await runCli(['deploy', '--env', 'dev', '--dry-run', '--json'], { cwd: productFixture(WITH_ACCOUNTS) });
    expect(noInfra.exitCode).toBe(2);
    expect(noInfra.json.error.code).toBe('INFRA_NOT_FOUND');
    const outside = await runCli(['deploy', '--env', 'dev', '--json'], { cwd: '/tmp' });
    expect(outside.exitCode).toBe(2);
    expect(outside.json.error.code).toBe('SPEC_NOT_FOUND');
    const badTag = await runCli(['deploy', '--env', 'dev', '--image-tag', 'no/slashes', '--dry-run', '--json'], { cwd: productFixture(WITH_ACCOUNTS, { infra: true }) });
    expect(badTag.exitCode).toBe(2);
    expect(badTag.json.error.code).toBe('USAGE');
  });
});
