import {
  BlockNotFoundError,
  HttpRequestError,
  InvalidParamsRpcError,
  RpcRequestError,
  TimeoutError,
} from 'viem';
import { describe, expect, it } from 'vitest';
import { AbortedError, backoffDelay, isRetryable, RpcRetriesExhaustedError, withRetry } from './retry.js';

const policy = { attempts: 4, minDelayMs: 1, maxDelayMs: 4 };

describe('withRetry', () => {
  it('retries transient failures with back-off until the request succeeds', async () => {
    let calls = 0;
    const retries: number[] = [];
    const result = await withRetry(
      async () => {
        calls++;
        if (calls < 3) throw new HttpRequestError({ url: 'http://127.0.0.1:1', status: 503 });
        return 'ok';
      },
      {
        label: 'eth_blockNumber',
        endpoint: 'http://127.0.0.1:1',
        policy,
        signal: new AbortController().signal,
        onRetry: (event) => retries.push(event.attempt),
      },
    );
    expect(result).toBe('ok');
    expect(calls).toBe(3);
    expect(retries).toEqual([1, 2]);
  });

  it('passes an error the node will repeat through at once', async () => {
    let calls = 0;
    const failure = new InvalidParamsRpcError(
      new RpcRequestError({ body: {}, url: 'x', error: { code: -32602, message: 'bad' } }),
    );
    await expect(
      withRetry(
        async () => {
          calls++;
          throw failure;
        },
        { label: 'eth_getLogs 0..9', endpoint: 'x', policy, signal: new AbortController().signal },
      ),
    ).rejects.toBe(failure);
    expect(calls).toBe(1);
  });

  it('stops with RpcRetriesExhaustedError after the last attempt, keeping the last error as cause', async () => {
    const failure = new TimeoutError({ body: {}, url: 'http://127.0.0.1:1' });
    const error = await withRetry(() => Promise.reject(failure), {
      label: 'eth_getLogs 0..9',
      endpoint: 'http://127.0.0.1:1',
      policy,
      signal: new AbortController().signal,
    }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(RpcRetriesExhaustedError);
    expect((error as RpcRetriesExhaustedError).cause).toBe(failure);
    expect((error as Error).message).toBe(
      'RPC request eth_getLogs 0..9 to http://127.0.0.1:1 failed 4 times; the last error: The request took too long to respond: The request timed out. ' +
        'Check that the node is reachable, or raise `retry.attempts` of the datasource in hookdex.yaml.',
    );
  });

  it('gives up waiting when its signal is aborted', async () => {
    const abort = new AbortController();
    const pending = withRetry(
      () => {
        abort.abort();
        return Promise.reject(new Error('connection refused'));
      },
      {
        label: 'eth_blockNumber',
        endpoint: 'x',
        policy: { ...policy, minDelayMs: 60_000 },
        signal: abort.signal,
      },
    );
    await expect(pending).rejects.toBeInstanceOf(AbortedError);
  });
});

describe('backoffDelay', () => {
  it('doubles from the minimum up to the maximum, within ±25 % jitter', () => {
    const wide = { attempts: 10, minDelayMs: 100, maxDelayMs: 1_000 };
    expect([1, 2, 3, 4, 5].map((attempt) => backoffDelay(wide, attempt, () => 0.5))).toEqual([
      100, 200, 400, 800, 1_000,
    ]);
    expect(backoffDelay(wide, 1, () => 0)).toBe(75);
    expect(backoffDelay(wide, 1, () => 0.999_999)).toBe(125);
  });
});

describe('isRetryable', () => {
  it('retries transport and server trouble, not malformed requests or a missing block', () => {
    expect(isRetryable(new HttpRequestError({ url: 'x', status: 502 }))).toBe(true);
    expect(isRetryable(new TimeoutError({ body: {}, url: 'x' }))).toBe(true);
    expect(isRetryable(Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }))).toBe(true);
    expect(isRetryable(new BlockNotFoundError({ blockNumber: 5n }))).toBe(false);
    expect(isRetryable(new TypeError('x is not a function'))).toBe(false);
  });
});
