// Container entrypoint: `node docker-entrypoint.mjs <script>`. On AWS (infra/), ECS injects credentials from Secrets
// Manager as separate variables; this assembles the connection URLs the app reads, then runs the script in-process
// (node stays PID 1's only child, so SIGTERM reaches the app). Locally, preset *_URL variables win.
import path from 'node:path';
import { pathToFileURL } from 'node:url';

const env = process.env;
const postgres = (user, password) =>
  `postgres://${encodeURIComponent(user)}:${encodeURIComponent(password ?? '')}@${env.DB_HOST}:${env.DB_PORT ?? '5432'}/${env.DB_NAME}` +
  // Aurora requires TLS; the RDS CA bundle is not in Node's store, so the certificate chain is not verified here.
  `?sslmode=${env.DB_SSLMODE ?? 'no-verify'}`;

if (env.DB_HOST && env.DB_NAME) {
  if (!env.APP_DATABASE_URL && env.APP_DB_USER) env.APP_DATABASE_URL = postgres(env.APP_DB_USER, env.APP_DB_PASSWORD);
  if (!env.DATABASE_URL && env.DB_OWNER_USER) env.DATABASE_URL = postgres(env.DB_OWNER_USER, env.DB_OWNER_PASSWORD);
}
if (!env.REDIS_URL && env.REDIS_HOST) {
  const auth = env.REDIS_AUTH_TOKEN ? `:${encodeURIComponent(env.REDIS_AUTH_TOKEN)}@` : '';
  env.REDIS_URL = `rediss://${auth}${env.REDIS_HOST}:${env.REDIS_PORT ?? '6379'}`;
}

// The script sees itself as argv[1], as if started directly (scripts/migrate.mjs checks that to run).
const script = path.resolve(process.argv[2] ?? 'dist/main.js');
process.argv.splice(1, 2, script);
await import(pathToFileURL(script).href);
