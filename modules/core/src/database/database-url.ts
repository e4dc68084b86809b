/**
 * The app connects as the runtime role (APP_DATABASE_URL), never as the owner that runs migrations: that role is
 * neither table owner, superuser nor BYPASSRLS, so PostgreSQL enforces tenant isolation by itself.
 * Without APP_DATABASE_URL the runtime role is `app_runtime`/`app_runtime` on DATABASE_URL's server and database
 * (the same default scripts/migrate.mjs provisions).
 */
export function runtimeDatabaseUrl(env: NodeJS.ProcessEnv = process.env): string | undefined {
  if (env.APP_DATABASE_URL) return env.APP_DATABASE_URL;
  if (!env.DATABASE_URL) return undefined;
  const url = new URL(env.DATABASE_URL);
  url.username = 'app_runtime';
  url.password = 'app_runtime';
  return url.toString();
}
