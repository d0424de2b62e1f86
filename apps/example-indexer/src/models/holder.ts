import { EntitySchema } from 'typeorm';
import { uint256Column } from './uint256-column.js';

/** An account with a non-zero balance (as explorers count holders); the row goes when it reaches 0. */
export interface Holder {
  address: string;
  balance: bigint;
  /** Transfers in and out since the account last became a holder. */
  transfers: number;
  lastBlock: number;
}

export const HolderEntity = new EntitySchema<Holder>({
  name: 'Holder',
  tableName: 'holder',
  columns: {
    address: { type: 'varchar', length: 42, primary: true },
    balance: uint256Column(),
    transfers: { type: 'integer' },
    lastBlock: { name: 'last_block', type: 'integer' },
  },
});
