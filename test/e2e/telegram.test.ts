// The Telegram channel end to end against telegram-test-api (the Bot API emulated on localhost):
// the desk long-polls the emulator as it would Telegram, and the emulator's client plays the buyer.
import { TelegramServer } from 'telegram-test-api/lib/telegramServer.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO } from '../../src/demo/demo-shop.ts';
import { seedDemoShop } from '../../src/demo/seed-demo.ts';
import { freePort, postgresUp } from '../helpers/services.ts';
import { startTestDesk, type TestDesk } from '../helpers/test-desk.ts';

const TOKEN = '123456:TEST-refund-desk';

type Client = ReturnType<TelegramServer['getClient']>;
type BotMessage = {
  message: { text: string; message_id: number; reply_markup?: string | { inline_keyboard: Array<Array<{ callback_data: string }>> } };
};

describe.skipIf(!postgresUp)('Telegram bot (telegram-test-api)', () => {
  let server: TelegramServer;
  let t: TestDesk;
  let nextChat = 5000;

  beforeAll(async () => {
    server = new TelegramServer({ port: await freePort(), host: '127.0.0.1', storeTimeout: 60 });
    await server.start();
    t = await startTestDesk({ store: 'postgres', env: { TELEGRAM_BOT_TOKEN: TOKEN, TELEGRAM_API_ROOT: server.config.apiURL } });
    await seedDemoShop(t.desk.db.prisma);
    await t.desk.nlu.get();
    await t.desk.listen(); // starts long polling
  }, 120_000);
  afterAll(async () => {
    await t?.stop();
    await server?.stop();
  });

  /** Everything the bot sent this chat since the last call, waiting until `count` arrived. */
  async function botMessages(client: Client, count: number, timeoutMs = 10_000): Promise<BotMessage[]> {
    const got: BotMessage[] = [];
    const until = Date.now() + timeoutMs;
    while (got.length < count && Date.now() < until) {
      try {
        const updates = (await client.getUpdates()) as unknown as { result: BotMessage[] };
        got.push(...updates.result);
      } catch (error) {
        // The emulator's client throws when nothing new arrived within its own wait: keep waiting.
        if ((error as Error).name !== 'TimeoutError' && !/did not get new updates/.test((error as Error).message)) throw error;
      }
    }
    return got;
  }
  const keyboardOf = (m: BotMessage) => {
    const markup = typeof m.message.reply_markup === 'string' ? JSON.parse(m.message.reply_markup) : m.message.reply_markup;
    return (markup?.inline_keyboard ?? []).flat().map((b: { callback_data: string }) => b.callback_data);
  };

  async function boundChat(buyerId: string) {
    const chatId = nextChat++;
    const client = server.getClient(TOKEN, { chatId, userId: chatId, firstName: 'Buyer', userName: `buyer${chatId}` });
    const { token } = await t.desk.chatTokens.issue(buyerId);
    await client.sendCommand(client.makeCommand(`/start ${token}`));
    const [bound] = await botMessages(client, 1);
    return { client, chatId, bound: bound! };
  }

  it('M21 from /start: binds the chat, then refunds at once by the original route', async () => {
    const { client, bound } = await boundChat(DEMO.buyers.buyer);
    expect(bound.message.text).toContain('已绑定您的账户');
    await client.sendMessage(client.makeMessage(`订单${DEMO.orders.m21} 冲动消费了，不想要了`));
    const [reply] = await botMessages(client, 1);
    expect(reply!.message.text).toContain('15分钟无理由退款规则，已自动批准');
    expect((await t.desk.db.prisma.refundRequest.findFirstOrThrow({ where: { orderId: DEMO.orders.m21 } })).channel).toBe('telegram');
    // The chat session is a sighting of the buyer's Telegram account, for the risk rules (M11).
    expect(
      await t.desk.db.prisma.fingerprint.count({
        where: { buyerId: DEMO.buyers.buyer, source: 'chat', deviceId: { startsWith: 'telegram:' } },
      }),
    ).toBeGreaterThan(0);
  });

  it("M22 from /start: the article's refusal, with a person to review", async () => {
    const { client } = await boundChat(DEMO.buyers.buyer);
    await client.sendMessage(client.makeMessage(`订单${DEMO.orders.m22}内容不符预期，想退款`));
    const [reply] = await botMessages(client, 1);
    expect(reply!.message.text).toContain('抱歉，由于您已观看超过10%的内容，暂不符合自助退款条件');
    expect(reply!.message.text).toContain('人工客服复核');
  });

  it('M23 from /start: the guide with buttons; "solved" is pressed once and closes it with no refund', async () => {
    const { client } = await boundChat(DEMO.buyers.buyer);
    await client.sendMessage(client.makeMessage(`${DEMO.orders.m23} 视频播放不了`));
    const [guide, question] = await botMessages(client, 2);
    expect(guide!.message.text).toContain('【视频无法播放】');
    expect(keyboardOf(question!)).toEqual(['guide:solved', 'guide:unsolved']);
    await client.sendCallback(client.makeCallbackQuery('guide:solved', { message: { message_id: question!.message.message_id } }));
    const [done] = await botMessages(client, 1);
    expect(done!.message.text).toContain('问题已解决');
    expect(await t.desk.db.prisma.refund.count({ where: { orderId: DEMO.orders.m23 } })).toBe(0);
  });

  it('brings the team leaders their commission notices in their bound Telegram chats (M15)', async () => {
    const member = await boundChat(DEMO.buyers.member);
    const leader = await boundChat(DEMO.buyers.leader);
    const { client } = await boundChat(DEMO.buyers.buyerEn);
    await client.sendMessage(client.makeMessage(`I bought ${DEMO.orders.m21En} by mistake, please refund`));
    expect((await botMessages(client, 1))[0]!.message.text).toContain('15-minute no-questions-asked window');
    await t.desk.outbox.deliverDue();
    for (const [chat, level] of [
      [member, '一级佣金 ¥9.90'],
      [leader, '二级佣金 ¥4.95'],
    ] as const) {
      const notices = (await botMessages(chat.client, 2)).map((m) => m.message.text);
      expect(notices.find((n) => n.startsWith('佣金已冻结'))).toContain(level);
      expect(notices.find((n) => n.startsWith('佣金已作废'))).toContain(DEMO.orders.m21En);
      expect(notices.every((n) => n.includes('A********n'))).toBe(true);
    }
  });

  it('answers a duplicate update once', async () => {
    const { client, chatId } = await boundChat(DEMO.buyers.buyer);
    const update = {
      update_id: 900_000 + chatId,
      message: {
        message_id: 77,
        date: Math.floor(Date.now() / 1000),
        chat: { id: chatId, type: 'private' as const, first_name: 'Buyer' },
        from: { id: chatId, is_bot: false, first_name: 'Buyer' },
        text: '退款规则是什么',
      },
    };
    await t.desk.telegram!.handleUpdate(update);
    await t.desk.telegram!.handleUpdate(update);
    const replies = await botMessages(client, 2, 1_500);
    expect(replies).toHaveLength(1);
    expect(replies[0]!.message.text).toContain('退款规则');
  });

  it('refuses a forged token politely, and stays calm with a 10,000-character message and a burst of 50', async () => {
    const chatId = nextChat++;
    const client = server.getClient(TOKEN, { chatId, userId: chatId, firstName: 'Mallory' });
    await client.sendCommand(client.makeCommand('/start AAAAAAAAAAA_BBBBBBBBBBBBBBBBBBBBBB'));
    const [refused] = await botMessages(client, 1);
    expect(refused!.message.text).toMatch(/无法验证|couldn't verify/);

    const { client: buyer, chatId: buyerChat } = await boundChat(DEMO.buyers.buyerEn);
    await buyer.sendMessage(buyer.makeMessage(`I want a refund ${'a'.repeat(10_000)}`));
    const long = await botMessages(buyer, 2);
    expect(long.at(-1)!.message.text).toContain('long message');

    const base = 800_000 + buyerChat * 100;
    await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        t.desk.telegram!.handleUpdate({
          update_id: base + i,
          message: {
            message_id: 1000 + i,
            date: Math.floor(Date.now() / 1000),
            chat: { id: buyerChat, type: 'private', first_name: 'Alice' },
            from: { id: buyerChat, is_bot: false, first_name: 'Alice' },
            text: `hello ${i}`,
          },
        }),
      ),
    );
    const burst = await botMessages(buyer, 11, 3_000);
    expect(burst.length).toBeLessThanOrEqual(11);
    expect(burst.filter((m) => m.message.text.includes('a lot of messages'))).toHaveLength(1);
  }, 60_000);
});
