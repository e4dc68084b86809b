import path from 'node:path';
import { execa } from 'execa';

export const REPO_ROOT = path.join(import.meta.dirname, '../..');
const BIN = path.join(REPO_ROOT, 'bin/run.js');

export interface CliRun {
  exitCode: number;
  stdout: string;
  stderr: string;
  /** stdout parsed as JSON (commands run with --json). */
  json: any;
}

/** Runs `platform <args>` exactly as a user would: a separate node process on the built CLI. */
export async function runCli(args: string[], options: { cwd?: string; env?: Record<string, string | undefined> } = {}): Promise<CliRun> {
  const result = await execa('node', [BIN, ...args], {
    cwd: options.cwd ?? REPO_ROOT,
    env: { NO_COLOR: '1', FORCE_COLOR: '0', ...options.env },
    reject: false,
    stdin: 'ignore',
  });
  let json: unknown;
  try {
    json = JSON.parse(result.stdout);
  } catch {
    json = undefined;
  }
  return { exitCode: result.exitCode ?? 1, stdout: result.stdout, stderr: result.stderr, json };
}
