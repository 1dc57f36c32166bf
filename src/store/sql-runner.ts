// Raw SQL over either driver (pool or PGlite): the migrator, operational checks, and the hot path's
// prepared statements. The rule (test/unit/raw-sql.test.ts): raw SQL is written only in `*-store.ts`
// files and in store/ itself; everything else uses the Prisma client or calls a store. A few older
// readers are listed in that test as known exceptions still to be moved; no file may join them.
export interface SqlRunner {
  /**
   * Runs one parameterised statement and returns its rows. With `name`, PostgreSQL keeps the
   * statement prepared per connection (parsed and planned once): for the hot path's statements.
   */
  query<T = Record<string, unknown>>(sql: string, params?: unknown[], name?: string): Promise<T[]>;
  /** Runs a script of several statements. */
  exec(script: string): Promise<void>;
  /** Runs `fn` in a transaction on one connection; rolls back if it throws. */
  transaction<T>(fn: (tx: SqlRunner) => Promise<T>): Promise<T>;
  /** Runs `fn` holding an exclusive session lock (a PostgreSQL advisory lock; a no-op in process). */
  withLock<T>(key: number, fn: () => Promise<T>): Promise<T>;
}
