import { defineProject } from 'vitest/config';

export default defineProject({
  resolve: { conditions: ['@hookdex/source'] },
  test: {
    name: '@hookdex/scheduler',
    include: ['src/**/*.test.ts'],
  },
});
