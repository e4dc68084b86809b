import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { FIXTURE_SPEC, productFixture } from '../../../generators/aws/testing/product-fixture.js';
import { runCli } from '../run-cli.js';

const WITH_ACCOUNTS = `${FIXTURE_SPEC}aws:
  region: eu-west-1
  accounts:
    dev: "111111111111"
    prod: "333333333333"
`;

describe('platform deploy', () => {
  it('--dry-run prints the exact cdk commands for an environment and runs nothing', async () => {
    const dir = productFixture(WITH_ACCOUNTS, { infra: true });
    const run = await runCli(['deploy', '--env', 'dev', '--dry-run', '--json'], { cwd: path.join(dir, 'infra') });
    expect(run.exitCode, run.stderr).toBe(0);
    expect(run.json).toMatchObject({ product: 'acme-crm', env: 'dev', accountId: '111111111111', region: 'eu-west-1', profile: 'acme-crm-dev', requireApproval: 'never', dryRun: true });
    expect(run.json.commands).toEqual([
      {
        cwd: path.join(dir, 'infra'),
        command: 'npx',
        args: ['cdk', 'deploy', '--all', '--context', 'environment=dev', '--require-approval', 'never', '--profile', 'acme-crm-dev'],
        env: { AWS_REGION: 'eu-west-1' },
        display: 'cd infra && AWS_REGION=eu-west-1 npx cdk deploy --all --context environment=dev --require-approval never --profile acme-crm-dev',
      },
    ]);

    const prod = await runCli(['deploy', '--env', 'prod', '--profile', 'acme-admin', '--dry-run'], { cwd: dir });
    expect(prod.exitCode, prod.stderr).toBe(0);
    expect(prod.stdout).toBe(
      'Would deploy acme-crm to prod (account 333333333333, eu-west-1, profile acme-admin):\n' +
        '  cd infra && AWS_REGION=eu-west-1 npx cdk deploy --all --context environment=prod --require-approval broadening --profile acme-admin',
    );
  });

  it('installs infra/ first when it is an npm project without node_modules', async () => {
    const dir = productFixture(WITH_ACCOUNTS, { infra: true });
    writeFileSync(path.join(dir, 'infra/package.json'), '{ "name": "acme-crm-infra", "private": true }\n');
    const run = await runCli(['deploy', '--env', 'dev', '--dry-run', '--json'], { cwd: dir });
    expect(run.exitCode, run.stderr).toBe(0);
    expect(run.json.commands.map((c: { display: string }) => c.display)).toEqual([
      'cd infra && npm install',
      'cd infra && AWS_REGION=eu-west-1 npx cdk deploy --all --context environment=dev --require-approval never --profile acme-crm-dev',
    ]);
  });

  it('runs cdk deploy from infra/ with that context (a stand-in cdk records its arguments)', async () => {
    const dir = productFixture(WITH_ACCOUNTS, { infra: true });
    const bin = path.join(dir, 'infra/node_modules/.bin');
    mkdirSync(bin, { recursive: true });
    const record = path.join(dir, 'cdk-call.txt');
    writeFileSync(path.join(bin, 'cdk'), `#!/bin/sh\nprintf '%s\\n' "$PWD" "$AWS_REGION" "$@" > '${record}'\necho "deployed (stand-in)"\n`);
    chmodSync(path.join(bin, 'cdk'), 0o755);
    const run = await runCli(['deploy', '--env', 'prod', '--require-approval', 'any-change', '--json'], { cwd: dir });
    expect(run.exitCode, run.stderr).toBe(0);
    expect(run.json).toMatchObject({ env: 'prod', dryRun: false, requireApproval: 'any-change' });
    expect(run.stderr).toContain('deployed (stand-in)');
    expect(readFileSync(record, 'utf8').trim().split('\n')).toEqual([
      path.join(dir, 'infra'),
      'eu-west-1',
      'deploy', '--all', '--context', 'environment=prod', '--require-approval', 'any-change', '--profile', 'acme-crm-prod',
    ]);
  });

  it('a failing cdk deploy exits 1 with its exit code named', async () => {
    const dir = productFixture(WITH_ACCOUNTS, { infra: true });
    const bin = path.join(dir, 'infra/node_modules/.bin');
    mkdirSync(bin, { recursive: true });
    writeFileSync(path.join(bin, 'cdk'), '#!/bin/sh\necho "no credentials" >&2\nexit 3\n');
    chmodSync(path.join(bin, 'cdk'), 0o755);
    const run = await runCli(['deploy', '--env', 'dev', '--json'], { cwd: dir });
    expect(run.exitCode).toBe(1);
    expect(run.json.error.code).toBe('DEPLOY_FAILED');
    expect(run.json.error.message).toContain('exited with code 3');
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
  });
});
