import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { PlatformError } from '../errors.js';
import { fixturePlatform, writeFiles } from '../fixtures/fixture-platform.js';
import { loadModuleCatalog } from '../modules/manifest.js';
import { ModuleGraph } from '../modules/module-graph.js';
import type { PlatformPaths } from '../paths.js';
import { parseSpec } from '../spec/load-spec.js';
import { moduleRequests } from '../spec/product-spec.js';
import { Tree } from '../tree/tree.js';
import { wireNestModules } from './app-module.js';
import { composeProduct } from './compose-product.js';
import { parseLock, sha256 } from './lock.js';

async function compose(paths: PlatformPaths, specText: string) {
  const { spec } = parseSpec(specText);
  const graph = ModuleGraph.resolve(await loadModuleCatalog(paths.modulesDir), moduleRequests(spec));
  const tree = new Tree();
  const result = await composeProduct(tree, { spec, graph, paths, cliVersion: '9.9.9' });
  return { tree, result, graph };
}

const SPEC = 'name: gizmo-shop\ndisplayName: Gizmo Shop\nmodules:\n  - name: widgets\n    submodules: [gadgets]\nfeatures:\n  enableKanban: true\n  max-boards: 3\n';

describe('composeProduct', () => {
  it('lays out template, modules and derived files per the contract', async () => {
    const { tree, result } = await compose(fixturePlatform(), SPEC);
    expect(result.files).toEqual([
      '.gitignore',
      '.platform/lock.json',
      '.platform/platform.schema.json',
      'README.md',
      'package.json',
      'platform.yaml',
      'prisma/migrations/20260101000000_core_core.sql',
      'prisma/migrations/20260102000000_widgets_widgets.sql',
      'prisma/schema/base.prisma',
      'prisma/schema/core.prisma',
      'prisma/schema/widgets.prisma',
      'src/app.module.ts',
      'src/core/core.module.ts',
      'src/core/platform/platform-config.ts',
      'src/main.ts',
      'src/modules/gadgets/gadgets.module.ts',
      'src/modules/widgets/widgets.module.ts',
      'src/platform.config.ts',
      'src/platform.modules.ts',
      'test/core/support/api.ts',
      'test/widgets/widgets.e2e.test.ts',
    ]);
    expect(tree.listFiles()).toEqual(result.files);
    expect(tree.readText('README.md')).toBe('# Gizmo Shop\n\nModules: core, widgets, gadgets\n');
    expect(tree.readText('.gitignore')).toBe('node_modules/\ndist/\n');
    expect(tree.readText('platform.yaml')!.split('\n')[0]).toBe('# yaml-language-server: $schema=./.platform/platform.schema.json');
    expect(JSON.parse(tree.readText('.platform/platform.schema.json')!).properties.name.type).toBe('string');
  });

  it('pins package.json from the version map and adds the modules\' npm packages', async () => {
    const { tree } = await compose(fixturePlatform(), SPEC);
    const pkg = JSON.parse(tree.readText('package.json')!);
    expect(Object.keys(pkg)[0]).toBe('name');
    expect(pkg.name).toBe('gizmo-shop');
    expect(pkg.dependencies).toEqual({ '@nestjs/core': '12.5.1', 'lru-cache': '11.5.3' });
    expect(pkg.devDependencies).toEqual({ typescript: '5.9.3' });
  });

  it('fails when a module needs a package missing from the version map', async () => {
    const paths = fixturePlatform();
    writeFileSync(paths.versionsFile, JSON.stringify({}));
    await expect(compose(paths, SPEC)).rejects.toMatchObject({ code: 'MODULE_NPM_UNPINNED' });
  });

  it('wires the chosen Nest modules into app.module.ts', async () => {
    const { tree } = await compose(fixturePlatform(), SPEC);
    expect(tree.readText('src/app.module.ts')).toBe(
      "import { Module } from '@nestjs/common';\nimport { CoreModule } from './core/core.module.js';\n" +
        "import { WidgetsModule } from './modules/widgets/widgets.module.js';\nimport { GadgetsModule } from './modules/gadgets/gadgets.module.js';\n\n" +
        '@Module({ imports: [CoreModule, WidgetsModule, GadgetsModule] })\nexport class AppModule {}\n',
    );
  });

  it('generates platform.config.ts and platform.modules.ts from the spec and manifests', async () => {
    const { tree } = await compose(fixturePlatform(), SPEC);
    const config = tree.readText('src/platform.config.ts')!;
    expect(config).toContain("import type { PlatformConfig } from './core/platform/platform-config.js';");
    expect(config).toContain('export const platformConfig: PlatformConfig = {');
    expect(config).toContain("displayName: 'Gizmo Shop'");
    expect(config).toContain('accessTokenTtlSeconds: 900,');
    expect(config).toContain('refreshTokenTtlSeconds: 2592000,');
    expect(config).toContain('durationSeconds: 900');
    expect(config).toContain("audience: 'gizmo-shop-api'");
    expect(config).toContain("enableKanban: true,\n    'max-boards': 3");
    const modules = tree.readText('src/platform.modules.ts')!;
    expect(modules).toContain("import type { PlatformModuleManifest } from './core/platform/platform-module.js';");
    expect(modules).toContain('export const PLATFORM_MODULES: PlatformModuleManifest[] = [');
    expect(modules).toContain("view: 'owner + org->admin'");
    expect(modules.indexOf("name: 'core'")).toBeLessThan(modules.indexOf("name: 'widgets'"));
  });

  it('writes a deterministic lock with the hash of every generated file', async () => {
    const paths = fixturePlatform();
    const first = await compose(paths, SPEC);
    const second = await compose(paths, SPEC);
    const lockText = first.tree.readText('.platform/lock.json')!;
    expect(second.tree.readText('.platform/lock.json')).toBe(lockText);
    const lock = parseLock(lockText);
    expect(lock).toMatchObject({ cliVersion: '9.9.9', templateVersion: '9.9.9', modules: { core: '1.0.0', widgets: '2.1.0', gadgets: '0.1.0' } });
    expect(Object.keys(lock.files)).toEqual(first.result.files.filter((f) => f !== '.platform/lock.json' && f !== 'platform.yaml'));
    for (const [file, hash] of Object.entries(lock.files)) expect(sha256(first.tree.read(file)!)).toBe(hash);
    expect(lockText).not.toMatch(/\d{4}-\d{2}-\d{2}T/);
  });

  it('refuses two modules writing the same file', async () => {
    const paths = fixturePlatform({ 'modules/widgets/prisma/core.prisma': 'model Clash { id String @id }\n' });
    await expect(compose(paths, SPEC)).rejects.toMatchObject({ code: 'COMPOSE_CONFLICT' });
  });

  it('refuses a migration that would run before one of its dependencies', async () => {
    const paths = fixturePlatform({ 'modules/widgets/migrations/20250101000000_early.sql': '-- Up Migration\n' });
    const error = await compose(paths, SPEC).catch((e: unknown) => e as PlatformError);
    expect(error).toMatchObject({ code: 'MODULE_MIGRATION_ORDER' });
  });

  it("accepts a dependency's later release whose migration sorts after a dependent's", async () => {
    const paths = fixturePlatform({ 'modules/core/migrations/20270101000000_later.sql': '-- Up Migration\n' });
    const { tree } = await compose(paths, SPEC);
    expect(tree.listFiles('prisma/migrations')).toEqual([
      'prisma/migrations/20260101000000_core_core.sql',
      'prisma/migrations/20260102000000_widgets_widgets.sql',
      'prisma/migrations/20270101000000_core_later.sql',
    ]);
  });

  it('refuses badly named migrations', async () => {
    const paths = fixturePlatform({ 'modules/widgets/migrations/add-things.sql': '-- Up Migration\n' });
    await expect(compose(paths, SPEC)).rejects.toMatchObject({ code: 'MODULE_MIGRATION_NAME' });
  });

  it('renders .ejs files anywhere in the template and drops the suffix', async () => {
    const paths = fixturePlatform();
    writeFiles(paths.appTemplateDir, { '.env.example.ejs': 'JWT_ISSUER=<%= spec.auth.issuer %>\n' });
    const { tree } = await compose(paths, SPEC);
    expect(tree.readText('.env.example')).toBe('JWT_ISSUER=gizmo-shop\n');
    expect(tree.exists('.env.example.ejs')).toBe(false);
  });
});

