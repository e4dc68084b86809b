import { existsSync } from 'node:fs';
import path from 'node:path';
import { Args, Flags } from '@oclif/core';
import type { PlannedChange, SyncPlan } from '../../../../generators/product.js';
import { PlatformCommand } from '../../base-command.js';

export interface GenerateModuleResult {
  dir: string;
  module: string;
  className: string;
  resource: { name: string; plural: string; namespace: string; table: string; route: string; model: string };
  dryRun: boolean;
  /** The module's own files (yours from now on). */
  files: string[];
  /** Everything written: platform.yaml, the module's files and what sync derived (wiring, lock, ...). */
  changes: PlannedChange[];
  skipped: SyncPlan['skipped'];
  wiredInOwnerAppModule: boolean;
  sdk: boolean;
  warnings: string[];
  next: string[];
}

export default class GenerateModule extends PlatformCommand {
  static override description = `Scaffold a custom module of your own: a NestJS module with a CRUD resource (zod DTOs, list query, @Authorize, tenant transactions, audit, OpenAPI), its Prisma schema file, a SQL migration with row-level security, a permission namespace and an e2e test.
The module lives in src/modules/<name>/ with its manifest (module.yaml, kind custom) and is listed in platform.yaml: sync, upgrade and add/remove module wire it and register its permissions like a platform module, but never write its files. Upgrade codemods rewrite its code too.`;

  static override examples = [
    '<%= config.bin %> generate module invoices',
    '<%= config.bin %> generate module billing --resource invoice',
    '<%= config.bin %> generate module expense-reports --dry-run --json',
  ];

  static override args = { name: Args.string({ description: 'module name: lowercase words separated by dashes, e.g. invoices', required: true }) };

  static override flags = {
    resource: Flags.string({ char: 'r', description: "the module's resource, singular (default: the module name made singular)" }),
    dir: Flags.string({ char: 'd', description: 'product folder (default: the nearest folder with platform.yaml and .platform/lock.json)' }),
    'dry-run': Flags.boolean({ description: 'print the changes; write nothing' }),
    'skip-sdk': Flags.boolean({ description: 'do not run `npm run sdk` afterwards (it runs when node_modules is present)' }),
  };

  async run(): Promise<GenerateModuleResult> {
    const { args, flags } = await this.parse(GenerateModule);
    // The engine (ts-morph, EJS) is loaded only when the command runs, not when the CLI lists its commands.
    const [{ findProductRoot, summarizeChanges }, { planGenerateModule }, { commitChanges }, { recordSyncPristine }, { generateSdk }] = await Promise.all([
      import('../../../../generators/product.js'),
      import('../../../../generators/scaffold/generate-module.js'),
      import('../../../../generators/tree/commit.js'),
      import('../../../../generators/upgrade/record.js'),
      import('../../../../generators/repo/post-generate.js'),
    ]);
    const dir = flags.dir ? path.resolve(flags.dir) : (findProductRoot(process.cwd()) ?? process.cwd());
    const generated = await planGenerateModule({ dir, name: args.name, resource: flags.resource });
    const { plan, names } = generated;
    const dryRun = flags['dry-run'] ?? false;
    const warnings: string[] = [];
    let sdk = false;
    if (!dryRun) {
      await commitChanges(plan.tree, plan.tree.changes());
      await recordSyncPristine(dir, plan);
      if (!flags['skip-sdk'] && existsSync(path.join(dir, 'node_modules'))) {
        try {
          await generateSdk(dir);
          sdk = true;
        } catch (error) {
          warnings.push(`npm run sdk failed: ${(error as Error).message.split('\n')[0]}; run it in ${dir}`);
        }
      }
    }
    const result: GenerateModuleResult = {
      dir,
      module: names.module.name,
      className: names.module.className,
      resource: {
        name: names.resource.singular.kebab,
        plural: names.resource.plural.kebab,
        namespace: names.resource.namespace,
        table: names.resource.table,
        route: `/api/v1/${names.resource.route}`,
        model: names.resource.model,
      },
      dryRun,
      files: generated.files,
      changes: summarizeChanges(plan.changes),
      skipped: plan.skipped,
      wiredInOwnerAppModule: generated.wiredInOwnerAppModule,
      sdk,
      warnings,
      next: ['npm run db:migrate', ...(sdk ? [] : ['npm run sdk']), `npm test -- test/${names.module.name}`],
    };
    this.print(result);
    return result;
  }

  private print(r: GenerateModuleResult): void {
    for (const change of r.changes) this.say(`${change.type} ${change.path}`);
    for (const skip of r.skipped) this.say(`SKIP ${skip.path} (${skip.reason} since the last generation)`);
    if (r.wiredInOwnerAppModule) this.say(`src/app.module.ts: you had edited it; wired ${r.className} in place, your own imports and providers kept`);
    for (const warning of r.warnings) this.warn(warning);
    if (r.dryRun) {
      this.say('\nDry run: nothing was written.');
      return;
    }
    this.say(`\nCreated module ${r.module} (kind custom): ${r.resource.route} with permission namespace "${r.resource.namespace}" and table ${r.resource.table}.`);
    this.say(`Its files are yours; \`platform sync\` and \`platform upgrade\` keep it wired and never overwrite them.`);
    this.say('\nNext:');
    for (const step of r.next) this.say(`  ${step}`);
  }
}
