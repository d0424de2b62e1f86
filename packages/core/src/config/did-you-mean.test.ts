import { describe, expect, it } from 'vitest';
import { didYouMean, didYouMeanHint, editDistance } from './did-you-mean.js';

describe('didYouMean', () => {
  it('suggests the closest candidate within two edits', () => {
    expect(didYouMean('crontba', ['crontab', 'interval', 'daemon'])).toBe('crontab');
    expect(didYouMean('intervall', ['crontab', 'interval', 'daemon'])).toBe('interval');
    expect(didYouMean('calback', ['callback', 'atomic', 'args'])).toBe('callback');
  });

  it('matches a camelCase or differently cased spelling of a snake_case key', () => {
    expect(didYouMean('firstLevel', ['first_level', 'last_level'])).toBe('first_level');
    expect(didYouMean('IMMUNE_TABLES', ['immune_tables'])).toBe('immune_tables');
  });

  it('allows only one edit in short words and suggests nothing when nothing is close', () => {
    expect(didYouMean('arg', ['args'])).toBe('args');
    expect(didYouMean('ab', ['args'])).toBeUndefined();
    expect(didYouMean('schedule_everything', ['crontab', 'interval'])).toBeUndefined();
  });

  it('falls back to a candidate the word starts with, or one that starts with the word', () => {
    expect(didYouMean('warning', ['debug', 'info', 'warn', 'error'])).toBe('warn');
    expect(didYouMean('max', ['max_instances', 'coalesce'])).toBe('max_instances');
    expect(didYouMean('to', ['tokens'])).toBeUndefined();
  });

  it('words the hint for messages', () => {
    expect(didYouMeanHint('atomc', ['atomic'])).toBe('did you mean `atomic`?');
    expect(didYouMeanHint('zzz', ['atomic'])).toBeUndefined();
  });

  it('counts an adjacent swap as one edit', () => {
    expect(editDistance('ab', 'ba')).toBe(1);
    expect(editDistance('kitten', 'sitting')).toBe(3);
    expect(editDistance('', 'abc')).toBe(3);
  });
});
