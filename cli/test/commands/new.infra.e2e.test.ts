import { existsSync, readdirSync, readFileSync, symlinkSync } from 'node:fs';
import path from 'node:path';
import { execa } from 'execa';
import { beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../../../generators/fixtures/fixture-platform.js';
import { REPO_ROOT, runCli } from '../run-cli.js';

/**
 * The AWS side of the promise: a product generated from examples/acme-crm.yaml synthesizes its cell for dev, staging
 * and prod offline — no AWS credentials, no lookups — with cdk-nag's AwsSolutions pack clean, and its infra unit tests
 * pass. Like new.product.e2e.test.ts, the product and its infra/ reuse this repository's node_modules (same pins).
 */

const EXAMPLE = path.join(REPO_ROOT, 'examples/acme-crm.yaml');
const ENVIRONMENTS = ['dev', 'staging', 'prod'] as const;

/** No credentials and nowhere to find any: a synth that needed AWS would fail here. */
function offlineEnv(): Record<string, string | undefined> {
  const env: Record<string, string | undefined> = { ...process.env, CI: 'true', NO_COLOR: '1', FORCE_COLOR: '0' };
  for (const key of Object.keys(env)) if (key.startsWith('AWS_') || key.startsWith('CDK_')) delete env[key];
  return {
    ...env,
    AWS_CONFIG_FILE: '/nonexistent/aws-config',
    AWS_SHARED_CREDENTIALS_FILE: '/nonexistent/aws-credentials',
    AWS_EC2_METADATA_DISABLED: 'true',
  };
}

let dir: string;
let infra: string;
const timings: Record<string, number> = {};

async function inInfra(label: string, command: string, args: string[], cwd = infra) {
  const started = performance.now();
  const result = await execa(command, args, { cwd, env: offlineEnv(), extendEnv: false, reject: false, all: true, stdin: 'ignore' });
  timings[label] = Math.round(performance.now() - started);
  if (result.exitCode !== 0) throw new Error(`${command} ${args.join(' ')} failed (${result.exitCode}):\n${result.all?.slice(-8000)}`);
  return result;
}

function template(outDir: string, stack: string, cwd = infra) {
  return JSON.parse(readFileSync(path.join(cwd, outDir, `${stack}.template.json`), 'utf8')) as { Resources: Record<string, { Type: string; Properties?: any }> };
}

function resources(outDir: string, stack: string, type: string, cwd = infra) {
  return Object.values(template(outDir, stack, cwd).Resources).filter((r) => r.Type === type);
}

function stackArtifacts(manifest: { artifacts: Record<string, { type: string }> }) {
  return Object.keys(manifest.artifacts).filter((a) => manifest.artifacts[a]!.type === 'aws:cloudformation:stack').sort();
}

describe('infra/ of a generated product (examples/acme-crm.yaml)', () => {
  beforeAll(async () => {
    dir = path.join(tempDir('platform-infra-e2e-'), 'acme-crm');
    const run = await runCli(['new', 'acme-crm', '--spec', EXAMPLE, '--dir', dir, '--skip-install', '--yes', '--json']);
    expect(run.stderr).toBe('');
    expect(run.exitCode).toBe(0);
    infra = path.join(dir, 'infra');
    symlinkSync(path.join(REPO_ROOT, 'node_modules'), path.join(dir, 'node_modules'), 'dir');
    symlinkSync(path.join(REPO_ROOT, 'node_modules'), path.join(infra, 'node_modules'), 'dir');
  });

  it('synthesizes prod offline with `npm run synth -- --context environment=prod`, cdk-nag clean', { timeout: 600_000 }, async () => {
    const run = await inInfra('npm run synth (compile + prod)', 'npm', ['run', 'synth', '--', '--context', 'environment=prod']);
    expect(run.all).not.toMatch(/AwsSolutions-/);
    const manifest = JSON.parse(readFileSync(path.join(infra, 'cdk.out/manifest.json'), 'utf8'));
    expect(manifest.missing ?? []).toEqual([]);
    expect(stackArtifacts(manifest)).toEqual(['acme-crm-prod', 'acme-crm-prod-registry']);
    const report = JSON.parse(readFileSync(path.join(infra, 'cdk.out/validation-report.json'), 'utf8'));
    expect(report.pluginReports.filter((r: { summary?: { status?: string } }) => r.summary?.status !== 'success')).toEqual([]);
    const cluster = resources('cdk.out', 'acme-crm-prod', 'AWS::RDS::DBCluster')[0]!;
    expect(cluster.Properties.DeletionProtection).toBe(true);
    expect(manifest.artifacts['acme-crm-prod'].environment).toBe('aws://333333333333/us-east-1');
  });

  it('synthesizes dev, staging and prod in one process, each pinned to its account', { timeout: 600_000 }, async () => {
    // The app builds every environment when no `environment` context is given; the incremental compile of the previous test makes this one cheap.
    await inInfra('cdk synth (dev + staging + prod)', 'npx', ['cdk', 'synth', '--quiet', '--output', 'cdk.out.all']);
    const manifest = JSON.parse(readFileSync(path.join(infra, 'cdk.out.all/manifest.json'), 'utf8'));
    expect(manifest.missing ?? []).toEqual([]);
    const accounts = { dev: '111111111111', staging: '222222222222', prod: '333333333333' };
    for (const env of ENVIRONMENTS) {
      const stack = `acme-crm-${env}`;
      expect(manifest.artifacts[stack].environment).toBe(`aws://${accounts[env]}/us-east-1`);
      expect(manifest.artifacts[`${stack}-registry`].environment).toBe(`aws://${accounts[env]}/us-east-1`);
      expect(manifest.artifacts[stack].dependencies).toContain(`${stack}-registry`);
      expect(resources('cdk.out.all', stack, 'AWS::RDS::DBCluster')[0]!.Properties.DeletionProtection).toBe(env === 'prod');
      expect(resources('cdk.out.all', stack, 'AWS::WAFv2::WebACL')[0]!.Properties.Rules[0].Statement.RateBasedStatement.Limit).toBe(2000);
    }
    const apiScaling = resources('cdk.out.all', 'acme-crm-prod', 'AWS::ApplicationAutoScaling::ScalableTarget').map((t) => [t.Properties.MinCapacity, t.Properties.MaxCapacity]);
    expect(apiScaling).toContainEqual([2, 10]);
  });

  it('passes its infra unit tests (every environment, cdk-nag, org baseline) and type-checks', { timeout: 600_000 }, async () => {
    const reportFile = path.join(infra, 'cdk.out.all/test-report.json');
    await inInfra('infra npm test', 'npm', ['test', '--', '--reporter=default', '--reporter=json', `--outputFile.json=${reportFile}`]);
    const report = JSON.parse(readFileSync(reportFile, 'utf8')) as { numPassedTests: number; numFailedTests: number; numPendingTests: number; testResults: { name: string }[] };
    expect(report.numFailedTests).toBe(0);
    expect(report.numPendingTests).toBe(0);
    expect(report.testResults.map((r) => path.relative(infra, r.name)).sort()).toEqual(['org/test/org.test.ts', 'test/cell.test.ts']);
    expect(report.numPassedTests).toBeGreaterThanOrEqual(40);
    await inInfra('infra typecheck', 'npm', ['run', 'typecheck']);
    console.log(`infra e2e timings (ms): ${JSON.stringify(timings)}`);
    expect(existsSync(path.join(dir, '.github/workflows/ci.yml'))).toBe(true);
    expect(readdirSync(path.join(dir, '.github/workflows')).sort()).toEqual(['ci.yml', 'deploy-environment.yml', 'deploy.yml']);
  });
});

/**
 * The README's own first command: `platform new <name> --modules tasks --yes` writes no `aws:` block (accounts come
 * later, from `platform account create`). The generated CI synthesizes and tests infra/ on the first push, so that
 * must work already: the default region, account-agnostic stacks, cdk-nag clean.
 */
describe('infra/ of a product made without a spec file (no aws block in platform.yaml)', () => {
  let bare: string;
  beforeAll(async () => {
    const product = path.join(tempDir('platform-infra-bare-'), 'shop-crm');
    const run = await runCli(['new', 'shop-crm', '--modules', 'tasks', '--yes', '--skip-install', '--dir', product, '--json']);
    expect(run.stderr).toBe('');
    expect(run.exitCode).toBe(0);
    expect(readFileSync(path.join(product, 'platform.yaml'), 'utf8')).not.toMatch(/^aws:/m);
    bare = path.join(product, 'infra');
    symlinkSync(path.join(REPO_ROOT, 'node_modules'), path.join(product, 'node_modules'), 'dir');
    symlinkSync(path.join(REPO_ROOT, 'node_modules'), path.join(bare, 'node_modules'), 'dir');
  });

  it('synthesizes dev and prod offline with `npm run synth -- --context environment=<env>`, cdk-nag clean', { timeout: 600_000 }, async () => {
    for (const env of ['dev', 'prod'] as const) {
      const out = `cdk.out.${env}`;
      const run = await inInfra(`bare synth ${env}`, 'npm', ['run', 'synth', '--', '--context', `environment=${env}`, '--output', out], bare);
      expect(run.all).not.toMatch(/AwsSolutions-|aws\.region is missing/);
      const manifest = JSON.parse(readFileSync(path.join(bare, out, 'manifest.json'), 'utf8'));
      expect(manifest.missing ?? []).toEqual([]);
      expect(stackArtifacts(manifest)).toEqual([`shop-crm-${env}`, `shop-crm-${env}-registry`]);
      // Account-agnostic in the default region until `platform account create` records the accounts.
      expect(manifest.artifacts[`shop-crm-${env}`].environment).toBe('aws://unknown-account/us-east-1');
      // cdk-nag runs as a validation plugin: an unacknowledged finding would have failed the synth (exit 1).
      const report = JSON.parse(readFileSync(path.join(bare, out, 'validation-report.json'), 'utf8'));
      expect(report.pluginReports.filter((r: { summary?: { status?: string } }) => r.summary?.status !== 'success')).toEqual([]);
      const zones = new Set(resources(out, `shop-crm-${env}`, 'AWS::EC2::Subnet', bare).map((s) => s.Properties.AvailabilityZone));
      expect([...zones].sort()).toEqual(['us-east-1a', 'us-east-1b', 'us-east-1c']);
      expect(resources(out, `shop-crm-${env}`, 'AWS::RDS::DBCluster', bare)[0]!.Properties.DeletionProtection).toBe(env === 'prod');
    }
  });

  it('passes its infra unit tests, as the generated CI runs them', { timeout: 600_000 }, async () => {
    const reportFile = path.join(bare, 'cdk.out.dev/test-report.json');
    await inInfra('bare infra npm test', 'npm', ['test', '--', '--reporter=default', '--reporter=json', `--outputFile.json=${reportFile}`], bare);
    const report = JSON.parse(readFileSync(reportFile, 'utf8')) as { numFailedTests: number; numPassedTests: number };
    expect(report.numFailedTests).toBe(0);
    expect(report.numPassedTests).toBeGreaterThanOrEqual(40);
  });
});
