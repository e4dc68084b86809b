import { defineConfig } from 'vitest/config';

// Engine and CLI tests of this repository. Module and template sources (modules/, templates/) are
// product code: they are tested inside a generated product, not here.
export default defineConfig({
  test: {
    exclude: ['**/node_modules/**', '**/dist/**', 'modules/**', 'templates/**', '**/fixtures/**', '.tmp/**'],
    testTimeout: 120_000,
    hookTimeout: 300_000,
    projects: [
      {
        extends: true,
        test: { name: 'generators', include: ['generators/**/*.test.ts'] },
      },
      {
        extends: true,
        test: { name: 'cli', include: ['cli/**/*.test.ts'], globalSetup: ['cli/test/build.global-setup.ts'] },
      },
    ],
  },
});
