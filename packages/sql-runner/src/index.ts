export type { BoundParameters } from './bind-parameters.js';
export { bindParameters } from './bind-parameters.js';
export type { Dialect } from './dialect.js';
export type {
  ScriptLocation,
  SqlRunnerErrorCode,
  SqlRunnerErrorOptions,
  SqlScriptErrorDetails,
} from './errors.js';
export { InitializationRequiredError, SqlRunnerError, SqlScriptError } from './errors.js';
export type { DecimalLike, SqlParameters, SqlParameterValue } from './parameters/to-driver-value.js';
export type { SplitStatementsOptions, SqlStatement } from './split-statements.js';
export { splitStatements } from './split-statements.js';
export type { ExecuteSqlOptions, ExecuteSqlResult, SqlRunnerOptions } from './sql-runner.js';
export { SqlRunner } from './sql-runner.js';
