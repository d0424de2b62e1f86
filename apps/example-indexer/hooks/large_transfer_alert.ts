import type { HookContext } from '@hookdex/core';
import { AlertEntity, TransferEntity } from '../src/models/index.js';
import { formatTokens } from '../src/token.js';

/**
 * Fired with `wait: false` by the Transfer handler, so it runs only after the level's transaction
 * committed (never if it rolled back), one alert at a time, outside any transaction. It reads the
 * transfer back: committed data is all it can see. The `alert` row makes a replay (after a reorg,
 * or a reindex: the table is immune) a no-op instead of a second alert.
 */
export default async function large_transfer_alert(
  ctx: HookContext,
  args: { transfer_id: string },
): Promise<void> {
  const transfer = await ctx.db.getRepository(TransferEntity).findOneBy({ id: args.transfer_id });
  if (transfer === null) {
    // Only a reorg deeper than ALERT_CONFIRMATIONS between the commit and now can get here.
    ctx.logger.warn('Skipped alert for a transfer no longer indexed', { transfer: args.transfer_id });
    return;
  }
  const alerts = ctx.db.getRepository(AlertEntity);
  // Deferred hooks run one at a time, so this check and the insert cannot race another alert.
  if (await alerts.existsBy({ transferId: transfer.id })) return;
  await alerts.insert({
    transferId: transfer.id,
    blockNumber: transfer.blockNumber,
    sender: transfer.sender,
    recipient: transfer.recipient,
    value: transfer.value,
    alertedAt: new Date().toISOString(),
  });
  // The full details are in the `alert` row; the log line stays short enough to read.
  ctx.logger.info('Alerted large transfer', {
    block: transfer.blockNumber,
    tokens: formatTokens(transfer.value),
    transaction: `${transfer.transactionHash.slice(0, 10)}…`,
  });
}
