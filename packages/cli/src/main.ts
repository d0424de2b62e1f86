import { readFileSync } from 'node:fs';
import { createInterface } from 'node:readline/promises';
import { type Command, CommanderError } from 'commander';
import { exitCodeOf } from './errors/exit-code-of.js';
import { EX_OK, EX_USER_ERROR } from './errors/exit-codes.js';
import { formatError } from './errors/format-error.js';
import type { CliIo } from './options/cli-io.js';
import { createProgram, type ProgramResult } from './program.js';

/**
 * Runs `hookdex` with `argv` (the arguments after the program name) and returns the exit code:
 * 0 done, 1 a mistake to fix, 75 try again later. Every error is printed to standard error as one
 * line (with stack traces after it at `--log-level debug`).
 */
export async function main(argv: readonly string[], io: CliIo = processIo()): Promise<number> {
  const result: ProgramResult = { exitCode: undefined };
  const program = createProgram(io, result, ownVersion());
  try {
    await program.parseAsync([...argv], { from: 'user' });
    return result.exitCode ?? EX_OK;
  } catch (error) {
    if (error instanceof CommanderError) {
      // `--help` and `--version` end here too, with exit code 0 and nothing more to say.
      if (error.exitCode === 0) return EX_OK;
      if (error.code === 'commander.help' || error.code === 'commander.helpDisplayed') return EX_USER_ERROR;
      const usage = ['hookdex', ...commandPath(program, argv), '--help'].join(' ');
      io.stderr.write(
        `${formatError(error, { debug: false }).replace('(Did you mean', '(did you mean').replace(/\.$/, '')}; see \`${usage}\`\n`,
      );
      return EX_USER_ERROR;
    }
    io.stderr.write(`${formatError(error, { debug: debugRequested(argv) })}\n`);
    return exitCodeOf(error);
  }
}

/** The subcommands named in `argv` (`schema wipe`), to point a usage error at the right help. */
function commandPath(program: Command, argv: readonly string[]): string[] {
  const path: string[] = [];
  let command = program;
  for (const argument of argv) {
    if (argument.startsWith('-')) continue;
    const child = command.commands.find((candidate) => candidate.name() === argument);
    if (child === undefined) continue;
    path.push(argument);
    command = child;
  }
  return path;
}

/** True when the arguments ask for `--log-level debug` (in either spelling). */
function debugRequested(argv: readonly string[]): boolean {
  return argv.some(
    (argument, index) =>
      argument === '--log-level=debug' || (argument === '--log-level' && argv[index + 1] === 'debug'),
  );
}

function processIo(): CliIo {
  // NOTE: `hookdex config export | head` closes the pipe early; that is the reader's choice, not a
  // failure worth a stack trace.
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code !== 'EPIPE') throw error;
    process.exit(EX_OK);
  });
  return {
    stdout: process.stdout,
    stderr: process.stderr,
    confirm: process.stdin.isTTY
      ? async (question) => {
          const terminal = createInterface({ input: process.stdin, output: process.stderr });
          try {
            return /^y(es)?$/i.test((await terminal.question(question)).trim());
          } finally {
            terminal.close();
          }
        }
      : undefined,
  };
}

function ownVersion(): string {
  // NOTE: src/ and dist/ are both one level below the package root.
  return (
    JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }
  ).version;
}
