import { defineProject } from 'vitest/config';

export default defineProject({
  resolve: { conditions: ['@hookdex/source'] },
  test: {
    name: '@hookdex/cli',
    include: ['src/**/*.test.ts'],
    setupFiles: ['reflect-metadata'],
    // NOTE: the command tests run the built `bin/hookdex.js`, as a user does; this builds it first.
    globalSetup: ['src/_test/build-cli.ts'],
    // NOTE: the command tests mostly wait for child processes; two files at a time use both cores.
    // A project with its own worker count runs in its own group (after the others, in `pnpm test`).
    maxWorkers: 2,
    sequence: { groupOrder: 1 },
    testTimeout: 60_000,
    hookTimeout: 180_000,
  },
});
