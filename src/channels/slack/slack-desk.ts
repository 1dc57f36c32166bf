// The agent desk in Slack (M16, M26, M30), on @slack/bolt with its HTTP receiver mounted at
// /slack/events on the desk's own port (slack-route.ts). Bolt checks every request's signature.
//
//   tickets   every handoff is posted once to SLACK_DESK_CHANNEL (a lease per handoff, so several
//             instances never both post it) and kept up to date in place (chat.update)
//   claim     one guarded update: of two agents clicking at once one wins, the other is told who did
//   decide    Approve (full or partial) and Reject go through AgentDecisions, the refund workflow's
//             guarded path: a repeated click or a retried delivery executes once
//   relay     the assignee's thread replies go to the buyer's chat (Telegram or widget); `note:` stays
//             in Slack; the buyer's messages are posted to the thread; Return to bot hands back
//   SLA       an unclaimed ticket gets a reminder, then an escalation; the buyer hears roughly when
//   risk      risk alerts go to SLACK_RISK_CHANNEL
// Only members of the desk channel (or SLACK_DESK_USERGROUP) may act; others are told no. Those guards
// are Bolt middleware (middleware.ts). The ticket's state and its life (lease, claim, return, SLA marks)
// belong to handoffs/: this adapter reads and writes no table, it renders and replies.
//
// Start-up: Bolt checks the bot token (auth.test) in `start()`, not in its constructor, so a Slack
// that does not answer cannot crash the desk: the composition root retries it (channel-starter.ts).
// Until it succeeds, /slack/events answers 503 (Slack delivers events again later) and no ticket or
// SLA message is posted; tickets wait in the database and go out once Slack is up.
import { createRequire } from 'node:module';
import type { App, HTTPReceiver } from '@slack/bolt';
import type { BlockAction, ButtonAction, SlackActionMiddlewareArgs, StaticSelectAction, ViewSubmitAction, types } from '@slack/bolt';
import type { Cache } from '../../cache/index.ts';
import type { Config } from '../../config.ts';
import type { ChatDelivery } from '../../conversation/index.ts';
import type { AgentDesk } from '../../conversation/index.ts';
import { pickGuide, type GuideBook } from '../../conversation/index.ts';
import { say, waitingForPerson } from '../../conversation/index.ts';
import type { Locale, ProductCategory } from '../../domain/index.ts';
import { exampleAmount, formatMoney, minorUnitDigits, parseAmount } from '../../domain/index.ts';
import { DeskError } from '../../errors.ts';
import type { Logger } from '../../logger.ts';
import { REJECTION_TEMPLATES, type AgentDecisions, type AgentOutcome, type RejectionTemplate } from '../../refunds/index.ts';
import type { DeadJob } from '../../jobs/index.ts';
import type { PaymentAlert } from '../../payments/index.ts';
import type { SpikeAlert } from '../../risk/index.ts';
import type { ClaimResult, HandoffLifecycle } from '../../handoffs/index.ts';
import { actionParts, DEDUPE_TTL_MS, ticketGuards } from './middleware.ts';
import { codeSpan, escapeMrkdwn } from './mrkdwn.ts';
import { renderTicket } from './ticket.ts';
import type { DeskHooks, GuardedListener } from './desk-hooks.ts';
import { FourEyesDesk } from './four-eyes.ts';
import { SavedRepliesDesk } from './saved-replies.ts';
import { savedReplies } from '../../conversation/index.ts';
import type { SecondApprovals, TicketData } from '../../handoffs/index.ts';

type SlackConfig = NonNullable<Config['slack']>;

const MEMBERS_TTL_MS = 60_000;
const NOTE = /^\s*(note|备注)\s*[:：]/i;

export interface SlackDeskDeps {
  config: SlackConfig;
  handoffs: HandoffLifecycle;
  cache: Cache;
  log: Logger;
  decisions: AgentDecisions;
  delivery: ChatDelivery;
  guides: GuideBook;
  /** Four-eyes approval above SLACK_SECOND_APPROVAL_ABOVE_MINOR (issue 22); null: one approval is enough. */
  secondApprovals?: SecondApprovals | null;
  now?: () => Date;
}

// Bolt (~30 MB resident) is loaded when a SlackDesk is built (SLACK_BOT_TOKEN set), not by every process.
const require = createRequire(import.meta.url);

