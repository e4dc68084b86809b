import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { OrganizationsServer } from '../../../../generators/aws/testing/organizations-server.js';
import { setAccountIds } from '../../../../generators/aws/spec-accounts.js';
import { productFixture } from '../../../../generators/aws/testing/product-fixture.js';
import { runCli } from '../../run-cli.js';
import { startOrganizations } from './organizations-env.js';

let server: OrganizationsServer;
let env: Record<string, string>;
let dir: string;

beforeEach(async () => {
  ({ server, env } = await startOrganizations({ pageSize: 2 }));
  dir = productFixture();
});
afterEach(async () => server.stop());

describe('platform account list', () => {
  it('shows the accounts found by tags with status and OU, joined with platform.yaml', async () => {
    expect((await runCli(['account', 'create', 'acme-crm', '--envs', 'dev,prod'], { cwd: dir, env })).exitCode).toBe(0);
    server.addAccount({ Name: 'billing-dev', Email: 'aws+billing-dev@example.com', tags: { product: 'billing', env: 'dev' } });
    const manual = server.addAccount({ Name: 'acme staging (by hand)', Email: 'ops+staging@example.com' });
    const specFile = path.join(dir, 'platform.yaml');
    writeFileSync(specFile, setAccountIds(readFileSync(specFile, 'utf8'), { staging: manual.Id }, 'us-east-1'));
    const ouId = [...server.ous.values()][0]!.Id;

    server.calls.length = 0;
    const run = await runCli(['account', 'list', '--json'], { cwd: dir, env });
    expect(run.exitCode, run.stderr).toBe(0);
    expect(run.json.product).toBe('acme-crm');
    expect(run.json.accounts.map((a: any) => [a.env, a.name, a.status, a.ou, a.inSpec, a.tagged, a.problems])).toEqual([
      ['dev', 'acme-crm-dev', 'ACTIVE', { id: ouId, name: 'Workloads' }, true, true, []],
      ['staging', 'acme staging (by hand)', 'ACTIVE', { id: server.root.Id, name: 'Root' }, true, false, ['not tagged product=acme-crm env=staging']],
      ['prod', 'acme-crm-prod', 'ACTIVE', { id: ouId, name: 'Workloads' }, true, true, []],
    ]);
    expect(server.mutatingCalls()).toEqual([]);
  });

  it('prints a table, and points at account create when there is nothing yet', async () => {
    const empty = await runCli(['account', 'list'], { cwd: dir, env });
    expect(empty.exitCode).toBe(0);
    expect(empty.stdout).toContain('No AWS accounts for acme-crm yet. Create them: platform account create acme-crm');

    expect((await runCli(['account', 'create', 'acme-crm', '--envs', 'dev'], { cwd: dir, env })).exitCode).toBe(0);
    const table = await runCli(['account', 'list'], { cwd: dir, env });
    expect(table.stdout.split('\n')[0]).toMatch(/^ENV\s+ACCOUNT\s+STATUS\s+OU\s+PLATFORM\.YAML\s+EMAIL$/);
    expect(table.stdout).toMatch(/dev\s+\d{12}\s+ACTIVE\s+Workloads\s+yes\s+aws\+acme-crm-dev@example\.com/);
  });
});
