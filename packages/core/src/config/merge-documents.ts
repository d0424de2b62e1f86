import type { ConfigDocument } from './read-config-file.js';

/** A step in a path through the document: a mapping key or a list index. */
export type PathSegment = string | number;

/** Several files merged into one document, remembering which file set what. */
export interface MergedDocument {
  readonly value: Record<string, unknown>;
  /**
   * The file that last set `path`; for a path that does not exist (a missing key), the file that
   * last set its nearest existing ancestor.
   */
  originOf(path: readonly PathSegment[]): string;
}

/**
 * Merges documents in order: mappings merge key by key, recursively; anything else (lists,
 * scalars, null) in a later file replaces what was there.
 */
export function mergeDocuments(documents: readonly ConfigDocument[]): MergedDocument {
  let value: Record<string, unknown> = {};
  for (const document of documents) value = mergeValues(value, document.value) as Record<string, unknown>;
  const fallback = documents.at(-1)?.file ?? '';
  return {
    value,
    originOf(path) {
      let existing = [...path];
      while (existing.length > 0 && !hasPath(value, existing)) existing = existing.slice(0, -1);
      // NOTE: a path that exists after merging holds the value of the last file that contains it:
      // a later file can only remove it by replacing an ancestor, and then it would not exist.
      for (let index = documents.length - 1; index >= 0; index--) {
        const document = documents[index]!;
        if (hasPath(document.value, existing)) return document.file;
      }
      return fallback;
    },
  };
}

function mergeValues(base: unknown, override: unknown): unknown {
  if (!isMapping(base) || !isMapping(override)) return override;
  const result: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(base)) setOwn(result, key, item);
  for (const [key, item] of Object.entries(override)) {
    setOwn(result, key, Object.hasOwn(base, key) ? mergeValues(base[key], item) : item);
  }
  return result;
}

/** True when `path` leads to a value (null included) inside `root`. */
export function hasPath(root: unknown, path: readonly PathSegment[]): boolean {
  let current: unknown = root;
  for (const segment of path) {
    if (typeof segment === 'number' ? !Array.isArray(current) : !isMapping(current)) return false;
    if (!Object.hasOwn(current as object, segment)) return false;
    current = (current as Record<PropertyKey, unknown>)[segment];
  }
  return true;
}

/** The value at `path`, or undefined. */
export function valueAt(root: unknown, path: readonly PathSegment[]): unknown {
  let current: unknown = root;
  for (const segment of path) {
    if (typeof segment === 'number' ? !Array.isArray(current) : !isMapping(current)) return undefined;
    current = Object.hasOwn(current as object, segment)
      ? (current as Record<PropertyKey, unknown>)[segment]
      : undefined;
  }
  return current;
}

/** A YAML mapping read as a plain object. */
export function isMapping(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof Date);
}

// NOTE: a key named `__proto__` stays an ordinary own key instead of changing the prototype.
function setOwn(target: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}