export class SlackDesk implements AgentDesk {
  readonly receiver: HTTPReceiver;
  readonly app: App;
  /** Four-eyes approval (issue 22), when configured. */
  readonly fourEyes: FourEyesDesk | null;
  /** Saved replies (issue 22): the ticket's menu and /refund-reply. */
  readonly savedReplies: SavedRepliesDesk;

  constructor(private readonly deps: SlackDeskDeps) {
    const { config, log } = deps;
    const { App, HTTPReceiver, LogLevel } = require('@slack/bolt') as typeof import('@slack/bolt');
    this.receiver = new HTTPReceiver({
      signingSecret: config.signingSecret,
      endpoints: '/slack/events',
      // Ack as soon as a handler calls ack(): work that follows (a refund) may take longer than Slack's 3 s.
      processBeforeResponse: false,
      logLevel: LogLevel.ERROR,
    });
    this.app = new App({
      token: config.botToken,
      receiver: this.receiver,
      logLevel: LogLevel.ERROR,
      // The token is checked by start(), whose failure the desk survives; Bolt would otherwise call
      // auth.test here, and an unanswered one rejects with nobody to catch it.
      deferInitialization: true,
      // A call Slack never answers must not hold a job or a handler for ever.
      clientOptions: {
        slackApiUrl: config.apiUrl,
        timeout: 10_000,
        retryConfig: { retries: 2, factor: 2, minTimeout: 200, maxTimeout: 2_000 },
      },
    });
    const handle = this.receiver.requestListener;
    this.receiver.requestListener = (request, response) => {
      if (this.started) return handle(request, response);
      response.writeHead(503, { 'content-type': 'application/json', 'retry-after': '30' });
      response.end(
        JSON.stringify({ error: { code: 'slack_not_started', message: 'The Slack desk has not reached Slack yet; deliver again later' } }),
      );
    };
    this.app.error(async (error) => log.error({ err: error }, 'slack handler failed'));
    this.registerActions();
    this.registerThreadRelay();
    // Hook (issue 22): features beside the desk register their own actions through DeskHooks.
    this.fourEyes = deps.secondApprovals ? new FourEyesDesk(this.hooks(), deps.secondApprovals) : null;
    this.savedReplies = new SavedRepliesDesk(this.hooks(), savedReplies);
  }

  /** What features beside the desk (four-eyes approval, saved replies) may use of it. */
  hooks(): DeskHooks {
    return {
      app: this.app,
      handoffs: this.deps.handoffs,
      log: this.deps.log,
      config: this.deps.config,
      now: () => this.now(),
      ready: () => this.started,
      mayAct: (user) => this.mayAct(user),
      holds: (body, handoffId, user) => this.holds(body, handoffId, user),
      tell: (body, text) => this.tell(body, text),
      refreshTicket: (handoffId) => this.refreshTicket(handoffId),
      toBuyer: (handoffId, text, direction) => this.toBuyer(handoffId, text, direction),
      guarded: (run) => this.guardedWithParts(run),
    };
  }

  private now(): Date {
    return this.deps.now?.() ?? new Date();
  }

  private started = false;

  /** Checks the bot token with Slack (auth.test); throws while Slack does not answer or refuses it. */
  async start(): Promise<void> {
    if (this.started) return;
    await this.app.init();
    this.started = true;
  }

  /** Whether Slack has accepted the bot token, so events are handled and tickets posted. */
  get ready(): boolean {
    return this.started;
  }

  private get client() {
    return this.app.client;
  }

  // ---------------------------------------------------------------------------------------------
  // Tickets

  private posting: Promise<number> | null = null;

  /**
   * Posts every handoff not yet in Slack (a job: runs often, on every instance, posts each once).
   * One pass at a time per instance: a call while the job's pass is under way waits for it and then
   * looks again, so what it returns to has been posted (the lease would otherwise make it skip a
   * ticket that the other pass is still posting).
   */
  async postNewTickets(): Promise<number> {
    while (this.posting) await this.posting.catch(() => undefined);
    const pass = this.postDueTickets();
    this.posting = pass;
    try {
      return await pass;
    } finally {
      if (this.posting === pass) this.posting = null;
    }
  }

