import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { DataSource } from 'typeorm';

/** The databases every end-to-end suite runs on: SQLite always, PostgreSQL when DATABASE_URL is set. */
export const DATABASES: Array<{ name: string; kind: 'sqlite' | 'postgres' }> = [
  { name: 'SQLite', kind: 'sqlite' },
  ...(process.env.DATABASE_URL ? [{ name: 'PostgreSQL', kind: 'postgres' as const }] : []),
];

/** A database of its own for one run: an overlay of hookdex.yaml that points at it. */
export interface TestDatabase {
  readonly kind: 'sqlite' | 'postgres';
  /** A temporary directory for this database's files. */
  readonly dir: string;
  /** A configuration file that goes after hookdex.yaml (`-c hookdex.yaml -c <overlay>`). */
  readonly overlay: string;
  /** Runs a query on a connection of its own (the app's may be closed). */
  query<Row = Record<string, unknown>>(sql: string): Promise<Row[]>;
  /** Drops the PostgreSQL schema and removes the directory. */
  cleanup(): Promise<void>;
}

/**
 * A fresh database: a SQLite file in a temporary directory, or a PostgreSQL schema with a unique
 * name. `extra` is appended to the overlay (YAML, for example job intervals).
 */
export function createTestDatabase(kind: 'sqlite' | 'postgres', extra = ''): TestDatabase {
  const dir = mkdtempSync(path.join(tmpdir(), 'example-indexer-'));
  const schema = `example_test_${randomBytes(5).toString('hex')}`;
  const file = path.join(dir, 'example.sqlite');
  const database =
    kind === 'sqlite'
      ? `database:\n  path: ${JSON.stringify(file)}\n`
      : `database:\n  kind: postgres\n  url: ${JSON.stringify(process.env.DATABASE_URL)}\n  schema: ${schema}\n`;
  const overlay = path.join(dir, 'overlay.yaml');
  writeFileSync(overlay, `${database}${extra}`);
  const connect = (): DataSource =>
    kind === 'sqlite'
      ? new DataSource({ type: 'better-sqlite3', database: file })
      : new DataSource({
          type: 'postgres',
          url: process.env.DATABASE_URL,
          extra: { options: `-c search_path=${schema}` },
        });
  return {
    kind,
    dir,
    overlay,
    async query<Row>(sql: string): Promise<Row[]> {
      const dataSource = connect();
      await dataSource.initialize();
      try {
        return (await dataSource.query(sql)) as Row[];
      } finally {
        await dataSource.destroy();
      }
    },
    async cleanup() {
      if (kind === 'postgres') {
        const admin = new DataSource({ type: 'postgres', url: process.env.DATABASE_URL });
        await admin.initialize();
        await admin.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
        await admin.destroy();
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
