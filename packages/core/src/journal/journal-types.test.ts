import { afterEach, describe, expect, it } from 'vitest';
import { DATABASES } from '../_test/project.js';
import { checkLevels, createHarness, type JournalHarness } from './_fixtures/journal-harness.js';

const SQLITE = [
  `CREATE TABLE token (
    id INTEGER PRIMARY KEY,
    name TEXT,
    created_at DATETIME,
    day DATE,
    kind TEXT NOT NULL CHECK (kind IN ('fungible', 'nft')),
    supply VARCHAR(80),
    price DECIMAL(20, 8),
    big BIGINT,
    ratio REAL,
    active BOOLEAN,
    data BLOB,
    meta JSON,
    anything
  )`,
];
const POSTGRES = [
  "CREATE TYPE token_kind AS ENUM ('fungible', 'nft')",
  `CREATE TABLE token (
    id integer PRIMARY KEY,
    name text,
    created_at timestamptz,
    local_at timestamp,
    day date,
    kind token_kind NOT NULL,
    supply numeric(78, 0),
    price numeric(20, 8),
    amount numeric,
    big bigint,
    ratio double precision,
    small real,
    active boolean,
    data bytea,
    meta jsonb,
    raw json,
    tags text[],
    uid uuid,
    span interval
  )`,
];

const UINT256_MAX = (2n ** 256n - 1n).toString();
const INT64_MAX = 2n ** 63n - 1n;
const INT64_MIN = -(2n ** 63n);

