import { defineConfig } from 'prisma/config';

// Prisma only generates the client here: SQL migrations (with RLS) are applied by scripts/migrate.mjs.
export default defineConfig({
  schema: 'prisma/schema',
  datasource: { url: process.env.DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres' },
});
