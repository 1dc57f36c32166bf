// A local HTTP server standing in for the shop platform: it records the desk's signed calls and can
// be told to fail, hang, or answer live usage.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach } from 'vitest';
import { signBody } from '../../src/api/auth.ts';
import { freshBuyer, seedShop } from './refunds.ts';
import { startTestDesk, TEST_SECRETS, type TestDesk } from './test-desk.ts';

export interface FakePlatform {
  url: string;
  received: Array<{ path: string; body: Record<string, unknown>; signatureValid: boolean }>;
  /** How the next requests are answered: a status, 'hang', or a JSON body for live usage. */
  mode: { status: number } | 'hang';
  usage: Record<string, Array<{ kind: string; value?: number; at: string }>>;
  close(): Promise<void>;
}

export async function startFakePlatform(secret: string): Promise<FakePlatform> {
  const sockets = new Set<import('node:net').Socket>();
  const fake: Omit<FakePlatform, 'url' | 'close'> = { received: [], mode: { status: 200 }, usage: {} };
  const server = http.createServer((req, res) => {
    let raw = '';
    req.on('data', (d) => (raw += d));
    req.on('end', () => {
      const body = raw ? JSON.parse(raw) : {};
      fake.received.push({ path: req.url ?? '', body, signatureValid: req.headers['x-signature'] === signBody(raw, secret) });
      if (fake.mode === 'hang') return; // never answers
      res.statusCode = fake.mode.status;
      res.setHeader('content-type', 'application/json');
      if (req.url?.startsWith('/usage') && fake.mode.status === 200) {
        res.end(JSON.stringify({ orderId: body.orderId, events: fake.usage[body.orderId] ?? [] }));
      } else {
        res.end(JSON.stringify({ ok: fake.mode.status < 300 }));
      }
    });
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return Object.assign(fake, {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  }) as FakePlatform;
}

/**
 * A test desk on PostgreSQL that talks to a fake platform, with a shop, and a fresh buyer (and a
 * platform answering 200) before each test. Registers its own hooks; read the fields inside tests.
 */
export function deskWithPlatform(env: (platformUrl: string) => Record<string, string>, before?: (t: TestDesk) => Promise<void>) {
  const ctx = {} as {
    t: TestDesk;
    platform: FakePlatform;
    shop: Awaited<ReturnType<typeof seedShop>>;
    ids: Awaited<ReturnType<typeof seedShop>>;
  };
  beforeAll(async () => {
    ctx.platform = await startFakePlatform(TEST_SECRETS.PLATFORM_WEBHOOK_SECRET);
    ctx.t = await startTestDesk({ store: 'postgres', env: env(ctx.platform.url) });
    await before?.(ctx.t);
    ctx.shop = await seedShop(ctx.t);
  });
  beforeEach(async () => {
    ctx.platform.mode = { status: 200 };
    ctx.ids = await freshBuyer(ctx.t, ctx.shop);
  });
  afterAll(async () => {
    await ctx.t?.stop();
    await ctx.platform?.close();
  });
  return ctx;
}
