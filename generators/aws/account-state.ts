import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { PlatformError } from '../errors.js';

/** Vending progress of a product, kept in the product so that an interrupted run can resume. */
export const ACCOUNT_STATE_FILE = '.platform/accounts.json';

export interface EnvironmentRecord {
  accountName: string;
  email: string;
  /** The pending CreateAccount request; dropped once it succeeded or failed. */
  createAccountRequestId?: string;
  accountId?: string;
}

export interface AccountState {
  version: 1;
  ou?: { name: string; id: string };
  environments: Record<string, EnvironmentRecord>;
}

export async function readAccountState(dir: string): Promise<AccountState> {
  const file = path.join(dir, ACCOUNT_STATE_FILE);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { version: 1, environments: {} };
    throw error;
  }
  try {
    const state = JSON.parse(text) as AccountState;
    if (state.version !== 1 || typeof state.environments !== 'object' || state.environments === null) throw new Error('unexpected shape');
    return state;
  } catch (error) {
    throw new PlatformError({
      code: 'ACCOUNT_STATE_INVALID',
      message: `${ACCOUNT_STATE_FILE} is not a valid account state file (${(error as Error).message})`,
      exitCode: 2,
      suggestions: [`Fix or delete ${ACCOUNT_STATE_FILE}; re-running \`platform account create\` finds existing accounts by their tags.`],
    });
  }
}

/** Written atomically (temp file + rename): a killed process leaves the old or the new state, never half. */
export async function writeAccountState(dir: string, state: AccountState): Promise<void> {
  const file = path.join(dir, ACCOUNT_STATE_FILE);
  await mkdir(path.dirname(file), { recursive: true });
  const temp = `${file}.${process.pid}.tmp`;
  await writeFile(temp, `${JSON.stringify(state, null, 2)}\n`);
  await rename(temp, file);
}
