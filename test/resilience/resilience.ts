// npm run test:resilience — the load and fault suite (not part of `npm test`).
//
// Starts its own PostgreSQL cluster and Redis on spare loopback ports (so its faults never touch the
// machine's shared services), a local WeChat Pay that is slow and flaky (the in-process sandbox
// would forget its refunds with the instance that holds it, so the instances share a provider), a
// Bot API, a Slack Web API and a shop platform, then three desk instances. It drives a mixed
// workload — platform events, refund requests, Telegram chat turns and Slack agent approvals, each
// sent to any instance and re-sent elsewhere when one fails, as a load balancer and Telegram would —
// and, while it runs, kills an instance (and brings it back), restarts Redis (losing its data) and
// pauses PostgreSQL. Then it lets the desk settle and checks the invariants: no order refunded
// twice, no refund paid without a record, no commission reversed twice, every buyer message
// answered exactly once, no notice lost. Prints the load held, the faults and the results; exits 1
// when an invariant fails.
//
//   RESILIENCE_SECONDS=60 npm run test:resilience
import { execFileSync } from 'node:child_process';
import { createHash, createHmac } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { startDeskProcess, startPostgres, startRedis, type DeskProcess } from '../helpers/cluster.ts';
import { buyer as buyerEvent, iso, merchant as merchantEvent, orderPaid, product as productEvent, uid } from '../helpers/events.ts';
import { FakeTelegramApi } from '../helpers/fake-telegram-api.ts';
import { FakeWechatPay } from '../helpers/providers/fake-wechatpay.ts';
import { blockAction, SLACK, signSlack, SlackRecorder, slackEnv } from '../helpers/slack.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const SECONDS = Number(process.env.RESILIENCE_SECONDS ?? 60);
const SECRETS = {
  PLATFORM_WEBHOOK_SECRET: 'resilience-webhook-secret-0123456789',
  PLATFORM_API_KEY: 'resilience-api-key-0123456789',
  CHAT_TOKEN_SECRET: 'resilience-chat-token-secret-0123',
};
const TELEGRAM = { token: '123456:RESILIENCE-token', secret: 'resilience-telegram-secret' };
const log = (line: string) => process.stdout.write(`${new Date().toISOString().slice(11, 19)} ${line}\n`);

// ---------------------------------------------------------------------------------------------
// A shop platform that records the desk's callbacks (access revocation after each refund).

async function startPlatform() {
  const callbacks: Array<{ type: string; refundId: string }> = [];
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      const signed =
        req.headers['x-signature'] === `sha256=${createHmac('sha256', SECRETS.PLATFORM_WEBHOOK_SECRET).update(body).digest('hex')}`;
      if (!signed) return void res.writeHead(401).end();
      const json = JSON.parse(body || '{}') as { type?: string; refundId?: string; orderId?: string };
      if (req.url?.startsWith('/usage'))
        return void res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ orderId: json.orderId, events: [] }));
      callbacks.push({ type: String(json.type), refundId: String(json.refundId) });
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    callbacks,
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

// ---------------------------------------------------------------------------------------------
// Sending to "the desk": any live instance; a failed attempt goes to the next one.

let instances: DeskProcess[] = [];
let turn = 0;
const stats = { requests: 0, failovers: 0, refundRequests: 0, events: 0, chatUpdates: 0, agentActions: 0, retriedUpdates: 0 };

async function send(
  pathname: string,
  init: { method?: string; headers?: Record<string, string>; body?: string },
  accept: (status: number) => boolean = (s) => s < 500,
): Promise<{ status: number; json: unknown; instance: string }> {
  for (let attempt = 0; attempt < 60; attempt += 1) {
    const target = instances[turn++ % instances.length]!;
    try {
      const response = await fetch(`${target.url}${pathname}`, {
        method: init.method ?? 'POST',
        headers: init.headers,
        body: init.body,
        signal: AbortSignal.timeout(20_000),
      });
      const text = await response.text();
      if (accept(response.status)) {
        stats.requests += 1;
        return { status: response.status, json: text ? (JSON.parse(text) as unknown) : null, instance: target.name };
      }
    } catch {
      // Connection refused or reset (a killed instance), or a timeout: a load balancer tries another.
    }
    stats.failovers += 1;
    await sleep(100 + attempt * 50);
  }
  throw new Error(`no instance answered ${pathname}`);
}

