import type { RequestProvider } from '../evm/provider.js';
import { Random } from '../evm/random.js';

/** Counts requests per method. */
export function countingProvider(
  provider: RequestProvider,
): RequestProvider & { counts: Map<string, number> } {
  const counts = new Map<string, number>();
  return {
    counts,
    request(args) {
      counts.set(args.method, (counts.get(args.method) ?? 0) + 1);
      return provider.request(args);
    },
  };
}

/**
 * Fails a share of the reading requests with a transport-like error (deterministically, by seed),
 * as a flaky connection would; everything else passes through.
 */
export function flakyProvider(
  provider: RequestProvider,
  options: { failureRate: number; seed?: number; methods?: readonly string[] },
): RequestProvider & { failures: number } {
  const random = new Random(options.seed ?? 3);
  const methods = options.methods ?? ['eth_blockNumber', 'eth_getBlockByNumber', 'eth_getLogs'];
  const state = {
    failures: 0,
    request(args: { method: string; params?: unknown }) {
      if (methods.includes(args.method) && random.next() < options.failureRate) {
        state.failures++;
        return Promise.reject(Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }));
      }
      return provider.request(args);
    },
  };
  return state;
}
