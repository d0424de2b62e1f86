import { defineProject } from 'vitest/config';

export default defineProject({
  resolve: { conditions: ['@hookdex/source'] },
  test: {
    name: 'example-indexer',
    include: ['src/**/*.test.ts'],
    setupFiles: ['reflect-metadata'],
    // NOTE: the process tests run the built `dist/src/main.js`, as `pnpm example` does; this builds it.
    globalSetup: ['src/_test/build-app.ts'],
    // NOTE: the end-to-end suites run a real ganache node and index hundreds of blocks; on 2 cores
    // next to the other packages' suites a run takes tens of seconds.
    testTimeout: 120_000,
    hookTimeout: 180_000,
  },
});
