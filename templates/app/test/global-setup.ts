import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, copyFileSync, createWriteStream, existsSync, mkdirSync, mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import pg from 'pg';
import { SMTPServer } from 'smtp-server';
import type { TestProject } from 'vitest/node';
import { freePort, startEmbeddedPostgres } from '../scripts/embedded-postgres.mjs';
import { migrate, runtimeDatabaseUrl } from '../scripts/migrate.mjs';

declare module 'vitest' {
  export interface ProvidedContext {
    /** Origin of the app under test, e.g. http://127.0.0.1:41234 */
    apiUrl: string;
    /** Owner connection of the test database (the migrator's role). */
    databaseUrl: string;
    /** Runtime-role connection of the test database (what the app uses; RLS applies). */
    appDatabaseUrl: string;
    /** Directory where the SMTP capture writes one JSON file per message. */
    mailDir: string;
    /** File receiving the app's stdout/stderr (JSON log lines). */
    appLogFile: string;
    /** The app's JWT_SECRET (tests sign expired/forged tokens with it). */
    jwtSecret: string;
  }
}

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const log = (message: string) => console.log(`[e2e] ${message}`);

interface CapturedMail {
  from: string;
  to: string[];
  raw: string;
}

async function startSmtpCapture(mailDir: string): Promise<{ url: string; close: () => Promise<void> }> {
  const port = await freePort();
  let sequence = 0;
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        const mail: CapturedMail = {
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
          to: session.envelope.rcptTo.map((r) => r.address.toLowerCase()),
          raw: Buffer.concat(chunks).toString('utf8'),
        };
        const name = `${Date.now()}-${String(++sequence).padStart(6, '0')}.json`;
        // Readers only pick *.json: write aside, then rename, so they never see half a message.
        writeFileSync(join(mailDir, `${name}.tmp`), JSON.stringify(mail));
        renameSync(join(mailDir, `${name}.tmp`), join(mailDir, name));
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return { url: `smtp://127.0.0.1:${port}`, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

/** Deletes the Redis keys under `prefix` (the events queue of a test database: `outbox:<database>@host:port`). */
async function clearRedisKeys(url: string, prefix: string): Promise<void> {
  const redis = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1 });
  try {
    await redis.connect();
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 500);
      if (keys.length > 0) await redis.del(...keys);
      cursor = next;
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
}

/** Still running: a process killed by a signal has `exitCode` null and its `signalCode` set. */
const running = (child: ChildProcess) => child.exitCode === null && child.signalCode === null;

