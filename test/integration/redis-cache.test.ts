import { afterAll, describe, expect, it } from 'vitest';
import { RedisCache } from '../../src/cache/redis-cache.ts';
import { cacheContract } from '../helpers/cache-contract.ts';
import { clearRedisPrefix, REDIS_URL, redisUp, testRedisPrefix } from '../helpers/services.ts';

const prefixes: string[] = [];
const make = async () => {
  const prefix = testRedisPrefix();
  prefixes.push(prefix);
  return new RedisCache(REDIS_URL, prefix);
};

afterAll(async () => {
  if (redisUp) for (const prefix of prefixes) await clearRedisPrefix(prefix);
});

cacheContract('Redis', make, !redisUp);

describe.skipIf(!redisUp)('Redis cache isolation', () => {
  it('keeps two prefixes apart, and clears only its own', async () => {
    const a = await make();
    const b = await make();
    try {
      await a.set('k', 'a');
      await b.set('k', 'b');
      expect(await a.get('k')).toBe('a');
      await a.clearPrefix();
      expect(await a.get('k')).toBeNull();
      expect(await b.get('k')).toBe('b');
    } finally {
      await a.close();
      await b.close();
    }
  });

  it('fails ping, rather than hanging, when Redis is unreachable', async () => {
    const dead = new RedisCache('redis://127.0.0.1:1', testRedisPrefix());
    try {
      await expect(dead.ping()).rejects.toThrow();
    } finally {
      await dead.close();
    }
  });
});
