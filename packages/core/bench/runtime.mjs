// Benchmarks of the @hookdex/core indexing runtime:
//   1. levels per second with journaling on and off (the data tables immune), SQLite and PostgreSQL;
//   2. rolling back 100 levels of 100 rows each against the time it took to write them;
// each the median of BENCH_ROUNDS (default 5) alternating rounds after a warm-up round.
// Run with `pnpm -F @hookdex/core bench` (after run.mjs); writes bench/RUNTIME.md.
import 'reflect-metadata';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
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
import { DataSource, EntitySchema } from 'typeorm';

const here = path.dirname(fileURLToPath(import.meta.url));
const DATABASE_URL = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const LEVELS = Number(process.env.BENCH_LEVELS ?? 1500);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const ITEMS_PER_LEVEL = 4;

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

function baseConfig(dir, database, indexes, rollbackDepth) {
  return parseConfig(
    {
      database,
      datasources: { chain: { kind: 'scripted' } },
      indexes,
      hooks: { undo: { callback: 'undo' } },
      advanced: { rollback_depth: rollbackDepth },
      logging: { level: 'error' },
    },
    { projectDir: dir },
  );
}

const index = (lastLevel) => ({
  kind: 'transfers',
  datasource: 'chain',
  handlers: [{ callback: 'on_transfer', type: 'transfer' }],
  ...(lastLevel === undefined ? {} : { last_level: lastLevel }),
});

