// Real PostgreSQL and Redis for integration tests. Each test file gets its own throwaway database and
// Redis key prefix, dropped afterwards, so runs never see each other's data. Without the services the
// suites are skipped, unless REQUIRE_SERVICES=1 (CI), where an unreachable service fails the run.
import { randomBytes } from 'node:crypto';
import net from 'node:net';
import pg from 'pg';
import { RedisCache } from '../../src/cache/redis-cache.ts';

export const ADMIN_DATABASE_URL = process.env.DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres';
export const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
export const REQUIRE_SERVICES = process.env.REQUIRE_SERVICES === '1';
export const TEST_DB_PREFIX = 'rd_test_';

function reachable(url: string, defaultPort: number): Promise<boolean> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve) => {
    const socket = net.connect({ host: hostname || '127.0.0.1', port: Number(port || defaultPort) });
    socket.setTimeout(1_000);
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
    socket.once('timeout', () => {
      socket.destroy();
      resolve(false);
    });
  });
}

/** A loopback port nothing listens on right now (for emulators the tests start: telegram-test-api). */
export function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

/** Resolved once per test file at import time, so `describe.skipIf` can use it. */
export const postgresUp = await reachable(ADMIN_DATABASE_URL, 5432);
export const redisUp = await reachable(REDIS_URL, 6379);

if (REQUIRE_SERVICES && (!postgresUp || !redisUp)) {
  throw new Error(
    `REQUIRE_SERVICES=1 but ${!postgresUp ? `PostgreSQL (${new URL(ADMIN_DATABASE_URL).host})` : ''}` +
      `${!postgresUp && !redisUp ? ' and ' : ''}${!redisUp ? `Redis (${new URL(REDIS_URL).host})` : ''} is unreachable`,
  );
}

export function databaseUrl(name: string): string {
  const url = new URL(ADMIN_DATABASE_URL);
  url.pathname = `/${name}`;
  return url.toString();
}

export interface TestDatabase {
  name: string;
  url: string;
  drop(): Promise<void>;
}

export async function createTestDatabase(): Promise<TestDatabase> {
  const name = `${TEST_DB_PREFIX}${Date.now().toString(36)}_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: ADMIN_DATABASE_URL });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE "${name}"`);
  } finally {
    await admin.end();
  }
  return {
    name,
    url: databaseUrl(name),
    async drop() {
      // TEST_KEEP_DATABASES=1 keeps what a run decided, e.g. to replay it (`refund-desk replay`);
      // the next run's global setup drops databases older than an hour.
      if (process.env.TEST_KEEP_DATABASES === '1') return;
      const client = new pg.Client({ connectionString: ADMIN_DATABASE_URL });
      await client.connect();
      try {
        await client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      } finally {
        await client.end();
      }
    },
  };
}

export function testRedisPrefix(): string {
  return `rd-test:${randomBytes(6).toString('hex')}:`;
}

export async function clearRedisPrefix(prefix: string): Promise<void> {
  const cache = new RedisCache(REDIS_URL, prefix);
  try {
    await cache.clearPrefix();
  } finally {
    await cache.close();
  }
}
