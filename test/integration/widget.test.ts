// The shop widget's WebSocket channel (M25) against a listening desk on PostgreSQL and Redis: opening a
// chat by token, the session kept across reloads, replay after a reconnect, a resend answered once,
// one buyer never seeing another's history, and bad input (forged tokens, huge and malformed frames,
// bursts) met calmly.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLOSE, MAX_FRAME_BYTES, type ServerFrame } from '../../src/channels/widget/widget-protocol.ts';
import { DEFAULT_SOCKET_CAPS } from '../../src/channels/widget/socket-caps.ts';
import { SESSION_TTL_MS, WidgetSessions } from '../../src/channels/widget/widget-sessions.ts';
import { isBuyersAddress } from '../../src/risk/links.ts';
import { freshBuyer, newOrder, seedShop } from '../helpers/refunds.ts';
import { postgresUp, redisUp } from '../helpers/services.ts';
import { until } from '../helpers/slack.ts';
import { startTestDesk, TEST_SECRETS, type TestDesk } from '../helpers/test-desk.ts';
import { isEcho, isReply, WidgetClient } from '../helpers/widget-client.ts';

type Ready = Extract<ServerFrame, { type: 'ready' }>;
type Msg = Extract<ServerFrame, { type: 'message' }>;

describe.skipIf(!postgresUp || !redisUp)('shop widget over WebSocket', () => {
  let t: TestDesk;
  let url: string;
  let shop: Awaited<ReturnType<typeof seedShop>>;
  const clients: WidgetClient[] = [];

  beforeAll(async () => {
    t = await startTestDesk({ store: 'postgres', redis: true });
    shop = await seedShop(t);
    await t.desk.nlu.get();
    url = await t.desk.listen();
  }, 120_000);
  afterAll(async () => {
    for (const c of clients) c.close();
    await t?.stop();
  });

  async function connect(headers?: Record<string, string>) {
    const client = await WidgetClient.connect(url, headers);
    clients.push(client);
    return client;
  }

  /** Opens a chat as a new buyer with one order paid 12 minutes ago. */
  let devices = 0;
  async function openChat() {
    const ids = await freshBuyer(t, shop);
    // Each buyer their own browser: buyers seen on one device are what the risk rules look for.
    const device = `dev_test_${(devices += 1)}`;
    const orderId = await newOrder(t, ids, { minutesAgo: 12 });
    const { token } = await t.desk.chatTokens.issue(ids.buyer);
    const client = await connect();
    client.send({ type: 'hello', token, device });
    const [ready] = await client.waitFor<Ready>((f) => f.type === 'ready');
    return { ids, orderId, client, ready: ready!, device, token };
  }

  it('opens with a welcome, plays M21 and keeps the history for a reload with a fresh token', async () => {
    const { ids, orderId, client, ready, device } = await openChat();
    expect(ready.locale).toBe('zh');
    expect(ready.history.map((m) => m.text)).toEqual([expect.stringContaining('退款助手')]);

    client.send({ type: 'message', id: 'c-m21', text: '冲动消费了，不想要了' });
    const [echo] = await client.waitFor<Msg>(isEcho);
    expect(echo).toMatchObject({ clientId: 'c-m21', text: '冲动消费了，不想要了' });
    const [reply] = await client.waitFor<Msg>((f) => isReply(f) && f.id > echo!.id);
    expect(reply!.text).toContain('15分钟无理由退款规则，已自动批准');
    // Typing was shown while the bot worked, and cleared after.
    await client.waitFor((f) => f.type === 'typing' && !f.on);
    const typing = client.frames.filter((f) => f.type === 'typing');
    expect(typing).toEqual([
      { type: 'typing', on: true },
      { type: 'typing', on: false },
    ]);
    const request = await t.desk.db.prisma.refundRequest.findFirstOrThrow({ where: { orderId } });
    expect(request).toMatchObject({ status: 'refunded', channel: 'widget' });
    // The browser is a sighting of the buyer's device for the risk rules (M11).
    expect(await t.desk.db.prisma.fingerprint.count({ where: { buyerId: ids.buyer, source: 'chat', deviceId: `widget:${device}` } })).toBe(
      1,
    );
    client.close();

    // A reload: the page carries a new token for the same buyer, the browser its stored session.
    const { token } = await t.desk.chatTokens.issue(ids.buyer);
    const again = await connect();
    again.send({ type: 'hello', token, session: ready.session, device });
    const [reloaded] = await again.waitFor<Ready>((f) => f.type === 'ready');
    expect(reloaded!.session.id).toBe(ready.session.id);
    expect(reloaded!.history.map((m) => m.direction)).toEqual(['out', 'in', 'out']);
    expect(reloaded!.history[1]).toMatchObject({ clientId: 'c-m21', text: '冲动消费了，不想要了' });
    expect(reloaded!.history[2]!.text).toContain('已自动批准');
    // A reload is not a new sighting.
    expect(await t.desk.db.prisma.fingerprint.count({ where: { buyerId: ids.buyer, source: 'chat' } })).toBe(1);
  });

  it('after a dropped connection, replays exactly what was missed and answers a resent message once', async () => {
    const { ids, client, ready, token } = await openChat();
    const lastSeen = ready.history.at(-1)!.id;
    // The buyer writes, and the connection drops before the answer arrives.
    client.send({ type: 'message', id: 'c-lost', text: '我要退款，冲动消费了' });
    client.socket.terminate();
    // Meanwhile a person writes to the buyer (issue 8's agents use this path).
    await new Promise((r) => setTimeout(r, 1_500));
    await t.desk.widget.send(ready.session.id, ids.buyer, { text: '您好，我是客服小王。' }, 'agent');

    const back = await connect();
    // The page still holds its token (now bound to this session), as widget.js sends it on every reconnect.
    back.send({ type: 'hello', token, session: ready.session, since: lastSeen });
    const [resumed] = await back.waitFor<Ready>((f) => f.type === 'ready');
    expect(resumed!.session.id).toBe(ready.session.id);
    const missed = resumed!.history;
    expect(missed.map((m) => m.direction)).toEqual(['in', 'out', 'agent']);
    expect(missed[0]).toMatchObject({ clientId: 'c-lost' });
    expect(missed[1]!.text).toContain('已自动批准');
    expect(missed[2]!.text).toBe('您好，我是客服小王。');

    // The browser did not see its message confirmed, so it sends it again: answered once.
    const before = await t.desk.db.prisma.message.count();
    back.send({ type: 'message', id: 'c-lost', text: '我要退款，冲动消费了' });
    const [ack] = await back.waitFor((f) => f.type === 'ack');
    expect(ack).toEqual({ type: 'ack', clientId: 'c-lost', status: 'duplicate' });
    expect(await t.desk.db.prisma.message.count()).toBe(before);
    expect(await t.desk.db.prisma.refundRequest.count({ where: { buyerId: ids.buyer } })).toBe(1);

    // A message pushed while connected arrives live.
    await t.desk.widget.send(ready.session.id, ids.buyer, { text: '退款已到账了吗？' }, 'agent');
    await back.waitFor<Msg>((f) => f.type === 'message' && f.direction === 'agent' && f.text === '退款已到账了吗？');
  });

  it('asks the browser to send again a message whose first handler died, and answers it once the claim lapses', async () => {
    const { client, ready } = await openChat();
    // Another instance took this message and died before answering: only its short claim is left.
    await t.desk.cache.setIfAbsent(`dedupe:widget:${ready.session.id}:c-orphan`, 'processing', 800);
    const from = client.frames.length;
    client.send({ type: 'message', id: 'c-orphan', text: '我的退款到哪了' });
    const [ack] = await client.waitFor((f) => f.type === 'ack', { from });
    expect(ack).toEqual({ type: 'ack', clientId: 'c-orphan', status: 'in_progress' });
    await new Promise((r) => setTimeout(r, 900));
    const again = client.frames.length;
    client.send({ type: 'message', id: 'c-orphan', text: '我的退款到哪了' });
    const [echo] = await client.waitFor<Msg>(isEcho, { from: again });
    expect(echo!.clientId).toBe('c-orphan');
    await client.waitFor(isReply, { from: again });
  });

  it('reaches a buyer whose socket is on another instance, through Redis pub/sub', async () => {
    const { ids, client, ready } = await openChat();
    // A second instance of the desk on the same database and Redis (another process in production).
    const other = await t.anotherInstance();
    try {
      await other.listen();
      const from = client.frames.length;
      // An agent's message handled by the other instance, which holds no socket of this buyer.
      await other.widget.send(ready.session.id, ids.buyer, { text: '另一台服务器上的客服消息' }, 'agent');
      await client.waitFor<Msg>((f) => f.type === 'message' && f.direction === 'agent' && f.text === '另一台服务器上的客服消息', { from });
    } finally {
      await other.close();
    }
  });

  it('reaches every tab of a session', async () => {
    const { ids, client, ready } = await openChat();
    const { token } = await t.desk.chatTokens.issue(ids.buyer);
    const tab2 = await connect();
    tab2.send({ type: 'hello', token, session: ready.session });
    await tab2.waitFor((f) => f.type === 'ready');
    const from = tab2.frames.length;
    client.send({ type: 'message', id: 'c-tabs', text: '退款到哪了' });
    await client.waitFor(isReply, { from: 1 });
    const [echo] = await tab2.waitFor<Msg>(isEcho, { from });
    expect(echo!.clientId).toBe('c-tabs');
    await tab2.waitFor(isReply, { from });
  });

  it('never shows one buyer the history of another who used the same browser', async () => {
    const first = await openChat();
    first.client.send({ type: 'message', id: 'c-private', text: '冲动消费了，不想要了' });
    await first.client.waitFor(isReply, { from: 1 });
    // Someone else signs in to the shop on this browser: their token, the first buyer's stored session.
    const other = await freshBuyer(t, shop);
    const { token } = await t.desk.chatTokens.issue(other.buyer);
    const client = await connect();
    client.send({ type: 'hello', token, session: first.ready.session, since: first.ready.history[0]!.id });
    const [ready] = await client.waitFor<Ready>((f) => f.type === 'ready');
    expect(ready!.session.id).not.toBe(first.ready.session.id);
    expect(ready!.history.map((m) => m.direction)).toEqual(['out']);
    expect(JSON.stringify(ready!.history)).not.toContain('冲动消费');
  });

  it("resumes a stored session only with a token of its own buyer: never with another buyer's spent or expired token, nor with none", async () => {
    const a = await openChat();
    a.client.send({ type: 'message', id: 'c-a-private', text: '冲动消费了，不想要了' });
    await a.client.waitFor(isReply, { from: 1 });
    a.client.close();
    // Buyer B has used the same browser: B's token is spent on B's own chat, and another has expired.
    const b = await openChat();
    const expired = await t.desk.chatTokens.issue(b.ids.buyer, -60_000);
    const forged = `${b.token.slice(0, 12)}${b.token[12] === 'A' ? 'B' : 'A'}${b.token.slice(13)}`;
    for (const [what, hello] of [
      ["B's spent token", { type: 'hello', token: b.token, session: a.ready.session, since: a.ready.history[0]!.id }],
      ["B's expired token", { type: 'hello', token: expired.token, session: a.ready.session }],
      ['a forged token', { type: 'hello', token: forged, session: a.ready.session }],
      ['no token at all (signed out)', { type: 'hello', session: a.ready.session }],
    ] as const) {
      const client = await connect();
      client.send(hello);
      const [closed] = await client.waitFor((f) => f.type === 'closed' || f.type === 'ready');
      expect(closed!.type, what).toBe('closed');
      expect((await client.waitClosed()).code, what).toBe(CLOSE.unauthorized);
      expect(JSON.stringify(client.frames), what).not.toContain('冲动消费');
    }
    // A's own tokens, spent on this very session or expired while the page stayed open, still resume it.
    const expiredA = await t.desk.chatTokens.issue(a.ids.buyer, -60_000);
    for (const token of [a.token, expiredA.token]) {
      const client = await connect();
      client.send({ type: 'hello', token, session: a.ready.session });
      const [ready] = await client.waitFor<Ready>((f) => f.type === 'ready');
      expect(ready!.session.id).toBe(a.ready.session.id);
      expect(JSON.stringify(ready!.history)).toContain('冲动消费');
      client.close();
    }
  });

  it('caps the sockets of one chat session: the tab over the cap is told and closed, the others keep working', async () => {
    const first = await openChat();
    const tabs = [first.client];
    for (let i = 1; i < DEFAULT_SOCKET_CAPS.perSession; i += 1) {
      const { token } = await t.desk.chatTokens.issue(first.ids.buyer);
      const tab = await connect();
      tab.send({ type: 'hello', token, session: first.ready.session });
      await tab.waitFor((f) => f.type === 'ready');
      tabs.push(tab);
    }
    const { token } = await t.desk.chatTokens.issue(first.ids.buyer);
    const extra = await connect();
    extra.send({ type: 'hello', token, session: first.ready.session });
    expect(await extra.waitClosed()).toEqual({ code: CLOSE.tooManySockets, reason: 'too many sockets for this chat session' });
    expect(extra.frames).toEqual([{ type: 'notice', code: 'too_many_tabs', text: expect.stringContaining('太多窗口') }]);
    // Every earlier tab still answers and still gets the session's messages.
    await t.desk.widget.send(first.ready.session.id, first.ids.buyer, { text: '客服：请问还在吗？' }, 'agent');
    for (const tab of tabs) {
      await tab.waitFor<Msg>((f) => f.type === 'message' && f.text === '客服：请问还在吗？');
      expect(tab.closed).toBeNull();
    }
    // A tab closed frees its place.
    const held = t.desk.widget.connections;
    tabs.pop()!.close();
    await until(
      () => t.desk.widget.connections,
      (n) => n < held,
    );
    const again = await connect();
    again.send({ type: 'hello', token: (await t.desk.chatTokens.issue(first.ids.buyer)).token, session: first.ready.session });
    await again.waitFor((f) => f.type === 'ready');
  });

  it('refuses forged tokens and forged session keys politely, then closes', async () => {
    const { ids, ready } = await openChat();
    const { token } = await t.desk.chatTokens.issue(ids.buyer);
    const forged = `${token.slice(0, 12)}${token[12] === 'A' ? 'B' : 'A'}${token.slice(13)}`;
    for (const hello of [
      { type: 'hello', token: forged },
      { type: 'hello', token: 'not-a-token', lang: 'en' },
      { type: 'hello', session: { id: ready.session.id, key: `${ready.session.key.split('.')[0]}.AAAAAAAAAAAAAAAAAAAAAAAA` } },
      { type: 'hello', session: { id: 'someone-elses-session', key: ready.session.key } },
      { type: 'hello' },
    ]) {
      const client = await connect();
      client.send(hello);
      const [closed] = await client.waitFor((f) => f.type === 'closed');
      expect(closed).toMatchObject({ type: 'closed', text: expect.any(String) });
      expect((await client.waitClosed()).code).toBe(CLOSE.unauthorized);
    }
    // The English-speaking page gets the English text.
    const en = await connect();
    en.send({ type: 'hello', token: 'not-a-token', lang: 'en' });
    const [closed] = await en.waitFor((f) => f.type === 'closed');
    expect(closed).toMatchObject({ problem: 'malformed', text: expect.stringContaining('reload the page') });
  });

  it('lets a stored session lapse after its lifetime', async () => {
    const { ready } = await openChat();
    const later = new WidgetSessions(TEST_SECRETS.CHAT_TOKEN_SECRET, t.desk.chatTokens, () => Date.now() + SESSION_TTL_MS + 60_000);
    expect(await later.buyerOfSession(ready.session)).toBeNull();
    const now = new WidgetSessions(TEST_SECRETS.CHAT_TOKEN_SECRET, t.desk.chatTokens);
    expect(await now.buyerOfSession(ready.session)).not.toBeNull();
  });

  it('answers a 10,000-character message calmly and keeps the socket open', async () => {
    const { client } = await openChat();
    client.send({ type: 'message', id: 'c-long', text: `冲动消费了，不想要了。${'很长的话'.repeat(2_500)}` });
    const [reply] = await client.waitFor<Msg>(isReply, { from: 1 });
    expect(reply!.text).toContain('已自动批准');
    const [note] = await client.waitFor<Msg>((f) => isReply(f) && (f.text ?? '').includes('消息太长'), { from: 1 });
    expect(note).toBeDefined();
    client.send({ type: 'ping' });
    await client.waitFor((f) => f.type === 'pong');
  });

  it('meets a burst of 50 messages in one second with the rate limit, never a crash', async () => {
    const { client } = await openChat();
    const from = client.frames.length;
    for (let i = 0; i < 50; i += 1) client.send({ type: 'message', id: `c-burst-${i}`, text: `你好 ${i}` });
    const limited = await client.waitFor((f) => f.type === 'ack' && f.status === 'rate_limited', { from, count: 40 });
    expect(limited).toHaveLength(40);
    const echoes = await client.waitFor<Msg>(isEcho, { from, count: 10 });
    expect(echoes.map((e) => e.clientId)).toEqual(Array.from({ length: 10 }, (_, i) => `c-burst-${i}`));
    const notices = client.frames.slice(from).filter((f) => f.type === 'notice');
    expect(notices).toEqual([{ type: 'notice', code: 'rate_limited', text: expect.stringContaining('稍等') }]);
    client.send({ type: 'ping' });
    await client.waitFor((f) => f.type === 'pong', { from });
    expect(client.closed).toBeNull();
  });

  it('tells the buyer about unreadable frames, and closes only a frame too big to read', async () => {
    const { client } = await openChat();
    const from = client.frames.length;
    client.send('this is not json');
    client.send({ type: 'message', id: 5, text: 'wrong id type' });
    client.send({ type: 'message', id: 'c-x', text: 'x'.repeat(20_001) });
    client.send({ type: 'teleport' });
    client.socket.send(Buffer.from([1, 2, 3]), { binary: true });
    const notices = await client.waitFor((f) => f.type === 'notice' && f.code === 'unreadable', { from, count: 5 });
    expect(notices[0]).toMatchObject({ text: '这条消息没能读取，请再发一次。' });
    expect(client.closed).toBeNull();

    // Before a hello nothing runs.
    const early = await connect();
    early.send({ type: 'message', id: 'c-early', text: '我要退款' });
    await early.waitFor((f) => f.type === 'notice');
    expect(await t.desk.db.prisma.message.count({ where: { deliveryId: 'c-early' } })).toBe(0);

    // A frame over the limit closes that socket (1009); the desk serves the next one.
    const huge = await connect();
    huge.send({ type: 'message', id: 'c-huge', text: 'x'.repeat(MAX_FRAME_BYTES + 10) });
    expect((await huge.waitClosed()).code).toBe(1009);
    const next = await openChat();
    expect(next.ready.history).toHaveLength(1);
  });
});

