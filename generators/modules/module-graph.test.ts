import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { PlatformError } from '../errors.js';
import { fixturePlatform, tempDir, writeFiles } from '../fixtures/fixture-platform.js';
import { platformPaths } from '../paths.js';
import { loadModuleCatalog, type ModuleCatalog, type PlatformModule } from './manifest.js';
import { ModuleGraph } from './module-graph.js';
import { closestMatches, editDistance } from './suggest.js';

function mod(name: string, dependencies: string[] = [], extra: Partial<PlatformModule['manifest']> = {}): PlatformModule {
  return {
    dir: `/modules/${name}`,
    manifest: {
      name,
      version: '1.0.0',
      kind: 'optional',
      description: '',
      dependencies,
      submodules: [],
      target: `src/modules/${name}`,
      npm: [],
      permissions: {},
      events: { publishes: [], subscribes: [] },
      ...extra,
    },
  };
}

function catalog(...modules: PlatformModule[]): ModuleCatalog {
  return new Map(modules.map((m) => [m.manifest.name, m]));
}

const req = (name: string, submodules: string[] = []) => ({ name, submodules });

function thrown(fn: () => unknown): PlatformError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(PlatformError);
    return error as PlatformError;
  }
  throw new Error('expected an error');
}

describe('ModuleGraph.resolve', () => {
  const base = catalog(
    mod('core', [], { kind: 'core', target: 'src/core' }),
    mod('audit-log', ['core'], { kind: 'core' }),
    mod('contacts', ['core']),
    mod('deals', ['contacts', 'core']),
    mod('tasks', ['core']),
    mod('documents', ['core'], { submodules: ['redline'] }),
    mod('redline', ['documents']),
  );

  it('always includes core modules, even with no request', () => {
    expect(ModuleGraph.resolve(base, []).names).toEqual(['core', 'audit-log']);
  });

  it('orders modules topologically (dependencies first), stable by kind then name', () => {
    const graph = ModuleGraph.resolve(base, [req('tasks'), req('deals'), req('contacts')]);
    expect(graph.names).toEqual(['core', 'audit-log', 'contacts', 'deals', 'tasks']);
    expect(graph.notices).toEqual([]);
  });

  it('adds a missing dependency with a notice', () => {
    const graph = ModuleGraph.resolve(base, [req('deals')]);
    expect(graph.names).toEqual(['core', 'audit-log', 'contacts', 'deals']);
    expect(graph.notices).toEqual(['Added module "contacts" (required by "deals")']);
  });

  it('fails on a missing dependency under --strict', () => {
    const error = thrown(() => ModuleGraph.resolve(base, [req('deals')], { strict: true }));
    expect(error.code).toBe('SPEC_MISSING_DEPENDENCY');
    expect(error.exitCode).toBe(2);
    expect(error.message).toContain('"deals" requires "contacts"');
  });

  it('includes chosen submodules after their parent', () => {
    expect(ModuleGraph.resolve(base, [req('documents', ['redline'])]).names).toEqual(['core', 'audit-log', 'documents', 'redline']);
  });

  it('adds the parent of a requested submodule', () => {
    const graph = ModuleGraph.resolve(base, [req('redline')]);
    expect(graph.names).toEqual(['core', 'audit-log', 'documents', 'redline']);
    expect(graph.notices).toEqual(['Added module "documents" (required by "redline")']);
  });

  it('rejects an unknown module with "did you mean"', () => {
    const location = { file: 'platform.yaml', line: 3, column: 5, path: 'modules[0]' };
    const error = thrown(() => ModuleGraph.resolve(base, [req('taks')], { locateRequest: () => location }));
    expect(error.code).toBe('SPEC_UNKNOWN_MODULE');
    expect(error.exitCode).toBe(2);
    expect(error.message).toBe('platform.yaml:3:5 modules[0]: unknown module "taks"; did you mean "tasks"?');
    expect(error.location).toEqual(location);
    expect(error.suggestions[0]).toBe('Did you mean "tasks"?');
  });

  it('rejects a submodule the module does not have', () => {
    const error = thrown(() => ModuleGraph.resolve(base, [req('documents', ['redlin'])]));
    expect(error.code).toBe('SPEC_UNKNOWN_SUBMODULE');
    expect(error.suggestions).toEqual(['Did you mean "redline"?']);
  });

  it('reports a cycle by naming it', () => {
    const cyclic = catalog(mod('core', [], { kind: 'core' }), mod('a', ['b']), mod('b', ['c']), mod('c', ['a']));
    const location = { file: 'platform.yaml', line: 2, column: 12, path: 'modules[0]' };
    const error = thrown(() => ModuleGraph.resolve(cyclic, [req('a')], { locateRequest: () => location }));
    expect(error.code).toBe('MODULE_CYCLE');
    expect(error.exitCode).toBe(2);
    expect(error.message).toBe('platform.yaml:2:12 modules[0]: these modules cannot be ordered, their dependencies form a cycle: a → b → c → a');
    expect(error.location).toEqual(location);
  });

  it('reports a dependency on a module that does not exist', () => {
    const broken = catalog(mod('core', [], { kind: 'core' }), mod('deals', ['contact']), mod('contacts'));
    const error = thrown(() => ModuleGraph.resolve(broken, [req('deals')]));
    expect(error.code).toBe('MODULE_DEPENDENCY_UNKNOWN');
    expect(error.suggestions[0]).toContain('"contacts"');
  });
});

