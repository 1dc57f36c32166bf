// Buyer satisfaction after every case (issue 22), end to end: a guide that solved a Telegram buyer's
// problem (automated) and a refund an agent approved with a signed Slack click for an English widget
// buyer (human) are each asked about once, in the buyer's chat and language, with 1–5 buttons; the
// answers are kept per request and per agent and show up in the merchant's report by outcome and by
// automated vs human handling. Bad answers (a score out of range, free text, a second rating) change
// nothing. PostgreSQL and Redis are real; Telegram is a fake Bot API, Slack a local recorder.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ServerFrame } from '../../src/channels/widget/widget-protocol.ts';
import { SATISFACTION_ASK, SATISFACTION_TEXTS } from '../../src/conversation/texts.ts';
import { buyer as buyerEvent } from '../helpers/events.ts';
import { FakeTelegramApi } from '../helpers/fake-telegram-api.ts';
import { telegramUpdates } from '../helpers/telegram-updates.ts';
import { api as apiCall, freshBuyer, newOrder, requestRefund, seedShop } from '../helpers/refunds.ts';
import { postgresUp, redisUp } from '../helpers/services.ts';
import { blockAction, sendToSlackEndpoint, SLACK, SlackRecorder, slackEnv, until } from '../helpers/slack.ts';
import { startTestDesk, type TestDesk } from '../helpers/test-desk.ts';
import { WidgetClient } from '../helpers/widget-client.ts';

const TOKEN = '123456:TEST-satisfaction';
type Msg = Extract<ServerFrame, { type: 'message' }>;

const update = telegramUpdates(9_000);