async function waitForReady(url: string, app: ChildProcess, logFile: string, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (!running(app)) throw new Error(`the app exited (${app.exitCode ?? app.signalCode}) during startup; see ${logFile}`);
    try {
      const response = await fetch(`${url}/health/ready`);
      if (response.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`the app did not become ready within ${timeoutMs} ms; see ${logFile}`);
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const cleanups: (() => Promise<void>)[] = [];
  const cleanup = async () => {
    for (const fn of cleanups.reverse()) await fn().catch((error: unknown) => log(`cleanup: ${String(error)}`));
  };
  try {
    const main = join(root, 'dist', 'main.js');
    if (!existsSync(main)) throw new Error('dist/main.js is missing: run `npm run build` first (npm test does it in pretest)');
    const workDir = mkdtempSync(join(tmpdir(), 'platform-e2e-'));
    chmodSync(workDir, 0o755); // the embedded server runs as the `postgres` OS user when we are root
    cleanups.push(async () => rmSync(workDir, { recursive: true, force: true }));

    // A fresh database per run: on DATABASE_URL's server, or on an embedded server.
    let databaseUrl: string;
    if (process.env.DATABASE_URL) {
      const admin = process.env.DATABASE_URL;
      const name = `test_${Date.now().toString(36)}_${randomBytes(4).toString('hex')}`;
      const client = new pg.Client({ connectionString: admin });
      await client.connect();
      await client.query(`create database ${client.escapeIdentifier(name)}`);
      await client.end();
      const url = new URL(admin);
      url.pathname = `/${name}`;
      databaseUrl = url.toString();
      log(`database ${name} on ${url.host}`);
      cleanups.push(async () => {
        const drop = new pg.Client({ connectionString: admin });
        await drop.connect();
        await drop.query(`drop database if exists ${drop.escapeIdentifier(name)} with (force)`);
        await drop.end();
      });
    } else {
      const embedded = await startEmbeddedPostgres({ dataDir: join(workDir, 'pgdata'), database: 'app_test', persistent: false, log });
      databaseUrl = embedded.url;
      cleanups.push(() => embedded.stop());
    }

    const appDatabaseUrl = runtimeDatabaseUrl(databaseUrl, process.env.TEST_APP_DATABASE_URL);
    // The events queue's keys of this database (and of the relay tests' scratch databases named after it).
    const redisUrl = process.env.REDIS_URL;
    if (redisUrl) cleanups.push(() => clearRedisKeys(redisUrl, `outbox:${decodeURIComponent(new URL(databaseUrl).pathname.slice(1))}`));
    await migrate({ databaseUrl, appDatabaseUrl, log: () => {} });

    const mailDir = join(workDir, 'mail');
    mkdirSync(mailDir);
    const smtp = await startSmtpCapture(mailDir);
    cleanups.push(smtp.close);

    const port = await freePort();
    const jwtSecret = process.env.JWT_SECRET ?? randomBytes(48).toString('base64');
    const apiUrl = `http://127.0.0.1:${port}`;
    const appLogFile = join(workDir, 'app.log');
    const logStream = createWriteStream(appLogFile);
    const app = spawn(process.execPath, ['--enable-source-maps', main], {
      cwd: root,
      env: {
        ...process.env,
        NODE_ENV: 'test',
        PORT: String(port),
        HOST: '127.0.0.1',
        DATABASE_URL: databaseUrl,
        APP_DATABASE_URL: appDatabaseUrl,
        SMTP_URL: smtp.url,
        JWT_SECRET: jwtSecret,
        LOG_LEVEL: process.env.LOG_LEVEL ?? 'log',
        // The whole suite runs as a handful of users from one IP: limits far above what it sends, so only the tests
        // that start their own instance with small limits (rate-limit, auth abuse) see 429s.
        RATE_LIMIT_USER_POINTS: process.env.RATE_LIMIT_USER_POINTS ?? '1000000',
        RATE_LIMIT_TENANT_POINTS: process.env.RATE_LIMIT_TENANT_POINTS ?? '1000000',
        RATE_LIMIT_ENDPOINT_POINTS: process.env.RATE_LIMIT_ENDPOINT_POINTS ?? '1000000',
        RATE_LIMIT_IP_POINTS: process.env.RATE_LIMIT_IP_POINTS ?? '1000000',
        LOGIN_IP_MAX_FAILURES: process.env.LOGIN_IP_MAX_FAILURES ?? '1000000',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    app.stdout.pipe(logStream, { end: false });
    app.stderr.pipe(logStream, { end: false });
    // Created now so that it resolves however and whenever the app ends (awaiting 'exit' after it fired would hang).
    const exited = new Promise<void>((resolve) => app.once('exit', () => resolve()));
    let stopping = false;
    app.once('exit', (code, signal) => {
      if (!stopping) log(`the app under test exited during the run (${code ?? signal}); tests after this fail to connect — see .platform/e2e-app.log`);
    });
    cleanups.push(async () => {
      stopping = true;
      if (running(app)) {
        app.kill('SIGTERM');
        const timer = setTimeout(() => app.kill('SIGKILL'), 10_000);
        await exited;
        clearTimeout(timer);
      }
      await new Promise<void>((resolve) => logStream.end(() => resolve()));
      // Kept after the run (the work dir is removed) for post-mortems.
      mkdirSync(join(root, '.platform'), { recursive: true });
      copyFileSync(appLogFile, join(root, '.platform', 'e2e-app.log'));
    });
    await waitForReady(apiUrl, app, appLogFile);
    log(`app on ${apiUrl} (log: ${appLogFile})`);

    project.provide('apiUrl', apiUrl);
    project.provide('databaseUrl', databaseUrl);
    project.provide('appDatabaseUrl', appDatabaseUrl);
    project.provide('mailDir', mailDir);
    project.provide('appLogFile', appLogFile);
    project.provide('jwtSecret', jwtSecret);
    return cleanup;
  } catch (error) {
    await cleanup();
    throw error;
  }
}
