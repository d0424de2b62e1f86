import { EntitySchema } from 'typeorm';
import type { HookdexConfig, IndexConfig } from '../config/config-types.js';
import type { HookdexApp } from '../lifecycle/hookdex-app.js';
import type { HandlerCallback } from '../runtime/handler-registry.js';
import type { IndexKind } from '../runtime/index-kind.js';
import { ScriptedChain } from '../testing/scripted-chain.js';

/** A transfer between accounts, as the scripted chain's levels carry them. */
export interface TransferItem {
  type: 'transfer';
  id: string;
  from: string;
  to: string;
  amount: number;
}

export const TransferEntity = new EntitySchema<{
  id: string;
  level: number;
  sender: string;
  receiver: string;
  amount: number;
}>({
  name: 'Transfer',
  tableName: 'transfer',
  columns: {
    id: { type: 'varchar', length: 64, primary: true },
    level: { type: 'integer' },
    sender: { type: 'varchar', length: 16 },
    receiver: { type: 'varchar', length: 16 },
    amount: { type: 'integer' },
  },
});

export const HolderEntity = new EntitySchema<{ address: string; balance: number; transfers: number }>({
  name: 'Holder',
  tableName: 'holder',
  columns: {
    address: { type: 'varchar', length: 16, primary: true },
    balance: { type: 'integer' },
    transfers: { type: 'integer' },
  },
});

const ACCOUNTS = ['alice', 'bob', 'carol', 'dave', 'erin'];

/** A small deterministic PRNG (mulberry32). */
export function prng(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Zero to two transfers per level, different on every branch. */
export function transfersAt(level: number, branch: number): TransferItem[] {
  const random = prng(level * 7919 + branch * 104_729 + 1);
  const count = Math.floor(random() * 3);
  return Array.from({ length: count }, (_, index) => ({
    type: 'transfer' as const,
    id: `${level}-${branch}-${index}`,
    from: ACCOUNTS[Math.floor(random() * ACCOUNTS.length)]!,
    to: ACCOUNTS[Math.floor(random() * ACCOUNTS.length)]!,
    amount: 1 + Math.floor(random() * 100),
  }));
}

export function tokenChain(levels: number, options: { name?: string; rollbackDepth?: number } = {}) {
  const prefix = options.name === undefined ? '' : `${options.name}-`;
  // Ids carry the chain's name so two chains never produce the same transfer.
  const items = (level: number, branch: number) =>
    transfersAt(level, branch).map((item) => ({ ...item, id: `${prefix}${item.id}` }));
  return new ScriptedChain<TransferItem>({ levels, items, ...options });
}

/** Matches items by their `type` field against the handler's `type`. */
export const transferKind: IndexKind = {
  matches: (handler, item) => (item as { type?: unknown }).type === handler.match.type,
};

/** Records the transfer with the entity manager and moves balances with raw SQL (both journaled). */
export const onTransfer: HandlerCallback<TransferItem> = async (ctx, item) => {
  await ctx.db.getRepository(TransferEntity).insert({
    id: item.id,
    level: ctx.level,
    sender: item.from,
    receiver: item.to,
    amount: item.amount,
  });
  for (const [address, delta] of [
    [item.from, -item.amount],
    [item.to, item.amount],
  ] as const) {
    const postgres = ctx.db.connection.options.type === 'postgres';
    await ctx.db.query(
      postgres
        ? 'INSERT INTO holder (address, balance, transfers) VALUES ($1, $2, 1) ' +
            'ON CONFLICT (address) DO UPDATE SET balance = holder.balance + $2, transfers = holder.transfers + 1'
        : 'INSERT INTO holder (address, balance, transfers) VALUES (?, ?, 1) ' +
            'ON CONFLICT (address) DO UPDATE SET balance = holder.balance + ?, transfers = holder.transfers + 1',
      postgres ? [address, delta] : [address, delta, delta],
    );
  }
};

/** The index and datasource config of a token index on `datasource`. */
export function tokenIndex(
  datasource: string,
  options: Partial<Pick<IndexConfig, 'firstLevel' | 'lastLevel'>> = {},
): IndexConfig {
  return {
    kind: 'transfers',
    datasource,
    handlers: [{ callback: 'on_transfer', match: { type: 'transfer' } }],
    firstLevel: options.firstLevel,
    lastLevel: options.lastLevel,
    options: {},
  };
}

export function datasourceConfig(): HookdexConfig['datasources'][string] {
  return { kind: 'scripted', options: {} };
}

/** Transfers and balances as indexing exactly `levels` of `chain` would leave them. */
export function expectedState(chain: ScriptedChain<TransferItem>, from: number, to: number) {
  const transfers: string[] = [];
  const holders = new Map<string, { balance: number; transfers: number }>();
  for (let level = from; level <= to; level++) {
    for (const item of chain.level(level)?.items ?? []) {
      transfers.push(`${item.id}@${level}:${item.from}>${item.to}=${item.amount}`);
      for (const [address, delta] of [
        [item.from, -item.amount],
        [item.to, item.amount],
      ] as const) {
        const holder = holders.get(address) ?? { balance: 0, transfers: 0 };
        holder.balance += delta;
        holder.transfers += 1;
        holders.set(address, holder);
      }
    }
  }
  return {
    transfers: transfers.sort(),
    holders: [...holders.entries()].map(([address, h]) => `${address}:${h.balance}/${h.transfers}`).sort(),
  };
}

/** Transfers and balances in the database, in the same shape as `expectedState`. */
export async function actualState(app: HookdexApp) {
  const transfers: Array<Record<string, unknown>> = await app.dataSource.query('SELECT * FROM transfer');
  const holders: Array<Record<string, unknown>> = await app.dataSource.query('SELECT * FROM holder');
  return {
    transfers: transfers
      .map((row) => `${row.id}@${Number(row.level)}:${row.sender}>${row.receiver}=${Number(row.amount)}`)
      .sort(),
    holders: holders.map((row) => `${row.address}:${Number(row.balance)}/${Number(row.transfers)}`).sort(),
  };
}
