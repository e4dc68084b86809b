export const MIGRATIONS_DIR: string;
export const MIGRATIONS_TABLE: string;
export function runtimeDatabaseUrl(databaseUrl: string, appDatabaseUrl?: string): string;
export function ensureRuntimeRole(options: { databaseUrl: string; appDatabaseUrl?: string; log?: (message: string) => void }): Promise<void>;
export function migrate(options?: {
  databaseUrl?: string;
  appDatabaseUrl?: string;
  dir?: string;
  log?: (message: string) => void;
}): Promise<string[]>;
