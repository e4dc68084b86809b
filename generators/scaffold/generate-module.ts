import path from 'node:path';
import { PlatformError } from '../errors.js';
import { platformPaths, type PlatformPaths } from '../paths.js';
import type { SyncPlan } from '../product.js';
import { customModuleDir, customSchemaPath, customTestDir, loadProductCatalog } from '../modules/product-modules.js';
import { parseSpec } from '../spec/load-spec.js';
import { SPEC_FILE } from '../spec/render-spec.js';
import { Tree } from '../tree/tree.js';
import { editSpecModules, readProductSpec, syncModuleEdit } from '../upgrade/add-remove.js';
import { moduleNames, type ModuleNames } from './module-names.js';
import { renderModuleTemplate } from './module-template.js';

export interface GenerateModuleOptions {
  /** The product folder. */
  dir: string;
  name: string;
  /** The module's resource, singular kebab-case (default: the module name made singular). */
  resource?: string;
  paths?: PlatformPaths;
  /** Clock of the migration's timestamp (tests). */
  now?: Date;
}

export interface GenerateModulePlan {
  dir: string;
  names: ModuleNames;
  /** The module's own files, as scaffolded (product-relative). */
  files: string[];
  /** platform.yaml and the module's files, plus what the sync that follows changes (wiring, lock, ...). */
  plan: SyncPlan;
  wiredInOwnerAppModule: boolean;
}

/** Namespaces nobody may declare again: subject types of the permission engine. */
const RESERVED_NAMESPACES = new Set(['user']);

const clash = (message: string, suggestions: string[]) => new PlatformError({ code: 'MODULE_EXISTS', message, exitCode: 2, suggestions });

/** YYYYMMDDHHMMSS (UTC) of `date`. */
export function migrationTimestamp(date: Date): string {
  return date.toISOString().replace(/[-:T]/g, '').slice(0, 14);
}

/** Now, or one second after the product's latest migration when that is later: the new migration runs last. */
function nextMigrationTimestamp(tree: Tree, now: Date): string {
  const latest = tree
    .listFiles('prisma/migrations')
    .map((file) => /^(\d{14})_/.exec(path.posix.basename(file))?.[1])
    .filter((stamp): stamp is string => stamp !== undefined)
    .sort()
    .at(-1);
  const candidate = migrationTimestamp(now);
  if (!latest || candidate > latest) return candidate;
  const [, y, mo, d, h, mi, s] = /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})$/.exec(latest)!.map(Number) as number[];
  return migrationTimestamp(new Date(Date.UTC(y!, mo! - 1, d!, h!, mi!, s! + 1)));
}

/** Refuses names the product already uses: module, folders, permission namespace, Prisma model, table, route. */
function assertFree(tree: Tree, names: ModuleNames, namespaces: Map<string, string>): void {
  const { name } = names.module;
  const withResource = `Pick another name, or keep the module name and name its resource: platform generate module ${name} --resource <singular>`;
  for (const folder of [customModuleDir(name), customTestDir(name), customSchemaPath(name)]) {
    if (tree.exists(folder)) throw clash(`${folder} already exists in the product`, [`Choose another module name, or move ${folder} away first.`]);
  }
  const { namespace, table, model, route } = names.resource;
  const owner = namespaces.get(namespace) ?? (RESERVED_NAMESPACES.has(namespace) ? 'the permission engine' : undefined);
  if (owner) throw clash(`The permission namespace "${namespace}" is already declared by ${owner}`, [withResource]);
  for (const file of tree.listFiles('prisma/schema').filter((f) => f.endsWith('.prisma'))) {
    const text = tree.readText(file)!;
    if (new RegExp(`^model\\s+${model}\\s*\\{`, 'm').test(text)) throw clash(`${file} already has a Prisma model ${model}`, [withResource]);
    if (text.includes(`@@map("${table}")`)) throw clash(`${file} already maps a model to the table ${table}`, [withResource]);
  }
  for (const file of tree.listFiles('prisma/migrations').filter((f) => f.endsWith('.sql'))) {
    if (new RegExp(`create\\s+table\\s+(if\\s+not\\s+exists\\s+)?"?${table}"?\\s*\\(`, 'i').test(tree.readText(file)!)) {
      throw clash(`${file} already creates the table ${table}`, [withResource]);
    }
  }
  for (const file of tree.listFiles('src').filter((f) => f.endsWith('.ts') && !f.startsWith('src/generated/'))) {
    if (new RegExp(`@Controller\\(\\s*['"\`]/?${route}['"\`]`).test(tree.readText(file)!)) {
      throw clash(`${file} already serves the route /api/v1/${route}`, [withResource]);
    }
  }
}

/**
 * `platform generate module <name>`: scaffolds a custom module from templates/module into the product — manifest
 * (`src/modules/<name>/module.yaml`, kind custom), NestJS module/controller/service with zod DTOs, Prisma schema
 * file, SQL migration with RLS, permission namespace and e2e test — lists it in platform.yaml and syncs, so it is
 * wired like a platform module. Everything happens in one Tree; nothing is written here.
 */
export async function planGenerateModule(options: GenerateModuleOptions): Promise<GenerateModulePlan> {
  const paths = options.paths ?? platformPaths();
  const dir = path.resolve(options.dir);
  const names = moduleNames(options.name, options.resource);
  const tree = new Tree(dir);
  const specText = readProductSpec(tree, dir);
  parseSpec(specText, SPEC_FILE);
  const catalog = await loadProductCatalog(paths.modulesDir, tree);
  const existing = catalog.get(names.module.name);
  if (existing) {
    throw clash(
      existing.owned
        ? `"${names.module.name}" is already a custom module of this product (${customModuleDir(names.module.name)})`
        : `"${names.module.name}" is a module of the platform (${existing.manifest.kind})`,
      existing.owned || existing.manifest.kind === 'core'
        ? ['Choose another module name.']
        : [`Add the platform's module instead: platform add module ${names.module.name}`, 'Or choose another name for your own module.'],
    );
  }
  const namespaces = new Map<string, string>();
  for (const module of catalog.values()) {
    for (const namespace of Object.keys(module.manifest.permissions)) namespaces.set(namespace, `module "${module.manifest.name}"`);
  }
  assertFree(tree, names, namespaces);

  const timestamp = nextMigrationTimestamp(tree, options.now ?? new Date());
  const files = await renderModuleTemplate(path.join(paths.templatesDir, 'module'), names, timestamp);
  for (const file of files) tree.write(file.path, file.content);
  tree.write(SPEC_FILE, editSpecModules(specText, names.module.name, 'add').text);

  const module = (await loadProductCatalog(paths.modulesDir, tree)).get(names.module.name)!;
  const { plan, wiredInOwnerAppModule } = await syncModuleEdit({ dir, tree, module, action: 'add', paths });
  return { dir, names, files: files.map((f) => f.path).sort(), plan, wiredInOwnerAppModule };
}
