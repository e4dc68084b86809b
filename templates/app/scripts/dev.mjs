#!/usr/bin/env node
// `npm run dev`: settings from .env when there is one, a database (DATABASE_URL, or an embedded PostgreSQL with data
// under .platform/pgdata), migrations, then the app rebuilt by tsc and restarted on every change. Serves PORT
// (default 3000) on HOST (default 127.0.0.1: a development server is not for the network).
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startEmbeddedPostgres } from './embedded-postgres.mjs';
import { migrate } from './migrate.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);
const log = (message) => console.log(`[dev] ${message}`);

if (existsSync(join(root, '.env'))) process.loadEnvFile(join(root, '.env')); // the shell's variables win

/**
 * The development signing key: JWT_SECRET when set, else a random one kept in .platform/dev-jwt-secret (ignored by
 * git) so that sessions survive restarts and no two checkouts share a key anyone could read in the source.
 */
function developmentJwtSecret() {
  if (process.env.JWT_SECRET) return process.env.JWT_SECRET;
  const file = join(root, '.platform', 'dev-jwt-secret');
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  const secret = randomBytes(48).toString('base64');
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, `${secret}\n`, { mode: 0o600 });
  log('generated a development JWT secret in .platform/dev-jwt-secret');
  return secret;
}

let database;
let watcher;
let stopping = false;

async function shutdown(code = 0) {
  if (stopping) return;
  stopping = true;
  if (watcher && watcher.exitCode === null) {
    watcher.kill('SIGTERM');
    await new Promise((resolve) => {
      const timer = setTimeout(resolve, 5000);
      watcher.once('exit', () => {
        clearTimeout(timer);
        resolve();
      });
    });
  }
  if (database) {
    log('stopping embedded PostgreSQL');
    await database.stop().catch((error) => log(`could not stop PostgreSQL: ${error.message}`));
  }
  process.exit(code);
}
process.on('SIGINT', () => void shutdown(0));
process.on('SIGTERM', () => void shutdown(0));

try {
  if (!process.env.DATABASE_URL) {
    database = await startEmbeddedPostgres({ dataDir: join(root, '.platform', 'pgdata'), database: 'app', log });
    process.env.DATABASE_URL = database.url;
  }
  await migrate({ log: (message) => log(message) });

  const generate = spawnSync(process.execPath, [join(root, 'scripts', 'prisma-generate.mjs')], { cwd: root, stdio: 'inherit' });
  if (generate.status !== 0) throw new Error('prisma generate failed');

  const tscWatch = join(dirname(require.resolve('tsc-watch/package.json')), 'dist', 'lib', 'tsc-watch.js');
  watcher = spawn(
    process.execPath,
    [tscWatch, '-p', 'tsconfig.build.json', '--noClear', '--onSuccess', `${JSON.stringify(process.execPath)} --enable-source-maps dist/main.js`],
    {
      cwd: root,
      stdio: 'inherit',
      env: { ...process.env, PORT: process.env.PORT ?? '3000', HOST: process.env.HOST ?? '127.0.0.1', JWT_SECRET: developmentJwtSecret() },
    },
  );
  watcher.on('exit', (code) => {
    if (!stopping) void shutdown(code ?? 1);
  });
} catch (error) {
  console.error(`[dev] ${error.message}`);
  await shutdown(1);
}
