import { Command, InvalidArgumentError, Option } from 'commander';
import type { ReorgOptions } from './evm/chain-driver.js';
import type { ExampleOptions } from './run-example.js';

/** The parsed command line: the run's options plus how to print the summary. */
export interface CommandLine {
  options: ExampleOptions;
  json: boolean;
}

/**
 * The example's command line (commander 14, as the hookdex CLI uses). Every flag maps onto one
 * field of `ExampleOptions`; `--help` lists them with their defaults.
 */
export function parseCommandLine(argv: readonly string[]): CommandLine {
  const program = new Command('example-indexer')
    .description(
      'Index an ERC-20 with hookdex: on an embedded ganache node with random traffic and reorgs (default), or on any node with --rpc-url.',
    )
    .option(
      '-c, --config <file...>',
      'configuration files, later ones override earlier ones (default: hookdex.yaml, plus hookdex.postgres.yaml when HOOKDEX_DATABASE_URL is set)',
    )
    .option('--rpc-url <url>', 'index this JSON-RPC node instead of starting the embedded one')
    .option('--contract <address>', 'the ERC-20 to index (required with --rpc-url)')
    .option('--from-block <n>', 'the first block to index', wholeNumber)
    .option(
      '--confirmations <n>',
      'blocks a block must be below the head before it is indexed (default: 0)',
      wholeNumber,
    )
    .option('--blocks <n>', 'stop once the head grew by N blocks and the indexer caught up', wholeNumber)
    .option('--duration <seconds>', 'stop after this many seconds', positiveNumber)
    .option(
      '--prefill <n>',
      'embedded: blocks mined before indexing starts (a historical sync)',
      wholeNumber,
      100,
    )
    .option('--block-time <ms>', 'embedded: pause between blocks', wholeNumber, 250)
    .option('--transfers <min-max>', 'embedded: transfers per block', range, [1, 4] as [number, number])
    .option('--traders <n>', 'embedded: accounts that trade', wholeNumber, 8)
    .option('--seed <n>', 'embedded: seed of the random traffic', wholeNumber, 1)
    .option('--reorg-every <n>', 'embedded: a reorg every N blocks (0: none)', wholeNumber, 15)
    .option(
      '--reorg-depth <depths>',
      'embedded: depth of each reorg: N, MIN-MAX (random) or A,B,C (in turn)',
      depths,
      {
        min: 1,
        max: 4,
      } as ReorgOptions['depths'],
    )
    .option(
      '--port <n>',
      'embedded: also serve the node over HTTP on 127.0.0.1 (0: any free port)',
      wholeNumber,
    )
    .addOption(
      new Option('--progress <mode>', 'progress output (default: tty on a terminal, else log)').choices([
        'tty',
        'log',
        'off',
      ]),
    )
    .addOption(
      new Option('--log-level <level>', 'log level (default: from hookdex.yaml)').choices([
        'debug',
        'info',
        'warn',
        'error',
      ]),
    )
    .addOption(
      new Option('--log-format <format>', 'log format (default: from hookdex.yaml)').choices([
        'pretty',
        'json',
      ]),
    )
    .option('--json', 'print the closing summary as JSON', false)
    .addHelpText(
      'after',
      '\nEnvironment: HOOKDEX_DATABASE_URL=postgres://… indexes into PostgreSQL (schema HOOKDEX_DATABASE_SCHEMA, default example_indexer).\n' +
        'Exit codes: 0 stopped cleanly, 1 configuration or other error, 75 the node stayed unreachable (retry later).',
    )
    .showHelpAfterError();
  program.parse(argv as string[], { from: 'user' });
  const flags = program.opts<{
    config?: string[];
    rpcUrl?: string;
    contract?: string;
    fromBlock?: number;
    confirmations?: number;
    blocks?: number;
    duration?: number;
    prefill: number;
    blockTime: number;
    transfers: [number, number];
    traders: number;
    seed: number;
    reorgEvery: number;
    reorgDepth: ReorgOptions['depths'];
    port?: number;
    progress?: 'tty' | 'log' | 'off';
    logLevel?: 'debug' | 'info' | 'warn' | 'error';
    logFormat?: 'pretty' | 'json';
    json: boolean;
  }>();
  if (flags.rpcUrl !== undefined && flags.contract === undefined && !process.env.HOOKDEX_CONTRACT) {
    program.error('error: --rpc-url needs --contract <address> (or HOOKDEX_CONTRACT): the ERC-20 to index.', {
      exitCode: 1,
    });
  }
  const options: ExampleOptions = {
    ...(flags.config === undefined ? {} : { configFiles: flags.config }),
    ...(flags.rpcUrl === undefined ? {} : { rpcUrl: flags.rpcUrl }),
    ...(flags.contract === undefined ? {} : { contract: flags.contract }),
    ...(flags.fromBlock === undefined ? {} : { fromBlock: flags.fromBlock }),
    ...(flags.confirmations === undefined ? {} : { confirmations: flags.confirmations }),
    ...(flags.blocks === undefined ? {} : { blocks: flags.blocks }),
    ...(flags.duration === undefined ? {} : { durationSeconds: flags.duration }),
    prefill: flags.prefill,
    node: { traders: flags.traders, ...(flags.port === undefined ? {} : { port: flags.port }) },
    traffic: { seed: flags.seed, transfersPerBlock: flags.transfers, blockIntervalMs: flags.blockTime },
    reorgs: { every: flags.reorgEvery, depths: flags.reorgDepth },
    ...(flags.progress === undefined ? {} : { progress: flags.progress }),
    ...(flags.logLevel === undefined ? {} : { logLevel: flags.logLevel }),
    ...(flags.logFormat === undefined ? {} : { logFormat: flags.logFormat }),
  };
  return { options, json: flags.json };
}

function wholeNumber(value: string): number {
  const number = Number(value);
  if (!/^\d+$/.test(value) || !Number.isSafeInteger(number)) {
    throw new InvalidArgumentError(`expected a whole number, found "${value}".`);
  }
  return number;
}

function positiveNumber(value: string): number {
  const number = Number(value);
  if (value.trim() === '' || !Number.isFinite(number) || number <= 0) {
    throw new InvalidArgumentError(`expected a number above 0, found "${value}".`);
  }
  return number;
}

function range(value: string): [number, number] {
  const match = /^(\d+)(?:-(\d+))?$/.exec(value);
  const min = Number(match?.[1]);
  const max = Number(match?.[2] ?? match?.[1]);
  if (match === null || min < 1 || max < min) {
    throw new InvalidArgumentError(`expected N or MIN-MAX with 1 <= MIN <= MAX, found "${value}".`);
  }
  return [min, max];
}

function depths(value: string): ReorgOptions['depths'] {
  if (/^\d+(,\d+)+$/.test(value)) {
    const list = value.split(',').map(Number);
    if (list.some((depth) => depth < 1))
      throw new InvalidArgumentError(`expected depths of at least 1, found "${value}".`);
    return list;
  }
  const [min, max] = range(value);
  return min === max ? [min] : { min, max };
}
