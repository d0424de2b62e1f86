import { describe, expect, it } from 'vitest';
import { hasPath, mergeDocuments, valueAt } from './merge-documents.js';

const base = {
  file: 'base.yaml',
  value: {
    database: { kind: 'sqlite', path: 'a.sqlite', immune_tables: ['a', 'b'] },
    jobs: { daily: { hook: 'stats', crontab: '0 0 * * *', args: { major: true } } },
  },
};
const production = {
  file: 'prod.yaml',
  value: {
    database: { path: 'prod.sqlite', immune_tables: ['c'] },
    jobs: { daily: { args: { depth: 2 } }, hourly: { hook: 'stats', interval: 3600 } },
  },
};

describe('mergeDocuments', () => {
  it('merges mappings key by key and replaces lists and scalars', () => {
    expect(mergeDocuments([base, production]).value).toEqual({
      database: { kind: 'sqlite', path: 'prod.sqlite', immune_tables: ['c'] },
      jobs: {
        daily: { hook: 'stats', crontab: '0 0 * * *', args: { major: true, depth: 2 } },
        hourly: { hook: 'stats', interval: 3600 },
      },
    });
  });

  it('keeps the order keys were first written in', () => {
    const merged = mergeDocuments([base, production]).value;
    expect(Object.keys(merged.jobs as object)).toEqual(['daily', 'hourly']);
  });

  it('lets a later scalar or null replace a mapping, and a later mapping replace a scalar', () => {
    const merged = mergeDocuments([
      base,
      { file: 'b.yaml', value: { database: null, jobs: 'none' } },
      { file: 'c.yaml', value: { jobs: { weekly: { hook: 'stats' } } } },
    ]).value;
    expect(merged).toEqual({ database: null, jobs: { weekly: { hook: 'stats' } } });
  });

  it('knows which file last set each path', () => {
    const merged = mergeDocuments([base, production]);
    expect(merged.originOf(['jobs', 'daily', 'crontab'])).toBe('base.yaml');
    expect(merged.originOf(['jobs', 'daily', 'args', 'major'])).toBe('base.yaml');
    expect(merged.originOf(['jobs', 'daily', 'args', 'depth'])).toBe('prod.yaml');
    expect(merged.originOf(['database', 'immune_tables', 0])).toBe('prod.yaml');
    expect(merged.originOf(['database', 'kind'])).toBe('base.yaml');
  });

  it('gives a missing path the file of its nearest existing ancestor', () => {
    const merged = mergeDocuments([base, production]);
    expect(merged.originOf(['jobs', 'hourly', 'args', 'depth'])).toBe('prod.yaml');
    expect(merged.originOf(['jobs', 'daily', 'missing'])).toBe('prod.yaml');
  });

  it('keeps a `__proto__` key as an ordinary key', () => {
    const merged = mergeDocuments([
      { file: 'a.yaml', value: JSON.parse('{"hooks": {"__proto__": {"polluted": true}}}') },
    ]).value;
    expect(Object.keys(merged.hooks as object)).toEqual(['__proto__']);
    expect(({} as { polluted?: boolean }).polluted).toBeUndefined();
  });
});

describe('hasPath and valueAt', () => {
  const document = { a: { b: [10, { c: null }] } };

  it('tell keys from list indexes', () => {
    expect(hasPath(document, ['a', 'b', 1, 'c'])).toBe(true);
    expect(hasPath(document, ['a', 'b', '1'])).toBe(false);
    expect(valueAt(document, ['a', 'b', 0])).toBe(10);
    expect(valueAt(document, ['a', 'x', 0])).toBeUndefined();
  });
});
