/** One level (block) of a chain: its number, hash, parent hash and the items the index may match. */
export interface Level<Item = unknown> {
  readonly number: number;
  readonly hash: string;
  readonly parentHash: string;
  /** Items in order (logs, operations, ...); empty for a level with nothing of interest. */
  readonly items: readonly Item[];
}

/**
 * What a datasource stream yields:
 * - `level`: the next level, in order, each exactly once unless a `reorg` took it back;
 * - `realtime`: the stream has caught up with the head; levels after it are realtime;
 * - `syncing`: the stream fell behind the head again;
 * - `reorg`: the levels it delivered above `toLevel` are no longer canonical; the next `level`
 *   continues from `toLevel + 1` on the new branch.
 */
export type DatasourceEvent<Item = unknown> =
  | {
      readonly type: 'level';
      readonly level: Level<Item>;
      /**
       * The chain's head when the level was read, if the datasource knows it. Levels deeper than
       * the rollback depth below the head are not journaled: no reorg can reach them.
       */
      readonly head?: number;
    }
  | { readonly type: 'realtime' }
  | { readonly type: 'syncing' }
  | { readonly type: 'reorg'; readonly toLevel: number };

/** Where a stream starts, and how it can verify that the consumer's last level is still canonical. */
export interface StreamOptions {
  /** The first level to deliver. */
  readonly from: number;
  /** The last level to deliver (inclusive); the stream ends after it. Omitted: never ends. */
  readonly to?: number;
  /** Aborted when hookdex stops: the stream must end (return) soon after. */
  readonly signal: AbortSignal;
}

/**
 * A source of levels (an Ethereum node, a scripted test chain). Kept small on purpose: the EVM
 * datasource of the example and `ScriptedChain` of `@hookdex/core/testing` both implement it.
 */
export interface Datasource<Item = unknown> {
  readonly name: string;
  /** Levels from `from` on: first historically up to the head, then realtime, with reorgs inline. */
  stream(options: StreamOptions): AsyncIterable<DatasourceEvent<Item>>;
  /** The canonical hash at `level` now, or undefined above the head. */
  getHash(level: number): Promise<string | undefined>;
  /** How many levels a reorg can take back on this chain; the default of `advanced.rollback_depth`. */
  readonly rollbackDepth?: number;
  /** Releases connections; called once when hookdex stops. */
  close?(): Promise<void>;
}

/** Creates a datasource of one kind from its `datasources.<name>` options. */
export type DatasourceFactory = (options: {
  name: string;
  options: Readonly<Record<string, unknown>>;
}) => Datasource | Promise<Datasource>;
