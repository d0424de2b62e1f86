import { Writable } from 'node:stream';
import type { Logger } from '@hookdex/core';
import type { EvmDatasourceStatus } from '../evm/evm-datasource.js';
import type { RunStats } from './run-stats.js';

/** `tty`: one status line rewritten in place; `log`: an info line every interval; `off`: nothing. */
export type ProgressMode = 'tty' | 'log' | 'off';

export interface ProgressReporterOptions {
  mode: ProgressMode;
  stats: RunStats;
  /** The datasource's status, once the runtime created it. */
  chain: () => EvmDatasourceStatus | undefined;
  /** Where the status line and the log lines go (standard error). */
  output: NodeJS.WritableStream;
  /** `log` mode: a line every this many milliseconds. Default 5,000. */
  intervalMs?: number;
  now?: () => number;
}

interface Sample {
  at: number;
  blocks: number;
  transfers: number;
}

// NOTE: rates are measured over the last few seconds, so the line follows the current speed
// (historical sync is ~100x faster than the embedded chain's realtime pace).
const RATE_WINDOW_MS = 3_000;
const TTY_REFRESH_MS = 250;

/**
 * Shows the run's progress: level, head and lag, blocks and transfers per second, reorgs handled,
 * RPC retries, hook fires and job runs. On a TTY it keeps one status line at the bottom and
 * `logStream` (give it to `createLogger`) moves it out of the way of each log line.
 */
export class ProgressReporter {
  /** A stream for the logger: log lines go above the status line. */
  readonly logStream: Writable;
  private readonly samples: Sample[] = [];
  private readonly started: number;
  private timer: NodeJS.Timeout | undefined;
  private shown = false;
  private logger: Logger | undefined;
  private readonly now: () => number;

  constructor(private readonly options: ProgressReporterOptions) {
    this.now = options.now ?? (() => performance.now());
    this.started = this.now();
    this.logStream = new Writable({
      write: (chunk: Buffer | string, _encoding, done) => {
        this.clear();
        options.output.write(chunk);
        this.draw();
        done();
      },
    });
  }

  /** Starts refreshing; `logger` writes the lines of `log` mode. */
  start(logger: Logger): void {
    this.logger = logger;
    if (this.options.mode === 'off' || this.timer !== undefined) return;
    // The first rate is then measured from the start, not from the first refresh.
    this.samples.push({
      at: this.now(),
      blocks: this.options.stats.blocks,
      transfers: this.options.stats.transfers,
    });
    const every = this.options.mode === 'tty' ? TTY_REFRESH_MS : (this.options.intervalMs ?? 5_000);
    this.timer = setInterval(() => this.tick(), every);
    this.timer.unref();
  }

  /** Stops refreshing and leaves the terminal on a fresh line. */
  stop(): void {
    if (this.timer !== undefined) clearInterval(this.timer);
    this.timer = undefined;
    this.clear();
  }

  /** The status line as the TTY shows it. */
  line(): string {
    const { stats } = this.options;
    const chain = this.options.chain();
    const rates = this.rates();
    const head = chain?.head;
    const level = stats.level;
    const lag = head !== undefined && level !== undefined ? Math.max(0, head - level) : undefined;
    const jobs = [...stats.jobs.entries()].map(([job, count]) => `${job} ${count}`);
    if (stats.running('report_status')) jobs.push('status_reporter running');
    // Elapsed time first: a narrow terminal cuts the end of the line.
    return [
      formatElapsed(this.now() - this.started),
      `block ${level ?? '-'} / head ${head ?? '-'} (lag ${lag ?? '-'})`,
      `${rates.blocks.toFixed(1)} blocks/s, ${rates.transfers.toFixed(1)} transfers/s`,
      `reorgs ${chain?.reorgs ?? 0}${chain?.reorgs ? ` (deepest ${chain.deepestReorg})` : ''}`,
      ...(chain?.retries ? [`rpc retries ${chain.retries}`] : []),
      `hooks ${stats.hookFires}`,
      `jobs ${jobs.length === 0 ? '-' : jobs.join(', ')}`,
    ].join(' | ');
  }

  private tick(): void {
    const { stats } = this.options;
    this.samples.push({ at: this.now(), blocks: stats.blocks, transfers: stats.transfers });
    while (this.samples.length > 2 && this.samples[0]!.at < this.now() - RATE_WINDOW_MS) this.samples.shift();
    if (this.options.mode === 'tty') {
      this.clear();
      this.draw();
      return;
    }
    const chain = this.options.chain();
    const rates = this.rates();
    // NOTE: not `level`: the logger's own field of that name is the log level.
    this.logger?.info('Indexed blocks', {
      block: stats.level,
      head: chain?.head,
      lag:
        chain?.head !== undefined && stats.level !== undefined
          ? Math.max(0, chain.head - stats.level)
          : undefined,
      blocks_per_s: Number(rates.blocks.toFixed(1)),
      transfers_per_s: Number(rates.transfers.toFixed(1)),
      reorgs: chain?.reorgs ?? 0,
      rpc_retries: chain?.retries ?? 0,
      hooks: stats.hookFires,
      jobs: Object.fromEntries(stats.jobs),
    });
  }

  private rates(): { blocks: number; transfers: number } {
    const first = this.samples[0];
    const last = this.samples.at(-1);
    if (first === undefined || last === undefined || last.at - first.at <= 0)
      return { blocks: 0, transfers: 0 };
    const seconds = (last.at - first.at) / 1000;
    return {
      blocks: (last.blocks - first.blocks) / seconds,
      transfers: (last.transfers - first.transfers) / seconds,
    };
  }

  private draw(): void {
    if (this.options.mode !== 'tty' || this.timer === undefined) return;
    const columns = (this.options.output as { columns?: number }).columns ?? 120;
    this.options.output.write(this.line().slice(0, Math.max(20, columns - 1)));
    this.shown = true;
  }

  private clear(): void {
    if (!this.shown) return;
    // Carriage return and "erase line": the next write starts on a clean line.
    this.options.output.write('\r\x1b[2K');
    this.shown = false;
  }
}

function formatElapsed(ms: number): string {
  const seconds = Math.floor(ms / 1000);
  return `${Math.floor(seconds / 60)}:${String(seconds % 60).padStart(2, '0')}`;
}
