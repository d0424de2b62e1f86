import {
  BlockNotFoundError,
  InvalidInputRpcError,
  InvalidParamsRpcError,
  InvalidRequestRpcError,
  MethodNotFoundRpcError,
  MethodNotSupportedRpcError,
  BaseError as ViemError,
} from 'viem';
import { sleep } from './sleep.js';

/** How RPC requests are retried: exponential back-off with jitter, a bounded number of attempts. */
export interface RetryPolicy {
  /** Attempts in total (1 = no retry). */
  attempts: number;
  /** Delay before the first retry; it doubles with each further one. */
  minDelayMs: number;
  /** Upper bound of one delay. */
  maxDelayMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { attempts: 10, minDelayMs: 100, maxDelayMs: 5_000 };

/** What a retry reports (for logs and the progress line). */
export interface RetryEvent {
  label: string;
  attempt: number;
  delayMs: number;
  error: unknown;
}

/** An RPC request failed on every attempt; `cause` is the last error. */
export class RpcRetriesExhaustedError extends Error {
  constructor(
    readonly label: string,
    readonly attempts: number,
    options: { cause: unknown; endpoint: string },
  ) {
    super(
      `RPC request ${label} to ${options.endpoint} failed ${attempts} times; the last error: ${describeError(options.cause)}. ` +
        'Check that the node is reachable, or raise `retry.attempts` of the datasource in hookdex.yaml.',
      { cause: options.cause },
    );
    this.name = 'RpcRetriesExhaustedError';
  }
}

/** The operation was abandoned because the signal was aborted (hookdex is stopping). */
export class AbortedError extends Error {
  constructor() {
    super('Stopped waiting for the node: the datasource was closed.');
    this.name = 'AbortedError';
  }
}

// Answers that repeat whatever we do: retrying them would only delay the error.
const PERMANENT = [
  InvalidParamsRpcError,
  InvalidRequestRpcError,
  MethodNotFoundRpcError,
  MethodNotSupportedRpcError,
  InvalidInputRpcError,
  BlockNotFoundError,
];

/**
 * True for errors worth retrying: transport failures (dropped connections, timeouts, HTTP 5xx) and
 * server-side trouble. Requests the node rejects as malformed or unsupported are not retried.
 */
export function isRetryable(error: unknown): boolean {
  if (error instanceof ViemError) {
    const permanent = error.walk((cause) => PERMANENT.some((type) => cause instanceof type));
    return permanent === null;
  }
  // Plain errors from an in-process provider or the network stack: transient unless they are bugs.
  return !(error instanceof TypeError || error instanceof RangeError || error instanceof SyntaxError);
}

/** The delay before retry number `attempt` (1-based): min * 2^(attempt-1), capped, with ±25 % jitter. */
export function backoffDelay(
  policy: RetryPolicy,
  attempt: number,
  random: () => number = Math.random,
): number {
  const base = Math.min(policy.maxDelayMs, policy.minDelayMs * 2 ** (attempt - 1));
  // NOTE: jitter keeps many clients that failed together from retrying in lock step.
  return Math.round(base * (0.75 + random() * 0.5));
}

/**
 * Runs `operation` until it succeeds, retrying retryable errors with back-off. Throws the error
 * at once when it is not retryable, `RpcRetriesExhaustedError` after the last attempt, and
 * `AbortedError` when `signal` is aborted while waiting.
 */
export async function withRetry<T>(
  operation: () => Promise<T>,
  options: {
    label: string;
    endpoint: string;
    policy: RetryPolicy;
    signal: AbortSignal;
    onRetry?: (event: RetryEvent) => void;
  },
): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    if (options.signal.aborted) throw new AbortedError();
    try {
      return await operation();
    } catch (error) {
      if (options.signal.aborted) throw new AbortedError();
      if (!isRetryable(error)) throw error;
      if (attempt >= options.policy.attempts) {
        throw new RpcRetriesExhaustedError(options.label, attempt, {
          cause: error,
          endpoint: options.endpoint,
        });
      }
      const delayMs = backoffDelay(options.policy, attempt);
      options.onRetry?.({ label: options.label, attempt, delayMs, error });
      await sleep(delayMs, options.signal);
    }
  }
}

/** The first line of an error's message (viem's messages run to many lines of details). */
export function describeError(error: unknown): string {
  let text: string;
  if (error instanceof ViemError) {
    const details = error.details && error.details !== error.shortMessage ? `: ${error.details}` : '';
    text = `${error.shortMessage.replace(/\.$/, '')}${details}`;
  } else if (error instanceof Error) {
    text = error.message.split('\n')[0] ?? error.name;
  } else {
    text = String(error);
  }
  return text.replace(/\.$/, '');
}
