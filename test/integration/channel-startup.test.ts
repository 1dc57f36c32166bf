// A channel that cannot start degrades; it never takes the desk down. With Slack's Web API and
// Telegram's Bot API unreachable at start-up (nothing listening, then Slack answering 500), the desk
// listens, the platform API and the widget serve, /readyz stays 200 for the core and names both
// channels as degraded; once the providers answer, each channel comes up by itself.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signBody } from '../../src/api/auth.ts';
import { shopFixture } from '../helpers/events.ts';
import { FakeTelegramApi } from '../helpers/fake-telegram-api.ts';
import { bearer } from '../helpers/refunds.ts';
import { freePort, postgresUp } from '../helpers/services.ts';
import { sendToSlackEndpoint, SlackRecorder, slackEnv, until } from '../helpers/slack.ts';
import { startTestDesk, TEST_SECRETS, type TestDesk } from '../helpers/test-desk.ts';
import { WidgetClient } from '../helpers/widget-client.ts';

interface Readiness {
  status: string;
  checks: Record<string, { status: string }>;
  channels: Record<string, { status: string; attempts: number; error?: string; nextAttemptAt?: string }>;
  degraded?: string[];
}

describe.skipIf(!postgresUp)('optional channels unreachable at start-up', () => {
  const slack = new SlackRecorder();
  const telegram = new FakeTelegramApi();
  let slackPort: number;
  let telegramPort: number;
  let t: TestDesk;
  let url: string;
  const clients: WidgetClient[] = [];

  beforeAll(async () => {
    // Ports nobody listens on yet: every call to either provider is refused.
    [slackPort, telegramPort] = [await freePort(), await freePort()];
    slack.url = `http://127.0.0.1:${slackPort}/api/`;
    t = await startTestDesk({
      store: 'postgres',
      env: {
        ...slackEnv(slack),
        TELEGRAM_BOT_TOKEN: '123456:test-token',
        TELEGRAM_API_ROOT: `http://127.0.0.1:${telegramPort}`,
        TELEGRAM_WEBHOOK_URL: 'https://desk.example.com/telegram/webhook',
        TELEGRAM_WEBHOOK_SECRET: 'telegram-webhook-secret-0123',
      },
      deskOptions: { channelStartBackoff: { firstMs: 50, maxMs: 400 } },
    });
  }, 60_000);
  afterAll(async () => {
    for (const c of clients) c.close();
    await t?.stop();
    await slack.stop();
    await telegram.stop();
  });

  const readiness = async (): Promise<{ code: number; body: Readiness }> => {
    const response = await fetch(`${url}/readyz`);
    return { code: response.status, body: (await response.json()) as Readiness };
  };

  it('starts and serves the API and the widget, with /readyz naming the degraded channels', async () => {
    url = await t.desk.listen();
    const ready = await readiness();
    expect(ready.code).toBe(200);
    expect(ready.body).toMatchObject({
      status: 'degraded',
      checks: { database: { status: 'ok' }, cache: { status: 'ok' } },
      degraded: ['slack', 'telegram'],
    });
    for (const name of ['slack', 'telegram']) {
      expect(ready.body.channels[name], name).toMatchObject({
        status: 'degraded',
        attempts: expect.any(Number),
        error: expect.any(String),
        nextAttemptAt: expect.any(String),
      });
    }

    // The platform API over HTTP: signed events, and a Bearer read.
    const shop = shopFixture();
    for (const event of shop.events) {
      const body = JSON.stringify(event);
      const response = await fetch(`${url}/v1/events`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-signature': signBody(body, TEST_SECRETS.PLATFORM_WEBHOOK_SECRET) },
        body,
      });
      expect(response.status).toBe(200);
    }
    const policy = await fetch(`${url}/v1/products/${shop.ids.product}/refund-policy?lang=en`, { headers: bearer });
    expect(policy.status).toBe(200);
    expect(((await policy.json()) as { text: string }).text).toMatch(/15 minutes/);

    // The widget opens a chat.
    const { token } = await t.desk.chatTokens.issue(shop.ids.buyer);
    const widget = await WidgetClient.connect(url);
    clients.push(widget);
    widget.send({ type: 'hello', token });
    await widget.waitFor((f) => f.type === 'ready');

    // Slack's own requests are asked to come again later, not dropped as handled.
    const verification = JSON.stringify({ type: 'url_verification', token: 'legacy', challenge: 'c-early' });
    expect((await sendToSlackEndpoint(url, verification, 'application/json')).status).toBe(503);
  });

  it('brings each channel up once its provider answers, and /readyz says so', async () => {
    // Slack answers, but with 500s: still degraded, and still tried.
    slack.failWith = 500;
    await slack.start(slackPort);
    await until(
      () => slack.of('auth.test').length,
      (n) => n >= 1,
      20_000,
    );
    expect((await readiness()).body.channels.slack!.status).toBe('degraded');
    // Slack recovers.
    slack.failWith = null;
    await until(readiness, (r) => r.body.channels.slack?.status === 'ready', 20_000);
    // Telegram's Bot API comes back: the webhook is set.
    await telegram.start(telegramPort);
    const ready = await until(readiness, (r) => r.body.channels.telegram?.status === 'ready', 20_000);
    expect(telegram.calls.get('setWebhook')).toBeGreaterThanOrEqual(1);
    expect(ready.code).toBe(200);
    expect(ready.body.status).toBe('ready');
    expect(ready.body.degraded).toBeUndefined();

    // Slack's requests are handled now.
    const verification = JSON.stringify({ type: 'url_verification', token: 'legacy', challenge: 'c-late' });
    const answered = await sendToSlackEndpoint(url, verification, 'application/json');
    expect(answered.status).toBe(200);
    expect(await answered.text()).toContain('c-late');
  });
});
