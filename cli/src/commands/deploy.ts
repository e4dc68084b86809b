import { Flags } from '@oclif/core';
import { planDeploy, REQUIRE_APPROVAL_VALUES, runDeploy, type DeployPlan, type RequireApproval } from '../../../generators/aws/deploy.js';
import { openProduct } from '../../../generators/aws/product-context.js';
import { PlatformCommand } from '../base-command.js';

export interface DeployResult extends DeployPlan {
  dryRun: boolean;
}

export default class Deploy extends PlatformCommand {
  static override description = `Deploy the product's cell to one environment: \`cdk deploy\` in infra/ with --context environment=<env>, the account from platform.yaml aws.accounts.<env>, its region and AWS profile.

Approval defaults to "broadening" (asks before IAM / security-group widening) for prod and "never" elsewhere.`;

  static override examples = [
    '<%= config.bin %> deploy --env dev',
    '<%= config.bin %> deploy --env prod --profile acme-prod-admin',
    '<%= config.bin %> deploy --env staging --dry-run --json',
  ];

  static override flags = {
    env: Flags.string({ char: 'e', description: 'environment (a key of aws.accounts in platform.yaml)', required: true }),
    profile: Flags.string({ description: 'AWS profile (default: <product>-<env>)' }),
    'require-approval': Flags.string({ description: 'cdk --require-approval (default: broadening for prod, never elsewhere)', options: [...REQUIRE_APPROVAL_VALUES] }),
    dir: Flags.string({ char: 'd', description: 'product folder (default: the nearest folder with platform.yaml)' }),
    'dry-run': Flags.boolean({ description: 'print the exact commands; run nothing' }),
  };

  async run(): Promise<DeployResult> {
    const { flags } = await this.parse(Deploy);
    const { dir, spec } = await openProduct({ dir: flags.dir, command: 'deploy' });
    const plan = planDeploy({ dir, spec, env: flags.env, profile: flags.profile, requireApproval: flags['require-approval'] as RequireApproval | undefined });
    const dryRun = flags['dry-run'] ?? false;
    this.say(`${dryRun ? 'Would deploy' : 'Deploying'} ${plan.product} to ${plan.env} (account ${plan.accountId}, ${plan.region}, profile ${plan.profile}):`);
    for (const command of plan.commands) this.say(`  ${command.display}`);
    if (!dryRun) await runDeploy(plan, { outputToStderr: this.jsonEnabled() });
    return { ...plan, dryRun };
  }
}
