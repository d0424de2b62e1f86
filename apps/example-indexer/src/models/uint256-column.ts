import type { EntitySchemaColumnOptions } from 'typeorm';

// NOTE: token amounts are uint256 (up to 78 decimal digits) and exceed 2^53, so they never pass
// through a JS number. SQLite has no exact type that wide (NUMERIC turns big values into REAL), so
// the column is text holding exactly 78 digits, zero-padded: text order is then numeric order and
// `ORDER BY balance DESC` ranks correctly. On PostgreSQL, on_reindex changes these columns to
// numeric(78,0) (sql/on_reindex/postgres/), which accepts the padded text and returns plain digits.
export const UINT256_DIGITS = 78;

const MAX_UINT256 = 2n ** 256n - 1n;

/** A uint256 as the database stores it: 78 zero-padded decimal digits. */
export function toUint256Text(value: bigint): string {
  if (value < 0n || value > MAX_UINT256) {
    throw new RangeError(
      `Expected a uint256 (0 to 2^256-1), found ${value}: a balance went negative or overflowed.`,
    );
  }
  return value.toString().padStart(UINT256_DIGITS, '0');
}

/** A uint256 as read back: padded text (SQLite) or plain digits (PostgreSQL numeric). */
export function fromUint256(value: string | number | bigint): bigint {
  return BigInt(value);
}

/** A column of uint256 amounts, as `bigint` in code (see the note above for the storage). */
export function uint256Column(): EntitySchemaColumnOptions {
  return {
    type: 'varchar',
    length: UINT256_DIGITS,
    transformer: {
      to: (value: bigint | null | undefined) => (typeof value === 'bigint' ? toUint256Text(value) : value),
      from: (value: string | null) => (value === null ? null : fromUint256(value)),
    },
  };
}
