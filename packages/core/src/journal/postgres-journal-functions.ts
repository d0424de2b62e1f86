import { INDEX_SETTING, JOURNAL_TABLE, JOURNAL_TRIGGER, LEVEL_SETTING } from './journal-names.js';
import { quoteIdentifier } from './sql-text.js';

/** The function of the row trigger on every journaled table. */
export const WRITE_FUNCTION = `${JOURNAL_TRIGGER}_write`;
/** The function of the statement trigger that refuses TRUNCATE inside a level. */
export const TRUNCATE_FUNCTION = `${JOURNAL_TRIGGER}_truncate`;

/**
 * The row trigger. It does nothing unless a level is open. The key is the primary key of the row
 * after the change (before it, for a delete): that is where a revert finds the row. A table
 * without a primary key is keyed by the whole row. An update that changed nothing (same text for
 * every column) is not journaled: there is nothing to revert. json and jsonb columns whose JSON
 * text is `null` are asked (by name, dynamically, so only then) whether they hold SQL NULL.
 */
export function writeFunction(quotedSchema: string): string {
  const journalTable = `${quotedSchema}.${quoteIdentifier(JOURNAL_TABLE)}`;
  return `CREATE OR REPLACE FUNCTION ${quotedSchema}.${quoteIdentifier(WRITE_FUNCTION)}() RETURNS trigger
LANGUAGE plpgsql AS $hookdex_journal$
DECLARE
  journal_level text := current_setting('${LEVEL_SETTING}', true);
  old_row json;
  new_row json;
  key_row json;
  key_columns text[] := '{}';
  json_columns text[] := '{}';
  json_nulls text[];
  after_key boolean := false;
  argument text;
  present boolean;
BEGIN
  IF journal_level IS NULL OR journal_level = '' THEN
    RETURN NULL;
  END IF;
  IF TG_OP <> 'INSERT' THEN
    old_row := row_to_json(OLD);
  END IF;
  IF TG_OP <> 'DELETE' THEN
    new_row := row_to_json(NEW);
  END IF;
  IF TG_OP = 'UPDATE' AND old_row::text = new_row::text THEN
    RETURN NULL;
  END IF;
  IF TG_NARGS > 0 THEN
    FOREACH argument IN ARRAY TG_ARGV LOOP
      IF argument = '' THEN
        after_key := true;
      ELSIF after_key THEN
        json_columns := json_columns || argument;
      ELSE
        key_columns := key_columns || argument;
      END IF;
    END LOOP;
  END IF;
  key_row := coalesce(new_row, old_row);
  IF cardinality(key_columns) > 0 THEN
    SELECT json_object_agg(key_column.name, key_row -> key_column.name ORDER BY key_column.position)
      INTO key_row FROM unnest(key_columns) WITH ORDINALITY AS key_column (name, position);
  END IF;
  IF old_row IS NOT NULL THEN
    FOREACH argument IN ARRAY json_columns LOOP
      IF json_typeof(old_row -> argument) = 'null' THEN
        EXECUTE format('SELECT ($1).%I IS NOT NULL', argument) INTO present USING OLD;
        IF present THEN
          json_nulls := array_append(json_nulls, argument);
        END IF;
      END IF;
    END LOOP;
  END IF;
  INSERT INTO ${journalTable} (index_name, level, table_name, action, primary_key, old_values, json_nulls)
    VALUES (current_setting('${INDEX_SETTING}'), journal_level::bigint, TG_TABLE_NAME, TG_OP, key_row, old_row,
      json_nulls);
  RETURN NULL;
END
$hookdex_journal$`;
}

/** TRUNCATE fires no row triggers, so inside a level it is refused rather than left unjournaled. */
export function truncateFunction(quotedSchema: string): string {
  return `CREATE OR REPLACE FUNCTION ${quotedSchema}.${quoteIdentifier(TRUNCATE_FUNCTION)}() RETURNS trigger
LANGUAGE plpgsql AS $hookdex_journal$
BEGIN
  IF coalesce(current_setting('${LEVEL_SETTING}', true), '') <> '' THEN
    RAISE EXCEPTION 'TRUNCATE of table % cannot be journaled for rollback', TG_TABLE_NAME
      USING ERRCODE = 'feature_not_supported',
        HINT = 'Use DELETE inside a level, or TRUNCATE outside of one.';
  END IF;
  RETURN NULL;
END
$hookdex_journal$`;
}
