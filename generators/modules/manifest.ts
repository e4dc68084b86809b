import { readFile } from 'node:fs/promises';
import path from 'node:path';
import fg from 'fast-glob';
import { z } from 'zod';
import { PlatformError } from '../errors.js';
import { parseYamlWithSchema } from '../spec/yaml-schema.js';
import { MODULE_NAME_PATTERN } from '../spec/product-spec.js';

const SEMVER = /^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-[0-9A-Za-z.-]+)?(?:\+[0-9A-Za-z.-]+)?$/;

const moduleName = z.string().regex(MODULE_NAME_PATTERN, { error: 'must be a lowercase kebab-case module name' });

export const NamespaceSchema = z.strictObject({
  relations: z.record(z.string(), z.string()).default({}),
  permissions: z.record(z.string(), z.string()).default({}),
});

/** AWS resources a module needs in the product's cell (infra/); the cell adds them with the cell's guarantees. */
export const ModuleInfraSchema = z.strictObject({
  buckets: z
    .array(
      z.strictObject({
        name: z.string().regex(/^[a-z][a-z0-9-]{0,30}$/, { error: 'bucket names are short lowercase kebab-case, e.g. uploads' }),
        versioned: z.boolean().default(true),
        expireAfterDays: z.number().int().positive().optional(),
      }),
    )
    .default([]),
});

export const ModuleManifestSchema = z.strictObject({
  name: moduleName,
  version: z.string().regex(SEMVER, { error: 'must be a semver version such as 1.0.0' }),
  /** core: always present; optional: chosen in platform.yaml; custom: the product's own (`platform generate module`). */
  kind: z.enum(['core', 'optional', 'custom']),
  description: z.string().default(''),
  dependencies: z.array(moduleName).default([]),
  submodules: z.array(moduleName).default([]),
  target: z
    .string()
    .regex(/^src(\/[a-z0-9][a-z0-9-]*)+$/, { error: 'must be a path under src/, e.g. src/modules/tasks' })
    .optional(),
  nest: z.strictObject({ module: z.string().regex(/^[A-Z][A-Za-z0-9]*$/), file: z.string().regex(/^[\w./-]+\.ts$/) }).optional(),
  npm: z.array(z.string().min(1)).default([]),
  permissions: z.record(z.string(), NamespaceSchema).default({}),
  events: z
    .strictObject({ publishes: z.array(z.string()).default([]), subscribes: z.array(z.string()).default([]) })
    .prefault({}),
  onboarding: z.array(z.unknown()).optional(),
  infra: ModuleInfraSchema.optional(),
});

export type ModuleManifest = z.output<typeof ModuleManifestSchema> & { target: string };
export type ModuleKind = ModuleManifest['kind'];

/**
 * A module as found on disk: its manifest and the folder that holds its files. A platform module's files
 * are copied into the product; a custom module (`owned`) already lives in the product and belongs to its owner.
 */
export interface PlatformModule {
  manifest: ModuleManifest;
  dir: string;
  /** Custom modules only: the product files that make up the module (never written by the generator). */
  owned?: OwnedModuleFiles;
}

export interface OwnedModuleFiles {
  /** Every product-relative path of the module: manifest and sources, Prisma schema, migrations, tests. */
  files: string[];
  /** `prisma/migrations/<timestamp>_<module>_<slug>.sql` files of the module. */
  migrations: string[];
}

export type ModuleCatalog = ReadonlyMap<string, PlatformModule>;

export function defaultTarget(name: string, kind: ModuleKind): string {
  return kind === 'core' ? (name === 'core' ? 'src/core' : `src/core/${name}`) : `src/modules/${name}`;
}

export function parseManifest(text: string, file: string): ModuleManifest {
  const parsed = parseYamlWithSchema(text, file, ModuleManifestSchema, {
    code: 'MODULE_MANIFEST_INVALID',
    exitCode: 1,
    suggestions: [`Fix ${file}; the manifest shape is described in the README ("Declaring a module").`],
  });
  const expected = path.basename(path.dirname(file));
  if (parsed.name !== expected && expected !== '.' && expected !== '') {
    throw new PlatformError({
      code: 'MODULE_MANIFEST_INVALID',
      message: `${file}: name "${parsed.name}" does not match its folder "${expected}"`,
      suggestions: [`Rename the folder or set \`name: ${expected}\`.`],
    });
  }
  return { ...parsed, target: parsed.target ?? defaultTarget(parsed.name, parsed.kind) };
}

/** Loads and validates every `<modulesDir>/<name>/module.yaml`. */
export async function loadModuleCatalog(modulesDir: string): Promise<Map<string, PlatformModule>> {
  const files = (await fg('*/module.yaml', { cwd: modulesDir, onlyFiles: true })).sort();
  const catalog = new Map<string, PlatformModule>();
  for (const relative of files) {
    const file = path.join(modulesDir, relative);
    const manifest = parseManifest(await readFile(file, 'utf8'), file);
    if (manifest.kind === 'custom') {
      throw new PlatformError({
        code: 'MODULE_MANIFEST_INVALID',
        message: `${file}: kind "custom" is for a product's own modules (platform generate module); a platform module is core or optional`,
      });
    }
    catalog.set(manifest.name, { manifest, dir: path.dirname(file) });
  }
  for (const { manifest } of catalog.values()) {
    for (const sub of manifest.submodules) {
      const child = catalog.get(sub);
      if (!child) {
        throw new PlatformError({ code: 'MODULE_MANIFEST_INVALID', message: `Module "${manifest.name}" lists submodule "${sub}", which has no modules/${sub}/module.yaml` });
      }
      if (!child.manifest.dependencies.includes(manifest.name)) {
        throw new PlatformError({
          code: 'MODULE_MANIFEST_INVALID',
          message: `Submodule "${sub}" of "${manifest.name}" must list "${manifest.name}" in its dependencies`,
        });
      }
    }
  }
  return catalog;
}
