import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { startChild } from './_test/child-run.js';
import { createTestDatabase, type TestDatabase } from './_test/databases.js';
import { appDir } from './app-dir.js';

// The built entry point as `pnpm example` runs it: flags, bounds, signals, exit codes and output.
const fastJobs = {
  HOOKDEX_STATS_CRONTAB: '* * * * * *',
  HOOKDEX_STATS_INTERVAL: '1',
  HOOKDEX_STATUS_INTERVAL: '1',
  HOOKDEX_DATABASE_URL: '',
};

describe('node dist/src/main.js', () => {
  let database: TestDatabase | undefined;
  afterEach(async () => {
    await database?.cleanup();
    database = undefined;
  });
  const config = (db: TestDatabase) => ['-c', path.join(appDir(), 'hookdex.yaml'), db.overlay];

  it('runs the embedded chain for --duration seconds, shows progress, and exits 0 with a summary', async () => {
    database = createTestDatabase('sqlite');
    const result = await startChild(
      [
        ...config(database),
        '--duration',
        '6',
        '--prefill',
        '20',
        '--block-time',
        '50',
        '--reorg-every',
        '6',
        '--progress',
        'log',
      ],
      fastJobs,
    ).exited;
    expect(result.code, result.output).toBe(0);
    const output = result.output;
    expect(output).toMatch(
      /INFO {2}hookdex\.progress: Indexed blocks block=\d+ head=\d+ lag=\d+ blocks_per_s=[\d.]+ transfers_per_s=[\d.]+ reorgs=\d+/,
    );
    expect(output).toContain('hookdex.evm: Reverted the embedded chain');
    expect(output).toContain('hookdex: Rolled back index');
    expect(output).toMatch(
      /^Indexed blocks 1\.\.\d+ \(\d+ blocks, \d+ transfers\) in [\d.]+ s: [\d.]+ blocks\/s, [\d.]+ transfers\/s\.$/m,
    );
    expect(output).toMatch(/^ {2}reorgs handled: [1-9]\d* \(deepest [1-4]\); RPC retries: 0$/m);
    expect(output).toMatch(/^ {2}jobs run: major_stats [1-9]\d*, minor_stats [1-9]\d*, status_reporter 1$/m);
    expect(output).toMatch(/status reporter: stopped$/m);
    expect(output).toMatch(/^Stopped: --duration passed\.$/m);
  });

  it('stops by itself once --blocks N blocks were mined and indexed', async () => {
    database = createTestDatabase('sqlite');
    const result = await startChild(
      [
        ...config(database),
        '--blocks',
        '12',
        '--prefill',
        '3',
        '--block-time',
        '20',
        '--reorg-every',
        '0',
        '--progress',
        'off',
      ],
      fastJobs,
    ).exited;
    expect(result.code, result.output).toBe(0);
    // Setup blocks 1-2, 3 prefilled, 12 more: the index ends at block 17.
    expect(result.output).toMatch(/^Indexed blocks 1\.\.17 \(\d+ blocks, \d+ transfers\)/m);
    expect(result.output).toMatch(/^Stopped: the head grew by --blocks and the indexer caught up\.$/m);
    const [index] = await database.query<{ level: number | string }>(
      "SELECT level FROM hookdex_index WHERE name = 'tokens'",
    );
    expect(Number(index?.level)).toBe(17);
  });

  it('stops cleanly on Ctrl-C (SIGINT) and draws the status line in place with --progress tty', async () => {
    database = createTestDatabase('sqlite');
    const child = startChild(
      [...config(database), '--prefill', '5', '--block-time', '50', '--progress', 'tty'],
      fastJobs,
    );
    await vi.waitFor(() => expect(child.output()).toContain('Caught up with the head'), {
      timeout: 30_000,
      interval: 50,
    });
    await vi.waitFor(
      () => {
        // A carriage return and "erase line" before each redraw of the status line.
        expect(child.output()).toContain('\r\u001b[2K');
        expect(child.output()).toMatch(/\d+:\d\d \| block \d+ \/ head \d+ \(lag \d+\) \| [\d.]+ blocks\/s/);
      },
      {
        timeout: 10_000,
        interval: 50,
      },
    );
    child.kill('SIGINT');
    const result = await child.exited;
    expect(result.code, result.output).toBe(0);
    expect(result.output).toContain('Received SIGINT: stopping after the current level (again to force).');
    expect(result.output).toMatch(/Stopped hookdex/);
    expect(result.output).toMatch(/^Stopped: stopped on request\.$/m);
  });

  it('exits 75 when the node stays unreachable through every retry, naming the node', async () => {
    database = createTestDatabase(
      'sqlite',
      'datasources:\n  node:\n    retry: { attempts: 2, min_delay_ms: 10, max_delay_ms: 10 }\n',
    );
    const result = await startChild(
      [
        ...config(database),
        '--rpc-url',
        'http://127.0.0.1:1',
        '--contract',
        '0x0000000000000000000000000000000000000001',
      ],
      fastJobs,
    ).exited;
    expect(result.output).toMatch(
      /RPC request eth_blockNumber to http:\/\/127\.0\.0\.1:1 failed 2 times; the last error: HTTP request failed/,
    );
    expect(result.code).toBe(75);
  });

  it('exits 1 with a message naming the problem for bad flags and configuration', async () => {
    const noContract = await startChild(['--rpc-url', 'http://127.0.0.1:1'], { HOOKDEX_CONTRACT: '' }).exited;
    expect(noContract.code).toBe(1);
    expect(noContract.output).toContain(
      'error: --rpc-url needs --contract <address> (or HOOKDEX_CONTRACT): the ERC-20 to index.',
    );
    const badNumber = await startChild(['--blocks', 'ten']).exited;
    expect(badNumber.code).toBe(1);
    expect(badNumber.output).toContain(
      "error: option '--blocks <n>' argument 'ten' is invalid. expected a whole number, found \"ten\".",
    );
    database = createTestDatabase('sqlite');
    const broken = path.join(database.dir, 'broken.yaml');
    writeFileSync(broken, 'jobs:\n  major_stats:\n    interval: 10\n');
    const badConfig = await startChild(['-c', path.join(appDir(), 'hookdex.yaml'), broken, '--prefill', '0'])
      .exited;
    expect(badConfig.code).toBe(1);
    expect(badConfig.output).toMatch(/hookdex stopped: .*broken\.yaml: jobs\.major_stats/);
  });

  it('documents every flag in --help', async () => {
    const help = await startChild(['--help']).exited;
    expect(help.code).toBe(0);
    for (const flag of [
      '--rpc-url',
      '--contract',
      '--confirmations',
      '--blocks',
      '--duration',
      '--prefill',
      '--reorg-every',
      '--reorg-depth',
      '--progress',
    ]) {
      expect(help.output).toContain(flag);
    }
    expect(help.output).toContain('HOOKDEX_DATABASE_URL');
  });
});