describe('composeProduct: infra/', () => {
  it('copies infra-templates/cell to infra/ and org to infra/org/, and lists the modules\' infra needs in infra/modules.json', async () => {
    const gadgets = readFileSync(path.join(fixturePlatform().modulesDir, 'gadgets/module.yaml'), 'utf8');
    const paths = fixturePlatform({
      'infra-templates/cell/bin/cell.ts': 'export {};\n',
      'infra-templates/cell/gitignore': 'cdk.out/\n',
      'infra-templates/cell/cdk.out/manifest.json': '{}\n',
      'infra-templates/cell/node_modules/x/index.js': 'never copied\n',
      'infra-templates/org/bin/org.ts': 'export {};\n',
      'modules/gadgets/module.yaml': `${gadgets}infra:\n  buckets:\n    - { name: uploads, expireAfterDays: 30 }\n`,
    });
    const { tree, result } = await compose(paths, SPEC);
    expect(result.files.filter((f) => f.startsWith('infra/'))).toEqual(['infra/.gitignore', 'infra/bin/cell.ts', 'infra/modules.json', 'infra/org/bin/org.ts']);
    expect(JSON.parse(tree.readText('infra/modules.json')!)).toEqual({
      modules: [
        { name: 'core', version: '1.0.0', infra: { buckets: [] } },
        { name: 'widgets', version: '2.1.0', infra: { buckets: [] } },
        { name: 'gadgets', version: '0.1.0', infra: { buckets: [{ name: 'uploads', versioned: true, expireAfterDays: 30 }] } },
      ],
    });
    expect(result.lock.files['infra/modules.json']).toBe(sha256(tree.read('infra/modules.json')!));
  });

  it('writes no infra/ when the platform root has no infra-templates', async () => {
    const { result } = await compose(fixturePlatform(), SPEC);
    expect(result.files.some((f) => f.startsWith('infra/'))).toBe(false);
  });

  it('refuses a module bucket with a bad name', async () => {
    const gadgets = readFileSync(path.join(fixturePlatform().modulesDir, 'gadgets/module.yaml'), 'utf8');
    const paths = fixturePlatform({ 'modules/gadgets/module.yaml': `${gadgets}infra: { buckets: [{ name: Uploads_1 }] }\n` });
    await expect(loadModuleCatalog(paths.modulesDir)).rejects.toMatchObject({ code: 'MODULE_MANIFEST_INVALID' });
  });
});