const json = (body: unknown) => JSON.stringify(body);
const signed = (body: string) => ({
  'content-type': 'application/json',
  'x-signature': `sha256=${createHmac('sha256', SECRETS.PLATFORM_WEBHOOK_SECRET).update(body).digest('hex')}`,
});
const bearer = { 'content-type': 'application/json', authorization: `Bearer ${SECRETS.PLATFORM_API_KEY}` };

async function postEvent(event: unknown): Promise<void> {
  const body = json(event);
  const answer = await send('/v1/events', { headers: signed(body), body });
  if (answer.status !== 200) throw new Error(`event refused: ${answer.status} ${JSON.stringify(answer.json)}`);
  stats.events += 1;
}

/** A buyer's own phone and address (IPv6 documentation range): shared ones are what risk looks for. */
function deviceOf(buyerId: string) {
  const h = createHash('sha256').update(buyerId).digest('hex');
  return { id: `d_${buyerId}`, ip: `2001:db8:${h.slice(0, 4)}:${h.slice(4, 8)}::${h.slice(8, 12)}` };
}

interface Shop {
  productId: string;
  member: string;
  leader: string;
}

/** A new buyer with a paid order (own WeChat transaction), `minutesAgo` old, `progress` watched. */
async function paidOrder(
  shop: Shop,
  options: { minutesAgo?: number; progress?: number } = {},
): Promise<{ buyerId: string; orderId: string }> {
  const buyerId = uid('b');
  const orderId = uid('o');
  await postEvent(buyerEvent(buyerId, { uplineId: shop.member }));
  await postEvent(
    orderPaid(orderId, buyerId, shop.productId, {
      paidAt: iso(Date.now() - (options.minutesAgo ?? 5) * 60_000),
      payment: { method: 'wechat', transactionId: `4200${orderId}` },
      device: deviceOf(buyerId),
      commissions: [
        { beneficiaryId: shop.member, level: 1, amountMinor: 990 },
        { beneficiaryId: shop.leader, level: 2, amountMinor: 495 },
      ],
    }),
  );
  if (options.progress !== undefined) {
    await postEvent({
      id: uid('evt'),
      type: 'usage.recorded',
      occurredAt: iso(),
      data: { orderId, kind: 'course.progress', value: options.progress, at: iso() },
    });
  }
  return { buyerId, orderId };
}

// ---------------------------------------------------------------------------------------------
// Workloads

async function apiBuyer(shop: Shop, until: number): Promise<void> {
  while (Date.now() < until) {
    // Mostly M21 (refunded at once); some M22 (refused; the appeal goes to an agent in Slack).
    const m22 = Math.random() < 0.2;
    const { buyerId, orderId } = await paidOrder(shop, m22 ? { minutesAgo: 120, progress: 0.2 } : {});
    const body = json({
      orderId,
      buyerId,
      reasonCode: m22 ? 'unsatisfied' : 'changed_mind',
      channel: 'shop',
      device: deviceOf(buyerId),
      idempotencyKey: `k_${orderId}`,
    });
    const answer = await send('/v1/refund-requests', { headers: bearer, body });
    if (![200, 201].includes(answer.status)) throw new Error(`refund request: ${answer.status} ${JSON.stringify(answer.json)}`);
    stats.refundRequests += 1;
  }
}

interface UpdateRecord {
  chatId: string;
  updateId: number;
  kind: string;
  attempts: number;
}

const updates: UpdateRecord[] = [];
let nextUpdateId = 1_000;

function tgUpdate(updateId: number, chatId: number, content: { text?: string; data?: string }) {
  const from = { id: chatId, is_bot: false, first_name: 'Buyer', language_code: 'zh' };
  const chat = { id: chatId, type: 'private', first_name: 'Buyer' };
  if (content.data) {
    return {
      update_id: updateId,
      callback_query: {
        id: `cb${updateId}`,
        from,
        chat_instance: String(chatId),
        data: content.data,
        message: {
          message_id: updateId,
          date: Math.floor(Date.now() / 1000),
          chat,
          from: { id: 42, is_bot: true, first_name: 'Refund desk' },
          text: '…',
        },
      },
    };
  }
  const text = content.text!;
  const entities = text.startsWith('/') ? [{ type: 'bot_command', offset: 0, length: text.split(' ')[0]!.length }] : undefined;
  return {
    update_id: updateId,
    message: { message_id: updateId, date: Math.floor(Date.now() / 1000), chat, from, text, ...(entities ? { entities } : {}) },
  };
}

