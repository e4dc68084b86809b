import path from 'node:path';
import { Args, Flags } from '@oclif/core';
import { findProductRoot } from '../../../../generators/product.js';
import { editProductModules, type ModuleEditResult } from '../../../../generators/upgrade/add-remove.js';
import { PlatformCommand } from '../../base-command.js';

export function printModuleEdit(result: ModuleEditResult, say: (line: string) => void): void {
  for (const notice of result.notices) say(`note: ${notice}`);
  if (!result.changed && result.changes.length === 0) {
    say(result.action === 'add' ? `"${result.module}" is already in the product: nothing to do.` : `"${result.module}" is not in the product: nothing to do.`);
    return;
  }
  for (const change of result.changes) say(`${change.type} ${change.path}`);
  for (const skip of result.skipped) if (!result.left.some((l) => l.path === skip.path)) say(`SKIP ${skip.path} (${skip.reason} since the last generation)`);
  if (result.wiredInOwnerAppModule) say(`src/app.module.ts: you had edited it; ${result.action === 'add' ? 'wired' : 'unwired'} ${result.module} in place, your own imports and providers kept`);
  if (result.left.length > 0) {
    say(`Left in the product (${result.left.length}):`);
    for (const left of result.left) say(`  ${left.path} — ${left.reason}`);
  }
  say(result.dryRun ? '\nDry run: nothing was written.' : `\n${result.action === 'add' ? 'Added' : 'Removed'} module ${result.module}. Review with \`git diff\`, then commit.`);
}

export default class RemoveModule extends PlatformCommand {
  static override description =
    'Remove an optional module: drops it from platform.yaml (comments kept) and syncs. Refuses while another module depends on it. Its migrations stay (tables and data are never dropped); files you edited stay; both are listed.';

  static override examples = ['<%= config.bin %> remove module tasks', '<%= config.bin %> remove module tasks --dry-run --json'];

  static override args = { name: Args.string({ description: 'module name', required: true }) };

  static override flags = {
    dir: Flags.string({ char: 'd', description: 'product folder (default: the nearest folder with platform.yaml and .platform/lock.json)' }),
    'dry-run': Flags.boolean({ description: 'print the changes; write nothing' }),
  };

  async run(): Promise<ModuleEditResult> {
    const { args, flags } = await this.parse(RemoveModule);
    const dir = flags.dir ? path.resolve(flags.dir) : (findProductRoot(process.cwd()) ?? process.cwd());
    const result = await editProductModules({ dir, module: args.name, action: 'remove', dryRun: flags['dry-run'] });
    printModuleEdit(result, (line) => this.say(line));
    return result;
  }
}
