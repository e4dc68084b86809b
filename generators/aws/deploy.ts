import { existsSync } from 'node:fs';
import path from 'node:path';
import { execa } from 'execa';
import { PlatformError } from '../errors.js';
import type { ProductSpec } from '../spec/product-spec.js';
import { ENV_NAME_PATTERN } from './account-vending.js';

export type RequireApproval = 'never' | 'any-change' | 'broadening';
export const REQUIRE_APPROVAL_VALUES: readonly RequireApproval[] = ['never', 'any-change', 'broadening'];

/** A program and its arguments, run without a shell. */
export interface Invocation {
  command: string;
  args: string[];
}

export interface PlannedCommand extends Invocation {
  /** Folder the command runs in. */
  cwd: string;
  /** Variables added to the environment. */
  env: Record<string, string>;
  /** The command as a user would type it from the product folder (`a || b`, `a | b` included). */
  display: string;
  /** Skipped when this check exits 0 (the image tag is already in ECR: tags are immutable, it is this commit's image). */
  skipIf?: Invocation;
  /** stdin is this command's stdout (`aws ecr get-login-password | docker login --password-stdin`). */
  stdinFrom?: Invocation;
  /** The error a failure means, instead of the generic DEPLOY_FAILED. */
  onFailure?: { code: string; message: string; suggestions: string[] };
}

export interface DeployPlan {
  product: string;
  env: string;
  accountId: string;
  region: string;
  profile: string;
  requireApproval: RequireApproval;
  /** The tag the services run: the product's commit, or `--image-tag`. */
  imageTag: string;
  /** `<account>.dkr.ecr.<region>.amazonaws.com/<product>-<env>:<tag>` */
  image: string;
  /** Whether the plan builds and pushes the image (skipped at run time when the tag is already in ECR). */
  build: boolean;
  commands: PlannedCommand[];
}

export interface DeployOptions {
  dir: string;
  spec: ProductSpec;
  env: string;
  /** AWS profile; default `<product>-<env>` (the profiles `platform account create` prints). */
  profile?: string;
  requireApproval?: RequireApproval;
  /** Deploy this tag, already in the environment's ECR repository; default: build and push the current commit. */
  imageTag?: string;
}

/**
 * Production asks before any change that widens security (IAM, security groups) — CDK's own
 * default —, the other environments deploy without stopping so that CI and developers are not blocked.
 */
export function defaultRequireApproval(env: string): RequireApproval {
  return env === 'prod' || env === 'production' ? 'broadening' : 'never';
}

/** Names shared with infra/lib (cell-app.ts, registry.ts) and the deploy workflow. */
export const registryStackName = (product: string, env: string) => `${product}-${env}-registry`;
export const imageRepositoryName = (product: string, env: string) => `${product}-${env}`;

/** What ECR accepts as a tag. */
const IMAGE_TAG = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;

/**
 * The commit the image is built from, which is also its tag (as in the deploy workflow, so both push the same tags).
 * Tags are immutable, so the image must be exactly that commit: uncommitted changes are refused.
 */
export async function imageTagOfCommit(dir: string, env: string): Promise<string> {
  const head = await execa('git', ['rev-parse', '--verify', 'HEAD'], { cwd: dir, reject: false });
  if (head.exitCode !== 0) {
    throw new PlatformError({
      code: 'IMAGE_TAG_UNKNOWN',
      message: `${dir} has no git commit to build and tag the image from`,
      exitCode: 2,
      suggestions: [`git init && git add -A && git commit -m "Initial commit"   # then: platform deploy --env ${env}`, `platform deploy --env ${env} --image-tag <a tag already in ECR>`],
    });
  }
  const status = await execa('git', ['status', '--porcelain'], { cwd: dir, reject: false });
  const changed = status.stdout.split('\n').filter((line) => line.trim() !== '');
  if (status.exitCode !== 0 || changed.length > 0) {
    const files = changed.slice(0, 5).map((line) => line.slice(3));
    throw new PlatformError({
      code: 'WORKTREE_DIRTY',
      message: `Uncommitted changes in ${dir} (${files.join(', ')}${changed.length > 5 ? ', ...' : ''}): the image is tagged with the commit it is built from, so it must be built from exactly that commit`,
      exitCode: 2,
      suggestions: ['Commit (or stash) the changes, then deploy again.', `platform deploy --env ${env} --image-tag <a tag already in ECR>   # deploys an image built earlier`],
    });
  }
  return head.stdout.trim();
}

