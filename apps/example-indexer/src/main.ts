import 'reflect-metadata';
import { HookdexError } from '@hookdex/core';
import { parseCommandLine } from './cli-options.js';
import { RpcRetriesExhaustedError } from './evm/retry.js';
import { startExample } from './run-example.js';
import { formatSummary } from './summary.js';

// The example's entry: `pnpm example` builds the app and runs `node dist/src/main.js --duration 60`.
// Exit codes (as hookdex's): 0 stopped cleanly, 1 configuration or other error, 75 the node stayed
// unreachable through every retry (worth retrying later).

// NOTE: `pnpm <script> -- --flag` passes the separator through; it is not an argument of ours.
const argv = process.argv.slice(2).filter((argument, index) => !(index === 0 && argument === '--'));
const { options, json } = parseCommandLine(argv);

let run: Awaited<ReturnType<typeof startExample>>;
try {
  run = await startExample(options);
} catch (error) {
  process.stderr.write(`${describeFailure(error)}\n`);
  process.exit(exitCode(error));
}

let signals = 0;
const onSignal = (signal: NodeJS.Signals): void => {
  signals++;
  if (signals > 1) {
    process.stderr.write(`\nReceived ${signal} again: exiting without waiting for the graceful stop.\n`);
    process.exit(130);
  }
  process.stderr.write(`\nReceived ${signal}: stopping after the current level (again to force).\n`);
  void run.stop();
};
process.on('SIGINT', onSignal);
process.on('SIGTERM', onSignal);

const summary = await run.finished;
await run.close();
process.stdout.write(
  json ? `${JSON.stringify(summary, jsonValue, 2)}\n` : formatSummary(summary, run.config),
);
if (summary.error !== undefined) {
  process.stderr.write(`${describeFailure(summary.error)}\n`);
  process.exit(exitCode(summary.error));
}
process.exit(0);

function exitCode(error: unknown): number {
  let current: unknown = error;
  while (current instanceof Error) {
    if (current instanceof RpcRetriesExhaustedError) return 75;
    current = current.cause;
  }
  return 1;
}

function describeFailure(error: unknown): string {
  if (HookdexError.is(error)) return `hookdex stopped: ${(error as Error).message}`;
  if (error instanceof Error) return `The example failed: ${error.message}`;
  return `The example failed: ${String(error)}`;
}

function jsonValue(_key: string, value: unknown): unknown {
  if (typeof value === 'bigint') return value.toString();
  if (value instanceof Error) return { name: value.name, message: value.message };
  return value;
}
