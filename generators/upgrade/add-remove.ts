import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { Node, Project, QuoteKind, SyntaxKind } from 'ts-morph';
import { isMap, isScalar, isSeq, parseDocument, YAMLSeq } from 'yaml';
import { wireNestModules } from '../compose/app-module.js';
import { PlatformError } from '../errors.js';
import type { PlatformModule } from '../modules/manifest.js';
import { loadProductCatalog } from '../modules/product-modules.js';
import { ModuleGraph } from '../modules/module-graph.js';
import { platformPaths, type PlatformPaths } from '../paths.js';
import { planSync, summarizeChanges, type PlannedChange, type SyncPlan } from '../product.js';
import { parseSpec } from '../spec/load-spec.js';
import { moduleRequests } from '../spec/product-spec.js';
import { SPEC_FILE } from '../spec/render-spec.js';
import { commitChanges } from '../tree/commit.js';
import { Tree } from '../tree/tree.js';
import { recordSyncPristine } from './record.js';

const APP_MODULE = 'src/app.module.ts';
const MIGRATION = /^prisma\/migrations\/[^/]+\.sql$/;

export interface ModuleEditResult {
  dir: string;
  module: string;
  action: 'add' | 'remove';
  /** False when platform.yaml already had (or lacked) the module. */
  changed: boolean;
  dryRun: boolean;
  changes: PlannedChange[];
  skipped: SyncPlan['skipped'];
  /** remove: what stays in the product (migrations, edited files) and why. */
  left: { path: string; reason: string }[];
  /** app.module.ts was edited by the owner and (un)wired in place. */
  wiredInOwnerAppModule: boolean;
  notices: string[];
}

const entryName = (item: unknown): string | undefined => {
  if (isScalar(item)) return String(item.value);
  if (isMap(item)) return String(item.get('name'));
  return undefined;
};

/** platform.yaml with `name` added to (or removed from) `modules`, comments and layout kept (yaml Document API). */
export function editSpecModules(text: string, name: string, action: 'add' | 'remove'): { text: string; changed: boolean } {
  const doc = parseDocument(text);
  let modules = doc.get('modules', true);
  if (!isSeq(modules)) {
    if (action === 'remove') return { text, changed: false };
    modules = new YAMLSeq();
    doc.set('modules', modules);
  }
  const seq = modules as YAMLSeq;
  const index = seq.items.findIndex((item) => entryName(item) === name);
  if (action === 'add') {
    if (index !== -1) return { text, changed: false };
    seq.flow = false;
    seq.add(doc.createNode(name));
  } else {
    if (index === -1) return { text, changed: false };
    seq.items.splice(index, 1);
  }
  return { text: doc.toString({ lineWidth: 0 }), changed: true };
}

/** Removes `import { className }` and the `className` element of `@Module({ imports })`; keeps everything else. */
export function unwireNestModule(source: string, className: string): string {
  const project = new Project({ useInMemoryFileSystem: true, skipAddingFilesFromTsConfig: true, manipulationSettings: { quoteKind: QuoteKind.Single } });
  const file = project.createSourceFile('/app.module.ts', source);
  for (const declaration of file.getImportDeclarations()) {
    const named = declaration.getNamedImports().find((n) => n.getName() === className);
    if (!named) continue;
    if (declaration.getNamedImports().length === 1 && !declaration.getDefaultImport() && !declaration.getNamespaceImport()) declaration.remove();
    else named.remove();
  }
  for (const decorator of file.getClasses().flatMap((c) => c.getDecorators())) {
    if (decorator.getName() !== 'Module') continue;
    const property = decorator.getArguments()[0]?.asKind(SyntaxKind.ObjectLiteralExpression)?.getProperty('imports');
    const array = property && Node.isPropertyAssignment(property) ? property.getInitializer()?.asKind(SyntaxKind.ArrayLiteralExpression) : undefined;
    const element = array?.getElements().find((e) => e.getText() === className);
    if (array && element) array.removeElement(element);
  }
  return file.getFullText();
}

const nestImportOf = (module: PlatformModule) => ({
  className: module.manifest.nest!.module,
  specifier: `./${module.manifest.target.replace(/^src\//, '')}/${module.manifest.nest!.file.replace(/\.ts$/, '.js')}`,
});

/**
 * Syncs `tree` (the product with its edited platform.yaml and any other pending writes) after `module` was
 * added to or removed from the spec. The owner's app.module.ts, when edited (sync skips it), is (un)wired in place.
 */
export async function syncModuleEdit(options: { dir: string; tree: Tree; module: PlatformModule; action: 'add' | 'remove'; paths: PlatformPaths }): Promise<{ plan: SyncPlan; wiredInOwnerAppModule: boolean }> {
  const plan = await planSync({ dir: options.dir, paths: options.paths, tree: options.tree });
  const module = plan.graph.get(options.module.manifest.name) ?? options.module;
  let wiredInOwnerAppModule = false;
  if (module.manifest.nest && plan.skipped.some((s) => s.path === APP_MODULE && s.reason === 'edited')) {
    const text = plan.tree.readText(APP_MODULE)!;
    const next = options.action === 'add' ? wireNestModules(text, [nestImportOf(module)]) : unwireNestModule(text, module.manifest.nest.module);
    if (next !== text) {
      plan.tree.write(APP_MODULE, next);
      wiredInOwnerAppModule = true;
    }
  }
  plan.changes = plan.tree.changes();
  return { plan, wiredInOwnerAppModule };
}