describe('wireNestModules', () => {
  const template = "import { Module } from '@nestjs/common';\nimport { CoreModule } from './core/core.module.js';\n\n@Module({\n  imports: [CoreModule],\n})\nexport class AppModule {}\n";
  const tasks = { className: 'TasksModule', specifier: './modules/tasks/tasks.module.js' };

  it('is idempotent', () => {
    const once = wireNestModules(template, [tasks]);
    expect(once).toContain("import { TasksModule } from './modules/tasks/tasks.module.js';");
    expect(once).toMatch(/imports: \[CoreModule, TasksModule\]/);
    expect(wireNestModules(once, [tasks])).toBe(once);
  });

  it('creates the imports array when missing and leaves the file alone with no modules', () => {
    const bare = "import { Module } from '@nestjs/common';\n@Module({})\nexport class AppModule {}\n";
    expect(wireNestModules(bare, [])).toBe(bare);
    expect(wireNestModules(bare, [tasks])).toContain('imports: [TasksModule]');
  });

  it('fails clearly when there is no @Module class', () => {
    expect(() => wireNestModules('export class AppModule {}\n', [tasks])).toThrow(/no class decorated with @Module/);
  });
});

describe('templates/versions.json', () => {
  const root = path.join(import.meta.dirname, '../..');
  const versions = JSON.parse(readFileSync(path.join(root, 'templates/versions.json'), 'utf8')) as Record<string, string>;
  const rootPkg = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8'));
  const rootVersions: Record<string, string> = { ...rootPkg.dependencies, ...rootPkg.devDependencies };

  it('pins exactly the versions of the root package.json', () => {
    for (const [name, version] of Object.entries(versions)) expect({ name, version }).toEqual({ name, version: rootVersions[name] });
    for (const version of Object.values(versions)) expect(version).toMatch(/^\d+\.\d+\.\d+(-[\w.]+)?$/);
  });

  it('covers every dependency of the app template', () => {
    let template: Record<string, Record<string, string>>;
    try {
      template = JSON.parse(readFileSync(path.join(root, 'templates/app/package.json'), 'utf8'));
    } catch {
      return; // the template is not there yet
    }
    for (const section of ['dependencies', 'devDependencies'] as const) {
      for (const name of Object.keys(template[section] ?? {})) expect({ name, pinned: versions[name] }).toEqual({ name, pinned: rootVersions[name] });
    }
  });
});
