import path from 'node:path';
import { Flags } from '@oclif/core';
import { findProductRoot } from '../../../generators/product.js';
import { applyUpgrade, planUpgrade, typecheckProduct, type UpgradeReport } from '../../../generators/upgrade/upgrade.js';
import { PlatformCommand } from '../base-command.js';

export default class Upgrade extends PlatformCommand {
  static override description = `Bring the product up to the current templates and modules, keeping your edits.
Three-way merge per file (base: the pristine output recorded in refs/platform/pristine; yours: the working tree; theirs: the output of this CLI), then the codemods of the module version range, then a type-check.
Exit status: 0 upgraded (or nothing to do), 1 upgraded with conflicts to resolve or a failed type-check, 2 refused (uncommitted changes, a major version bump without --allow-major, no pristine base); nothing is written when refused.`;

  static override examples = ['<%= config.bin %> upgrade --dry-run', '<%= config.bin %> upgrade', '<%= config.bin %> upgrade --allow-major --json'];

  static override flags = {
    dir: Flags.string({ char: 'd', description: 'product folder (default: the nearest folder with platform.yaml and .platform/lock.json)' }),
    'dry-run': Flags.boolean({ description: 'report what would change; write nothing' }),
    'allow-major': Flags.boolean({ description: 'accept major version bumps of modules (breaking changes)' }),
    'skip-typecheck': Flags.boolean({ description: 'do not type-check the product afterwards' }),
  };

  async run(): Promise<UpgradeReport> {
    const { flags } = await this.parse(Upgrade);
    const dir = flags.dir ? path.resolve(flags.dir) : (findProductRoot(process.cwd()) ?? process.cwd());
    const plan = await planUpgrade({ dir, dryRun: flags['dry-run'], allowMajor: flags['allow-major'] });
    const { report } = plan;
    if (!report.dryRun && !report.upToDate) {
      await applyUpgrade(plan);
      if (!flags['skip-typecheck']) report.typecheck = await typecheckProduct(dir);
      else report.typecheck = { ran: false, reason: '--skip-typecheck' };
    } else {
      report.typecheck = { ran: false, reason: report.dryRun ? '--dry-run' : 'nothing changed' };
    }
    this.print(report);
    if (!report.dryRun && (report.conflicted.length > 0 || report.typecheck.ok === false)) process.exitCode = 1;
    return report;
  }

  private print(r: UpgradeReport): void {
    for (const notice of r.notices) this.say(`note: ${notice}`);
    if (r.upToDate) {
      this.say('Already up to date: nothing to upgrade.');
      return;
    }
    for (const m of r.modules) {
      this.say(`${m.name}: ${m.from ?? '(new)'} → ${m.to ?? '(removed)'}${m.major ? ' (MAJOR)' : ''}`);
      for (const entry of m.changelog) {
        this.say(`  ## ${entry.version}`);
        for (const line of entry.body.split('\n')) this.say(`  ${line}`);
      }
    }
    const list = (title: string, files: string[]) => {
      if (files.length === 0) return;
      this.say(`${title} (${files.length}):`);
      for (const file of files) this.say(`  ${file}`);
    };
    list('Updated (you had not edited them)', r.updated);
    list('Created', r.created);
    list('Removed (no longer generated, unedited)', r.removed);
    list('Merged (your edits + the new version)', r.merged);
    list('Kept deleted (you deleted them; the new version changed them)', r.deletedKept);
    list('Kept (no longer generated, but you edited them)', r.editedKept);
    list('Migrations added', r.migrationsAdded);
    list('Released migrations NOT changed (the new version edits them; report this to the platform team)', r.migrationsRefused);
    for (const c of r.codemods) {
      this.say(
        c.applicable
          ? `Codemod ${c.name}: ${c.description} — ${c.edits} edit(s) in ${c.files.length} file(s)${c.files.length ? `: ${c.files.join(', ')}` : ''}`
          : `Codemod ${c.name}: not applicable (${c.reason})`,
      );
    }
    if (r.conflicted.length > 0) {
      this.say(`CONFLICTS (${r.conflicted.length}) — both you and the new version changed the same lines:`);
      for (const c of r.conflicted) this.say(`  ${c.path} (${c.conflicts} region${c.conflicts === 1 ? '' : 's'})`);
      this.say('Resolve: edit each file between the <<<<<<< yours / ======= / >>>>>>> markers, then');
      this.say(`  git add ${r.conflicted.map((c) => c.path).join(' ')} && git commit`);
      this.say('  (or take one side: git checkout -p / your editor\'s merge view)');
    }
    if (r.dryRun) {
      this.say('\nDry run: nothing was written.');
      return;
    }
    if (r.typecheck.ran) this.say(r.typecheck.ok ? 'Type-check: OK' : `Type-check FAILED:\n${r.typecheck.output ?? ''}`);
    else this.say(`Type-check skipped: ${r.typecheck.reason}`);
    this.say('\nReview with `git diff`, then commit. To undo: `git checkout -- . && git clean -fd && git update-ref refs/platform/pristine refs/platform/pristine^`.');
  }
}
