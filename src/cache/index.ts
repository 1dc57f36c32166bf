import type { Config } from '../config.ts';
import type { Cache } from './cache.ts';
import { MemoryCache } from './memory-cache.ts';
import { RedisCache } from './redis-cache.ts';

export type { Cache, Lock } from './cache.ts';

export function createCache(config: Config['redis']): Cache {
  return config ? new RedisCache(config.url, config.keyPrefix) : new MemoryCache();
}
export type { Unsubscribe } from './cache.ts';
export { claimOnce } from './claims.ts';
