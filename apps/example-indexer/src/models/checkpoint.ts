import { EntitySchema } from 'typeorm';

/** Totals at the end of a level, written by the atomic `record_checkpoint` hook every 10 levels. */
export interface Checkpoint {
  level: number;
  holders: number;
  transfers: number;
}

export const CheckpointEntity = new EntitySchema<Checkpoint>({
  name: 'Checkpoint',
  tableName: 'checkpoint',
  columns: {
    level: { type: 'integer', primary: true },
    holders: { type: 'integer' },
    transfers: { type: 'integer' },
  },
});
