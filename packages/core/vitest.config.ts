import { defineProject } from 'vitest/config';

export default defineProject({
  resolve: { conditions: ['@hookdex/source'] },
  test: {
    name: '@hookdex/core',
    include: ['src/**/*.test.ts'],
    setupFiles: ['reflect-metadata'],
    env: { HOOKDEX_TEST: '1' },
  },
});
