import { type ChildProcess, spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The built binary, as `npx hookdex` runs it. */
export const HOOKDEX_BIN = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../bin/hookdex.js');

/** How a `hookdex` process ended and what it printed. */
export interface HookdexResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** A `hookdex` process still running. */
export interface RunningHookdex {
  readonly child: ChildProcess;
  /** Everything printed so far. */
  output(): { stdout: string; stderr: string };
  /** Resolves once standard error (the logs) matches `pattern`; rejects if the process ends first. */
  waitForLog(pattern: RegExp, timeoutMs?: number): Promise<void>;
  readonly exited: Promise<HookdexResult>;
}

/** Options of a `hookdex` process: where it runs and what it sees. */
export interface HookdexOptions {
  cwd: string;
  env?: Record<string, string | undefined>;
}

/** Starts `hookdex <args>` without a terminal, in `cwd`, as the shebang of `bin/hookdex.js` does. */
export function startHookdex(args: readonly string[], options: HookdexOptions): RunningHookdex {
  const child = spawn(process.execPath, ['--', HOOKDEX_BIN, ...args], {
    cwd: options.cwd,
    // An `undefined` in options.env unsets the variable.
    env: Object.fromEntries(
      Object.entries({ ...process.env, NO_COLOR: '1', ...options.env }).filter(
        ([, value]) => value !== undefined,
      ),
    ),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  const listeners = new Set<() => void>();
  child.stdout?.on('data', (chunk: Buffer) => {
    stdout += chunk.toString();
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
    for (const listener of listeners) listener();
  });
  const exited = new Promise<HookdexResult>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => {
      for (const listener of listeners) listener();
      resolve({ code, stdout, stderr });
    });
  });
  return {
    child,
    output: () => ({ stdout, stderr }),
    exited,
    waitForLog(pattern, timeoutMs = 20_000) {
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          listeners.delete(check);
          reject(new Error(`No log line matched ${pattern} within ${timeoutMs} ms. Logs:\n${stderr}`));
        }, timeoutMs);
        const check = () => {
          if (pattern.test(stderr)) {
            clearTimeout(timer);
            listeners.delete(check);
            resolve();
          } else if (child.exitCode !== null || child.signalCode !== null) {
            clearTimeout(timer);
            listeners.delete(check);
            reject(
              new Error(`hookdex exited (${child.exitCode}) before logging ${pattern}. Logs:\n${stderr}`),
            );
          }
        };
        listeners.add(check);
        check();
      });
    },
  };
}

/** Runs `hookdex <args>` to completion. */
export function hookdex(args: readonly string[], options: HookdexOptions): Promise<HookdexResult> {
  return startHookdex(args, options).exited;
}
