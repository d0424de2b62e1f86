/** What a masked value is replaced with. */
export const MASK = '***';

/** Keys whose values are secrets, wherever they appear in the configuration. */
export const SECRET_KEY = /password|passwd|secret|token|api_?key|private/i;

// `scheme://user:password@host`: only the password goes.
const URL_PASSWORD = /\b([a-z][a-z0-9+.-]*:\/\/[^\s:/@]*):([^\s@/]+)@/gi;

/** Masks the password part of every URL in `text`: `postgres://user:***@host/db`. */
export function maskUrlPasswords(text: string): string {
  return text.replace(URL_PASSWORD, `$1:${MASK}@`);
}

/**
 * A copy of `value` with secrets masked: the value of every key that looks secret (`password`,
 * `api_key`, `token`...), the passwords in URLs, and any occurrence of the `secretValues` (values
 * of environment variables known to be secrets) inside strings.
 */
export function maskSecrets(value: unknown, secretValues: readonly string[] = [], key?: string): unknown {
  if (key !== undefined && SECRET_KEY.test(key) && value !== null && value !== undefined && value !== '') {
    return typeof value === 'object' ? maskSecrets(value, secretValues) : MASK;
  }
  if (typeof value === 'string') return maskString(value, secretValues);
  if (Array.isArray(value)) return value.map((item) => maskSecrets(item, secretValues));
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(
      Object.entries(value).map(([entryKey, item]) => [entryKey, maskSecrets(item, secretValues, entryKey)]),
    );
  }
  return value;
}

function maskString(text: string, secretValues: readonly string[]): string {
  let masked = maskUrlPasswords(text);
  // NOTE: very short values (`1`, `on`) would mask unrelated text; they are masked by key only.
  for (const secret of secretValues) {
    if (secret.length >= 4) masked = masked.split(secret).join(MASK);
  }
  return masked;
}
