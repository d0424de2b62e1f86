// Indexing throughput of the example: a chain of N blocks of random transfers is mined first (not
// timed), then indexed from scratch (historical sync: eth_getLogs ranges, one transaction per block
// with transfers, the hooks they fire). Prints blocks/s and transfers/s on SQLite and, with
// DATABASE_URL, on PostgreSQL. Run: `pnpm -F example-indexer bench` (builds first).
import 'reflect-metadata';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { DataSource } from 'typeorm';
import { startExample } from '../dist/src/run-example.js';

const blocks = Number(process.env.BENCH_BLOCKS ?? 2000);
const app = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const silent = new Writable({ write: (_chunk, _encoding, done) => done() });

async function measure(kind) {
  const dir = mkdtempSync(path.join(tmpdir(), 'example-bench-'));
  const schema = `example_bench_${randomBytes(4).toString('hex')}`;
  const overlay = path.join(dir, 'bench.yaml');
  writeFileSync(
    overlay,
    kind === 'sqlite'
      ? `database:\n  path: ${JSON.stringify(path.join(dir, 'bench.sqlite'))}\n`
      : `database:\n  kind: postgres\n  url: ${JSON.stringify(process.env.DATABASE_URL)}\n  schema: ${schema}\n`,
  );
  try {
    const run = await startExample({
      configFiles: [path.join(app, 'hookdex.yaml'), overlay],
      env: { HOOKDEX_POLL_INTERVAL_MS: '20' },
      prefill: blocks,
      blocks: 0,
      reorgs: { every: 0, depths: [1] },
      progress: 'off',
      output: silent,
      logLevel: 'warn',
    });
    const summary = await run.finished;
    await run.close();
    if (summary.error) throw summary.error;
    const { historical } = summary;
    return {
      kind,
      blocks: historical.blocks,
      transfers: historical.transfers,
      seconds: historical.seconds,
    };
  } finally {
    if (kind === 'postgres') {
      const admin = new DataSource({ type: 'postgres', url: process.env.DATABASE_URL });
      await admin.initialize();
      await admin.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
      await admin.destroy();
    }
    rmSync(dir, { recursive: true, force: true });
  }
}

console.log(
  `Historical sync of ${blocks} blocks (1-4 transfers each), ${cpus().length} cores, load ${loadavg()[0].toFixed(2)}`,
);
console.log('| database | blocks | transfers | seconds | blocks/s | transfers/s |');
console.log('|---|---:|---:|---:|---:|---:|');
for (const kind of ['sqlite', ...(process.env.DATABASE_URL ? ['postgres'] : [])]) {
  const result = await measure(kind);
  console.log(
    `| ${kind === 'sqlite' ? 'SQLite' : 'PostgreSQL'} | ${result.blocks} | ${result.transfers} | ${result.seconds.toFixed(2)} | ` +
      `${(result.blocks / result.seconds).toFixed(0)} | ${(result.transfers / result.seconds).toFixed(0)} |`,
  );
}
