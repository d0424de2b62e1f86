import path from 'node:path';
import type { HookdexConfig } from '@hookdex/core';
import type { RunSummary } from './run-example.js';
import { formatTokens } from './token.js';

const REASONS: Record<RunSummary['reason'], string> = {
  blocks: 'the head grew by --blocks and the indexer caught up',
  duration: '--duration passed',
  stopped: 'stopped on request',
  failed: 'failed',
};

/** The closing lines `pnpm example` prints on standard output. */
export function formatSummary(summary: RunSummary, config: HookdexConfig): string {
  const lines: string[] = [];
  const range =
    summary.firstLevel === undefined ? 'no blocks' : `blocks ${summary.firstLevel}..${summary.lastLevel}`;
  lines.push(
    `Indexed ${range} (${summary.blocks} blocks, ${summary.transfers} transfers) in ${summary.seconds.toFixed(1)} s: ` +
      `${summary.blocksPerSecond.toFixed(1)} blocks/s, ${summary.transfersPerSecond.toFixed(1)} transfers/s.`,
  );
  const historical = summary.historical;
  if (historical !== undefined && historical.seconds > 0) {
    lines.push(
      `  historical sync: ${historical.blocks} blocks, ${historical.transfers} transfers in ${historical.seconds.toFixed(2)} s ` +
        `(${(historical.blocks / historical.seconds).toFixed(0)} blocks/s, ${(historical.transfers / historical.seconds).toFixed(0)} transfers/s)`,
    );
  }
  lines.push(
    `  reorgs handled: ${summary.reorgs}${summary.reorgs > 0 ? ` (deepest ${summary.deepestReorg})` : ''}; RPC retries: ${summary.rpcRetries}`,
  );
  lines.push(`  hooks fired: ${describeCounts(summary.hooks)}`);
  lines.push(`  jobs run: ${describeCounts(summary.jobs)}`);
  const database = summary.database;
  if (database !== undefined) {
    const where =
      config.database.kind === 'sqlite'
        ? `SQLite ${path.relative(process.cwd(), path.resolve(config.projectDir, config.database.path)) || config.database.path}`
        : `PostgreSQL schema ${config.database.schema}`;
    lines.push(
      `  database (${where}): ${database.transfers} transfers, ${database.holders} holders, ${database.checkpoints} checkpoints, ` +
        `${database.alerts} alerts, ${database.reorgsLogged} reorgs logged; status reporter: ${database.statusReporter ?? 'never ran'}`,
    );
    if (database.topHolders.length > 0) {
      const top = database.topHolders
        .slice(0, 3)
        .map((holder) => `${holder.rank}. ${holder.address} ${formatTokens(holder.balance)} HDX`);
      lines.push(`  top holders (calculate_stats, major): ${top.join('; ')}`);
    }
  }
  lines.push(`Stopped: ${REASONS[summary.reason]}.`);
  return `${lines.join('\n')}\n`;
}

function describeCounts(counts: Record<string, number>): string {
  const entries = Object.entries(counts).sort(([a], [b]) => a.localeCompare(b));
  return entries.length === 0 ? 'none' : entries.map(([name, count]) => `${name} ${count}`).join(', ');
}
