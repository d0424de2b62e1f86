/** Transfers of at least this many token units (50,000 tokens of 18 decimals) raise an alert. */
export const LARGE_TRANSFER = 50_000n * 10n ** 18n;

/**
 * An alert goes out once its transfer is this many levels deep. An alert cannot be unsent, so it
 * waits until a reorg is very unlikely to take the transfer back; keep it above the deepest reorg
 * you expect (the embedded reorg generator's default depths are 1 to 4).
 */
export const ALERT_CONFIRMATIONS = 6;

/** The atomic `record_checkpoint` hook runs in every level that is a multiple of this. */
export const CHECKPOINT_EVERY = 10;
