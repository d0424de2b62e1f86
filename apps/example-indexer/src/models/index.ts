import { AlertCursorEntity, AlertEntity } from './alert.js';
import { CheckpointEntity } from './checkpoint.js';
import { HolderEntity } from './holder.js';
import { IndexerStatusEntity } from './indexer-status.js';
import { ReorgLogEntity } from './reorg-log.js';
import { TopHolderEntity } from './top-holder.js';
import { TransferEntity } from './transfer.js';

export type { Alert, AlertCursor } from './alert.js';
export { AlertCursorEntity, AlertEntity } from './alert.js';
export type { Checkpoint } from './checkpoint.js';
export { CheckpointEntity } from './checkpoint.js';
export type { Holder } from './holder.js';
export { HolderEntity } from './holder.js';
export type { IndexerStatus } from './indexer-status.js';
export { IndexerStatusEntity } from './indexer-status.js';
export type { ReorgLog } from './reorg-log.js';
export { ReorgLogEntity } from './reorg-log.js';
export type { TopHolder } from './top-holder.js';
export { TopHolderEntity } from './top-holder.js';
export type { Transfer } from './transfer.js';
export { TransferEntity } from './transfer.js';
export { fromUint256, toUint256Text, UINT256_DIGITS } from './uint256-column.js';

/** Every table of the example, for `defineProject({ entities })`. */
export const ENTITIES = [
  TransferEntity,
  HolderEntity,
  TopHolderEntity,
  CheckpointEntity,
  AlertEntity,
  AlertCursorEntity,
  ReorgLogEntity,
  IndexerStatusEntity,
];
