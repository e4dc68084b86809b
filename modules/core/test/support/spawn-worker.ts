import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { inject } from 'vitest';

/** The built worker (`node dist/worker.js`) with its own environment. */
export interface SpawnedWorker {
  child: ChildProcess;
  /** Everything it wrote to stdout/stderr so far. */
  output(): string;
  /** Its output as the JSON log lines it must be (throws on a line that is not JSON). */
  logLines(): Record<string, unknown>[];
  /** Resolves with how it ended. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** SIGTERM, then wait for the exit (SIGKILL after 15 s). */
  stop(): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

export function spawnWorker(env: Record<string, string | undefined> = {}): SpawnedWorker {
  const child = spawn(process.execPath, [join(process.cwd(), 'dist', 'worker.js')], {
    cwd: process.cwd(),
    env: {
      ...process.env,
      NODE_ENV: 'test',
      DATABASE_URL: inject('databaseUrl'),
      APP_DATABASE_URL: inject('appDatabaseUrl'),
      JWT_SECRET: inject('jwtSecret'),
      SMTP_URL: '',
      LOG_LEVEL: 'log',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  return {
    child,
    output: () => output,
    logLines: () =>
      output
        .split('\n')
        .filter((line) => line.trim() !== '')
        .map((line) => JSON.parse(line) as Record<string, unknown>),
    exited,
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
        const end = await exited;
        clearTimeout(timer);
        return end;
      }
      return { code: child.exitCode, signal: child.signalCode };
    },
  };
}

/** Resolves once the worker logged a line with `msg` (fails if it exits first or after `timeoutMs`). */
export async function waitForLog(worker: SpawnedWorker, msg: string, timeoutMs = 30_000): Promise<Record<string, unknown>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const line = worker.output().split('\n').find((l) => l.includes(`"msg":"${msg}"`));
    if (line) return JSON.parse(line) as Record<string, unknown>;
    if (worker.child.exitCode !== null || worker.child.signalCode !== null) {
      throw new Error(`the worker exited before logging "${msg}":\n${worker.output().slice(-4000)}`);
    }
    if (Date.now() > deadline) throw new Error(`the worker did not log "${msg}" within ${timeoutMs} ms:\n${worker.output().slice(-4000)}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