const quote = (arg: string) => (/^[\w@%+=:,./-]+$/.test(arg) ? arg : `'${arg.replace(/'/g, `'\\''`)}'`);
const shell = ({ command, args }: Invocation) => [command, ...args].map(quote).join(' ');

/**
 * `platform deploy --env <env>`, for one environment, as exact commands:
 * 1. `cdk deploy` of the registry stack, so that the repository exists (first deploy) — the infrastructure owns it;
 * 2. unless the tag is already in ECR: log in, build the image of the current commit, push it;
 * 3. `cdk deploy` of every stack of the environment with that tag: CloudFormation runs the migration task of the new
 *    image and rolls the services only once it succeeded.
 * With `--image-tag`, steps 1-2 become a check that the tag is in ECR.
 */
export async function planDeploy(options: DeployOptions): Promise<DeployPlan> {
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
  if (options.imageTag !== undefined && !IMAGE_TAG.test(options.imageTag)) {
    throw new PlatformError({ code: 'USAGE', message: `--image-tag "${options.imageTag}" is not an image tag (letters, digits, _ . -; at most 128)`, exitCode: 2 });
  }
  const profile = options.profile ?? `${spec.name}-${env}`;
  const requireApproval = options.requireApproval ?? defaultRequireApproval(env);
  const build = options.imageTag === undefined;
  const imageTag = options.imageTag ?? (await imageTagOfCommit(options.dir, env));
  const repository = imageRepositoryName(spec.name, env);
  const registry = `${accountId}.dkr.ecr.${region}.amazonaws.com`;
  const image = `${registry}/${repository}:${imageTag}`;
  const aws = (...args: string[]): Invocation => ({ command: 'aws', args: [...args, '--region', region, '--profile', profile] });
  const imageInEcr = aws('ecr', 'describe-images', '--repository-name', repository, '--image-ids', `imageTag=${imageTag}`);

  const commands: PlannedCommand[] = [];
  // infra/ is its own npm project (CDK app + tsc); without its node_modules `npx cdk` would fetch another CDK CLI.
  if (existsSync(path.join(infraDir, 'package.json')) && !existsSync(path.join(infraDir, 'node_modules'))) {
    const install = existsSync(path.join(infraDir, 'package-lock.json')) ? ['ci'] : ['install'];
    commands.push({ cwd: infraDir, command: 'npm', args: install, env: {}, display: `cd infra && npm ${install.join(' ')}` });
  }
  const cdkDeploy = (stacks: string[]): PlannedCommand => {
    const args = ['cdk', 'deploy', ...stacks, '--context', `environment=${env}`, '--context', `imageTag=${imageTag}`, '--require-approval', requireApproval, '--profile', profile];
    return { cwd: infraDir, command: 'npx', args, env: { AWS_REGION: region }, display: `cd infra && AWS_REGION=${region} npx ${args.join(' ')}` };
  };
  if (build) {
    commands.push(cdkDeploy([registryStackName(spec.name, env)]));
    const unlessPushed = (command: Omit<PlannedCommand, 'display' | 'skipIf'>): PlannedCommand => ({
      ...command,
      skipIf: imageInEcr,
      display: `${shell(imageInEcr)} >/dev/null 2>&1 || ${command.stdinFrom ? `${shell(command.stdinFrom)} | ` : ''}${shell(command)}`,
    });
    commands.push(
      unlessPushed({ cwd: options.dir, command: 'docker', args: ['login', '--username', 'AWS', '--password-stdin', registry], env: {}, stdinFrom: aws('ecr', 'get-login-password') }),
      // The task definitions run X86_64 Linux, whatever the machine that builds.
      unlessPushed({ cwd: options.dir, command: 'docker', args: ['build', '--platform', 'linux/amd64', '--tag', image, '.'], env: {} }),
      unlessPushed({ cwd: options.dir, command: 'docker', args: ['push', image], env: {} }),
    );
  } else {
    commands.push({
      cwd: options.dir,
      ...imageInEcr,
      env: {},
      display: shell(imageInEcr),
      onFailure: {
        code: 'IMAGE_NOT_FOUND',
        message: `${repository}:${imageTag} is not in ECR (account ${accountId}, ${region}), or profile ${profile} cannot read it`,
        suggestions: [`platform deploy --env ${env}   # builds and pushes the image of the current commit`, `aws ecr list-images --repository-name ${repository} --region ${region} --profile ${profile}`],
      },
    });
  }
  commands.push(cdkDeploy(['--all']));
  return { product: spec.name, env, accountId, region, profile, requireApproval, imageTag, image, build, commands };
}

