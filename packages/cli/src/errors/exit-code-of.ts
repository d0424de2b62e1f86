import { HookdexError } from '@hookdex/core';
import { EX_TEMPFAIL, EX_USER_ERROR, type ExitCode } from './exit-codes.js';

// Node.js network errors that say "not now" rather than "never" (the server is down or unreachable).
const TRANSIENT_NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EAI_AGAIN',
  'EPIPE',
  'ECONNABORTED',
]);

// NOTE: SQLSTATE classes 08 (connection exception) and 53 (insufficient resources), plus the
// shutdown codes of class 57 and the retryable transaction failures; anything else is a mistake.
const TRANSIENT_SQLSTATE = /^(08|53)|^57P0[123]$|^40001$|^40P01$/;

const TRANSIENT_MESSAGES = [/Connection terminated/i, /timeout exceeded when trying to connect/i];

/**
 * The documented exit code for an error: 75 (`EX_TEMPFAIL`) when anything in its cause chain is
 * transient (the database unreachable, a dropped connection, a busy SQLite file, a serialization
 * failure), otherwise 1: configuration, arguments, reindexing required, or the project's own code.
 */
export function exitCodeOf(error: unknown): ExitCode {
  // A decision of the framework's (a configuration mistake, reindexing required) is never worth a retry.
  if (HookdexError.is(error) && USER_ERROR_CODES.has(error.code)) return EX_USER_ERROR;
  return causeChain(error).some(isTransient) ? EX_TEMPFAIL : EX_USER_ERROR;
}

const USER_ERROR_CODES = new Set<string>([
  'CONFIGURATION',
  'CALLBACK_TYPE',
  'REINDEXING_REQUIRED',
  'INITIALIZATION_REQUIRED',
  'RESTART_REQUIRED',
]);

function isTransient(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string') {
    if (TRANSIENT_NETWORK_CODES.has(code) || TRANSIENT_SQLSTATE.test(code)) return true;
    if (code === 'SQLITE_BUSY' || code === 'SQLITE_LOCKED') return true;
  }
  const message = (error as { message?: unknown }).message;
  return typeof message === 'string' && TRANSIENT_MESSAGES.some((pattern) => pattern.test(message));
}

/** The error, its causes, and the errors an `AggregateError` holds (pg tries every address). */
export function causeChain(error: unknown): unknown[] {
  const chain: unknown[] = [];
  const pending: unknown[] = [error];
  while (pending.length > 0 && chain.length < 32) {
    const current = pending.shift();
    if (current === undefined || current === null || chain.includes(current)) continue;
    chain.push(current);
    if (typeof current !== 'object') continue;
    pending.push((current as { cause?: unknown }).cause);
    if (current instanceof AggregateError) pending.push(...current.errors);
  }
  return chain;
}
