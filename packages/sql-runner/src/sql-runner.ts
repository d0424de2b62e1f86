import path from 'node:path';
import type { DataSource, QueryRunner } from 'typeorm';
import { type Dialect, dialectOfType } from './dialect.js';
import { SqlRunnerError } from './errors.js';
import { executeStatements } from './execute/execute-statements.js';
import type { PreparedStatement } from './execute/prepared-statement.js';
import { statementFailed } from './execute/statement-failed.js';
import { type LoadedScript, loadScripts, type ScriptCache } from './load-scripts.js';
import type { SqlParameters } from './parameters/to-driver-value.js';
import { prepareStatements } from './prepare-statements.js';
import type { ScriptRoot } from './resolve-scripts.js';

/** Options of `new SqlRunner()`. */
export interface SqlRunnerOptions {
  /** The scripts' root directory (in a hookdex project, `sql/`); relative paths resolve against the cwd. */
  readonly root: string;
  /** An initialised TypeORM DataSource of type `postgres`, `better-sqlite3` or `sqlite`. */
  readonly dataSource: DataSource;
  /**
   * PostgreSQL only: send runs of parameterless statements in one round trip (default `true`). Turn
   * it off for scripts whose statements have effects a rollback does not undo (see the README).
   */
  readonly batch?: boolean;
}

/** Options of `executeSql` and `executeSqlQuery`. */
export interface ExecuteSqlOptions {
  /**
   * Run on this QueryRunner's connection, inside whatever transaction is open on it. Without it the
   * runner takes a connection from the DataSource, runs in autocommit and releases it.
   */
  readonly queryRunner?: QueryRunner;
}

/** What `executeSql` ran. */
export interface ExecuteSqlResult {
  /** The files that ran, relative to the root, in the order they ran. */
  readonly files: readonly string[];
  /** How many statements ran, over all files. */
  readonly statements: number;
}

/** Runs the SQL scripts below a root directory through a TypeORM DataSource. */
export class SqlRunner {
  /** The root as given. */
  readonly root: string;
  readonly dialect: Dialect;
  readonly #scriptRoot: ScriptRoot;
  readonly #dataSource: DataSource;
  readonly #batch: boolean;
  readonly #cache: ScriptCache = new Map();

  constructor(options: SqlRunnerOptions) {
    if (typeof options?.root !== 'string' || options.root.trim() === '') {
      throw new SqlRunnerError(
        'INVALID_OPTION',
        `new SqlRunner(): expected options.root to be the scripts' directory, found ${JSON.stringify(options?.root)}.`,
      );
    }
    const type = (options.dataSource as { options?: { type?: unknown } } | undefined)?.options?.type;
    if (type === undefined) {
      throw new SqlRunnerError(
        'INVALID_OPTION',
        'new SqlRunner(): expected options.dataSource to be a TypeORM DataSource, found ' +
          `${options.dataSource === undefined ? 'undefined' : typeof options.dataSource}.`,
      );
    }
    if (options.batch !== undefined && typeof options.batch !== 'boolean') {
      throw new SqlRunnerError(
        'INVALID_OPTION',
        `new SqlRunner(): expected options.batch to be a boolean, found ${JSON.stringify(options.batch)}.`,
      );
    }
    this.root = options.root;
    this.dialect = dialectOfType(type);
    this.#scriptRoot = { absolute: path.resolve(options.root), display: options.root };
    this.#dataSource = options.dataSource;
    this.#batch = options.batch ?? true;
  }

  /** The files `executeSql(name)` would run, relative to the root, in order; files with no statement are left out. */
  async listScripts(name: string): Promise<string[]> {
    const scripts = await this.#load(name);
    return scripts.map((script) => script.file.name);
  }

