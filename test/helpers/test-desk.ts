// A desk for a test file: on a throwaway PostgreSQL database (and Redis prefix), or on PGlite in a
// temporary folder. Requests go through fastify's inject (the real routing, parsing and hooks).
import type { LightMyRequestResponse } from 'fastify';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { signBody } from '../../src/api/auth.ts';
import { loadConfig } from '../../src/config.ts';
import { createDesk, type Desk, type DeskOptions } from '../../src/desk.ts';
import { clearRedisPrefix, createTestDatabase, REDIS_URL, testRedisPrefix, type TestDatabase } from './services.ts';

export const TEST_SECRETS = {
  PLATFORM_WEBHOOK_SECRET: 'test-webhook-secret-0123456789',
  PLATFORM_API_KEY: 'test-api-key-0123456789abcdef',
  CHAT_TOKEN_SECRET: 'test-chat-token-secret-0123456789',
};

export interface TestDesk {
  desk: Desk;
  database: TestDatabase | null;
  redisPrefix: string | null;
  dataDir: string;
  postEvent(event: unknown, options?: { secret?: string; signature?: string }): Promise<LightMyRequestResponse>;
  /** Another instance on the same database, Redis prefix and data folder (another process in production); the caller closes it. */
  anotherInstance(env?: Record<string, string>): Promise<Desk>;
  stop(): Promise<void>;
}

export async function startTestDesk(
  options: { store?: 'postgres' | 'pglite'; redis?: boolean; env?: Record<string, string>; deskOptions?: DeskOptions } = {},
): Promise<TestDesk> {
  const store = options.store ?? 'postgres';
  const database = store === 'postgres' ? await createTestDatabase() : null;
  const redisPrefix = options.redis ? testRedisPrefix() : null;
  const dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'refund-desk-test-'));
  const configWith = (env: Record<string, string> | undefined) =>
    loadConfig({
      NODE_ENV: 'test',
      PORT: '0',
      DATA_DIR: dataDir,
      DEMO_SEED: 'off',
      ...TEST_SECRETS,
      ...(database ? { DATABASE_URL: database.url } : {}),
      ...(redisPrefix ? { REDIS_URL, REDIS_KEY_PREFIX: redisPrefix } : {}),
      ...env,
    });
  const desk = await createDesk(configWith(options.env), { defaultMetrics: false, ...options.deskOptions });
  return {
    desk,
    database,
    redisPrefix,
    dataDir,
    anotherInstance(env) {
      return createDesk(configWith(env), { defaultMetrics: false });
    },
    postEvent(event, opts = {}) {
      const payload = typeof event === 'string' ? event : JSON.stringify(event);
      return desk.server.inject({
        method: 'POST',
        url: '/v1/events',
        headers: {
          'content-type': 'application/json',
          'x-signature': opts.signature ?? signBody(payload, opts.secret ?? TEST_SECRETS.PLATFORM_WEBHOOK_SECRET),
        },
        payload,
      });
    },
    async stop() {
      await desk.close();
      await database?.drop();
      if (redisPrefix) await clearRedisPrefix(redisPrefix);
      await fs.rm(dataDir, { recursive: true, force: true });
    },
  };
}
