// One behavioural contract for both cache implementations: the in-process one must behave like Redis.
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import type { Cache } from '../../src/cache/cache.ts';

export function cacheContract(name: string, make: () => Promise<Cache>, skip = false): void {
  describe.skipIf(skip)(`${name} cache`, () => {
    const withCache = async (fn: (cache: Cache) => Promise<void>) => {
      const cache = await make();
      try {
        await fn(cache);
      } finally {
        await cache.close();
      }
    };

    it('stores values with and without a TTL', () =>
      withCache(async (cache) => {
        await cache.set('a', '1');
        await cache.set('b', '2', 50);
        expect(await cache.get('a')).toBe('1');
        expect(await cache.get('b')).toBe('2');
        await sleep(120);
        expect(await cache.get('b')).toBeNull();
        await cache.delete('a');
        expect(await cache.get('a')).toBeNull();
      }));

    it('lets exactly one of many concurrent claims win', () =>
      withCache(async (cache) => {
        const results = await Promise.all(Array.from({ length: 20 }, (_, i) => cache.setIfAbsent('claim', String(i), 5_000)));
        expect(results.filter(Boolean)).toHaveLength(1);
      }));

    it('counts in fixed windows that expire', () =>
      withCache(async (cache) => {
        const counts = await Promise.all(Array.from({ length: 10 }, () => cache.increment('rate', 80)));
        expect(counts.sort((a, b) => a - b)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
        await sleep(150);
        expect(await cache.increment('rate', 80)).toBe(1);
      }));

    it('gives a lock to one holder, and a released or expired lock to the next', () =>
      withCache(async (cache) => {
        const first = await cache.tryLock('lock', 60);
        expect(first).not.toBeNull();
        expect(await cache.tryLock('lock', 60)).toBeNull();
        expect(await first!.release()).toBe(true);
        const second = await cache.tryLock('lock', 60);
        expect(second).not.toBeNull();
        await sleep(120);
        // The expired holder must not release the lock a later holder took.
        const third = await cache.tryLock('lock', 5_000);
        expect(third).not.toBeNull();
        expect(await second!.release()).toBe(false);
        expect(await cache.tryLock('lock', 60)).toBeNull();
        expect(await third!.release()).toBe(true);
      }));

    it('renews a lease only for the holder that still has it', () =>
      withCache(async (cache) => {
        const lease = await cache.tryLock('lease', 80);
        await sleep(50);
        expect(await lease!.extend(200)).toBe(true);
        await sleep(60);
        expect(await cache.tryLock('lease', 80)).toBeNull(); // renewed: still held past the first 80 ms
        await sleep(200);
        const next = await cache.tryLock('lease', 5_000);
        expect(next).not.toBeNull();
        expect(await lease!.extend(5_000)).toBe(false); // lapsed: it cannot take the lock back
        await next!.release();
      }));

    it('delivers published messages to every subscriber until it unsubscribes', () =>
      withCache(async (cache) => {
        const seenA: string[] = [];
        const seenB: string[] = [];
        const offA = await cache.subscribe('chan', (m) => seenA.push(m));
        await cache.subscribe('chan', (m) => seenB.push(m));
        await cache.publish('chan', 'one');
        await expect.poll(() => seenA.length).toBe(1);
        await expect.poll(() => seenB.length).toBe(1);
        await offA();
        await cache.publish('chan', 'two');
        await expect.poll(() => seenB).toEqual(['one', 'two']);
        expect(seenA).toEqual(['one']);
      }));

    it('answers ping', () => withCache((cache) => cache.ping()));
  });
}
