export { quoteIdentifier } from '../database/create-data-source.js';

/** An SQL string literal (standard quoting, as both SQLite and PostgreSQL read it). */
export function quoteLiteral(text: string): string {
  return `'${text.replaceAll("'", "''")}'`;
}

/**
 * Joins `parts` with a binary `operator` as a balanced tree of parentheses, so a wide table's
 * expression stays within SQLite's expression depth limit (1000 by default): a left-deep chain of
 * `||` or `OR` over a few hundred columns would not.
 */
export function balanced(parts: readonly string[], operator: string): string {
  if (parts.length === 0) throw new Error('balanced() needs at least one part.');
  if (parts.length === 1) return parts[0]!;
  const middle = Math.ceil(parts.length / 2);
  return `(${balanced(parts.slice(0, middle), operator)} ${operator} ${balanced(parts.slice(middle), operator)})`;
}
