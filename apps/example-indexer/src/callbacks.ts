import type { HandlerCallback, HookCallback } from '@hookdex/core';
import on_transfer from '../handlers/on_transfer.js';
import calculate_stats from '../hooks/calculate_stats.js';
import large_transfer_alert from '../hooks/large_transfer_alert.js';
import on_index_rollback from '../hooks/on_index_rollback.js';
import on_reindex from '../hooks/on_reindex.js';
import on_restart from '../hooks/on_restart.js';
import on_synchronized from '../hooks/on_synchronized.js';
import record_checkpoint from '../hooks/record_checkpoint.js';
import report_status from '../hooks/report_status.js';

// NOTE: `hookdex run` discovers hooks/** and handlers/** by path; this composition root imports
// them statically instead, so it needs no loader and the build checks every import.

/** Every hook of hookdex.yaml, system hooks included, by name. */
export const HOOKS: Readonly<Record<string, HookCallback>> = {
  calculate_stats,
  record_checkpoint,
  large_transfer_alert,
  report_status,
  on_reindex,
  on_restart,
  on_synchronized,
  on_index_rollback,
};

/** Every handler of hookdex.yaml, by callback name. */
export const HANDLERS: Readonly<Record<string, HandlerCallback>> = { on_transfer };
