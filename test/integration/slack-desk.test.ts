// The agent desk in Slack (M16, M26, M30), driven through Bolt's HTTP receiver on the desk's own port
// with requests signed as Slack signs them, against a local server standing in for the Web API that
// records every call. PostgreSQL and Redis are real.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ServerFrame } from '../../src/channels/widget/widget-protocol.ts';
import { merchant, product, uid } from '../helpers/events.ts';
import { freshBuyer, newOrder, requestRefund, seedShop } from '../helpers/refunds.ts';
import { postgresUp, redisUp } from '../helpers/services.ts';
import {
  appealTicket as appealTicketOf,
  blockAction,
  sendToSlackEndpoint,
  signSlack,
  SLACK,
  SlackRecorder,
  slackEnv,
  threadReply,
  until,
} from '../helpers/slack.ts';
import { startTestDesk, type TestDesk } from '../helpers/test-desk.ts';
import { WidgetClient } from '../helpers/widget-client.ts';

const FORM = 'application/x-www-form-urlencoded';
type Msg = Extract<ServerFrame, { type: 'message' }>;

describe.skipIf(!postgresUp || !redisUp)('Slack agent desk', () => {
  const slack = new SlackRecorder();
  let t: TestDesk;
  let url: string;
  let shop: Awaited<ReturnType<typeof seedShop>>;
  const sockets: WidgetClient[] = [];

  beforeAll(async () => {
    await slack.start();
    t = await startTestDesk({
      store: 'postgres',
      redis: true,
      env: slackEnv(slack, { SLACK_SLA_REMIND_MINUTES: '15', SLACK_SLA_ESCALATE_MINUTES: '60' }),
    });
    shop = await seedShop(t);
    await t.desk.nlu.get();
    url = await t.desk.listen();
  }, 120_000);
  afterAll(async () => {
    for (const s of sockets) s.close();
    await t?.stop();
    await slack.stop();
  });

  const prisma = () => t.desk.db.prisma;
  const click = (p: Parameters<typeof blockAction>[0]) => sendToSlackEndpoint(url, blockAction(p), FORM);

  const appealTicket = (order: Parameters<typeof appealTicketOf>[2] = {}) => appealTicketOf(t, shop, order);

  it('posts a handoff once, with buyer, order, product, usage, rule trace, words, commissions and buttons', async () => {
    const { handoff, ts, orderId } = await appealTicket();
    // Another run (or instance) of the job posts nothing again.
    await t.desk.slack!.postNewTickets();
    const posts = slack.of('chat.postMessage').filter((c) => JSON.stringify(c.args.blocks ?? '').includes(handoff.id));
    expect(posts).toHaveLength(1);
    expect(posts[0]!.args.channel).toBe(SLACK.deskChannel);
    const blocks = JSON.stringify(posts[0]!.args.blocks);
    for (const expected of [
      'Appeal after a refusal',
      'tier *',
      orderId,
      '¥99.00',
      'wechat',
      '(course)',
      '2 h ago',
      'course watched: 20%',
      'Decision trace',
      '❌',
      'Risk signals',
      '内容和介绍的不一样，想退款',
      'reason (NLU): *unsatisfied*',
      'Commissions',
      'L1',
      'L2',
      'Conversation so far',
      'ticket.claim',
      'ticket.approve',
      'ticket.approve_partial',
      'ticket.reject',
      'ticket.guide',
      'ticket.return',
    ]) {
      expect(blocks, expected).toContain(expected);
    }
    expect(handoff.slackChannel).toBe(SLACK.deskChannel);
    expect(ts).toMatch(/^1700000000\./);
  });

  it('lets one of two agents clicking Claim at once win, and tells the other', async () => {
    const { handoff, ts } = await appealTicket();
    const before = slack.calls.length;
    const [a, b] = await Promise.all([
      click({ user: SLACK.members[0]!, actionId: 'ticket.claim', value: handoff.id, messageTs: ts }),
      click({ user: SLACK.members[1]!, actionId: 'ticket.claim', value: handoff.id, messageTs: ts }),
    ]);
    expect([a.status, b.status]).toEqual([200, 200]);
    const told = await until(
      () => slack.calls.slice(before).filter((c) => c.method === 'chat.postEphemeral'),
      (c) => c.length >= 1,
    );
    const after = await prisma().handoff.findUniqueOrThrow({ where: { id: handoff.id } });
    expect(after.status).toBe('claimed');
    expect(SLACK.members).toContain(after.assigneeId);
    const loser = SLACK.members.find((m) => m !== after.assigneeId)!;
    expect(told).toHaveLength(1);
    expect(told[0]!.args).toMatchObject({ user: loser, text: `Already claimed by <@${after.assigneeId}>.` });
    // The ticket shows who holds it.
    const update = await until(
      () => slack.calls.slice(before).filter((c) => c.method === 'chat.update' && c.args.ts === ts),
      (c) => c.length >= 1,
    );
    expect(JSON.stringify(update.at(-1)!.args.blocks)).toContain(`Claimed by <@${after.assigneeId}>`);
  });

  it('refunds once when an approval is delivered three times and clicked again', async () => {
    const { handoff, ts, requestId, orderId } = await appealTicket();
    const payload = blockAction({
      user: SLACK.members[0]!,
      actionId: 'ticket.approve',
      value: handoff.id,
      messageTs: ts,
      actionTs: '1700000500.000001',
    });
    const responses = await Promise.all([1, 2, 3].map(() => sendToSlackEndpoint(url, payload, FORM)));
    expect(responses.map((r) => r.status)).toEqual([200, 200, 200]);
    await until(
      () => prisma().refundRequest.findUniqueOrThrow({ where: { id: requestId } }),
      (r) => r.status === 'refunded',
    );
    // A second, distinct click by the same agent: told it was done, nothing paid again.
    const before = slack.calls.length;
    await click({ user: SLACK.members[0]!, actionId: 'ticket.approve', value: handoff.id, messageTs: ts });
    await until(
      () => slack.calls.slice(before).filter((c) => c.method === 'chat.postEphemeral'),
      (c) => c.length === 1,
    );
    expect(await prisma().refund.count({ where: { orderId } })).toBe(1);
    expect(await prisma().refund.findFirstOrThrow({ where: { orderId } })).toMatchObject({ status: 'succeeded', amountMinor: 9900 });
    // As for automatic decisions: the decision recorded with the agent, commissions taken back, the buyer's inbox told.
    const decisions = await prisma().decision.findMany({ where: { refundRequestId: requestId }, orderBy: { createdAt: 'asc' } });
    expect(decisions.map((d) => d.actor)).toEqual(['policy', `agent:${SLACK.members[0]}`]);
    const kinds = (await prisma().commissionEntry.findMany({ where: { orderId } })).map((e) => e.kind);
    expect(kinds).toContain('reversed');
    expect(
      await prisma().notification.count({
        where: {
          recipientId: (await prisma().refundRequest.findUniqueOrThrow({ where: { id: requestId } })).buyerId,
          kind: { in: ['refund.reviewed', 'refund.succeeded'] },
        },
      }),
    ).toBe(2);
    const after = await prisma().handoff.findUniqueOrThrow({ where: { id: handoff.id } });
    expect(after).toMatchObject({ status: 'resolved', resolution: 'approved', assigneeId: SLACK.members[0] });
  });

  it('approves a partial amount from the modal, and rejects with a template releasing the commissions', async () => {
    const first = await appealTicket();
    await click({ user: SLACK.members[0]!, actionId: 'ticket.approve_partial', value: first.handoff.id, messageTs: first.ts });
    const opened = await until(
      () => slack.of('views.open'),
      (c) => c.length >= 1,
    );
    expect(JSON.stringify(opened.at(-1)!.args.view)).toContain('ticket.partial');
    const submission = {
      type: 'view_submission',
      user: { id: SLACK.members[0], username: 'agent', name: 'agent', team_id: 'T00000001' },
      api_app_id: 'A00000001',
      team: { id: 'T00000001', domain: 'shop' },
      trigger_id: 'trigger.view',
      view: {
        id: 'V1',
        type: 'modal',
        callback_id: 'ticket.partial',
        private_metadata: first.handoff.id,
        state: { values: { amount: { value: { type: 'plain_text_input', value: '49.50' } } } },
        hash: 'h',
      },
    };
    const body = `payload=${encodeURIComponent(JSON.stringify(submission))}`;
    expect((await sendToSlackEndpoint(url, body, FORM)).status).toBe(200);
    await until(
      () => prisma().refund.findFirst({ where: { orderId: first.orderId } }),
      (r) => r?.status === 'succeeded',
    );
    expect((await prisma().refund.findFirstOrThrow({ where: { orderId: first.orderId } })).amountMinor).toBe(4950);

    const second = await appealTicket();
    await click({ user: SLACK.members[1]!, actionId: 'ticket.reject', selected: `${second.handoff.id}|used`, messageTs: second.ts });
    await until(
      () => prisma().refundRequest.findUniqueOrThrow({ where: { id: second.requestId } }),
      (r) => r.closedAt !== null,
    );
    const request = await prisma().refundRequest.findUniqueOrThrow({ where: { id: second.requestId } });
    expect(request).toMatchObject({ status: 'rejected', activeOrderKey: null });
    expect(await prisma().refund.count({ where: { orderId: second.orderId } })).toBe(0);
    const notice = await prisma().notification.findFirstOrThrow({
      where: { kind: 'refund.reviewed', data: { path: ['requestId'], equals: second.requestId } },
    });
    expect(notice.body).toContain('使用程度已超出退款政策允许的范围');
  });

  /** The agent submits the partial-refund modal of a ticket with what they typed. */
  function submitPartial(handoffId: string, typed: string) {
    const submission = {
      type: 'view_submission',
      user: { id: SLACK.members[0], username: 'agent', name: 'agent', team_id: 'T00000001' },
      api_app_id: 'A00000001',
      team: { id: 'T00000001', domain: 'shop' },
      trigger_id: 'trigger.view',
      view: {
        id: 'V2',
        type: 'modal',
        callback_id: 'ticket.partial',
        private_metadata: handoffId,
        state: { values: { amount: { value: { type: 'plain_text_input', value: typed } } } },
        hash: 'h',
      },
    };
    return sendToSlackEndpoint(url, `payload=${encodeURIComponent(JSON.stringify(submission))}`, FORM);
  }

  it('takes a partial amount in the order\'s own currency: "500" is ¥500 on a JPY order and ¥500.00 on a CNY one; "12.5" yen is refused', async () => {
    const jpy = uid('p');
    expect(
      (await t.postEvent(product(jpy, shop.merchant, { title: 'Photoshop 講座', priceMinor: 100_000, currency: 'JPY' }))).statusCode,
    ).toBe(200);
    const yen = await appealTicket({ productId: jpy, currency: 'JPY', amountMinor: 100_000 });
    // The modal asks in the order's currency, with the most that can be refunded.
    const opened = slack.of('views.open').length;
    await click({ user: SLACK.members[0]!, actionId: 'ticket.approve_partial', value: yen.handoff.id, messageTs: yen.ts });
    const modal = JSON.stringify(
      (
        await until(
          () => slack.of('views.open'),
          (c) => c.length > opened,
        )
      ).at(-1)!.args.view,
    );
    expect(modal).toContain('Amount in JPY');
    expect(modal).toContain('¥100,000');

    // Yen have no decimals: "12.5" is refused in the modal, with the reason, and nothing is paid.
    const refused = await submitPartial(yen.handoff.id, '12.5');
    expect(refused.status).toBe(200);
    expect(await refused.json()).toEqual({ response_action: 'errors', errors: { amount: expect.stringContaining('JPY has no decimals') } });
    // More than was paid is refused the same way.
    expect(await (await submitPartial(yen.handoff.id, '100,001')).json()).toEqual({
      response_action: 'errors',
      errors: { amount: expect.stringContaining('at most ¥100,000') },
    });
    expect(await prisma().refund.count({ where: { orderId: yen.orderId } })).toBe(0);

    expect((await submitPartial(yen.handoff.id, '500')).status).toBe(200);
    await until(
      () => prisma().refund.findFirst({ where: { orderId: yen.orderId } }),
      (r) => r?.status === 'succeeded',
    );
    expect(await prisma().refund.findFirstOrThrow({ where: { orderId: yen.orderId } })).toMatchObject({
      amountMinor: 500,
      currency: 'JPY',
    });

    // On a CNY order the same "500" is 500 yuan: 50,000 fen.
    const yuan = await appealTicket({ amountMinor: 60_000 });
    expect((await submitPartial(yuan.handoff.id, '500')).status).toBe(200);
    await until(
      () => prisma().refund.findFirst({ where: { orderId: yuan.orderId } }),
      (r) => r?.status === 'succeeded',
    );
    expect(await prisma().refund.findFirstOrThrow({ where: { orderId: yuan.orderId } })).toMatchObject({
      amountMinor: 50_000,
      currency: 'CNY',
    });
  });

  it("relays the assignee's thread replies to the buyer's widget and the buyer's messages to the thread; notes stay internal", async () => {
    const ids = await freshBuyer(t, shop);
    await newOrder(t, ids, { minutesAgo: 12 });
    const { token } = await t.desk.chatTokens.issue(ids.buyer);
    const buyer = await WidgetClient.connect(url);
    sockets.push(buyer);
    buyer.send({ type: 'hello', token, device: 'dev_slack_relay' });
    await buyer.waitFor((f) => f.type === 'ready');
    buyer.send({ type: 'message', id: 'c-person', text: '转人工' });
    await buyer.waitFor<Msg>((f) => f.type === 'message' && f.direction === 'out' && (f.text ?? '').includes('人工客服'), { from: 1 });
    await t.desk.slack!.postNewTickets();
    const handoff = await prisma().handoff.findFirstOrThrow({ where: { buyerId: ids.buyer, kind: 'buyer_request' } });
    const ts = handoff.slackTs!;
    expect(
      JSON.stringify(
        slack.of('chat.postMessage').find((c) => c.args.ts === undefined && JSON.stringify(c.args.blocks ?? '').includes(handoff.id))?.args
          .blocks,
      ),
    ).toContain('转人工');

    // Claimed: the buyer hears that a person has it.
    let from = buyer.frames.length;
    await click({ user: SLACK.members[0]!, actionId: 'ticket.claim', value: handoff.id, messageTs: ts });
    await buyer.waitFor<Msg>((f) => f.type === 'message' && (f.text ?? '').includes('人工客服已接手'), { from });

    // The assignee writes in the thread: the buyer gets it as an agent's message.
    from = buyer.frames.length;
    expect(
      (
        await sendToSlackEndpoint(
          url,
          threadReply({ user: SLACK.members[0]!, text: '您好，我是客服小王，请问哪里不满意？', threadTs: ts }),
          'application/json',
        )
      ).status,
    ).toBe(200);
    const [agentMsg] = await buyer.waitFor<Msg>((f) => f.type === 'message' && f.direction === 'agent', { from });
    expect(agentMsg!.text).toBe('您好，我是客服小王，请问哪里不满意？');

    // A note, and another member's reply, stay in Slack.
    const before = slack.calls.length;
    await sendToSlackEndpoint(
      url,
      threadReply({ user: SLACK.members[0]!, text: 'note: 这个买家之前也退过一次', threadTs: ts }),
      'application/json',
    );
    await sendToSlackEndpoint(url, threadReply({ user: SLACK.members[1]!, text: '我来看看', threadTs: ts }), 'application/json');
    const ephemeral = await until(
      () => slack.calls.slice(before).filter((c) => c.method === 'chat.postEphemeral'),
      (c) => c.length >= 1,
    );
    expect(ephemeral[0]!.args).toMatchObject({ user: SLACK.members[1], thread_ts: ts });
    // The same event delivered again (a Slack retry) is relayed once.
    const retried = threadReply({ user: SLACK.members[0]!, text: '稍等，我帮您查一下', threadTs: ts, eventId: 'EvRetry1' });
    await sendToSlackEndpoint(url, retried, 'application/json');
    await sendToSlackEndpoint(url, retried, 'application/json', {
      ...signSlack(retried),
      'x-slack-retry-num': '1',
      'x-slack-retry-reason': 'http_timeout',
    });
    await buyer.waitFor<Msg>((f) => f.type === 'message' && f.text === '稍等，我帮您查一下', { from });
    await new Promise((r) => setTimeout(r, 300));
    const agentTexts = buyer.frames
      .slice(from)
      .filter((f): f is Msg => f.type === 'message' && f.direction === 'agent')
      .map((f) => f.text);
    expect(agentTexts).toEqual(['您好，我是客服小王，请问哪里不满意？', '稍等，我帮您查一下']);

    // The buyer writes: it appears in the thread, and the bot does not talk over the person.
    from = buyer.frames.length;
    const posted = slack.calls.length;
    buyer.send({ type: 'message', id: 'c-to-agent', text: '视频内容太简单了' });
    await until(
      () => slack.calls.slice(posted).filter((c) => c.method === 'chat.postMessage' && c.args.thread_ts === ts),
      (c) => c.length >= 1,
    );
    expect(slack.calls.slice(posted).find((c) => c.args.thread_ts === ts)!.args.text).toContain('视频内容太简单了');
    await buyer.waitFor((f) => f.type === 'typing' && !f.on, { from });
    expect(buyer.frames.slice(from).filter((f) => f.type === 'message' && f.direction === 'out')).toEqual([]);

    // Send troubleshooting guide: the guide for the product reaches the buyer's chat.
    from = buyer.frames.length;
    await click({ user: SLACK.members[0]!, actionId: 'ticket.guide', value: handoff.id, messageTs: ts });
    const [guide] = await buyer.waitFor<Msg>((f) => f.type === 'message' && f.direction === 'agent' && (f.text ?? '').startsWith('【'), {
      from,
    });
    expect(guide!.text).toMatch(/^【.+】\n1\. /);
    await until(
      () =>
        slack
          .of('chat.postMessage')
          .filter((c) => c.args.thread_ts === ts && String(c.args.text).includes('sent the troubleshooting guide')),
      (c) => c.length === 1,
    );

    // Return to bot: the buyer is told, and the bot answers again.
    await click({ user: SLACK.members[0]!, actionId: 'ticket.return', value: handoff.id, messageTs: ts });
    await buyer.waitFor<Msg>((f) => f.type === 'message' && (f.text ?? '').includes('退款助手继续为您服务'), { from });
    from = buyer.frames.length;
    buyer.send({ type: 'message', id: 'c-after', text: '我的退款到哪了' });
    await buyer.waitFor<Msg>((f) => f.type === 'message' && f.direction === 'out', { from });
    expect((await prisma().handoff.findUniqueOrThrow({ where: { id: handoff.id } })).status).toBe('returned');
  });

  // Slack's control sequences, as a buyer, a merchant or a provider might type them.
  const HOSTILE = ['<!channel>', '<https://evil.example|slack.com/signin>', '<@U123>', '&amp;'];
  const INERT = ['&lt;!channel&gt;', '&lt;https://evil.example|slack.com/signin&gt;', '&lt;@U123&gt;', '&amp;amp;'];
  /** Slack text that pings, links or mentions: anything between < and > (our own mentions of agents aside). */
  const live = (text: string) => (text.match(/<[^>]*>/g) ?? []).filter((m) => !/^<@UAGENT\d+>$/.test(m));

  it("relays a buyer's message with Slack markup to the ticket's thread as inert text", async () => {
    const ids = await freshBuyer(t, shop);
    await newOrder(t, ids, { minutesAgo: 12 });
    const { token } = await t.desk.chatTokens.issue(ids.buyer);
    const buyer = await WidgetClient.connect(url);
    sockets.push(buyer);
    buyer.send({ type: 'hello', token, device: 'dev_slack_markup' });
    await buyer.waitFor((f) => f.type === 'ready');
    buyer.send({ type: 'message', id: 'c-markup-person', text: '转人工' });
    await buyer.waitFor((f) => f.type === 'message' && f.direction === 'out', { from: 1 });
    await t.desk.slack!.postNewTickets();
    const handoff = await prisma().handoff.findFirstOrThrow({ where: { buyerId: ids.buyer, kind: 'buyer_request' } });

    const posted = slack.calls.length;
    const hostile = `请看 ${HOSTILE.join(' ')} 谢谢`;
    buyer.send({ type: 'message', id: 'c-markup', text: hostile });
    const [relayed] = await until(
      () => slack.calls.slice(posted).filter((c) => c.method === 'chat.postMessage' && c.args.thread_ts === handoff.slackTs),
      (c) => c.length >= 1,
    );
    const text = String(relayed!.args.text);
    for (const inert of INERT) expect(text).toContain(inert);
    expect(live(text)).toEqual([]);
    // The agent reads exactly what the buyer wrote once Slack decodes the entities.
    expect(text.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&')).toContain(hostile);

    // The ticket, re-rendered with the conversation so far, shows it inert too.
    // A background posting pass may re-render the ticket from before the message was stored and
    // finish after this refresh, so look for the render that holds the buyer's message.
    await t.desk.slack!.refreshTicket(handoff.id);
    const withMessage = await until(
      () => slack.of('chat.update').filter((c) => c.args.ts === handoff.slackTs && JSON.stringify(c.args.blocks).includes('请看')),
      (c) => c.length >= 1,
    );
    const update = withMessage.at(-1)!;
    expect(live(`${String(update.args.text)}${JSON.stringify(update.args.blocks)}`)).toEqual([]);
    expect(JSON.stringify(update.args.blocks)).toContain('&lt;!channel&gt;');
  });

  it('renders a product title, names and reasons with Slack markup inert in the ticket and its notification text', async () => {
    const hostileProduct = uid('p');
    const title = `《课程》 <!here> <https://evil.example|Download> & more`;
    expect((await t.postEvent(product(hostileProduct, shop.merchant, { title }))).statusCode).toBe(200);
    const ids = await freshBuyer(t, shop);
    expect(
      (
        await t.postEvent({
          id: uid('evt'),
          type: 'buyer.upserted',
          occurredAt: new Date().toISOString(),
          data: {
            id: ids.buyer,
            name: '<!channel>李',
            registeredAt: new Date(Date.now() - 30 * 86_400_000).toISOString(),
            uplineId: ids.member,
          },
        })
      ).statusCode,
    ).toBe(200);
    const orderId = await newOrder(t, ids, { minutesAgo: 120, progress: 0.2, productId: hostileProduct });
    const r = await requestRefund(t, {
      orderId,
      buyerId: ids.buyer,
      reasonCode: 'unsatisfied',
      reasonText: `不满意 ${HOSTILE.join(' ')}`,
      channel: 'api',
    });
    expect(r.json()).toMatchObject({ handoff: { kind: 'appeal' } });
    await t.desk.slack!.postNewTickets();
    const handoff = await prisma().handoff.findFirstOrThrow({ where: { refundRequestId: r.json().id } });
    const post = slack
      .of('chat.postMessage')
      .find((c) => c.args.ts === undefined && JSON.stringify(c.args.blocks ?? '').includes(handoff.id))!;
    const text = String(post.args.text);
    const blocks = JSON.stringify(post.args.blocks);
    // The notification text (what a phone shows, and what Slack parses for mentions) and the blocks.
    expect(text).toContain('&lt;!here&gt; &lt;https://evil.example|Download&gt; &amp; more');
    expect(blocks).toContain('&lt;!here&gt; &lt;https://evil.example|Download&gt; &amp; more');
    for (const inert of INERT) expect(blocks).toContain(inert);
    expect(live(text)).toEqual([]);
    expect(live(blocks)).toEqual([]);
  });

  it('refuses people outside the desk channel, and requests with a forged or stale signature', async () => {
    const { handoff, ts } = await appealTicket();
    const before = slack.calls.length;
    await click({ user: SLACK.outsider, actionId: 'ticket.claim', value: handoff.id, messageTs: ts });
    const told = await until(
      () => slack.calls.slice(before).filter((c) => c.method === 'chat.postEphemeral'),
      (c) => c.length === 1,
    );
    expect(told[0]!.args).toMatchObject({ user: SLACK.outsider, text: expect.stringContaining('Only members of the refund desk channel') });
    expect((await prisma().handoff.findUniqueOrThrow({ where: { id: handoff.id } })).status).toBe('open');

    const body = blockAction({ user: SLACK.members[0]!, actionId: 'ticket.claim', value: handoff.id, messageTs: ts });
    expect((await sendToSlackEndpoint(url, body, FORM, signSlack(body, undefined, 'not-the-secret'))).status).toBe(401);
    expect((await sendToSlackEndpoint(url, body, FORM, signSlack(body, Math.floor(Date.now() / 1000) - 600))).status).toBe(401);
    expect((await sendToSlackEndpoint(url, body, FORM, {})).status).toBe(401);
    expect((await prisma().handoff.findUniqueOrThrow({ where: { id: handoff.id } })).status).toBe('open');
  });

  it('reminds about an unclaimed ticket, then escalates it, once each; the buyer hears roughly when', async () => {
    const ids = await freshBuyer(t, shop);
    const { token } = await t.desk.chatTokens.issue(ids.buyer);
    const buyer = await WidgetClient.connect(url);
    sockets.push(buyer);
    buyer.send({ type: 'hello', token, device: 'dev_slack_sla' });
    await buyer.waitFor((f) => f.type === 'ready');
    buyer.send({ type: 'message', id: 'c-sla', text: '转人工' });
    await buyer.waitFor((f) => f.type === 'message' && f.direction === 'out', { from: 1 });
    await t.desk.slack!.postNewTickets();
    const handoff = await prisma().handoff.findFirstOrThrow({ where: { buyerId: ids.buyer } });
    await prisma().handoff.update({ where: { id: handoff.id }, data: { createdAt: new Date(Date.now() - 20 * 60_000) } });
    const before = slack.calls.length;
    const from = buyer.frames.length;
    expect(await t.desk.slack!.checkSla()).toMatchObject({ reminded: 1, escalated: 0 });
    expect(slack.calls.slice(before).find((c) => c.args.thread_ts === handoff.slackTs)!.args.text).toContain('Unclaimed for 20 min');
    await buyer.waitFor<Msg>((f) => f.type === 'message' && (f.text ?? '').includes('预计45分钟内'), { from });
    expect(await t.desk.slack!.checkSla()).toMatchObject({ reminded: 0, escalated: 0 });
    await prisma().handoff.update({ where: { id: handoff.id }, data: { createdAt: new Date(Date.now() - 70 * 60_000) } });
    expect(await t.desk.slack!.checkSla()).toMatchObject({ reminded: 0, escalated: 1 });
    const escalation = slack.calls.slice(before).find((c) => String(c.args.text).includes('<!here>'))!;
    expect(escalation.args).toMatchObject({ thread_ts: handoff.slackTs, reply_broadcast: 'true' });
    expect(await t.desk.slack!.checkSla()).toMatchObject({ reminded: 0, escalated: 0 });
  });

  it('posts risk alerts to the risk channel', async () => {
    await t.desk.slack!.postRiskAlert({
      kind: 'spike.product',
      subjectId: 'p_x',
      merchantId: 'm_x',
      recent: 12,
      baselinePerHour: 0.5,
      ordersRecent: 20,
      refundRate: 0.6,
    });
    const alert = slack.of('chat.postMessage').find((c) => c.args.channel === SLACK.riskChannel)!;
    expect(JSON.stringify(alert.args.blocks)).toContain('12 refund requests in the last hour');
  });

  it('posts a payment alert to the risk channel when a provider reports a refund the desk never made', async () => {
    const result = await t.desk.paymentNotices.apply({
      provider: 'wechat',
      eventId: 'EV-stray-1',
      eventType: 'REFUND.SUCCESS',
      deskRefundId: 'rf_nobody_made_this',
      providerRefundId: '50300000000stray',
      transactionId: '4200000000stray',
      amountMinor: 4900,
      currency: 'CNY',
      outcome: { status: 'succeeded', gatewayRef: '50300000000stray' },
    });
    expect(result).toBe('alerted');
    const posted = slack.of('chat.postMessage').find((c) => String(c.args.text).includes('Payment alert'))!;
    expect(posted.args.channel).toBe(SLACK.riskChannel);
    expect(JSON.stringify(posted.args.blocks)).toContain('50300000000stray');
    // The amount in its own currency, as a person reads it.
    expect(JSON.stringify(posted.args.blocks)).toContain('CN¥49.00');
  });

  it("posts merchants' digests, payment alerts and dead jobs to Slack with outside text inert", async () => {
    const merchantId = uid('m');
    const digestChannel = 'CDIGEST001';
    expect(
      (await t.postEvent(merchant(merchantId, { name: '<!channel> Shop & Co', digest: { slackChannel: digestChannel } }))).statusCode,
    ).toBe(200);
    expect((await t.postEvent(product(uid('p'), merchantId, { title: '<https://evil.example|Free>' }))).statusCode).toBe(200);
    await t.desk.digests.send(merchantId, 'day', { force: true });
    const digest = slack.of('chat.postMessage').find((c) => c.args.channel === digestChannel)!;
    expect(String(digest.args.text)).toContain('&lt;!channel&gt; Shop &amp; Co');
    expect(live(String(digest.args.text))).toEqual([]);

    const before = slack.calls.length;
    await t.desk.slack!.postPaymentAlert({
      provider: 'stripe',
      kind: 'unknown_refund',
      providerRefundId: 're_<!channel>',
      deskRefundId: null,
      amountMinor: 100,
      currency: 'JPY',
      detail: 'refund for <https://evil.example|order> by <@U123>',
    });
    await t.desk.slack!.postDeadJob({
      name: 'digests.run-due',
      attempts: 5,
      error: 'merchant <!everyone> failed',
      failedAt: new Date().toISOString(),
    });
    for (const call of slack.calls.slice(before)) {
      const all = `${String(call.args.text)}${JSON.stringify(call.args.blocks ?? '')}`;
      expect(live(all), all).toEqual([]);
    }
    expect(JSON.stringify(slack.calls.slice(before).map((c) => c.args))).toContain('&lt;!everyone&gt;');
  });
});
