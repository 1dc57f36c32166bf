// The signed routes authenticate the raw bytes before anything parses them: /v1/events (HMAC),
// /telegram/webhook (secret token), /payments/wechat/notify and /payments/stripe/webhook (the
// providers' signatures). A forged body is refused 401 whatever it holds, and JSON.parse never sees
// it; a request with no credential header at all is refused before its body is even read; a
// genuine one is parsed and applied as before.
import net from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { signBody } from '../../src/api/auth.ts';
import { uid } from '../helpers/events.ts';
import { FakeTelegramApi } from '../helpers/fake-telegram-api.ts';
import { FakeStripe } from '../helpers/providers/fake-stripe.ts';
import { FakeWechatPay } from '../helpers/providers/fake-wechatpay.ts';
import { freePort, postgresUp } from '../helpers/services.ts';
import { startTestDesk, TEST_SECRETS, type TestDesk } from '../helpers/test-desk.ts';

const TELEGRAM_SECRET = 'telegram-webhook-secret-0123456789';
/** A body a parser would work hard on: deeply nested arrays (not closed, so not even valid JSON). */
const NESTED = '['.repeat(200_000);
const NESTED_VALID = `${'['.repeat(100_000)}${']'.repeat(100_000)}`;

describe.skipIf(!postgresUp)('authentication before parsing', () => {
  const telegramApi = new FakeTelegramApi();
  const wechat = new FakeWechatPay();
  const stripe = new FakeStripe();
  let t: TestDesk;
  let url: string;
  beforeAll(async () => {
    await Promise.all([telegramApi.start(), wechat.start(), stripe.start()]);
    const port = await freePort();
    t = await startTestDesk({
      store: 'postgres',
      env: {
        PORT: String(port),
        PUBLIC_URL: `http://127.0.0.1:${port}`,
        TELEGRAM_BOT_TOKEN: '123456:TEST-parse-token',
        TELEGRAM_API_ROOT: telegramApi.url,
        TELEGRAM_WEBHOOK_URL: `http://127.0.0.1:${port}/telegram/webhook`,
        TELEGRAM_WEBHOOK_SECRET: TELEGRAM_SECRET,
        ...wechat.env(),
        ...stripe.env(),
      },
    });
    url = await t.desk.listen();
  });
  afterAll(async () => {
    await t?.stop();
    await Promise.all([telegramApi.stop(), wechat.close(), stripe.close()]);
  });

  const parse = vi.spyOn(JSON, 'parse');
  afterEach(() => parse.mockClear());
  afterAll(() => parse.mockRestore());
  /** How many times JSON.parse was handed exactly this body. */
  const parsedTimes = (body: string) => parse.mock.calls.filter(([text]) => text === body).length;

  const post = (path: string, body: string, headers: Record<string, string> = {}) =>
    t.desk.server.inject({ method: 'POST', url: path, headers: { 'content-type': 'application/json', ...headers }, payload: body });

  const ROUTES: Array<[string, Record<string, string>]> = [
    ['/v1/events', { 'x-signature': signBody('something else', TEST_SECRETS.PLATFORM_WEBHOOK_SECRET) }],
    ['/telegram/webhook', { 'x-telegram-bot-api-secret-token': 'not-the-secret-token-at-all' }],
    ['/payments/wechat/notify', wechat.signedHeaders('something else')],
    ['/payments/stripe/webhook', { 'stripe-signature': stripe.webhook('refund.updated', {}).signature }],
  ];

  it.each(ROUTES)('%s answers a forged body that is not JSON with 401 (not 400), and never parses it', async (path, forged) => {
    for (const [body, headers] of [
      [NESTED, forged],
      [NESTED_VALID, forged],
      [NESTED, {}],
    ] as const) {
      const response = await post(path, body, headers);
      expect([path, response.statusCode]).toEqual([path, 401]);
      expect(parsedTimes(body)).toBe(0);
    }
  });

  /** Sends only the headers of a request announcing a large body, and resolves with the first response line. */
  function headersOnly(path: string, headers: Record<string, string>): Promise<string> {
    return new Promise((resolve, reject) => {
      const socket = net.connect(Number(new URL(url).port), '127.0.0.1');
      let received = '';
      socket.on('data', (chunk) => {
        received += chunk.toString('latin1');
        if (received.includes('\r\n')) {
          socket.destroy();
          resolve(received.slice(0, received.indexOf('\r\n')));
        }
      });
      socket.on('error', reject);
      const lines = [
        `POST ${path} HTTP/1.1`,
        'host: 127.0.0.1',
        'content-type: application/json',
        'content-length: 1000000',
        ...Object.entries(headers).map(([k, v]) => `${k}: ${v}`),
      ];
      socket.write(`${lines.join('\r\n')}\r\n\r\n`);
    });
  }

  it.each([
    ['/v1/events', {}],
    ['/telegram/webhook', { 'x-telegram-bot-api-secret-token': 'not-the-secret-token-at-all' }],
    ['/payments/wechat/notify', {}],
    ['/payments/stripe/webhook', {}],
  ])('%s refuses a request without its credential before reading the body', async (path, headers) => {
    // The body never comes: only a refusal that needs none of it can answer.
    expect(await headersOnly(path, headers)).toBe('HTTP/1.1 401 Unauthorized');
  });

  it('still parses and applies a signed event', async () => {
    const body = JSON.stringify({
      id: uid('evt'),
      type: 'merchant.upserted',
      occurredAt: new Date().toISOString(),
      data: { id: uid('m'), name: 'Signed shop', locale: 'zh' },
    });
    const response = await post('/v1/events', body, { 'x-signature': signBody(body, TEST_SECRETS.PLATFORM_WEBHOOK_SECRET) });
    expect(response.json()).toMatchObject({ status: 'applied' });
    expect(parsedTimes(body)).toBe(1);
    // Signed but not JSON: now it is a 400.
    const broken = await post('/v1/events', NESTED, { 'x-signature': signBody(NESTED, TEST_SECRETS.PLATFORM_WEBHOOK_SECRET) });
    expect([broken.statusCode, broken.json().error.code]).toEqual([400, 'invalid_json']);
  });

  it('still parses and applies a Telegram update carrying the secret token', async () => {
    const chat = 700_000 + Math.floor(Math.random() * 100_000);
    const update = {
      update_id: chat,
      message: {
        message_id: 1,
        date: Math.floor(Date.now() / 1000),
        chat: { id: chat, type: 'private' },
        from: { id: chat, is_bot: false, first_name: 'A' },
        text: 'hello',
      },
    };
    const body = JSON.stringify(update);
    const response = await post('/telegram/webhook', body, { 'x-telegram-bot-api-secret-token': TELEGRAM_SECRET });
    expect(response.statusCode).toBe(200);
    expect(parsedTimes(body)).toBe(1);
    await expect.poll(() => telegramApi.sentTo(String(chat)).length, { timeout: 10_000 }).toBeGreaterThan(0);
    const broken = await post('/telegram/webhook', NESTED, { 'x-telegram-bot-api-secret-token': TELEGRAM_SECRET });
    expect(broken.statusCode).toBe(400);
  });

  it('still applies signed provider notifications', async () => {
    const stray = `rf_stray_${uid('x')}`;
    const providerId = `503${uid('w')}`;
    wechat.book(stray, `4200${uid('o')}`, 500, 'succeeded', providerId);
    const notification = wechat.notificationBody(stray);
    expect((await post('/payments/wechat/notify', notification, wechat.signedHeaders(notification))).statusCode).toBe(204);
    expect(parsedTimes(notification)).toBe(1);
    expect(await t.desk.db.prisma.paymentNotice.count({ where: { provider: 'wechat', providerRefundId: providerId } })).toBe(1);

    const hook = stripe.webhook('refund.updated', {
      id: `re_${uid('s')}`,
      object: 'refund',
      amount: 500,
      currency: 'cny',
      status: 'succeeded',
      payment_intent: `pi_${uid('p')}`,
      metadata: {},
    });
    const answer = await post('/payments/stripe/webhook', hook.body, { 'stripe-signature': hook.signature });
    expect([answer.statusCode, answer.json()]).toEqual([200, { received: true, applied: 1 }]);
  });
});
