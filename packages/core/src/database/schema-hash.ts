import { createHash } from 'node:crypto';
import type { DataSource } from 'typeorm';

/**
 * A hash of the project's models as TypeORM sees them (tables, columns, types, keys, indices). It
 * changes when a model changes, not when `on_reindex` SQL alters the database on purpose (DipDup
 * hashes its ORM's schema for the same reason).
 */
export function schemaHash(dataSource: DataSource): string {
  const description = dataSource.entityMetadatas
    .map((entity) => ({
      table: entity.tablePath,
      columns: entity.columns
        .map((column) => ({
          name: column.databaseName,
          type: typeof column.type === 'string' ? column.type : (column.type as { name?: string }).name,
          nullable: column.isNullable,
          primary: column.isPrimary,
          generated: column.generationStrategy ?? null,
          length: column.length,
          precision: column.precision ?? null,
          scale: column.scale ?? null,
          default: column.default === undefined ? null : String(column.default),
          array: column.isArray,
          enum: column.enum ?? null,
        }))
        .sort((a, b) => a.name.localeCompare(b.name)),
      indices: entity.indices
        .map((index) => ({ name: index.name, unique: index.isUnique }))
        .sort((a, b) => a.name.localeCompare(b.name)),
      foreignKeys: entity.foreignKeys.map((key) => key.name).sort(),
    }))
    .sort((a, b) => a.table.localeCompare(b.table));
  return createHash('sha256').update(JSON.stringify(description)).digest('hex');
}