export interface RunDeployOptions {
  /** cdk's and docker's output goes to stderr (stdout carries JSON). */
  outputToStderr?: boolean;
  /** Told about each command skipped because its `skipIf` check passed. */
  onSkip?: (command: PlannedCommand) => void;
}

/** Runs the planned commands in order; their output goes to the terminal. */
export async function runDeploy(plan: DeployPlan, options: RunDeployOptions = {}): Promise<void> {
  const stdout = options.outputToStderr ? 2 : 'inherit';
  for (const command of plan.commands) {
    if (command.skipIf) {
      const check = await execa(command.skipIf.command, command.skipIf.args, { cwd: command.cwd, env: command.env, reject: false, stdin: 'ignore', stdout: 'ignore', stderr: 'ignore' });
      if (check.exitCode === 0) {
        options.onSkip?.(command);
        continue;
      }
    }
    let input: string | undefined;
    if (command.stdinFrom) {
      const source = await execa(command.stdinFrom.command, command.stdinFrom.args, { cwd: command.cwd, env: command.env, reject: false, stdin: 'ignore', stderr: 'inherit' });
      if (source.exitCode !== 0) throw failure(plan, command, shell(command.stdinFrom), source);
      input = source.stdout;
    }
    const result = await execa(command.command, command.args, {
      cwd: command.cwd,
      env: command.env,
      ...(input === undefined ? { stdin: 'inherit' as const } : { input }),
      stdout,
      stderr: 'inherit',
      reject: false,
    });
    if (result.exitCode !== 0) throw failure(plan, command, command.display, result);
  }
}

function failure(plan: DeployPlan, command: PlannedCommand, display: string, result: { exitCode?: number; signal?: string; code?: string; shortMessage?: string }): PlatformError {
  if (command.onFailure) return new PlatformError({ ...command.onFailure, exitCode: 1 });
  // ENOENT and the like: the program is not there at all.
  const notRun = result.exitCode === undefined && result.signal === undefined;
  return new PlatformError({
    code: 'DEPLOY_FAILED',
    message: notRun ? `\`${display}\` could not run: ${result.shortMessage ?? result.code ?? 'unknown error'}` : `\`${display}\` exited with code ${result.exitCode ?? result.signal ?? 'unknown'}`,
    exitCode: 1,
    suggestions: [
      ...(notRun ? [`Install ${command.command} (docker and the AWS CLI v2 build, log in and push the image) and make sure it is on PATH.`] : []),
      `Check that the profile ${plan.profile} has credentials for account ${plan.accountId} (aws sts get-caller-identity --profile ${plan.profile}).`,
      `Bootstrap the account once if needed: (cd infra && npx cdk bootstrap aws://${plan.accountId}/${plan.region} --profile ${plan.profile})`,
    ],
  });
}
