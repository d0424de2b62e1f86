import { assertDialect, type Dialect } from './dialect.js';
import { SqlRunnerError } from './errors.js';
import { bindStatement, describeLocation, missingParameterNames } from './parameters/bind-statement.js';
import type { SqlParameters } from './parameters/to-driver-value.js';
import { scanScript } from './scan/scan-script.js';

/** The result of `bindParameters`: driver text and values in placeholder order. */
export interface BoundParameters {
  /** The statement as `splitStatements` returns it, with `:name` replaced by `$n` or `?`. */
  readonly text: string;
  readonly values: unknown[];
}

/**
 * Binds the `:name` placeholders of one statement: `$n` on PostgreSQL (a repeated name reuses its
 * number), `?` on SQLite. Casts (`x::int`), `:=`, strings, quoted identifiers, comments and
 * dollar-quoted bodies are left alone. Throws `MISSING_PARAMETER`, `INVALID_PARAMETER` or
 * `INVALID_PLACEHOLDER`.
 */
export function bindParameters(
  statementText: string,
  params: SqlParameters,
  dialect: Dialect,
): BoundParameters {
  assertDialect(dialect, 'bindParameters');
  const file = '<statement>';
  const statements = scanScript(statementText, { dialect, file });
  if (statements.length > 1) {
    throw new SqlRunnerError(
      'INVALID_OPTION',
      `bindParameters: expected one statement, found ${statements.length}; split the script with ` +
        'splitStatements() and bind each statement.',
    );
  }
  const [statement] = statements;
  if (statement === undefined) return { text: '', values: [] };
  const location = { file, statement: 1, line: statement.line };
  const missing = missingParameterNames(statement, params ?? {});
  if (missing.length > 0) {
    throw new SqlRunnerError(
      'MISSING_PARAMETER',
      `Missing values for ${missing.map((name) => `:${name}`).join(', ')} in ${describeLocation(location)}; ` +
        'pass them in the parameters object (null for SQL NULL).',
      { parameters: missing, location },
    );
  }
  const bound = bindStatement(statement, params, { dialect, file, converted: new Map() });
  return { text: bound.text, values: bound.values === undefined ? [] : [...bound.values] };
}