describe.each(DATABASES)('Journal column types on $name', ({ kind }) => {
  let harness: JournalHarness | undefined;
  afterEach(async () => {
    await harness?.close();
    harness = undefined;
  });

  it.runIf(kind === 'sqlite')(
    'reverts nulls, dates, a checked enum, decimals, 64-bit integers, reals, booleans, blobs, JSON and untyped values',
    async () => {
      harness = await createHarness(kind, { ddl: { sqlite: SQLITE, postgres: [] } });
      const h = harness;
      const insert =
        'INSERT INTO token (id, name, created_at, day, kind, supply, price, big, ratio, active, data, meta, anything) ' +
        'VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)';
      await h.exec("INSERT INTO token (id, kind) VALUES (1, 'fungible')");
      const snapshots = await checkLevels(h, [
        async (sql) => {
          await sql(insert, [
            2,
            'Tez',
            '2024-02-29 23:59:59.123',
            '2024-02-29',
            'nft',
            UINT256_MAX,
            '12345678901.12345678',
            INT64_MAX,
            0.1,
            true,
            Buffer.from([0, 1, 255]),
            '{"b":[1,2.50,null],  "a":"x"}',
            1,
          ]);
          await sql(insert, [
            3,
            "it's",
            null,
            null,
            'fungible',
            '0',
            '-0.00000001',
            INT64_MIN,
            5e-324,
            false,
            Buffer.alloc(0),
            null,
            'text',
          ]);
        },
        async (sql) => {
          await sql(
            "UPDATE token SET name = 'set', created_at = '1970-01-01 00:00:00.000', big = 9007199254740993, ratio = ?, data = x'00', anything = '1' WHERE id = 1",
            [Number.POSITIVE_INFINITY],
          );
          await sql(
            'UPDATE token SET name = NULL, meta = NULL, active = NULL, anything = 1, big = big - 1 WHERE id = 2',
          );
          await sql("UPDATE token SET kind = 'nft', supply = ?, anything = x'ff' WHERE id = 3", [
            UINT256_MAX,
          ]);
        },
        async (sql) => {
          await sql('DELETE FROM token WHERE id = 2');
          await sql("UPDATE token SET meta = json_set(coalesce(meta, '{}'), '$.k', 1), data = zeroblob(3)");
          await sql(insert, [4, null, null, null, 'nft', null, null, null, -0.0, null, null, '[]', null]);
        },
      ]);
      expect(snapshots[1]?.token?.text).toContain(
        "2|'Tez'|'2024-02-29 23:59:59.123'|'2024-02-29'|'nft'|'" +
          `${UINT256_MAX}'|12345678901.123457|9223372036854775807|0.1|1|X'0001FF'|'{"b":[1,2.50,null],  "a":"x"}'|1.0`,
      );
      await expect(h.level('main', 1, (sql) => sql("UPDATE token SET kind = 'other'"))).rejects.toThrow(
        'CHECK',
      );
    },
  );

  it.runIf(kind === 'postgres')(
    'reverts nulls, timestamps, an enum, numerics of any scale, 64-bit integers, floats, booleans, bytea, JSON, arrays, uuids and intervals',
    async () => {
      harness = await createHarness(kind, { ddl: { sqlite: [], postgres: POSTGRES } });
      const h = harness;
      const columns =
        'id, name, created_at, local_at, day, kind, supply, price, amount, big, ratio, small, active, data, meta, raw, tags, uid, span';
      const insert = `INSERT INTO token (${columns}) VALUES (${columns
        .split(',')
        .map(() => '?')
        .join(', ')})`;
      await h.exec("INSERT INTO token (id, kind) VALUES (1, 'fungible')");
      const snapshots = await checkLevels(h, [
        async (sql) => {
          await sql(insert, [
            2,
            'Tez',
            '2024-02-29T23:59:59.123456+05:30',
            '1999-12-31 23:59:59.999999',
            '2024-02-29',
            'nft',
            UINT256_MAX,
            '12345678901.12345678',
            '1.500',
            INT64_MAX.toString(),
            0.1,
            3.4028235e38,
            true,
            Buffer.from([0, 1, 255]),
            '{"b": [1, 2.50, null], "a": "x"}',
            '{"z":1,  "a":[1, 2] , "z":2}',
            ['a', 'b,c', null],
            '6f1c2a8e-0b4e-4c1f-9d3a-2b8e4f5a6c7d',
            '1 year 2 mons 3 days 04:05:06.789',
          ]);
          await sql(insert, [
            3,
            "it's",
            'infinity',
            '-infinity',
            '0001-01-01 BC',
            'fungible',
            '0',
            '-0.00000001',
            'NaN',
            INT64_MIN.toString(),
            '-0',
            'NaN',
            false,
            Buffer.alloc(0),
            'null',
            '[]',
            [],
            null,
            '-1 days',
          ]);
        },
        async (sql) => {
          await sql(
            "UPDATE token SET name = 'set', created_at = '1970-01-01T00:00:00Z', big = 9007199254740993, ratio = 'Infinity', data = '\\x00', tags = '{{1,2},{3,4}}' WHERE id = 1",
          );
          await sql(
            'UPDATE token SET name = NULL, meta = NULL, active = NULL, raw = NULL, big = big - 1, amount = amount * 3 WHERE id = 2',
          );
          await sql("UPDATE token SET kind = 'nft', supply = ?, price = 99999999999.99999999 WHERE id = 3", [
            UINT256_MAX,
          ]);
        },
        async (sql) => {
          await sql('DELETE FROM token WHERE id = 2');
          await sql(
            `UPDATE token SET meta = coalesce(meta, '{}') || '{"k": 1}', raw = '{ "spaced" : true }'`,
          );
          await sql(insert, [
            4,
            null,
            null,
            null,
            null,
            'nft',
            null,
            null,
            null,
            null,
            5e-324,
            null,
            null,
            null,
            '[]',
            null,
            null,
            null,
            null,
          ]);
        },
      ]);
      const row = snapshots[1]?.token?.rows.find((candidate) => candidate.id === 2);
      expect(row).toMatchObject({ supply: UINT256_MAX, big: INT64_MAX.toString(), amount: '1.500' });
      expect(snapshots[1]?.token?.text.join('\n')).toContain('"{""z"":1,  ""a"":[1, 2] , ""z"":2}"');
      await expect(h.level('main', 1, (sql) => sql("UPDATE token SET kind = 'other'"))).rejects.toThrow(
        'enum',
      );
    },
  );

  it('reverts tables with generated and identity columns', async () => {
    harness = await createHarness(kind, {
      ddl: {
        sqlite: [
          'CREATE TABLE item (id INTEGER PRIMARY KEY AUTOINCREMENT, price INTEGER NOT NULL, ' +
            'doubled INTEGER GENERATED ALWAYS AS (price * 2) STORED, tripled INTEGER GENERATED ALWAYS AS (price * 3) VIRTUAL)',
        ],
        postgres: [
          'CREATE TABLE item (id integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY, price integer NOT NULL, ' +
            'doubled integer GENERATED ALWAYS AS (price * 2) STORED, serial_no serial)',
        ],
      },
    });
    const h = harness;
    await h.exec('INSERT INTO item (price) VALUES (1), (2), (3)');
    await checkLevels(h, [
      (sql) => sql('INSERT INTO item (price) VALUES (4), (5)'),
      (sql) => sql('UPDATE item SET price = price + 10 WHERE price % 2 = 1'),
      (sql) => sql('DELETE FROM item WHERE price > 4'),
    ]);
  });

  it('journals a table with 500 columns (SQLite triggers stay within the expression depth limit)', async () => {
    const columns = Array.from({ length: 500 }, (_, position) => `c${position}`);
    const ddl = [
      `CREATE TABLE wide (id integer PRIMARY KEY, ${columns.map((name) => `${name} integer`).join(', ')})`,
    ];
    harness = await createHarness(kind, { ddl: { sqlite: ddl, postgres: ddl } });
    const h = harness;
    await checkLevels(h, [
      (sql) =>
        sql(
          `INSERT INTO wide (id, ${columns.join(', ')}) VALUES (1, ${columns.map((_, i) => i).join(', ')})`,
        ),
      (sql) => sql('UPDATE wide SET c499 = c499 + 1, c0 = NULL'),
      (sql) => sql('DELETE FROM wide'),
    ]);
  });
});
