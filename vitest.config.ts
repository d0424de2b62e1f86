import { defineConfig } from 'vitest/config';

// One project per package and app; `pnpm test` at the root runs them all. On CI a JSON report is written
// too, from which `.ci/run` prints its "N passed, N failed" line.
export default defineConfig({
  test: {
    projects: ['packages/*/vitest.config.ts', 'apps/*/vitest.config.ts'],
    reporters: process.env.CI ? ['default', ['json', { outputFile: '.vitest-results.json' }]] : ['default'],
  },
});