async function project(kind, { immune, indexes, chain, hooks = {}, rollbackDepth = 100_000 }) {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'hookdex-runtime-bench-'));
  for (const hook of ['on_reindex', 'on_restart', 'on_synchronized', 'on_index_rollback']) {
    mkdirSync(path.join(dir, 'sql', hook), { recursive: true });
    writeFileSync(path.join(dir, 'sql', hook, '.keep'), '');
  }
  const schema = `hookdex_rtbench_${process.pid}_${Math.floor(Math.random() * 1e6)}`;
  const immuneTables = immune ? ['transfer', 'holder'] : [];
  const database =
    kind === 'sqlite'
      ? { kind: 'sqlite', path: 'bench.sqlite', immune_tables: immuneTables }
      : { kind: 'postgres', url: DATABASE_URL, schema, immune_tables: immuneTables };
  const registry = new HookRegistry();
  for (const [name, callback] of Object.entries(hooks)) registry.register(name, callback);
  if (!registry.has('undo')) registry.register('undo', () => {});
  const handlers = new HandlerRegistry().register('on_transfer', async (ctx, item) => {
    await ctx.db.getRepository(Transfer).insert({ id: item.id, level: ctx.level, amount: item.amount });
    await ctx.db
      .getRepository(Holder)
      .createQueryBuilder()
      .insert()
      .values({ address: item.to, balance: item.amount })
      .orUpdate(['balance'], ['address'])
      .execute();
  });
  const child = registerCore(container.createChildContainer(), {
    config: baseConfig(dir, database, indexes, rollbackDepth),
    hooks: registry,
    handlers,
    entities: [Transfer, Holder],
    datasources: { scripted: () => chain },
    indexKinds: { transfers: { matches: (handler, item) => item.type === handler.match.type } },
    logger: createLogger({ level: 'error', stream: new Writable({ write: (_c, _e, done) => done() }) }),
  });
  return {
    app: child.resolve(HookdexApp),
    async cleanup() {
      if (kind === 'postgres') {
        const admin = await new DataSource({ type: 'postgres', url: DATABASE_URL }).initialize();
        await admin.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
        await admin.destroy();
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

const transfers = (count) => (level, branch) =>
  Array.from({ length: count }, (_, i) => ({
    type: 'transfer',
    id: `${level}-${branch}-${i}`,
    to: `acct${(level * 31 + i) % 50}`,
    amount: 1 + ((level + i) % 97),
  }));

async function levelsPerSecond(kind, immune, rollbackDepth) {
  const chain = new ScriptedChain({ levels: LEVELS, items: transfers(ITEMS_PER_LEVEL) });
  const { app, cleanup } = await project(kind, {
    immune,
    indexes: { tokens: index(LEVELS - 1) },
    chain,
    rollbackDepth,
  });
  const started = performance.now();
  await app.start();
  await app.wait();
  const seconds = (performance.now() - started) / 1000;
  await cleanup();
  return LEVELS / seconds;
}

async function rollbackVersusWrite(kind) {
  const chain = new ScriptedChain({ levels: 100, items: transfers(100) });
  let synchronized;
  const synced = new Promise((resolve) => {
    synchronized = resolve;
  });
  let rollbackMs = 0;
  const { app, cleanup } = await project(kind, {
    immune: false,
    indexes: { tokens: index(undefined) },
    chain,
    hooks: {
      on_synchronized: () => synchronized(performance.now()),
      undo: async (ctx) => {
        const started = performance.now();
        await ctx.rollback('tokens', 99, -1);
        rollbackMs = performance.now() - started;
      },
    },
  });
  const started = performance.now();
  await app.start();
  const writeMs = (await synced) - started;
  await app.fireHook('undo');
  const [{ count }] = await app.dataSource.query('SELECT COUNT(*) AS count FROM transfer');
  if (Number(count) !== 0) throw new Error(`rollback left ${count} transfers`);
  await app.stop();
  await cleanup();
  return { writeMs, rollbackMs };
}

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

/**
 * Runs every scenario once per round, in turn, for `ROUNDS` rounds after a warm-up round that is
 * not counted, and returns each scenario's results: drift on the machine (other processes, the
 * disk) then affects all alike, and no scenario alone pays for compiling the code.
 */
async function rounds(scenarios) {
  const results = Object.fromEntries(Object.keys(scenarios).map((key) => [key, []]));
  for (let round = 0; round <= ROUNDS; round++) {
    for (const [key, run] of Object.entries(scenarios)) {
      const result = await run();
      if (round > 0) results[key].push(result);
    }
  }
  return results;
}

const rows = [];
for (const kind of ['sqlite', 'postgres']) {
  const name = kind === 'sqlite' ? 'SQLite (file, WAL)' : 'PostgreSQL';
  const levels = await rounds({
    off: () => levelsPerSecond(kind, true, 100_000),
    all: () => levelsPerSecond(kind, false, 100_000),
    windowed: () => levelsPerSecond(kind, false, 64),
  });
  const off = median(levels.off);
  for (const [label, on] of [
    ['every level journaled (as in realtime)', median(levels.all)],
    ['historical sync, rollback_depth 64 (only the last 64 levels journaled)', median(levels.windowed)],
  ]) {
    const cost = 1 - on / off;
    rows.push(
      `| ${name} | levels/s, ${ITEMS_PER_LEVEL} transfers each (${LEVELS} levels): ${label} | journaling off: ${off.toFixed(0)} | journaling on: ${on.toFixed(0)} | ${(cost * 100).toFixed(1)} % slower | <= 30 % | ${cost <= 0.3 ? 'PASS' : 'FAIL'} |`,
    );
  }
  const { rollback } = await rounds({ rollback: () => rollbackVersusWrite(kind) });
  const writeMs = median(rollback.map((run) => run.writeMs));
  const rollbackMs = median(rollback.map((run) => run.rollbackMs));
  rows.push(
    `| ${name} | 100 levels x 100 rows | writing them: ${writeMs.toFixed(0)} ms | rolling them back: ${rollbackMs.toFixed(0)} ms | ${(rollbackMs / writeMs).toFixed(2)}x | rollback no slower than writing | ${rollbackMs <= writeMs ? 'PASS' : 'FAIL'} |`,
  );
  console.log(rows.slice(-3).join('\n'));
}

const table = [
  '| database | scenario | baseline | hookdex | result | target | verdict |',
  '|---|---|---:|---:|---:|---|---|',
  ...rows,
].join('\n');
const report = `# @hookdex/core indexing runtime benchmark

Generated by \`pnpm -F @hookdex/core bench\` on ${new Date().toISOString().slice(0, 10)}: Node ${process.version}, ${os.cpus().length} x ${os.cpus()[0]?.model ?? 'unknown CPU'}.

A one-shot index over a scripted chain (\`ScriptedChain\`), each transfer written with the entity manager
and a holder upserted with the query builder, each level with data one transaction. "Journaling off"
makes the two data tables immune (immune tables are never journaled), everything else equal. As in
DipDup, a level more than \`rollback_depth\` below the head is not journaled (no reorg can reach it
without a reindex): the first row of each database journals every level (what realtime indexing
costs), the second is a historical sync with the default-like depth of 64. The rollback
row indexes 100 levels of 100 transfers (10,000 inserts and 10,000 upserts), then reverts them all with
\`ctx.rollback\` in one transaction. Each figure is the median of ${ROUNDS} rounds in which every scenario of
a database runs once, in turn, after a warm-up round that is not counted.

${table}
`;
writeFileSync(path.join(here, 'RUNTIME.md'), report);
console.log(table);
