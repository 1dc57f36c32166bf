// Telegram replies are owed from the moment a turn is stored (finding 11 of issue 16): sent at once
// in the happy path; when that send fails or the instance dies first, sent by the outbox on any
// desk, exactly once and in the chat's order; a 429 waits for retry_after; a chat that blocked the
// bot is not retried. Against a Bot API stub that fails sends the way Telegram does, on PostgreSQL
// and Redis, with a second desk on the same database standing in for another instance.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Desk } from '../../src/desk.ts';
import { FakeTelegramApi } from '../helpers/fake-telegram-api.ts';
import { telegramUpdates } from '../helpers/telegram-updates.ts';
import { freshBuyer, newOrder, seedShop } from '../helpers/refunds.ts';
import { postgresUp, redisUp } from '../helpers/services.ts';
import { startTestDesk, type TestDesk } from '../helpers/test-desk.ts';

const TOKEN = '123456:TEST-replies';
let nextChat = 810_000_000;

const update = telegramUpdates(5_000);

describe.skipIf(!postgresUp || !redisUp)('Telegram replies through the outbox', () => {
  const api = new FakeTelegramApi();
  let t: TestDesk;
  let shop: Awaited<ReturnType<typeof seedShop>>;
  let ids: Awaited<ReturnType<typeof seedShop>>;
  const env = () => ({ TELEGRAM_BOT_TOKEN: TOKEN, TELEGRAM_API_ROOT: api.url });

  beforeAll(async () => {
    await api.start();
    t = await startTestDesk({ store: 'postgres', redis: true, env: env() });
    shop = await seedShop(t);
  });
  beforeEach(async () => {
    api.sendFaults.length = 0;
    ids = await freshBuyer(t, shop);
  });
  afterAll(async () => {
    await t?.stop();
    await api.stop();
  });

  const handle = (desk: Desk, u: ReturnType<typeof update>) => desk.telegram!.handleUpdate(u as never);
  const sentTo = (chatId: number) => api.sentTo(String(chatId));
  const owed = (chatId: number) =>
    t.desk.db.prisma.outboxMessage.findMany({ where: { orderingKey: `chat:telegram:${chatId}` }, orderBy: { id: 'asc' } });
  /** As if the outbox's backoff had passed (the job would send these on its next tick). */
  const backoffPassed = (chatId: number) =>
    t.desk.db.prisma.outboxMessage.updateMany({
      where: { orderingKey: `chat:telegram:${chatId}`, status: 'pending' },
      data: { availableAt: new Date(Date.now() - 1_000) },
    });

  /** A chat bound to the test's buyer, with an order for which "cannot use" gets a guide (two replies). */
  async function boundChat() {
    const chatId = nextChat++;
    const { token } = await t.desk.chatTokens.issue(ids.buyer);
    await handle(t.desk, update(chatId, { text: `/start ${token}` }));
    // Past the 15-minute window (inside it any reason is refunded at once), so "cannot use" gets a guide.
    const orderId = await newOrder(t, ids, { minutesAgo: 120 });
    await handle(t.desk, update(chatId, { data: `order:${orderId}` }));
    return { chatId, orderId };
  }

  /** Delivers an update as Telegram does: a 503 means "deliver it again later", which the test does itself. */
  const asTelegram = (desk: Desk, u: ReturnType<typeof update>) =>
    handle(desk, u).catch((error: { category?: string }) => {
      if (error.category !== 'unavailable') throw error;
    });
  /** Every pending outbox message due now, as if its backoff had passed (plain SQL, whatever the schema). */
  const anyBackoffPassed = () =>
    t.desk.db.prisma.$executeRaw`UPDATE outbox_messages SET "availableAt" = now() - interval '1 second' WHERE status = 'pending'`;

  async function secondDesk(): Promise<Desk> {
    return t.anotherInstance(env());
  }

  it('sends a normal reply within the update, and records it delivered', async () => {
    const { chatId } = await boundChat();
    const texts = sentTo(chatId).map((m) => m.text);
    expect(texts).toHaveLength(2);
    expect(texts[0]).toContain('已绑定您的账户');
    expect(sentTo(chatId)[1]!.buttons).toContain('reason:cannot_use');
    const rows = await owed(chatId);
    expect(rows.map((r) => r.status)).toEqual(['delivered', 'delivered']);
    // The /start turn is kept like any other, without its token (a spent credential).
    const stored = await t.desk.conversations.page({ channel: 'telegram', chatId: String(chatId) });
    expect(stored.messages.map((m) => [m.direction, m.text?.slice(0, 6) ?? m.action])).toEqual([
      ['in', '/start'],
      ['out', '已绑定您的账'],
      ['in', expect.stringMatching(/^order:/)],
      ['out', expect.any(String)],
    ]);
  });

  it('a send that fails after the turn is stored is sent by another desk, once and in order', async () => {
    const { chatId } = await boundChat();
    const before = sentTo(chatId).length;
    // Telegram is down for the first send of the turn; the guide's second message must not overtake it.
    api.sendFaults.push({ code: 502, description: 'Bad Gateway' });
    const guideTurn = update(chatId, { data: 'reason:cannot_use' });
    await asTelegram(t.desk, guideTurn);
    expect(api.refused.at(-1)).toMatchObject({ chatId: String(chatId), code: 502 });
    expect(sentTo(chatId)).toHaveLength(before);
    await t.desk.outbox.deliverDue(); // its backoff has not passed: nothing leaves early
    expect(sentTo(chatId)).toHaveLength(before);

    // This desk goes away; another one on the same database picks up what it owes.
    const other = await secondDesk();
    try {
      await asTelegram(other, guideTurn); // Telegram delivering the update again answers nothing twice
      await anyBackoffPassed();
      await other.outbox.deliverDue();
      await other.outbox.deliverDue();
      await asTelegram(other, guideTurn);
    } finally {
      await other.close();
    }
    const replies = sentTo(chatId).slice(before);
    expect(replies).toHaveLength(2);
    expect(replies[0]!.text).toContain('我们先试着帮您解决');
    expect(replies[1]!.buttons).toEqual(['guide:solved', 'guide:unsolved']);
    expect((await owed(chatId)).map((r) => r.status)).toEqual(['delivered', 'delivered', 'delivered', 'delivered']);
  });

  it('a desk that dies between storing the turn and sending leaves the replies to the next desk', async () => {
    const { chatId } = await boundChat();
    const before = sentTo(chatId).length;
    // The instance is killed right after the transaction that stored the turn: nothing is sent.
    const dying = await secondDesk();
    dying.conversations.sendPending = () => new Promise(() => undefined);
    const guideTurn = update(chatId, { data: 'reason:cannot_use' });
    void handle(dying, guideTurn);
    await expect.poll(async () => (await owed(chatId)).length, { timeout: 10_000 }).toBe(4);
    expect(sentTo(chatId)).toHaveLength(before);
    // Its update claim lapses; the next desk's job sends what it owes, once.
    const next = await secondDesk();
    try {
      expect(await next.outbox.deliverDue()).toBe(2);
      expect(await next.outbox.deliverDue()).toBe(0);
    } finally {
      await next.close();
      await dying.close().catch(() => undefined);
    }
    const replies = sentTo(chatId).slice(before);
    expect(replies).toHaveLength(2);
    expect(replies[0]!.text).toContain('我们先试着帮您解决');
    expect(replies[1]!.text).toContain('问题解决了吗');
  });

  it('honours a 429: nothing is sent before retry_after, then once', async () => {
    const { chatId } = await boundChat();
    const before = sentTo(chatId).length;
    api.sendFaults.push({ code: 429, description: 'Too Many Requests: retry after 7', retryAfter: 7 });
    const asked = Date.now();
    await handle(t.desk, update(chatId, { data: 'agent' }));
    const [row] = (await owed(chatId)).filter((r) => r.status === 'pending');
    expect(row!.availableAt.getTime()).toBeGreaterThanOrEqual(asked + 7_000);
    expect(row!.lastError).toContain('429');
    expect(await t.desk.outbox.deliverDue()).toBe(0);
    expect(sentTo(chatId)).toHaveLength(before);
    await backoffPassed(chatId);
    expect(await t.desk.outbox.deliverKey(`chat:telegram:${chatId}`)).toBe(1);
    expect(
      sentTo(chatId)
        .slice(before)
        .map((m) => m.text),
    ).toHaveLength(1);
  });

  it('a chat that blocked the bot (403) is not retried, and does not hold up later messages forever', async () => {
    const { chatId } = await boundChat();
    const before = api.refused.length;
    api.sendFaults.push(
      { code: 403, description: 'Forbidden: bot was blocked by the user' },
      { code: 403, description: 'Forbidden: bot was blocked by the user' },
    );
    await handle(t.desk, update(chatId, { data: 'agent' }));
    await handle(t.desk, update(chatId, { data: 'status' }));
    const rows = (await owed(chatId)).slice(2);
    expect(rows.map((r) => [r.status, r.attempts])).toEqual([
      ['dead', 1],
      ['dead', 1],
    ]);
    await backoffPassed(chatId);
    expect(await t.desk.outbox.deliverDue()).toBe(0);
    expect(api.refused.length - before).toBe(2);
  });

  it('a message from an agent waits behind a reply still owed, then both go in order', async () => {
    const { chatId } = await boundChat();
    const before = sentTo(chatId).length;
    api.sendFaults.push({ code: 500, description: 'Internal Server Error' });
    await handle(t.desk, update(chatId, { data: 'agent' }));
    await t.desk.delivery.toBuyer(ids.buyer, { text: '您好，我是客服小王。' }, 'agent');
    expect(sentTo(chatId)).toHaveLength(before);
    await backoffPassed(chatId);
    expect(await t.desk.outbox.deliverDue()).toBe(2);
    const texts = sentTo(chatId)
      .slice(before)
      .map((m) => m.text);
    expect(texts).toHaveLength(2);
    expect(texts[1]).toBe('您好，我是客服小王。');
  });
});
