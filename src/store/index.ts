// The store module's entry: what other modules may use of it (test/unit/architecture.test.ts).
export { type Database, isUniqueViolation, openDatabase, type PrismaClient } from './database.ts';
export { migrate } from './migrator.ts';
export { batchedSelect, SqlParams, shapedStatement } from './sql-params.ts';
export { batcherPerRunner, HOT_PATH_BATCHES, StatementBatcher } from './statement-batcher.ts';
export type { SqlRunner } from './sql-runner.ts';