describe.skipIf(!postgresUp)('widget socket caps per address and per instance', () => {
  let t: TestDesk;
  let url: string;
  const clients: WidgetClient[] = [];
  beforeAll(async () => {
    // The desk sits behind a proxy on loopback that says who connected (TRUST_PROXY names it).
    t = await startTestDesk({
      store: 'postgres',
      env: { TRUST_PROXY: '127.0.0.1' },
      deskOptions: { widgetSocketCaps: { perAddress: 3, perInstance: 6 } },
    });
    url = await t.desk.listen();
  }, 60_000);
  afterAll(async () => {
    for (const c of clients) c.close();
    await t?.stop();
  });

  /** A browser at `address` (the desk sits behind a proxy that says who connected). */
  async function from(address: string) {
    const client = await WidgetClient.connect(url, { 'x-forwarded-for': address });
    clients.push(client);
    return client;
  }
  async function answers(client: WidgetClient) {
    const seen = client.frames.length;
    client.send({ type: 'ping' });
    await client.waitFor((f) => f.type === 'pong', { from: seen });
  }

  it('closes the socket over a cap with a code and reason saying which, and keeps the earlier ones', async () => {
    const home = [await from('203.0.113.50'), await from('203.0.113.50'), await from('203.0.113.50')];
    const fourth = await from('203.0.113.50');
    expect(await fourth.waitClosed()).toEqual({ code: CLOSE.tooManySockets, reason: 'too many chat sockets from this address' });
    for (const c of home) await answers(c);
    // Another address is not affected, up to the instance's cap.
    const others = [await from('198.51.100.7'), await from('198.51.100.8'), await from('198.51.100.9')];
    for (const c of others) await answers(c);
    expect(t.desk.widget.connections).toBe(6);
    const seventh = await from('198.51.100.10');
    expect(await seventh.waitClosed()).toEqual({ code: CLOSE.tryAgainLater, reason: 'desk at capacity, try again later' });
    for (const c of [...home, ...others]) await answers(c);
    // A closed socket frees its place, for its address and for the instance.
    home[0]!.close();
    await until(
      () => t.desk.widget.connections,
      (n) => n === 5,
    );
    await answers(await from('203.0.113.50'));
  });
});

