// Benchmarks of @hookdex/core hook firing, each against its baseline in the same process:
//   1. fireHook of a non-atomic hook with no SQL vs a direct call of the same function;
//   2. an atomic hook writing one row vs a bare TypeORM transaction writing the same row;
//   3. deferred hooks (wait: false) flushed after commit vs the same hooks awaited inline.
// Run with `pnpm -F @hookdex/core bench`; writes bench/RESULTS.md.
import 'reflect-metadata';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import {
  createLogger,
  HookdexApp,
  HookRegistry,
  parseConfig,
  registerCore,
  TransactionManager,
} from '@hookdex/core';
import { container } from 'tsyringe';
import { DataSource, EntitySchema } from 'typeorm';

const here = path.dirname(fileURLToPath(import.meta.url));
const DATABASE_URL = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

const Row = new EntitySchema({
  name: 'BenchRow',
  tableName: 'bench_row',
  columns: { id: { type: 'integer', primary: true }, value: { type: 'integer' } },
});

function config(dir, database, hooks) {
  return parseConfig({ database, hooks, logging: { level: 'error' } }, { projectDir: dir });
}

const hook = (name, atomic, args = {}) => ({ callback: name, atomic, args });

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

/**
 * Medians of the time per operation (µs) of two runs, measured in alternating rounds (A B A B ...)
 * after a warm-up of each, so that drift on the machine affects both alike.
 */
async function measurePair(first, second, { n, rounds = 9 }) {
  await first(Math.min(n, 1000));
  await second(Math.min(n, 1000));
  const samples = [[], []];
  for (let round = 0; round < rounds; round++) {
    for (const [index, run] of [first, second].entries()) {
      const started = process.hrtime.bigint();
      await run(n);
      samples[index].push(Number(process.hrtime.bigint() - started) / 1000 / n);
    }
  }
  return [median(samples[0]), median(samples[1])];
}

