import type { Level } from '@hookdex/core';

/** Counters of one run, fed by the runtime's level observer, the hook wrappers and the log tap. */
export class RunStats {
  /** Blocks the index moved through (a block re-indexed after a reorg counts again). */
  blocks = 0;
  /** Transfers handed to handlers. */
  transfers = 0;
  /** The first and the newest level the runtime handled. */
  firstLevel: number | undefined;
  level: number | undefined;
  /** When the runtime handed over the first level (performance.now()). */
  firstLevelAt: number | undefined;
  /** Counters when the index first reached realtime: the historical sync before it. */
  synced: { at: number; blocks: number; transfers: number } | undefined;
  readonly hooksStarted = new Map<string, number>();
  readonly hooksFinished = new Map<string, number>();
  readonly hooksFailed = new Map<string, number>();
  /** Completed runs per job (cron and interval jobs; a daemon never completes while running). */
  readonly jobs = new Map<string, number>();

  /** The runtime's `onLevel` observer. */
  readonly onLevel = (_index: string, level: Level, matched: number): void => {
    this.blocks += this.level === undefined || level.number <= this.level ? 1 : level.number - this.level;
    this.firstLevel ??= level.number;
    this.firstLevelAt ??= performance.now();
    this.level = level.number;
    this.transfers += matched;
  };

  /** The datasource reached realtime; the first time ends the historical sync. */
  realtime(at: number): void {
    this.synced ??= { at, blocks: this.blocks, transfers: this.transfers };
  }

  hookStarted(name: string): void {
    increment(this.hooksStarted, name);
  }

  hookFinished(name: string, failed: boolean): void {
    increment(failed ? this.hooksFailed : this.hooksFinished, name);
  }

  jobRan(name: string): void {
    increment(this.jobs, name);
  }

  /** Hook fires completed, all hooks together. */
  get hookFires(): number {
    let total = 0;
    for (const count of this.hooksFinished.values()) total += count;
    return total;
  }

  /** True while a hook has started more often than it finished (a daemon's hook, a slow fire). */
  running(name: string): boolean {
    const started = this.hooksStarted.get(name) ?? 0;
    return started > (this.hooksFinished.get(name) ?? 0) + (this.hooksFailed.get(name) ?? 0);
  }
}

function increment(map: Map<string, number>, key: string): void {
  map.set(key, (map.get(key) ?? 0) + 1);
}
