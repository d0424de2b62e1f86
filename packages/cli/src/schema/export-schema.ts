import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { createDataSource, type EntityList, type HookdexConfig } from '@hookdex/core';
import { SqlRunner } from '@hookdex/sql-runner';
import { DataSource } from 'typeorm';

/** One statement or script of `schema export`, with where it comes from. */
export interface SchemaSection {
  /** `models`, or the script's path (`sql/on_reindex/10_views.sql`). */
  readonly source: string;
  readonly sql: string;
}

/**
 * The SQL that creates the project's schema: the tables of its models as TypeORM would create them
 * on the configured database kind, then the `sql/on_reindex` scripts in the order they run. Nothing
 * is written anywhere: SQLite models are built in an in-memory database; for PostgreSQL TypeORM
 * compares the models against an empty schema that does not exist (so every table is new) and the
 * statements are read from its log, unqualified, as hookdex runs them under its `search_path`.
 */
export async function exportSchema(config: HookdexConfig, entities: EntityList): Promise<SchemaSection[]> {
  const statements = await modelStatements(config, entities);
  const sections: SchemaSection[] = statements.map((sql) => ({ source: 'models', sql: `${sql};` }));
  const runner = new SqlRunner({
    root: path.join(config.projectDir, 'sql'),
    dataSource: createDataSource({ database: config.database, projectDir: config.projectDir }),
  });
  let scripts: string[] = [];
  try {
    scripts = await runner.listScripts('on_reindex');
  } catch (error) {
    // No sql/on_reindex/ directory: no scripts to show.
    if ((error as { code?: unknown }).code !== 'INITIALIZATION_REQUIRED') throw error;
  }
  for (const script of scripts) {
    const file = path.join(config.projectDir, 'sql', script);
    sections.push({ source: `sql/${script}`, sql: (await readFile(file, 'utf8')).trim() });
  }
  return sections;
}

async function modelStatements(config: HookdexConfig, entities: EntityList): Promise<string[]> {
  if (config.database.kind === 'sqlite') {
    const dataSource = new DataSource({ type: 'better-sqlite3', database: ':memory:', entities });
    await dataSource.initialize();
    try {
      return (await dataSource.driver.createSchemaBuilder().log()).upQueries.map((query) => query.query);
    } finally {
      await dataSource.destroy();
    }
  }
  const scratch = `hookdex_export_${randomBytes(6).toString('hex')}`;
  const dataSource = createDataSource({
    database: { ...config.database, schema: scratch },
    projectDir: config.projectDir,
    entities,
  });
  await dataSource.initialize();
  try {
    const queries = (await dataSource.driver.createSchemaBuilder().log()).upQueries.map(
      (query) => query.query,
    );
    return queries
      .filter((query) => !/^CREATE SCHEMA/i.test(query))
      .map((query) => query.split(`"${scratch}".`).join(''));
  } finally {
    await dataSource.destroy();
  }
}