/** Reads platform.yaml through `tree`; SPEC_NOT_FOUND when the folder holds no product. */
export function readProductSpec(tree: Tree, dir: string): string {
  const text = tree.readText(SPEC_FILE);
  if (text === null) {
    throw new PlatformError({ code: 'SPEC_NOT_FOUND', message: `No ${SPEC_FILE} in ${dir}`, exitCode: 2, suggestions: ['Run it inside a product created by `platform new`, or pass --dir.'] });
  }
  return text;
}

/**
 * `platform add module` / `platform remove module`: edit platform.yaml, then sync, all in one Tree that is
 * written only at the end. The owner's app.module.ts, when edited (sync skips it), is (un)wired in place with
 * ts-morph. Remove refuses while another module depends on the one removed, and never deletes migrations (data
 * stays). A custom module's files are the owner's: add/remove only (un)wires it and reports what stays.
 */
export async function editProductModules(options: { dir: string; module: string; action: 'add' | 'remove'; dryRun?: boolean; paths?: PlatformPaths }): Promise<ModuleEditResult> {
  const paths = options.paths ?? platformPaths();
  const dir = path.resolve(options.dir);
  const tree = new Tree(dir);
  const original = readProductSpec(tree, dir);
  const catalog = await loadProductCatalog(paths.modulesDir, tree);
  const target = catalog.get(options.module);
  if (!target || target.manifest.kind === 'core') {
    const available = [...catalog.values()].filter((m) => m.manifest.kind !== 'core').map((m) => m.manifest.name);
    throw new PlatformError({
      code: 'MODULE_UNKNOWN',
      message: target ? `"${options.module}" is a core module: always included, it cannot be added or removed` : `Unknown module "${options.module}"`,
      exitCode: 2,
      suggestions: [
        `Modules you can add: ${available.join(', ') || '(none)'}`,
        ...(target ? [] : [`To write a module of your own: platform generate module ${options.module}`]),
      ],
    });
  }
  const current = parseSpec(original, SPEC_FILE);
  const graph = ModuleGraph.resolve(catalog, moduleRequests(current.spec));
  if (options.action === 'remove') {
    const dependents = graph.modules.filter((m) => m.manifest.name !== options.module && m.manifest.dependencies.includes(options.module)).map((m) => m.manifest.name);
    if (dependents.length > 0) {
      throw new PlatformError({
        code: 'MODULE_REQUIRED',
        message: `Cannot remove "${options.module}": ${dependents.join(', ')} depend${dependents.length === 1 ? 's' : ''} on it`,
        exitCode: 2,
        suggestions: dependents.map((d) => `platform remove module ${d}`),
      });
    }
  }
  const edited = editSpecModules(original, options.module, options.action);
  const result: ModuleEditResult = {
    dir, module: options.module, action: options.action, changed: edited.changed, dryRun: options.dryRun ?? false,
    changes: [], skipped: [], left: [], wiredInOwnerAppModule: false, notices: [],
  };
  const inGraph = graph.names.includes(options.module);
  if (!edited.changed && (options.action === 'add' ? inGraph : !inGraph)) return result;
  if (options.action === 'remove' && !edited.changed) {
    throw new PlatformError({ code: 'MODULE_REQUIRED', message: `"${options.module}" is not listed in ${SPEC_FILE} but is included as a dependency of another module`, exitCode: 2 });
  }

  tree.write(SPEC_FILE, edited.text);
  const { plan, wiredInOwnerAppModule } = await syncModuleEdit({ dir, tree, module: target, action: options.action, paths });
  result.wiredInOwnerAppModule = wiredInOwnerAppModule;
  if (options.action === 'remove') {
    // Never drop data: migrations stay (the tables remain in every database they ran on).
    for (const change of plan.tree.changes()) {
      if (change.type === 'DELETE' && MIGRATION.test(change.path)) {
        plan.tree.write(change.path, (await readFile(path.join(dir, change.path))));
        result.left.push({ path: change.path, reason: 'migration kept: its tables and data stay in the database (drop them with a migration of your own if you mean to)' });
      }
    }
    if (target.owned) {
      const { name } = target.manifest;
      const folders = [`${target.manifest.target}/`, `test/${name}/`];
      for (const folder of folders) {
        if (target.owned.files.some((file) => file.startsWith(folder))) result.left.push({ path: folder, reason: 'your custom module: kept, no longer wired (delete it yourself if you mean to)' });
      }
      for (const file of target.owned.files.filter((f) => !folders.some((folder) => f.startsWith(folder)))) {
        result.left.push({
          path: file,
          reason: MIGRATION.test(file) ? 'migration kept: its tables and data stay in the database' : 'your custom module: kept (remove it with the module\'s folder)',
        });
      }
    }
    for (const skip of plan.skipped) {
      if (skip.reason === 'edited' && !(skip.path === APP_MODULE && result.wiredInOwnerAppModule)) result.left.push({ path: skip.path, reason: 'you edited it: kept' });
    }
  }
  const changes = plan.tree.changes();
  result.changes = summarizeChanges(changes);
  result.skipped = plan.skipped;
  result.notices = plan.notices;
  if (options.dryRun) return result;
  await commitChanges(plan.tree, changes);
  await recordSyncPristine(dir, plan);
  return result;
}
