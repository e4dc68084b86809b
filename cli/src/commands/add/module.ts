import path from 'node:path';
import { Args, Flags } from '@oclif/core';
import { findProductRoot } from '../../../../generators/product.js';
import { editProductModules, type ModuleEditResult } from '../../../../generators/upgrade/add-remove.js';
import { PlatformCommand } from '../../base-command.js';
import { printModuleEdit } from '../remove/module.js';

export default class AddModule extends PlatformCommand {
  static override description =
    'Add an optional module: lists it in platform.yaml (comments kept) and syncs — its code, Prisma schema, migrations, permission namespaces and the app.module.ts wiring (your own imports and providers kept).';

  static override examples = ['<%= config.bin %> add module tasks', '<%= config.bin %> add module tasks --dry-run --json'];

  static override args = { name: Args.string({ description: 'module name', required: true }) };

  static override flags = {
    dir: Flags.string({ char: 'd', description: 'product folder (default: the nearest folder with platform.yaml and .platform/lock.json)' }),
    'dry-run': Flags.boolean({ description: 'print the changes; write nothing' }),
  };

  async run(): Promise<ModuleEditResult> {
    const { args, flags } = await this.parse(AddModule);
    const dir = flags.dir ? path.resolve(flags.dir) : (findProductRoot(process.cwd()) ?? process.cwd());
    const result = await editProductModules({ dir, module: args.name, action: 'add', dryRun: flags['dry-run'] });
    printModuleEdit(result, (line) => this.say(line));
    return result;
  }
}
