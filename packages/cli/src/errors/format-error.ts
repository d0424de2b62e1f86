import { CommanderError } from 'commander';
import { causeChain } from './exit-code-of.js';

/**
 * What `hookdex` prints for an error: one line (`error: ...`) that says what went wrong, where and
 * what to do; with `debug`, the stack traces of the error and its causes follow.
 */
export function formatError(error: unknown, options: { debug: boolean }): string {
  const line = `error: ${oneLine(messageOf(error))}`;
  if (!options.debug) return line;
  const stacks = causeChain(error)
    .map((item, index) => {
      const stack = item instanceof Error ? (item.stack ?? String(item)) : String(item);
      return index === 0 ? stack : `Caused by: ${stack}`;
    })
    .join('\n');
  return `${line}\n${stacks}`;
}

/** The message of any thrown value, never empty (pg throws an `AggregateError` without one). */
export function messageOf(error: unknown): string {
  if (error instanceof CommanderError) {
    // Commander's own text: "error: unknown command 'rn'\n(Did you mean run?)".
    return error.message.replace(/^error:\s*/i, '');
  }
  if (error instanceof AggregateError && error.message === '') {
    const inner = [...new Set(error.errors.map(messageOf))];
    return inner.join('; ') || 'several errors without a message';
  }
  if (error instanceof Error) return error.message === '' ? error.name : error.message;
  return String(error);
}

function oneLine(text: string): string {
  return text
    .split('\n')
    .map((part) => part.trim())
    .filter((part) => part !== '')
    .join(' ');
}
