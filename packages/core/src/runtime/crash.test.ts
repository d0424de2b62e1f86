import { execFileSync, spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { DataSource } from 'typeorm';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
// @ts-expect-error: a plain ESM module shared with the child process; its types are inferred at runtime.
import { CRASH_LEVEL, LAST_LEVEL, transfersAt } from '../_test/crash-chain.mjs';
import { createProject, DATABASES, type TestProject } from '../_test/project.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const childScript = path.join(here, '..', '_test', 'crash-child.mjs');

/** Runs the child; resolves with its exit code and output. With `killOn`, SIGKILLs it when that line appears. */
function runChild(
  args: string[],
  killOn?: string,
): Promise<{ code: number | null; signal: string | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [childScript, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      if (killOn !== undefined && output.includes(killOn)) child.kill('SIGKILL');
    });
    child.stderr.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    child.on('error', reject);
    child.on('exit', (code, signal) => resolve({ code, signal, output }));
  });
}

function expected() {
  const transfers: string[] = [];
  const balances = new Map<string, number>();
  for (let level = 0; level <= LAST_LEVEL; level++) {
    for (const item of transfersAt(level, 0) as Array<{
      id: string;
      from: string;
      to: string;
      amount: number;
    }>) {
      transfers.push(`${item.id}@${level}=${item.amount}`);
      balances.set(item.from, (balances.get(item.from) ?? 0) - item.amount);
      balances.set(item.to, (balances.get(item.to) ?? 0) + item.amount);
    }
  }
  return {
    transfers: transfers.sort(),
    balances: [...balances.entries()].map(([address, balance]) => `${address}:${balance}`).sort(),
  };
}

describe.each(DATABASES)('a process killed with SIGKILL in the middle of a level, on $name', ({ kind }) => {
  let project: TestProject;
  beforeAll(() => {
    // The child runs the built packages, as a user's process would.
    execFileSync('pnpm', ['turbo', 'run', 'build', '--filter=@hookdex/core', '--output-logs=errors-only'], {
      cwd: path.join(here, '..', '..'),
      stdio: 'pipe',
    });
  }, 180_000);
  beforeEach(() => {
    project = createProject(kind);
  });
  afterEach(async () => {
    await project.cleanup();
  });

  it('leaves no part of that level and, restarted, ends equal to an uninterrupted run', async () => {
    const database = JSON.stringify(
      kind === 'sqlite'
        ? { kind: 'sqlite', path: 'test.sqlite' }
        : {
            kind: 'postgres',
            url: process.env.DATABASE_URL,
            schema: (project.database as { schema: string }).schema,
          },
    );
    const crashed = await runChild(['crash', project.dir, database], 'IN_LEVEL');
    expect(crashed.signal).toBe('SIGKILL');

    const dataSource = new DataSource(
      kind === 'sqlite'
        ? { type: 'better-sqlite3', database: path.join(project.dir, 'test.sqlite') }
        : {
            type: 'postgres',
            url: process.env.DATABASE_URL,
            extra: { options: `-c search_path="${(project.database as { schema: string }).schema}"` },
          },
    );
    await dataSource.initialize();
    const levels: Array<{ level: number | string }> = await dataSource.query(
      'SELECT DISTINCT level FROM transfer ORDER BY level',
    );
    const [state] = await dataSource.query("SELECT level FROM hookdex_index WHERE name = 'tokens'");
    // Everything below the crashed level is there; nothing of it.
    expect(levels.map((row) => Number(row.level)).at(-1)).toBe(CRASH_LEVEL - 1);
    expect(Number(state.level)).toBe(CRASH_LEVEL - 1);
    const partial: unknown[] = await dataSource.query(`SELECT id FROM transfer WHERE level = ${CRASH_LEVEL}`);
    expect(partial).toEqual([]);

    const finished = await runChild(['finish', project.dir, database]);
    expect(finished.output).toContain('DONE');
    expect(finished.code).toBe(0);

    const transfers: Array<Record<string, unknown>> = await dataSource.query(
      'SELECT id, level, amount FROM transfer',
    );
    const holders: Array<Record<string, unknown>> = await dataSource.query(
      'SELECT address, balance FROM holder',
    );
    expect({
      transfers: transfers.map((row) => `${row.id}@${Number(row.level)}=${Number(row.amount)}`).sort(),
      balances: holders.map((row) => `${row.address}:${Number(row.balance)}`).sort(),
    }).toEqual(expected());
    await dataSource.destroy();
  }, 60_000);
});
