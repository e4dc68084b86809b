import { existsSync } from 'node:fs';
import path from 'node:path';
import { composeProduct } from './compose/compose-product.js';
import { LOCK_FILE, parseLock, renderLock, sha256, type Lock } from './compose/lock.js';
import { PlatformError, type PlatformErrorDetail, type SourceLocation } from './errors.js';
import { loadModuleCatalog, type ModuleCatalog } from './modules/manifest.js';
import { loadProductCatalog } from './modules/product-modules.js';
import { ModuleGraph } from './modules/module-graph.js';
import { cliVersion, platformPaths, type PlatformPaths } from './paths.js';
import { formatKeyPath, loadSpecFile, parseSpec, type SpecSource } from './spec/load-spec.js';
import { moduleRequests, ProductSpecSchema, type ProductSpec } from './spec/product-spec.js';
import { SPEC_FILE } from './spec/render-spec.js';
import { Tree, type FileChange } from './tree/tree.js';
import { pristineFilesOf, type FileSet } from './upgrade/pristine.js';

export interface PlannedChange {
  type: FileChange['type'];
  path: string;
}

export interface ProductPlan {
  spec: ProductSpec;
  graph: ModuleGraph;
  tree: Tree;
  changes: FileChange[];
  notices: string[];
  lock: Lock;
}

export interface NewProductOptions {
  name?: string;
  modules?: readonly string[];
  specFile?: string;
  strict?: boolean;
  paths?: PlatformPaths;
}

export const summarizeChanges = (changes: readonly FileChange[]): PlannedChange[] => changes.map(({ type, path: p }) => ({ type, path: p }));

/** Everything `platform new` would write, in memory. Nothing touches the disk. */
export async function planNewProduct(options: NewProductOptions): Promise<ProductPlan> {
  const paths = options.paths ?? platformPaths();
  const { spec, source, fileModules } = await resolveNewSpec(options);
  const catalog = await loadModuleCatalog(paths.modulesDir);
  const graph = resolveGraph(catalog, spec, source, options.strict, fileModules);
  const tree = new Tree();
  const { lock } = await composeProduct(tree, { spec, graph, paths, cliVersion: cliVersion(paths.root) });
  return { spec, graph, tree, changes: tree.changes(), notices: [...graph.notices], lock };
}

async function resolveNewSpec(options: NewProductOptions): Promise<{ spec: ProductSpec; source?: SpecSource; fileModules: number }> {
  let raw: Record<string, unknown> = {};
  let source: SpecSource | undefined;
  let loadedSpec: ProductSpec | undefined;
  if (options.specFile) {
    const loaded = await loadSpecFile(path.resolve(options.specFile));
    raw = loaded.raw;
    source = loaded.source;
    loadedSpec = loaded.spec;
  }
  const overrides: Record<string, unknown> = {};
  if (options.name !== undefined) overrides.name = options.name;
  if (options.modules && options.modules.length > 0) {
    const existing = ((raw.modules as unknown[] | undefined) ?? []).slice();
    const names = new Set(existing.map((m) => (typeof m === 'string' ? m : (m as { name?: string })?.name)));
    for (const m of options.modules) if (!names.has(m)) existing.push(m);
    overrides.modules = existing;
  }
  const fileModules = Array.isArray(raw.modules) ? raw.modules.length : 0;
  if (Object.keys(overrides).length === 0 && loadedSpec) return { spec: loadedSpec, source, fileModules };
  const result = ProductSpecSchema.safeParse({ ...raw, ...overrides });
  if (!result.success) {
    const details: PlatformErrorDetail[] = result.error.issues.map((issue) => {
      const keyPath = formatKeyPath(issue.path as (string | number)[]);
      const fromFlag = issue.path[0] === 'name' && 'name' in overrides ? '<name> argument' : issue.path[0] === 'modules' && 'modules' in overrides ? '--modules' : undefined;
      const location: SourceLocation | undefined = !fromFlag && source ? { ...source.locate(issue.path as (string | number)[]), path: keyPath } : undefined;
      return { message: `${fromFlag ? `${fromFlag} (${keyPath})` : keyPath}: ${issue.message.replace(/^Invalid input: /, '')}`, location };
    });
    throw new PlatformError({
      code: 'SPEC_INVALID',
      message: details.map((d) => (d.location ? `${d.location.file}:${d.location.line}:${d.location.column} ${d.message}` : d.message)).join('\n'),
      exitCode: 2,
      location: details[0]?.location,
      details,
      suggestions: result.error.issues.some((issue) => issue.path[0] === 'name')
        ? ['Product names are 3-40 characters of lowercase letters, digits and dashes, e.g. `platform new acme-crm`.']
        : ['Module names are lowercase kebab-case, e.g. `--modules tasks`.'],
    });
  }
  return { spec: result.data, source, fileModules };
}

