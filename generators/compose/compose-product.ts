import { readFile } from 'node:fs/promises';
import path from 'node:path';
import ejs from 'ejs';
import fg from 'fast-glob';
import { PlatformError } from '../errors.js';
import type { ModuleGraph } from '../modules/module-graph.js';
import type { PlatformModule } from '../modules/manifest.js';
import type { PlatformPaths } from '../paths.js';
import { productSpecJsonSchema, type ProductSpec } from '../spec/product-spec.js';
import { normalizeSpec, renderSpecYaml, SPEC_FILE, SPEC_SCHEMA_FILE } from '../spec/render-spec.js';
import type { Tree } from '../tree/tree.js';
import type { NestModuleImport } from './app-module.js';
import { infraFiles } from './infra.js';
import { LOCK_FILE, renderLock, sha256, type Lock } from './lock.js';
import { renderPackageJson, type VersionMap } from './package-json.js';

export interface ComposeOptions {
  spec: ProductSpec;
  graph: ModuleGraph;
  paths: PlatformPaths;
  cliVersion: string;
  templateVersion?: string;
}

export interface ComposeResult {
  /** Every path the generator produced (lock and platform.yaml included), sorted. */
  files: string[];
  lock: Lock;
}

/** Never copied from templates/app or a module (build output, installs, local databases). */
const IGNORED = ['**/node_modules/**', '**/.vite/**', 'dist/**', '.platform/**', 'src/generated/**', '**/.DS_Store', '**/*.tsbuildinfo'];
/** Files the owner edits as input; the lock does not track them. */
const UNTRACKED = new Set([SPEC_FILE, LOCK_FILE]);
const MIGRATION_NAME = /^(\d{14})_([a-z0-9][a-z0-9_-]*)\.sql$/;

const toPosix = (p: string) => p.split(path.sep).join('/');

async function listFiles(dir: string, pattern = '**/*'): Promise<string[]> {
  return (await fg(pattern, { cwd: dir, dot: true, onlyFiles: true, ignore: IGNORED })).map(toPosix).sort();
}

/** Tracks who wrote each path so that two modules never silently overwrite each other. */
class Writer {
  private readonly owners = new Map<string, string>();
  /** Paths of the product's own (custom) modules: never written by the generator. */
  private readonly claimed = new Map<string, string>();
  constructor(private readonly tree: Tree) {}

  claim(file: string, owner: string): void {
    this.claimed.set(file, owner);
  }

  write(file: string, content: string | Buffer, owner: string, options: { override?: boolean } = {}): void {
    const custom = this.claimed.get(file);
    if (custom) {
      throw new PlatformError({
        code: 'COMPOSE_CONFLICT',
        message: `${file} belongs to your ${custom}, but ${owner} now generates a file at the same path`,
        exitCode: 2,
        suggestions: [`Rename or move ${file} in your module, then run the command again.`],
      });
    }
    const previous = this.owners.get(file);
    if (previous && previous !== owner && !options.override && previous !== 'templates/app') {
      throw new PlatformError({
        code: 'COMPOSE_CONFLICT',
        message: `${file} is produced by both ${previous} and ${owner}`,
        suggestions: ['Rename one of the files; module files must not overlap.'],
      });
    }
    this.owners.set(file, owner);
    this.tree.write(file, content);
  }

  get paths(): string[] {
    return [...this.owners.keys()].sort();
  }
}

/**
 * Builds a complete product in `tree` from the spec and the resolved modules: the app template,
 * every module's files at its place, and the files derived from the spec.
 */
