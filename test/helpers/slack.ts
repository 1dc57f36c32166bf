// Slack for tests: a local server standing in for the Web API that records every call, and requests
// signed exactly as Slack signs them (v0 HMAC-SHA256 over "v0:<timestamp>:<body>").
import { createHmac } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { expect } from 'vitest';
import { freshBuyer, newOrder, requestRefund, type seedShop } from './refunds.ts';
import type { TestDesk } from './test-desk.ts';

export const SLACK = {
  signingSecret: 'test-slack-signing-secret-0123',
  botToken: 'xoxb-test-token',
  deskChannel: 'CDESK00001',
  riskChannel: 'CRISK00001',
  members: ['UAGENT0001', 'UAGENT0002'],
  outsider: 'UOUTSIDE01',
};

export interface SlackCall {
  method: string;
  args: Record<string, unknown>;
}

export class SlackRecorder {
  readonly calls: SlackCall[] = [];
  private server: http.Server | null = null;
  private seq = 0;
  url = '';
  /** While set, every call is recorded and answered with this HTTP status (Slack having an outage). */
  failWith: number | null = null;

  /** Listens on `port` (any free one by default). */
  async start(port = 0): Promise<void> {
    this.server = http.createServer((req, res) => {
      let body = '';
      req.on('data', (chunk: Buffer) => (body += chunk.toString()));
      req.on('end', () => {
        const method = (req.url ?? '').replace(/^\/api\//, '').split('?')[0]!;
        const args: Record<string, unknown> = req.headers['content-type']?.includes('json')
          ? JSON.parse(body || '{}')
          : Object.fromEntries(new URLSearchParams(body));
        for (const key of ['blocks', 'view']) if (typeof args[key] === 'string') args[key] = JSON.parse(args[key] as string);
        this.calls.push({ method, args });
        res.setHeader('content-type', 'application/json');
        if (this.failWith !== null) {
          res.statusCode = this.failWith;
          return void res.end(JSON.stringify({ ok: false, error: 'service_unavailable' }));
        }
        res.end(JSON.stringify(this.answer(method, args)));
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(port, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server!.address() as AddressInfo).port}/api/`;
  }

  private answer(method: string, args: Record<string, unknown>): Record<string, unknown> {
    switch (method) {
      case 'auth.test':
        return { ok: true, user_id: 'UBOT000001', bot_id: 'BBOT000001', team_id: 'T00000001', user: 'refund-desk' };
      case 'chat.postMessage':
        this.seq += 1;
        return { ok: true, channel: args.channel, ts: `1700000000.${String(this.seq).padStart(6, '0')}`, message: { text: args.text } };
      case 'conversations.members':
        return { ok: true, members: SLACK.members, response_metadata: { next_cursor: '' } };
      case 'usergroups.users.list':
        return { ok: true, users: [] };
      default:
        return { ok: true };
    }
  }

  of(method: string): SlackCall[] {
    return this.calls.filter((c) => c.method === method);
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}

export function slackEnv(recorder: SlackRecorder, extra: Record<string, string> = {}): Record<string, string> {
  return {
    SLACK_BOT_TOKEN: SLACK.botToken,
    SLACK_SIGNING_SECRET: SLACK.signingSecret,
    SLACK_DESK_CHANNEL: SLACK.deskChannel,
    SLACK_RISK_CHANNEL: SLACK.riskChannel,
    SLACK_API_URL: recorder.url,
    ...extra,
  };
}

export function signSlack(body: string, timestamp = Math.floor(Date.now() / 1000), secret = SLACK.signingSecret): Record<string, string> {
  const signature = `v0=${createHmac('sha256', secret).update(`v0:${timestamp}:${body}`).digest('hex')}`;
  return { 'x-slack-request-timestamp': String(timestamp), 'x-slack-signature': signature };
}

/** POSTs to the desk's /slack/events as Slack would. */
export async function sendToSlackEndpoint(
  baseUrl: string,
  body: string,
  contentType: string,
  headers: Record<string, string> = signSlack(body),
): Promise<Response> {
  return fetch(`${baseUrl}/slack/events`, { method: 'POST', headers: { 'content-type': contentType, ...headers }, body });
}

let actionSeq = 0;

/** A button press (block_actions) on a ticket, as Slack delivers it. */
export function blockAction(p: {
  user: string;
  actionId: string;
  value?: string;
  selected?: string;
  messageTs: string;
  actionTs?: string;
}): string {
  actionSeq += 1;
  const action = p.selected
    ? {
        type: 'static_select',
        action_id: p.actionId,
        block_id: 'ticket',
        selected_option: { text: { type: 'plain_text', text: 'x' }, value: p.selected },
        action_ts: p.actionTs ?? `1700000100.${actionSeq}`,
      }
    : {
        type: 'button',
        action_id: p.actionId,
        block_id: 'ticket',
        value: p.value,
        text: { type: 'plain_text', text: 'x' },
        action_ts: p.actionTs ?? `1700000100.${actionSeq}`,
      };
  const payload = {
    type: 'block_actions',
    user: { id: p.user, username: p.user.toLowerCase(), name: p.user.toLowerCase(), team_id: 'T00000001' },
    api_app_id: 'A00000001',
    token: 'legacy',
    team: { id: 'T00000001', domain: 'shop' },
    container: { type: 'message', message_ts: p.messageTs, channel_id: SLACK.deskChannel, is_ephemeral: false },
    trigger_id: `trigger.${actionSeq}`,
    channel: { id: SLACK.deskChannel, name: 'refund-desk' },
    message: { type: 'message', ts: p.messageTs, text: 'ticket' },
    actions: [action],
  };
  return `payload=${encodeURIComponent(JSON.stringify(payload))}`;
}

let eventSeq = 0;

/** A message event (a reply in a ticket's thread), as Slack delivers it. */
export function threadReply(p: { user: string; text: string; threadTs: string; eventId?: string }): string {
  eventSeq += 1;
  return JSON.stringify({
    token: 'legacy',
    team_id: 'T00000001',
    api_app_id: 'A00000001',
    type: 'event_callback',
    event_id: p.eventId ?? `Ev${Date.now()}${eventSeq}`,
    event_time: Math.floor(Date.now() / 1000),
    event: {
      type: 'message',
      channel: SLACK.deskChannel,
      channel_type: 'channel',
      user: p.user,
      text: p.text,
      ts: `1700000200.${String(eventSeq).padStart(6, '0')}`,
      thread_ts: p.threadTs,
    },
  });
}

export async function until<T>(probe: () => T | Promise<T>, ok: (v: T) => boolean, timeoutMs = 10_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (ok(v)) return v;
    if (Date.now() > end) throw new Error(`condition not met in ${timeoutMs} ms; last value: ${JSON.stringify(v)?.slice(0, 800)}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/**
 * M22 through the API: two hours after purchase with 20 % watched, the refund is refused and its
 * appeal is a ticket, posted to Slack.
 */
export async function appealTicket(
  t: TestDesk,
  shop: Awaited<ReturnType<typeof seedShop>>,
  order: { productId?: string; currency?: string; amountMinor?: number } = {},
) {
  const ids = await freshBuyer(t, shop);
  const orderId = await newOrder(t, ids, { minutesAgo: 120, progress: 0.2, ...order });
  const r = await requestRefund(t, {
    orderId,
    buyerId: ids.buyer,
    reasonCode: 'unsatisfied',
    reasonText: '内容和介绍的不一样，想退款',
    channel: 'api',
  });
  expect(r.json()).toMatchObject({ status: 'rejected', handoff: { kind: 'appeal' } });
  const requestId = r.json().id as string;
  await t.desk.slack!.postNewTickets();
  const handoff = await t.desk.db.prisma.handoff.findFirstOrThrow({ where: { refundRequestId: requestId } });
  expect(handoff.slackTs).toBeTruthy();
  return { ids, orderId, requestId, handoff, ts: handoff.slackTs! };
}
