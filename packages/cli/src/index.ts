export { exitCodeOf } from './errors/exit-code-of.js';
export type { ExitCode } from './errors/exit-codes.js';
export { EX_OK, EX_TEMPFAIL, EX_USER_ERROR } from './errors/exit-codes.js';
export { UsageError } from './errors/usage-error.js';
export { main } from './main.js';
export type { CliIo } from './options/cli-io.js';
