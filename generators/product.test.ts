import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { fixturePlatform, tempDir, writeFiles } from './fixtures/fixture-platform.js';
import { planNewProduct, planSync } from './product.js';
import { commitChanges, commitNewTree } from './tree/commit.js';

describe('planNewProduct', () => {
  it('builds the spec from the name and --modules, adding missing dependencies with a notice', async () => {
    const paths = fixturePlatform();
    const plan = await planNewProduct({ name: 'gizmo', modules: ['gadgets'], paths });
    expect(plan.graph.names).toEqual(['core', 'widgets', 'gadgets']);
    expect(plan.notices).toEqual(['Added module "widgets" (required by "gadgets")']);
    expect(plan.tree.readText('platform.yaml')).toContain('name: gizmo\n');
  });

  it('fails under strict instead of adding dependencies', async () => {
    await expect(planNewProduct({ name: 'gizmo', modules: ['gadgets'], strict: true, paths: fixturePlatform() })).rejects.toMatchObject({
      code: 'SPEC_MISSING_DEPENDENCY',
      exitCode: 2,
    });
  });

  it('lets the name argument and --modules extend a spec file', async () => {
    const paths = fixturePlatform();
    const dir = tempDir();
    writeFiles(dir, { 'spec.yaml': 'name: from-file\nfeatures: { beta: true }\n' });
    const plan = await planNewProduct({ name: 'renamed', modules: ['widgets'], specFile: path.join(dir, 'spec.yaml'), paths });
    expect(plan.spec).toMatchObject({ name: 'renamed', modules: ['widgets'], features: { beta: true } });
  });

  it('names --modules as the source of an unknown module', async () => {
    await expect(planNewProduct({ name: 'gizmo', modules: ['widgetz'], paths: fixturePlatform() })).rejects.toMatchObject({
      code: 'SPEC_UNKNOWN_MODULE',
      message: '--modules: unknown module "widgetz"; did you mean "widgets"?',
    });
  });
});

describe('planSync', () => {
  async function product() {
    const paths = fixturePlatform();
    const dir = path.join(tempDir(), 'gizmo');
    const plan = await planNewProduct({ name: 'gizmo', modules: ['widgets'], paths });
    await commitNewTree(plan.tree, dir);
    return { paths, dir };
  }

  it('changes nothing right after new', async () => {
    const { paths, dir } = await product();
    const plan = await planSync({ dir, paths });
    expect(plan.changes).toEqual([]);
    expect(plan.skipped).toEqual([]);
  });

  it('recreates generated files that are missing from the lock, keeps owner deletions', async () => {
    const { paths, dir } = await product();
    const lockFile = path.join(dir, '.platform/lock.json');
    const lock = JSON.parse(readFileSync(lockFile, 'utf8'));
    delete lock.files['src/main.ts'];
    writeFileSync(lockFile, JSON.stringify(lock));
    writeFileSync(path.join(dir, 'src/main.ts'), 'owner version');
    const plan = await planSync({ dir, paths });
    expect(plan.skipped).toEqual([{ path: 'src/main.ts', reason: 'edited' }]);
  });

  it('picks up a new template file and a changed module file', async () => {
    const { paths, dir } = await product();
    writeFiles(paths.appTemplateDir, { 'docs/guide.md': '# Guide\n' });
    writeFileSync(path.join(paths.modulesDir, 'widgets/src/widgets.module.ts'), 'export class WidgetsModule { v2 = true; }\n');
    const plan = await planSync({ dir, paths });
    expect(plan.changes.map((c) => `${c.type} ${c.path}`)).toEqual([
      'UPDATE .platform/lock.json',
      'CREATE docs/guide.md',
      'UPDATE src/modules/widgets/widgets.module.ts',
    ]);
    await commitChanges(plan.tree, plan.changes);
    expect((await planSync({ dir, paths })).changes).toEqual([]);
  });

  it('explains a missing platform.yaml', async () => {
    const dir = tempDir();
    mkdirSync(path.join(dir, 'src'));
    await expect(planSync({ dir, paths: fixturePlatform() })).rejects.toMatchObject({ code: 'SPEC_NOT_FOUND', exitCode: 2 });
  });
});
