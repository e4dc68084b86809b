import { readFileSync } from 'node:fs';
import path from 'node:path';
import { CreateAccountCommand } from '@aws-sdk/client-organizations';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { PlatformError } from '../errors.js';
import { parseSpec } from '../spec/load-spec.js';
import { ACCOUNT_STATE_FILE, readAccountState } from './account-state.js';
import { vendAccounts, type VendingOptions } from './account-vending.js';
import { backoffDelay } from './backoff.js';
import { createOrganizationsClient } from './organizations-client.js';
import { OrganizationsServer } from './testing/organizations-server.js';
import { productFixture } from './testing/product-fixture.js';

let server: OrganizationsServer;
let dir: string;
let sleeps: number[];

beforeEach(async () => {
  server = await new OrganizationsServer({ pollsUntilDone: 2, pageSize: 2 }).start();
  dir = productFixture();
  sleeps = [];
});
afterEach(async () => server.stop());

const specText = () => readFileSync(path.join(dir, 'platform.yaml'), 'utf8');

function options(overrides: Partial<VendingOptions> = {}): VendingOptions {
  return {
    dir,
    spec: parseSpec(specText()).spec,
    envs: ['dev', 'staging', 'prod'],
    ouName: 'Workloads',
    emailPattern: 'aws+{product}-{env}@example.com',
    region: 'eu-west-1',
    client: createOrganizationsClient({ endpoint: server.url, region: 'us-east-1', credentials: { accessKeyId: 'AKIDTEST', secretAccessKey: 'secret' } }, {}),
    sleep: async (ms) => {
      sleeps.push(ms);
    },
    random: () => 0.5,
    ...overrides,
  };
}

const vend = (overrides: Partial<VendingOptions> = {}) => vendAccounts(options(overrides));

async function vendError(overrides: Partial<VendingOptions> = {}): Promise<PlatformError> {
  const error = await vend(overrides).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(PlatformError);
  return error as PlatformError;
}

const productAccounts = () => [...server.accounts.values()].filter((a) => a.tags.product === 'acme-crm');

