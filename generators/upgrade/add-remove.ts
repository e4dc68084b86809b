import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { Node, Project, QuoteKind, SyntaxKind } from 'ts-morph';
import { isMap, isScalar, isSeq, parseDocument, YAMLSeq } from 'yaml';
import { wireNestModules } from '../compose/app-module.js';
import { PlatformError } from '../errors.js';
import { loadModuleCatalog, type PlatformModule } from '../modules/manifest.js';
import { ModuleGraph } from '../modules/module-graph.js';
import { platformPaths, type PlatformPaths } from '../paths.js';
import { planSync, summarizeChanges, type PlannedChange, type SyncPlan } from '../product.js';
import { parseSpec } from '../spec/load-spec.js';
import { moduleRequests } from '../spec/product-spec.js';
import { SPEC_FILE } from '../spec/render-spec.js';
import { commitChanges } from '../tree/commit.js';
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
 * `platform add module` / `platform remove module`: edit platform.yaml, then sync. The owner's
 * app.module.ts, when edited (sync skips it), is (un)wired in place with ts-morph. Remove refuses
 * while another module depends on the one removed, and never deletes migrations (data stays).
 */
export async function editProductModules(options: { dir: string; module: string; action: 'add' | 'remove'; dryRun?: boolean; paths?: PlatformPaths }): Promise<ModuleEditResult> {
  const paths = options.paths ?? platformPaths();
  const dir = path.resolve(options.dir);
  const specPath = path.join(dir, SPEC_FILE);
  const original = await readFile(specPath, 'utf8').catch(() => {
    throw new PlatformError({ code: 'SPEC_NOT_FOUND', message: `No ${SPEC_FILE} in ${dir}`, exitCode: 2, suggestions: ['Run it inside a product created by `platform new`, or pass --dir.'] });
  });
  const catalog = await loadModuleCatalog(paths.modulesDir);
  const target = catalog.get(options.module);
  if (!target || target.manifest.kind !== 'optional') {
    const available = [...catalog.values()].filter((m) => m.manifest.kind === 'optional').map((m) => m.manifest.name);
    throw new PlatformError({
      code: 'MODULE_UNKNOWN',
      message: target ? `"${options.module}" is a core module: always included, it cannot be added or removed` : `Unknown module "${options.module}"`,
      exitCode: 2,
      suggestions: [`Optional modules: ${available.join(', ') || '(none)'}`],
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

  // planSync reads platform.yaml from disk: write it, and put the original back on any failure or dry run.
  await writeFile(specPath, edited.text);
  try {
    const plan = await planSync({ dir, paths });
    const module = plan.graph.get(options.module) ?? target;
    // The owner's app.module.ts (skipped by sync because it was edited): wire in place.
    if (module.manifest.nest && plan.skipped.some((s) => s.path === APP_MODULE && s.reason === 'edited')) {
      const text = plan.tree.readText(APP_MODULE)!;
      const next = options.action === 'add' ? wireNestModules(text, [nestImportOf(module)]) : unwireNestModule(text, module.manifest.nest.module);
      if (next !== text) {
        plan.tree.write(APP_MODULE, next);
        result.wiredInOwnerAppModule = true;
      }
    }
    if (options.action === 'remove') {
      // Never drop data: migrations stay (the tables remain in every database they ran on).
      for (const change of plan.tree.changes()) {
        if (change.type === 'DELETE' && MIGRATION.test(change.path)) {
          plan.tree.write(change.path, (await readFile(path.join(dir, change.path))));
          result.left.push({ path: change.path, reason: 'migration kept: its tables and data stay in the database (drop them with a migration of your own if you mean to)' });
        }
      }
      for (const skip of plan.skipped) {
        if (skip.reason === 'edited' && !(skip.path === APP_MODULE && result.wiredInOwnerAppModule)) result.left.push({ path: skip.path, reason: 'you edited it: kept' });
      }
    }
    const changes = plan.tree.changes();
    result.changes = [{ type: 'UPDATE', path: SPEC_FILE }, ...summarizeChanges(changes)];
    result.skipped = plan.skipped;
    result.notices = plan.notices;
    if (options.dryRun) {
      await writeFile(specPath, original);
      return result;
    }
    await commitChanges(plan.tree, changes);
    await recordSyncPristine(dir, plan);
    return result;
  } catch (error) {
    await writeFile(specPath, original);
    throw error;
  }
}
