import {
  CallbackError,
  ConfigurationError,
  HookdexError,
  JobFailedError,
  ReindexingRequiredError,
} from '@hookdex/core';
import { describe, expect, it } from 'vitest';
import { exitCodeOf } from './exit-code-of.js';
import { EX_TEMPFAIL, EX_USER_ERROR } from './exit-codes.js';
import { UsageError } from './usage-error.js';

const systemError = (code: string, message = `connect ${code} 127.0.0.1:5432`) =>
  Object.assign(new Error(message), { code });

describe('exitCodeOf', () => {
  it('is 1 for mistakes to fix: configuration, arguments, reindexing, the project’s own failures', () => {
    expect(exitCodeOf(new ConfigurationError({ expected: 'a', found: 'b' }))).toBe(EX_USER_ERROR);
    expect(exitCodeOf(new ReindexingRequiredError('schema_modified'))).toBe(EX_USER_ERROR);
    expect(exitCodeOf(new UsageError('--arg x'))).toBe(EX_USER_ERROR);
    expect(exitCodeOf(new CallbackError({ kind: 'hook', callback: 'x', cause: new TypeError('oops') }))).toBe(
      EX_USER_ERROR,
    );
    expect(exitCodeOf('a string')).toBe(EX_USER_ERROR);
  });

  it('is 75 when the database is unreachable or the failure is transient, however deep the cause', () => {
    expect(exitCodeOf(systemError('ECONNREFUSED'))).toBe(EX_TEMPFAIL);
    // pg tries every address of localhost and throws an AggregateError without a message.
    expect(exitCodeOf(new AggregateError([systemError('ECONNREFUSED'), systemError('ECONNREFUSED')]))).toBe(
      EX_TEMPFAIL,
    );
    expect(
      exitCodeOf(new HookdexError('DATABASE', 'Could not connect', { cause: systemError('ETIMEDOUT') })),
    ).toBe(EX_TEMPFAIL);
    const dropped = new Error('Connection terminated unexpectedly');
    expect(
      exitCodeOf(
        new JobFailedError('stats', new CallbackError({ kind: 'hook', callback: 'x', cause: dropped })),
      ),
    ).toBe(EX_TEMPFAIL);
    expect(exitCodeOf(systemError('57P03', 'the database system is starting up'))).toBe(EX_TEMPFAIL);
    expect(exitCodeOf(systemError('40001', 'could not serialize access'))).toBe(EX_TEMPFAIL);
    expect(exitCodeOf(systemError('SQLITE_BUSY', 'database is locked'))).toBe(EX_TEMPFAIL);
  });

  it('is 1 for a database error that retrying will not fix', () => {
    expect(exitCodeOf(systemError('42P01', 'relation "holders" does not exist'))).toBe(EX_USER_ERROR);
    expect(exitCodeOf(systemError('28P01', 'password authentication failed'))).toBe(EX_USER_ERROR);
  });
});