  private async postDueTickets(): Promise<number> {
    if (!this.started) return 0;
    const { handoffs, config, log } = this.deps;
    let posted = 0;
    for (const id of await handoffs.duePostings()) {
      if (!(await handoffs.leasePosting(id))) continue;
      try {
        const ticket = await handoffs.ticket(id);
        if (!ticket) continue;
        const message = await this.render(ticket);
        const result = await this.client.chat.postMessage({
          channel: config.deskChannel,
          text: message.text,
          blocks: message.blocks,
          unfurl_links: false,
        });
        await handoffs.recordPosted(id, { channel: result.channel ?? config.deskChannel, ts: result.ts ?? null });
        posted += 1;
      } catch (error) {
        // Released at once, so the next run tries again.
        await handoffs.releasePosting(id);
        log.error({ err: error, handoffId: id }, 'could not post a ticket to Slack');
      }
    }
    return posted;
  }

  /** Re-renders a ticket in place after its state changed. */
  async refreshTicket(handoffId: string): Promise<void> {
    const ticket = await this.deps.handoffs.ticket(handoffId);
    const thread = await this.deps.handoffs.threadOf(handoffId);
    if (!ticket || !thread) return;
    const message = await this.render(ticket);
    await this.client.chat.update({ channel: thread.channel, ts: thread.ts, text: message.text, blocks: message.blocks });
  }

  /** The ticket's Block Kit with the desk's menus (saved replies, issue 22: a book that cannot be read leaves the menu out). */
  private async render(ticket: TicketData): Promise<ReturnType<typeof renderTicket>> {
    const book = await savedReplies().catch(() => null);
    return renderTicket(ticket, this.now().getTime(), { savedReplies: book?.replies.map((r) => ({ id: r.id, title: r.title })) ?? [] });
  }

  private async thread(handoffId: string, text: string, broadcast = false): Promise<void> {
    const thread = await this.deps.handoffs.threadOf(handoffId);
    if (!thread) return;
    if (broadcast) await this.client.chat.postMessage({ channel: thread.channel, thread_ts: thread.ts, text, reply_broadcast: true });
    else await this.client.chat.postMessage({ channel: thread.channel, thread_ts: thread.ts, text });
  }

  // ---------------------------------------------------------------------------------------------
  // The dialogue's side (AgentDesk)

  async handoffFor(buyerId: string): Promise<{ id: string; claimed: boolean } | null> {
    return this.deps.handoffs.liveTicketOf(buyerId);
  }

  async relay(handoffId: string, _buyerId: string, text: string): Promise<void> {
    await this.thread(handoffId, `🧑 *Buyer:* ${escapeMrkdwn(text.slice(0, 3_000))}`);
  }

  // ---------------------------------------------------------------------------------------------
  // Who may act

