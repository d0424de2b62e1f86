import { EntitySchema } from 'typeorm';
import { uint256Column } from './uint256-column.js';

/** One ERC-20 Transfer log of the canonical chain. */
export interface Transfer {
  /** `<transaction hash>:<log index>`: unique on a chain. */
  id: string;
  blockNumber: number;
  logIndex: number;
  transactionHash: string;
  sender: string;
  recipient: string;
  value: bigint;
  /** At least `LARGE_TRANSFER`: an alert goes out once the transfer has enough confirmations. */
  large: boolean;
}

export const TransferEntity = new EntitySchema<Transfer>({
  name: 'Transfer',
  tableName: 'transfer',
  columns: {
    id: { type: 'varchar', length: 80, primary: true },
    blockNumber: { name: 'block_number', type: 'integer' },
    logIndex: { name: 'log_index', type: 'integer' },
    transactionHash: { name: 'transaction_hash', type: 'varchar', length: 66 },
    sender: { type: 'varchar', length: 42 },
    recipient: { type: 'varchar', length: 42 },
    value: uint256Column(),
    large: { type: 'boolean' },
  },
});
