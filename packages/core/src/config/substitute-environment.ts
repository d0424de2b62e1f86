import { ConfigurationError } from '../errors/errors.js';

/** One environment variable a configuration file refers to. */
export interface EnvironmentVariableUse {
  /** The value substituted (the default applied), or undefined when none was given. */
  value: string | undefined;
  /** The default written in `${NAME:-default}`, if any. */
  default: string | undefined;
  /** Where it is written: file, 1-based line, and the YAML key on that line when there is one. */
  places: Array<{ file: string; line: number; key: string | undefined }>;
}

/** Where substitution happens and what it records. */
export interface SubstitutionOptions {
  /** The file, as messages name it. */
  file: string;
  env: Readonly<Record<string, string | undefined>>;
  /** Receives every variable used, in order of first use. */
  used: Map<string, EnvironmentVariableUse>;
  /** Record an unset variable without a default (substituting nothing) instead of failing. */
  allowUnset?: boolean;
}

// NOTE: `$${NAME}` is the escape for a literal `${NAME}`; the optional leading `$` captures it.
const PLACEHOLDER = /(\$?)\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}\n]*))?\}/g;
// The YAML key on a placeholder's line (`password` in `password: ${PGPASSWORD}`), for `config env`.
const KEY_ON_LINE = /^\s*(?:-\s+)?["']?([^"':#\s][^"':#]*?)["']?\s*:(?:\s|$)/;

/**
 * Replaces `${NAME}` and `${NAME:-default}` in the raw text of a file, before it is parsed, as
 * DipDup does: a substituted value is read by YAML like anything written there, so
 * `interval: ${INTERVAL:-60}` is a number. As in the shell, the default is also used when the
 * variable is set but empty. An unset variable without a default is a `ConfigurationError`.
 */
export function substituteEnvironment(text: string, options: SubstitutionOptions): string {
  return text.replace(
    PLACEHOLDER,
    (match: string, escaped: string, name: string, fallback: string | undefined, offset: number) => {
      if (escaped !== '') return match.slice(1);
      const set = options.env[name];
      const value = set === undefined || (set === '' && fallback !== undefined) ? fallback : set;
      const previous = options.used.get(name);
      const { line } = lineAndColumn(text, offset);
      const key = KEY_ON_LINE.exec(text.split('\n')[line - 1] ?? '')?.[1]?.trim();
      options.used.set(name, {
        value: previous?.value ?? value,
        default: previous?.default ?? fallback,
        places: [...(previous?.places ?? []), { file: options.file, line, key }],
      });
      if (value === undefined) {
        if (options.allowUnset === true) return '';
        const { line, column } = lineAndColumn(text, offset);
        throw new ConfigurationError({
          file: options.file,
          expected: `the environment variable \`${name}\` to be set`,
          found: `\`${match}\` at line ${line}, column ${column}, with \`${name}\` unset`,
          hint: `set \`${name}\`, or give a default: \`\${${name}:-default}\`; \`$\${${name}}\` is a literal \`\${${name}}\``,
        });
      }
      return value;
    },
  );
}

/** 1-based line and column of `offset` in `text`. */
export function lineAndColumn(text: string, offset: number): { line: number; column: number } {
  const before = text.slice(0, offset);
  const lineStart = before.lastIndexOf('\n') + 1;
  return { line: before.split('\n').length, column: offset - lineStart + 1 };
}