export async function composeProduct(tree: Tree, options: ComposeOptions): Promise<ComposeResult> {
  const { spec, graph, paths } = options;
  // ts-morph (the TypeScript compiler) is heavy; load it only when composing, not for every CLI command.
  const [{ wireNestModules }, { renderPlatformConfig, renderPlatformModules }] = await Promise.all([
    import('./app-module.js'),
    import('./platform-files.js'),
  ]);
  const writer = new Writer(tree);
  const ejsData = {
    spec: normalizeSpec(spec),
    modules: graph.modules.map(({ manifest }) => manifest),
  };

  // 1. The app template.
  let packageTemplate: string | null = null;
  let appModuleTemplate: string | null = null;
  for (const relative of await listFiles(paths.appTemplateDir)) {
    const absolute = path.join(paths.appTemplateDir, relative);
    if (relative === 'package.json') {
      packageTemplate = await readFile(absolute, 'utf8');
      continue;
    }
    if (relative === 'src/app.module.ts') {
      appModuleTemplate = await readFile(absolute, 'utf8');
      continue;
    }
    let target = relative;
    let content: string | Buffer = await readFile(absolute);
    if (target.endsWith('.ejs')) {
      target = target.slice(0, -'.ejs'.length);
      content = ejs.render(content.toString('utf8'), ejsData, { filename: absolute });
    }
    // Dotfiles in templates/ would apply to the CLI repo itself, so they are stored without the dot.
    if (path.posix.basename(target) === 'gitignore') target = path.posix.join(path.posix.dirname(target), '.gitignore').replace(/^\.\//, '');
    writer.write(target, content, 'templates/app');
  }

  // 2. Every module's files (the product's own modules are already in place: their paths are only reserved).
  const migrations: ModuleMigration[] = [];
  for (const module of graph.modules) {
    await composeModule(writer, module, migrations);
  }
  checkMigrationOrder(graph, migrations);

  // 3. The CDK apps of the product's AWS cell (infra/) and its modules' infra declarations.
  for (const file of await infraFiles(paths.root, graph)) writer.write(file.path, file.content, 'infra-templates');

  // 4. Files derived from the spec and the graph.
  const versions = JSON.parse(await readFile(paths.versionsFile, 'utf8')) as VersionMap;
  writer.write('package.json', renderPackageJson(packageTemplate, spec, graph, versions), 'spec');
  if (appModuleTemplate !== null) {
    writer.write('src/app.module.ts', wireNestModules(appModuleTemplate, nestImports(graph.modules)), 'spec');
  }
  writer.write('src/platform.config.ts', renderPlatformConfig(spec), 'spec', { override: true });
  writer.write('src/platform.modules.ts', renderPlatformModules(graph), 'spec', { override: true });
  writer.write(SPEC_FILE, renderSpecYaml(spec), 'spec', { override: true });
  writer.write(SPEC_SCHEMA_FILE, `${JSON.stringify(productSpecJsonSchema(), null, 2)}\n`, 'spec', { override: true });

  const files: Record<string, string> = {};
  for (const file of writer.paths) {
    if (UNTRACKED.has(file)) continue;
    files[file] = sha256(tree.read(file)!);
  }
  const lock: Lock = {
    lockVersion: 1,
    cliVersion: options.cliVersion,
    templateVersion: options.templateVersion ?? options.cliVersion,
    modules: Object.fromEntries(graph.modules.map(({ manifest }) => [manifest.name, manifest.version])),
    files,
  };
  writer.write(LOCK_FILE, renderLock(lock), 'spec', { override: true });
  return { files: writer.paths, lock };
}

interface ModuleMigration {
  file: string;
  timestamp: string;
  module: string;
  custom?: boolean;
}

async function composeModule(writer: Writer, module: PlatformModule, migrations: ModuleMigration[]): Promise<void> {
  const { manifest, dir } = module;
  if (module.owned) {
    for (const file of module.owned.files) writer.claim(file, `custom module ${manifest.name}`);
    for (const file of module.owned.migrations) {
      migrations.push({ file, timestamp: path.posix.basename(file).slice(0, 14), module: manifest.name, custom: true });
    }
    return;
  }
  const owner = `modules/${manifest.name}`;
  for (const relative of await listFiles(path.join(dir, 'src'))) {
    writer.write(`${manifest.target}/${relative}`, await readFile(path.join(dir, 'src', relative)), owner);
  }
  for (const relative of await listFiles(path.join(dir, 'prisma'), '*.prisma')) {
    writer.write(`prisma/schema/${relative}`, await readFile(path.join(dir, 'prisma', relative)), owner);
  }
  for (const relative of await listFiles(path.join(dir, 'migrations'), '*.sql')) {
    const match = MIGRATION_NAME.exec(relative);
    if (!match) {
      throw new PlatformError({
        code: 'MODULE_MIGRATION_NAME',
        message: `${owner}/migrations/${relative}: migration files must be named <YYYYMMDDHHMMSS>_<slug>.sql`,
      });
    }
    const file = `prisma/migrations/${match[1]}_${manifest.name}_${match[2]}.sql`;
    writer.write(file, await readFile(path.join(dir, 'migrations', relative)), owner);
    migrations.push({ file, timestamp: match[1]!, module: manifest.name });
  }
  for (const relative of await listFiles(path.join(dir, 'test'))) {
    writer.write(`test/${manifest.name}/${relative}`, await readFile(path.join(dir, 'test', relative)), owner);
  }
}

/**
 * Migrations run in file-name order, which must agree with the module graph's topological order: a module's
 * migrations come after its dependencies' first migration (their schema exists). A dependency's later releases may
 * sort before or after them — core 1.1's new migration runs after tasks 1.0's — since a migration never relies on
 * one written after it.
 */
function checkMigrationOrder(graph: ModuleGraph, migrations: ModuleMigration[]): void {
  const earliest = new Map<string, string>();
  for (const m of migrations) {
    if ((earliest.get(m.module) ?? '99999999999999') > m.timestamp) earliest.set(m.module, m.timestamp);
  }
  for (const m of migrations) {
    for (const dependency of graph.get(m.module)?.manifest.dependencies ?? []) {
      const bound = earliest.get(dependency);
      if (bound && bound >= m.timestamp) {
        throw new PlatformError({
          code: 'MODULE_MIGRATION_ORDER',
          message: `${m.file} would run before migration ${bound} of "${dependency}", which "${m.module}" depends on`,
          exitCode: m.custom ? 2 : 1,
          suggestions: [`Give the migrations of "${m.module}" timestamps after ${bound}.`],
        });
      }
    }
  }
}

function nestImports(modules: readonly PlatformModule[]): NestModuleImport[] {
  return modules
    .filter(({ manifest }) => manifest.nest)
    .map(({ manifest }) => ({
      className: manifest.nest!.module,
      specifier: `./${manifest.target.replace(/^src\//, '')}/${manifest.nest!.file.replace(/\.ts$/, '.js')}`,
    }));
}
