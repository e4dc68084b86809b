#!/usr/bin/env node
import path from 'node:path';
import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { parse } from 'yaml';
import { readFileSync } from 'node:fs';
import { LogArchiveStack, OrgBaselineStack } from '../lib/org-baseline.js';

// The organization baseline: run from infra/org with `npm run synth:org` (management + log-archive accounts).
const app = new App();
const context = (key: string): string | undefined => {
  const value = app.node.tryGetContext(key) as unknown;
  return typeof value === 'string' && value !== '' ? value : undefined;
};
const platformFile = path.resolve(context('platformFile') ?? '../../platform.yaml');
const spec = parse(readFileSync(platformFile, 'utf8')) as { name: string; aws?: { region?: string; accounts?: Record<string, string> } };
const region = spec.aws?.region;
const accounts = spec.aws?.accounts ?? {};
const logArchiveAccount = accounts['log-archive'];
if (!region || !logArchiveAccount) {
  console.error(`infra/org: ${platformFile} needs aws.region and aws.accounts.log-archive (and aws.accounts.management) for the organization baseline`);
  process.exit(1);
}
const organizationId = context('organizationId');
// One destination per cell environment (infra/lib/access.ts LogShipping streams to `<product>-<env>`).
const logDestinations = ['dev', 'staging', 'prod']
  .filter((env) => accounts[env])
  .map((env) => ({ name: `${spec.name}-${env}`, sourceAccount: accounts[env]! }));
new LogArchiveStack(app, 'org-log-archive', { env: { account: logArchiveAccount, region }, managementAccount: accounts.management, organizationId, logDestinations });
new OrgBaselineStack(app, 'org-baseline', {
  env: { account: accounts.management, region },
  logArchiveAccount,
  organizationId,
  targetIds: (context('scpTargetIds') ?? '').split(',').map((id) => id.trim()).filter(Boolean),
});
Validations.of(app).addPlugins(new AwsSolutionsChecks(app, { verbose: true }));
app.synth();
