// A hookdex process for the crash test: indexes a scripted token chain to level 60 on the database
// given by its arguments. With `crash`, its handler stops forever in the middle of level CRASH_LEVEL
// (after writing part of it) and says so on stdout, for the parent to SIGKILL it there.
import 'reflect-metadata';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { Writable } from 'node:stream';
import {
  createLogger,
  HandlerRegistry,
  HookdexApp,
  HookRegistry,
  parseConfig,
  registerCore,
} from '@hookdex/core';
import { ScriptedChain } from '@hookdex/core/testing';
import { container } from 'tsyringe';
import { EntitySchema } from 'typeorm';
import { CRASH_LEVEL, LAST_LEVEL, transfersAt } from './crash-chain.mjs';

const [mode, projectDir, databaseJson] = process.argv.slice(2);
const database = JSON.parse(databaseJson);
for (const hook of ['on_reindex', 'on_restart', 'on_synchronized', 'on_index_rollback']) {
  mkdirSync(path.join(projectDir, 'sql', hook), { recursive: true });
  writeFileSync(path.join(projectDir, 'sql', hook, '.keep'), '');
}

const Transfer = new EntitySchema({
  name: 'Transfer',
  tableName: 'transfer',
  columns: {
    id: { type: 'varchar', length: 64, primary: true },
    level: { type: 'integer' },
    amount: { type: 'integer' },
  },
});
const Holder = new EntitySchema({
  name: 'Holder',
  tableName: 'holder',
  columns: { address: { type: 'varchar', length: 16, primary: true }, balance: { type: 'integer' } },
});

const handlers = new HandlerRegistry().register('on_transfer', async (ctx, item) => {
  await ctx.db.getRepository(Transfer).insert({ id: item.id, level: ctx.level, amount: item.amount });
  const holders = ctx.db.getRepository(Holder);
  for (const [address, delta] of [
    [item.from, -item.amount],
    [item.to, item.amount],
  ]) {
    const holder = (await holders.findOneBy({ address })) ?? { address, balance: 0 };
    holder.balance += delta;
    await holders.save(holder);
  }
  if (mode === 'crash' && ctx.level === CRASH_LEVEL) {
    process.stdout.write('IN_LEVEL\n');
    await new Promise(() => {});
  }
});

const config = parseConfig(
  {
    database,
    datasources: { chain: { kind: 'scripted' } },
    indexes: {
      tokens: {
        kind: 'transfers',
        datasource: 'chain',
        handlers: [{ callback: 'on_transfer', type: 'transfer' }],
        last_level: LAST_LEVEL,
      },
    },
    logging: { level: 'error' },
  },
  { projectDir },
);

const chain = new ScriptedChain({ levels: LAST_LEVEL + 1, items: transfersAt });
const child = registerCore(container.createChildContainer(), {
  config,
  hooks: new HookRegistry(),
  handlers,
  entities: [Transfer, Holder],
  datasources: { scripted: () => chain },
  indexKinds: { transfers: { matches: (handler, item) => item.type === handler.match.type } },
  logger: createLogger({ level: 'error', stream: new Writable({ write: (_c, _e, done) => done() }) }),
});
const app = child.resolve(HookdexApp);
await app.start();
await app.wait();
process.stdout.write('DONE\n');
