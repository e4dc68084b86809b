import type { SyncPlan } from '../product.js';
import { isGitRepository, readPristine, writePristine, type FileSet } from './pristine.js';
import { cliVersion } from '../paths.js';

/**
 * After `platform sync`: the new output becomes the pristine base, except for the files sync left
 * alone (edited or deleted by the owner) — their base stays the version the owner's file came from,
 * so that the next upgrade still sees the template change and merges it.
 * Returns false when the product is not a git repository (nothing recorded).
 */
export async function recordSyncPristine(dir: string, plan: Pick<SyncPlan, 'pristineFiles' | 'skipped'>): Promise<boolean> {
  if (!(await isGitRepository(dir))) return false;
  const previous = await readPristine(dir);
  const files: FileSet = new Map(plan.pristineFiles);
  for (const { path: file } of plan.skipped) {
    const base = previous?.get(file);
    if (base) files.set(file, base);
    else files.delete(file);
  }
  await writePristine(dir, files, `platform ${cliVersion()}: pristine output of sync`);
  return true;
}
