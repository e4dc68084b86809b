import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { Args, Flags } from '@oclif/core';
import { Listr } from 'listr2';
import { PlatformError } from '../../../generators/errors.js';
import { cliVersion } from '../../../generators/paths.js';
import { availableModules, planNewProduct, summarizeChanges, type PlannedChange, type ProductPlan } from '../../../generators/product.js';
import { PRODUCT_NAME_PATTERN } from '../../../generators/spec/product-spec.js';
import { commitNewTree } from '../../../generators/tree/commit.js';
import { generateSdk, initGitRepository, installDependencies } from '../../../generators/repo/post-generate.js';
import { pristineFilesOf, writePristine } from '../../../generators/upgrade/pristine.js';
import { PlatformCommand } from '../base-command.js';

export interface NewResult {
  name: string;
  dir: string;
  dryRun: boolean;
  modules: { name: string; version: string }[];
  notices: string[];
  files: number;
  changes?: PlannedChange[];
  installed: boolean;
  sdk: boolean;
  git?: { commit: string };
  warnings: string[];
}

export default class New extends PlatformCommand {
  static override description = 'Generate a new product repository from a spec (platform.yaml) or from flags';

  static override examples = [
    '<%= config.bin %> new acme-crm --modules tasks --yes',
    '<%= config.bin %> new --spec examples/acme-crm.yaml --dir ./acme-crm --skip-install',
    '<%= config.bin %> new acme-crm --modules tasks --dry-run --json',
  ];

  static override args = {
    name: Args.string({ description: 'product name (lowercase kebab-case); defaults to the spec\'s name', required: false }),
  };

  static override flags = {
    modules: Flags.string({ char: 'm', description: 'comma-separated optional modules, e.g. tasks' }),
    spec: Flags.string({ char: 's', description: 'path to a product spec (platform.yaml)' }),
    dir: Flags.string({ char: 'd', description: 'folder to create the product in (default: ./<name>)' }),
    'skip-install': Flags.boolean({ description: 'do not run npm install (nor npm run sdk)' }),
    yes: Flags.boolean({ char: 'y', description: 'never prompt; use defaults for anything missing' }),
    'dry-run': Flags.boolean({ description: 'print the files that would be written; write nothing' }),
    strict: Flags.boolean({ description: 'fail instead of adding missing module dependencies' }),
  };

  async run(): Promise<NewResult> {
    const { args, flags } = await this.parse(New);
    const prompt = this.interactive && !flags.yes;
    let name = args.name;
    let modules = flags.modules?.split(',').map((m) => m.trim()).filter(Boolean);

    if (!name && !flags.spec) {
      if (!prompt) {
        throw new PlatformError({
          code: 'USAGE_MISSING_NAME',
          message: 'Missing the product name',
          exitCode: 2,
          suggestions: ['platform new acme-crm --modules tasks --yes', 'platform new --spec platform.yaml'],
        });
      }
      const { input } = await import('@inquirer/prompts');
      name = await input({
        message: 'Product name',
        validate: (value) => PRODUCT_NAME_PATTERN.test(value) || 'lowercase letters, digits and dashes (3-40), starting with a letter',
      });
    }
    if (!modules && !flags.spec && prompt) {
      const choices = await availableModules();
      if (choices.length > 0) {
        const { checkbox } = await import('@inquirer/prompts');
        modules = await checkbox({
          message: 'Modules (core is always included)',
          choices: choices.map((m) => ({ name: `${m.name} — ${m.description}`, value: m.name })),
        });
      }
    }

    const dryRun = flags['dry-run'] ?? false;
    const warnings: string[] = [];
    let plan: ProductPlan | undefined;
    let dir = '';
    let git: { commit: string } | undefined;
    let installed = false;
    let sdk = false;

    const tasks = new Listr(
      [
        {
          title: 'Compose the product',
          task: async (_ctx, task) => {
            plan = await planNewProduct({ name, modules, specFile: flags.spec, strict: flags.strict });
            dir = path.resolve(flags.dir ?? plan.spec.name);
            if (!dryRun) assertWritable(dir);
            task.title = `Composed ${plan.changes.length} files (modules: ${plan.graph.names.join(', ')})`;
          },
        },
        {
          title: 'Write files',
          skip: () => dryRun,
          task: async () => commitNewTree(plan!.tree, dir),
        },
        {
          title: 'Install dependencies (npm install)',
          skip: () => dryRun || flags['skip-install'],
          task: async () => {
            try {
              await installDependencies(dir);
              installed = true;
              await generateSdk(dir);
              sdk = true;
            } catch (error) {
              warnings.push(`${installed ? 'npm run sdk' : 'npm install'} failed: ${(error as Error).message.split('\n')[0]}; run it in ${dir}`);
            }
          },
        },
        {
          title: 'Create the git repository',
          skip: () => dryRun,
          task: async () => {
            try {
              git = await initGitRepository(dir, `Generate ${plan!.spec.name} with platform ${cliVersion()}`);
              // The pristine base of later upgrades (refs/platform/pristine), see generators/upgrade.
              const tree = plan!.tree;
              await writePristine(dir, pristineFilesOf((file) => tree.read(file), tree.listFiles()), `platform ${cliVersion()}: pristine output of new`);
            } catch (error) {
              warnings.push(`git init failed: ${(error as Error).message.split('\n')[0]}`);
            }
          },
        },
      ],
      { renderer: this.interactive ? 'default' : 'silent', exitOnError: true, rendererOptions: { collapseErrors: false } },
    );
    await tasks.run();

    const result: NewResult = {
      name: plan!.spec.name,
      dir,
      dryRun,
      modules: plan!.graph.modules.map(({ manifest }) => ({ name: manifest.name, version: manifest.version })),
      notices: plan!.notices,
      files: plan!.changes.length,
      ...(dryRun ? { changes: summarizeChanges(plan!.changes) } : {}),
      installed,
      sdk,
      ...(git ? { git } : {}),
      warnings,
    };
    this.report(result);
    return result;
  }

  private report(result: NewResult): void {
    for (const notice of result.notices) this.say(`note: ${notice}`);
    for (const warning of result.warnings) this.warn(warning);
    if (result.dryRun) {
      for (const change of result.changes ?? []) this.say(`${change.type} ${change.path}`);
      this.say(`\nDry run: ${result.files} files would be written to ${result.dir}; nothing was written.`);
      return;
    }
    const relative = path.relative(process.cwd(), result.dir);
    const cdTarget = relative === '' ? '.' : relative.startsWith('..') ? result.dir : relative;
    this.say(`Created ${result.name} in ${result.dir} (${result.files} files; modules: ${result.modules.map((m) => m.name).join(', ')})`);
    this.say('\nNext:');
    this.say(`  cd ${cdTarget}`);
    if (!result.installed) this.say('  npm install');
    this.say('  npm run dev      # embedded PostgreSQL when DATABASE_URL is unset; serves :3000');
  }
}

function assertWritable(dir: string): void {
  if (existsSync(dir) && readdirSync(dir).length > 0) {
    throw new PlatformError({
      code: 'TARGET_EXISTS',
      message: `${dir} already exists and is not empty`,
      exitCode: 2,
      suggestions: ['Choose another name or --dir, or remove the folder first.'],
    });
  }
}
