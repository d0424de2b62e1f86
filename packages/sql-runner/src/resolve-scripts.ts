import type { Dirent, Stats } from 'node:fs';
import { readdir, realpath, stat } from 'node:fs/promises';
import path from 'node:path';
import { InitializationRequiredError, SqlRunnerError } from './errors.js';

/** One `.sql` file a name resolved to. */
export interface ScriptFile {
  /** Path relative to the scripts' root, with `/` separators: what `listScripts` returns. */
  readonly name: string;
  /** Absolute path, for reading. */
  readonly absolutePath: string;
  /** The root as the caller gave it joined with `name`: what messages show. */
  readonly displayPath: string;
}

/** Where scripts live. */
export interface ScriptRoot {
  readonly absolute: string;
  /** The root as the caller wrote it (`sql`), for messages. */
  readonly display: string;
}

/**
 * Resolves a hook directory (`calculate_stats`), a nested one (`stats.daily` or `stats/daily`) or a
 * file (`calculate_stats/10_top.sql`) to its `.sql` files in sorted full-path order. Dots in
 * directory names mean nesting, as in hook names; a directory literally named with a dot is the
 * fallback. A name that exists nowhere is an `InitializationRequiredError`.
 */
export async function resolveScripts(root: ScriptRoot, name: string): Promise<ScriptFile[]> {
  const candidates = candidatePaths(name);
  for (const segments of candidates) {
    const relative = segments.join('/');
    const absolutePath = path.join(root.absolute, ...segments);
    const stats = await statOrUndefined(absolutePath, path.join(root.display, relative));
    if (stats === undefined) continue;
    if (stats.isDirectory()) {
      const names = await collectSqlFiles(absolutePath, relative, new Set());
      names.sort(compareOrdinal);
      return names.map((fileName) => ({
        name: fileName,
        absolutePath: path.join(root.absolute, ...fileName.split('/')),
        displayPath: path.join(root.display, ...fileName.split('/')),
      }));
    }
    if (!relative.endsWith('.sql')) {
      throw new SqlRunnerError(
        'INVALID_NAME',
        `Expected "${name}" to name a hook directory or a .sql file, found the file ` +
          `${path.join(root.display, relative)}. Name its directory, or give the script a .sql extension.`,
      );
    }
    return [{ name: relative, absolutePath, displayPath: path.join(root.display, relative) }];
  }
  const searched = candidates.map((segments) => path.join(root.display, ...segments));
  const [first] = searched;
  throw new InitializationRequiredError(
    `SQL scripts for "${name}" not found: looked for ${searched.join(' and ')}. Run \`hookdex init\` to ` +
      `create the sql/<hook>/ directories, or create ${first} yourself.`,
    { path: first ?? root.display, searched },
  );
}

/** The relative paths a name may mean, most likely first; rejects names that leave the root. */
function candidatePaths(name: string): string[][] {
  if (typeof name !== 'string' || name.trim() === '' || name.includes('\0')) {
    throw new SqlRunnerError(
      'INVALID_NAME',
      `Expected a script name such as "calculate_stats", "stats.daily" or "calculate_stats/10_top.sql", ` +
        `found ${JSON.stringify(name)}.`,
    );
  }
  if (path.isAbsolute(name) || path.win32.isAbsolute(name)) {
    throw new SqlRunnerError(
      'INVALID_NAME',
      `Expected a script name relative to the scripts' root, found the absolute path "${name}". ` +
        'Name the hook directory or file below the root instead.',
    );
  }
  const literal = name.split(/[\\/]/).filter((segment) => segment !== '' && segment !== '.');
  if (literal.includes('..') || literal.length === 0) {
    throw new SqlRunnerError(
      'INVALID_NAME',
      `Expected a script name below the scripts' root, found "${name}", which leaves it. Remove the ".." segments.`,
    );
  }
  // NOTE: `stats.daily` is the hook `daily` nested in `stats` (sql/stats/daily/); a final segment
  // ending in .sql is a file name and keeps its dots.
  const nested = literal.flatMap((segment, index) =>
    index === literal.length - 1 && segment.endsWith('.sql') ? [segment] : segment.split('.'),
  );
  const candidates = [nested];
  if (nested.includes('')) candidates.pop();
  if (nested.join('/') !== literal.join('/')) candidates.push(literal);
  return candidates;
}

async function statOrUndefined(absolutePath: string, displayPath: string): Promise<Stats | undefined> {
  try {
    return await stat(absolutePath);
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return undefined;
    throw new SqlRunnerError(
      'READ_FAILED',
      `Could not read ${displayPath}: ${(error as Error).message}. Check that the path is readable.`,
      { cause: error },
    );
  }
}

/** Every `.sql` file below `directory`; follows symbolic links but never into the same directory twice. */
async function collectSqlFiles(directory: string, relative: string, visited: Set<string>): Promise<string[]> {
  let entries: Dirent[];
  try {
    entries = await readdir(directory, { withFileTypes: true });
  } catch (error) {
    throw new SqlRunnerError(
      'READ_FAILED',
      `Could not list ${directory}: ${(error as Error).message}. Check that the directory is readable.`,
      { cause: error },
    );
  }
  const found: string[] = [];
  for (const entry of entries) {
    const entryPath = path.join(directory, entry.name);
    const entryRelative = `${relative}/${entry.name}`;
    let isDirectory = entry.isDirectory();
    let isFile = entry.isFile();
    if (entry.isSymbolicLink()) {
      const target = await stat(entryPath).catch(() => undefined);
      isDirectory = target?.isDirectory() ?? false;
      isFile = target?.isFile() ?? false;
    }
    if (isDirectory && entry.isSymbolicLink()) {
      // NOTE: only a symbolic link can lead back into a directory already listed.
      const real = await realpath(entryPath);
      if (visited.has(real)) continue;
      visited.add(real);
    }
    if (isDirectory) found.push(...(await collectSqlFiles(entryPath, entryRelative, visited)));
    else if (isFile && entry.name.endsWith('.sql')) found.push(entryRelative);
  }
  return found;
}

/** Ordinal (code unit) order: the same on every machine and locale, like `sorted()` in DipDup. */
function compareOrdinal(left: string, right: string): number {
  return left < right ? -1 : left > right ? 1 : 0;
}
