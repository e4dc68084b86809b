import { Flags } from '@oclif/core';
import { listProductAccounts, type ProductAccounts } from '../../../../generators/aws/account-list.js';
import { createOrganizationsClient } from '../../../../generators/aws/organizations-client.js';
import { openProduct } from '../../../../generators/aws/product-context.js';
import { PlatformCommand } from '../../base-command.js';

export default class AccountList extends PlatformCommand {
  static override description =
    "List the product's AWS accounts: found in AWS Organizations by their product/env tags, joined with platform.yaml aws.accounts, with status and OU. Read-only.";

  static override examples = ['<%= config.bin %> account list', '<%= config.bin %> account list --json'];

  static override flags = {
    dir: Flags.string({ char: 'd', description: 'product folder (default: the nearest folder with platform.yaml)' }),
  };

  async run(): Promise<ProductAccounts> {
    const { flags } = await this.parse(AccountList);
    const { dir, spec } = await openProduct({ dir: flags.dir, command: 'account list' });
    const result = await listProductAccounts({ dir, spec, client: createOrganizationsClient() });
    if (result.accounts.length === 0) {
      this.say(`No AWS accounts for ${result.product} yet. Create them: platform account create ${result.product}`);
      return result;
    }
    const rows = [
      ['ENV', 'ACCOUNT', 'STATUS', 'OU', 'PLATFORM.YAML', 'EMAIL'],
      ...result.accounts.map((a) => [a.env, a.accountId ?? '-', a.status, a.ou ? (a.ou.name ?? a.ou.id) : '-', a.inSpec ? 'yes' : 'no', a.email ?? '-']),
    ];
    const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
    for (const row of rows) this.say(row.map((cell, i) => cell.padEnd(widths[i]!)).join('  ').trimEnd());
    for (const account of result.accounts) for (const problem of account.problems) this.say(`${account.env}: ${problem}`);
    return result;
  }
}
