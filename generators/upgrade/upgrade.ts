import path from 'node:path';
import { readFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { execa } from 'execa';
import { composeProduct } from '../compose/compose-product.js';
import { LOCK_FILE, parseLock, renderLock } from '../compose/lock.js';
import { PlatformError } from '../errors.js';
import { codemodsFor, createCodemodProject, PRODUCT_ROOT } from '../migrations/index.js';
import { loadProductCatalog } from '../modules/product-modules.js';
import { ModuleGraph } from '../modules/module-graph.js';
import { cliVersion, platformPaths, type PlatformPaths } from '../paths.js';
import { parseSpec } from '../spec/load-spec.js';
import { moduleRequests } from '../spec/product-spec.js';
import { SPEC_FILE } from '../spec/render-spec.js';
import { Tree } from '../tree/tree.js';
import { isBinary, mergeFile } from './merge.js';
import { isGitRepository, pristineFilesOf, readPristine, PRISTINE_REF, type FileSet } from './pristine.js';
import { changelogBetween, parseSemver, readChangelog, type ChangelogEntry } from './versions.js';

export interface ModuleUpgrade {
  name: string;
  from?: string;
  to?: string;
  major: boolean;
  changelog: ChangelogEntry[];
}

export interface UpgradeReport {
  dir: string;
  dryRun: boolean;
  /** Nothing to do: the product already matches the current templates. */
  upToDate: boolean;
  modules: ModuleUpgrade[];
  /** Untouched by the owner: replaced by the new version. */
  updated: string[];
  /** New files of the new version. */
  created: string[];
  /** Removed from the templates and untouched by the owner. */
  removed: string[];
  /** Edited by both: merged cleanly. */
  merged: string[];
  /** Edited by both on the same lines: written with conflict markers. */
  conflicted: { path: string; conflicts: number }[];
  /** Deleted by the owner and changed by the new version: still deleted. */
  deletedKept: string[];
  /** Removed from the templates but edited by the owner: kept. */
  editedKept: string[];
  migrationsAdded: string[];
  /** Released migrations the new version changed: never applied (the owner's copy stays). */
  migrationsRefused: string[];
  codemods: { name: string; module: string; version: string; description: string; applicable: boolean; reason?: string; files: string[]; edits: number }[];
  typecheck: { ran: boolean; ok?: boolean; reason?: string; output?: string };
  notices: string[];
}

export interface UpgradeOptions {
  dir: string;
  dryRun?: boolean;
  allowMajor?: boolean;
  typecheck?: boolean;
  paths?: PlatformPaths;
}

export interface UpgradePlan {
  report: UpgradeReport;
  /** The writes, applied by `applyUpgrade`. */
  tree: Tree;
  pristine: FileSet;
}

const MIGRATION = /^prisma\/migrations\/[^/]+\.sql$/;
const git = (dir: string, args: string[]) => execa('git', args, { cwd: dir, stdio: 'pipe' });

/** Refuses unless `dir` is a git repository with nothing uncommitted (untracked files included). */
export async function assertCleanWorkingTree(dir: string): Promise<void> {
  if (!(await isGitRepository(dir))) {
    throw new PlatformError({
      code: 'UPGRADE_NOT_A_REPOSITORY',
      message: `${dir} is not the root of a git repository; upgrade merges against the pristine output recorded in git`,
      exitCode: 2,
      suggestions: ['Run `git init && git add -A && git commit -m init`, then `platform sync` to record the pristine output.'],
    });
  }
  const { stdout } = await git(dir, ['status', '--porcelain=v1', '--untracked-files=all']);
  const files = stdout.split('\n').filter(Boolean).map((line) => line.slice(3));
  if (files.length > 0) {
    const shown = files.slice(0, 20).join(', ') + (files.length > 20 ? `, … (${files.length - 20} more)` : '');
    throw new PlatformError({
      code: 'UPGRADE_DIRTY_TREE',
      message: `The working tree has uncommitted changes: ${shown}`,
      exitCode: 2,
      details: files.map((file) => ({ message: file })),
      suggestions: ['Commit or stash them first (`git add -A && git commit` or `git stash -u`), so the upgrade can be reviewed and undone on its own.'],
    });
  }
}

/**
 * `platform upgrade`, planned entirely in memory: regenerate the product from platform.yaml with the
 * current templates (theirs), three-way merge every file against the last pristine output (base)
 * and the owner's working tree (ours), then run the codemods of the module version range.
 */
export async function planUpgrade(options: UpgradeOptions): Promise<UpgradePlan> {
  const paths = options.paths ?? platformPaths();
  const dir = path.resolve(options.dir);
  const specPath = path.join(dir, SPEC_FILE);
  if (!existsSync(specPath) || !existsSync(path.join(dir, LOCK_FILE))) {
    throw new PlatformError({
      code: 'SPEC_NOT_FOUND',
      message: `No ${SPEC_FILE} and ${LOCK_FILE} in ${dir}`,
      exitCode: 2,
      suggestions: ['Run `platform upgrade` inside a product created by `platform new`, or pass --dir <product folder>.'],
    });
  }
  await assertCleanWorkingTree(dir);
  const base = await readPristine(dir);
  if (!base) {
    throw new PlatformError({
      code: 'UPGRADE_NO_PRISTINE',
      message: `No pristine output recorded (${PRISTINE_REF} is missing), so owner edits cannot be told from generated code`,
      exitCode: 2,
      suggestions: ['Run `platform sync` with the CLI version that generated the product: it records the pristine output. Then upgrade.'],
    });
  }

  const { spec, source } = parseSpec(await readFile(specPath, 'utf8'), SPEC_FILE);
  const ours = new Tree(dir);
  const catalog = await loadProductCatalog(paths.modulesDir, ours);
  const graph = ModuleGraph.resolve(catalog, moduleRequests(spec), {
    locateRequest: (index, subIndex) => ({ ...source.locate(subIndex === undefined ? ['modules', index] : ['modules', index, 'submodules', subIndex]) }),
  });
  const next = new Tree();
  const { lock, files } = await composeProduct(next, { spec, graph, paths, cliVersion: cliVersion(paths.root) });
  const theirs = pristineFilesOf((file) => next.read(file), files);
  const previousLock = parseLock(ours.readText(LOCK_FILE)!);

  // Module versions: changelogs, and the opt-in to breaking changes.
  const modules: ModuleUpgrade[] = [];
  for (const name of [...new Set([...Object.keys(previousLock.modules), ...Object.keys(lock.modules)])].sort()) {
    const from = previousLock.modules[name];
    const to = lock.modules[name];
    if (from === to) continue;
    const module = catalog.get(name);
    // The owner versions their own modules: only the platform's breaking changes need the opt-in.
    const major = from !== undefined && to !== undefined && module?.owned === undefined && parseSemver(to)[0] > parseSemver(from)[0];
    const changelog = from && to && module ? changelogBetween(await readChangelog(module.dir), from, to) : [];
    modules.push({ name, from, to, major, changelog });
  }
  const majors = modules.filter((m) => m.major);
  if (majors.length > 0 && !options.allowMajor) {
    throw new PlatformError({
      code: 'UPGRADE_MAJOR',
      message: `Major version bump: ${majors.map((m) => `${m.name} ${m.from} → ${m.to}`).join(', ')}. Breaking changes need an explicit opt-in.`,
      exitCode: 2,
      suggestions: ['Read the changelog (`platform upgrade --dry-run`), then run `platform upgrade --allow-major`.'],
    });
  }

  const report: UpgradeReport = {
    dir,
    dryRun: options.dryRun ?? false,
    upToDate: false,
    modules,
    updated: [],
    created: [],
    removed: [],
    merged: [],
    conflicted: [],
    deletedKept: [],
    editedKept: [],
    migrationsAdded: [],
    migrationsRefused: [],
    codemods: [],
    typecheck: { ran: false },
    notices: [...graph.notices],
  };
  const tree = new Tree(dir);
  const labels = { ours: 'yours', base: `platform ${previousLock.cliVersion} (pristine)`, theirs: `platform ${lock.cliVersion} (new)` };
  const all = [...new Set([...base.keys(), ...theirs.keys()])].sort();
  for (const file of all) {
    const b = base.get(file);
    const t = theirs.get(file);
    const o = ours.read(file);
    if (file === LOCK_FILE) continue;
    if (t && b && t.equals(b)) continue; // the templates did not change it
    if (o && t && o.equals(t)) continue; // already the new version
    if (!t) {
      // Removed from the templates.
      if (o === null) continue;
      if (b && o.equals(b)) {
        tree.delete(file);
        report.removed.push(file);
      } else report.editedKept.push(file);
      continue;
    }
    if (MIGRATION.test(file) && b) {
      report.migrationsRefused.push(file);
      continue;
    }
    if (o === null) {
      if (b) report.deletedKept.push(file);
      else {
        tree.write(file, t);
        (MIGRATION.test(file) ? report.migrationsAdded : report.created).push(file);
      }
      continue;
    }
    if (b && o.equals(b)) {
      tree.write(file, t);
      report.updated.push(file);
      continue;
    }
    // Both sides changed it (or the owner created a file at a path the new version now generates).
    if (isBinary(o) || isBinary(t) || (b && isBinary(b))) {
      report.conflicted.push({ path: file, conflicts: 1 });
      continue;
    }
    const merged = await mergeFile(o, b ?? Buffer.alloc(0), t, labels);
    tree.write(file, merged.content);
    if (merged.conflicts > 0) report.conflicted.push({ path: file, conflicts: merged.conflicts });
    else report.merged.push(file);
  }

  // Codemods over the owner's TypeScript (after the merge), in version order.
  const codemods = codemodsFor(previousLock.modules, lock.modules);
  if (codemods.length > 0) {
    const sources = tree.listFiles('src').filter((file) => file.endsWith('.ts') && !file.startsWith('src/generated/'));
    const project = createCodemodProject(sources.map((file) => [file, tree.readText(file)!]));
    for (const codemod of codemods) {
      const outcome = codemod.implementation({ project });
      report.codemods.push({ name: codemod.name, module: codemod.module, version: codemod.version, description: codemod.description, ...outcome });
    }
    // A file left with conflict markers is the owner's to resolve first: codemods do not write it.
    const conflicted = new Set(report.conflicted.map((c) => c.path));
    for (const codemod of report.codemods) codemod.files = codemod.files.filter((file) => !conflicted.has(file));
    for (const sourceFile of project.getSourceFiles()) {
      const file = path.posix.relative(PRODUCT_ROOT, sourceFile.getFilePath());
      if (conflicted.has(file)) continue;
      const text = sourceFile.getFullText();
      if (tree.readText(file) !== text) tree.write(file, text);
    }
  }

  const lockText = renderLock(lock);
  if (tree.changes().length > 0 || ours.readText(LOCK_FILE) !== lockText) tree.write(LOCK_FILE, lockText);
  const pristineChanged = all.some((file) => {
    const [b, t] = [base.get(file), theirs.get(file)];
    return !b || !t || !b.equals(t);
  });
  report.upToDate = tree.changes().length === 0 && !pristineChanged;
  return { report, tree, pristine: theirs };
}

/**
 * Writes the planned upgrade. Every file's previous content is kept in memory first; if any write
 * fails, everything already written is restored, so the working tree is left as it was.
 */
export async function applyUpgrade(plan: UpgradePlan): Promise<void> {
  const { commitChanges } = await import('../tree/commit.js');
  const { writePristine } = await import('./pristine.js');
  const { writeFile, unlink, mkdir, stat, chmod } = await import('node:fs/promises');
  const root = plan.tree.root!;
  const changes = plan.tree.changes();
  const before = new Map<string, { content: Buffer; mode: number } | null>();
  const disk = new Tree(root);
  for (const change of changes) {
    const content = disk.read(change.path);
    before.set(change.path, content === null ? null : { content, mode: (await stat(path.join(root, change.path))).mode & 0o777 });
  }
  try {
    await commitChanges(plan.tree, changes);
    await writePristine(root, plan.pristine, `platform ${cliVersion()}: pristine output of upgrade`);
  } catch (error) {
    for (const [file, previous] of before) {
      const target = path.join(root, file);
      if (previous === null) await unlink(target).catch(() => undefined);
      else {
        await mkdir(path.dirname(target), { recursive: true }).catch(() => undefined);
        await writeFile(target, previous.content).catch(() => undefined);
        await chmod(target, previous.mode).catch(() => undefined);
      }
    }
    throw error;
  }
}

/**
 * Type-checks the product: `npx tsc --noEmit -p tsconfig.json` (after `prisma generate` when its
 * client is missing). The product's tests import the SDK types (sdk/schema.d.ts); when they were
 * never emitted, its own `npm run typecheck` (= `npm run sdk` + tsc) runs instead.
 */
export async function typecheckProduct(dir: string): Promise<UpgradeReport['typecheck']> {
  if (!existsSync(path.join(dir, 'node_modules'))) return { ran: false, reason: 'node_modules is missing: run `npm install`, then `npm run typecheck`' };
  const run = async (command: string, args: string[]) => {
    const result = await execa(command, args, { cwd: dir, reject: false, all: true, stdin: 'ignore' });
    return { ok: result.exitCode === 0, output: result.all?.slice(-4000) ?? '' };
  };
  if (!existsSync(path.join(dir, 'sdk/schema.d.ts'))) {
    const result = await run('npm', ['run', 'typecheck']);
    return { ran: true, ok: result.ok, ...(result.ok ? {} : { output: result.output }) };
  }
  if (!existsSync(path.join(dir, 'src/generated/prisma')) && existsSync(path.join(dir, 'scripts/prisma-generate.mjs'))) {
    const generate = await run('node', ['scripts/prisma-generate.mjs']);
    if (!generate.ok) return { ran: true, ok: false, output: `prisma generate failed:\n${generate.output}` };
  }
  const result = await run('npx', ['tsc', '--noEmit', '-p', 'tsconfig.json']);
  return { ran: true, ok: result.ok, ...(result.ok ? {} : { output: result.output }) };
}