async function startApp(kind) {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'hookdex-core-bench-'));
  for (const name of ['on_reindex', 'on_restart']) {
    mkdirSync(path.join(dir, 'sql', name), { recursive: true });
    writeFileSync(path.join(dir, 'sql', name, '.keep'), '');
  }
  const schema = `hookdex_bench_${process.pid}`;
  const database =
    kind === 'sqlite'
      ? { kind: 'sqlite', path: 'bench.sqlite' }
      : { kind: 'postgres', url: DATABASE_URL, schema };
  let counter = 0;
  const registry = new HookRegistry()
    .register('noop', (_ctx, args) => {
      counter += args.n;
    })
    .register('write', (ctx, { id }) => ctx.db.query(insertSql(kind), [id, id]))
    .register('deferred_write', (ctx, { id }) => ctx.db.query(insertSql(kind), [id, id]));
  const hooks = {
    noop: hook('noop', false, { n: 'int' }),
    write: hook('write', true, { id: 'int' }),
    deferred_write: hook('deferred_write', false, { id: 'int' }),
  };
  const child = registerCore(container.createChildContainer(), {
    config: config(dir, database, hooks),
    hooks: registry,
    entities: [Row],
    logger: createLogger({ level: 'error', stream: new Writable({ write: (_c, _e, done) => done() }) }),
  });
  const app = child.resolve(HookdexApp);
  await app.start();
  return {
    app,
    transactions: child.resolve(TransactionManager),
    counter: () => counter,
    async close() {
      await app.stop();
      if (kind === 'postgres') {
        const admin = await new DataSource({ type: 'postgres', url: DATABASE_URL }).initialize();
        await admin.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
        await admin.destroy();
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

function insertSql(kind) {
  return kind === 'sqlite'
    ? 'INSERT INTO bench_row (id, value) VALUES (?, ?)'
    : 'INSERT INTO bench_row (id, value) VALUES ($1, $2)';
}

async function clear(app) {
  await app.dataSource.query('DELETE FROM bench_row');
}

const rows = [];

async function benchFire() {
  const { app, close } = await startApp('sqlite');
  let counter = 0;
  const direct = (_ctx, args) => {
    counter += args.n;
  };
  const ctx = {};
  const [directUs, fireUs] = await measurePair(
    async (n) => {
      for (let i = 0; i < n; i++) await direct(ctx, { n: 1 });
    },
    async (n) => {
      for (let i = 0; i < n; i++) await app.fireHook('noop', { n: 1 });
    },
    { n: 200_000, rounds: 5 },
  );
  if (counter === 0) throw new Error('direct calls did not run');
  rows.push({
    scenario: 'fireHook, non-atomic, no SQL (SQLite app)',
    baseline: 'direct call of the same function',
    baselineUs: directUs,
    oursUs: fireUs,
    target: 'overhead < 5 µs per fire',
    pass: fireUs - directUs < 5,
    result: `${(fireUs - directUs).toFixed(2)} µs overhead`,
  });
  await close();
}

async function benchAtomic(kind) {
  const { app, transactions, close } = await startApp(kind);
  const sql = insertSql(kind);
  const n = kind === 'sqlite' ? 2000 : 1000;
  let id = 0;
  const [bareUs, atomicUs] = await measurePair(
    async (count) => {
      await clear(app);
      for (let i = 0; i < count; i++) {
        const value = ++id;
        await app.dataSource.transaction((manager) => manager.query(sql, [value, value]));
      }
    },
    async (count) => {
      await clear(app);
      for (let i = 0; i < count; i++) await app.fireHook('write', { id: ++id });
    },
    { n },
  );
  const ratio = atomicUs / bareUs;
  rows.push({
    scenario: `atomic hook writing one row (${kind === 'sqlite' ? 'SQLite file' : 'PostgreSQL'})`,
    baseline: 'bare TypeORM transaction, same write',
    baselineUs: bareUs,
    oursUs: atomicUs,
    target: '<= 1.2x',
    pass: ratio <= 1.2,
    result: `${ratio.toFixed(2)}x`,
  });
  void transactions;
  await close();
}

async function benchDeferred(kind) {
  const { app, transactions, close } = await startApp(kind);
  const n = 200;
  let id = 0;
  const [inlineUs, deferredUs] = await measurePair(
    async (count) => {
      await clear(app);
      await transactions.transaction(async () => {
        for (let i = 0; i < count; i++) await app.fireHook('deferred_write', { id: ++id });
      });
    },
    async (count) => {
      await clear(app);
      await transactions.transaction(async () => {
        for (let i = 0; i < count; i++) await app.fireHook('deferred_write', { id: ++id }, { wait: false });
      });
      await app.hooks.drainDeferred();
    },
    { n, rounds: 5 },
  );
  const ratio = deferredUs / inlineUs;
  rows.push({
    scenario: `${n} deferred hooks flushed after commit (${kind === 'sqlite' ? 'SQLite file' : 'PostgreSQL'})`,
    baseline: 'same hooks awaited inline in the transaction',
    baselineUs: inlineUs,
    oursUs: deferredUs,
    target: 'information (each deferred hook runs in autocommit after the commit)',
    pass: undefined,
    result: `${ratio.toFixed(2)}x`,
  });
  await close();
}

await benchFire();
await benchAtomic('sqlite');
await benchAtomic('postgres');
await benchDeferred('sqlite');
await benchDeferred('postgres');

const format = (us) => (us < 10 ? us.toFixed(2) : us.toFixed(1));
const table = [
  '| scenario | baseline | baseline (µs/op) | hookdex (µs/op) | result | target | verdict |',
  '|---|---|---:|---:|---:|---|---|',
  ...rows.map(
    (row) =>
      `| ${row.scenario} | ${row.baseline} | ${format(row.baselineUs)} | ${format(row.oursUs)} | ${row.result} | ${row.target} | ${
        row.pass === undefined ? 'info' : row.pass ? 'PASS' : 'FAIL'
      } |`,
  ),
].join('\n');
const cpu = os.cpus()[0]?.model ?? 'unknown CPU';
const report = `# @hookdex/core benchmark

Generated by \`pnpm -F @hookdex/core bench\` on ${new Date().toISOString().slice(0, 10)}: Node ${process.version}, ${os.cpus().length} x ${cpu}.

Each row runs hookdex and its baseline in the same process on the same database, in alternating rounds
(after a warm-up of each); times are medians of 5 to 9 rounds of many operations each. SQLite is a file on local disk (every commit syncs);
PostgreSQL is the local server at \`DATABASE_URL\`.

${table}
`;
writeFileSync(path.join(here, 'RESULTS.md'), report);
console.log(table);
process.exit(rows.some((row) => row.pass === false) ? 1 : 0);