  /**
   * Runs every statement of every `.sql` file `name` resolves to, binding `:name` placeholders from
   * `params`. Everything is split and bound before the first statement runs.
   */
  async executeSql(
    name: string,
    params?: SqlParameters,
    options?: ExecuteSqlOptions,
  ): Promise<ExecuteSqlResult> {
    const scripts = await this.#load(name);
    const statements = prepareStatements(scripts, checkParams(params), this.dialect);
    await this.#withQueryRunner(options, (queryRunner) =>
      executeStatements(queryRunner, statements, { dialect: this.dialect, batch: this.#batch }),
    );
    return { files: scripts.map((script) => script.file.name), statements: statements.length };
  }

  /** Runs the single statement of one query file and returns its rows. */
  async executeSqlQuery<Row extends object = Record<string, unknown>>(
    name: string,
    params?: SqlParameters,
    options?: ExecuteSqlOptions,
  ): Promise<Row[]> {
    const scripts = await this.#load(name);
    assertSingleQuery(name, scripts, this.#scriptRoot);
    const [statement] = prepareStatements(scripts, checkParams(params), this.dialect) as [PreparedStatement];
    return this.#withQueryRunner(options, async (queryRunner) => {
      try {
        const values = statement.values === undefined ? [] : [...statement.values];
        const result = await queryRunner.query(statement.text, values, true);
        return (result.records ?? []) as Row[];
      } catch (error) {
        throw statementFailed(statement, error);
      }
    });
  }

  #load(name: string): Promise<LoadedScript[]> {
    return loadScripts(this.#scriptRoot, name, { dialect: this.dialect, cache: this.#cache });
  }

  async #withQueryRunner<Result>(
    options: ExecuteSqlOptions | undefined,
    run: (queryRunner: QueryRunner) => Promise<Result>,
  ): Promise<Result> {
    const provided = options?.queryRunner;
    if (provided !== undefined) {
      this.#checkQueryRunner(provided);
      return run(provided);
    }
    if (!this.#dataSource.isInitialized) {
      throw new SqlRunnerError(
        'DATA_SOURCE_NOT_INITIALIZED',
        'The DataSource given to SqlRunner is not initialised; await dataSource.initialize() before running scripts.',
      );
    }
    const queryRunner = this.#dataSource.createQueryRunner();
    try {
      return await run(queryRunner);
    } finally {
      await queryRunner.release();
    }
  }

  #checkQueryRunner(queryRunner: QueryRunner): void {
    if (queryRunner.isReleased) {
      throw new SqlRunnerError(
        'INVALID_OPTION',
        'options.queryRunner was already released; pass a QueryRunner that is still open, or omit it to run in autocommit.',
      );
    }
    const type = queryRunner.connection?.options?.type;
    if (dialectOfType(type) !== this.dialect) {
      throw new SqlRunnerError(
        'INVALID_OPTION',
        `options.queryRunner belongs to a '${type}' DataSource, but this runner was created for ` +
          `'${this.#dataSource.options.type}'; pass a QueryRunner of the runner's DataSource.`,
      );
    }
  }
}

function checkParams(params: SqlParameters | undefined): SqlParameters {
  if (params === undefined || params === null) return {};
  if (typeof params !== 'object' || Array.isArray(params)) {
    throw new SqlRunnerError(
      'INVALID_OPTION',
      `Expected params to be an object of values by name ({ day: new Date() } for :day), found ${
        Array.isArray(params) ? 'an array' : typeof params
      }.`,
    );
  }
  return params;
}

function assertSingleQuery(name: string, scripts: readonly LoadedScript[], root: ScriptRoot): void {
  const [script] = scripts;
  if (script === undefined) {
    throw new SqlRunnerError(
      'NOT_A_SINGLE_QUERY',
      `executeSqlQuery("${name}"): expected one query, found no statement in ${path.join(root.display, name)}. ` +
        'Write the query in the file.',
    );
  }
  if (scripts.length > 1) {
    throw new SqlRunnerError(
      'NOT_A_SINGLE_QUERY',
      `executeSqlQuery("${name}"): expected one query file, found ${scripts.length} files with statements: ` +
        `${scripts.map((each) => each.file.displayPath).join(', ')}. Name one file, or use executeSql() for scripts.`,
    );
  }
  const extra = script.statements[1];
  if (extra !== undefined) {
    const location = { file: script.file.displayPath, statement: extra.index, line: extra.line };
    throw new SqlRunnerError(
      'NOT_A_SINGLE_QUERY',
      `executeSqlQuery("${name}"): expected one statement, found ${script.statements.length} in ` +
        `${script.file.displayPath}; the second is statement ${extra.index} (line ${extra.line}). ` +
        'Keep one query per file, or use executeSql() for scripts.',
      { location },
    );
  }
}
