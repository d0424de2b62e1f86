import { ConfigurationError, type DatasourceFactory } from '@hookdex/core';
import { type Address, createPublicClient, custom, http, isAddress, type PublicClient } from 'viem';
import { EvmDatasource } from './evm-datasource.js';
import type { RequestProvider } from './provider.js';
import { DEFAULT_RETRY, type RetryEvent, type RetryPolicy } from './retry.js';

/** The `url` that means "the node this process started" (see src/main.ts). */
export const EMBEDDED_URL = 'embedded';

/** The options of an `evm.node` datasource in hookdex.yaml, after checking. */
export interface EvmNodeSettings {
  url: string;
  contract: Address;
  confirmations: number;
  batchSize: number;
  pollIntervalMs: number;
  timeoutMs: number;
  rollbackDepth: number;
  retry: RetryPolicy;
}

const OPTION_KEYS = [
  'url',
  'contract',
  'confirmations',
  'batch_size',
  'poll_interval_ms',
  'timeout_ms',
  'rollback_depth',
  'retry',
] as const;
const RETRY_KEYS = ['attempts', 'min_delay_ms', 'max_delay_ms'] as const;

/** What the composition root can give the kind. */
export interface EvmNodeKindOptions {
  /** The in-process node `url: embedded` stands for; without it, `embedded` is an error. */
  embedded?: RequestProvider;
  /** Called with every datasource created (the progress line reads their status). */
  onCreate?: (datasource: EvmDatasource) => void;
  /** Told about every retried request. */
  onRetry?: (datasource: string, event: RetryEvent) => void;
  /** Called each time a datasource's stream catches up with the head. */
  onRealtime?: (datasource: string) => void;
}

/**
 * The `evm.node` datasource kind: `url` (http(s)://… or `embedded`), `contract`, and optionally
 * `confirmations` (0), `batch_size` (500), `poll_interval_ms` (250), `timeout_ms` (10000),
 * `rollback_depth` (64) and `retry: { attempts, min_delay_ms, max_delay_ms }` (10, 100, 5000).
 */
export function createEvmNodeKind(kindOptions: EvmNodeKindOptions = {}): DatasourceFactory {
  return ({ name, options }) => {
    const settings = parseEvmNodeSettings(name, options);
    let client: PublicClient;
    // NOTE: viem's own retries are off: the datasource retries with its own policy and counts them.
    if (settings.url === EMBEDDED_URL) {
      if (kindOptions.embedded === undefined) {
        throw new ConfigurationError({
          path: `datasources.${name}.url`,
          expected: 'the URL of an Ethereum JSON-RPC node (http:// or https://)',
          found: '`embedded`, but no embedded node runs in this process',
          hint: 'start the example with `pnpm example` (src/main.ts starts the node), or pass --rpc-url',
        });
      }
      client = createPublicClient({
        transport: custom(kindOptions.embedded, { retryCount: 0 }),
        cacheTime: 0,
      });
    } else {
      client = createPublicClient({
        transport: http(settings.url, { retryCount: 0, timeout: settings.timeoutMs }),
        cacheTime: 0,
      });
    }
    const datasource = new EvmDatasource({
      name,
      client,
      endpoint: settings.url,
      contract: settings.contract,
      confirmations: settings.confirmations,
      batchSize: settings.batchSize,
      pollIntervalMs: settings.pollIntervalMs,
      rollbackDepth: settings.rollbackDepth,
      retry: settings.retry,
      ...(kindOptions.onRetry === undefined
        ? {}
        : { onRetry: (event) => kindOptions.onRetry?.(name, event) }),
      ...(kindOptions.onRealtime === undefined ? {} : { onRealtime: () => kindOptions.onRealtime?.(name) }),
    });
    kindOptions.onCreate?.(datasource);
    return datasource;
  };
}

/** Checks the options of `datasources.<name>`; every mistake is a `ConfigurationError` naming the key. */
export function parseEvmNodeSettings(
  name: string,
  options: Readonly<Record<string, unknown>>,
): EvmNodeSettings {
  const at = (key: string): string => `datasources.${name}.${key}`;
  rejectUnknownKeys(options, OPTION_KEYS, at);
  const url = options.url;
  if (typeof url !== 'string' || !(url === EMBEDDED_URL || /^https?:\/\/\S+$/.test(url))) {
    throw new ConfigurationError({
      path: at('url'),
      expected: `an http:// or https:// URL of an Ethereum JSON-RPC node, or \`${EMBEDDED_URL}\``,
      found: describe(url),
    });
  }
  const contract = options.contract;
  if (typeof contract !== 'string' || !isAddress(contract, { strict: false })) {
    throw new ConfigurationError({
      path: at('contract'),
      expected: 'the address of the ERC-20 contract (0x and 40 hex digits)',
      found: describe(contract),
      hint: 'with --rpc-url, pass --contract <address> too',
    });
  }
  const retryOptions = options.retry ?? {};
  if (typeof retryOptions !== 'object' || retryOptions === null || Array.isArray(retryOptions)) {
    throw new ConfigurationError({
      path: at('retry'),
      expected: 'a mapping with attempts, min_delay_ms and max_delay_ms',
      found: describe(retryOptions),
    });
  }
  const retry = retryOptions as Record<string, unknown>;
  rejectUnknownKeys(retry, RETRY_KEYS, (key) => at(`retry.${key}`));
  const minDelayMs = integer(retry.min_delay_ms, DEFAULT_RETRY.minDelayMs, 0, at('retry.min_delay_ms'));
  return {
    url,
    contract: contract as Address,
    confirmations: integer(options.confirmations, 0, 0, at('confirmations')),
    batchSize: integer(options.batch_size, 500, 1, at('batch_size')),
    pollIntervalMs: integer(options.poll_interval_ms, 250, 10, at('poll_interval_ms')),
    timeoutMs: integer(options.timeout_ms, 10_000, 100, at('timeout_ms')),
    rollbackDepth: integer(options.rollback_depth, 64, 1, at('rollback_depth')),
    retry: {
      attempts: integer(retry.attempts, DEFAULT_RETRY.attempts, 1, at('retry.attempts')),
      minDelayMs,
      maxDelayMs: integer(retry.max_delay_ms, DEFAULT_RETRY.maxDelayMs, minDelayMs, at('retry.max_delay_ms')),
    },
  };
}

function rejectUnknownKeys(
  options: Readonly<Record<string, unknown>>,
  known: readonly string[],
  at: (key: string) => string,
): void {
  for (const key of Object.keys(options)) {
    if (!known.includes(key)) {
      throw new ConfigurationError({
        path: at(key),
        expected: `one of the keys ${known.join(', ')}`,
        found: `\`${key}\``,
      });
    }
  }
}

function integer(value: unknown, fallback: number, minimum: number, path: string): number {
  if (value === undefined || value === null) return fallback;
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < minimum) {
    throw new ConfigurationError({
      path,
      expected: `a whole number of at least ${minimum}`,
      found: describe(value),
    });
  }
  return value;
}

function describe(value: unknown): string {
  if (value === undefined) return 'nothing';
  return typeof value === 'string' ? `\`${value}\`` : `${JSON.stringify(value)} (${typeof value})`;
}