/** Delivers an update as Telegram does: to the webhook, again until it gets a 2xx. */
async function deliver(chatId: number, content: { text?: string; data?: string }, kind: string): Promise<UpdateRecord> {
  const updateId = nextUpdateId++;
  const body = json(tgUpdate(updateId, chatId, content));
  const record: UpdateRecord = { chatId: String(chatId), updateId, kind, attempts: 0 };
  for (;;) {
    record.attempts += 1;
    const answer = await send(
      '/telegram/webhook',
      { headers: { 'content-type': 'application/json', 'x-telegram-bot-api-secret-token': TELEGRAM.secret }, body },
      (s) => s < 500 || s === 503,
    );
    if (answer.status === 200) break;
    // 503: another instance holds the update (perhaps it died with it): Telegram tries again later.
    stats.retriedUpdates += 1;
    await sleep(3_000);
  }
  updates.push(record);
  stats.chatUpdates += 1;
  return record;
}

async function chatBuyer(shop: Shop, until: number): Promise<void> {
  while (Date.now() < until) {
    const { buyerId, orderId } = await paidOrder(shop);
    const token = (await send(`/v1/buyers/${buyerId}/chat-tokens`, { headers: bearer, body: '{}' })).json as { token: string };
    const chatId = 700_000_000 + Math.floor(Math.random() * 100_000_000);
    await deliver(chatId, { text: `/start ${token.token}` }, 'start');
    await deliver(chatId, { text: '我想退款' }, 'ask');
    await deliver(chatId, { data: `order:${orderId}` }, 'order');
    await deliver(chatId, { text: '冲动消费了，不想要了' }, 'reason');
  }
}

async function agent(pool: pg.Pool, until: number): Promise<void> {
  const done = new Set<string>();
  while (Date.now() < until + 20_000) {
    const { rows } = await pool
      .query<{ id: string; slackTs: string }>(
        `SELECT id, "slackTs" FROM handoffs WHERE "slackTs" IS NOT NULL AND status IN ('open', 'claimed') AND kind = 'appeal' LIMIT 20`,
      )
      .catch(() => ({ rows: [] as Array<{ id: string; slackTs: string }> }));
    for (const handoff of rows.filter((r) => !done.has(r.id))) {
      done.add(handoff.id);
      // The agent clicks Approve; Slack (or an impatient agent) delivers it twice, to two instances.
      for (const repeat of [0, 1]) {
        const body = blockAction({
          user: SLACK.members[repeat]!,
          actionId: 'ticket.approve',
          value: handoff.id,
          messageTs: handoff.slackTs,
        });
        await send('/slack/events', { headers: { 'content-type': 'application/x-www-form-urlencoded', ...signSlack(body) }, body });
        stats.agentActions += 1;
      }
    }
    await sleep(500);
  }
}

// ---------------------------------------------------------------------------------------------

