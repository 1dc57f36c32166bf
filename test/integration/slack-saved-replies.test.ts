// Saved replies (issue 22) through Bolt's HTTP receiver with requests signed as Slack signs them: the
// ticket's "Saved reply…" menu and the /refund-reply slash command send a bilingual text of
// intents/saved-replies/ to the buyer's widget chat in the buyer's language. PostgreSQL and Redis are real.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ServerFrame } from '../../src/channels/widget/widget-protocol.ts';
import { loadSavedReplies, type SavedReplyBook } from '../../src/conversation/saved-replies.ts';
import { buyer as buyerEvent } from '../helpers/events.ts';
import { freshBuyer, newOrder, seedShop } from '../helpers/refunds.ts';
import { postgresUp, redisUp } from '../helpers/services.ts';
import { blockAction, sendToSlackEndpoint, SLACK, SlackRecorder, slackEnv, until } from '../helpers/slack.ts';
import { startTestDesk, type TestDesk } from '../helpers/test-desk.ts';
import { WidgetClient } from '../helpers/widget-client.ts';

const FORM = 'application/x-www-form-urlencoded';
type Msg = Extract<ServerFrame, { type: 'message' }>;
const [A, B] = SLACK.members as [string, string];

/** A slash command as Slack delivers it (form-encoded). */
function slashCommand(user: string, text: string): string {
  return new URLSearchParams({
    token: 'legacy',
    team_id: 'T00000001',
    team_domain: 'shop',
    channel_id: SLACK.deskChannel,
    channel_name: 'refund-desk',
    user_id: user,
    user_name: user.toLowerCase(),
    command: '/refund-reply',
    text,
    api_app_id: 'A00000001',
    response_url: 'https://hooks.slack.invalid/commands/1',
    trigger_id: `trigger.cmd.${Math.random()}`,
  }).toString();
}

