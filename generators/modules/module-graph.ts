import { PlatformError, type SourceLocation } from '../errors.js';
import type { ModuleRequest } from '../spec/product-spec.js';
import type { ModuleCatalog, PlatformModule } from './manifest.js';
import { closestMatches } from './suggest.js';

export interface ResolveOptions {
  /** Missing dependencies are an error instead of being added with a notice. */
  strict?: boolean;
  /** Where request `index` sits in the spec, for error messages. */
  locateRequest?: (index: number, submoduleIndex?: number) => SourceLocation | undefined;
  /** How to name the requests when they have no location, e.g. `--modules`. */
  requestLabel?: string;
}

/**
 * The modules of one product: core modules, the requested ones, their chosen submodules and every
 * dependency, in topological order (a module always comes after the modules it depends on).
 */
export class ModuleGraph {
  private constructor(
    readonly modules: readonly PlatformModule[],
    /** Things the user should know, e.g. dependencies that were added. */
    readonly notices: readonly string[],
  ) {}

  get names(): string[] {
    return this.modules.map((m) => m.manifest.name);
  }

  get(name: string): PlatformModule | undefined {
    return this.modules.find((m) => m.manifest.name === name);
  }

  static resolve(catalog: ModuleCatalog, requests: readonly ModuleRequest[], options: ResolveOptions = {}): ModuleGraph {
    const notices: string[] = [];
    const selected = new Map<string, PlatformModule>();

    for (const module of catalog.values()) {
      if (module.manifest.kind === 'core') selected.set(module.manifest.name, module);
    }

    requests.forEach((request, index) => {
      const module = lookup(catalog, request.name, options.locateRequest?.(index), options.requestLabel ?? `modules[${index}]`);
      selected.set(module.manifest.name, module);
      request.submodules.forEach((sub, subIndex) => {
        if (!module.manifest.submodules.includes(sub)) {
          const known = module.manifest.submodules;
          throw new PlatformError({
            code: 'SPEC_UNKNOWN_SUBMODULE',
            message: `Module "${module.manifest.name}" has no submodule "${sub}"${known.length ? ` (it has: ${known.join(', ')})` : ' (it has none)'}`,
            exitCode: 2,
            location: options.locateRequest?.(index, subIndex),
            suggestions: closestMatches(sub, known).map((s) => `Did you mean "${s}"?`),
          });
        }
        selected.set(sub, catalog.get(sub)!);
      });
    });

    // Close over dependencies, breadth first so notices read in a natural order.
    const queue = [...selected.values()];
    while (queue.length > 0) {
      const module = queue.shift()!;
      for (const dependency of module.manifest.dependencies) {
        if (selected.has(dependency)) continue;
        const found = catalog.get(dependency);
        if (!found) {
          throw new PlatformError({
            code: 'MODULE_DEPENDENCY_UNKNOWN',
            message: `Module "${module.manifest.name}" depends on "${dependency}", which does not exist`,
            suggestions: closestMatches(dependency, catalog.keys()).map((s) => `Did you mean "${s}" (in modules/${module.manifest.name}/module.yaml)?`),
          });
        }
        if (options.strict) {
          throw new PlatformError({
            code: 'SPEC_MISSING_DEPENDENCY',
            message: `Module "${module.manifest.name}" requires "${dependency}", which the spec does not list (--strict)`,
            exitCode: 2,
            suggestions: [`Add "${dependency}" to modules in platform.yaml, or drop --strict to add it automatically.`],
          });
        }
        notices.push(`Added module "${dependency}" (required by "${module.manifest.name}")`);
        selected.set(dependency, found);
        queue.push(found);
      }
    }

    const cycle = findCycle(selected);
    if (cycle) {
      const index = requests.findIndex((r) => cycle.includes(r.name));
      const location = options.locateRequest?.(index === -1 ? 0 : index);
      throw new PlatformError({
        code: 'MODULE_CYCLE',
        message: `${location ? `${location.file}:${location.line}:${location.column} ${location.path ?? 'modules'}: ` : ''}these modules cannot be ordered, their dependencies form a cycle: ${cycle.join(' → ')}`,
        exitCode: 2,
        location,
        suggestions: [
          'Remove the module from platform.yaml, or break the cycle in the modules\' module.yaml dependencies (modules must form a DAG).',
        ],
      });
    }
    return new ModuleGraph(topologicalOrder(selected), notices);
  }
}

function lookup(catalog: ModuleCatalog, name: string, location: SourceLocation | undefined, keyPath: string): PlatformModule {
  const module = catalog.get(name);
  if (module) return module;
  const matches = closestMatches(name, catalog.keys());
  const available = [...catalog.values()].filter((m) => m.manifest.kind !== 'core').map((m) => m.manifest.name);
  throw new PlatformError({
    code: 'SPEC_UNKNOWN_MODULE',
    message: `${location ? `${location.file}:${location.line}:${location.column} ` : ''}${location?.path ?? keyPath}: unknown module "${name}"${
      matches.length ? `; did you mean "${matches[0]}"?` : ''
    }`,
    exitCode: 2,
    location,
    suggestions: [
      ...matches.map((m) => `Did you mean "${m}"?`),
      `Available modules: ${available.length ? available.join(', ') : '(none besides core)'}`,
    ],
  });
}

/** Kahn's algorithm; ties broken by kind (core first) then name so the order is stable. */
function topologicalOrder(selected: Map<string, PlatformModule>): PlatformModule[] {
  const remaining = new Map([...selected].map(([name, m]) => [name, new Set(m.manifest.dependencies.filter((d) => selected.has(d)))]));
  const rank = (m: PlatformModule) => `${m.manifest.kind === 'core' ? 0 : 1}:${m.manifest.name}`;
  const order: PlatformModule[] = [];
  while (remaining.size > 0) {
    const ready = [...remaining].filter(([, deps]) => deps.size === 0).map(([name]) => selected.get(name)!);
    ready.sort((a, b) => rank(a).localeCompare(rank(b)));
    const next = ready[0]!;
    order.push(next);
    remaining.delete(next.manifest.name);
    for (const deps of remaining.values()) deps.delete(next.manifest.name);
  }
  return order;
}

function findCycle(selected: Map<string, PlatformModule>): string[] | undefined {
  const state = new Map<string, 'visiting' | 'done'>();
  const stack: string[] = [];
  const visit = (name: string): string[] | undefined => {
    if (state.get(name) === 'done') return undefined;
    if (state.get(name) === 'visiting') return [...stack.slice(stack.indexOf(name)), name];
    state.set(name, 'visiting');
    stack.push(name);
    for (const dep of [...(selected.get(name)?.manifest.dependencies ?? [])].sort()) {
      if (!selected.has(dep)) continue;
      const found = visit(dep);
      if (found) return found;
    }
    stack.pop();
    state.set(name, 'done');
    return undefined;
  };
  for (const name of [...selected.keys()].sort()) {
    const found = visit(name);
    if (found) return found;
  }
  return undefined;
}
