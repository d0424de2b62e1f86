import { assertDialect, type Dialect } from './dialect.js';
import { SqlRunnerError } from './errors.js';
import { scanScript } from './scan/scan-script.js';

/** Options of `splitStatements`. */
export interface SplitStatementsOptions {
  readonly dialect: Dialect;
  /** Names the script in error messages (default `<script>`). */
  readonly file?: string;
}

/** One statement of a script. */
export interface SqlStatement {
  /** The statement without its `;` and without leading or trailing whitespace and comments. */
  readonly text: string;
  /** 1-based line of the statement's first non-blank, non-comment character. */
  readonly line: number;
  /** 1-based number of the statement in the script, as error messages count them. */
  readonly index: number;
}

/**
 * Splits a script into statements, correctly for the dialect: quotes, `E''` strings, dollar quotes,
 * nested comments and trigger or routine bodies never split. Empty and comment-only statements are
 * dropped. Throws `SqlScriptError` (`SYNTAX_ERROR`) for an unterminated quote or comment.
 */
export function splitStatements(text: string, options: SplitStatementsOptions): SqlStatement[] {
  assertDialect(options?.dialect, 'splitStatements');
  if (typeof text !== 'string') {
    throw new SqlRunnerError(
      'INVALID_OPTION',
      `splitStatements: expected the script text as a string, found ${typeof text}.`,
    );
  }
  return scanScript(text, options).map(({ text: statementText, line, index }) => ({
    text: statementText,
    line,
    index,
  }));
}
