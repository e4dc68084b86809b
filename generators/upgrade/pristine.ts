import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { LOCK_FILE } from '../compose/lock.js';
import { SPEC_FILE } from '../spec/render-spec.js';

/**
 * The pristine store: the exact output of the last generation, kept inside the product's own git
 * repository as a commit that no branch points at. `refs/platform/pristine` names it; each new
 * pristine commit has the previous one as parent, so `refs/platform/pristine^` is the one before.
 *
 * Everything is git plumbing (hash-object, update-index on a private index file, write-tree,
 * commit-tree, update-ref): the owner's branch, index and working tree are never touched.
 */
export const PRISTINE_REF = 'refs/platform/pristine';

/** Files the owner edits as input: never part of the pristine tree. */
export const NOT_PRISTINE = new Set([SPEC_FILE]);
export { LOCK_FILE };

const EXECUTABLE = /(^|\/)(bin\/[^/]+|[^/]+\.sh)$/;
const IDENTITY = { GIT_AUTHOR_NAME: 'platform', GIT_AUTHOR_EMAIL: 'platform@localhost', GIT_COMMITTER_NAME: 'platform', GIT_COMMITTER_EMAIL: 'platform@localhost' };

export type FileSet = Map<string, Buffer>;

const git = (dir: string, args: string[], options: { input?: string | Buffer; env?: Record<string, string> } = {}) =>
  execa('git', args, { cwd: dir, stdio: 'pipe', input: options.input, env: options.env, stripFinalNewline: true });

export async function isGitRepository(dir: string): Promise<boolean> {
  const result = await execa('git', ['rev-parse', '--show-toplevel'], { cwd: dir, reject: false, stdio: 'pipe' });
  return result.exitCode === 0 && path.resolve(result.stdout.trim()) === path.resolve(dir);
}

export async function pristineCommit(dir: string): Promise<string | undefined> {
  const result = await execa('git', ['rev-parse', '--verify', '--quiet', `${PRISTINE_REF}^{commit}`], { cwd: dir, reject: false, stdio: 'pipe' });
  return result.exitCode === 0 ? result.stdout.trim() : undefined;
}

/** Reads every file of the pristine commit (or of `ref`), in one `git cat-file --batch`. */
export async function readPristine(dir: string, ref = PRISTINE_REF): Promise<FileSet | undefined> {
  const commit = await execa('git', ['rev-parse', '--verify', '--quiet', `${ref}^{commit}`], { cwd: dir, reject: false, stdio: 'pipe' });
  if (commit.exitCode !== 0) return undefined;
  const listing = await git(dir, ['ls-tree', '-r', '-z', '--full-tree', commit.stdout.trim()]);
  const entries = listing.stdout
    .split('\0')
    .filter(Boolean)
    .map((line) => {
      const [meta, file] = line.split('\t') as [string, string];
      const [, type, sha] = meta.split(' ') as [string, string, string];
      return { type, sha, file };
    })
    .filter((entry) => entry.type === 'blob');
  const files: FileSet = new Map();
  if (entries.length === 0) return files;
  const batch = await execa('git', ['cat-file', '--batch'], {
    cwd: dir,
    input: entries.map((entry) => entry.sha).join('\n') + '\n',
    encoding: 'buffer',
    stdio: 'pipe',
  });
  const out = Buffer.from(batch.stdout);
  let offset = 0;
  for (const entry of entries) {
    const newline = out.indexOf(10, offset);
    const header = out.subarray(offset, newline).toString('utf8').split(' ');
    const size = Number(header[2]);
    const start = newline + 1;
    files.set(entry.file, Buffer.from(out.subarray(start, start + size)));
    offset = start + size + 1;
  }
  return files;
}

/**
 * Stores `files` as the new pristine commit and moves `refs/platform/pristine` to it. Returns the
 * commit, or the current one unchanged when its tree already holds exactly these files.
 */
export async function writePristine(dir: string, files: FileSet, message: string): Promise<{ commit: string; changed: boolean }> {
  const scratch = await mkdtemp(path.join(tmpdir(), 'platform-pristine-'));
  try {
    const sorted = [...files.keys()].filter((file) => !NOT_PRISTINE.has(file)).sort();
    // Blobs: one `hash-object -w --stdin` per file would be hundreds of processes; the blob of a
    // file is the same whether it is hashed from stdin or a path, so write them to a scratch folder.
    const { writeFile, mkdir } = await import('node:fs/promises');
    const blobPaths: string[] = [];
    for (const [index, file] of sorted.entries()) {
      const blobPath = path.join(scratch, 'blobs', String(index));
      blobPaths.push(blobPath);
      await mkdir(path.dirname(blobPath), { recursive: true });
      await writeFile(blobPath, files.get(file)!);
    }
    const hashes = sorted.length === 0 ? [] : (await git(dir, ['hash-object', '-w', '--no-filters', '--stdin-paths'], { input: blobPaths.join('\n') + '\n' })).stdout.split('\n');
    const index = path.join(scratch, 'index');
    const env = { GIT_INDEX_FILE: index };
    const info = sorted.map((file, i) => `${EXECUTABLE.test(file) ? '100755' : '100644'} ${hashes[i]}\t${file}`).join('\n');
    await git(dir, ['update-index', '--add', '--index-info'], { input: info + '\n', env });
    const tree = (await git(dir, ['write-tree'], { env })).stdout.trim();
    const parent = await pristineCommit(dir);
    if (parent) {
      const parentTree = (await git(dir, ['rev-parse', `${parent}^{tree}`])).stdout.trim();
      if (parentTree === tree) return { commit: parent, changed: false };
    }
    const commit = (await git(dir, ['commit-tree', tree, ...(parent ? ['-p', parent] : []), '-m', message], { env: IDENTITY })).stdout.trim();
    await git(dir, ['update-ref', '-m', message, PRISTINE_REF, commit, ...(parent ? [parent] : [])]);
    return { commit, changed: true };
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}

/** Pristine files of a composed tree: every generated path except the owner's platform.yaml. */
export function pristineFilesOf(read: (file: string) => Buffer | null, paths: readonly string[]): FileSet {
  const files: FileSet = new Map();
  for (const file of paths) {
    if (NOT_PRISTINE.has(file)) continue;
    const content = read(file);
    if (content !== null) files.set(file, content);
  }
  return files;
}
