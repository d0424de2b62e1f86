import { EntitySchema } from 'typeorm';

/** The status reporter daemon's heartbeat (one row, `default`). */
export interface IndexerStatus {
  id: string;
  /** `running`, or `stopped` once the daemon saw its signal and stopped cleanly. */
  state: string;
  level: number;
  holders: number;
  transfers: number;
  beats: number;
  updatedAt: string;
}

export const IndexerStatusEntity = new EntitySchema<IndexerStatus>({
  name: 'IndexerStatus',
  tableName: 'indexer_status',
  columns: {
    id: { type: 'varchar', length: 16, primary: true },
    state: { type: 'varchar', length: 16 },
    level: { type: 'integer' },
    holders: { type: 'integer' },
    transfers: { type: 'integer' },
    beats: { type: 'integer' },
    updatedAt: { name: 'updated_at', type: 'varchar', length: 32 },
  },
});
