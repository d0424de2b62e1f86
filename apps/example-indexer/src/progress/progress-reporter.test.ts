import { Writable } from 'node:stream';
import type { Logger } from '@hookdex/core';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { EvmDatasourceStatus } from '../evm/evm-datasource.js';
import { ProgressReporter } from './progress-reporter.js';
import { RunStats } from './run-stats.js';

function capture(): { stream: Writable & { columns: number }; text: () => string } {
  let text = '';
  const stream = Object.assign(
    new Writable({
      write: (chunk: Buffer, _encoding, done) => {
        text += chunk.toString();
        done();
      },
    }),
    { columns: 400 },
  );
  return { stream, text: () => text };
}

const chain: EvmDatasourceStatus = {
  head: 120,
  processed: { number: 118, hash: '0x01' },
  realtime: true,
  reorgs: 2,
  deepestReorg: 3,
  retries: 4,
};

function level(number: number) {
  return { number, hash: '0x', parentHash: '0x', items: [] };
}

describe('ProgressReporter', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('rewrites one status line on a TTY with rates over the last seconds, and keeps log lines above it', () => {
    vi.useFakeTimers();
    let now = 0;
    const stats = new RunStats();
    const output = capture();
    const reporter = new ProgressReporter({
      mode: 'tty',
      stats,
      chain: () => chain,
      output: output.stream,
      now: () => now,
    });
    stats.onLevel('tokens', level(100), 2);
    reporter.start({} as Logger);
    stats.hookStarted('report_status');
    stats.hookStarted('calculate_stats');
    stats.hookFinished('calculate_stats', false);
    stats.jobRan('minor_stats');
    now = 250;
    vi.advanceTimersByTime(250);
    stats.onLevel('tokens', level(110), 20);
    now = 1_250;
    vi.advanceTimersByTime(1_000);
    expect(reporter.line()).toBe(
      '0:01 | block 110 / head 120 (lag 10) | 8.0 blocks/s, 16.0 transfers/s | reorgs 2 (deepest 3) | rpc retries 4 | hooks 1 | jobs minor_stats 1, status_reporter running',
    );
    reporter.logStream.write('12:00:00.000 INFO  hookdex: Rolled back index\n');
    const text = output.text();
    expect(text).toContain(
      '\r\x1b[2K12:00:00.000 INFO  hookdex: Rolled back index\n0:01 | block 110 / head 120',
    );
    reporter.stop();
    expect(output.text().endsWith('\r\x1b[2K')).toBe(true);
  });

  it('logs a plain line every interval when the output is not a terminal', () => {
    vi.useFakeTimers();
    let now = 0;
    const stats = new RunStats();
    const info = vi.fn();
    const reporter = new ProgressReporter({
      mode: 'log',
      stats,
      chain: () => chain,
      output: capture().stream,
      intervalMs: 5_000,
      now: () => now,
    });
    reporter.start({ info } as unknown as Logger);
    stats.onLevel('tokens', level(10), 1);
    now = 5_000;
    vi.advanceTimersByTime(5_000);
    stats.onLevel('tokens', level(60), 99);
    now = 10_000;
    vi.advanceTimersByTime(5_000);
    expect(info).toHaveBeenCalledTimes(2);
    expect(info).toHaveBeenLastCalledWith('Indexed blocks', {
      block: 60,
      head: 120,
      lag: 60,
      blocks_per_s: 10,
      transfers_per_s: 19.8,
      reorgs: 2,
      rpc_retries: 4,
      hooks: 0,
      jobs: {},
    });
    reporter.stop();
  });
});
