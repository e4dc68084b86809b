import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir, writeFiles } from '../fixtures/fixture-platform.js';
import { commitChanges, commitNewTree } from './commit.js';
import { normalizePath, Tree } from './tree.js';

const summary = (tree: Tree) => tree.changes().map((c) => `${c.type} ${c.path}`);

describe('Tree (in memory)', () => {
  it('reads what was written and records creations', () => {
    const tree = new Tree();
    tree.write('src/a.ts', 'a');
    tree.write('./src/b.ts', Buffer.from('b'));
    expect(tree.readText('src/a.ts')).toBe('a');
    expect(tree.read('src/b.ts')?.toString()).toBe('b');
    expect(tree.exists('src')).toBe(true);
    expect(tree.exists('src/c.ts')).toBe(false);
    expect(tree.children('')).toEqual(['src']);
    expect(tree.children('src')).toEqual(['a.ts', 'b.ts']);
    expect(summary(tree)).toEqual(['CREATE src/a.ts', 'CREATE src/b.ts']);
  });

  it('deletes files and folders; deleting a new file leaves no record', () => {
    const tree = new Tree();
    tree.write('a/x', '1');
    tree.write('a/y', '2');
    tree.write('b', '3');
    tree.delete('a');
    expect(tree.exists('a/x')).toBe(false);
    expect(summary(tree)).toEqual(['CREATE b']);
  });

  it('renames files and folders', () => {
    const tree = new Tree();
    tree.write('gitignore', 'dist/');
    tree.write('old/one.ts', '1');
    tree.rename('gitignore', '.gitignore');
    tree.rename('old', 'new');
    expect(tree.listFiles()).toEqual(['.gitignore', 'new/one.ts']);
  });

  it('rejects paths that escape the root', () => {
    expect(() => normalizePath('../x')).toThrow(/Invalid tree path/);
    expect(() => normalizePath('/etc/passwd')).toThrow(/Invalid tree path/);
    expect(normalizePath('a//b/./c/')).toBe('a/b/c');
  });
});

describe('Tree over a folder', () => {
  it('records UPDATE and DELETE, and nothing for an identical write', () => {
    const root = tempDir();
    writeFiles(root, { 'keep.txt': 'same', 'change.txt': 'old', 'gone.txt': 'x', 'sub/deep.txt': 'd' });
    const tree = new Tree(root);
    tree.write('keep.txt', 'same');
    tree.write('change.txt', 'new');
    tree.delete('gone.txt');
    tree.write('added.txt', '+');
    expect(summary(tree)).toEqual(['CREATE added.txt', 'UPDATE change.txt', 'DELETE gone.txt']);
    expect(tree.readText('sub/deep.txt')).toBe('d');
    expect(tree.listFiles()).toEqual(['added.txt', 'change.txt', 'keep.txt', 'sub/deep.txt']);

    // Writing the original content back cancels the change.
    tree.write('change.txt', 'old');
    expect(summary(tree)).toEqual(['CREATE added.txt', 'DELETE gone.txt']);
  });

  it('commitChanges applies the changes in place', async () => {
    const root = tempDir();
    writeFiles(root, { 'a.txt': 'a', 'b.txt': 'b', 'old/deep/x.txt': 'x' });
    const tree = new Tree(root);
    tree.write('a.txt', 'A');
    tree.delete('b.txt');
    tree.delete('old');
    tree.write('c/d.txt', 'D');
    await commitChanges(tree);
    expect(readFileSync(path.join(root, 'a.txt'), 'utf8')).toBe('A');
    expect(existsSync(path.join(root, 'b.txt'))).toBe(false);
    expect(readFileSync(path.join(root, 'c/d.txt'), 'utf8')).toBe('D');
    expect(readdirSync(root).sort()).toEqual(['a.txt', 'c']);
    expect(new Tree(root).changes()).toEqual([]);
  });
});

describe('commitNewTree', () => {
  it('writes a new folder through a staging folder', async () => {
    const parent = tempDir();
    const tree = new Tree();
    tree.write('README.md', '# hi');
    tree.write('scripts/run.sh', 'echo');
    await commitNewTree(tree, path.join(parent, 'product'));
    expect(readFileSync(path.join(parent, 'product/README.md'), 'utf8')).toBe('# hi');
    expect(statSync(path.join(parent, 'product/scripts/run.sh')).mode & 0o111).not.toBe(0);
    expect(readdirSync(parent)).toEqual(['product']);
  });

  it('accepts an existing empty folder and refuses a non-empty one', async () => {
    const parent = tempDir();
    writeFiles(parent, { 'full/x': 'x' });
    const tree = new Tree();
    tree.write('a', 'a');
    await expect(commitNewTree(tree, path.join(parent, 'full'))).rejects.toMatchObject({ code: 'TARGET_EXISTS', exitCode: 2 });
    const empty = tempDir();
    await commitNewTree(tree, empty);
    expect(readdirSync(empty)).toEqual(['a']);
  });

  it('leaves nothing behind when a write fails', async () => {
    const parent = tempDir();
    const tree = new Tree();
    tree.write('a.txt', 'ok');
    tree.write('clash', 'a file');
    tree.write('clash/inside.txt', 'cannot exist under a file');
    await expect(commitNewTree(tree, path.join(parent, 'product'))).rejects.toThrow();
    expect(readdirSync(parent)).toEqual([]);
  });
});
