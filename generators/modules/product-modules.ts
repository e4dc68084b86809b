import path from 'node:path';
import { PlatformError } from '../errors.js';
import type { Tree } from '../tree/tree.js';
import { loadModuleCatalog, parseManifest, type OwnedModuleFiles, type PlatformModule } from './manifest.js';

/**
 * A product's own modules (`platform generate module`) live where a business module's code lands anyway:
 * `src/modules/<name>/` holds the manifest (`module.yaml`, kind `custom`) beside the code, and the rest sits
 * where the module contract puts it — `prisma/schema/<name>.prisma`, `prisma/migrations/<timestamp>_<name>_<slug>.sql`,
 * `test/<name>/`. The engine reads these manifests on every sync, upgrade and add/remove, so the module is wired,
 * declares its permissions and is ordered like a platform module, while its files stay the owner's: never written,
 * overwritten or removed by the generator, and not tracked in the lock's `files`.
 */
export const CUSTOM_MODULES_DIR = 'src/modules';
export const MODULE_MANIFEST = 'module.yaml';

export const customModuleDir = (name: string) => `${CUSTOM_MODULES_DIR}/${name}`;
export const customManifestPath = (name: string) => `${customModuleDir(name)}/${MODULE_MANIFEST}`;
export const customSchemaPath = (name: string) => `prisma/schema/${name}.prisma`;
export const customTestDir = (name: string) => `test/${name}`;

const MIGRATION_FILE = /^\d{14}_(.+)\.sql$/;

/** `<timestamp>_<module>_<slug>.sql`: module names have no underscore, so the prefix names exactly one module. */
export function isMigrationOf(file: string, name: string): boolean {
  const match = MIGRATION_FILE.exec(path.posix.basename(file));
  return match !== null && match[1]!.startsWith(`${name}_`);
}

/** The files that make up custom module `name` in the product as `tree` shows it. */
export function customModuleFiles(tree: Tree, name: string): OwnedModuleFiles {
  const migrations = tree.listFiles('prisma/migrations').filter((file) => path.posix.dirname(file) === 'prisma/migrations' && isMigrationOf(file, name));
  const schema = customSchemaPath(name);
  const files = [...tree.listFiles(customModuleDir(name)), ...(tree.isFile(schema) ? [schema] : []), ...migrations, ...tree.listFiles(customTestDir(name))];
  return { files: [...new Set(files)].sort(), migrations };
}

/** Every `src/modules/<name>/module.yaml` of the product (kind custom), validated. */
export function loadProductModules(tree: Tree): PlatformModule[] {
  const modules: PlatformModule[] = [];
  for (const folder of tree.children(CUSTOM_MODULES_DIR)) {
    const file = `${CUSTOM_MODULES_DIR}/${folder}/${MODULE_MANIFEST}`;
    const text = tree.readText(file);
    if (text === null) continue;
    const manifest = parseManifest(text, file);
    const invalid = (message: string, suggestion: string) =>
      new PlatformError({ code: 'CUSTOM_MODULE_INVALID', message: `${file}: ${message}`, exitCode: 2, suggestions: [suggestion] });
    if (manifest.kind !== 'custom') {
      throw invalid(`kind is "${manifest.kind}"; a module in the product's ${CUSTOM_MODULES_DIR}/ is the product's own`, 'Set `kind: custom`.');
    }
    if (manifest.target !== customModuleDir(manifest.name)) {
      throw invalid(`target must be ${customModuleDir(manifest.name)} (the folder that holds the manifest)`, `Set \`target: ${customModuleDir(manifest.name)}\` or remove the key.`);
    }
    if (manifest.submodules.length > 0) {
      throw invalid('custom modules have no submodules', 'Make the submodule a custom module of its own that lists this one in `dependencies`.');
    }
    modules.push({ manifest, dir: tree.root ? path.join(tree.root, customModuleDir(manifest.name)) : customModuleDir(manifest.name), owned: customModuleFiles(tree, manifest.name) });
  }
  return modules;
}

/**
 * The modules a product can use: the platform's (`modulesDir`) and, when the product is given, its own custom
 * modules. A custom module may not take the name of a platform module.
 */
export async function loadProductCatalog(modulesDir: string, product?: Tree): Promise<Map<string, PlatformModule>> {
  const catalog = await loadModuleCatalog(modulesDir);
  if (!product) return catalog;
  for (const module of loadProductModules(product)) {
    const { name } = module.manifest;
    if (catalog.has(name)) {
      throw new PlatformError({
        code: 'CUSTOM_MODULE_CLASH',
        message: `${customManifestPath(name)}: the platform has a module named "${name}" too, so the two cannot be told apart`,
        exitCode: 2,
        suggestions: [`Rename your module: its folder, \`name:\` in ${customManifestPath(name)}, its entry in platform.yaml and its migration/schema/test file names.`],
      });
    }
    catalog.set(name, module);
  }
  return catalog;
}
