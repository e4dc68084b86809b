import { existsSync } from 'node:fs';
import path from 'node:path';
import { execa } from 'execa';
import { PlatformError } from '../errors.js';
import type { ProductSpec } from '../spec/product-spec.js';
import { ENV_NAME_PATTERN } from './account-vending.js';

export type RequireApproval = 'never' | 'any-change' | 'broadening';
export const REQUIRE_APPROVAL_VALUES: readonly RequireApproval[] = ['never', 'any-change', 'broadening'];

export interface PlannedCommand {
  /** Folder the command runs in. */
  cwd: string;
  command: string;
  args: string[];
  /** Variables added to the environment. */
  env: Record<string, string>;
  /** The command as a user would type it from the product folder. */
  display: string;
}

export interface DeployPlan {
  product: string;
  env: string;
  accountId: string;
  region: string;
  profile: string;
  requireApproval: RequireApproval;
  commands: PlannedCommand[];
}

export interface DeployOptions {
  dir: string;
  spec: ProductSpec;
  env: string;
  /** AWS profile; default `<product>-<env>` (the profiles `platform account create` prints). */
  profile?: string;
  requireApproval?: RequireApproval;
}

/**
 * Production asks before any change that widens security (IAM, security groups) — CDK's own
 * default —, the other environments deploy without stopping so that CI and developers are not blocked.
 */
export function defaultRequireApproval(env: string): RequireApproval {
  return env === 'prod' || env === 'production' ? 'broadening' : 'never';
}

/** `platform deploy --env <env>`: the exact `cdk deploy` run from the product's infra/, for one environment. */
export function planDeploy(options: DeployOptions): DeployPlan {
  const { spec, env } = options;
  if (!ENV_NAME_PATTERN.test(env)) {
    throw new PlatformError({ code: 'USAGE', message: `--env "${env}" is not an environment name (lowercase letters, digits, dashes)`, exitCode: 2, suggestions: ['platform deploy --env dev'] });
  }
  const accountId = spec.aws?.accounts[env];
  if (!accountId) {
    const known = Object.keys(spec.aws?.accounts ?? {});
    throw new PlatformError({
      code: 'ACCOUNT_ID_MISSING',
      message: `platform.yaml has no account for "${env}": aws.accounts.${env} is not set${known.length > 0 ? ` (set: ${known.join(', ')})` : ''}`,
      exitCode: 2,
      suggestions: [`platform account create ${spec.name} --envs ${env}   # creates the account and writes aws.accounts.${env}`, `or set aws.accounts.${env}: "<12-digit id>" in platform.yaml`],
    });
  }
  const region = spec.aws!.region;
  const infraDir = path.join(options.dir, 'infra');
  if (!existsSync(path.join(infraDir, 'cdk.json'))) {
    throw new PlatformError({
      code: 'INFRA_NOT_FOUND',
      message: `No CDK app in ${infraDir} (infra/cdk.json is missing)`,
      exitCode: 2,
      suggestions: ['Run `platform sync` to regenerate infra/ from the templates of this CLI version.'],
    });
  }
  const profile = options.profile ?? `${spec.name}-${env}`;
  const requireApproval = options.requireApproval ?? defaultRequireApproval(env);
  const args = ['cdk', 'deploy', '--all', '--context', `environment=${env}`, '--require-approval', requireApproval, '--profile', profile];
  const envVars = { AWS_REGION: region };
  const commands: PlannedCommand[] = [];
  // infra/ is its own npm project (CDK app + tsc); without its node_modules `npx cdk` would fetch another CDK CLI.
  if (existsSync(path.join(infraDir, 'package.json')) && !existsSync(path.join(infraDir, 'node_modules'))) {
    const install = existsSync(path.join(infraDir, 'package-lock.json')) ? ['ci'] : ['install'];
    commands.push({ cwd: infraDir, command: 'npm', args: install, env: {}, display: `cd infra && npm ${install.join(' ')}` });
  }
  commands.push({ cwd: infraDir, command: 'npx', args, env: envVars, display: `cd infra && AWS_REGION=${region} npx ${args.join(' ')}` });
  return { product: spec.name, env, accountId, region, profile, requireApproval, commands };
}

/** Runs the planned commands in order; cdk's output goes to the terminal (to stderr when stdout carries JSON). */
export async function runDeploy(plan: DeployPlan, options: { outputToStderr?: boolean } = {}): Promise<void> {
  for (const command of plan.commands) {
    const result = await execa(command.command, command.args, {
      cwd: command.cwd,
      env: command.env,
      stdin: 'inherit',
      stdout: options.outputToStderr ? 2 : 'inherit',
      stderr: 'inherit',
      reject: false,
    });
    if (result.exitCode !== 0) {
      throw new PlatformError({
        code: 'DEPLOY_FAILED',
        message: `\`${command.display}\` exited with code ${result.exitCode ?? result.signal ?? 'unknown'}`,
        exitCode: 1,
        suggestions: [
          `Check that the profile ${plan.profile} has credentials for account ${plan.accountId} (aws sts get-caller-identity --profile ${plan.profile}).`,
          `Bootstrap the account once if needed: (cd infra && npx cdk bootstrap aws://${plan.accountId}/${plan.region} --profile ${plan.profile})`,
        ],
      });
    }
  }
}
