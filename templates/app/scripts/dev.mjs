#!/usr/bin/env node
// `npm run dev`: a database (DATABASE_URL, or an embedded PostgreSQL with data under .platform/pgdata),
// migrations, then the app rebuilt by tsc and restarted on every change. Serves PORT (default 3000).
import { spawn, spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startEmbeddedPostgres } from './embedded-postgres.mjs';
import { migrate } from './migrate.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);
const log = (message) => console.log(`[dev] ${message}`);

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
    { cwd: root, stdio: 'inherit', env: { ...process.env, PORT: process.env.PORT ?? '3000' } },
  );
  watcher.on('exit', (code) => {
    if (!stopping) void shutdown(code ?? 1);
  });
} catch (error) {
  console.error(`[dev] ${error.message}`);
  await shutdown(1);
}
