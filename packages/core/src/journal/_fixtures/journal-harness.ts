import type { DataSource, EntitySchema, QueryRunner } from 'typeorm';
import { afterEach, expect } from 'vitest';
import { createProject } from '../../_test/project.js';
import { createDataSource, quoteIdentifier } from '../../database/create-data-source.js';
import { Journal } from '../journal.js';
import { balanced } from '../sql-text.js';

export type DatabaseKind = 'sqlite' | 'postgres';

/** SQL for a level: `?` placeholders (rewritten to `$n` on PostgreSQL). */
export type Sql = (text: string, parameters?: unknown[]) => Promise<unknown>;

/** Every project table: its rows as the driver returns them, and each row's exact text. */
export type Snapshot = Record<string, { rows: Array<Record<string, unknown>>; text: string[] }>;

export interface JournalHarness {
  kind: DatabaseKind;
  /** The PostgreSQL schema of the test, or `main` on SQLite. */
  schema: string;
  dataSource: DataSource;
  journal: Journal;
  /** The SQLite or the PostgreSQL variant. */
  pick<T>(variants: { sqlite: T; postgres: T }): T;
  /** Runs statements one by one, in autocommit. */
  exec(...statements: string[]): Promise<void>;
  /** One query in autocommit, `?` placeholders. */
  query<T = Record<string, unknown>>(text: string, parameters?: unknown[]): Promise<T[]>;
  /** A transaction without journaling. */
  transaction<T>(work: (queryRunner: QueryRunner, sql: Sql) => Promise<T>): Promise<T>;
  /** A level transaction: `begin`, the work, `end`, commit. */
  level(
    index: string,
    level: number,
    work: (sql: Sql, queryRunner: QueryRunner) => Promise<unknown>,
  ): Promise<void>;
  /** `revert` in a transaction of its own. */
  revert(index: string, toLevel: number): Promise<number>;
  snapshot(): Promise<Snapshot>;
  close(): Promise<void>;
}

/** A fresh database (createProject), the schema made of `ddl`, and an installed journal. */
export async function createHarness(
  kind: DatabaseKind,
  options: {
    ddl: { sqlite: string[]; postgres: string[] };
    immuneTables?: string[];
    entities?: EntitySchema[];
  },
): Promise<JournalHarness> {
  const project = createProject(kind);
  const schema = project.database.kind === 'postgres' ? project.database.schema : 'main';
  const dataSource = createDataSource({
    database: project.database,
    projectDir: project.dir,
    entities: options.entities ?? [],
  });
  await dataSource.initialize().catch(async (error: unknown) => {
    await project.cleanup();
    throw error;
  });
  const placeholders = (text: string) => (kind === 'sqlite' ? text : numbered(text));
  const sqlOf =
    (queryRunner: QueryRunner): Sql =>
    (text, parameters = []) =>
      queryRunner.query(placeholders(text), parameters);
  const transaction = async <T>(work: (queryRunner: QueryRunner, sql: Sql) => Promise<T>): Promise<T> => {
    const queryRunner = dataSource.createQueryRunner();
    await queryRunner.connect();
    await queryRunner.startTransaction();
    try {
      const result = await work(queryRunner, sqlOf(queryRunner));
      await queryRunner.commitTransaction();
      return result;
    } catch (error) {
      await queryRunner.rollbackTransaction();
      throw error;
    } finally {
      await queryRunner.release();
    }
  };
  const harness: JournalHarness = {
    kind,
    schema,
    dataSource,
    journal: new Journal(dataSource, {
      dialect: kind,
      schema,
      immuneTables: options.immuneTables ?? [],
    }),
    pick: (variants) => variants[kind],
    async exec(...statements) {
      for (const statement of statements) await dataSource.query(statement);
    },
    query: (text, parameters = []) => dataSource.query(placeholders(text), parameters),
    transaction,
    level: (index, level, work) =>
      transaction(async (queryRunner, sql) => {
        await harness.journal.begin(queryRunner, index, level);
        await work(sql, queryRunner);
        await harness.journal.end(queryRunner);
      }),
    revert: (index, toLevel) =>
      transaction((queryRunner) => harness.journal.revert(queryRunner, index, toLevel)),
    snapshot: () => (kind === 'sqlite' ? sqliteSnapshot(dataSource) : postgresSnapshot(dataSource, schema)),
    async close() {
      await dataSource.destroy();
      await project.cleanup();
    },
  };
  try {
    if (kind === 'postgres') await dataSource.query(`CREATE SCHEMA IF NOT EXISTS ${quoteIdentifier(schema)}`);
    await harness.exec(...options.ddl[kind]);
    if (options.entities !== undefined) await dataSource.synchronize();
    await harness.journal.prepare();
    await harness.journal.install();
  } catch (error) {
    await harness.close();
    throw error;
  }
  return harness;
}