describe.skipIf(!postgresUp || !redisUp)('buyer satisfaction after a case', () => {
  const telegram = new FakeTelegramApi();
  const slack = new SlackRecorder();
  let t: TestDesk;
  let url: string;
  let shop: Awaited<ReturnType<typeof seedShop>>;
  const sockets: WidgetClient[] = [];
  const from = new Date(Date.now() - 3_600_000);

  beforeAll(async () => {
    await telegram.start();
    await slack.start();
    t = await startTestDesk({
      store: 'postgres',
      redis: true,
      env: { TELEGRAM_BOT_TOKEN: TOKEN, TELEGRAM_API_ROOT: telegram.url, ...slackEnv(slack) },
    });
    shop = await seedShop(t);
    url = await t.desk.listen();
  }, 120_000);
  afterAll(async () => {
    for (const s of sockets) s.close();
    await t?.stop();
    await slack.stop();
    await telegram.stop();
  });

  const prisma = () => t.desk.db.prisma;
  const press = (chatId: number, data: string) => t.desk.telegram!.handleUpdate(update(chatId, { data }) as never);
  const say = (chatId: number, text: string) => t.desk.telegram!.handleUpdate(update(chatId, { text }) as never);
  const lastTo = (chatId: number) => telegram.sentTo(String(chatId)).at(-1)!;
  /** As if the minute after the case ended had passed (the survey waits for the case's last messages). */
  const endedAMinuteAgo = (requestId: string) =>
    prisma().refundRequest.update({ where: { id: requestId }, data: { closedAt: new Date(Date.now() - 2 * 60_000) } });

  let telegramCase: { chatId: number; requestId: string; ratingId: string };

  it('asks a Telegram buyer whose problem a guide solved once, in Chinese, with 1–5 buttons; refuses a score out of range and free text', async () => {
    const ids = await freshBuyer(t, shop);
    const chatId = 820_000_001;
    const { token } = await t.desk.chatTokens.issue(ids.buyer);
    await say(chatId, `/start ${token}`);
    const orderId = await newOrder(t, ids, { minutesAgo: 120 });
    await press(chatId, `order:${orderId}`);
    await press(chatId, 'reason:cannot_use');
    expect(lastTo(chatId).buttons).toEqual(['guide:solved', 'guide:unsolved']);
    await press(chatId, 'guide:solved');
    const request = await prisma().refundRequest.findFirstOrThrow({ where: { orderId } });
    expect(request).toMatchObject({ status: 'cancelled', outcome: 'troubleshoot' });

    // Not within the first minute after the case ended; then once, however often the job runs.
    await t.desk.satisfaction.askDue();
    expect(await prisma().satisfactionRating.count({ where: { caseKey: request.id } })).toBe(0);
    await endedAMinuteAgo(request.id);
    await t.desk.satisfaction.askDue();
    await t.desk.satisfaction.askDue();
    const asked = telegram.sentTo(String(chatId)).filter((m) => m.text === SATISFACTION_ASK.guide_solved.zh);
    expect(asked).toHaveLength(1);
    const rating = await prisma().satisfactionRating.findUniqueOrThrow({ where: { caseKey: request.id } });
    expect(rating).toMatchObject({
      status: 'asked',
      outcome: 'guide_solved',
      handledBy: 'automated',
      agentId: null,
      channel: 'telegram',
      locale: 'zh',
      refundRequestId: request.id,
      merchantId: shop.merchant,
    });
    expect(asked[0]!.buttons).toEqual([1, 2, 3, 4, 5].map((n) => `rate:${rating.id}:${n}`));

    // A score out of range is asked again; free text where the buttons were offered is no rating.
    await press(chatId, `rate:${rating.id}:7`);
    expect(lastTo(chatId).text).toBe(SATISFACTION_TEXTS.ratingOutOfRange.zh);
    expect(lastTo(chatId).buttons).toHaveLength(5);
    await press(chatId, `rate:${rating.id}:0`);
    await say(chatId, '还行吧');
    expect((await prisma().satisfactionRating.findUniqueOrThrow({ where: { id: rating.id } })).score).toBeNull();
    telegramCase = { chatId, requestId: request.id, ratingId: rating.id };
  });

  it('takes the rating once, then an optional comment; a second rating changes nothing', async () => {
    const { chatId, ratingId } = telegramCase;
    await press(chatId, `rate:${ratingId}:4`);
    expect(lastTo(chatId).text).toBe(SATISFACTION_TEXTS.ratingThanks.zh);
    await say(chatId, '步骤写得很清楚');
    expect(lastTo(chatId).text).toBe(SATISFACTION_TEXTS.ratingCommentThanks.zh);
    await press(chatId, `rate:${ratingId}:1`);
    expect(lastTo(chatId).text).toBe(SATISFACTION_TEXTS.ratingAlready.zh);
    // A typed digit once nothing is open is no rating either.
    await say(chatId, '5');
    expect(await prisma().satisfactionRating.findUniqueOrThrow({ where: { id: ratingId } })).toMatchObject({
      status: 'rated',
      score: 4,
      comment: '步骤写得很清楚',
    });
    // Someone else's rating button (a forged callback) is not theirs to answer.
    const other = await freshBuyer(t, shop);
    const otherChat = 820_000_002;
    await say(otherChat, `/start ${(await t.desk.chatTokens.issue(other.buyer)).token}`);
    await press(otherChat, `rate:${ratingId}:1`);
    expect(lastTo(otherChat).text).toBe(SATISFACTION_TEXTS.ratingGone.zh);
    expect((await prisma().satisfactionRating.findUniqueOrThrow({ where: { id: ratingId } })).score).toBe(4);
  });

  it('asks an English widget buyer after an agent approved with a signed Slack click, keeps the agent, and shows both in the report', async () => {
    const ids = await freshBuyer(t, shop);
    await t.postEvent(buyerEvent(ids.buyer, { uplineId: ids.member, locale: 'en' }));
    const socket = await WidgetClient.connect(url);
    sockets.push(socket);
    socket.send({ type: 'hello', token: (await t.desk.chatTokens.issue(ids.buyer)).token, device: 'dev_csat' });
    await socket.waitFor((f) => f.type === 'ready');
    socket.send({ type: 'message', id: 'c-hi', text: 'Hello there' });
    await socket.waitFor<Msg>((f) => f.type === 'message' && f.direction === 'out', { from: 1 });

    // M22: refused by the policy, appealed; an agent approves in Slack.
    const orderId = await newOrder(t, ids, { minutesAgo: 120, progress: 0.2 });
    const r = await requestRefund(t, {
      orderId,
      buyerId: ids.buyer,
      reasonCode: 'unsatisfied',
      reasonText: 'Not what the page said',
      channel: 'api',
    });
    expect(r.json()).toMatchObject({ status: 'rejected', handoff: { kind: 'appeal' } });
    const requestId = r.json().id as string;
    // A case a person still has is not asked about.
    await prisma().$executeRaw`UPDATE refund_requests SET "updatedAt" = ${new Date(Date.now() - 2 * 60_000)} WHERE id = ${requestId}`;
    await t.desk.satisfaction.askDue();
    expect(await prisma().satisfactionRating.count({ where: { caseKey: requestId } })).toBe(0);
    await t.desk.slack!.postNewTickets();
    const handoff = await prisma().handoff.findFirstOrThrow({ where: { refundRequestId: requestId } });
    await sendToSlackEndpoint(
      url,
      blockAction({ user: SLACK.members[0]!, actionId: 'ticket.approve', value: handoff.id, messageTs: handoff.slackTs! }),
      'application/x-www-form-urlencoded',
    );
    await until(
      () => prisma().refundRequest.findUniqueOrThrow({ where: { id: requestId } }),
      (x) => x.status === 'refunded',
    );
    await endedAMinuteAgo(requestId);

    const since = socket.frames.length;
    await t.desk.satisfaction.askDue();
    const [ask] = await socket.waitFor<Msg>((f) => f.type === 'message' && f.text === SATISFACTION_ASK.refunded.en, { from: since });
    const rating = await prisma().satisfactionRating.findUniqueOrThrow({ where: { caseKey: requestId } });
    expect(rating).toMatchObject({ outcome: 'refunded', handledBy: 'human', agentId: SLACK.members[0], channel: 'widget', locale: 'en' });
    expect(ask!.buttons.map((b) => b.action)).toEqual([1, 2, 3, 4, 5].map((n) => `rate:${rating.id}:${n}`));

    const pressed = socket.frames.length;
    socket.send({ type: 'action', id: 'c-rate', action: `rate:${rating.id}:2` });
    await socket.waitFor<Msg>((f) => f.type === 'message' && f.text === SATISFACTION_TEXTS.ratingThanks.en, { from: pressed });
    expect((await prisma().satisfactionRating.findUniqueOrThrow({ where: { id: rating.id } })).score).toBe(2);

    // A buyer with no chat the desk can reach is recorded, not asked (and not counted as asked).
    const silent = await freshBuyer(t, shop);
    const quick = await newOrder(t, silent, { minutesAgo: 5 });
    const refunded = await requestRefund(t, { orderId: quick, buyerId: silent.buyer, reasonCode: 'changed_mind', channel: 'api' });
    expect(refunded.json()).toMatchObject({ status: 'refunded' });
    await endedAMinuteAgo(refunded.json().id as string);
    await t.desk.satisfaction.askDue();
    expect(await prisma().satisfactionRating.findUniqueOrThrow({ where: { caseKey: refunded.json().id as string } })).toMatchObject({
      status: 'unreachable',
      channel: null,
    });

    // A policy refusal the buyer did not appeal is asked about as refused; a person's handoff without a
    // request, claimed and handed back in Slack, as resolved by that agent.
    const refusedBuyer = await freshBuyer(t, shop);
    const late = await newOrder(t, refusedBuyer, { minutesAgo: 60 * 24 * 30 });
    const refused = await requestRefund(t, { orderId: late, buyerId: refusedBuyer.buyer, reasonCode: 'changed_mind', channel: 'api' });
    expect(refused.json()).toMatchObject({ status: 'rejected' });
    expect(refused.json().handoff ?? null).toBeNull();
    const refusedId = refused.json().id as string;
    await prisma().$executeRaw`UPDATE refund_requests SET "updatedAt" = ${new Date(Date.now() - 2 * 60_000)} WHERE id = ${refusedId}`;
    await t.desk.satisfaction.askDue();
    expect(await prisma().satisfactionRating.findUniqueOrThrow({ where: { caseKey: refusedId } })).toMatchObject({
      outcome: 'refused',
      handledBy: 'automated',
      status: 'unreachable',
    });

    const person = await t.desk.db.prisma.handoff.create({
      data: { id: `ho_csat${Date.now()}`, buyerId: ids.buyer, kind: 'buyer_request', status: 'open', reason: 'buyer asked for a person' },
    });
    await t.desk.slack!.postNewTickets();
    const ticket = await prisma().handoff.findUniqueOrThrow({ where: { id: person.id } });
    const click = (actionId: string) =>
      sendToSlackEndpoint(
        url,
        blockAction({ user: SLACK.members[1]!, actionId, value: person.id, messageTs: ticket.slackTs! }),
        'application/x-www-form-urlencoded',
      );
    await click('ticket.claim');
    await until(
      () => prisma().handoff.findUniqueOrThrow({ where: { id: person.id } }),
      (h) => h.status === 'claimed',
    );
    await click('ticket.return');
    await until(
      () => prisma().handoff.findUniqueOrThrow({ where: { id: person.id } }),
      (h) => h.status === 'returned',
    );
    await prisma().handoff.update({ where: { id: person.id }, data: { resolvedAt: new Date(Date.now() - 2 * 60_000) } });
    const beforeAgentCase = socket.frames.length;
    await t.desk.satisfaction.askDue();
    await socket.waitFor<Msg>((f) => f.type === 'message' && f.text === SATISFACTION_ASK.agent_resolved.en, { from: beforeAgentCase });
    const agentCase = await prisma().satisfactionRating.findUniqueOrThrow({ where: { caseKey: person.id } });
    expect(agentCase).toMatchObject({
      outcome: 'agent_resolved',
      handledBy: 'human',
      agentId: SLACK.members[1],
      handoffId: person.id,
      refundRequestId: null,
    });
    // Typed instead of pressed: a lone digit answers the open question.
    const typed = socket.frames.length;
    socket.send({ type: 'message', id: 'c-typed', text: '5' });
    // (Said a second time in this chat, so with the "To repeat:" the bot puts before a repeated reply.)
    await socket.waitFor<Msg>(
      (f) => f.type === 'message' && f.direction === 'out' && (f.text ?? '').endsWith(SATISFACTION_TEXTS.ratingThanks.en),
      { from: typed },
    );
    expect((await prisma().satisfactionRating.findUniqueOrThrow({ where: { id: agentCase.id } })).score).toBe(5);

    const report = await apiCall(
      t,
      'GET',
      `/v1/merchants/${shop.merchant}/report?from=${from.toISOString()}&to=${new Date(Date.now() + 60_000).toISOString()}`,
    );
    expect(report.statusCode).toBe(200);
    // The agent-resolved case has no order, so no merchant: the merchant's report has the two others.
    expect(report.json().figures.satisfaction).toEqual({
      asked: 2,
      rated: 2,
      average: 3,
      byOutcome: [
        { outcome: 'refunded', rated: 1, average: 2 },
        { outcome: 'guide_solved', rated: 1, average: 4 },
      ],
      byHandling: { automated: { rated: 1, average: 4 }, human: { rated: 1, average: 2 } },
    });
  });
});
