import { describe, expect, it } from 'vitest';
import {
  callbackNameOf,
  hookFile,
  hookFunctionName,
  hookSqlDirectory,
  moduleSpecifierFrom,
} from './hook-paths.js';

describe('hook paths', () => {
  it('turns dots into folders', () => {
    expect(hookFile('calculate_stats')).toBe('hooks/calculate_stats.ts');
    expect(hookFile('stats.daily')).toBe('hooks/stats/daily.ts');
    expect(hookSqlDirectory('stats.daily')).toBe('sql/stats/daily');
    expect(hookFunctionName('stats.daily')).toBe('daily');
    expect(hookFunctionName('on_restart')).toBe('on_restart');
  });

  it('reads a callback name back from a file below hooks/ or handlers/', () => {
    expect(callbackNameOf('stats/daily.ts')).toBe('stats.daily');
    expect(callbackNameOf('calculate_stats.js')).toBe('calculate_stats');
    expect(callbackNameOf('on_restart.mts')).toBe('on_restart');
    expect(callbackNameOf('on_restart.mjs')).toBe('on_restart');
  });

  it('skips what is not a callback: declarations, tests, other files', () => {
    expect(callbackNameOf('types.d.ts')).toBeUndefined();
    expect(callbackNameOf('stats/daily.test.ts')).toBeUndefined();
    expect(callbackNameOf('README.md')).toBeUndefined();
    expect(callbackNameOf('stats/daily.ts.map')).toBeUndefined();
  });

  it('makes project-relative module paths relative to the importing file, and leaves packages alone', () => {
    expect(moduleSpecifierFrom('hooks/a.ts', './src/models.js')).toBe('../src/models.js');
    expect(moduleSpecifierFrom('hooks/stats/daily.ts', './models.js')).toBe('../../models.js');
    expect(moduleSpecifierFrom('hooks/a.ts', './hooks/shared.js')).toBe('./shared.js');
    expect(moduleSpecifierFrom('hooks/a.ts', 'decimal.js')).toBe('decimal.js');
    expect(moduleSpecifierFrom('hooks/a.ts', '@acme/tokens')).toBe('@acme/tokens');
  });
});
