import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { fixturePlatform, tempDir, writeFiles } from '../fixtures/fixture-platform.js';
import { planNewProduct, planSync } from '../product.js';
import { commitChanges, commitNewTree } from '../tree/commit.js';
import { Tree } from '../tree/tree.js';
import { isMigrationOf, loadProductCatalog, loadProductModules } from './product-modules.js';

const MANIFEST = `name: reports
version: 0.3.0
kind: custom
description: Our reports
dependencies: [core]
target: src/modules/reports
nest: { module: ReportsModule, file: reports.module.ts }
permissions:
  report:
    relations: { org: org, owner: user }
    permissions: { view: 'owner + org->admin' }
`;

const CUSTOM = {
  'src/modules/reports/module.yaml': MANIFEST,
  'src/modules/reports/reports.module.ts': 'export class ReportsModule {}\n',
  'prisma/schema/reports.prisma': 'model Report { id String @id }\n',
  'prisma/migrations/20260201000000_reports_reports.sql': '-- Up Migration\ncreate table reports (id uuid);\n',
  'test/reports/reports.e2e.test.ts': 'export {};\n',
};

/** A product of the fixture platform (core + widgets) with a custom module `reports` listed in platform.yaml. */
async function productWithCustomModule(files: Record<string, string> = CUSTOM) {
  const paths = fixturePlatform();
  const dir = path.join(tempDir(), 'gizmo');
  await commitNewTree((await planNewProduct({ name: 'gizmo', modules: ['widgets'], paths })).tree, dir);
  writeFiles(dir, files);
  const spec = path.join(dir, 'platform.yaml');
  writeFileSync(spec, readFileSync(spec, 'utf8').replace('  - widgets\n', '  - widgets\n  - reports\n'));
  return { paths, dir };
}

describe("a product's custom modules", () => {
  it('are found by their manifest in src/modules/<name>/, with every file they own', async () => {
    const { dir } = await productWithCustomModule();
    const [module] = loadProductModules(new Tree(dir));
    expect(module!.manifest).toMatchObject({ name: 'reports', kind: 'custom', version: '0.3.0', target: 'src/modules/reports' });
    expect(module!.owned).toEqual({
      files: [
        'prisma/migrations/20260201000000_reports_reports.sql',
        'prisma/schema/reports.prisma',
        'src/modules/reports/module.yaml',
        'src/modules/reports/reports.module.ts',
        'test/reports/reports.e2e.test.ts',
      ],
      migrations: ['prisma/migrations/20260201000000_reports_reports.sql'],
    });
    expect(isMigrationOf('prisma/migrations/20260201000000_reports_x.sql', 'reports')).toBe(true);
    expect(isMigrationOf('prisma/migrations/20260201000000_reports-archive_x.sql', 'reports')).toBe(false);
  });

  it('are wired, declared and versioned by sync, which never writes or tracks their files', async () => {
    const { paths, dir } = await productWithCustomModule();
    const plan = await planSync({ dir, paths });
    expect(plan.graph.get('reports')?.owned).toBeDefined();
    expect(plan.changes.map((c) => `${c.type} ${c.path}`)).toEqual([
      'UPDATE .platform/lock.json',
      'UPDATE README.md',
      'UPDATE src/app.module.ts',
      'UPDATE src/platform.modules.ts',
    ]);
    expect(plan.tree.readText('src/app.module.ts')).toContain("import { ReportsModule } from './modules/reports/reports.module.js';");
    expect(plan.tree.readText('src/platform.modules.ts')).toContain("kind: 'custom'");
    expect(plan.lock.modules).toMatchObject({ reports: '0.3.0' });
    expect(Object.keys(plan.lock.files).filter((f) => f.includes('reports'))).toEqual([]);
    await commitChanges(plan.tree, plan.changes);
    expect((await planSync({ dir, paths })).changes).toEqual([]);
  });

  it('refuse a platform module writing over one of their files', async () => {
    const { paths, dir } = await productWithCustomModule();
    writeFiles(paths.modulesDir, { 'widgets/prisma/reports.prisma': 'model W { id String @id }\n' });
    await expect(planSync({ dir, paths })).rejects.toMatchObject({
      code: 'COMPOSE_CONFLICT',
      exitCode: 2,
      message: expect.stringContaining('prisma/schema/reports.prisma belongs to your custom module reports'),
    });
  });

  it('must come after the first migration of the modules they depend on', async () => {
    const { paths, dir } = await productWithCustomModule({ ...CUSTOM, 'prisma/migrations/20251231000000_reports_early.sql': '-- Up Migration\n' });
    await expect(planSync({ dir, paths })).rejects.toMatchObject({ code: 'MODULE_MIGRATION_ORDER', exitCode: 2 });
    // A later migration of a dependency (a platform release) may sort before theirs: nothing to refuse.
    const ok = await productWithCustomModule({ ...CUSTOM, 'src/modules/reports/module.yaml': MANIFEST.replace('dependencies: [core]', 'dependencies: [core, widgets]') });
    writeFiles(ok.paths.modulesDir, { 'widgets/migrations/20260301000000_more.sql': '-- Up Migration\n' });
    await expect(planSync(ok)).resolves.toBeDefined();
  });

  it('cannot take the name of a platform module, declare another kind, or sit elsewhere', async () => {
    const { paths, dir } = await productWithCustomModule();
    writeFiles(paths.modulesDir, { 'reports/module.yaml': MANIFEST.replace('kind: custom', 'kind: optional') });
    await expect(loadProductCatalog(paths.modulesDir, new Tree(dir))).rejects.toMatchObject({ code: 'CUSTOM_MODULE_CLASH', exitCode: 2 });

    const other = await productWithCustomModule({ ...CUSTOM, 'src/modules/reports/module.yaml': MANIFEST.replace('kind: custom', 'kind: optional') });
    await expect(planSync(other)).rejects.toMatchObject({ code: 'CUSTOM_MODULE_INVALID', message: expect.stringContaining('kind is "optional"') });
    const moved = await productWithCustomModule({ ...CUSTOM, 'src/modules/reports/module.yaml': MANIFEST.replace('target: src/modules/reports', 'target: src/reports') });
    await expect(planSync(moved)).rejects.toMatchObject({ code: 'CUSTOM_MODULE_INVALID', message: expect.stringContaining('target must be src/modules/reports') });
  });

  it('are not part of the platform catalog: a platform module may not be of kind custom', async () => {
    const paths = fixturePlatform({ 'modules/reports/module.yaml': MANIFEST });
    await expect(planNewProduct({ name: 'gizmo', paths })).rejects.toMatchObject({ code: 'MODULE_MANIFEST_INVALID', message: expect.stringContaining('kind "custom"') });
  });
});
