import { defineProject } from 'vitest/config';

export default defineProject({
  resolve: { conditions: ['@hookdex/source'] },
  test: {
    name: '@hookdex/sql-runner',
    include: ['src/**/*.test.ts'],
  },
});
