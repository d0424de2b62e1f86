// Benchmark: a 1,000-statement script through SqlRunner against the driver's own way of running it,
// in the same process and on the same database, alternating runs. Writes bench/RESULTS.md.
//   pnpm -F @hookdex/sql-runner bench        (PostgreSQL from DATABASE_URL, default the local server)
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { SqlRunner } from '@hookdex/sql-runner';
import pg from 'pg';
import { DataSource } from 'typeorm';

const DATABASE_URL = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const STATEMENTS = 1000;
const TARGET = 1.3;
const SCHEMA = 'sqlrunner_bench';
const here = path.dirname(fileURLToPath(import.meta.url));

/** The script: drops (so it can run again), a table, a trigger or function, a view, inserts. */
function buildScript(dialect, parameterised) {
  const head =
    dialect === 'postgres'
      ? [
          'DROP VIEW IF EXISTS bench_view',
          'DROP TABLE IF EXISTS bench_items',
          'DROP FUNCTION IF EXISTS bench_total(integer)',
          'CREATE TABLE bench_items (id integer PRIMARY KEY, name text NOT NULL, qty integer NOT NULL)',
          [
            'CREATE FUNCTION bench_total(minimum integer) RETURNS bigint LANGUAGE plpgsql AS $$',
            'DECLARE total bigint;',
            'BEGIN',
            '  SELECT sum(qty) INTO total FROM bench_items WHERE qty >= minimum;',
            '  RETURN total;',
            'END;',
            '$$',
          ].join('\n'),
          "CREATE VIEW bench_view AS SELECT name, qty * 2 AS double_qty FROM bench_items WHERE name <> ''",
        ]
      : [
          'DROP VIEW IF EXISTS bench_view',
          'DROP TABLE IF EXISTS bench_items',
          'DROP TABLE IF EXISTS bench_log',
          'CREATE TABLE bench_items (id INTEGER PRIMARY KEY, name TEXT NOT NULL, qty INTEGER NOT NULL)',
          'CREATE TABLE bench_log (item_id INTEGER, note TEXT)',
          [
            'CREATE TRIGGER bench_items_log AFTER INSERT ON bench_items WHEN NEW.qty > 990',
            'BEGIN',
            "  INSERT INTO bench_log (item_id, note) VALUES (NEW.id, 'large; logged');",
            'END',
          ].join('\n'),
          "CREATE VIEW bench_view AS SELECT name, qty * 2 AS double_qty FROM bench_items WHERE name <> ''",
        ];
  const tail = dialect === 'postgres' ? ['SELECT bench_total(10)'] : ['SELECT count(*) FROM bench_view'];
  const inserts = [];
  for (let index = 0; inserts.length < STATEMENTS - head.length - tail.length; index++) {
    inserts.push(
      parameterised
        ? `INSERT INTO bench_items (id, name, qty) VALUES (${index}, :name, :qty)`
        : `INSERT INTO bench_items (id, name, qty) VALUES (${index}, 'item ${index}; "quoted"', ${index % 1000})`,
    );
  }
  const statements = [...head, ...inserts, ...tail];
  return {
    statements,
    script: `${statements.map((statement, index) => `-- ${index + 1}\n${statement};`).join('\n')}\n`,
  };
}

/** The same statements bound by hand: what a caller without the runner would send. */
function bindByHand(statements, dialect) {
  return statements.map((text) => {
    if (!text.includes(':name')) return { text, values: undefined };
    return dialect === 'postgres'
      ? { text: text.replace(':name', '$1').replace(':qty', '$2'), values: ['item; "quoted"', 7] }
      : { text: text.replace(':name', '?').replace(':qty', '?'), values: ['item; "quoted"', 7] };
  });
}

const PARAMS = { name: 'item; "quoted"', qty: 7 };

/** Median of `rounds` alternating runs of each contender, after `warmup` unmeasured rounds. */
async function compare(contenders, { rounds, warmup }) {
  const times = contenders.map(() => []);
  for (let round = 0; round < warmup + rounds; round++) {
    for (const [index, contender] of contenders.entries()) {
      const started = process.hrtime.bigint();
      await contender();
      const elapsed = Number(process.hrtime.bigint() - started) / 1e6;
      if (round >= warmup) times[index].push(elapsed);
    }
  }
  return times.map((list) => {
    list.sort((a, b) => a - b);
    return list[Math.floor(list.length / 2)];
  });
}

