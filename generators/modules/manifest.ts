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
  kind: z.enum(['core', 'optional']),
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

/** A module of the platform as found on disk: its manifest and the folder that holds its files. */
export interface PlatformModule {
  manifest: ModuleManifest;
  dir: string;
}

export type ModuleCatalog = ReadonlyMap<string, PlatformModule>;

export function defaultTarget(name: string, kind: 'core' | 'optional'): string {
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
