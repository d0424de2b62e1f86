import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'vitest';
import type { HookdexConfig } from '../config-types.js';
import { loadConfig } from '../load-config.js';

/** The seed fixtures beside this file. */
export const fixture = (name: string): string => fileURLToPath(new URL(name, import.meta.url));

/** A temporary directory of configuration files, written by tests. */
export interface ConfigDirectory {
  readonly root: string;
  /** Writes `name` and returns its absolute path. */
  write(name: string, text: string): Promise<string>;
  /** Writes each file, then loads them in order. */
  load(files: Record<string, string>, env?: Record<string, string | undefined>): Promise<HookdexConfig>;
  remove(): Promise<void>;
}

export async function createConfigDirectory(): Promise<ConfigDirectory> {
  const root = await mkdtemp(path.join(tmpdir(), 'hookdex-config-'));
  const write = async (name: string, text: string) => {
    const file = path.join(root, name);
    await writeFile(file, text);
    return file;
  };
  return {
    root,
    write,
    async load(files, env = {}) {
      const paths: string[] = [];
      for (const [name, text] of Object.entries(files)) paths.push(await write(name, text));
      return loadConfig(paths, { env });
    },
    remove: () => rm(root, { recursive: true, force: true }),
  };
}

/** What a thrown error must say. */
export interface ExpectedProblem {
  readonly name?: 'ConfigurationError' | 'CallbackTypeError';
  /** The file name (compared with the end of the error's path). */
  readonly file?: string;
  readonly path?: string;
  /** Fragments the message must contain, in addition to file and path. */
  readonly message?: readonly string[];
}

/** Awaits a rejection and checks its class, file, path and message fragments; returns the error. */
export async function expectProblem(promise: Promise<unknown>, expected: ExpectedProblem): Promise<Error> {
  const error = await promise.then(
    () => undefined,
    (thrown: unknown) => thrown,
  );
  expect(error).toBeInstanceOf(Error);
  const actual = error as Error & { file?: string; path?: string };
  expect(actual.name).toBe(expected.name ?? 'ConfigurationError');
  if (expected.file !== undefined) expect(actual.message).toContain(`${path.sep}${expected.file}: `);
  if (expected.file !== undefined && actual.name === 'ConfigurationError') {
    expect(actual.file?.endsWith(`${path.sep}${expected.file}`)).toBe(true);
  }
  if (expected.path !== undefined) {
    expect(actual.path).toBe(expected.path);
    expect(actual.message).toContain(`: ${expected.path}: `);
  }
  for (const fragment of expected.message ?? []) expect(actual.message).toContain(fragment);
  return actual;
}
