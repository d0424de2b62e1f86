import { INTERNAL_TABLE_PREFIX } from '../config/config-names.js';

/** The journal: one row per reverted-to-be change (index, level, table, action, key, old values). */
export const JOURNAL_TABLE = `${INTERNAL_TABLE_PREFIX}journal`;

/** SQLite only: the one-row table that switches journaling on inside a level transaction. */
export const JOURNAL_CONTEXT_TABLE = `${INTERNAL_TABLE_PREFIX}journal_context`;

/** The index the revert and prune queries use. */
export const JOURNAL_INDEX = `${INTERNAL_TABLE_PREFIX}journal_index_level`;

/** PostgreSQL: the row trigger (and the trigger function's name stem) on every journaled table. */
export const JOURNAL_TRIGGER = `${INTERNAL_TABLE_PREFIX}journal`;

/** PostgreSQL: the statement trigger that refuses TRUNCATE while journaling. */
export const JOURNAL_TRUNCATE_TRIGGER = `${INTERNAL_TABLE_PREFIX}journal_truncate`;

/** SQLite: every journal trigger's name starts with this, followed by its kind and the table name. */
export const SQLITE_TRIGGER_PREFIX = `${INTERNAL_TABLE_PREFIX}journal_`;

/** PostgreSQL settings (transaction-local) that switch journaling on: the index and the level. */
export const INDEX_SETTING = 'hookdex.journal_index';
export const LEVEL_SETTING = 'hookdex.journal_level';