async function main(): Promise<void> {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'rd-resilience-'));
  const faults: string[] = [];
  const started = Date.now();
  const at = () => `t+${((Date.now() - started) / 1000).toFixed(0)}s`;
  const cleanups: Array<() => Promise<unknown>> = [];
  try {
    log(`starting PostgreSQL, Redis and the stand-ins (logs in ${work})`);
    const postgres = await startPostgres();
    cleanups.push(() => postgres.stop());
    const redis = await startRedis();
    cleanups.push(() => redis.stop());
    const admin = new pg.Client({ connectionString: postgres.url() });
    await admin.connect();
    await admin.query('CREATE DATABASE desk');
    await admin.end();
    const wechat = new FakeWechatPay();
    await wechat.start();
    cleanups.push(() => wechat.close());
    const telegram = new FakeTelegramApi();
    await telegram.start();
    cleanups.push(() => telegram.stop());
    const slack = new SlackRecorder();
    await slack.start();
    cleanups.push(() => slack.stop());
    const platform = await startPlatform();
    cleanups.push(() => platform.close());

    const env: Record<string, string> = {
      NODE_ENV: 'production',
      LOG_LEVEL: 'warn',
      DATABASE_URL: postgres.url('desk'),
      DATABASE_POOL_SIZE: '10',
      REDIS_URL: redis.url,
      DATA_DIR: path.join(work, 'data'),
      ...SECRETS,
      PLATFORM_CALLBACK_URL: `${platform.url}/callback`,
      SANDBOX_PAYMENTS: 'off',
      GATEWAY_TIMEOUT_MS: '1500',
      ...wechat.env(),
      TELEGRAM_BOT_TOKEN: TELEGRAM.token,
      TELEGRAM_API_ROOT: telegram.url,
      TELEGRAM_WEBHOOK_URL: 'https://desk.example.com/telegram/webhook',
      TELEGRAM_WEBHOOK_SECRET: TELEGRAM.secret,
      ...slackEnv(slack),
      PUBLIC_URL: 'https://desk.example.com',
    };
    // Migrate and train the NLU once, so the instances start together without each training it.
    execFileSync(process.execPath, [path.join(ROOT, 'scripts/refund-desk-dev.mjs'), 'migrate'], {
      env: { ...process.env, ...env },
      stdio: 'ignore',
    });
    execFileSync(process.execPath, [path.join(ROOT, 'scripts/refund-desk-dev.mjs'), 'nlu', '我想退款'], {
      env: { ...process.env, ...env },
      stdio: 'ignore',
    });

    const startInstance = (i: number) => startDeskProcess(`desk-${i + 1}`, env, path.join(work, `desk-${i + 1}.log`));
    instances = await Promise.all([0, 1, 2].map(startInstance));
    cleanups.push(() => Promise.all(instances.map((d) => d.stop())));
    await Promise.all(instances.map((d) => d.ready()));
    log(`three instances ready: ${instances.map((d) => d.url).join(' ')}`);

    const shop: Shop = { productId: uid('p'), member: uid('b'), leader: uid('b') };
    const merchantId = uid('m');
    await postEvent(merchantEvent(merchantId));
    await postEvent(productEvent(shop.productId, merchantId));
    await postEvent(buyerEvent(shop.leader));
    await postEvent(buyerEvent(shop.member, { uplineId: shop.leader }));

    // The provider has a bad day for the whole run: slow, with errors, hangs and slow settlements.
    wechat.chaos = { maxLatencyMs: 250, odds: { transient: 0.1, hang: 0.03, pending: 0.1, crash: 0.03 } };
    const settler = setInterval(() => {
      for (const refund of wechat.refunds.values())
        if (refund.status === 'processing' && Date.now() - refund.createdAt > 3_000) refund.status = 'succeeded';
    }, 500);
    cleanups.push(async () => clearInterval(settler));

    const pool = new pg.Pool({ connectionString: postgres.url('desk'), max: 3 });
    pool.on('error', () => undefined);
    cleanups.push(() => pool.end());
    const loadStarted = Date.now();
    const until = loadStarted + SECONDS * 1_000;
    log(`load for ${SECONDS} s: 12 API buyers, 6 Telegram buyers, 1 agent in Slack`);
    let loadSeconds = 0;
    const buyers = Promise.all([
      ...Array.from({ length: 12 }, () => apiBuyer(shop, until)),
      ...Array.from({ length: 6 }, () => chatBuyer(shop, until)),
    ]).then(() => {
      loadSeconds = (Date.now() - loadStarted) / 1000;
    });
    const load = Promise.all([buyers, agent(pool, until)]);

    const fault = async (afterFraction: number, name: string, run: () => Promise<void>) => {
      await sleep(Math.max(0, loadStarted + afterFraction * SECONDS * 1_000 - Date.now()));
      log(`fault: ${name}`);
      faults.push(`${at()} ${name}`);
      await run();
    };
    const injector = (async () => {
      await fault(0.2, 'kill -9 desk-2', () => instances[1]!.kill());
      await fault(0.35, 'desk-2 back', async () => {
        instances[1] = await startInstance(1);
        await instances[1].ready();
      });
      await fault(0.5, 'restart Redis (its data lost)', () => redis.restart(1_000));
      await fault(0.7, 'pause PostgreSQL for 4 s', () => postgres.pause(4_000));
    })();
    await Promise.all([load, injector]);
    log('load done; the provider recovers; waiting for the desk to settle');
    wechat.chaos = null;

    // Settle: every refund final, every outbox message delivered.
    const settleBy = Date.now() + 180_000;
    let pending = { refunds: -1, outbox: -1 };
    while (Date.now() < settleBy) {
      const [{ rows: r }, { rows: o }] = await Promise.all([
        pool.query<{ n: number }>(`SELECT count(*)::int AS n FROM refunds WHERE status = 'pending'`),
        pool.query<{ n: number }>(`SELECT count(*)::int AS n FROM outbox_messages WHERE status = 'pending'`),
      ]);
      pending = { refunds: r[0]!.n, outbox: o[0]!.n };
      if (pending.refunds === 0 && pending.outbox === 0) break;
      await sleep(2_000);
    }
    log(`settled: ${pending.refunds} refunds and ${pending.outbox} outbox messages still pending`);

    // ------------------------------------------------------------------------------------------
    // Invariants
    const q = async <T extends pg.QueryResultRow>(text: string) => (await pool.query<T>(text)).rows;
    const results: Array<{ name: string; ok: boolean; detail: string }> = [];
    const check = (name: string, ok: boolean, detail: string) => results.push({ name, ok, detail });

    const refunds = await q<{ id: string; orderId: string; status: string; transactionId: string; amountMinor: number }>(
      `SELECT id, "orderId", status, "transactionId", "amountMinor" FROM refunds`,
    );
    const succeeded = refunds.filter((r) => r.status === 'succeeded');
    const byOrder = new Map<string, number>();
    for (const r of succeeded) byOrder.set(r.orderId, (byOrder.get(r.orderId) ?? 0) + 1);
    const twiceInDb = [...byOrder.values()].filter((n) => n > 1).length;
    const providerByTx = new Map<string, number>();
    for (const r of wechat.refunds.values())
      if (r.status !== 'failed') providerByTx.set(r.transactionId, (providerByTx.get(r.transactionId) ?? 0) + 1);
    const twiceAtProvider = [...providerByTx.values()].filter((n) => n > 1).length;
    check(
      'no order refunded twice',
      twiceInDb === 0 && twiceAtProvider === 0,
      `${succeeded.length} refunds succeeded for ${byOrder.size} orders; orders refunded twice: ${twiceInDb} in the desk, ${twiceAtProvider} at the provider`,
    );

    const known = new Map(refunds.map((r) => [r.id, r]));
    const paid = [...wechat.refunds.values()].filter((r) => r.status === 'succeeded');
    const unrecorded = paid.filter((r) => known.get(r.key)?.status !== 'succeeded');
    const notPaid = succeeded.filter((r) => wechat.refunds.get(r.id)?.status !== 'succeeded');
    check(
      'no refund paid without a record',
      unrecorded.length === 0 && notPaid.length === 0 && pending.refunds === 0,
      `provider paid ${paid.length}; not recorded as succeeded by the desk: ${unrecorded.length}; recorded but not paid: ${notPaid.length}; still pending: ${pending.refunds}`,
    );

    const ledger = await q<{ orderId: string; beneficiaryId: string; accrued: number; taken: number; takes: number }>(`
      SELECT "orderId", "beneficiaryId",
             sum(CASE WHEN kind = 'accrued' THEN "amountMinor" ELSE 0 END)::int AS accrued,
             sum(CASE WHEN kind IN ('reversed', 'clawed_back') THEN "amountMinor" ELSE 0 END)::int AS taken,
             count(*) FILTER (WHERE kind IN ('reversed', 'clawed_back'))::int AS takes
      FROM commission_entries GROUP BY "orderId", "beneficiaryId"`);
    const overTaken = ledger.filter((l) => l.takes > 1 || l.taken > l.accrued);
    const refundedOrders = new Set(succeeded.map((r) => r.orderId));
    const notTaken = ledger.filter((l) => refundedOrders.has(l.orderId) && l.takes === 0);
    check(
      'no commission reversed twice',
      overTaken.length === 0 && notTaken.length === 0,
      `${ledger.filter((l) => l.takes > 0).length} commissions reversed or clawed back; twice or more than accrued: ${overTaken.length}; refunded but not reversed: ${notTaken.length}`,
    );

    // Every update is answered by what the desk stored for it (a reply may leave after its update was
    // acknowledged: the outbox owes it); what Telegram received in each chat must be exactly the
    // stored replies, each once and in order.
    const stored = await q<{ chatId: string; direction: string; deliveryId: string | null; text: string | null }>(`
      SELECT c."chatId", m.direction, m."deliveryId", m.text FROM messages m JOIN conversations c ON c.id = m."conversationId"
      WHERE c.channel = 'telegram' ORDER BY c."chatId", m.id`);
    const answersOf = new Map<string, number>();
    const owedTo = new Map<string, string[]>();
    let lastInbound: string | null = null;
    for (const m of stored) {
      if (m.direction === 'in') {
        lastInbound = `${m.chatId}:${m.deliveryId}`;
        answersOf.set(lastInbound, 0);
        continue;
      }
      if (lastInbound?.startsWith(`${m.chatId}:`)) answersOf.set(lastInbound, (answersOf.get(lastInbound) ?? 0) + 1);
      if (m.text) owedTo.set(m.chatId, [...(owedTo.get(m.chatId) ?? []), m.text.slice(0, 4_096)]);
    }
    let missing = 0;
    let extra = 0;
    let disordered = 0;
    for (const chatId of new Set(updates.map((u) => u.chatId))) {
      const owed = owedTo.get(chatId) ?? [];
      const got = telegram.sentTo(chatId).map((m) => m.text);
      const left = new Map<string, number>();
      for (const text of owed) left.set(text, (left.get(text) ?? 0) + 1);
      for (const text of got) left.set(text, (left.get(text) ?? 0) - 1);
      for (const n of left.values()) n > 0 ? (missing += n) : (extra -= n);
      if (JSON.stringify(owed) !== JSON.stringify(got) && [...left.values()].every((n) => n === 0)) disordered += 1;
    }
    const unstored = updates.filter((u) => !answersOf.has(`${u.chatId}:${u.updateId}`)).length;
    const unanswered = updates.filter((u) => (answersOf.get(`${u.chatId}:${u.updateId}`) ?? 0) === 0).length + missing;
    const storedIn = stored.filter((m) => m.direction === 'in').length;
    check(
      'every buyer message answered exactly once',
      unanswered === 0 && extra === 0 && disordered === 0 && unstored === 0 && storedIn === updates.length,
      `${updates.length} Telegram updates (${stats.retriedUpdates} answered 503 and delivered again); unanswered: ${unanswered}; answered twice: ${extra}; out of order: ${disordered} chats; turns stored ${storedIn} of ${updates.length}`,
    );

    const notices = await q<{ n: number }>(
      `SELECT count(DISTINCT data->>'refundId')::int AS n FROM notifications WHERE kind = 'refund.succeeded'`,
    );
    const callbacks = new Set(platform.callbacks.filter((c) => c.type === 'access.revoke').map((c) => c.refundId));
    const missingCallbacks = succeeded.filter((r) => !callbacks.has(r.id)).length;
    const dead = await q<{ n: number }>(`SELECT count(*)::int AS n FROM outbox_messages WHERE status = 'dead'`);
    check(
      'no notice lost',
      notices[0]!.n === succeeded.length && missingCallbacks === 0 && dead[0]!.n === 0 && pending.outbox === 0,
      `buyers told of ${notices[0]!.n} of ${succeeded.length} refunds; platform told to revoke access for ${succeeded.length - missingCallbacks}; outbox dead ${dead[0]!.n}, pending ${pending.outbox}`,
    );

    const approved = await q<{ n: number }>(`SELECT count(*)::int AS n FROM decisions WHERE actor LIKE 'agent:%'`);

    // ------------------------------------------------------------------------------------------
    const perSecond = (n: number) => (n / loadSeconds).toFixed(1);
    process.stdout.write(`
Load held over ${loadSeconds.toFixed(0)} s on three instances:
  HTTP requests answered   ${stats.requests} (${perSecond(stats.requests)}/s), ${stats.failovers} attempts re-sent to another instance
  platform events          ${stats.events} (${perSecond(stats.events)}/s)
  refund requests (API)    ${stats.refundRequests} (${perSecond(stats.refundRequests)}/s)
  Telegram updates         ${stats.chatUpdates} (${perSecond(stats.chatUpdates)}/s)
  Slack agent clicks       ${stats.agentActions} (${approved[0]!.n} agent decisions)
  provider refund calls    ${wechat.calls.length}; faults drawn: ${Object.entries(wechat.drawn)
    .map(([k, v]) => `${k} ${v}`)
    .join(', ')}
Faults injected:
${faults.map((f) => `  ${f}`).join('\n')}
Invariants:
${results.map((r) => `  ${r.ok ? 'PASS' : 'FAIL'}  ${r.name}: ${r.detail}`).join('\n')}
${results.filter((r) => r.ok).length} passed, ${results.filter((r) => !r.ok).length} failed
`);
    process.exitCode = results.every((r) => r.ok) ? 0 : 1;
  } finally {
    for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
    if (process.exitCode === 0) fs.rmSync(work, { recursive: true, force: true });
    else log(`logs kept in ${work}`);
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`resilience suite failed to run: ${(error as Error).stack ?? String(error)}\n`);
  process.exit(1);
});