describe('loadModuleCatalog', () => {
  it('loads and validates every module.yaml, with defaults', async () => {
    const paths = fixturePlatform();
    const loaded = await loadModuleCatalog(paths.modulesDir);
    expect([...loaded.keys()]).toEqual(['core', 'gadgets', 'widgets']);
    const widgets = loaded.get('widgets')!.manifest;
    expect(widgets).toMatchObject({ version: '2.1.0', target: 'src/modules/widgets', nest: { module: 'WidgetsModule', file: 'widgets.module.ts' } });
    expect(widgets.events).toEqual({ publishes: ['widget.created'], subscribes: [] });
    expect(loaded.get('gadgets')!.manifest.permissions).toEqual({});
  });

  it('points at the key and line:column of a bad manifest', async () => {
    const dir = tempDir();
    writeFiles(dir, { 'broken/module.yaml': 'name: broken\nversion: one\nkind: optional\nfoo: 1\n' });
    const error = await loadModuleCatalog(dir).catch((e: unknown) => e as PlatformError);
    expect(error).toBeInstanceOf(PlatformError);
    expect((error as PlatformError).code).toBe('MODULE_MANIFEST_INVALID');
    expect((error as PlatformError).message).toContain(`${path.join(dir, 'broken/module.yaml')}:2:10 version: must be a semver version`);
    expect((error as PlatformError).message).toContain(':4:1 foo: unknown key "foo"');
  });

  it('requires the folder name to match the manifest name', async () => {
    const dir = tempDir();
    writeFiles(dir, { 'tasks/module.yaml': 'name: task\nversion: 1.0.0\nkind: optional\n' });
    await expect(loadModuleCatalog(dir)).rejects.toThrow(/does not match its folder "tasks"/);
  });

  it('requires a submodule to depend on its parent', async () => {
    const paths = fixturePlatform();
    writeFileSync(path.join(paths.modulesDir, 'gadgets/module.yaml'), 'name: gadgets\nversion: 0.1.0\nkind: optional\ndependencies: [core]\n');
    await expect(loadModuleCatalog(paths.modulesDir)).rejects.toThrow(/must list "widgets" in its dependencies/);
  });

  it('loads the modules of this repository', async () => {
    const loaded = await loadModuleCatalog(platformPaths().modulesDir);
    for (const module of loaded.values()) expect(module.manifest.name).toMatch(/^[a-z][a-z0-9-]*$/);
    if (loaded.size > 0) expect(ModuleGraph.resolve(loaded, []).names[0]).toBe('core');
  });
});

describe('closestMatches', () => {
  it('suggests near names only', () => {
    expect(editDistance('taks', 'tasks')).toBe(1);
    expect(closestMatches('taks', ['tasks', 'documents', 'core'])).toEqual(['tasks']);
    expect(closestMatches('billing', ['tasks', 'documents'])).toEqual([]);
  });
});
