// Issue 20: a process loads the SDKs of what it is configured for and nothing else (each module that
// owns a dependency requires it when it is first built), and never node-nlp's 40 languages.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { PGLITE_SHARED_BUFFERS, openDatabase } from '../../src/store/database.ts';
import {
  createTestDatabase,
  postgresUp,
  redisUp,
  REDIS_URL,
  testRedisPrefix,
  clearRedisPrefix,
  type TestDatabase,
} from '../helpers/services.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'lean-process-'));
const cleanups: Array<() => Promise<void>> = [];
afterAll(async () => {
  for (const c of cleanups.reverse()) await c();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

function loadedPackages(env: Record<string, string>): string[] {
  const out = execFileSync(process.execPath, ['--import', 'tsx', path.join(ROOT, 'test/fixtures/loaded-packages.ts')], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? os.tmpdir(), LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
    timeout: 180_000,
  });
  return JSON.parse(out.toString().trim().split('\n').at(-1)!) as string[];
}

/** Loaded by no configuration of the desk (node-nlp only as the tests' reference). */
const NEVER = ['node-nlp', '@nlpjs/lang-all', '@nlpjs/builtin-microsoft', '@microsoft/recognizers-text-suite', 'playwright-core'];
/** Loaded only when their rail, channel or service is configured. */
const UNCONFIGURED = ['@slack/bolt', 'telegraf', 'stripe', 'alipay-sdk', 'nodemailer'];

describe('what a process loads', () => {
  it('embedded default: no Redis client, BullMQ, PostgreSQL driver, channel or rail SDK', () => {
    const loaded = loadedPackages({ DATA_DIR: dataDir });
    expect(loaded).toContain('@nlpjs/nlp'); // the NLU engine is there: the check sees what is loaded
    for (const name of [...NEVER, ...UNCONFIGURED, 'bullmq', 'ioredis', 'pg', '@prisma/adapter-pg'])
      expect(loaded, name).not.toContain(name);
  }, 240_000);

  it.skipIf(!postgresUp || !redisUp)(
    'PostgreSQL + Redis: BullMQ, ioredis and pg, still no channel or rail SDK',
    async () => {
      const database: TestDatabase = await createTestDatabase();
      const prefix = testRedisPrefix();
      cleanups.push(
        () => database.drop(),
        () => clearRedisPrefix(prefix),
      );
      const loaded = loadedPackages({
        NODE_ENV: 'production',
        DATA_DIR: dataDir,
        DATABASE_URL: database.url,
        REDIS_URL,
        REDIS_KEY_PREFIX: prefix,
        PLATFORM_WEBHOOK_SECRET: 'lean-webhook-secret-0123',
        PLATFORM_API_KEY: 'lean-api-key-0123456789',
        CHAT_TOKEN_SECRET: 'lean-chat-token-secret-0123',
      });
      for (const name of ['bullmq', 'ioredis', 'pg']) expect(loaded, name).toContain(name);
      for (const name of [...NEVER, ...UNCONFIGURED]) expect(loaded, name).not.toContain(name);
    },
    240_000,
  );

  it("embedded PGlite runs with a small buffer pool, not PostgreSQL's 128 MB default", async () => {
    const db = await openDatabase({ kind: 'pglite', dataDir: path.join(dataDir, 'pglite-buffers') });
    try {
      expect(await db.sql.query(`SELECT current_setting('shared_buffers') AS value`)).toEqual([{ value: PGLITE_SHARED_BUFFERS }]);
    } finally {
      await db.close();
    }
  }, 120_000);
});
