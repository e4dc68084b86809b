import { defineConfig } from 'vitest/config';

// Two projects: `unit` (src/**/*.spec.ts, beside the code, no database) and `e2e` (test/**/*.e2e.test.ts: the
// built app, `node dist/main.js`, started by test/global-setup.ts against a fresh database and called through
// the generated SDK). `npx vitest run --project unit` needs neither a build nor PostgreSQL.
export default defineConfig({
  test: {
    testTimeout: 30_000,
    hookTimeout: 60_000,
    projects: [
      {
        extends: true,
        test: { name: 'unit', include: ['src/**/*.spec.ts'], exclude: ['node_modules/**', 'dist/**'] },
      },
      {
        extends: true,
        test: {
          name: 'e2e',
          include: ['test/**/*.e2e.test.ts'],
          exclude: ['node_modules/**', 'dist/**'],
          globalSetup: ['test/global-setup.ts'],
          pool: 'forks',
        },
      },
    ],
  },
});