/** Inside `describe`: makes a harness of `kind` with the tables `ddl` creates, closed after each test. */
export function tablesHarness(kind: DatabaseKind): (...ddl: string[]) => Promise<JournalHarness> {
  let harness: JournalHarness | undefined;
  afterEach(async () => {
    await harness?.close();
    harness = undefined;
  });
  return async (...ddl) => {
    harness = await createHarness(kind, { ddl: { sqlite: ddl, postgres: ddl } });
    return harness;
  };
}

/** Inside `describe`: makes a SQLite harness of the tables `ddl` creates, closed after each test. */
export function sqliteHarness(): (...ddl: string[]) => Promise<JournalHarness> {
  return tablesHarness('sqlite');
}

/**
 * Runs `levels` as levels 1..N of `index`, snapshotting after each; reverts to the middle level and
 * to 0, and checks each time that every table equals the snapshot of that level exactly and that the
 * journal kept only what it should. Returns the snapshots.
 */
export async function checkLevels(
  harness: JournalHarness,
  levels: Array<(sql: Sql, queryRunner: QueryRunner) => Promise<unknown>>,
  index = 'main',
): Promise<Snapshot[]> {
  const snapshots = [await harness.snapshot()];
  for (const [position, work] of levels.entries()) {
    await harness.level(index, position + 1, work);
    const snapshot = await harness.snapshot();
    expect(snapshot, `level ${position + 1} changes something`).not.toEqual(snapshots.at(-1));
    snapshots.push(snapshot);
  }
  const middle = Math.floor(levels.length / 2);
  if (middle > 0) {
    await harness.revert(index, middle);
    expect(await harness.snapshot()).toEqual(snapshots[middle]);
    const levelsKept = new Set((await harness.journal.entries(index)).map((entry) => entry.level));
    expect([...levelsKept].every((level) => level <= middle)).toBe(true);
  }
  expect(await harness.revert(index, 0)).toBeGreaterThan(0);
  expect(await harness.snapshot()).toEqual(snapshots[0]);
  expect(await harness.journal.entries(index)).toEqual([]);
  return snapshots;
}

function numbered(text: string): string {
  let position = 0;
  return text.replaceAll('?', () => `$${++position}`);
}

async function sqliteSnapshot(dataSource: DataSource): Promise<Snapshot> {
  const tables: Array<{ name: string }> = await dataSource.query(
    "SELECT name FROM pragma_table_list WHERE schema = 'main' AND type = 'table' AND name NOT LIKE 'sqlite%' AND name NOT LIKE 'hookdex%' ORDER BY name",
  );
  const snapshot: Snapshot = {};
  for (const { name } of tables) {
    const columns: Array<{ name: string }> = await dataSource.query(
      'SELECT name FROM pragma_table_xinfo(?) ORDER BY cid',
      [name],
    );
    const text = balanced(
      columns.map(
        (column, position) => `${position === 0 ? '' : "'|' || "}quote(${quoteIdentifier(column.name)})`,
      ),
      '||',
    );
    const rows = await dataSource.query(`SELECT *, ${text} AS hookdex_text FROM ${quoteIdentifier(name)}`);
    snapshot[name] = sorted(rows);
  }
  return snapshot;
}

async function postgresSnapshot(dataSource: DataSource, schema: string): Promise<Snapshot> {
  const tables: Array<{ name: string }> = await dataSource.query(
    `SELECT c.relname AS name FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
     WHERE n.nspname = $1 AND c.relkind IN ('r', 'p') AND c.relname NOT LIKE 'hookdex%' ORDER BY c.relname`,
    [schema],
  );
  const snapshot: Snapshot = {};
  for (const { name } of tables) {
    const rows = await dataSource.query(
      `SELECT hookdex_snapshot.*, hookdex_snapshot::text AS hookdex_text FROM ${quoteIdentifier(schema)}.${quoteIdentifier(name)} AS hookdex_snapshot`,
    );
    snapshot[name] = sorted(rows);
  }
  return snapshot;
}

function sorted(rows: Array<Record<string, unknown>>): Snapshot[string] {
  const ordered = [...rows].sort((a, b) => {
    const left = String(a.hookdex_text);
    const right = String(b.hookdex_text);
    return left < right ? -1 : left > right ? 1 : 0;
  });
  return {
    text: ordered.map((row) => String(row.hookdex_text)),
    rows: ordered.map(({ hookdex_text: _text, ...row }) => row),
  };
}
