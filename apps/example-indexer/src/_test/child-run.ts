import { execFileSync, spawn } from 'node:child_process';
import path from 'node:path';
import { appDir } from '../app-dir.js';

/** Builds the app (and its dependencies) once, so child processes run `dist/src/main.js` as users do. */
export function buildApp(): void {
  execFileSync('pnpm', ['turbo', 'run', 'build', '--filter=example-indexer', '--output-logs=errors-only'], {
    cwd: path.join(appDir(), '..', '..'),
    stdio: 'pipe',
    env: { ...process.env, TURBO_TELEMETRY_DISABLED: '1' },
  });
}

/** A `node dist/src/main.js` child process with its output collected. */
export interface ChildRun {
  readonly output: () => string;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null; output: string }>;
  kill(signal: NodeJS.Signals): void;
}

/** Starts the built example with `args`, in the app directory, with `env` added. */
export function startChild(args: string[], env: Record<string, string> = {}): ChildRun {
  const child = spawn(process.execPath, [path.join(appDir(), 'dist', 'src', 'main.js'), ...args], {
    cwd: appDir(),
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  child.stderr.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; output: string }>(
    (resolve, reject) => {
      child.on('error', reject);
      // `close`, not `exit`: it comes once the output pipes are drained too.
      child.on('close', (code, signal) => resolve({ code, signal, output }));
    },
  );
  return { output: () => output, exited, kill: (signal) => child.kill(signal) };
}
