import { defineProject } from 'vitest/config';

export default defineProject({
  resolve: { conditions: ['@hookdex/source'] },
  test: {
    name: '@hookdex/codegen',
    include: ['src/**/*.test.ts'],
    // NOTE: @hookdex/core loads tsyringe, which needs reflect-metadata first.
    setupFiles: ['reflect-metadata'],
    // NOTE: the type test compiles a small project with the TypeScript compiler: seconds, not ms.
    testTimeout: 60_000,
  },
});
