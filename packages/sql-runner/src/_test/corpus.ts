import type { Dialect } from '../dialect.js';

// Statements that have broken script splitters: every `;` below except the terminators is inside a
// string, identifier, comment, dollar-quoted body or trigger/routine body. Each list runs, in order,
// as one script on its database (sql-runner-corpus.test.ts), and feeds the property test.

/** PostgreSQL corpus, in an order that runs. */
export const POSTGRES_CORPUS: readonly string[] = [
  'CREATE TABLE events (id serial PRIMARY KEY, payload jsonb NOT NULL, note text)',
  [
    'CREATE OR REPLACE FUNCTION add_event(p jsonb) RETURNS integer',
    'LANGUAGE plpgsql AS $$',
    'DECLARE',
    '  new_id integer;',
    'BEGIN',
    "  INSERT INTO events (payload, note) VALUES (p, 'added; by function') RETURNING id INTO new_id;",
    '  new_id := new_id * 1; -- := is assignment; never a placeholder',
    '  RETURN new_id;',
    'END;',
    '$$',
  ].join('\n'),
  `SELECT add_event('{"kind": "a", "nested": {"list": [1, 2, {"semi": ";"}]}}'::jsonb)`,
  String.raw`INSERT INTO events (payload, note) VALUES ('{"kind": "b"}', E'it\'s; escaped \\ backslash')`,
  `INSERT INTO events (payload, note) VALUES ('{"kind": "c", "text": "{braces} and :colon"}', 'plain ''quoted''; :notaparam $$ not dollars $$')`,
  [
    'CREATE OR REPLACE VIEW event_kinds AS',
    "  SELECT payload->>'kind' AS kind, count(*)::int AS n /* cast; not a placeholder */",
    '  FROM events GROUP BY 1',
  ].join('\n'),
  'CREATE MATERIALIZED VIEW event_totals AS SELECT count(*)::int AS n FROM events',
  'REFRESH MATERIALIZED VIEW event_totals',
  [
    'DO $body$',
    'BEGIN',
    `  PERFORM add_event('{"kind": "do"}'::jsonb); -- a tagged body; $$ inside it is text`,
    'END',
    '$body$',
  ].join('\n'),
  [
    'CREATE FUNCTION add_atomic(a integer, b integer) RETURNS integer LANGUAGE sql',
    'BEGIN ATOMIC',
    '  SELECT a + b;',
    'END',
  ].join('\n'),
  'CREATE TABLE "weird;name" ("col;umn" text)',
  `INSERT INTO "weird;name" ("col;umn") /* outer /* nested; */ still a comment; */ VALUES ('x')`,
];

/** SQLite corpus, in an order that runs. */
export const SQLITE_CORPUS: readonly string[] = [
  'CREATE TABLE events (id INTEGER PRIMARY KEY, payload TEXT NOT NULL, note TEXT)',
  'CREATE TABLE audit (event_id INTEGER, kind TEXT)',
  [
    'CREATE TRIGGER events_audit AFTER INSERT ON events',
    'BEGIN',
    "  SELECT CASE WHEN NEW.id < 0 THEN RAISE(ABORT, 'negative; id') END;",
    '  INSERT INTO audit (event_id, kind)',
    "  VALUES (NEW.id, CASE WHEN json_extract(NEW.payload, '$.kind') IS NULL THEN 'none' ELSE json_extract(NEW.payload, '$.kind') END);",
    "  UPDATE events SET note = coalesce(note, 'set; by trigger') WHERE id = NEW.id;",
    'END',
  ].join('\n'),
  `INSERT INTO events (payload) VALUES ('{"kind": "a", "nested": {"list": [1, 2, {"semi": ";"}]}}')`,
  `INSERT INTO events (payload, note) VALUES ('{"text": "{braces} and :colon"}', 'it''s "quoted"; :notaparam')`,
  [
    'CREATE VIEW event_kinds AS',
    "  SELECT json_extract(payload, '$.kind') AS kind, count(*) AS n /* view; comment */",
    '  FROM events GROUP BY 1',
  ].join('\n'),
  'CREATE TABLE "weird;name" ([col;umn] TEXT, `other;col` TEXT)',
  'BEGIN',
  `INSERT INTO "weird;name" ([col;umn], \`other;col\`) VALUES ('x', 'y')`,
  'COMMIT',
];

/** The corpus of a dialect. */
export function corpusOf(dialect: Dialect): readonly string[] {
  return dialect === 'postgres' ? POSTGRES_CORPUS : SQLITE_CORPUS;
}

/** The corpus as one script, with comments containing `;` and empty statements between statements. */
export function corpusScript(dialect: Dialect): string {
  return corpusOf(dialect)
    .map((statement, index) => `-- statement ${index + 1}; a comment with a ; in it\n${statement};`)
    .join('\n;;\n/* between; statements */\n');
}
