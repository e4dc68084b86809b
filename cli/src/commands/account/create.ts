import { Args, Flags } from '@oclif/core';
import { Listr } from 'listr2';
import { PlatformError } from '../../../../generators/errors.js';
import {
  AccountVending,
  DEFAULT_EMAIL_PATTERN,
  DEFAULT_ENVS,
  DEFAULT_OU,
  type VendedAccount,
  type VendingResult,
} from '../../../../generators/aws/account-vending.js';
import { DEFAULT_BACKOFF } from '../../../../generators/aws/backoff.js';
import { createOrganizationsClient } from '../../../../generators/aws/organizations-client.js';
import { openProduct } from '../../../../generators/aws/product-context.js';
import { PlatformCommand } from '../../base-command.js';

/** First delay between DescribeCreateAccountStatus polls, in ms (tests shorten it); doubles up to 30 s, with jitter. */
const POLL_ENV = 'PLATFORM_ORGANIZATIONS_POLL_MS';

export default class AccountCreate extends PlatformCommand {
  static override description = `Create (or adopt) one AWS account per environment of the product with AWS Organizations, in an OU, tagged product/env; record the ids in platform.yaml aws.accounts.

Run it inside the product with credentials of the organization's management account. It is idempotent and resumable: accounts already made are found by their tags or recorded ids, and an interrupted run resumes from the CreateAccount request ids kept in .platform/accounts.json. PLATFORM_ORGANIZATIONS_ENDPOINT (or AWS_ENDPOINT_URL_ORGANIZATIONS) overrides the endpoint.`;

  static override examples = [
    '<%= config.bin %> account create acme-crm',
    '<%= config.bin %> account create acme-crm --envs dev,prod --email-pattern "aws+{product}-{env}@acme.com" --ci-account 123456789012',
    '<%= config.bin %> account create acme-crm --dry-run --json',
  ];

  static override args = {
    product: Args.string({ description: 'product name; must be the name in platform.yaml', required: true }),
  };

  static override flags = {
    envs: Flags.string({ description: 'comma-separated environments', default: DEFAULT_ENVS.join(',') }),
    ou: Flags.string({ description: 'organizational unit under the root that holds the accounts (created when missing)', default: DEFAULT_OU }),
    'email-pattern': Flags.string({ description: 'root email of each account; {product} and {env} are replaced', default: DEFAULT_EMAIL_PATTERN }),
    region: Flags.string({ description: 'region of the cell (default: platform.yaml aws.region, else us-east-1); written to platform.yaml when it has none' }),
    'ci-account': Flags.string({ description: 'account id the CI/CD pipeline deploys from; printed as `cdk bootstrap --trust`' }),
    dir: Flags.string({ char: 'd', description: 'product folder (default: the nearest folder with platform.yaml)' }),
    'dry-run': Flags.boolean({ description: 'only read from AWS; say what would be created, moved and written' }),
  };

  async run(): Promise<VendingResult> {
    const { args, flags } = await this.parse(AccountCreate);
    const { dir, spec } = await openProduct({ dir: flags.dir, command: 'account create' });
    if (args.product !== spec.name) {
      throw new PlatformError({
        code: 'PRODUCT_MISMATCH',
        message: `The product here is "${spec.name}" (platform.yaml name), not "${args.product}"`,
        exitCode: 2,
        suggestions: [`platform account create ${spec.name}`, 'or run the command inside the folder of the product you meant (or pass --dir).'],
      });
    }
    if (flags.region && spec.aws?.region && flags.region !== spec.aws.region) {
      throw new PlatformError({
        code: 'REGION_MISMATCH',
        message: `--region ${flags.region} differs from platform.yaml aws.region (${spec.aws.region}), which deploy uses`,
        exitCode: 2,
        suggestions: [`Change aws.region in platform.yaml first, or drop --region: platform account create ${spec.name}`],
      });
    }
    const region = flags.region ?? spec.aws?.region ?? 'us-east-1';
    if (!/^[a-z]{2}(-[a-z]+)+-[0-9]$/.test(region)) {
      throw new PlatformError({ code: 'USAGE', message: `--region "${region}" is not an AWS region`, exitCode: 2, suggestions: ['--region us-east-1'] });
    }
    const pollMs = Number(process.env[POLL_ENV]);
    const vending = await AccountVending.open({
      dir,
      spec,
      envs: flags.envs.split(',').map((env) => env.trim()).filter(Boolean),
      ouName: flags.ou,
      emailPattern: flags['email-pattern'],
      region,
      ciAccount: flags['ci-account'],
      dryRun: flags['dry-run'],
      client: createOrganizationsClient(),
      backoff: pollMs > 0 ? { baseMs: pollMs, capMs: Math.max(pollMs, DEFAULT_BACKOFF.capMs) } : DEFAULT_BACKOFF,
    });

    const tasks = new Listr(
      vending.steps().map((step) => ({
        title: step.title,
        task: async (_ctx: unknown, task: { title: string; output: string }) => {
          task.title = await step.run((status) => {
            task.output = status;
          });
        },
      })),
      { renderer: this.interactive ? 'default' : 'silent', exitOnError: true, rendererOptions: { collapseErrors: false } },
    );
    let failure: unknown;
    try {
      await tasks.run();
    } catch (error) {
      failure = error;
    }
    // Whatever was vended before a failure still lands in platform.yaml.
    const result = await vending.finish();
    if (failure) {
      this.reportAccounts(result);
      throw failure;
    }
    this.report(result);
    return result;
  }

  private reportAccounts(result: VendingResult): void {
    for (const account of result.accounts) {
      this.say(`${account.env.padEnd(8)} ${(account.accountId ?? '-').padEnd(12)}  ${describe(account)}`);
      for (const note of account.notes) this.say(`         note: ${note}`);
    }
  }

  private report(result: VendingResult): void {
    const ou = { created: 'created', existing: 'exists', 'would-create': 'would be created' }[result.ou.action];
    this.say(`OU ${result.ou.name}${result.ou.id ? ` (${result.ou.id})` : ''}: ${ou}`);
    this.reportAccounts(result);
    if (result.dryRun) {
      this.say('\nDry run: nothing was created, moved or written (only read calls were made).');
      return;
    }
    this.say(result.specUpdated ? '\nplatform.yaml: aws.accounts updated.' : '\nplatform.yaml: already up to date.');
    if (result.nextCommands.length > 0) {
      this.say('\nNext (profiles through OrganizationAccountAccessRole, CDK bootstrap, first deploy):');
      for (const command of result.nextCommands) this.say(`  ${command}`);
    }
  }
}

function describe(account: VendedAccount): string {
  const action = {
    created: 'created',
    resumed: 'created (resumed request)',
    adopted: 'adopted (existing account)',
    existing: 'exists',
    'would-create': `would be created <${account.email}>`,
    'would-resume': `request ${account.createAccountRequestId} running; would wait`,
  }[account.action];
  const placement = account.placement
    ? { moved: 'moved into the OU', 'in-ou': 'in the OU', 'would-move': 'would be moved into the OU', 'other-ou': `left in ${account.parentId}` }[account.placement]
    : undefined;
  return [account.accountName, action, placement].filter(Boolean).join(' — ');
}
