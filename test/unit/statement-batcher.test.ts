// StatementBatcher: items wait only while statements of their kind are in flight, share the next one,
// get their own results back, and a failed statement fails only the item that caused it.
import { describe, expect, it } from 'vitest';
import { isPerItemFailure, StatementBatcher } from '../../src/store/statement-batcher.ts';

/** A statement runner whose statements finish when the test says so. */
function controlledRunner(fail: (items: string[]) => Error | null = () => null) {
  const runs: Array<{ items: string[]; finish: () => void }> = [];
  const run = (items: string[]) =>
    new Promise<string[]>((resolve, reject) => {
      runs.push({
        items,
        finish: () => {
          const error = fail(items);
          if (error) reject(error);
          else resolve(items.map((i) => `done:${i}`));
        },
      });
    });
  return { runs, run };
}

const settle = () => new Promise((r) => setImmediate(r));

describe('StatementBatcher', () => {
  it('sends a lone item at once, and what arrives while statements run in the next one', async () => {
    const { runs, run } = controlledRunner();
    const batcher = new StatementBatcher(run, { maxBatch: 10, maxInFlight: 2 });
    const a = batcher.submit('a');
    const b = batcher.submit('b');
    await settle();
    expect(runs.map((r) => r.items)).toEqual([['a'], ['b']]);
    const rest = ['c', 'd', 'e'].map((i) => batcher.submit(i));
    await settle();
    expect(runs).toHaveLength(2); // both slots busy: c, d and e wait
    runs[0]!.finish();
    await settle();
    expect(runs[2]!.items).toEqual(['c', 'd', 'e']);
    runs[1]!.finish();
    runs[2]!.finish();
    expect(await Promise.all([a, b, ...rest])).toEqual(['done:a', 'done:b', 'done:c', 'done:d', 'done:e']);
  });

  it('keeps to maxBatch, oldest first', async () => {
    const { runs, run } = controlledRunner();
    const batcher = new StatementBatcher(run, { maxBatch: 2, maxInFlight: 1 });
    const all = ['a', 'b', 'c', 'd', 'e'].map((i) => batcher.submit(i));
    for (let i = 0; i < 3; i += 1) {
      await settle();
      runs[i]!.finish();
    }
    await Promise.all(all);
    expect(runs.map((r) => r.items)).toEqual([['a'], ['b', 'c'], ['d', 'e']]);
  });

  it('never puts two items of one key in the same statement', async () => {
    const { runs, run } = controlledRunner();
    const batcher = new StatementBatcher(run, { maxBatch: 10, maxInFlight: 1, keyOf: (i: string) => i.split(':')[0]! });
    const all = ['x:1', 'x:2', 'y:1', 'x:3', 'z:1'].map((i) => batcher.submit(i));
    for (let i = 0; i < 3; i += 1) {
      await settle();
      runs[i]!.finish();
    }
    await Promise.all(all);
    expect(runs.map((r) => r.items)).toEqual([['x:1'], ['x:2', 'y:1', 'z:1'], ['x:3']]);
  });

  it('runs each item of a failed statement alone, so only the cause fails', async () => {
    const taken = Object.assign(new Error('duplicate key value violates unique constraint'), { code: '23505' });
    const { runs, run } = controlledRunner((items) => (items.includes('bad') ? taken : null));
    const batcher = new StatementBatcher(run, { maxBatch: 10, maxInFlight: 1 });
    const first = batcher.submit('first');
    const rest = ['ok1', 'bad', 'ok2'].map((i) =>
      batcher.submit(i).then(
        (r) => ({ r }),
        (e: unknown) => ({ e }),
      ),
    );
    await settle();
    runs[0]!.finish();
    await settle();
    expect(runs[1]!.items).toEqual(['ok1', 'bad', 'ok2']);
    runs[1]!.finish();
    await settle();
    // Nothing of the failed statement was written: each of its items again, alone, one after another.
    for (let i = 2; i < 5; i += 1) {
      expect(runs).toHaveLength(i + 1);
      runs[i]!.finish();
      await settle();
    }
    expect(runs.slice(2).map((r) => r.items)).toEqual([['ok1'], ['bad'], ['ok2']]);
    expect(await first).toBe('done:first');
    expect(await Promise.all(rest)).toEqual([{ r: 'done:ok1' }, { e: taken }, { r: 'done:ok2' }]);
  });

  it("answers every item with a failure that is not one item's doing, without running them again", async () => {
    const lost = Object.assign(new Error('Connection terminated unexpectedly'), { code: 'ECONNRESET' });
    const { runs, run } = controlledRunner((items) => (items.length > 1 ? lost : null));
    const batcher = new StatementBatcher(run, { maxBatch: 10, maxInFlight: 1 });
    const first = batcher.submit('first');
    const rest = ['a', 'b', 'c'].map((i) => batcher.submit(i).catch((e: unknown) => e));
    await settle();
    runs[0]!.finish();
    await settle();
    runs[1]!.finish();
    expect(await first).toBe('done:first');
    expect(await Promise.all(rest)).toEqual([lost, lost, lost]);
    expect(runs).toHaveLength(2);
    expect(isPerItemFailure(lost)).toBe(false);
    for (const code of ['23505', '22P02', '40P01', '40001']) expect(isPerItemFailure({ code })).toBe(true);
    for (const code of ['57P01', '08006', 'P2002', undefined]) expect(isPerItemFailure({ code })).toBe(false);
  });

  it('holds an item whose key is in a running statement until that statement ends', async () => {
    const { runs, run } = controlledRunner();
    const batcher = new StatementBatcher(run, { maxBatch: 10, maxInFlight: 2, keyOf: (i: string) => i.split(':')[0]! });
    const all = ['x:1', 'x:2', 'y:1'].map((i) => batcher.submit(i));
    await settle();
    // x:2 waits although a slot is free: x:1 is running; y:1 takes the free slot.
    expect(runs.map((r) => r.items)).toEqual([['x:1'], ['y:1']]);
    runs[0]!.finish();
    await settle();
    expect(runs[2]!.items).toEqual(['x:2']);
    runs[1]!.finish();
    runs[2]!.finish();
    await Promise.all(all);
  });

  it('refuses a runner that answers for the wrong number of items', async () => {
    const batcher = new StatementBatcher(async () => ['one'], { maxBatch: 10, maxInFlight: 1 });
    await expect(Promise.all([batcher.submit('a'), batcher.submit('b')])).resolves.toEqual(['one', 'one']);
    const short = new StatementBatcher(async (items: string[]) => items.slice(1), { maxBatch: 10, maxInFlight: 1 });
    await expect(short.submit('a')).rejects.toThrow(/returned 0 results/);
  });

  it('needs room for at least one item and one statement', () => {
    expect(() => new StatementBatcher(async (i: string[]) => i, { maxBatch: 0, maxInFlight: 1 })).toThrow();
    expect(() => new StatementBatcher(async (i: string[]) => i, { maxBatch: 1, maxInFlight: 0 })).toThrow();
  });
});