async function writeScripts(root, dialect) {
  for (const [name, parameterised] of [
    ['plain', false],
    ['params', true],
  ]) {
    const { script } = buildScript(dialect, parameterised);
    await mkdir(path.join(root, `${dialect}_${name}`), { recursive: true });
    await writeFile(path.join(root, `${dialect}_${name}`, '01_script.sql'), script);
  }
}

async function benchSqlite(root, storage, rows) {
  const directory = await mkdtemp(path.join(os.tmpdir(), 'sql-runner-bench-db-'));
  const database = storage === 'memory' ? ':memory:' : path.join(directory, 'bench.sqlite');
  const dataSource = await new DataSource({ type: 'better-sqlite3', database }).initialize();
  // NOTE: the baseline runs on the very connection the runner uses: same pragmas, same file.
  const connection = dataSource.driver.databaseConnection;
  const runner = new SqlRunner({ root, dataSource });
  const rounds = storage === 'memory' ? { rounds: 41, warmup: 5 } : { rounds: 7, warmup: 1 };
  const label = `SQLite (better-sqlite3, ${storage === 'memory' ? ':memory:' : 'file'})`;

  const plain = buildScript('sqlite', false);
  const [driverPlain, runnerPlain, coldPlain] = await compare(
    [
      () => connection.exec(plain.script),
      () => runner.executeSql('sqlite_plain'),
      // A new runner has an empty script cache: it reads and splits the file on every run.
      () => new SqlRunner({ root, dataSource }).executeSql('sqlite_plain'),
    ],
    rounds,
  );
  rows.push({
    database: label,
    scenario: 'script, no parameters',
    baseline: 'exec(script)',
    driverPlain,
    runnerPlain,
  });
  rows.push({
    database: label,
    scenario: 'script, no parameters, cold: file read and split on every run (information, no target)',
    baseline: 'exec(script)',
    driverPlain,
    runnerPlain: coldPlain,
    informational: true,
  });

  const bound = bindByHand(buildScript('sqlite', true).statements, 'sqlite');
  const [driverParams, runnerParams] = await compare(
    [
      () => {
        for (const { text, values } of bound) {
          if (values === undefined) connection.exec(text);
          else connection.prepare(text).run(...values);
        }
      },
      () => runner.executeSql('sqlite_params', PARAMS),
    ],
    rounds,
  );
  rows.push({
    database: label,
    scenario: 'script with :name parameters',
    baseline: 'prepare(statement).run(...values) per statement',
    driverPlain: driverParams,
    runnerPlain: runnerParams,
  });
  await dataSource.destroy();
  await rm(directory, { recursive: true, force: true });
}

async function benchPostgres(root, rows) {
  const admin = new pg.Client({ connectionString: DATABASE_URL });
  await admin.connect();
  await admin.query(`DROP SCHEMA IF EXISTS ${SCHEMA} CASCADE; CREATE SCHEMA ${SCHEMA}`);
  const version = (await admin.query('SHOW server_version')).rows[0].server_version;
  await admin.end();
  const options = `-c search_path=${SCHEMA}`;
  const client = new pg.Client({ connectionString: DATABASE_URL, options });
  await client.connect();
  const dataSource = await new DataSource({
    type: 'postgres',
    url: DATABASE_URL,
    extra: { options },
  }).initialize();
  const runner = new SqlRunner({ root, dataSource });
  const unbatched = new SqlRunner({ root, dataSource, batch: false });
  const label = `PostgreSQL ${version} (pg)`;
  const rounds = { rounds: 15, warmup: 2 };

  const plain = buildScript('postgres', false);
  const [driverPlain, runnerPlain, unbatchedPlain] = await compare(
    [
      () => client.query(plain.script),
      () => runner.executeSql('postgres_plain'),
      () => unbatched.executeSql('postgres_plain'),
    ],
    { rounds: 9, warmup: 1 },
  );
  rows.push({
    database: label,
    scenario: 'script, no parameters',
    baseline: 'simple query(script)',
    driverPlain,
    runnerPlain,
  });
  rows.push({
    database: label,
    scenario: 'script, no parameters, `batch: false` (information, no target)',
    baseline: 'simple query(script)',
    driverPlain,
    runnerPlain: unbatchedPlain,
    informational: true,
  });

  const bound = bindByHand(buildScript('postgres', true).statements, 'postgres');
  const [driverParams, runnerParams] = await compare(
    [
      async () => {
        for (const { text, values } of bound) await client.query(text, values);
      },
      () => runner.executeSql('postgres_params', PARAMS),
    ],
    rounds,
  );
  rows.push({
    database: label,
    scenario: 'script with :name parameters',
    baseline: 'query(statement, values) per statement',
    driverPlain: driverParams,
    runnerPlain: runnerParams,
  });

  await client.query(`DROP SCHEMA ${SCHEMA} CASCADE`);
  await client.end();
  await dataSource.destroy();
}

