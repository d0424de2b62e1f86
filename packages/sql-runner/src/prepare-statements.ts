import type { Dialect } from './dialect.js';
import { type ScriptLocation, SqlRunnerError } from './errors.js';
import type { PreparedStatement } from './execute/prepared-statement.js';
import type { LoadedScript } from './load-scripts.js';
import { bindStatement, describeLocation, missingParameterNames } from './parameters/bind-statement.js';
import type { SqlParameters } from './parameters/to-driver-value.js';

/**
 * Binds every statement of every script before anything runs, so a missing or unsupported
 * parameter never leaves a script half-applied. Missing names are reported together.
 */
export function prepareStatements(
  scripts: readonly LoadedScript[],
  params: SqlParameters,
  dialect: Dialect,
): PreparedStatement[] {
  const missing = new Map<string, ScriptLocation>();
  for (const { file, statements } of scripts) {
    for (const statement of statements) {
      for (const name of missingParameterNames(statement, params)) {
        if (!missing.has(name)) {
          missing.set(name, { file: file.displayPath, statement: statement.index, line: statement.line });
        }
      }
    }
  }
  if (missing.size > 0) {
    const names = [...missing.keys()];
    const [firstLocation] = missing.values();
    throw new SqlRunnerError(
      'MISSING_PARAMETER',
      `Missing values for ${[...missing]
        .map(([name, location]) => `:${name} (${describeLocation(location)})`)
        .join(', ')}. Pass them in the parameters object (null for SQL NULL); nothing was run.`,
      { parameters: names, location: firstLocation },
    );
  }
  const converted = new Map<string, unknown>();
  const prepared: PreparedStatement[] = [];
  for (const { file, statements } of scripts) {
    const context = { dialect, file: file.displayPath, converted };
    for (const statement of statements) {
      const bound = bindStatement(statement, params, context);
      prepared.push({ file: file.displayPath, statement, text: bound.text, values: bound.values });
    }
  }
  return prepared;
}
