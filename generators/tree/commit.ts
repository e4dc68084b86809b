import { randomBytes } from 'node:crypto';
import { mkdir, readdir, rename, rm, rmdir, stat, unlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { PlatformError } from '../errors.js';
import type { FileChange, Tree } from './tree.js';

/** Files that must keep the executable bit in a generated product. */
const EXECUTABLE = /(^|\/)(bin\/[^/]+|[^/]+\.sh)$/;

async function writeChange(root: string, change: FileChange): Promise<void> {
  const target = path.join(root, change.path);
  await mkdir(path.dirname(target), { recursive: true });
  await writeFile(target, change.content!, { mode: EXECUTABLE.test(change.path) ? 0o755 : 0o644 });
}

async function isEmptyDirectory(dir: string): Promise<boolean | undefined> {
  try {
    if (!(await stat(dir)).isDirectory()) return false;
  } catch {
    return undefined;
  }
  return (await readdir(dir)).length === 0;
}

/**
 * Writes a new product: everything goes into a sibling staging folder which is renamed into place
 * only once complete, so a failure leaves nothing half-written.
 */
export async function commitNewTree(tree: Tree, targetDir: string): Promise<void> {
  const target = path.resolve(targetDir);
  const empty = await isEmptyDirectory(target);
  if (empty === false) {
    throw new PlatformError({
      code: 'TARGET_EXISTS',
      message: `${target} already exists and is not empty`,
      exitCode: 2,
      suggestions: ['Choose another name or --dir, or remove the folder first.'],
    });
  }
  const parent = path.dirname(target);
  await mkdir(parent, { recursive: true });
  const staging = path.join(parent, `.${path.basename(target)}.staging-${process.pid}-${randomBytes(4).toString('hex')}`);
  try {
    await mkdir(staging);
    for (const change of tree.changes()) {
      if (change.type !== 'DELETE') await writeChange(staging, change);
    }
    if (empty === true) {
      // Keep the existing (empty) folder itself: it may be the user's current directory.
      for (const entry of await readdir(staging)) await rename(path.join(staging, entry), path.join(target, entry));
      await rmdir(staging);
    } else {
      await rename(staging, target);
    }
  } catch (error) {
    await rm(staging, { recursive: true, force: true });
    throw error;
  }
}

/**
 * Applies the changes of a tree rooted at an existing folder. Each file is written to a temporary
 * name and renamed over the old one, so no file is ever left half-written.
 */
export async function commitChanges(tree: Tree, changes: readonly FileChange[] = tree.changes()): Promise<void> {
  if (!tree.root) throw new Error('commitChanges needs a tree rooted at a folder');
  const root = tree.root;
  for (const change of changes) {
    const target = path.join(root, change.path);
    if (change.type === 'DELETE') {
      await unlink(target).catch((error: NodeJS.ErrnoException) => {
        if (error.code !== 'ENOENT') throw error;
      });
      await removeEmptyParents(root, path.dirname(target));
      continue;
    }
    const temporary = `${target}.platform-${randomBytes(4).toString('hex')}`;
    await mkdir(path.dirname(target), { recursive: true });
    try {
      await writeFile(temporary, change.content!, { mode: EXECUTABLE.test(change.path) ? 0o755 : 0o644 });
      await rename(temporary, target);
    } catch (error) {
      await rm(temporary, { force: true });
      throw error;
    }
  }
}

/** After a delete, drop folders left empty (up to, not including, the root). */
async function removeEmptyParents(root: string, dir: string): Promise<void> {
  let current = dir;
  while (current.startsWith(`${root}${path.sep}`)) {
    try {
      if ((await readdir(current)).length > 0) return;
      await rmdir(current);
    } catch {
      return;
    }
    current = path.dirname(current);
  }
}
