import type { HandlerContext } from '@hookdex/core';
import { Between } from 'typeorm';
import { ALERT_CONFIRMATIONS, CHECKPOINT_EVERY, LARGE_TRANSFER } from '../src/alerts.js';
import type { TransferEvent } from '../src/evm/evm-event.js';
import { AlertCursorEntity, CheckpointEntity, HolderEntity, TransferEntity } from '../src/models/index.js';
import { ZERO_ADDRESS } from '../src/token.js';

/**
 * Indexes one ERC-20 Transfer, inside its level's transaction (a reorg reverts all of it):
 * 1. every tenth level, the first transfer fires the atomic `record_checkpoint` hook (`wait: true`),
 *    which runs in a SAVEPOINT of this transaction;
 * 2. stores the transfer and moves the balances of sender and recipient (mints have no sender);
 * 3. hands large transfers that are now `ALERT_CONFIRMATIONS` deep to `large_transfer_alert` with
 *    `wait: false`: queued, run only after this transaction commits, never if it rolls back.
 */
export default async function on_transfer(ctx: HandlerContext, event: TransferEvent): Promise<void> {
  const level = ctx.level;
  if (
    level % CHECKPOINT_EVERY === 0 &&
    !(await ctx.db.getRepository(CheckpointEntity).existsBy({ level: level - 1 }))
  ) {
    // The totals as they stood at the end of the previous level: this is the level's first transfer.
    await ctx.fireHook('record_checkpoint', { level: level - 1 });
  }

  const { from, to, value } = event.args;
  await ctx.db.getRepository(TransferEntity).insert({
    id: `${event.transactionHash}:${event.logIndex}`,
    blockNumber: event.blockNumber,
    logIndex: event.logIndex,
    transactionHash: event.transactionHash,
    sender: from,
    recipient: to,
    value,
    large: value >= LARGE_TRANSFER,
  });
  if (from !== ZERO_ADDRESS) await moveBalance(ctx, from, -value);
  await moveBalance(ctx, to, value);

  // Once per level is enough: the first transfer of a block moves the cursor for the whole block.
  // NOTE: keyed by block hash, not number: after a reorg the new branch's block is a new level.
  if (event.blockHash !== alertsHandedOverIn) {
    await handOverConfirmedAlerts(ctx, level - ALERT_CONFIRMATIONS);
    alertsHandedOverIn = event.blockHash;
  }
}

/**
 * The block whose level last handed alerts over. Only a shortcut: the cursor row is the truth, and
 * a hand-over skipped by mistake is made up by the next level's (it covers every level since the
 * cursor), so a stale value can delay an alert by a block but never lose one.
 */
let alertsHandedOverIn: string | undefined;

async function moveBalance(ctx: HandlerContext, address: string, delta: bigint): Promise<void> {
  const holders = ctx.db.getRepository(HolderEntity);
  const holder = (await holders.findOneBy({ address })) ?? {
    address,
    balance: 0n,
    transfers: 0,
    lastBlock: ctx.level,
  };
  const balance = holder.balance + delta;
  if (balance < 0n) {
    throw new Error(
      `Balance of ${address} would be ${balance} at level ${ctx.level}: the indexed transfers disagree with the chain. ` +
        'Reindex from scratch (delete the database) and report the chain and contract if it happens again.',
    );
  }
  if (balance === 0n) {
    if (holder.balance !== 0n) await holders.delete({ address });
    return;
  }
  // Explicit insert or update: `save` would read the row again to decide.
  const row = { address, balance, transfers: holder.transfers + 1, lastBlock: ctx.level };
  if (holder.balance === 0n) await holders.insert(row);
  else await holders.update({ address }, row);
}

async function handOverConfirmedAlerts(ctx: HandlerContext, confirmed: number): Promise<void> {
  const cursors = ctx.db.getRepository(AlertCursorEntity);
  const after = (await cursors.findOneBy({ id: 'default' }))?.level ?? -1;
  if (confirmed <= after) return;
  const due = await ctx.db.getRepository(TransferEntity).find({
    select: { id: true },
    where: { large: true, blockNumber: Between(after + 1, confirmed) },
    order: { blockNumber: 'ASC', logIndex: 'ASC' },
  });
  for (const transfer of due) {
    await ctx.fireHook('large_transfer_alert', { transfer_id: transfer.id }, { wait: false });
  }
  if (after === -1) await cursors.insert({ id: 'default', level: confirmed });
  else await cursors.update({ id: 'default' }, { level: confirmed });
}
