import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { DataSource } from 'typeorm';
import type { Dialect } from '../dialect.js';

/** A database a suite runs against, and how to get rid of it. */
export interface TestDatabase {
  readonly dialect: Dialect;
  readonly dataSource: DataSource;
  close(): Promise<void>;
}

/** One kind of database: SQLite in memory or in a file, or PostgreSQL in a schema of its own. */
export interface DatabaseTarget {
  readonly name: string;
  readonly dialect: Dialect;
  open(): Promise<TestDatabase>;
}

/** `DATABASE_URL`, when the PostgreSQL suites should run. */
export const DATABASE_URL = process.env.DATABASE_URL;

export const SQLITE_MEMORY: DatabaseTarget = {
  name: 'SQLite :memory:',
  dialect: 'sqlite',
  async open() {
    const dataSource = await new DataSource({ type: 'better-sqlite3', database: ':memory:' }).initialize();
    return { dialect: 'sqlite', dataSource, close: () => dataSource.destroy() };
  },
};

export const SQLITE_FILE: DatabaseTarget = {
  name: 'SQLite file',
  dialect: 'sqlite',
  async open() {
    const directory = await mkdtemp(path.join(tmpdir(), 'hookdex-sql-runner-db-'));
    const dataSource = await new DataSource({
      type: 'better-sqlite3',
      database: path.join(directory, 'test.sqlite'),
    }).initialize();
    return {
      dialect: 'sqlite',
      dataSource,
      async close() {
        await dataSource.destroy();
        await rm(directory, { recursive: true, force: true });
      },
    };
  },
};

export const POSTGRES: DatabaseTarget = {
  name: 'PostgreSQL',
  dialect: 'postgres',
  async open() {
    if (DATABASE_URL === undefined) throw new Error('DATABASE_URL is not set');
    // NOTE: one schema per opened database, so test files running in parallel never share tables.
    const schema = `sqlrunner_${randomBytes(6).toString('hex')}`;
    const admin = new pg.Client({ connectionString: DATABASE_URL });
    await admin.connect();
    await admin.query(`CREATE SCHEMA ${schema}`);
    await admin.end();
    const dataSource = await new DataSource({
      type: 'postgres',
      url: DATABASE_URL,
      extra: { options: `-c search_path=${schema}` },
    }).initialize();
    return {
      dialect: 'postgres',
      dataSource,
      async close() {
        await dataSource.query(`DROP SCHEMA ${schema} CASCADE`);
        await dataSource.destroy();
      },
    };
  },
};

/** The SQLite targets always; PostgreSQL is added by suites under `describe.skipIf(!DATABASE_URL)`. */
export const SQLITE_TARGETS: readonly DatabaseTarget[] = [SQLITE_MEMORY, SQLITE_FILE];
