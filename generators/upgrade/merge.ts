import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { execa } from 'execa';

export interface MergeResult {
  content: Buffer;
  /** Number of conflicting hunks (0 = clean merge). */
  conflicts: number;
}

/**
 * Three-way merge of one file with `git merge-file` (standard `<<<<<<<` / `=======` / `>>>>>>>`
 * markers). Runs in a scratch folder: nothing in the product is touched.
 */
export async function mergeFile(ours: Buffer, base: Buffer, theirs: Buffer, labels: { ours: string; base: string; theirs: string }): Promise<MergeResult> {
  const scratch = await mkdtemp(path.join(tmpdir(), 'platform-merge-'));
  try {
    const [o, b, t] = ['ours', 'base', 'theirs'].map((name) => path.join(scratch, name)) as [string, string, string];
    await Promise.all([writeFile(o, ours), writeFile(b, base), writeFile(t, theirs)]);
    const result = await execa('git', ['merge-file', '-L', labels.ours, '-L', labels.base, '-L', labels.theirs, o, b, t], { reject: false, stdio: 'pipe' });
    // Exit status: the number of conflicts (capped at 127), negative/>127 on error.
    const status = result.exitCode ?? -1;
    if (status < 0 || status > 127) throw new Error(`git merge-file failed: ${result.stderr}`);
    return { content: await readFile(o), conflicts: status };
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}

/** Heuristic for merge-ability: git merge-file works on text only. */
export const isBinary = (content: Buffer) => content.subarray(0, 8000).includes(0);