  private async members(): Promise<Set<string>> {
    const key = 'slack:desk-members';
    const cached = await this.deps.cache.get(key);
    if (cached) return new Set(JSON.parse(cached) as string[]);
    const members: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await this.client.conversations.members({
        channel: this.deps.config.deskChannel,
        limit: 1_000,
        ...(cursor ? { cursor } : {}),
      });
      members.push(...(page.members ?? []));
      cursor = page.response_metadata?.next_cursor || undefined;
    } while (cursor);
    if (this.deps.config.userGroup) {
      const group = await this.client.usergroups.users.list({ usergroup: this.deps.config.userGroup });
      members.push(...(group.users ?? []));
    }
    await this.deps.cache.set(key, JSON.stringify(members), MEMBERS_TTL_MS);
    return new Set(members);
  }

  private async mayAct(userId: string): Promise<boolean> {
    return (await this.members()).has(userId);
  }

  private async tell(
    body: { channel?: { id: string }; user: { id: string }; container?: { thread_ts?: string } },
    text: string,
  ): Promise<void> {
    const channel = body.channel?.id ?? this.deps.config.deskChannel;
    await this.client.chat
      .postEphemeral({ channel, user: body.user.id, text })
      .catch((error: unknown) => this.deps.log.warn({ err: error }, 'could not tell an agent'));
  }

  // ---------------------------------------------------------------------------------------------
  // Buttons

  /** Ack, de-duplication, authorization and the ticket's id: Bolt middleware ahead of each listener. */
  private guards<A extends BlockAction>() {
    return ticketGuards<A>({
      cache: this.deps.cache,
      log: this.deps.log,
      mayAct: (user: string) => this.mayAct(user),
      tell: (body: BlockAction, text: string) => this.tell(body, text),
    });
  }

  /** The guards and a listener that gets the value's parts (features beside the desk, desk-hooks.ts). */
  private guardedWithParts<A extends BlockAction>(run: GuardedListener<A>) {
    return [
      ...this.guards<A>(),
      async ({ body, action }: SlackActionMiddlewareArgs<A>) => run({ body, parts: actionParts(action), user: body.user.id }),
    ];
  }

  private registerActions(): void {
    const guarded = <A extends BlockAction>(run: (args: { body: A; handoffId: string; user: string }) => Promise<void>) => [
      ...this.guards<A>(),
      async ({ body, context }: SlackActionMiddlewareArgs<A> & { context: Record<string, unknown> }) =>
        run({ body, handoffId: context.handoffId as string, user: body.user.id }),
    ];

    this.app.action<BlockAction<ButtonAction>>(
      'ticket.claim',
      ...guarded<BlockAction<ButtonAction>>(async ({ body, handoffId, user }) => {
        const result = await this.claim(handoffId, user);
        if (result === 'won') {
          await this.refreshTicket(handoffId);
          await this.toBuyer(handoffId, (l) => say('agentJoined', l), 'out');
        } else {
          await this.tell(body, result === 'gone' ? 'This ticket is already closed.' : `Already claimed by <@${result.holder}>.`);
        }
      }),
    );

    this.app.action<BlockAction<ButtonAction>>(
      'ticket.approve',
      ...guarded<BlockAction<ButtonAction>>(async ({ body, handoffId, user }) => {
        // Hook (issue 22): above SLACK_SECOND_APPROVAL_ABOVE_MINOR the approval waits for a second agent.
        if (await this.fourEyes?.intercept(body, handoffId, { id: user, name: body.user.name ?? null })) return;
        await this.decide(body, handoffId, user, (requestId) =>
          this.deps.decisions.approve(requestId, { id: user, name: body.user.name ?? null }),
        );
      }),
    );

    this.app.action<BlockAction<ButtonAction>>(
      'ticket.approve_partial',
      ...guarded<BlockAction<ButtonAction>>(async ({ body, handoffId }) => {
        const ticket = await this.deps.handoffs.ticket(handoffId);
        if (!ticket?.request || !ticket.order) return this.tell(body, 'This ticket has no refund request to approve.');
        const { currency } = ticket.order;
        const max = formatMoney({ amountMinor: ticket.request.refundableMinor, currency }, 'en');
        await this.client.views.open({
          trigger_id: body.trigger_id,
          view: {
            type: 'modal',
            callback_id: 'ticket.partial',
            private_metadata: handoffId,
            title: { type: 'plain_text', text: 'Partial refund' },
            submit: { type: 'plain_text', text: 'Approve' },
            close: { type: 'plain_text', text: 'Cancel' },
            blocks: [
              {
                type: 'input',
                block_id: 'amount',
                label: { type: 'plain_text', text: `Amount in ${currency} to refund (at most ${max})` },
                // Free text, read by parseAmount in the order's currency: "500" is ¥500 on a JPY order and
                // ¥500.00 on a CNY one; Slack's number input would not say which decimals a currency has.
                element: {
                  type: 'plain_text_input',
                  action_id: 'value',
                  placeholder: { type: 'plain_text', text: `e.g. ${exampleAmount(currency)}` },
                },
                hint: {
                  type: 'plain_text',
                  text:
                    minorUnitDigits(currency) === 0
                      ? `${currency} has no decimals.`
                      : `${currency} has ${minorUnitDigits(currency)} decimals.`,
                },
              },
            ],
          },
        });
      }),
    );

    this.app.view<ViewSubmitAction>('ticket.partial', async ({ ack, body, view }) => {
      const handoffId = view.private_metadata;
      const raw = view.state.values.amount?.value?.value ?? '';
      // Checked before the ack, so a bad amount is shown under the field and the modal stays open.
      const checked = await this.partialAmount(handoffId, raw);
      if (typeof checked === 'string') {
        await ack({ response_action: 'errors', errors: { amount: checked } });
        return;
      }
      const { amountMinor } = checked;
      await ack();
      if (!(await this.mayAct(body.user.id))) return;
      const fake = { user: body.user } as unknown as BlockAction;
      try {
        // Hook (issue 22): above SLACK_SECOND_APPROVAL_ABOVE_MINOR the approval waits for a second agent.
        if (await this.fourEyes?.intercept(fake, handoffId, { id: body.user.id, name: body.user.name ?? null }, amountMinor)) return;
        await this.decide(fake, handoffId, body.user.id, (requestId) =>
          this.deps.decisions.approve(requestId, { id: body.user.id, name: body.user.name ?? null }, amountMinor),
        );
      } catch (error) {
        this.deps.log.error({ err: error, handoffId }, 'partial approval failed');
        await this.tell(fake, `That did not work: ${error instanceof DeskError ? escapeMrkdwn(error.message) : 'an internal error'}.`);
      }
    });

    this.app.action<BlockAction<StaticSelectAction>>(
      'ticket.reject',
      ...guarded<BlockAction<StaticSelectAction>>(async ({ body, handoffId, user }) => {
        const template = (body.actions[0]?.selected_option?.value ?? '').split('|')[1] as RejectionTemplate;
        if (!(template in REJECTION_TEMPLATES)) return this.tell(body, 'Pick one of the listed reasons.');
        // Hook (issue 22): a waiting four-eyes approval is settled by the refusal, not left waiting.
        if (await this.fourEyes?.interceptReject(body, handoffId, { id: user, name: body.user.name ?? null }, template)) return;
        await this.decide(body, handoffId, user, (requestId) =>
          this.deps.decisions.reject(requestId, { id: user, name: body.user.name ?? null }, template),
        );
      }),
    );

    this.app.action<BlockAction<ButtonAction>>(
      'ticket.guide',
      ...guarded<BlockAction<ButtonAction>>(async ({ body, handoffId, user }) => {
        if (!(await this.holds(body, handoffId, user))) return;
        const subject = await this.deps.handoffs.guideSubject(handoffId);
        if (!subject) return this.tell(body, 'This ticket has no order, so there is no guide to pick.');
        const sent = await this.toBuyer(
          handoffId,
          (l) => {
            const guide = pickGuide(this.deps.guides, subject.category as ProductCategory, subject.reasonText, l);
            return `【${guide.title}】\n${guide.steps.map((s, i) => `${i + 1}. ${s}`).join('\n')}\n\n${guide.support}`;
          },
          'agent',
        );
        await this.thread(
          handoffId,
          sent
            ? `📘 <@${user}> sent the troubleshooting guide to the buyer (${sent}).`
            : '⚠️ The buyer has no chat the desk can reach; the guide was not sent.',
        );
      }),
    );

    this.app.action<BlockAction<ButtonAction>>(
      'ticket.return',
      ...guarded<BlockAction<ButtonAction>>(async ({ body, handoffId, user }) => {
        if (!(await this.holds(body, handoffId, user))) return;
        if (!(await this.deps.handoffs.returnToBot(handoffId, user))) return this.tell(body, 'This ticket is already closed.');
        await this.refreshTicket(handoffId);
        await this.toBuyer(handoffId, (l) => say('backToBot', l), 'out');
      }),
    );
  }

  /** Claims a ticket in one guarded update. */
  claim(handoffId: string, user: string): Promise<ClaimResult> {
    return this.deps.handoffs.claim(handoffId, user);
  }

  /** Acting on a ticket needs holding it: an unclaimed one is claimed on the way; another's is refused. */
  private async holds(body: BlockAction, handoffId: string, user: string): Promise<boolean> {
    const result = await this.claim(handoffId, user);
    if (result === 'won') return true;
    await this.tell(
      body,
      result === 'gone' ? 'This ticket is already closed.' : `This ticket is claimed by <@${result.holder}>; only they can act on it.`,
    );
    return false;
  }

  /** The minor units an agent typed for a partial refund, in the order's currency; or why not. */
  private async partialAmount(handoffId: string, typed: string): Promise<{ amountMinor: number } | string> {
    const subject = await this.deps.handoffs.refundable(handoffId);
    if (!subject) return 'This ticket has no refund request to approve.';
    const { currency, refundableMinor: refundable } = subject;
    let amountMinor: number;
    try {
      amountMinor = parseAmount(typed, currency);
    } catch (error) {
      if (error instanceof DeskError) return error.message;
      throw error;
    }
    if (amountMinor < 1) return `Enter more than ${formatMoney({ amountMinor: 0, currency }, 'en')}.`;
    if (amountMinor > refundable)
      return `That is more than is left to refund: at most ${formatMoney({ amountMinor: refundable, currency }, 'en')}.`;
    return { amountMinor };
  }

  private async decide(
    body: BlockAction,
    handoffId: string,
    user: string,
    run: (requestId: string) => Promise<AgentOutcome>,
  ): Promise<void> {
    const handoff = await this.deps.handoffs.requestOf(handoffId);
    if (!handoff?.refundRequestId) return this.tell(body, 'This ticket has no refund request to decide.');
    if (handoff.live) {
      if (!(await this.holds(body, handoffId, user))) return;
    }
    const outcome = await run(handoff.refundRequestId);
    if (!outcome.executed) {
      await this.tell(body, `Already decided: the request is ${outcome.view.status}. Nothing was done again.`);
      return;
    }
    await this.refreshTicket(handoffId);
    const refund = outcome.view.refund;
    const result = refund
      ? ` · refund ${formatMoney({ amountMinor: refund.amountMinor, currency: refund.currency }, 'en')} ${refund.status}`
      : '';
    await this.thread(handoffId, `🧾 <@${user}> ${outcome.view.status === 'rejected' ? 'rejected' : 'approved'} the request${result}.`);
    if (outcome.told) await this.toBuyer(handoffId, (l) => outcome.told![l], 'agent');
  }

  /** Sends to the ticket's buyer in their chat, in their language; returns the channel or null. */
  private async toBuyer(handoffId: string, text: (locale: Locale) => string, direction: 'out' | 'agent'): Promise<string | null> {
    const buyerId = await this.deps.handoffs.buyerOf(handoffId);
    const sent = await this.deps.delivery.toBuyer(buyerId, (locale) => ({ text: text(locale) }), direction);
    return sent?.channel ?? null;
  }

  // ---------------------------------------------------------------------------------------------
  // Thread relay: the assignee's replies reach the buyer; notes and others' replies stay in Slack.

  private registerThreadRelay(): void {
    this.app.event('message', async ({ event, body }) => {
      const e = event as types.GenericMessageEvent;
      if (e.subtype || e.bot_id || !e.thread_ts || e.thread_ts === e.ts || e.channel !== this.deps.config.deskChannel) return;
      const eventId = (body as { event_id?: string }).event_id ?? e.ts;
      if (!(await this.deps.cache.setIfAbsent(`dedupe:slack:event:${eventId}`, '1', DEDUPE_TTL_MS))) return;
      const handoff = await this.deps.handoffs.byThread({ channel: e.channel, ts: e.thread_ts });
      if (!handoff || NOTE.test(e.text ?? '')) return; // Internal: a note, or a thread that is no ticket.
      if (handoff.status !== 'claimed' || handoff.assigneeId !== e.user) {
        await this.client.chat.postEphemeral({
          channel: e.channel,
          thread_ts: e.thread_ts,
          user: e.user,
          text:
            handoff.status === 'claimed'
              ? `<@${handoff.assigneeId}> holds this ticket; your reply stayed here. Start with \`note:\` for internal notes.`
              : 'Claim the ticket to talk to the buyer; your reply stayed here. Start with `note:` for internal notes.',
        });
        return;
      }
      const sent = await this.deps.delivery.toBuyer(handoff.buyerId, { text: e.text ?? '' }, 'agent');
      if (!sent)
        await this.client.chat.postEphemeral({
          channel: e.channel,
          thread_ts: e.thread_ts,
          user: e.user,
          text: 'The buyer has no chat the desk can reach; they were not told.',
        });
    });
  }

  // ---------------------------------------------------------------------------------------------
  // SLA and risk alerts

  /** Reminds about, then escalates, unclaimed tickets; tells their buyers roughly when. Each step once. */
  async checkSla(): Promise<{ reminded: number; escalated: number }> {
    // Not before Slack is up: a reminder is marked sent before it is posted.
    if (!this.started) return { reminded: 0, escalated: 0 };
    const { handoffs, config } = this.deps;
    const now = this.now();
    let reminded = 0;
    let escalated = 0;
    const waitMinutes = Math.max(1, Math.round((config.escalateAfterMs - config.remindAfterMs) / 60_000));
    for (const h of await handoffs.dueReminders(config.remindAfterMs)) {
      if (!(await handoffs.markReminded(h.id))) continue;
      reminded += 1;
      await this.thread(h.id, `⏰ Unclaimed for ${Math.round((now.getTime() - h.createdAt.getTime()) / 60_000)} min. Who can take it?`);
      await this.toBuyer(h.id, (l) => waitingForPerson(waitMinutes)[l], 'out').catch((error: unknown) =>
        this.deps.log.warn({ err: error }, 'could not tell the buyer about the wait'),
      );
    }
    for (const h of await handoffs.dueEscalations(config.escalateAfterMs)) {
      if (!(await handoffs.markEscalated(h.id))) continue;
      escalated += 1;
      await this.thread(
        h.id,
        `🚨 ${config.escalationMention} unclaimed for ${Math.round((now.getTime() - h.createdAt.getTime()) / 60_000)} min: please claim it.`,
        true,
      );
    }
    return { reminded, escalated };
  }

  /** A plain message to a channel (merchants' digests): all of it text, none of it markup. */
  async postText(channel: string, text: string): Promise<void> {
    await this.client.chat.postMessage({ channel, text: escapeMrkdwn(text) });
  }

  /** A job tick that failed every attempt (BullMQ's dead-letter list). */
  async postDeadJob(dead: DeadJob): Promise<void> {
    const channel = this.deps.config.riskChannel;
    if (!channel) return;
    await this.client.chat.postMessage({
      channel,
      text: `🛑 Job ${codeSpan(dead.name)} failed ${dead.attempts} times and was dead-lettered: ${escapeMrkdwn(dead.error.slice(0, 300))}`,
    });
  }

  /** A refund a provider reports that the desk has no record of, or that does not match its own. */
  async postPaymentAlert(alert: PaymentAlert): Promise<void> {
    const channel = this.deps.config.riskChannel;
    if (!channel) return;
    const refund = alert.deskRefundId ? ` (desk refund ${codeSpan(alert.deskRefundId)})` : '';
    // The detail and the ids come from the provider's side: escaped.
    const detail = escapeMrkdwn(alert.detail);
    await this.client.chat.postMessage({
      channel,
      text: `🚨 Payment alert from ${alert.provider}: ${detail}`,
      blocks: [
        {
          type: 'section',
          text: {
            type: 'mrkdwn',
            text: `🚨 *Payment alert* · ${alert.provider} · ${alert.kind.replace('_', ' ')}\n${detail}.\nProvider refund ${codeSpan(alert.providerRefundId)}${refund}, ${alert.currency ? formatMoney({ amountMinor: alert.amountMinor, currency: alert.currency }, 'en') : `${alert.amountMinor} minor units`}. Check it in the provider's console.`,
          },
        },
      ],
    });
  }

  async postRiskAlert(alert: SpikeAlert): Promise<void> {
    const channel = this.deps.config.riskChannel;
    if (!channel) return;
    const what = alert.kind === 'spike.product' ? `product ${codeSpan(alert.subjectId)}` : `merchant ${codeSpan(alert.subjectId)}`;
    const rate = alert.refundRate === null ? '' : ` · refund rate ${Math.round(alert.refundRate * 100)}%`;
    await this.client.chat.postMessage({
      channel,
      text: `⚠️ Refund spike for ${alert.kind === 'spike.product' ? 'a product' : 'a merchant'}: ${alert.recent} requests in the last hour`,
      blocks: [
        {
          type: 'section',
          text: {
            type: 'mrkdwn',
            text: `⚠️ *Refund spike* for ${what} (merchant ${codeSpan(alert.merchantId)})\n${alert.recent} refund requests in the last hour against a usual ${alert.baselinePerHour.toFixed(1)} per hour; ${alert.ordersRecent} orders in that hour${rate}.`,
          },
        },
      ],
    });
  }
}
