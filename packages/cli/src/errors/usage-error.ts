/**
 * A mistake in how the command was used that only the CLI can see (a malformed `--arg`, a missing
 * `--force` without a terminal, a directory that is not empty). Exit code 1, one line, no stack.
 */
export class UsageError extends Error {
  constructor(message: string, options: { cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'UsageError';
  }
}
