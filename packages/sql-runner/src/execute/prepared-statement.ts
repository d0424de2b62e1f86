import type { ScriptLocation } from '../errors.js';
import type { ScannedStatement } from '../scan/scan-script.js';

/** A statement split, located and bound, ready to run. */
export interface PreparedStatement {
  /** The file's path as messages show it. */
  readonly file: string;
  /** The statement as written in the file (with `:name`), its line and number. */
  readonly statement: ScannedStatement;
  /** The statement as sent (with `$n` or `?`). */
  readonly text: string;
  /** `undefined` when the statement has no parameter. */
  readonly values: readonly unknown[] | undefined;
}

/** Where a prepared statement comes from; built only when something goes wrong. */
export function locationOf(prepared: PreparedStatement): ScriptLocation {
  return { file: prepared.file, statement: prepared.statement.index, line: prepared.statement.line };
}

/** Reports what runs to the DataSource's logger, so TypeORM's `logging` option still shows it. */
export interface QueryLog {
  query(text: string, values: readonly unknown[] | undefined): void;
  failed(error: unknown, text: string, values: readonly unknown[] | undefined): void;
}