describe('account vending against the Organizations protocol', () => {
  it('creates three tagged accounts in a new OU and records them in platform.yaml, keeping comments', async () => {
    const result = await vend();
    expect(result.ou.action).toBe('created');
    const ou = [...server.ous.values()].find((o) => o.Name === 'Workloads')!;
    expect(result.ou.id).toBe(ou.Id);
    expect(result.accounts.map((a) => [a.env, a.action, a.placement])).toEqual([
      ['dev', 'created', 'moved'],
      ['staging', 'created', 'moved'],
      ['prod', 'created', 'moved'],
    ]);
    for (const account of result.accounts) {
      const created = server.accounts.get(account.accountId!)!;
      expect(created).toMatchObject({ Name: `acme-crm-${account.env}`, Email: `aws+acme-crm-${account.env}@example.com`, parentId: ou.Id });
      expect(created.tags).toEqual({ product: 'acme-crm', env: account.env });
    }
    // Polled until each request completed, waiting with growing delays between polls.
    expect(server.operations().filter((op) => op === 'DescribeCreateAccountStatus')).toHaveLength(9);
    expect(sleeps.slice(0, 2)).toEqual([backoffDelay({ baseMs: 2000, capMs: 30000 }, 0, () => 0.5), backoffDelay({ baseMs: 2000, capMs: 30000 }, 1, () => 0.5)]);
    expect(sleeps[1]!).toBeGreaterThan(sleeps[0]!);

    const text = specText();
    expect(text.startsWith('# yaml-language-server: $schema=./.platform/platform.schema.json\n# Acme CRM: the owner')).toBe(true);
    expect(text).toContain('  - tasks # kanban boards');
    const spec = parseSpec(text).spec;
    expect(spec.aws).toEqual({ region: 'eu-west-1', accounts: Object.fromEntries(result.accounts.map((a) => [a.env, a.accountId])) });
    expect(result.specUpdated).toBe(true);
    expect(result.nextCommands).toContain(`(cd infra && npx cdk bootstrap aws://${result.accounts[2]!.accountId}/eu-west-1 aws://${result.accounts[2]!.accountId}/us-east-1 --profile acme-crm-prod)`);

    const state = await readAccountState(dir);
    expect(state.environments.dev).toEqual({ accountName: 'acme-crm-dev', email: 'aws+acme-crm-dev@example.com', accountId: result.accounts[0]!.accountId });
  });

  it('is idempotent: a second run creates, moves and writes nothing', async () => {
    await vend();
    const before = specText();
    server.calls.length = 0;
    const again = await vend({ spec: parseSpec(before).spec });
    expect(again.accounts.map((a) => [a.action, a.placement])).toEqual([
      ['existing', 'in-ou'],
      ['existing', 'in-ou'],
      ['existing', 'in-ou'],
    ]);
    expect(server.mutatingCalls()).toEqual([]);
    expect(again.specUpdated).toBe(false);
    expect(specText()).toBe(before);
    expect(productAccounts()).toHaveLength(3);
  });

  it('finds accounts by their tags when nothing was recorded (state file and platform.yaml lost)', async () => {
    await vend();
    const fresh = productFixture();
    server.calls.length = 0;
    const again = await vend({ dir: fresh, spec: parseSpec(readFileSync(path.join(fresh, 'platform.yaml'), 'utf8')).spec });
    expect(again.accounts.map((a) => a.action)).toEqual(['adopted', 'adopted', 'adopted']);
    expect(server.mutatingCalls()).toEqual([]);
    expect(productAccounts()).toHaveLength(3);
  });

  it('resumes from the recorded CreateAccountRequestId after an interruption, creating no duplicate', async () => {
    // Interrupt the run while it waits for staging (as a killed process would).
    server.onCall = (call) => {
      if (call.operation === 'DescribeCreateAccountStatus' && server.calls.filter((c) => c.operation === 'CreateAccount').length === 2) {
        throw new Error('interrupted');
      }
    };
    await expect(vend()).rejects.toThrow();
    server.onCall = undefined;
    const state = JSON.parse(readFileSync(path.join(dir, ACCOUNT_STATE_FILE), 'utf8'));
    const pendingId = state.environments.staging.createAccountRequestId;
    expect(pendingId).toMatch(/^car-/);
    expect(parseSpec(specText()).spec.aws?.accounts).toEqual({ dev: state.environments.dev.accountId });

    server.calls.length = 0;
    const resumed = await vend({ spec: parseSpec(specText()).spec });
    expect(resumed.accounts.map((a) => a.action)).toEqual(['existing', 'resumed', 'created']);
    expect(resumed.accounts[1]!.createAccountRequestId).toBe(pendingId);
    expect(server.calls.filter((c) => c.operation === 'CreateAccount').map((c) => c.input.AccountName)).toEqual(['acme-crm-prod']);
    expect(productAccounts()).toHaveLength(3);
    expect((await readAccountState(dir)).environments.staging!.createAccountRequestId).toBeUndefined();
  });

  it('resumes a request that is still running under the account name even when its id was never recorded', async () => {
    const client = options().client;
    const { CreateAccountStatus: running } = await client.send(
      new CreateAccountCommand({ AccountName: 'acme-crm-dev', Email: 'aws+acme-crm-dev@example.com', Tags: [{ Key: 'product', Value: 'acme-crm' }, { Key: 'env', Value: 'dev' }] }),
    );
    server.calls.length = 0;
    const result = await vend({ envs: ['dev'] });
    expect(result.accounts[0]).toMatchObject({ action: 'resumed', createAccountRequestId: running!.Id });
    expect(server.operations()).not.toContain('CreateAccount');
    expect(productAccounts()).toHaveLength(1);
  });

  it('adopts the account that owns the email (EMAIL_ALREADY_EXISTS) when its tags say the same product and env', async () => {
    const existing = server.addAccount({ Name: 'Acme CRM Dev (legacy)', Email: 'aws+acme-crm-dev@example.com', tags: { product: 'acme-crm', env: 'dev' } });
    const result = await vend({ envs: ['dev'] });
    expect(server.createRequests.size).toBe(1);
    expect([...server.createRequests.values()][0]).toMatchObject({ state: 'FAILED', outcome: { failureReason: 'EMAIL_ALREADY_EXISTS' } });
    expect(result.accounts[0]).toMatchObject({ action: 'adopted', accountId: existing.Id, placement: 'moved' });
    expect(result.accounts[0]!.notes.join('\n')).toContain(`already belonged to account ${existing.Id}`);
    expect(parseSpec(specText()).spec.aws?.accounts).toEqual({ dev: existing.Id });
  });

  it('refuses to adopt on EMAIL_ALREADY_EXISTS when the tags differ', async () => {
    const other = server.addAccount({ Name: 'billing-dev', Email: 'aws+acme-crm-dev@example.com', tags: { product: 'billing', env: 'dev' } });
    const error = await vendError({ envs: ['dev'] });
    expect(error.code).toBe('ACCOUNT_EMAIL_IN_USE');
    expect(error.exitCode).toBe(2);
    expect(error.message).toContain(`EMAIL_ALREADY_EXISTS — aws+acme-crm-dev@example.com belongs to account ${other.Id}`);
    expect(error.message).toContain('product=billing');
    expect(other.parentId).toBe(server.root.Id);
    expect(parseSpec(specText()).spec.aws).toBeUndefined();
  });

  it('retries CONCURRENT_ACCOUNT_MODIFICATION (failure reason) and ConcurrentModificationException (error)', async () => {
    server.inject({ operation: 'CreateAccount', failureReason: 'CONCURRENT_ACCOUNT_MODIFICATION' });
    server.inject({ operation: 'MoveAccount', exception: 'ConcurrentModificationException', times: 2 });
    const result = await vend({ envs: ['dev'] });
    expect(result.accounts[0]).toMatchObject({ action: 'created', placement: 'moved' });
    expect(result.accounts[0]!.notes).toContain('CreateAccount failed with CONCURRENT_ACCOUNT_MODIFICATION; retried (attempt 2)');
    expect(server.operations().filter((op) => op === 'CreateAccount')).toHaveLength(2);
    expect(server.operations().filter((op) => op === 'MoveAccount')).toHaveLength(3);
    expect(productAccounts()).toHaveLength(1);
  });

  it('gives up on ConcurrentModificationException after its attempts with a typed error', async () => {
    server.inject({ operation: 'CreateOrganizationalUnit', exception: 'ConcurrentModificationException', times: 10 });
    const error = await vendError({ maxAttempts: 3 });
    expect(error.code).toBe('ORGANIZATIONS_BUSY');
    expect(server.operations().filter((op) => op === 'CreateOrganizationalUnit')).toHaveLength(3);
  });

  it('stops on ACCOUNT_LIMIT_EXCEEDED with the quota hint, keeping the accounts created before', async () => {
    server.accountLimit = 3; // management + 2
    const error = await vendError();
    expect(error.code).toBe('ACCOUNT_LIMIT_EXCEEDED');
    expect(error.exitCode).toBe(1);
    expect(error.message).toContain('CreateAccount acme-crm-prod failed: ACCOUNT_LIMIT_EXCEEDED');
    expect(error.suggestions.join(' ')).toMatch(/Service Quotas.*AWS Support/);
    expect(Object.keys(parseSpec(specText()).spec.aws!.accounts)).toEqual(['dev', 'staging']);
  });

  it('maps a ConstraintViolationException ACCOUNT_NUMBER_LIMIT_EXCEEDED to the same quota error', async () => {
    server.inject({ operation: 'CreateAccount', exception: 'ConstraintViolationException', members: { Reason: 'ACCOUNT_NUMBER_LIMIT_EXCEEDED' } });
    const error = await vendError({ envs: ['dev'] });
    expect(error.code).toBe('ACCOUNT_LIMIT_EXCEEDED');
  });

  it('names any other failure reason and what to do', async () => {
    server.inject({ operation: 'CreateAccount', failureReason: 'MISSING_PAYMENT_INSTRUMENT' });
    const error = await vendError({ envs: ['dev'] });
    expect(error.code).toBe('ACCOUNT_CREATION_FAILED');
    expect(error.message).toContain('failed: MISSING_PAYMENT_INSTRUMENT — the management account has no valid payment method');
    expect(error.suggestions[0]).toContain('payment method');
    expect((await readAccountState(dir)).environments.dev!.createAccountRequestId).toBeUndefined();
  });

  it('dry run only reads: no OU, no account, no move, no file', async () => {
    server.addAccount({ Name: 'acme-crm-dev', Email: 'aws+acme-crm-dev@example.com', tags: { product: 'acme-crm', env: 'dev' } });
    const before = specText();
    const result = await vend({ dryRun: true });
    expect(server.mutatingCalls()).toEqual([]);
    expect(result.ou.action).toBe('would-create');
    expect(result.accounts.map((a) => [a.env, a.action, a.placement])).toEqual([
      ['dev', 'adopted', 'would-move'],
      ['staging', 'would-create', 'would-move'],
      ['prod', 'would-create', 'would-move'],
    ]);
    expect(specText()).toBe(before);
    expect(() => readFileSync(path.join(dir, ACCOUNT_STATE_FILE))).toThrow();
    expect(result.nextCommands).toEqual([]);
  });

  it('maps AWS errors: AccessDenied → a hint about management credentials', async () => {
    server.inject({ operation: 'ListRoots', exception: 'AccessDeniedException', message: 'You don\'t have permissions to access this resource.' });
    const error = await vendError();
    expect(error.code).toBe('AWS_ACCESS_DENIED');
    expect(error.suggestions[0]).toContain('management account');
  });

  it('rejects an email pattern without {env}', async () => {
    const error = await vendError({ emailPattern: 'aws@example.com' });
    expect(error).toMatchObject({ code: 'USAGE', exitCode: 2 });
    expect(server.calls).toEqual([]);
  });
});
