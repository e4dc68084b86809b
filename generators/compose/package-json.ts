import { PlatformError } from '../errors.js';
import type { ModuleGraph } from '../modules/module-graph.js';
import type { ProductSpec } from '../spec/product-spec.js';

export type VersionMap = Readonly<Record<string, string>>;

const SECTIONS = ['dependencies', 'devDependencies', 'optionalDependencies'] as const;

/**
 * The product's package.json: the template's, renamed, with every dependency pinned to the one
 * version map (templates/versions.json) and the npm packages of the chosen modules added.
 */
export function renderPackageJson(templateText: string | null, spec: ProductSpec, graph: ModuleGraph, versions: VersionMap): string {
  const template = (templateText ? JSON.parse(templateText) : { version: '0.1.0', private: true, type: 'module' }) as Record<string, unknown>;
  const { name: _templateName, ...rest } = template;
  const pkg: Record<string, unknown> = { name: spec.name, ...rest };

  for (const section of SECTIONS) {
    const deps = pkg[section] as Record<string, string> | undefined;
    if (!deps) continue;
    for (const dependency of Object.keys(deps)) deps[dependency] = versions[dependency] ?? deps[dependency]!;
  }

  const declared = (dependency: string) => SECTIONS.some((section) => (pkg[section] as Record<string, string> | undefined)?.[dependency]);
  for (const { manifest } of graph.modules) {
    for (const dependency of manifest.npm) {
      if (declared(dependency)) continue;
      const version = versions[dependency];
      if (!version) {
        throw new PlatformError({
          code: 'MODULE_NPM_UNPINNED',
          message: `Module "${manifest.name}" needs npm package "${dependency}", which has no version in templates/versions.json`,
          suggestions: [`Add "${dependency}": "<exact version>" to templates/versions.json.`],
        });
      }
      pkg.dependencies = { ...((pkg.dependencies as Record<string, string> | undefined) ?? {}), [dependency]: version };
    }
  }
  for (const section of SECTIONS) {
    const deps = pkg[section] as Record<string, string> | undefined;
    if (deps) pkg[section] = Object.fromEntries(Object.entries(deps).sort(([a], [b]) => a.localeCompare(b)));
  }
  return `${JSON.stringify(pkg, null, 2)}\n`;
}
