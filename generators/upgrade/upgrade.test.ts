import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { execa } from 'execa';
import { describe, expect, it } from 'vitest';
import { makeNextVersion } from '../../cli/test/commands/upgrade.fixture.js';
import { tempDir } from '../fixtures/fixture-platform.js';
import { platformPaths, platformRoot } from '../paths.js';
import { planNewProduct } from '../product.js';
import { initGitRepository } from '../repo/post-generate.js';
import { commitNewTree } from '../tree/commit.js';
import { pristineFilesOf, PRISTINE_REF, writePristine } from './pristine.js';
import { applyUpgrade, planUpgrade } from './upgrade.js';

describe('applyUpgrade', () => {
  it('a failure midway restores every file already written and leaves the pristine ref alone', async () => {
    const dir = path.join(tempDir('platform-upgrade-fail-'), 'acme-crm');
    const plan = await planNewProduct({ specFile: path.join(platformRoot(), 'examples/acme-crm.yaml') });
    await commitNewTree(plan.tree, dir);
    await initGitRepository(dir, 'generate');
    await writePristine(dir, pristineFilesOf((f) => plan.tree.read(f), plan.tree.listFiles()), 'pristine');
    const pristine = (await execa('git', ['rev-parse', PRISTINE_REF], { cwd: dir })).stdout;

    const upgrade = await planUpgrade({ dir, paths: platformPaths(makeNextVersion()) });
    const written = upgrade.tree.changes().map((c) => c.path);
    expect(written).toEqual(expect.arrayContaining(['.env.example', 'README.md', 'src/main.ts', 'src/modules/tasks/tasks/tasks.service.ts']));
    const before = new Map(['.env.example', 'README.md', 'src/main.ts'].map((f) => [f, readFileSync(path.join(dir, f), 'utf8')]));

    // Sabotage a late write (changes are applied in path order): the tasks folder becomes a file.
    rmSync(path.join(dir, 'src/modules/tasks/tasks'), { recursive: true });
    writeFileSync(path.join(dir, 'src/modules/tasks/tasks'), 'not a folder');
    await expect(applyUpgrade(upgrade)).rejects.toThrow();

    for (const [file, text] of before) expect(readFileSync(path.join(dir, file), 'utf8'), file).toBe(text);
    expect((await execa('git', ['rev-parse', PRISTINE_REF], { cwd: dir })).stdout).toBe(pristine);
    // Only the sabotage remains.
    const status = (await execa('git', ['status', '--porcelain', '--untracked-files=all'], { cwd: dir })).stdout.split('\n');
    expect(status.every((line) => line.includes('src/modules/tasks/tasks')), status.join('\n')).toBe(true);
  }, 120_000);
});
