import { createHash } from 'node:crypto';
import { z } from 'zod';
import { PlatformError } from '../errors.js';

export const LOCK_FILE = '.platform/lock.json';

export const LockSchema = z.object({
  lockVersion: z.literal(1),
  cliVersion: z.string(),
  templateVersion: z.string(),
  modules: z.record(z.string(), z.string()),
  /** path → sha256 of the content the generator produced (the pristine output). */
  files: z.record(z.string(), z.string()),
});

export type Lock = z.infer<typeof LockSchema>;

export function sha256(content: string | Buffer): string {
  return createHash('sha256').update(content).digest('hex');
}

const sortedObject = (record: Record<string, string>) =>
  Object.fromEntries(Object.entries(record).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));

/** Deterministic (sorted keys, no timestamps) so that regenerating the same spec gives the same bytes. */
export function renderLock(lock: Lock): string {
  return `${JSON.stringify({ ...lock, modules: sortedObject(lock.modules), files: sortedObject(lock.files) }, null, 2)}\n`;
}

export function parseLock(text: string): Lock {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new PlatformError({ code: 'LOCK_INVALID', message: `${LOCK_FILE} is not valid JSON: ${(error as Error).message}`, exitCode: 2 });
  }
  const result = LockSchema.safeParse(json);
  if (!result.success) {
    throw new PlatformError({
      code: 'LOCK_INVALID',
      message: `${LOCK_FILE} is malformed: ${result.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`,
      exitCode: 2,
      suggestions: ['Restore it from git (`git checkout -- .platform/lock.json`).'],
    });
  }
  return result.data;
}
