// A desk to run the suite on: embedded PGlite in a temporary folder (no services needed), or the
// PostgreSQL of DATABASE_URL; always the in-process cache (chat state is per run). The shop reaches it the
// way the platform does: signed events and the Bearer refund call, through fastify's inject.
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { signBody } from '../../src/api/auth.ts';
import { loadConfig } from '../../src/config.ts';
import { createDesk, type Desk } from '../../src/desk.ts';
import type { ShopGate } from './shop.ts';

const SECRETS = {
  PLATFORM_WEBHOOK_SECRET: 'eval-webhook-secret-0123456789abcdef',
  PLATFORM_API_KEY: 'eval-api-key-0123456789abcdef',
  CHAT_TOKEN_SECRET: 'eval-chat-token-secret-0123456789abc',
};

export function shopGate(desk: Desk, secrets: { webhookSecret: string; apiKey: string }): ShopGate {
  return {
    async postEvent(event) {
      const payload = JSON.stringify(event);
      const res = await desk.server.inject({
        method: 'POST',
        url: '/v1/events',
        headers: { 'content-type': 'application/json', 'x-signature': signBody(payload, secrets.webhookSecret) },
        payload,
      });
      return { statusCode: res.statusCode, body: res.body };
    },
    async requestRefund(body) {
      const res = await desk.server.inject({
        method: 'POST',
        url: '/v1/refund-requests',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${secrets.apiKey}` },
        payload: JSON.stringify(body),
      });
      return { statusCode: res.statusCode, body: res.body };
    },
  };
}

export interface EvalDesk {
  desk: Desk;
  gate: ShopGate;
  where: string;
  stop(): Promise<void>;
}

export async function startEvalDesk(env: NodeJS.ProcessEnv = process.env): Promise<EvalDesk> {
  const dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'refund-desk-eval-'));
  const config = loadConfig({
    NODE_ENV: 'test',
    PORT: '0',
    DATA_DIR: dataDir,
    DEMO_SEED: 'off',
    LOG_LEVEL: env.LOG_LEVEL ?? 'silent',
    ...SECRETS,
    ...(env.DATABASE_URL ? { DATABASE_URL: env.DATABASE_URL } : {}),
  });
  const desk = await createDesk(config, { defaultMetrics: false });
  return {
    desk,
    gate: shopGate(desk, { webhookSecret: SECRETS.PLATFORM_WEBHOOK_SECRET, apiKey: SECRETS.PLATFORM_API_KEY }),
    where: env.DATABASE_URL ? 'PostgreSQL (DATABASE_URL)' : `PGlite in ${dataDir}`,
    async stop() {
      await desk.close();
      await fs.rm(dataDir, { recursive: true, force: true });
    },
  };
}
