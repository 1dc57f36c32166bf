// Four-eyes approval (issue 22) through Bolt's HTTP receiver with requests signed as Slack signs them:
// above SLACK_SECOND_APPROVAL_ABOVE_MINOR (here CNY:5000, ¥50.00) the first agent's approval waits for
// a second desk member, never the same person; only then does the refund run, once. PostgreSQL and
// Redis are real; the Web API is a local recorder.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { product, uid } from '../helpers/events.ts';
import { seedShop } from '../helpers/refunds.ts';
import { postgresUp, redisUp } from '../helpers/services.ts';
import {
  appealTicket as appealTicketOf,
  blockAction,
  sendToSlackEndpoint,
  SLACK,
  SlackRecorder,
  slackEnv,
  until,
} from '../helpers/slack.ts';
import { startTestDesk, type TestDesk } from '../helpers/test-desk.ts';

const FORM = 'application/x-www-form-urlencoded';
const [A, B] = SLACK.members as [string, string];
// A third desk member, so that two people can race to be the second approver.
const C = 'UAGENT0003';

describe.skipIf(!postgresUp || !redisUp)('Slack four-eyes approval', () => {
  const slack = new SlackRecorder();
  let t: TestDesk;
  let url: string;
  let shop: Awaited<ReturnType<typeof seedShop>>;

  beforeAll(async () => {
    SLACK.members.push(C);
    await slack.start();
    t = await startTestDesk({
      store: 'postgres',
      redis: true,
      env: slackEnv(slack, { SLACK_SECOND_APPROVAL_ABOVE_MINOR: 'CNY:5000,USD:10000' }),
    });
    shop = await seedShop(t);
    url = await t.desk.listen();
  }, 120_000);
  afterAll(async () => {
    SLACK.members.splice(SLACK.members.indexOf(C), 1);
    await t?.stop();
    await slack.stop();
  });

  const prisma = () => t.desk.db.prisma;
  const click = (p: Parameters<typeof blockAction>[0]) => sendToSlackEndpoint(url, blockAction(p), FORM);
  const ephemeralsTo = (user: string, since: number) =>
    slack.calls.slice(since).filter((c) => c.method === 'chat.postEphemeral' && c.args.user === user);

  /** What the desk tells `user` (its one ephemeral answer) after `act`, which `user` performs. */
  async function answerTo(user: string, act: () => Promise<unknown>): Promise<string> {
    const since = slack.calls.length;
    await act();
    const told = await until(
      () => ephemeralsTo(user, since),
      (c) => c.length === 1,
    );
    return String(told[0]!.args.text);
  }
  const confirm = (user: string, ticket: { handoff: { id: string }; ts: string }, approval: { id: string }) =>
    click({ user, actionId: 'ticket.second_confirm', value: `${ticket.handoff.id}|${approval.id}`, messageTs: ticket.ts });

  /** The partial-refund modal submitted by `user` with `amount` (as typed, in the order's currency). */
  const submitPartial = (user: string, handoffId: string, amount: string) =>
    sendToSlackEndpoint(
      url,
      `payload=${encodeURIComponent(
        JSON.stringify({
          type: 'view_submission',
          user: { id: user, username: 'agent', name: 'agent', team_id: 'T00000001' },
          api_app_id: 'A00000001',
          team: { id: 'T00000001', domain: 'shop' },
          trigger_id: 'trigger.view',
          view: {
            id: 'V9',
            type: 'modal',
            callback_id: 'ticket.partial',
            private_metadata: handoffId,
            state: { values: { amount: { value: { type: 'plain_text_input', value: amount } } } },
            hash: 'h',
          },
        }),
      )}`,
      FORM,
    );

  const appealTicket = (order: Parameters<typeof appealTicketOf>[2] = {}) => appealTicketOf(t, shop, order);

  /** The first agent approves in full; the approval is recorded as waiting and the thread asks for a second. */
  async function firstApproval(ticket: Awaited<ReturnType<typeof appealTicket>>, agent = A) {
    await click({ user: agent, actionId: 'ticket.approve', value: ticket.handoff.id, messageTs: ticket.ts });
    const approval = await until(
      () => prisma().secondApproval.findFirst({ where: { refundRequestId: ticket.requestId } }),
      (a) => a !== null,
    );
    await until(
      () =>
        slack
          .of('chat.postMessage')
          .filter((c) => c.args.thread_ts === ticket.ts && JSON.stringify(c.args.blocks ?? '').includes('ticket.second_confirm')),
      (c) => c.length === 1,
    );
    return approval!;
  }

  it('does not let the approving agent be the second approver; another desk member confirms, and the ticket and the decision name both', async () => {
    const ticket = await appealTicket();
    const approval = await firstApproval(ticket);
    expect(approval).toMatchObject({ status: 'awaiting', firstAgentId: A, amountMinor: 9900, currency: 'CNY' });
    const thread = slack
      .of('chat.postMessage')
      .find((c) => c.args.thread_ts === ticket.ts && String(c.args.text).includes('second-approval limit'))!;
    expect(thread.args.text).toContain(`<@${A}> approved CN¥99.00, above the second-approval limit of CN¥50.00`);
    // Nothing is paid yet; the request stays as it was and its ticket open (the SLA keeps running); the ticket says so.
    expect(await prisma().refund.count({ where: { orderId: ticket.orderId } })).toBe(0);
    expect((await prisma().refundRequest.findUniqueOrThrow({ where: { id: ticket.requestId } })).status).toBe('rejected');
    expect((await prisma().handoff.findUniqueOrThrow({ where: { id: ticket.handoff.id } })).status).toBe('claimed');
    const waiting = await until(
      () =>
        slack
          .of('chat.update')
          .filter((c) => c.args.ts === ticket.ts && JSON.stringify(c.args.blocks).includes('waiting for a second desk member')),
      (c) => c.length >= 1,
    );
    const waitingBlocks = JSON.stringify(waiting.at(-1)!.args.blocks);
    expect(waitingBlocks).toContain('ticket.second_confirm');
    expect(waitingBlocks).not.toContain('"ticket.approve"');

    // The same agent confirming their own approval is refused, and so is approving it again.
    expect(await answerTo(A, () => confirm(A, ticket, approval))).toContain('another desk member must confirm it');
    expect(
      await answerTo(A, () => click({ user: A, actionId: 'ticket.approve', value: ticket.handoff.id, messageTs: ticket.ts })),
    ).toContain('already waits for a second desk member');
    expect(await prisma().refund.count({ where: { orderId: ticket.orderId } })).toBe(0);
    expect(await prisma().secondApproval.count({ where: { refundRequestId: ticket.requestId } })).toBe(1);

    // Someone outside the desk cannot confirm either.
    await answerTo(SLACK.outsider, () => confirm(SLACK.outsider, ticket, approval));
    expect(await prisma().refund.count({ where: { orderId: ticket.orderId } })).toBe(0);

    // A second desk member confirms: the refund runs once.
    await confirm(B, ticket, approval);
    await until(
      () => prisma().refundRequest.findUniqueOrThrow({ where: { id: ticket.requestId } }),
      (r) => r.status === 'refunded',
    );
    expect(await prisma().refund.findMany({ where: { orderId: ticket.orderId } })).toEqual([
      expect.objectContaining({ status: 'succeeded', amountMinor: 9900 }),
    ]);
    expect(await prisma().secondApproval.findUniqueOrThrow({ where: { id: approval.id } })).toMatchObject({
      status: 'confirmed',
      secondAgentId: B,
      awaitingKey: null,
    });
    const decision = await prisma().decision.findFirstOrThrow({
      where: { refundRequestId: ticket.requestId, actor: { startsWith: 'agent:' } },
    });
    expect(decision.facts).toMatchObject({ agent: A, secondApprover: B, approvers: [A, B] });
    expect(JSON.stringify(decision.rules)).toContain(`approved by ${A.toLowerCase()}, confirmed by ${B.toLowerCase()}`);
    const resolved = await until(
      () => slack.of('chat.update').filter((c) => c.args.ts === ticket.ts && JSON.stringify(c.args.blocks).includes('confirmed by')),
      (c) => c.length >= 1,
    );
    expect(JSON.stringify(resolved.at(-1)!.args.blocks)).toContain(`approved by <@${A}> · confirmed by <@${B}>`);
    await until(
      () =>
        slack
          .of('chat.postMessage')
          .filter(
            (c) => c.args.thread_ts === ticket.ts && String(c.args.text).includes(`<@${A}> approved and <@${B}> confirmed the request`),
          ),
      (c) => c.length === 1,
    );
  });

  it('gives one refund when two desk members confirm at once, and tells the slower one', async () => {
    const ticket = await appealTicket();
    const approval = await firstApproval(ticket);
    const since = slack.calls.length;
    const responses = await Promise.all([B, C].map((user) => confirm(user, ticket, approval)));
    expect(responses.map((r) => r.status)).toEqual([200, 200]);
    await until(
      () => prisma().refundRequest.findUniqueOrThrow({ where: { id: ticket.requestId } }),
      (r) => r.status === 'refunded',
    );
    const settled = await prisma().secondApproval.findUniqueOrThrow({ where: { id: approval.id } });
    const loser = settled.secondAgentId === B ? C : B;
    expect([B, C]).toContain(settled.secondAgentId);
    expect(
      (
        await until(
          () => ephemeralsTo(loser, since),
          (c) => c.length === 1,
        )
      )[0]!.args.text,
    ).toContain(`Already confirmed by <@${settled.secondAgentId}>`);
    expect(await prisma().refund.count({ where: { orderId: ticket.orderId } })).toBe(1);
    expect(await prisma().decision.count({ where: { refundRequestId: ticket.requestId, actor: { startsWith: 'agent:' } } })).toBe(1);
  });

  it('lets the second desk member reject instead: no refund, and the frozen commissions are released', async () => {
    const ticket = await appealTicket();
    const approval = await firstApproval(ticket);
    await click({ user: B, actionId: 'ticket.second_reject', selected: `${ticket.handoff.id}|${approval.id}|used`, messageTs: ticket.ts });
    await until(
      () => prisma().refundRequest.findUniqueOrThrow({ where: { id: ticket.requestId } }),
      (r) => r.closedAt !== null,
    );
    expect(await prisma().refundRequest.findUniqueOrThrow({ where: { id: ticket.requestId } })).toMatchObject({
      status: 'rejected',
      activeOrderKey: null,
    });
    expect(await prisma().refund.count({ where: { orderId: ticket.orderId } })).toBe(0);
    expect(await prisma().secondApproval.findUniqueOrThrow({ where: { id: approval.id } })).toMatchObject({
      status: 'rejected',
      secondAgentId: B,
      rejection: 'used',
    });
    const entries = await prisma().commissionEntry.findMany({ where: { orderId: ticket.orderId } });
    expect(entries.filter((e) => e.kind === 'released').length).toBeGreaterThan(0);
    expect(entries.filter((e) => e.kind === 'released').length).toBe(entries.filter((e) => e.kind === 'frozen').length);
    const decision = await prisma().decision.findFirstOrThrow({ where: { refundRequestId: ticket.requestId, actor: `agent:${B}` } });
    expect(decision.facts).toMatchObject({ agent: B, approvalOf: A, template: 'used' });
    // A confirmation arriving afterwards pays nothing.
    expect(await answerTo(C, () => confirm(C, ticket, approval))).toContain('Already rejected');
    expect(await prisma().refund.count({ where: { orderId: ticket.orderId } })).toBe(0);
  });

  it('ends a waiting approval when its ticket goes back to the bot: a later confirmation pays nothing', async () => {
    const ticket = await appealTicket();
    const approval = await firstApproval(ticket);
    // A holds the ticket (approving claimed it) and hands the buyer back to the bot.
    await click({ user: A, actionId: 'ticket.return', value: ticket.handoff.id, messageTs: ticket.ts });
    await until(
      () => prisma().handoff.findUniqueOrThrow({ where: { id: ticket.handoff.id } }),
      (h) => h.status === 'returned',
    );
    expect(await prisma().secondApproval.findUniqueOrThrow({ where: { id: approval.id } })).toMatchObject({
      status: 'cancelled',
      awaitingKey: null,
      secondAgentId: A,
    });
    // B presses Confirm on the thread's (now stale) buttons: nothing is paid, and B is told why.
    expect(await answerTo(B, () => confirm(B, ticket, approval))).toContain('returned the ticket to the bot. Nothing was paid.');
    expect(await prisma().refund.count({ where: { orderId: ticket.orderId } })).toBe(0);
    expect(await prisma().decision.count({ where: { refundRequestId: ticket.requestId, actor: { startsWith: 'agent:' } } })).toBe(0);
    expect((await prisma().secondApproval.findUniqueOrThrow({ where: { id: approval.id } })).status).toBe('cancelled');
  });

  it('closes a waiting approval when the plain Reject of an older ticket message refuses the request', async () => {
    const ticket = await appealTicket();
    const approval = await firstApproval(ticket);
    // The ticket message posted before the approval still carries the plain Reject… menu.
    await click({ user: A, actionId: 'ticket.reject', selected: `${ticket.handoff.id}|used`, messageTs: ticket.ts });
    await until(
      () => prisma().refundRequest.findUniqueOrThrow({ where: { id: ticket.requestId } }),
      (r) => r.closedAt !== null,
    );
    expect(await prisma().secondApproval.findUniqueOrThrow({ where: { id: approval.id } })).toMatchObject({
      status: 'rejected',
      awaitingKey: null,
      secondAgentId: A,
      rejection: 'used',
    });
    const decision = await prisma().decision.findFirstOrThrow({ where: { refundRequestId: ticket.requestId, actor: `agent:${A}` } });
    expect(decision.facts).toMatchObject({ agent: A, approvalOf: A, template: 'used' });
    // A confirmation arriving afterwards pays nothing and leaves the approval rejected.
    expect(await answerTo(B, () => confirm(B, ticket, approval))).toContain('Already rejected');
    expect(await prisma().refund.count({ where: { orderId: ticket.orderId } })).toBe(0);
    expect((await prisma().secondApproval.findUniqueOrThrow({ where: { id: approval.id } })).status).toBe('rejected');
  });

  it('refuses a smaller partial approved alone while a larger approval of the request waits', async () => {
    const ticket = await appealTicket();
    const approval = await firstApproval(ticket);
    // The approving agent (holding the ticket) now submits ¥40.00, below the limit, from the modal.
    const told = await answerTo(A, async () => expect((await submitPartial(A, ticket.handoff.id, '40')).status).toBe(200));
    expect(told).toContain('waits for a second desk member');
    expect(await prisma().refund.count({ where: { orderId: ticket.orderId } })).toBe(0);
    expect((await prisma().secondApproval.findUniqueOrThrow({ where: { id: approval.id } })).status).toBe('awaiting');
  });

  it('runs at once at or below the limit, and for a currency the variable does not list', async () => {
    // A partial ¥40.00 on a ¥99.00 order: below ¥50.00, one approval is enough.
    const small = await appealTicket();
    await click({ user: A, actionId: 'ticket.approve_partial', value: small.handoff.id, messageTs: small.ts });
    expect((await submitPartial(A, small.handoff.id, '40')).status).toBe(200);
    await until(
      () => prisma().refund.findFirst({ where: { orderId: small.orderId } }),
      (r) => r?.status === 'succeeded',
    );
    expect(await prisma().secondApproval.count({ where: { refundRequestId: small.requestId } })).toBe(0);

    // ¥100,000 on a JPY order: JPY is not listed, so it has no second approval.
    const jpy = uid('p');
    expect(
      (await t.postEvent(product(jpy, shop.merchant, { title: 'Photoshop 講座', priceMinor: 100_000, currency: 'JPY' }))).statusCode,
    ).toBe(200);
    const yen = await appealTicket({ productId: jpy, currency: 'JPY', amountMinor: 100_000 });
    await click({ user: A, actionId: 'ticket.approve', value: yen.handoff.id, messageTs: yen.ts });
    await until(
      () => prisma().refund.findFirst({ where: { orderId: yen.orderId } }),
      (r) => r?.status === 'succeeded',
    );
    expect(await prisma().secondApproval.count({ where: { refundRequestId: yen.requestId } })).toBe(0);
  });

  it('keeps the SLA running: an approval left waiting is reminded about once in its thread', async () => {
    const ticket = await appealTicket();
    const approval = await firstApproval(ticket);
    expect(await t.desk.slack!.fourEyes!.checkSla()).toBe(0);
    await prisma().secondApproval.update({ where: { id: approval.id }, data: { createdAt: new Date(Date.now() - 20 * 60_000) } });
    expect(await t.desk.slack!.fourEyes!.checkSla()).toBe(1);
    expect(await t.desk.slack!.fourEyes!.checkSla()).toBe(0);
    const reminder = slack.of('chat.postMessage').filter((c) => c.args.thread_ts === ticket.ts && String(c.args.text).startsWith('⏰'));
    expect(reminder).toHaveLength(1);
    expect(reminder[0]!.args.text).toMatch(/<!here> .*waiting for a second desk member to confirm for 20 min/);
  });
});
