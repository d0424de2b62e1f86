import { EntitySchema } from 'typeorm';

/** One reorg the indexer rolled back, written by sql/on_index_rollback/. */
export interface ReorgLog {
  id: number;
  indexName: string;
  fromLevel: number;
  toLevel: number;
  rolledBackAt: string;
}

export const ReorgLogEntity = new EntitySchema<ReorgLog>({
  name: 'ReorgLog',
  tableName: 'reorg_log',
  columns: {
    id: { type: 'integer', primary: true, generated: 'increment' },
    indexName: { name: 'index_name', type: 'varchar', length: 64 },
    fromLevel: { name: 'from_level', type: 'integer' },
    toLevel: { name: 'to_level', type: 'integer' },
    rolledBackAt: { name: 'rolled_back_at', type: 'varchar', length: 32 },
  },
});