describe.skipIf(!postgresUp || !redisUp)('Slack saved replies', () => {
  const slack = new SlackRecorder();
  let t: TestDesk;
  let url: string;
  let shop: Awaited<ReturnType<typeof seedShop>>;
  let book: SavedReplyBook;
  const sockets: WidgetClient[] = [];

  beforeAll(async () => {
    await slack.start();
    t = await startTestDesk({ store: 'postgres', redis: true, env: slackEnv(slack) });
    shop = await seedShop(t);
    book = await loadSavedReplies();
    url = await t.desk.listen();
  }, 120_000);
  afterAll(async () => {
    for (const s of sockets) s.close();
    await t?.stop();
    await slack.stop();
  });

  const prisma = () => t.desk.db.prisma;
  const reply = (id: string) => book.replies.find((r) => r.id === id)!;

  /** A buyer in the widget who asks for a person, in their language: a ticket in Slack. */
  async function buyerAsksForPerson(locale: 'zh' | 'en') {
    const ids = await freshBuyer(t, shop);
    if (locale === 'en') await t.postEvent(buyerEvent(ids.buyer, { uplineId: ids.member, locale: 'en' }));
    await newOrder(t, ids, { minutesAgo: 12 });
    const { token } = await t.desk.chatTokens.issue(ids.buyer);
    const socket = await WidgetClient.connect(url);
    sockets.push(socket);
    socket.send({ type: 'hello', token, device: `dev_saved_${locale}` });
    await socket.waitFor((f) => f.type === 'ready');
    socket.send({ type: 'message', id: 'c-person', text: locale === 'zh' ? '转人工' : 'I want to talk to a person' });
    await socket.waitFor<Msg>((f) => f.type === 'message' && f.direction === 'out', { from: 1 });
    await t.desk.slack!.postNewTickets();
    const handoff = await until(
      () => prisma().handoff.findFirst({ where: { buyerId: ids.buyer, kind: 'buyer_request' } }),
      (h) => h?.slackTs != null,
    );
    return { ids, socket, handoff: handoff!, ts: handoff!.slackTs! };
  }

  it('offers the saved replies on the ticket and sends the chosen one to the buyer in Chinese, claiming the ticket on the way', async () => {
    const { socket, handoff, ts } = await buyerAsksForPerson('zh');
    const posted = slack
      .of('chat.postMessage')
      .find((c) => c.args.ts === undefined && JSON.stringify(c.args.blocks ?? '').includes(handoff.id))!;
    const blocks = JSON.stringify(posted.args.blocks);
    expect(blocks).toContain('ticket.reply');
    for (const r of book.replies) expect(blocks).toContain(`${handoff.id}|${r.id}`);

    const from = socket.frames.length;
    await sendToSlackEndpoint(
      url,
      blockAction({ user: A, actionId: 'ticket.reply', selected: `${handoff.id}|need-screenshot`, messageTs: ts }),
      FORM,
    );
    const [sent] = await socket.waitFor<Msg>((f) => f.type === 'message' && f.direction === 'agent', { from });
    expect(sent!.text).toBe(reply('need-screenshot').text.zh);
    expect(await prisma().handoff.findUniqueOrThrow({ where: { id: handoff.id } })).toMatchObject({ status: 'claimed', assigneeId: A });
    await until(
      () =>
        slack
          .of('chat.postMessage')
          .filter((c) => c.args.thread_ts === ts && String(c.args.text).includes('sent the saved reply “Ask for a screenshot”')),
      (c) => c.length === 1,
    );

    // Another agent cannot speak over the one who holds it.
    const before = slack.calls.length;
    await sendToSlackEndpoint(
      url,
      blockAction({ user: B, actionId: 'ticket.reply', selected: `${handoff.id}|closing`, messageTs: ts }),
      FORM,
    );
    const told = await until(
      () => slack.calls.slice(before).filter((c) => c.method === 'chat.postEphemeral' && c.args.user === B),
      (c) => c.length === 1,
    );
    expect(told[0]!.args.text).toContain(`claimed by <@${A}>`);
  });

  it('sends it in English to an English-speaking buyer through /refund-reply', async () => {
    const { socket, handoff, ts } = await buyerAsksForPerson('en');
    const from = socket.frames.length;
    const r = await sendToSlackEndpoint(url, slashCommand(A, `${handoff.id} refund-timing`), FORM);
    expect(r.status).toBe(200);
    const [sent] = await socket.waitFor<Msg>((f) => f.type === 'message' && f.direction === 'agent', { from });
    expect(sent!.text).toBe(reply('refund-timing').text.en);
    await until(
      () => slack.of('chat.postMessage').filter((c) => c.args.thread_ts === ts && String(c.args.text).includes('“When the money arrives”')),
      (c) => c.length === 1,
    );
    // The conversation keeps it, as the agent's.
    const stored = await prisma().message.findFirst({ where: { direction: 'agent', text: reply('refund-timing').text.en } });
    expect(stored).not.toBeNull();
  });

  it('answers a template id that does not exist, a malformed command and an outsider with a reason, sending nothing', async () => {
    const { socket, handoff, ts } = await buyerAsksForPerson('zh');
    const from = socket.frames.length;
    const unknown = await sendToSlackEndpoint(url, slashCommand(A, `${handoff.id} no-such-reply`), FORM);
    expect(await unknown.json()).toMatchObject({
      response_type: 'ephemeral',
      text: expect.stringContaining('There is no saved reply `no-such-reply`'),
    });
    const malformed = await sendToSlackEndpoint(url, slashCommand(A, 'refund-timing'), FORM);
    expect(await malformed.json()).toMatchObject({ text: expect.stringContaining('Usage: `/refund-reply <ticket id> <reply id>`') });
    const help = await sendToSlackEndpoint(url, slashCommand(A, ''), FORM);
    expect(((await help.json()) as { text: string }).text).toContain('`looking-into-it`');
    const outsider = await sendToSlackEndpoint(url, slashCommand(SLACK.outsider, `${handoff.id} refund-timing`), FORM);
    expect(((await outsider.json()) as { text: string }).text).toContain('Only members of the refund desk channel');

    // The menu with a forged option value: told, nothing sent.
    const before = slack.calls.length;
    await sendToSlackEndpoint(
      url,
      blockAction({ user: A, actionId: 'ticket.reply', selected: `${handoff.id}|forged`, messageTs: ts }),
      FORM,
    );
    const told = await until(
      () => slack.calls.slice(before).filter((c) => c.method === 'chat.postEphemeral' && c.args.user === A),
      (c) => c.length === 1,
    );
    expect(told[0]!.args.text).toContain('There is no saved reply `forged`');
    // A ticket id that does not exist.
    await sendToSlackEndpoint(url, slashCommand(A, 'ho_doesnotexist refund-timing'), FORM);
    await until(
      () =>
        slack.calls.slice(before).filter((c) => c.method === 'chat.postEphemeral' && String(c.args.text).includes('There is no ticket')),
      (c) => c.length === 1,
    );
    await new Promise((r) => setTimeout(r, 200));
    expect(socket.frames.slice(from).filter((f) => f.type === 'message' && f.direction === 'agent')).toEqual([]);
    expect((await prisma().handoff.findUniqueOrThrow({ where: { id: handoff.id } })).status).toBe('open');
  });
});
