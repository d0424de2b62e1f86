import { injectable } from 'tsyringe';
import type { IndexConfig } from '../config/config-types.js';

/** What hook contexts can ask of the indexing runtime. */
export interface RuntimeControl {
  /** Reverts an index's journaled changes above `toLevel` (the body of `on_index_rollback`). */
  rollback(index: string, fromLevel: number, toLevel: number): Promise<void>;
  /** Adds an index at runtime (from `on_restart`); it starts right away. */
  addIndex(
    name: string,
    config: Omit<IndexConfig, 'options'> & { options?: IndexConfig['options'] },
  ): Promise<void>;
}

/**
 * Lets hook contexts reach the indexing runtime without a dependency cycle (the runtime fires
 * hooks; hooks call back into it). The runtime connects itself when it is created.
 */
@injectable()
export class RuntimeLink {
  private control: RuntimeControl | undefined;

  connect(control: RuntimeControl): void {
    this.control = control;
  }

  get(): RuntimeControl {
    if (this.control === undefined) throw new Error('The indexing runtime is not running.');
    return this.control;
  }
}
