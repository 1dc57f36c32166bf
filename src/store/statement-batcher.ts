// Coalesces concurrent writes of one kind into one statement (group commit in the application): while
// `maxInFlight` statements of the kind are running, new items wait, and the next statement carries all
// that waited (up to `maxBatch`). A lone item goes at once, so a quiet desk waits for nothing; under
// load, the database parses, plans, locks, commits and flushes once for many requests instead of once
// for each, which is most of what a small write costs it.
//
// A statement is atomic, so a batch that an item's data failed (a unique key another request took, a
// value the database refuses, a deadlock) wrote nothing: each of its items is then run alone, one after
// another, and only the cause sees the failure. Any other failure (the connection, the pool, a bug) is
// every item's answer at once: running them again would pile statements on a database in trouble, and
// after a lost connection a statement may have committed. Items with the same key never run at the same
// time (settling one refund twice must be two statements, the second finding it settled; two batches
// holding the same keys could deadlock).
import type { SqlRunner } from './sql-runner.ts';

export interface BatcherOptions<T> {
  /** Items per statement at most (its parameters grow with it). */
  maxBatch: number;
  /** Statements of this kind running at once at most; the pool's other connections serve the rest. */
  maxInFlight: number;
  /** Items with the same key go in different statements, one after the other. */
  keyOf?: (item: T) => string;
}

/**
 * Whether a failed statement's error can be one item's doing, so that running each item alone finds
 * it: SQLSTATE classes 22 (data exception), 23 (integrity constraint) and 40 (serialization failure,
 * deadlock).
 */
export function isPerItemFailure(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && /^(22|23|40)[0-9A-Z]{3}$/.test(code);
}

/**
 * The refund request's statements (its context read, its decision, its settlement): two of a kind in
 * flight, one running while the next fills. With four, batches were smaller and the desk slower
 * (≈ 1.5× fewer requests per second at concurrency 32, same minutes); with one, no faster than two.
 */
export const HOT_PATH_BATCHES = { maxBatch: 32, maxInFlight: 2 } as const;

interface Waiting<T, R> {
  item: T;
  resolve: (result: R) => void;
  reject: (error: unknown) => void;
}

export class StatementBatcher<T, R> {
  private queue: Array<Waiting<T, R>> = [];
  private inFlight = 0;
  /** Keys of the items in the statements now running. */
  private readonly busyKeys = new Set<string>();

  /** `run` writes the items in one statement and returns one result per item, in their order. */
  constructor(
    private readonly run: (items: T[]) => Promise<R[]>,
    private readonly options: BatcherOptions<T>,
  ) {
    if (options.maxBatch < 1 || options.maxInFlight < 1) throw new Error('a batcher needs maxBatch and maxInFlight of at least 1');
  }

  submit(item: T): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      this.queue.push({ item, resolve, reject });
      this.pump();
    });
  }

  private pump(): void {
    while (this.inFlight < this.options.maxInFlight && this.queue.length > 0) {
      const batch = this.take();
      if (batch.length === 0) return; // every waiting item's key is in a running statement
      const keys = this.options.keyOf ? batch.map((w) => this.options.keyOf!(w.item)) : [];
      for (const key of keys) this.busyKeys.add(key);
      this.inFlight += 1;
      void this.runBatch(batch).finally(() => {
        for (const key of keys) this.busyKeys.delete(key);
        this.inFlight -= 1;
        this.pump();
      });
    }
  }

  /** The oldest waiting items, up to maxBatch, no two sharing a key nor any with a running item's key. */
  private take(): Array<Waiting<T, R>> {
    const { keyOf, maxBatch } = this.options;
    if (!keyOf) return this.queue.splice(0, maxBatch);
    const batch: Array<Waiting<T, R>> = [];
    const keys = new Set<string>();
    const left: Array<Waiting<T, R>> = [];
    for (const waiting of this.queue) {
      const key = keyOf(waiting.item);
      if (batch.length < maxBatch && !keys.has(key) && !this.busyKeys.has(key)) {
        keys.add(key);
        batch.push(waiting);
      } else left.push(waiting);
    }
    this.queue = left;
    return batch;
  }

  private async runBatch(batch: Array<Waiting<T, R>>): Promise<void> {
    let results: R[];
    try {
      results = await this.run(batch.map((w) => w.item));
    } catch (error) {
      if (batch.length === 1 || !isPerItemFailure(error)) {
        for (const w of batch) w.reject(error);
        return;
      }
      // Nothing of the batch was written: each item alone, so the failure reaches only its cause.
      for (const w of batch) await this.runAlone(w);
      return;
    }
    // A statement that ran but answered for another number of items is a bug in its runner: what it
    // wrote is not known per item, so nothing is retried.
    if (results.length !== batch.length) {
      const error = new Error(`a batch of ${batch.length} returned ${results.length} results`);
      for (const w of batch) w.reject(error);
      return;
    }
    for (const [i, w] of batch.entries()) w.resolve(results[i]!);
  }

  private async runAlone(w: Waiting<T, R>): Promise<void> {
    try {
      const results = await this.run([w.item]);
      if (results.length !== 1) throw new Error(`a batch of 1 returned ${results.length} results`);
      w.resolve(results[0]!);
    } catch (error) {
      w.reject(error);
    }
  }
}

/**
 * One batcher per database (a desk opens one; tests open several in a process), made on first use:
 * `const writes = batcherPerRunner((sql) => new StatementBatcher(...))`, then `writes(sql).submit(item)`.
 */
export function batcherPerRunner<T, R>(make: (sql: SqlRunner) => StatementBatcher<T, R>): (sql: SqlRunner) => StatementBatcher<T, R> {
  const batchers = new WeakMap<SqlRunner, StatementBatcher<T, R>>();
  return (sql) => {
    let batcher = batchers.get(sql);
    if (!batcher) {
      batcher = make(sql);
      batchers.set(sql, batcher);
    }
    return batcher;
  };
}
