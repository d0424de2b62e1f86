import type { QueryRunner } from 'typeorm';
import type { PreparedStatement } from './prepared-statement.js';
import { statementFailed } from './statement-failed.js';

/** Runs statements one by one through TypeORM's `query()`: the path for drivers without a fast one. */
export async function executeOnQueryRunner(
  queryRunner: QueryRunner,
  statements: readonly PreparedStatement[],
): Promise<void> {
  for (const statement of statements) {
    try {
      await queryRunner.query(statement.text, statement.values === undefined ? [] : [...statement.values]);
    } catch (error) {
      throw statementFailed(statement, error);
    }
  }
}
