import { readFile, stat } from 'node:fs/promises';
import type { Dialect } from './dialect.js';
import { SqlRunnerError } from './errors.js';
import { resolveScripts, type ScriptFile, type ScriptRoot } from './resolve-scripts.js';
import { type ScannedStatement, scanScript } from './scan/scan-script.js';

/** A script file and its statements; files without statements are never loaded. */
export interface LoadedScript {
  readonly file: ScriptFile;
  readonly statements: readonly ScannedStatement[];
}

/** Split files by absolute path, valid while the file's identity (see `identityOf`) is unchanged. */
export type ScriptCache = Map<
  string,
  { readonly identity: string; readonly statements: readonly ScannedStatement[] }
>;

/**
 * Resolves a name, reads and splits its files, and drops those with no statement. NOTE: hooks run
 * the same scripts on every fire, so split files are cached; a file is read and split again as soon
 * as its size, mtime, ctime or inode changes (ctime changes on every write and cannot be set back).
 */
export async function loadScripts(
  root: ScriptRoot,
  name: string,
  options: { readonly dialect: Dialect; readonly cache: ScriptCache },
): Promise<LoadedScript[]> {
  const files = await resolveScripts(root, name);
  const loaded = await Promise.all(files.map((file) => loadScript(file, options)));
  return loaded.filter((script) => script.statements.length > 0);
}

async function loadScript(
  file: ScriptFile,
  options: { readonly dialect: Dialect; readonly cache: ScriptCache },
): Promise<LoadedScript> {
  try {
    const identity = identityOf(await stat(file.absolutePath));
    const cached = options.cache.get(file.absolutePath);
    if (cached?.identity === identity) return { file, statements: cached.statements };
    const text = await readFile(file.absolutePath, 'utf8');
    const statements = scanScript(text, { dialect: options.dialect, file: file.displayPath });
    options.cache.set(file.absolutePath, { identity, statements });
    return { file, statements };
  } catch (error) {
    if (SqlRunnerError.is(error)) throw error;
    throw new SqlRunnerError(
      'READ_FAILED',
      `Could not read ${file.displayPath}: ${(error as Error).message}. Check that the file is readable.`,
      { cause: error },
    );
  }
}

function identityOf(stats: { size: number; mtimeMs: number; ctimeMs: number; ino: number }): string {
  return `${stats.size}:${stats.mtimeMs}:${stats.ctimeMs}:${stats.ino}`;
}
