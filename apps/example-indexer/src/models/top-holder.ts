import { EntitySchema } from 'typeorm';
import { uint256Column } from './uint256-column.js';

/** The stats table: the top holders, as `calculate_stats` last ranked them (sql/calculate_stats/). */
export interface TopHolder {
  /** `major` (the crontab job's ranking) or `minor` (the interval job's). */
  scope: string;
  rank: number;
  address: string;
  balance: bigint;
  /** The indexed level the ranking was computed at. */
  level: number;
}

export const TopHolderEntity = new EntitySchema<TopHolder>({
  name: 'TopHolder',
  tableName: 'top_holder',
  columns: {
    scope: { type: 'varchar', length: 8, primary: true },
    rank: { type: 'integer', primary: true },
    address: { type: 'varchar', length: 42 },
    balance: uint256Column(),
    level: { type: 'integer' },
  },
});