function table(rows) {
  const lines = [
    '| database | scenario | driver baseline | driver (ms) | runner (ms) | runner / driver | result |',
    '|---|---|---|---:|---:|---:|---|',
  ];
  for (const row of rows) {
    const ratio = row.runnerPlain / row.driverPlain;
    const result = row.informational
      ? 'info'
      : ratio <= TARGET
        ? `PASS (<= ${TARGET}x)`
        : `FAIL (> ${TARGET}x)`;
    lines.push(
      `| ${row.database} | ${row.scenario} | ${row.baseline} | ${row.driverPlain.toFixed(2)} | ${row.runnerPlain.toFixed(2)} | ${ratio.toFixed(2)}x | ${result} |`,
    );
  }
  return lines.join('\n');
}

const root = await mkdtemp(path.join(os.tmpdir(), 'sql-runner-bench-'));
try {
  await writeScripts(root, 'sqlite');
  await writeScripts(root, 'postgres');
  const rows = [];
  await benchSqlite(root, 'memory', rows);
  await benchSqlite(root, 'file', rows);
  await benchPostgres(root, rows);
  const markdown = table(rows);
  console.log(markdown);
  const failed = rows.some((row) => !row.informational && row.runnerPlain / row.driverPlain > TARGET);
  const cpu = os.cpus()[0]?.model ?? 'unknown CPU';
  await writeFile(
    path.join(here, 'RESULTS.md'),
    [
      '# @hookdex/sql-runner benchmark',
      '',
      `Generated by \`pnpm -F @hookdex/sql-runner bench\` on ${new Date().toISOString().slice(0, 10)}: Node ${process.version}, ` +
        `${os.cpus().length} x ${cpu}, ${os.platform()}.`,
      '',
      `A ${STATEMENTS}-statement script (drops, a table, a view, a trigger on SQLite or a PL/pgSQL function on`,
      `PostgreSQL, ${STATEMENTS - 8} inserts, a final query) run through \`SqlRunner.executeSql\` and through the`,
      "driver's own way of running it, alternately, in the same process, on the same database; times are medians",
      "of 7 to 41 runs. The runner's time includes reading the file, splitting, binding and TypeORM's QueryRunner.",
      'With parameters, the baseline is the same statements already split and bound by hand, sent one by one.',
      `Target: runner / driver <= ${TARGET}x.`,
      '',
      markdown,
      '',
      'The target rows are warm: a runner keeps each file split while its size, mtime, ctime and inode are',
      'unchanged, as a hook that fires again finds it. The "cold" rows read and split the file on every run.',
      '`batch: false` sends one statement per round trip, each committed on its own: it is shown to explain why',
      'the runner batches parameterless statements on PostgreSQL (see "Execution" in the README).',
      '',
      `Overall: ${failed ? 'FAIL' : 'PASS'}.`,
      '',
    ].join('\n'),
  );
  console.log(`\nOverall: ${failed ? 'FAIL' : 'PASS'}. Written to bench/RESULTS.md.`);
  if (failed) process.exitCode = 1;
} finally {
  await rm(root, { recursive: true, force: true });
}
