import path from 'node:path';
import { Flags } from '@oclif/core';
import { findProductRoot, planSync, summarizeChanges, type PlannedChange, type SyncPlan } from '../../../generators/product.js';
import { commitChanges } from '../../../generators/tree/commit.js';
import { recordSyncPristine } from '../../../generators/upgrade/record.js';
import { PlatformCommand } from '../base-command.js';

export interface SyncResult {
  dir: string;
  dryRun: boolean;
  changes: PlannedChange[];
  skipped: SyncPlan['skipped'];
  notices: string[];
}

export default class Sync extends PlatformCommand {
  static override description =
    'Regenerate the product from its edited platform.yaml. Files you edited since the last generation are left alone and reported.';

  static override examples = ['<%= config.bin %> sync', '<%= config.bin %> sync --dry-run --json'];

  static override flags = {
    dir: Flags.string({ char: 'd', description: 'product folder (default: the nearest folder with platform.yaml and .platform/lock.json)' }),
    'dry-run': Flags.boolean({ description: 'print the changes; write nothing' }),
    strict: Flags.boolean({ description: 'fail instead of adding missing module dependencies' }),
  };

  async run(): Promise<SyncResult> {
    const { flags } = await this.parse(Sync);
    const dir = flags.dir ? path.resolve(flags.dir) : (findProductRoot(process.cwd()) ?? process.cwd());
    const plan = await planSync({ dir, strict: flags.strict });
    if (!flags['dry-run']) {
      await commitChanges(plan.tree, plan.changes);
      await recordSyncPristine(dir, plan);
    }

    const result: SyncResult = {
      dir,
      dryRun: flags['dry-run'] ?? false,
      changes: summarizeChanges(plan.changes),
      skipped: plan.skipped,
      notices: plan.notices,
    };
    for (const notice of result.notices) this.say(`note: ${notice}`);
    for (const change of result.changes) this.say(`${change.type} ${change.path}`);
    for (const skip of result.skipped) {
      this.say(`SKIP ${skip.path} (${skip.reason === 'edited' ? 'edited since the last generation' : 'deleted since the last generation'})`);
    }
    if (result.changes.length === 0) this.say('Already in sync: nothing to change.');
    else if (result.dryRun) this.say(`\nDry run: ${result.changes.length} changes; nothing was written.`);
    return result;
  }
}
