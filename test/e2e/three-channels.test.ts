// The three channels together (M16, M22, M24, M26): the buyer writes in Telegram (the Bot API emulated
// by telegram-test-api), the bot refuses M22 with the article's words and sends it to a person; an
// agent claims and approves it in Slack (Bolt over HTTP, signed requests, the Web API recorded); the
// buyer is told in Telegram, and the money goes back once.
import { TelegramServer } from 'telegram-test-api/lib/telegramServer.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO } from '../../src/demo/demo-shop.ts';
import { seedDemoShop } from '../../src/demo/seed-demo.ts';
import { freePort, postgresUp, redisUp } from '../helpers/services.ts';
import { blockAction, sendToSlackEndpoint, SLACK, SlackRecorder, slackEnv, threadReply, until } from '../helpers/slack.ts';
import { startTestDesk, type TestDesk } from '../helpers/test-desk.ts';

const TOKEN = '654321:TEST-three-channels';
const FORM = 'application/x-www-form-urlencoded';

type Update = { message: { text: string } };

describe.skipIf(!postgresUp || !redisUp)('Telegram, the desk and Slack together', () => {
  let telegram: TelegramServer;
  const slack = new SlackRecorder();
  let t: TestDesk;
  let url: string;

  beforeAll(async () => {
    telegram = new TelegramServer({ port: await freePort(), host: '127.0.0.1', storeTimeout: 60 });
    await telegram.start();
    await slack.start();
    t = await startTestDesk({
      store: 'postgres',
      redis: true,
      env: { TELEGRAM_BOT_TOKEN: TOKEN, TELEGRAM_API_ROOT: telegram.config.apiURL, ...slackEnv(slack) },
    });
    await seedDemoShop(t.desk.db.prisma);
    await t.desk.nlu.get();
    url = await t.desk.listen();
  }, 120_000);
  afterAll(async () => {
    await t?.stop();
    await telegram?.stop();
    await slack.stop();
  });

  it('M22 escalated from Telegram, claimed and approved in Slack, and the buyer told in Telegram', async () => {
    const client = telegram.getClient(TOKEN, { chatId: 7001, userId: 7001, firstName: '小明', userName: 'xiaoming' });
    const inbox: string[] = [];
    const read = async (count: number) => {
      await until(
        async () => {
          try {
            const updates = (await client.getUpdates()) as unknown as { result: Update[] };
            inbox.push(...updates.result.map((u) => u.message.text));
          } catch {
            // Nothing new within the emulator's wait.
          }
          return inbox.length;
        },
        (n) => n >= count,
        15_000,
      );
    };

    const { token } = await t.desk.chatTokens.issue(DEMO.buyers.buyer);
    await client.sendCommand(client.makeCommand(`/start ${token}`));
    await read(1);
    await client.sendMessage(client.makeMessage(`订单${DEMO.orders.m22}内容不符预期，想退款`));
    await read(2);
    expect(inbox[1]).toContain('抱歉，由于您已观看超过10%的内容，暂不符合自助退款条件');

    // The appeal reaches the desk channel as a ticket (the job posts it within seconds).
    const request = await t.desk.db.prisma.refundRequest.findFirstOrThrow({ where: { orderId: DEMO.orders.m22 } });
    expect(request).toMatchObject({ status: 'rejected', channel: 'telegram' });
    const handoff = await until(
      () => t.desk.db.prisma.handoff.findFirstOrThrow({ where: { refundRequestId: request.id } }),
      (h) => h.slackTs !== null,
    );
    const ticket = slack.of('chat.postMessage').find((c) => JSON.stringify(c.args.blocks ?? '').includes(handoff.id))!;
    expect(JSON.stringify(ticket.args.blocks)).toContain('内容不符预期');

    // An agent claims it: the buyer hears a person has it, in Telegram.
    await sendToSlackEndpoint(
      url,
      blockAction({ user: SLACK.members[0]!, actionId: 'ticket.claim', value: handoff.id, messageTs: handoff.slackTs! }),
      FORM,
    );
    await read(3);
    expect(inbox[2]).toContain('人工客服已接手');
    // A word in the thread reaches the buyer; the buyer's answer reaches the thread.
    await sendToSlackEndpoint(
      url,
      threadReply({ user: SLACK.members[0]!, text: '看到您只看了20%，我这边为您特批退款。', threadTs: handoff.slackTs! }),
      'application/json',
    );
    await read(4);
    expect(inbox[3]).toBe('看到您只看了20%，我这边为您特批退款。');
    await client.sendMessage(client.makeMessage('谢谢！'));
    await until(
      () => slack.of('chat.postMessage').filter((c) => c.args.thread_ts === handoff.slackTs && String(c.args.text).includes('谢谢')),
      (c) => c.length === 1,
    );

    // Approved in Slack, delivered twice: one refund by the original route, the buyer told in Telegram.
    const approve = blockAction({
      user: SLACK.members[0]!,
      actionId: 'ticket.approve',
      value: handoff.id,
      messageTs: handoff.slackTs!,
      actionTs: '1700000900.000001',
    });
    await Promise.all([sendToSlackEndpoint(url, approve, FORM), sendToSlackEndpoint(url, approve, FORM)]);
    await read(5);
    expect(inbox[4]).toContain('人工客服已复核并批准您的退款：¥99.00将原路退回');
    expect(await t.desk.db.prisma.refund.count({ where: { orderId: DEMO.orders.m22 } })).toBe(1);
    expect(await t.desk.db.prisma.refundRequest.findUniqueOrThrow({ where: { id: request.id } })).toMatchObject({ status: 'refunded' });
    const updated = slack
      .of('chat.update')
      .filter((c) => c.args.ts === handoff.slackTs)
      .at(-1)!;
    expect(JSON.stringify(updated.args.blocks)).toContain('Resolved: approved');
  }, 60_000);
});
