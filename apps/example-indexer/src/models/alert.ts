import { EntitySchema } from 'typeorm';
import { uint256Column } from './uint256-column.js';

/** A large-transfer alert that went out (an immune table: a reindex must not send it again). */
export interface Alert {
  transferId: string;
  blockNumber: number;
  sender: string;
  recipient: string;
  value: bigint;
  alertedAt: string;
}

export const AlertEntity = new EntitySchema<Alert>({
  name: 'Alert',
  tableName: 'alert',
  columns: {
    transferId: { name: 'transfer_id', type: 'varchar', length: 80, primary: true },
    blockNumber: { name: 'block_number', type: 'integer' },
    sender: { type: 'varchar', length: 42 },
    recipient: { type: 'varchar', length: 42 },
    value: uint256Column(),
    alertedAt: { name: 'alerted_at', type: 'varchar', length: 32 },
  },
});

/** The level up to which large transfers were handed to the alert hook (one row, `default`). */
export interface AlertCursor {
  id: string;
  level: number;
}

export const AlertCursorEntity = new EntitySchema<AlertCursor>({
  name: 'AlertCursor',
  tableName: 'alert_cursor',
  columns: {
    id: { type: 'varchar', length: 16, primary: true },
    level: { type: 'integer' },
  },
});
