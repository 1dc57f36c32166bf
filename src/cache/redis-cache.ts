// Redis implementation of the cache, shared by every instance. Keys carry a prefix so that several
// desks (and test runs) can share one Redis without seeing each other's state.
import { randomUUID } from 'node:crypto';
import { createRequire } from 'node:module';
import type { Redis } from 'ioredis';
import type { Cache, Lock, Unsubscribe } from './cache.ts';

// Deletes the lock only if it still holds our token: a holder whose lease expired cannot release
// the lock a later holder took.
const RELEASE_LOCK = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end`;
// Renews the lease only while it still holds our token.
const EXTEND_LOCK = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('pexpire', KEYS[1], ARGV[2]) else return 0 end`;
// INCR and set the expiry on the first increment, atomically.
const INCREMENT = `local n = redis.call('incr', KEYS[1]) if n == 1 then redis.call('pexpire', KEYS[1], ARGV[1]) end return n`;

// ioredis is loaded when the first RedisCache is built (REDIS_URL set): the embedded default never loads it.
const require = createRequire(import.meta.url);

export class RedisCache implements Cache {
  readonly kind = 'redis' as const;
  private readonly client: Redis;
  private subscriber: Redis | null = null;
  private readonly handlers = new Map<string, Set<(message: string) => void>>();

  constructor(
    url: string,
    private readonly prefix: string,
  ) {
    const { Redis: RedisClient } = require('ioredis') as typeof import('ioredis');
    this.client = new RedisClient(url, {
      keyPrefix: prefix,
      maxRetriesPerRequest: 3,
      enableOfflineQueue: true,
      lazyConnect: false,
    });
    // Connection errors surface on commands (and in /readyz); an unhandled 'error' event would crash.
    this.client.on('error', () => undefined);
  }

  async get(key: string) {
    return this.client.get(key);
  }

  async set(key: string, value: string, ttlMs?: number) {
    if (ttlMs) await this.client.set(key, value, 'PX', ttlMs);
    else await this.client.set(key, value);
  }

  async setIfAbsent(key: string, value: string, ttlMs: number) {
    return (await this.client.set(key, value, 'PX', ttlMs, 'NX')) === 'OK';
  }

  async delete(key: string) {
    await this.client.del(key);
  }

  async increment(key: string, ttlMs: number) {
    return Number(await this.client.eval(INCREMENT, 1, key, String(ttlMs)));
  }

  async tryLock(key: string, ttlMs: number): Promise<Lock | null> {
    const token = randomUUID();
    if (!(await this.setIfAbsent(key, token, ttlMs))) return null;
    return {
      release: async () => Number(await this.client.eval(RELEASE_LOCK, 1, key, token)) === 1,
      extend: async (ms) => Number(await this.client.eval(EXTEND_LOCK, 1, key, token, String(ms))) === 1,
    };
  }

  async publish(channel: string, message: string) {
    await this.client.publish(this.prefix + channel, message);
  }

  async subscribe(channel: string, onMessage: (message: string) => void): Promise<Unsubscribe> {
    const full = this.prefix + channel;
    if (!this.subscriber) {
      // A connection in subscriber mode can do nothing else, so pub/sub gets its own.
      this.subscriber = this.client.duplicate({ keyPrefix: '' });
      this.subscriber.on('error', () => undefined);
      this.subscriber.on('message', (ch: string, message: string) => {
        for (const handler of this.handlers.get(ch) ?? []) handler(message);
      });
    }
    let set = this.handlers.get(full);
    if (!set) {
      set = new Set();
      this.handlers.set(full, set);
      await this.subscriber.subscribe(full);
    }
    set.add(onMessage);
    return async () => {
      const current = this.handlers.get(full);
      current?.delete(onMessage);
      if (current && current.size === 0) {
        this.handlers.delete(full);
        await this.subscriber?.unsubscribe(full);
      }
    };
  }

  async ping() {
    await this.client.ping();
  }

  /** Removes every key under this cache's prefix (test clean-up). */
  async clearPrefix() {
    let cursor = '0';
    do {
      const [next, keys] = await this.client.scan(cursor, 'MATCH', `${this.prefix}*`, 'COUNT', 500);
      cursor = next;
      if (keys.length > 0) {
        // SCAN returns full keys; the client would add the prefix again, so strip it.
        await this.client.del(...keys.map((k) => k.slice(this.prefix.length)));
      }
    } while (cursor !== '0');
  }

  async close() {
    await Promise.all([this.client.quit().catch(() => undefined), this.subscriber?.quit().catch(() => undefined)]);
  }
}