/** `locatedRequests`: how many module requests come from the spec file (the rest came from --modules). */
function resolveGraph(catalog: ModuleCatalog, spec: ProductSpec, source: SpecSource | undefined, strict?: boolean, locatedRequests = Infinity): ModuleGraph {
  return ModuleGraph.resolve(catalog, moduleRequests(spec), {
    strict,
    requestLabel: '--modules',
    locateRequest: source
      ? (index, subIndex) => {
          if (index >= locatedRequests) return undefined;
          const keyPath = subIndex === undefined ? ['modules', index] : ['modules', index, 'submodules', subIndex];
          const raw = source.locate(keyPath);
          return { ...raw, path: formatKeyPath(keyPath) };
        }
      : undefined,
  });
}

export interface SyncPlan extends ProductPlan {
  /** Generated files the owner changed since the last generation; left as they are. */
  skipped: { path: string; reason: 'edited' | 'deleted' }[];
  /** The freshly generated output (what `refs/platform/pristine` records after the sync). */
  pristineFiles: FileSet;
}

/**
 * `platform sync`: regenerate from the product's platform.yaml and apply only what changed, never
 * overwriting a file the owner edited since the last generation (its hash differs from the lock).
 */
export async function planSync(options: { dir: string; strict?: boolean; paths?: PlatformPaths; tree?: Tree }): Promise<SyncPlan> {
  const paths = options.paths ?? platformPaths();
  const dir = path.resolve(options.dir);
  const specPath = path.join(dir, SPEC_FILE);
  // `tree`: the product with pending writes (an edited platform.yaml, a scaffolded module) that sync sees as on disk.
  const tree = options.tree ?? new Tree(dir);
  const specText = tree.readText(SPEC_FILE);
  if (specText === null) {
    throw new PlatformError({
      code: 'SPEC_NOT_FOUND',
      message: `No ${SPEC_FILE} in ${dir}`,
      exitCode: 2,
      suggestions: ['Run `platform sync` inside a product created by `platform new`, or pass --dir <product folder>.'],
    });
  }
  const { spec, source } = parseSpec(specText, path.relative(process.cwd(), specPath) || SPEC_FILE);
  const catalog = await loadProductCatalog(paths.modulesDir, tree);
  const graph = resolveGraph(catalog, spec, source, options.strict);

  const pristine = new Tree();
  const { lock, files } = await composeProduct(pristine, { spec, graph, paths, cliVersion: cliVersion(paths.root) });

  const previous = await readPreviousLock(tree);
  const skipped: SyncPlan['skipped'] = [];
  for (const file of files) {
    if (file === SPEC_FILE || file === LOCK_FILE) continue;
    const next = pristine.read(file)!;
    const current = tree.read(file);
    if (current !== null && current.equals(next)) continue;
    const recorded = previous?.files[file];
    if (current === null) {
      if (recorded) skipped.push({ path: file, reason: 'deleted' });
      else tree.write(file, next);
    } else if (recorded === sha256(current)) {
      tree.write(file, next);
    } else {
      skipped.push({ path: file, reason: 'edited' });
    }
  }
  for (const [file, recorded] of Object.entries(previous?.files ?? {})) {
    if (lock.files[file]) continue;
    const current = tree.read(file);
    if (current === null) continue;
    if (sha256(current) === recorded) tree.delete(file);
    else skipped.push({ path: file, reason: 'edited' });
  }
  tree.write(LOCK_FILE, renderLock(lock));
  const pristineFiles = pristineFilesOf((file) => pristine.read(file), files);
  return { spec, graph, tree, changes: tree.changes(), notices: [...graph.notices], lock, skipped, pristineFiles };
}

async function readPreviousLock(tree: Tree): Promise<Lock | undefined> {
  const text = tree.readText(LOCK_FILE);
  return text === null ? undefined : parseLock(text);
}

/** Optional modules a user can choose (for prompts and help). */
export async function availableModules(paths: PlatformPaths = platformPaths()): Promise<{ name: string; description: string }[]> {
  const catalog = await loadModuleCatalog(paths.modulesDir);
  return [...catalog.values()]
    .filter(({ manifest }) => manifest.kind === 'optional')
    .map(({ manifest }) => ({ name: manifest.name, description: manifest.description }));
}

/** The nearest folder at or above `start` that holds a product (platform.yaml + .platform/lock.json). */
export function findProductRoot(start: string): string | undefined {
  let dir = path.resolve(start);
  for (;;) {
    if (existsSync(path.join(dir, SPEC_FILE)) && existsSync(path.join(dir, LOCK_FILE))) return dir;
    const parent = path.dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
}
