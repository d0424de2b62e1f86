/** What the scaffold depends on: the versions its package.json asks for. */
export interface ScaffoldOptions {
  /** The npm package name of the new project. */
  readonly name: string;
  /** The version of `@hookdex/cli` and `@hookdex/core` (they are released together). */
  readonly hookdexVersion: string;
}

/**
 * The files of a new project (SPEC §3a), by path: a configuration with a datasource, an index, a
 * hook and two jobs; the entry with two TypeORM entities (decorators with explicit column types,
 * no decorator metadata) and a made-up chain to index without a node; the handler, the hook and
 * an `on_reindex` script. `hookdex init` adds the rest.
 */
export function scaffoldFiles(options: ScaffoldOptions): Record<string, string> {
  return {
    'hookdex.yaml': HOOKDEX_YAML,
    'package.json': `${JSON.stringify(packageJson(options), null, 2)}\n`,
    'tsconfig.json': TSCONFIG,
    '.gitignore': 'node_modules/\n*.sqlite\n.env\n',
    'README.md': readme(options.name),
    'src/index.ts': ENTRY,
    'src/models.ts': MODELS,
    'src/demo-chain.ts': DEMO_CHAIN,
    'handlers/on_transfer.ts': HANDLER,
    'hooks/calculate_stats.ts': HOOK,
    'sql/on_reindex/10_top_holders.sql': ON_REINDEX_SQL,
  };
}

function packageJson(options: ScaffoldOptions): object {
  return {
    name: options.name,
    version: '0.1.0',
    private: true,
    type: 'module',
    scripts: {
      init: 'hookdex init',
      start: 'hookdex run',
      typecheck: 'tsc --noEmit',
    },
    dependencies: {
      '@hookdex/cli': `^${options.hookdexVersion}`,
      '@hookdex/core': `^${options.hookdexVersion}`,
      'reflect-metadata': '^0.2.2',
      typeorm: '^1.1.1',
    },
    devDependencies: {
      '@types/node': '^20.19.0',
      typescript: '^5.9.3',
    },
  };
}

// NOTE: no `${VAR}` placeholders in comments: hookdex substitutes them in the raw text, comments included.
const HOOKDEX_YAML = `# yaml-language-server: $schema=./node_modules/@hookdex/core/schema/hookdex.schema.json
# The configuration of this hookdex project. \`hookdex config schema\` prints its JSON Schema.

database:
  kind: sqlite
  path: \${SQLITE_PATH:-hookdex.sqlite}
  # PostgreSQL instead: kind: postgres, url: (a connection URL, e.g. from DATABASE_URL), schema: public

datasources:
  demo:
    kind: demo.chain            # src/demo-chain.ts: a made-up chain; replace it with a real one
    head: 100                   # blocks that exist at start; then one more every block_time_ms
    block_time_ms: 1000

indexes:
  transfers:
    kind: demo.transfers        # registered in src/index.ts
    datasource: demo
    first_level: 1
    # last_level: 100           # index up to this block, then stop (jobs do not start then)
    handlers:
      - callback: on_transfer   # handlers/on_transfer.ts, for every item whose event is Transfer
        event: Transfer

hooks:
  calculate_stats:
    callback: calculate_stats   # hooks/calculate_stats.ts, sql/calculate_stats/
    atomic: true                # the hook and its SQL scripts run in one transaction
    args:
      major: bool
      depth: Optional[int]

jobs:
  hourly_stats:
    hook: calculate_stats
    crontab: "0 * * * *"
    args:
      major: true
  minute_stats:
    hook: calculate_stats
    interval: 60
    args:
      major: false
      depth: 2

logging:
  level: info
  format: pretty
`;

const TSCONFIG = `{
  "compilerOptions": {
    "target": "ES2022",
    "lib": ["ES2023"],
    "module": "nodenext",
    "moduleResolution": "nodenext",
    "strict": true,
    "skipLibCheck": true,
    "noEmit": true,
    "types": ["node"],
    // TypeORM's decorators; hookdex runs this code with the same setting (no decorator metadata needed).
    "experimentalDecorators": true
  },
  "include": ["src", "hooks", "handlers", "types"]
}
`;

const ENTRY = `import 'reflect-metadata';
import { defineProject, fieldMatchIndexKind } from '@hookdex/core';
import { demoChain } from './demo-chain.js';
import { Holder, Stat } from './models.js';

// The project's entry: \`hookdex run\` imports it first, creates the tables of these entities, and
// looks up the \`kind\` of each datasource and index of hookdex.yaml here.
export default defineProject({
  entities: [Holder, Stat],
  datasources: { 'demo.chain': demoChain },
  // A handler matches an item when every key it names (\`event: Transfer\`) equals the item's.
  indexKinds: { 'demo.transfers': fieldMatchIndexKind },
});
`;

