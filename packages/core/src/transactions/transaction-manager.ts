import { AsyncLocalStorage } from 'node:async_hooks';
import { inject, injectable } from 'tsyringe';
import type { DataSource, EntityManager, QueryRunner } from 'typeorm';
import { DATA_SOURCE } from '../di/tokens.js';
import { Mutex } from './mutex.js';

/** A task to run once the outermost transaction has committed (it queues a deferred hook). */
export type AfterCommitTask = () => void;

/** The open transaction of the current async context. */
export interface TransactionFrame {
  readonly queryRunner: QueryRunner;
  /** Tasks queued for after the outermost commit, FIFO; dropped on rollback. */
  readonly afterCommit: AfterCommitTask[];
  /** Savepoints open above the outermost transaction. */
  depth: number;
}

/**
 * Transactions for hooks and levels, per async context (`AsyncLocalStorage`, never one global
 * "current transaction", which is how DipDup's atomic hooks deadlock). A transaction opened while
 * one is open becomes a SAVEPOINT of it. SQLite has a single connection, so there every top-level
 * transaction and every autocommit operation takes one FIFO lock: otherwise a statement of another
 * task would silently join the open transaction.
 */
@injectable()
export class TransactionManager {
  private readonly storage = new AsyncLocalStorage<TransactionFrame>();
  private readonly lock: Mutex | undefined;

  constructor(@inject(DATA_SOURCE) private readonly dataSource: DataSource) {
    // NOTE: TypeORM's SQLite drivers hand every QueryRunner the same single connection.
    const type: string = dataSource.options.type;
    this.lock = type === 'better-sqlite3' || type === 'sqlite' ? new Mutex() : undefined;
  }

  /** The transaction open in this async context, if any. */
  current(): TransactionFrame | undefined {
    return this.storage.getStore();
  }

  /**
   * Runs `work` in a transaction: a new one, or a savepoint of the current one. Commits when it
   * resolves, rolls back when it throws (and rethrows). After the outermost commit, the tasks
   * queued in `frame.afterCommit` run in order; after a rollback they are dropped.
   */
  async transaction<T>(work: (frame: TransactionFrame) => Promise<T>): Promise<T> {
    const outer = this.current();
    if (outer !== undefined) return this.savepoint(outer, work);
    const run = async (): Promise<{ result: T; tasks: AfterCommitTask[] }> => {
      const queryRunner = this.dataSource.createQueryRunner();
      await queryRunner.connect();
      const frame: TransactionFrame = { queryRunner, afterCommit: [], depth: 0 };
      try {
        await queryRunner.startTransaction();
        let result: T;
        try {
          result = await this.storage.run(frame, () => work(frame));
        } catch (error) {
          await queryRunner.rollbackTransaction().catch(() => {});
          throw error;
        }
        await queryRunner.commitTransaction();
        return { result, tasks: frame.afterCommit.splice(0) };
      } finally {
        await queryRunner.release();
      }
    };
    const { result, tasks } = this.lock === undefined ? await run() : await this.lock.run(run);
    for (const task of tasks) task();
    return result;
  }

  /**
   * Runs `work` on a connection: the current transaction's when there is one, otherwise a fresh
   * one in autocommit (on SQLite, holding the lock so no transaction is open meanwhile).
   */
  async connection<T>(work: (queryRunner: QueryRunner) => Promise<T>): Promise<T> {
    const frame = this.current();
    if (frame !== undefined) return work(frame.queryRunner);
    const run = async (): Promise<T> => {
      const queryRunner = this.dataSource.createQueryRunner();
      try {
        return await work(queryRunner);
      } finally {
        await queryRunner.release();
      }
    };
    return this.lock === undefined ? run() : this.lock.run(run);
  }

  /** The entity manager of the current transaction, or the DataSource's (autocommit). */
  manager(): EntityManager {
    return this.current()?.queryRunner.manager ?? this.dataSource.manager;
  }

  /** Runs `work` outside any transaction of the caller (for deferred hooks and jobs). */
  detached<T>(work: () => T): T {
    return this.storage.exit(work);
  }

  private async savepoint<T>(
    frame: TransactionFrame,
    work: (frame: TransactionFrame) => Promise<T>,
  ): Promise<T> {
    const queued = frame.afterCommit.length;
    await frame.queryRunner.startTransaction();
    frame.depth++;
    try {
      const result = await work(frame);
      await frame.queryRunner.commitTransaction();
      return result;
    } catch (error) {
      await frame.queryRunner.rollbackTransaction().catch(() => {});
      // Deferred hooks queued inside the savepoint go with it.
      frame.afterCommit.splice(queued);
      throw error;
    } finally {
      frame.depth--;
    }
  }
}
