// Coalesces concurrent writes of one kind into one statement (group commit in the application): while
// `maxInFlight` statements of the kind are running, new items wait, and the next statement carries all
// that waited (up to `maxBatch`). A lone item goes at once, so a quiet desk waits for nothing; under
// load, the database parses, plans, locks, commits and flushes once for many requests instead of once
// for each, which is most of what a small write costs it.
//
// A statement is atomic, so a batch that fails wrote nothing: each of its items is then run alone, and
// only the item that caused the failure (a unique key another request took, say) sees it. Items with
// the same key never share a statement (settling one refund twice must be two statements, the second
// finding it settled).
export interface BatcherOptions<T> {
  /** Items per statement at most (its parameters grow with it). */
  maxBatch: number;
  /** Statements of this kind running at once at most; the pool's other connections serve the rest. */
  maxInFlight: number;
  /** Items with the same key go in different statements. */
  keyOf?: (item: T) => string;
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
      this.inFlight += 1;
      void this.runBatch(batch).finally(() => {
        this.inFlight -= 1;
        this.pump();
      });
    }
  }

  /** The oldest waiting items, up to maxBatch, none sharing a key (those wait for the next statement). */
  private take(): Array<Waiting<T, R>> {
    const { keyOf, maxBatch } = this.options;
    if (!keyOf) return this.queue.splice(0, maxBatch);
    const batch: Array<Waiting<T, R>> = [];
    const keys = new Set<string>();
    const left: Array<Waiting<T, R>> = [];
    for (const waiting of this.queue) {
      const key = keyOf(waiting.item);
      if (batch.length < maxBatch && !keys.has(key)) {
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
      if (batch.length === 1) batch[0]!.reject(error);
      // Nothing of the batch was written: each item alone, so the failure reaches only its cause.
      else await Promise.all(batch.map((w) => this.runAlone(w)));
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