const DEMO_CHAIN = `import type { Datasource, DatasourceEvent, DatasourceFactory, StreamOptions } from '@hookdex/core';
import type { Transfer } from '../handlers/on_transfer.js';

const ACCOUNTS = ['0xa11ce', '0xb0b', '0xca201', '0xda7e', '0xe2170'];

/** Up to three transfers in block \`level\`, the same on every run. */
function transfersAt(level: number): Transfer[] {
  const next = random(level);
  return Array.from({ length: Math.floor(next() * 4) }, () => ({
    event: 'Transfer',
    from: ACCOUNTS[Math.floor(next() * ACCOUNTS.length)],
    to: ACCOUNTS[Math.floor(next() * ACCOUNTS.length)],
    value: BigInt(1 + Math.floor(next() * 1_000)) * 10n ** 18n,
  }));
}

/** A small deterministic pseudo-random generator (mulberry32). */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let value = Math.imul(state ^ (state >>> 15), state | 1);
    value ^= value + Math.imul(value ^ (value >>> 7), value | 61);
    return ((value ^ (value >>> 14)) >>> 0) / 4_294_967_296;
  };
}

const hashOf = (level: number) => \`0xdemo\${level.toString(16).padStart(8, '0')}\`;

/**
 * A made-up chain to try hookdex without a node: \`head\` blocks exist at start, then one more every
 * \`block_time_ms\`; it never reorganises. A datasource for a real chain implements the same
 * interface (see \`Datasource\` in @hookdex/core).
 */
export const demoChain: DatasourceFactory = ({ name, options }) => {
  const startHead = Number(options.head ?? 100);
  const blockTimeMs = Number(options.block_time_ms ?? 1000);
  const started = Date.now();
  const head = () => startHead + Math.floor((Date.now() - started) / blockTimeMs);
  const datasource: Datasource<Transfer> = {
    name,
    async getHash(level) {
      return level <= head() ? hashOf(level) : undefined;
    },
    async *stream({ from, to, signal }: StreamOptions): AsyncGenerator<DatasourceEvent<Transfer>> {
      let realtime = false;
      for (let level = from; to === undefined || level <= to; level++) {
        while (level > head()) {
          if (!realtime) {
            realtime = true;
            yield { type: 'realtime' };
          }
          await sleep(blockTimeMs, signal);
          if (signal.aborted) return;
        }
        if (signal.aborted) return;
        const items = transfersAt(level);
        yield {
          type: 'level',
          level: { number: level, hash: hashOf(level), parentHash: hashOf(level - 1), items },
        };
      }
    },
  };
  return datasource;
};

function sleep(milliseconds: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, milliseconds);
    const stop = () => {
      clearTimeout(timer);
      resolve();
    };
    signal.addEventListener('abort', stop, { once: true });
  });
}
`;

const MODELS = `import { Column, Entity, PrimaryColumn } from 'typeorm';

/** An account of the chain, written by the \`on_transfer\` handler. */
@Entity('holder')
export class Holder {
  @PrimaryColumn('varchar', { length: 42 })
  address!: string;

  /** Every value it sent or received, in wei: a decimal string, beyond what numbers hold exactly. */
  @Column('varchar', { length: 78 })
  volume!: string;

  @Column('integer')
  transfers!: number;
}

/** A statistic, written by the \`calculate_stats\` hook. */
@Entity('stats')
export class Stat {
  @PrimaryColumn('varchar', { length: 32 })
  name!: string;

  @Column('integer')
  value!: number;

  @Column('varchar', { name: 'updated_at', length: 32 })
  updatedAt!: string;
}
`;

const HANDLER = `import type { HandlerContext } from '@hookdex/core';
import { Holder } from '../src/models.js';

/** A transfer of tokens, as the demo chain delivers it. */
export interface Transfer {
  event: 'Transfer';
  from: string;
  to: string;
  value: bigint;
}

/**
 * The handler of the \`transfers\` index: called for every matched transfer, inside the
 * transaction of its block (a reorg reverts what it wrote).
 */
export default async function on_transfer(ctx: HandlerContext, transfer: Transfer): Promise<void> {
  const holders = ctx.db.getRepository(Holder);
  for (const address of new Set([transfer.from, transfer.to])) {
    const holder = (await holders.findOneBy({ address })) ?? { address, volume: '0', transfers: 0 };
    await holders.save({
      address,
      volume: (BigInt(holder.volume) + transfer.value).toString(),
      transfers: holder.transfers + 1,
    });
  }
}
`;

const HOOK = `import type { HookContext } from '@hookdex/core';
import { Holder, Stat } from '../src/models.js';

/**
 * Hook \`calculate_stats\` (atomic): fired by the jobs in hookdex.yaml, by
 * \`ctx.fireHook('calculate_stats', { major: true })\`, or from the shell with
 * \`hookdex hook fire calculate_stats --arg major=true\`.
 */
export default async function calculate_stats(
  ctx: HookContext,
  args: { major: boolean; depth?: number | null },
): Promise<void> {
  const holders = await ctx.db.getRepository(Holder).count();
  await ctx.db.getRepository(Stat).save({
    name: args.major ? 'holders' : 'holders_minor',
    value: holders,
    updatedAt: new Date().toISOString(),
  });
  await ctx.executeSql('calculate_stats');
  ctx.logger.info('Calculated stats', { holders, major: args.major, depth: args.depth ?? null });
}
`;

const ON_REINDEX_SQL = `-- Runs once on a new (or wiped) database, after the tables are created.
CREATE VIEW top_holders AS
SELECT address, volume, transfers FROM holder ORDER BY transfers DESC;
`;

function readme(name: string): string {
  return `# ${name}

A [hookdex](https://www.npmjs.com/package/@hookdex/cli) project.

\`\`\`sh
npm install
npx hookdex run           # index the demo chain and run the jobs until Ctrl-C
npx hookdex init          # after changing hooks in hookdex.yaml: new stubs, types/hooks.d.ts
npx hookdex jobs list     # when each job fires next
npx hookdex hook fire calculate_stats --arg major=true
\`\`\`

With \`last_level\` set on the index, \`hookdex run\` indexes up to that block and exits (jobs then
do not start).

- \`hookdex.yaml\`: database, datasources, indexes, hooks, jobs.
- \`src/index.ts\`: the project's entry; \`src/models.ts\`: its TypeORM entities;
  \`src/demo-chain.ts\`: the made-up chain the \`transfers\` index reads.
- \`hooks/\`: one file per hook, system hooks included; \`sql/<hook>/\`: the scripts each hook runs.
- \`handlers/\`: index handlers; \`types/hooks.d.ts\`: generated, do not edit.
`;
}
