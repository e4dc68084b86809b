import { Flags } from '@oclif/core';
import { planDeploy, REQUIRE_APPROVAL_VALUES, runDeploy, type DeployPlan, type RequireApproval } from '../../../generators/aws/deploy.js';
import { openProduct } from '../../../generators/aws/product-context.js';
import { PlatformCommand } from '../base-command.js';

export interface DeployResult extends DeployPlan {
  dryRun: boolean;
}

export default class Deploy extends PlatformCommand {
  static override description = `Deploy the product to one environment: the image of the current commit (built and pushed to the environment's ECR repository unless that tag is already there) and the cell, with \`cdk deploy\` in infra/ — the account from platform.yaml aws.accounts.<env>, its region and AWS profile.

The ECR repository is a stack of the cell (<product>-<env>-registry), deployed first. The image tag is the commit SHA, so the working tree must be clean; --image-tag deploys a tag already in ECR instead (nothing is built). CloudFormation runs the migration task of the new image before it updates the services.
Needs docker and the AWS CLI (v2) unless --image-tag is given. Approval defaults to "broadening" (asks before IAM / security-group widening) for prod and "never" elsewhere.`;

  static override examples = [
    '<%= config.bin %> deploy --env dev',
    '<%= config.bin %> deploy --env prod --profile acme-prod-admin',
    '<%= config.bin %> deploy --env staging --image-tag 3f2c9e1d4b5a6c7d8e9f0a1b2c3d4e5f6a7b8c9d',
    '<%= config.bin %> deploy --env staging --dry-run --json',
  ];

  static override flags = {
    env: Flags.string({ char: 'e', description: 'environment (a key of aws.accounts in platform.yaml)', required: true }),
    profile: Flags.string({ description: 'AWS profile (default: <product>-<env>)' }),
    'image-tag': Flags.string({ description: 'deploy this image tag, already in the environment\'s ECR repository (default: build and push the current commit)' }),
    'require-approval': Flags.string({ description: 'cdk --require-approval (default: broadening for prod, never elsewhere)', options: [...REQUIRE_APPROVAL_VALUES] }),
    dir: Flags.string({ char: 'd', description: 'product folder (default: the nearest folder with platform.yaml)' }),
    'dry-run': Flags.boolean({ description: 'print the exact commands; run nothing' }),
  };

  async run(): Promise<DeployResult> {
    const { flags } = await this.parse(Deploy);
    const { dir, spec } = await openProduct({ dir: flags.dir, command: 'deploy' });
    const plan = await planDeploy({
      dir,
      spec,
      env: flags.env,
      profile: flags.profile,
      requireApproval: flags['require-approval'] as RequireApproval | undefined,
      imageTag: flags['image-tag'],
    });
    const dryRun = flags['dry-run'] ?? false;
    this.say(`${dryRun ? 'Would deploy' : 'Deploying'} ${plan.product} ${plan.imageTag} to ${plan.env} (account ${plan.accountId}, ${plan.region}, profile ${plan.profile}):`);
    for (const command of plan.commands) this.say(`  ${command.display}`);
    if (!dryRun) {
      await runDeploy(plan, {
        outputToStderr: this.jsonEnabled(),
        onSkip: (command) => this.say(`  skipped (${plan.image} is already in ECR): ${command.command} ${command.args[0]}`),
      });
    }
    return { ...plan, dryRun };
  }
}
