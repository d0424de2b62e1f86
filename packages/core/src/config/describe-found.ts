const MAX_TEXT = 40;
const MAX_KEYS = 4;

/**
 * A found value as error messages show it: scalars as written (strings quoted and shortened),
 * lists and mappings by their shape, a missing value as `nothing`.
 */
export function describeFound(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (typeof value === 'string') return quote(value);
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint')
    return String(value);
  if (Array.isArray(value)) return value.length === 0 ? 'an empty list' : `a list of ${value.length}`;
  if (value instanceof Date) return `the date ${value.toISOString()}`;
  if (typeof value === 'object') {
    const keys = Object.keys(value);
    if (keys.length === 0) return 'an empty mapping';
    const shown = keys.slice(0, MAX_KEYS).join(', ');
    return `a mapping (${shown}${keys.length > MAX_KEYS ? ', ...' : ''})`;
  }
  return typeof value;
}

/** A string in double quotes, cut short when long. */
export function quote(text: string): string {
  const shortened = text.length > MAX_TEXT ? `${text.slice(0, MAX_TEXT - 3)}...` : text;
  return JSON.stringify(shortened);
}

/** A list of names for messages: `a`, `b` and `c`. */
export function listNames(names: readonly string[], conjunction: 'and' | 'or' = 'or'): string {
  const quoted = names.map((name) => `\`${name}\``);
  if (quoted.length <= 1) return quoted.join('');
  return `${quoted.slice(0, -1).join(', ')} ${conjunction} ${quoted.at(-1)}`;
}
