import { defineConfig } from 'vitest/config';

// Synthesizing a whole cell takes a few seconds; each test file builds its stacks once.
export default defineConfig({
  test: {
    include: ['test/**/*.test.ts', 'org/test/**/*.test.ts'],
    exclude: ['node_modules/**', 'dist/**', 'cdk.out/**'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
  },
});
