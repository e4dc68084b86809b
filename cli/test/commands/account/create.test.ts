import { readFileSync } from 'node:fs';
import path from 'node:path';
import { execa } from 'execa';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { OrganizationsServer } from '../../../../generators/aws/testing/organizations-server.js';
import { productFixture } from '../../../../generators/aws/testing/product-fixture.js';
import { parseSpec } from '../../../../generators/spec/load-spec.js';
import { REPO_ROOT, runCli } from '../../run-cli.js';
import { startOrganizations } from './organizations-env.js';

let server: OrganizationsServer;
let env: Record<string, string>;
let dir: string;

beforeEach(async () => {
  ({ server, env } = await startOrganizations());
  dir = productFixture();
});
afterEach(async () => server.stop());

const create = (args: string[] = [], cwd = dir) => runCli(['account', 'create', 'acme-crm', ...args], { cwd, env });
const specText = () => readFileSync(path.join(dir, 'platform.yaml'), 'utf8');
const productAccounts = () => [...server.accounts.values()].filter((a) => a.tags.product === 'acme-crm');

describe('platform account create', () => {
  it('creates dev, staging and prod in the Workloads OU, tags them and writes their ids into platform.yaml', async () => {
    const run = await create(['--json', '--region', 'eu-central-1', '--ci-account', '999999999999'], path.join(dir, '.platform'));
    expect(run.exitCode, run.stderr).toBe(0);
    const ou = [...server.ous.values()].find((o) => o.Name === 'Workloads')!;
    expect(run.json.ou).toEqual({ name: 'Workloads', id: ou.Id, action: 'created' });
    expect(run.json.accounts.map((a: any) => [a.env, a.action, a.placement])).toEqual([
      ['dev', 'created', 'moved'],
      ['staging', 'created', 'moved'],
      ['prod', 'created', 'moved'],
    ]);
    const ids: Record<string, string> = Object.fromEntries(run.json.accounts.map((a: any) => [a.env, a.accountId]));
    for (const [envName, id] of Object.entries(ids)) {
      expect(server.accounts.get(id)).toMatchObject({ Name: `acme-crm-${envName}`, Email: `aws+acme-crm-${envName}@example.com`, parentId: ou.Id, tags: { product: 'acme-crm', env: envName } });
    }
    const text = specText();
    expect(text.split('\n').slice(0, 2)).toEqual(['# yaml-language-server: $schema=./.platform/platform.schema.json', "# Acme CRM: the owner's notes stay where they are."]);
    expect(text).toContain('  - tasks # kanban boards');
    expect(text).toContain(`    prod: "${ids.prod}"`);
    expect(parseSpec(text).spec.aws).toEqual({ region: 'eu-central-1', accounts: ids });
    expect(run.json.nextCommands).toContain(
      `(cd infra && npx cdk bootstrap aws://${ids.dev}/eu-central-1 aws://${ids.dev}/us-east-1 --profile acme-crm-dev --trust 999999999999 --trust-for-lookup 999999999999 --cloudformation-execution-policies arn:aws:iam::aws:policy/AdministratorAccess)`,
    );
    expect(run.json.nextCommands).toContain(`aws configure set role_arn arn:aws:iam::${ids.staging}:role/OrganizationAccountAccessRole --profile acme-crm-staging`);

    // A re-run creates nothing and says so.
    server.calls.length = 0;
    const again = await create();
    expect(again.exitCode, again.stderr).toBe(0);
    expect(again.stdout).toContain('OU Workloads');
    expect(again.stdout).toMatch(/dev\s+\d{12}\s+acme-crm-dev — exists — in the OU/);
    expect(again.stdout).toContain('platform.yaml: already up to date.');
    expect(again.stdout).toContain(`platform deploy --env prod`);
    expect(server.mutatingCalls()).toEqual([]);
    expect(specText()).toBe(text);
  });

  it('resumes after the process is killed while waiting: the recorded request id is reused, no duplicate account', async () => {
    const child = execa('node', [path.join(REPO_ROOT, 'bin/run.js'), 'account', 'create', 'acme-crm', '--json'], { cwd: dir, env, reject: false, stdin: 'ignore' });
    let killed = false;
    server.onCall = async (call) => {
      const creates = server.operations().filter((op) => op === 'CreateAccount').length;
      if (!killed && call.operation === 'DescribeCreateAccountStatus' && creates === 2) {
        killed = true;
        child.kill('SIGKILL');
        await child;
      }
    };
    const first = await child;
    expect(first.signal).toBe('SIGKILL');
    server.onCall = undefined;
    const state = JSON.parse(readFileSync(path.join(dir, '.platform/accounts.json'), 'utf8'));
    const recorded = state.environments.staging.createAccountRequestId;
    expect(recorded).toMatch(/^car-/);
    expect(productAccounts().map((a) => a.Name)).toEqual(['acme-crm-dev']);

    server.calls.length = 0;
    const rerun = await create(['--json']);
    expect(rerun.exitCode, rerun.stderr).toBe(0);
    expect(rerun.json.accounts.map((a: any) => a.action)).toEqual(['existing', 'resumed', 'created']);
    expect(rerun.json.accounts[1].createAccountRequestId).toBe(recorded);
    expect(server.calls.filter((c) => c.operation === 'CreateAccount').map((c) => c.input.AccountName)).toEqual(['acme-crm-prod']);
    expect(productAccounts().map((a) => a.Name).sort()).toEqual(['acme-crm-dev', 'acme-crm-prod', 'acme-crm-staging']);
    expect(Object.keys(parseSpec(specText()).spec.aws!.accounts)).toEqual(['dev', 'staging', 'prod']);
  });

  it('adopts the account owning the email when tagged for the same product/env; refuses otherwise', async () => {
    const mine = server.addAccount({ Name: 'Acme CRM Dev', Email: 'aws+acme-crm-dev@example.com', tags: { product: 'acme-crm', env: 'dev' } });
    server.addAccount({ Name: 'billing-staging', Email: 'aws+acme-crm-staging@example.com', tags: { product: 'billing', env: 'staging' } });
    const run = await create(['--envs', 'dev,staging']);
    expect(run.exitCode).toBe(2);
    expect(run.stdout).toMatch(new RegExp(`dev\\s+${mine.Id}\\s+acme-crm-dev — adopted \\(existing account\\) — moved into the OU`));
    expect(run.stderr).toContain('Error [ACCOUNT_EMAIL_IN_USE]: CreateAccount acme-crm-staging failed: EMAIL_ALREADY_EXISTS');
    expect(run.stderr).toContain('product=billing');
    expect(run.stderr).toContain('→ If that account is meant to be acme-crm-staging: aws organizations tag-resource');
    expect(parseSpec(specText()).spec.aws?.accounts).toEqual({ dev: mine.Id });
  });

  it('retries CONCURRENT_ACCOUNT_MODIFICATION and ConcurrentModificationException', async () => {
    server.inject({ operation: 'CreateAccount', failureReason: 'CONCURRENT_ACCOUNT_MODIFICATION' });
    server.inject({ operation: 'CreateAccount', exception: 'ConcurrentModificationException', message: 'The request failed because another request to modify the same resource is already in progress.' });
    const run = await create(['--envs', 'dev', '--json']);
    expect(run.exitCode, run.stderr).toBe(0);
    expect(run.json.accounts[0]).toMatchObject({ action: 'created', placement: 'moved' });
    expect(server.operations().filter((op) => op === 'CreateAccount')).toHaveLength(3);
    expect(productAccounts()).toHaveLength(1);
  });

  it('stops on ACCOUNT_LIMIT_EXCEEDED with the quota hint, exit 1', async () => {
    server.accountLimit = 2;
    const run = await create();
    expect(run.exitCode).toBe(1);
    expect(run.stderr).toContain('Error [ACCOUNT_LIMIT_EXCEEDED]: CreateAccount acme-crm-staging failed: ACCOUNT_LIMIT_EXCEEDED — the organization has reached its account quota');
    expect(run.stderr).toMatch(/→ .*Service Quotas.*AWS Support/);
    expect(Object.keys(parseSpec(specText()).spec.aws!.accounts)).toEqual(['dev']);

    const json = await create(['--json']);
    expect(json.exitCode).toBe(1);
    expect(json.json.error).toMatchObject({ code: 'ACCOUNT_LIMIT_EXCEEDED', exitCode: 1 });
  });

  it('--dry-run calls no mutating API and writes nothing', async () => {
    const before = specText();
    const run = await create(['--dry-run', '--json']);
    expect(run.exitCode, run.stderr).toBe(0);
    expect(server.calls.length).toBeGreaterThan(0);
    expect(server.mutatingCalls()).toEqual([]);
    expect(run.json).toMatchObject({ dryRun: true, ou: { action: 'would-create' }, specUpdated: false });
    expect(run.json.accounts.map((a: any) => a.action)).toEqual(['would-create', 'would-create', 'would-create']);
    expect(specText()).toBe(before);

    const human = await create(['--dry-run']);
    expect(human.stdout).toContain('acme-crm-prod — would be created <aws+acme-crm-prod@example.com> — would be moved into the OU');
    expect(human.stdout).toContain('Dry run: nothing was created, moved or written');
  });

  it('refuses a product name that is not the spec name, exit 2', async () => {
    const run = await runCli(['account', 'create', 'billing', '--json'], { cwd: dir, env });
    expect(run.exitCode).toBe(2);
    expect(run.json.error).toMatchObject({ code: 'PRODUCT_MISMATCH' });
    expect(run.json.error.suggestions[0]).toBe('platform account create acme-crm');
    expect(server.calls).toEqual([]);
  });
});
