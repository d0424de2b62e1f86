import { randomBytes } from 'node:crypto';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';
import { hookdex } from './hookdex.js';

/** The databases the command tests run on: SQLite always, PostgreSQL when DATABASE_URL is set. */
export const DATABASES: Array<{ name: string; kind: 'sqlite' | 'postgres' }> = [
  { name: 'SQLite', kind: 'sqlite' },
  ...(process.env.DATABASE_URL ? [{ name: 'PostgreSQL', kind: 'postgres' as const }] : []),
];

/** A project directory on disk with its own database (a SQLite file, or a PostgreSQL schema). */
export interface FixtureProject {
  readonly dir: string;
  readonly kind: 'sqlite' | 'postgres';
  /** The `database:` section of this project's configuration (YAML, ends with a newline). */
  readonly databaseYaml: string;
  write(relative: string, content: string): void;
  read(relative: string): string;
  /** Runs one query against the project's database and returns its rows. */
  query<Row = Record<string, unknown>>(sql: string): Promise<Row[]>;
  /** The tables and views of the project's database. */
  objects(): Promise<string[]>;
  cleanup(): Promise<void>;
}

/** Runs `hookdex new` once; tests copy the result (one scaffold per test file, not per test). */
export async function scaffoldTemplate(): Promise<string> {
  const parent = mkdtempSync(path.join(tmpdir(), 'hookdex-cli-template-'));
  const result = await hookdex(['new', 'template'], { cwd: parent });
  if (result.code !== 0) throw new Error(`hookdex new failed: ${result.stderr}`);
  return path.join(parent, 'template');
}

/** A copy of `template` (or an empty directory) with a fresh database of `kind`. */
export function createProject(kind: 'sqlite' | 'postgres', template?: string): FixtureProject {
  const dir = mkdtempSync(path.join(tmpdir(), 'hookdex-cli-project-'));
  if (template !== undefined) cpSync(template, dir, { recursive: true });
  const schema = `hookdex_cli_${randomBytes(6).toString('hex')}`;
  // NOTE: the section is replaced, not overridden with a second -c file: files merge key by key,
  // and the SQLite `path` would stay beside the PostgreSQL keys.
  const databaseYaml =
    kind === 'postgres'
      ? `database:\n  kind: postgres\n  url: \${DATABASE_URL}\n  schema: ${schema}\n`
      : 'database:\n  kind: sqlite\n  path: hookdex.sqlite\n';
  if (template !== undefined) {
    const file = path.join(dir, 'hookdex.yaml');
    writeFileSync(file, replaceDatabase(readFileSync(file, 'utf8'), databaseYaml));
  }
  const withPostgres = async <T>(work: (client: pg.Client) => Promise<T>): Promise<T> => {
    const client = new pg.Client({ connectionString: process.env.DATABASE_URL });
    await client.connect();
    try {
      return await work(client);
    } finally {
      await client.end();
    }
  };
  const query = async <Row>(sql: string): Promise<Row[]> => {
    if (kind === 'postgres') {
      return withPostgres(async (client) => {
        await client.query(`SET search_path TO "${schema}"`);
        return (await client.query(sql)).rows as Row[];
      });
    }
    const database = new Database(path.join(dir, 'hookdex.sqlite'), { fileMustExist: true });
    try {
      return database.prepare(sql).all() as Row[];
    } finally {
      database.close();
    }
  };
  return {
    dir,
    kind,
    databaseYaml,
    write(relative, content) {
      mkdirSync(path.dirname(path.join(dir, relative)), { recursive: true });
      writeFileSync(path.join(dir, relative), content);
    },
    read: (relative) => readFileSync(path.join(dir, relative), 'utf8'),
    query,
    async objects() {
      const rows =
        kind === 'postgres'
          ? await query<{ name: string }>(
              `SELECT table_name AS name FROM information_schema.tables WHERE table_schema = '${schema}'`,
            )
          : await query<{ name: string }>(
              "SELECT name FROM sqlite_master WHERE type IN ('table', 'view') AND name NOT LIKE 'sqlite_%'",
            );
      return rows.map((row) => row.name).sort();
    },
    async cleanup() {
      if (kind === 'postgres')
        await withPostgres((client) => client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** `yaml` with its top-level `database:` section replaced by `section`. */
export function replaceDatabase(yaml: string, section: string): string {
  return yaml.replace(/^database:\n(?:[ #].*\n|\n)*/m, section);
}

/** The scaffold's hookdex.yaml with `last_level` set: `run` indexes up to it, then exits 0. */
export function oneShot(yaml: string, lastLevel = 20): string {
  const result = yaml.replace(/# last_level: \d+ .*\n/, `last_level: ${lastLevel}\n`);
  if (result === yaml) throw new Error('The scaffold has no `# last_level:` line to set.');
  return result;
}
