import { describeThrown, SqlScriptError } from '../errors.js';
import { excerptOf } from '../excerpt.js';
import { describeLocation } from '../parameters/bind-statement.js';
import { locationOf, type PreparedStatement } from './prepared-statement.js';

interface DriverErrorFields {
  code?: unknown;
  detail?: unknown;
  hint?: unknown;
  position?: unknown;
  driverError?: unknown;
}

/** Wraps a database error in a `SqlScriptError` naming the file, statement and line. */
export function statementFailed(statement: PreparedStatement, error: unknown): SqlScriptError {
  // NOTE: TypeORM wraps driver errors in QueryFailedError; the driver's own fields are what matter.
  const wrapped = error as DriverErrorFields | null;
  const driverError = (
    typeof wrapped === 'object' && wrapped !== null && wrapped.driverError !== undefined
      ? wrapped.driverError
      : error
  ) as DriverErrorFields | null;
  const fields: DriverErrorFields =
    typeof driverError === 'object' && driverError !== null ? driverError : {};
  const databaseMessage = describeThrown(driverError);
  const databaseCode = typeof fields.code === 'string' ? fields.code : undefined;
  const location = locationOf(statement);
  const source = statement.statement.text;
  const errorLine = lineOfPosition(statement, fields.position);
  const lines = [
    `Statement failed in ${describeLocation(location)}: ${databaseMessage}` +
      (errorLine !== undefined && errorLine !== location.line ? ` (at line ${errorLine})` : ''),
    `  Statement: ${excerptOf(source)}`,
  ];
  if (typeof fields.detail === 'string') lines.push(`  Detail: ${fields.detail}`);
  if (typeof fields.hint === 'string') lines.push(`  Hint: ${fields.hint}`);
  lines.push(
    '  Fix the statement and run the script again. Statements before it stay applied unless an ' +
      'enclosing transaction is rolled back.',
  );
  return new SqlScriptError(lines.join('\n'), {
    code: 'STATEMENT_FAILED',
    location,
    excerpt: excerptOf(source),
    databaseMessage,
    databaseCode,
    cause: error,
  });
}

/** PostgreSQL reports a 1-based character position in the statement; turn it into a file line. */
function lineOfPosition(statement: PreparedStatement, position: unknown): number | undefined {
  const offset = typeof position === 'string' ? Number.parseInt(position, 10) : Number.NaN;
  if (!Number.isInteger(offset) || offset < 1 || offset > statement.text.length + 1) return undefined;
  // NOTE: binding replaces `:name` by `$n` on the same line, so line breaks match the source.
  let line = statement.statement.line;
  for (let index = statement.text.indexOf('\n'); index !== -1 && index < offset - 1; ) {
    line++;
    index = statement.text.indexOf('\n', index + 1);
  }
  return line;
}
