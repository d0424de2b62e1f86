import type { DatasourceEvent, Level } from '@hookdex/core';
import type { EvmDatasource } from '../evm/evm-datasource.js';
import type { EvmEvent } from '../evm/evm-event.js';

/** Consumes a datasource stream in the background and keeps every event, for assertions. */
export class StreamRecorder {
  readonly events: Array<DatasourceEvent<EvmEvent>> = [];
  /** The levels as a consumer that applies reorgs sees them: the current view of the chain. */
  readonly view = new Map<number, Level<EvmEvent>>();
  private readonly abort = new AbortController();
  readonly done: Promise<void>;
  error: unknown;

  constructor(datasource: EvmDatasource, from: number, to?: number) {
    this.done = (async () => {
      try {
        for await (const event of datasource.stream({
          from,
          ...(to === undefined ? {} : { to }),
          signal: this.abort.signal,
        })) {
          this.events.push(event);
          if (event.type === 'level') this.view.set(event.level.number, event.level);
          if (event.type === 'reorg') {
            for (const number of [...this.view.keys()]) if (number > event.toLevel) this.view.delete(number);
          }
        }
      } catch (error) {
        this.error = error;
      }
    })();
  }

  /** Level events delivered so far. */
  levels(): Array<Level<EvmEvent>> {
    return this.events.flatMap((event) => (event.type === 'level' ? [event.level] : []));
  }

  /** `reorg` events delivered so far, as their `toLevel`. */
  reorgs(): number[] {
    return this.events.flatMap((event) => (event.type === 'reorg' ? [event.toLevel] : []));
  }

  /** The newest level in the view. */
  tip(): Level<EvmEvent> | undefined {
    const newest = Math.max(-1, ...this.view.keys());
    return this.view.get(newest);
  }

  /** Every item of the view, oldest first: what an indexer that applied the stream holds. */
  items(): EvmEvent[] {
    return [...this.view.keys()]
      .sort((a, b) => a - b)
      .flatMap((number) => this.view.get(number)?.items ?? []);
  }

  async stop(): Promise<void> {
    this.abort.abort();
    await this.done;
  }
}
