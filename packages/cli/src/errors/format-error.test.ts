import { CommanderError } from 'commander';
import { describe, expect, it } from 'vitest';
import { formatError } from './format-error.js';

describe('formatError', () => {
  it('puts any error on one line', () => {
    expect(formatError(new Error('first\n  second'), { debug: false })).toBe('error: first second');
    expect(
      formatError(
        new CommanderError(1, 'commander.unknownCommand', "error: unknown command 'rn'\n(Did you mean run?)"),
        {
          debug: false,
        },
      ),
    ).toBe("error: unknown command 'rn' (Did you mean run?)");
    expect(
      formatError(
        new AggregateError([
          new Error('connect ECONNREFUSED ::1:1'),
          new Error('connect ECONNREFUSED 127.0.0.1:1'),
        ]),
        { debug: false },
      ),
    ).toBe('error: connect ECONNREFUSED ::1:1; connect ECONNREFUSED 127.0.0.1:1');
  });

  it('adds the stack traces of the error and its causes in debug', () => {
    const text = formatError(new Error('outer', { cause: new Error('inner') }), { debug: true });
    expect(text.split('\n')[0]).toBe('error: outer');
    expect(text).toMatch(/\nError: outer\n\s+at [\s\S]*\nCaused by: Error: inner\n\s+at /);
  });
});
