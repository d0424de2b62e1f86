import path from 'node:path';

/** Extensions a hook file may have, in the order `hookdex run` prefers them. */
export const HOOK_EXTENSIONS = ['.ts', '.mts', '.js', '.mjs'] as const;

/** The stub `hookdex init` writes for a hook: `stats.daily` -> `hooks/stats/daily.ts` (POSIX separators). */
export function hookFile(name: string): string {
  return `hooks/${name.split('.').join('/')}.ts`;
}

/** The scripts directory of a hook: `stats.daily` -> `sql/stats/daily`. */
export function hookSqlDirectory(name: string): string {
  return `sql/${name.split('.').join('/')}`;
}

/** The function name of a hook's callback: the last segment (`stats.daily` -> `daily`). */
export function hookFunctionName(name: string): string {
  return name.slice(name.lastIndexOf('.') + 1);
}

/**
 * The dotted name of a callback file below a callbacks directory (`hooks/` or `handlers/`):
 * `stats/daily.ts` -> `stats.daily`. Undefined for files that are not callbacks (declarations,
 * tests, other extensions).
 */
export function callbackNameOf(relativeFile: string): string | undefined {
  const posix = relativeFile.split(path.sep).join('/');
  if (/\.d\.[cm]?ts$/.test(posix) || /\.(test|spec)\.[cm]?[jt]s$/.test(posix)) return undefined;
  const extension = HOOK_EXTENSIONS.find((candidate) => posix.endsWith(candidate));
  if (extension === undefined) return undefined;
  return posix.slice(0, -extension.length).split('/').join('.');
}

/**
 * The specifier with which a file at `fromFile` (relative to the project directory) imports
 * `module`: package names stay as they are; paths (`./src/models.js`, relative to the project
 * directory, as in `module:Export` argument types) become relative to the importing file.
 */
export function moduleSpecifierFrom(fromFile: string, module: string): string {
  if (!module.startsWith('.')) return module;
  const relative = path.posix.relative(path.posix.dirname(fromFile), path.posix.normalize(module));
  return relative.startsWith('.') ? relative : `./${relative}`;
}