describe.skipIf(!postgresUp)('shop widget origins', () => {
  let t: TestDesk;
  let url: string;
  beforeAll(async () => {
    t = await startTestDesk({ store: 'postgres', env: { WIDGET_ALLOWED_ORIGINS: 'https://shop.example.com' } });
    url = await t.desk.listen();
  }, 60_000);
  afterAll(async () => t?.stop());

  it('refuses sockets from pages of other origins when origins are configured', async () => {
    const stranger = await WidgetClient.connect(url, { origin: 'https://evil.example.net' });
    expect((await stranger.waitClosed()).code).toBe(CLOSE.forbiddenOrigin);
    const shop = await WidgetClient.connect(url, { origin: 'https://shop.example.com' });
    shop.send({ type: 'ping' });
    await shop.waitFor((f) => f.type === 'pong');
    shop.close();
  });
});

describe('widget sightings', () => {
  it('record public addresses only: loopback, private and proxy addresses say nothing about the buyer', () => {
    for (const ip of ['203.0.113.7', '2001:db8::1', '::ffff:198.51.100.23', '8.8.8.8']) expect(isBuyersAddress(ip), ip).toBe(true);
    for (const ip of [
      '127.0.0.1',
      '::1',
      '::ffff:127.0.0.1',
      '10.1.2.3',
      '172.20.0.5',
      '192.168.1.10',
      'fe80::1',
      'fd00::5',
      '100.64.1.1',
      'garbage',
      null,
    ]) {
      expect(isBuyersAddress(ip), String(ip)).toBe(false);
    }
  });
});

describe.skipIf(!postgresUp)('a client address claimed in X-Forwarded-For by an untrusted peer', () => {
  let t: TestDesk;
  let url: string;
  const clients: WidgetClient[] = [];
  beforeAll(async () => {
    // TRUST_PROXY unset: the header is anyone's to write, so the desk goes by the connection's peer.
    t = await startTestDesk({ store: 'postgres', deskOptions: { widgetSocketCaps: { perAddress: 2, perInstance: 100 } } });
    url = await t.desk.listen();
  }, 60_000);
  afterAll(async () => {
    for (const c of clients) c.close();
    await t?.stop();
  });

  it('is ignored: a new address per socket does not get round the per-address cap', async () => {
    for (const address of ['203.0.113.1', '203.0.113.2']) clients.push(await WidgetClient.connect(url, { 'x-forwarded-for': address }));
    const third = await WidgetClient.connect(url, { 'x-forwarded-for': '203.0.113.3' });
    clients.push(third);
    expect(await third.waitClosed()).toEqual({ code: CLOSE.tooManySockets, reason: 'too many chat sockets from this address' });
  });
});
