// The dialogue engine (M16, M21-M23): one buyer message in, the bot's replies out. It knows the
// buyer from the chat's binding, keeps per-chat state in the cache (24 h), understands free text
// with the NLU, lists the buyer's orders as buttons, captures the reason, runs the refund through
// the refund workflow and explains the outcome: the money back and by which route; or why not and
// that a person will look; or a troubleshooting guide first. A delivery seen before is dropped.
import { claimOnce } from '../cache/claims.ts';
import type { Cache } from '../cache/index.ts';
import type { Locale, ReasonCode } from '../domain/catalog.ts';
import { formatMoney } from '../domain/money.ts';
import { timeAgo } from '../domain/time-ago.ts';
import { DeskError } from '../errors.ts';
import { openHandoff } from '../handoffs/handoffs.ts';
import type { Logger } from '../logger.ts';
import type { LazyNlu } from '../nlu/classifier.ts';
import { renderPolicy } from '../policy/index.ts';
import { resolvePolicy } from '../refunds/policy-resolver.ts';
import type { RefundWorkflow } from '../refunds/refund-workflow.ts';
import type { RefundRequestView } from '../refunds/refund-view.ts';
import type { PrismaClient } from '../store/database.ts';
import type { ConversationLog } from './conversation-log.ts';
import { pickGuide, type GuideBook } from './guides.ts';
import type { Button, InboundMessage, OutboundMessage, TurnResult } from './messages.ts';
import { BUTTONS, STATUS_WORDS, say } from './texts.ts';

const STATE_TTL_MS = 24 * 3_600_000;
const DEDUPE_TTL_MS = 48 * 3_600_000;
const MAX_TEXT = 2_000;
/** After this many messages in a row it does not understand, the bot offers a person. */
const MAX_MISUNDERSTOOD = 2;

interface ChatState {
  /** The chat's channel (state is kept per channel and chat, so this never changes). */
  channel?: InboundMessage['channel'];
  locale?: Locale;
  orderId?: string;
  reasonCode?: ReasonCode;
  reasonText?: string;
  awaiting?: 'order' | 'reason' | 'guide_feedback' | 'refund_confirm';
  requestId?: string;
  misunderstood: number;
  greeted?: boolean;
}

export interface DialogueDeps {
  prisma: PrismaClient;
  cache: Cache;
  nlu: LazyNlu;
  refunds: RefundWorkflow;
  guides: GuideBook;
  /** Where each chat's messages are kept. */
  conversations: ConversationLog;
  log: Logger;
  onRefundAvoided?: () => void;
}

/** The refund request's `channel` for each chat channel. */
const CHANNEL_OF = { telegram: 'telegram', widget: 'widget', terminal: 'api' } as const;

/**
 * The agent desk, as the dialogue sees it: while a person has a buyer's case, the buyer's messages
 * also go to that person; once the person has claimed it, the bot stays quiet until it is handed back.
 */
export interface AgentDesk {
  handoffFor(buyerId: string): Promise<{ id: string; claimed: boolean } | null>;
  relay(handoffId: string, buyerId: string, text: string): Promise<void>;
}

export class DialogueEngine {
  private agentDesk: AgentDesk | null = null;

  constructor(private readonly deps: DialogueDeps) {}

  /** Set by the composition root when the Slack desk is on (it is built after the dialogue). */
  attachAgentDesk(desk: AgentDesk): void {
    this.agentDesk = desk;
  }

  /**
   * One turn per delivery, whichever instance gets it and however often: a claim in the cache while
   * it runs, then the stored conversation, which outlives the cache (Redis restarted without its data).
   */
  async handle(msg: InboundMessage): Promise<TurnResult> {
    const duplicate: TurnResult = { duplicate: true, replies: [], locale: msg.localeHint ?? 'zh' };
    const key = `dedupe:${msg.channel}:${msg.chatId}:${msg.deliveryId}`;
    const claim = await claimOnce(this.deps.cache, key, DEDUPE_TTL_MS);
    if (!claim) return (await this.deps.cache.get(key)) === 'processing' ? { ...duplicate, inProgress: true } : duplicate;
    if (await this.deps.conversations.hasDelivery({ channel: msg.channel, chatId: msg.chatId }, msg.deliveryId)) {
      await claim.done();
      return duplicate;
    }
    try {
      const result = await this.turn(msg);
      await claim.done();
      return result;
    } catch (error) {
      await claim.abandon().catch(() => undefined);
      throw error;
    }
  }

  private async turn(msg: InboundMessage): Promise<TurnResult> {
    const key = `conv:${msg.channel}:${msg.chatId}`;
    const state: ChatState = JSON.parse((await this.deps.cache.get(key)) ?? '{"misunderstood":0}');
    state.channel = msg.channel;
    const raw = (msg.text ?? '').replace(/\p{Cc}/gu, ' ').trim();
    const text = raw.slice(0, MAX_TEXT);
    let replies: OutboundMessage[];
    let locale: Locale = state.locale ?? msg.localeHint ?? 'zh';
    if (msg.buyerId && this.agentDesk && (text || msg.action)) {
      const held = await this.agentDesk.handoffFor(msg.buyerId).catch((error: unknown) => {
        this.deps.log.warn({ err: error }, 'could not look up the buyer\'s handoff');
        return null;
      });
      if (held) {
        await this.agentDesk.relay(held.id, msg.buyerId, text || `[${msg.action}]`).catch((error: unknown) => this.deps.log.warn({ err: error }, 'could not relay to the agent'));
        // A person is talking with the buyer: the bot does not talk over them.
        if (held.claimed) return this.recorded(msg, text, [], locale);
      }
    }
    try {
      if (!msg.buyerId) {
        replies = [{ text: say('notBound', locale) }];
      } else if (msg.action) {
        replies = await this.onAction(msg.buyerId, msg, state, locale);
      } else {
        const nlu = await (await this.deps.nlu.get()).classify(text, { locale });
        // The bot answers in the language the buyer writes. A message it did not understand (emoji,
        // gibberish) keeps the conversation's language, unless there is none yet.
        if (text.length > 0 && (nlu.intent !== 'None' || !state.locale)) locale = nlu.language;
        state.locale = locale;
        replies = await this.onText(msg.buyerId, text, nlu, state, locale);
        if (raw.length > MAX_TEXT) replies.push({ text: say('tooLong', locale) });
      }
    } catch (error) {
      this.deps.log.error({ err: error, chatId: msg.chatId }, 'dialogue turn failed');
      replies = [{ text: say('somethingWrong', locale), buttons: [{ label: BUTTONS.person[locale], action: 'agent' }] }];
    }
    state.locale = locale;
    // Hello and thank-you are one intent: the welcome opens a conversation, later it is "you're welcome".
    state.greeted = true;
    await this.deps.cache.set(key, JSON.stringify(state), STATE_TTL_MS);
    return this.recorded(msg, text, replies, locale);
  }

  private async recorded(msg: InboundMessage, text: string, replies: OutboundMessage[], locale: Locale): Promise<TurnResult> {
    try {
      const recorded = await this.record(msg, text, replies, locale);
      return { duplicate: false, replies: recorded.replies, locale, inboundId: recorded.inboundId };
    } catch (error) {
      // The buyer still gets the answer; only the stored history misses this turn.
      this.deps.log.warn({ err: error }, 'could not store the conversation');
      return { duplicate: false, replies, locale };
    }
  }

  // -------------------------------------------------------------------------------------------
  private async onText(buyerId: string, text: string, nlu: Awaited<ReturnType<Awaited<ReturnType<LazyNlu['get']>>['classify']>>, state: ChatState, locale: Locale): Promise<OutboundMessage[]> {
    for (const orderId of nlu.entities.orderIds) {
      const owned = await this.deps.prisma.order.findFirst({ where: { id: orderId, buyerId }, select: { id: true } });
      if (!owned) return [{ text: say('orderNotYours', locale) }];
      state.orderId = orderId;
    }
    if (nlu.intent !== 'None') state.misunderstood = 0;
    switch (nlu.intent) {
      case 'refund.changed_mind':
      case 'refund.unsatisfied':
      case 'refund.cannot_use':
      case 'refund.request':
        if (nlu.reasonCode && nlu.reasonCode !== 'other') state.reasonCode = nlu.reasonCode;
        state.reasonText = text;
        return this.proceed(buyerId, state, locale);
      case 'refund.status':
        return this.status(buyerId, locale);
      case 'refund.cancel':
        return this.withdraw(buyerId, state, locale);
      case 'order.cancel':
        state.awaiting = 'refund_confirm';
        return [{ text: say('orderCancel', locale), buttons: [{ label: BUTTONS.yesRefund[locale], action: 'refund:yes' }, { label: BUTTONS.no[locale], action: 'refund:no' }] }];
      case 'agent.request':
        return this.person(buyerId, state, locale);
      case 'policy.ask':
        return this.policy(buyerId, state, locale);
      case 'greeting': {
        const first = !state.greeted;
        state.greeted = true;
        return [{ text: say(first ? 'welcome' : 'youreWelcome', locale) }];
      }
      case 'None':
        // While the bot waits for a reason, whatever the buyer writes is their reason.
        if (state.awaiting === 'reason' && text.length > 0) {
          state.reasonCode = 'other';
          state.reasonText = text;
          return this.proceed(buyerId, state, locale);
        }
        state.misunderstood += 1;
        if (state.misunderstood >= MAX_MISUNDERSTOOD) {
          state.misunderstood = 0;
          return [{ text: say('offerPerson', locale), buttons: [{ label: BUTTONS.person[locale], action: 'agent' }] }];
        }
        return [{ text: say(state.greeted ? 'notUnderstood' : 'welcome', locale) }];
    }
  }

  private async onAction(buyerId: string, msg: InboundMessage, state: ChatState, locale: Locale): Promise<OutboundMessage[]> {
    const [verb, arg] = (msg.action ?? '').split(':', 2);
    switch (verb) {
      case 'order': {
        const owned = arg ? await this.deps.prisma.order.findFirst({ where: { id: arg, buyerId }, select: { id: true } }) : null;
        if (!owned) return [{ text: say('orderNotYours', locale) }];
        state.orderId = arg;
        return this.proceed(buyerId, state, locale);
      }
      case 'reason':
        if (arg === 'changed_mind' || arg === 'unsatisfied' || arg === 'cannot_use' || arg === 'other') state.reasonCode = arg;
        return this.proceed(buyerId, state, locale);
      case 'guide':
        return this.guideFeedback(buyerId, arg === 'solved', state, locale);
      case 'refund':
        state.awaiting = undefined;
        return arg === 'yes' ? this.proceed(buyerId, state, locale) : [{ text: say('okNoRefund', locale) }];
      case 'agent':
        return this.person(buyerId, state, locale);
      case 'status':
        return this.status(buyerId, locale);
      case 'withdraw':
        return this.withdraw(buyerId, state, locale);
      default:
        return [{ text: say('notUnderstood', locale) }];
    }
  }

  // -------------------------------------------------------------------------------------------
  /** Asks for what is missing (the order, the reason), then runs the refund. */
  private async proceed(buyerId: string, state: ChatState, locale: Locale): Promise<OutboundMessage[]> {
    if (!state.orderId) {
      state.awaiting = 'order';
      const orders = await this.deps.prisma.order.findMany({
        where: { buyerId },
        orderBy: { paidAt: 'desc' },
        take: 5,
        include: { product: { select: { title: true } } },
      });
      if (orders.length === 0) return [{ text: say('noOrders', locale) }];
      if (orders.length === 1) {
        state.orderId = orders[0]!.id;
      } else {
        const buttons: Button[] = orders.map((o) => ({
          label: `${o.product.title} · ${timeAgo(o.paidAt, locale)} · ${formatMoney({ amountMinor: o.amountMinor, currency: o.currency }, locale)}`,
          action: `order:${o.id}`,
        }));
        return [{ text: say('chooseOrder', locale), buttons }];
      }
    }
    if (!state.reasonCode) {
      state.awaiting = 'reason';
      return [{ text: say('chooseReason', locale), buttons: BUTTONS.reasons[locale].map(([code, label]) => ({ label, action: `reason:${code}` })) }];
    }
    return this.submit(buyerId, state, locale);
  }

  private async submit(buyerId: string, state: ChatState, locale: Locale): Promise<OutboundMessage[]> {
    const orderId = state.orderId!;
    const reasonCode = state.reasonCode!;
    const reasonText = state.reasonText;
    state.orderId = undefined;
    state.reasonCode = undefined;
    state.reasonText = undefined;
    state.awaiting = undefined;
    let view: RefundRequestView;
    try {
      view = (
        await this.deps.refunds.request({
          orderId,
          buyerId,
          reasonCode,
          ...(reasonText ? { reasonText: reasonText.slice(0, 2_000) } : {}),
          channel: CHANNEL_OF[state.channel ?? 'widget'],
        })
      ).view;
    } catch (error) {
      if (error instanceof DeskError && error.category === 'conflict' && typeof error.details?.existingRequestId === 'string') {
        const existing = await this.deps.refunds.view(error.details.existingRequestId);
        return [{ text: error.code === 'order_already_refunded' ? say('alreadyRefunded', locale) : `${say('alreadyOpen', locale)} ${STATUS_WORDS[existing.status]?.[locale] ?? existing.status}` }];
      }
      if (error instanceof DeskError && (error.category === 'not_found' || error.category === 'forbidden')) return [{ text: say('orderNotYours', locale) }];
      throw error;
    }
    return this.outcome(view, state, locale);
  }

  private async outcome(view: RefundRequestView, state: ChatState, locale: Locale): Promise<OutboundMessage[]> {
    const explanation = view.explanation?.[locale] ?? '';
    switch (view.status) {
      case 'troubleshooting': {
        const order = await this.deps.prisma.order.findUniqueOrThrow({ where: { id: view.orderId }, include: { product: { select: { category: true } } } });
        const guide = pickGuide(this.deps.guides, order.product.category, view.reasonText ?? '', locale);
        state.awaiting = 'guide_feedback';
        state.requestId = view.id;
        const steps = guide.steps.map((s, i) => `${i + 1}. ${s}`).join('\n');
        return [
          { text: `${say('guideIntro', locale)}【${guide.title}】\n${steps}\n\n${guide.support}` },
          { text: say('guideAsk', locale), buttons: [{ label: BUTTONS.solved[locale], action: 'guide:solved' }, { label: BUTTONS.unsolved[locale], action: 'guide:unsolved' }] },
        ];
      }
      case 'rejected':
        return [{ text: view.handoff ? `${explanation}\n${say('appealOpened', locale)}` : explanation, buttons: view.handoff ? [] : [{ label: BUTTONS.person[locale], action: 'agent' }] }];
      default:
        return [{ text: explanation, buttons: view.status === 'in_review' ? [{ label: BUTTONS.status[locale], action: 'status' }] : [] }];
    }
  }

  /** M23: after a guide, "solved" closes the request without a refund; "not solved" goes to technical support. */
  private async guideFeedback(buyerId: string, solved: boolean, state: ChatState, locale: Locale): Promise<OutboundMessage[]> {
    const requestId = state.requestId;
    state.awaiting = undefined;
    state.requestId = undefined;
    if (!requestId) return [{ text: say('notUnderstood', locale) }];
    if (solved) {
      const request = await this.deps.refunds.view(requestId);
      if (request.status === 'troubleshooting') {
        await this.deps.refunds.cancel(requestId, buyerId);
        this.deps.onRefundAvoided?.();
      }
      return [{ text: say('guideSolved', locale) }];
    }
    const request = await this.deps.refunds.view(requestId);
    await openHandoff(this.deps.prisma, { buyerId, kind: 'technical', reason: 'troubleshooting guide did not solve it', orderId: request.orderId, refundRequestId: requestId });
    return [{ text: say('guideUnsolved', locale) }];
  }

  private async person(buyerId: string, state: ChatState, locale: Locale): Promise<OutboundMessage[]> {
    // Without an order named in the chat, the agent gets the buyer's latest one as context (said so in the reason).
    const latest = state.orderId ? null : await this.deps.prisma.order.findFirst({ where: { buyerId }, orderBy: { paidAt: 'desc' }, select: { id: true } });
    const orderId = state.orderId ?? latest?.id ?? null;
    const reason = latest ? 'the buyer asked for a person (their latest order attached)' : 'the buyer asked for a person';
    await openHandoff(this.deps.prisma, { buyerId, kind: 'buyer_request', reason, orderId });
    return [{ text: say('handoffOpened', locale) }];
  }

  private async latestRequest(buyerId: string) {
    return this.deps.prisma.refundRequest.findFirst({ where: { buyerId }, orderBy: { createdAt: 'desc' }, include: { order: { include: { product: { select: { title: true } } } } } });
  }

  private async status(buyerId: string, locale: Locale): Promise<OutboundMessage[]> {
    const requests = await this.deps.prisma.refundRequest.findMany({
      where: { buyerId },
      orderBy: { createdAt: 'desc' },
      take: 3,
      include: { order: { include: { product: { select: { title: true } } } }, refunds: { orderBy: { createdAt: 'desc' }, take: 1 } },
    });
    if (requests.length === 0) return [{ text: say('noRequest', locale) }];
    const lines = requests.map((r) => {
      const refund = r.refunds[0];
      const money = refund ? ` · ${formatMoney({ amountMinor: refund.amountMinor, currency: refund.currency }, locale)}` : '';
      return `• ${r.order.product.title}（${r.orderId}）：${STATUS_WORDS[r.status]?.[locale] ?? r.status}${money}`;
    });
    return [{ text: lines.join('\n') }];
  }

  private async withdraw(buyerId: string, state: ChatState, locale: Locale): Promise<OutboundMessage[]> {
    const open = await this.deps.prisma.refundRequest.findFirst({
      where: { buyerId, status: { in: ['in_review', 'troubleshooting', 'rejected', 'refund_failed'] }, activeOrderKey: { not: null } },
      orderBy: { createdAt: 'desc' },
    });
    if (!open) {
      const latest = await this.latestRequest(buyerId);
      return [{ text: latest && ['refunded', 'refund_pending'].includes(latest.status) ? say('cannotCancel', locale) : say('noRequest', locale) }];
    }
    await this.deps.refunds.cancel(open.id, buyerId);
    if (state.requestId === open.id) state.requestId = undefined;
    return [{ text: say('cancelled', locale) }];
  }

  private async policy(buyerId: string, state: ChatState, locale: Locale): Promise<OutboundMessage[]> {
    const order = state.orderId
      ? await this.deps.prisma.order.findUnique({ where: { id: state.orderId }, include: { product: true } })
      : await this.deps.prisma.order.findFirst({ where: { buyerId }, orderBy: { paidAt: 'desc' }, include: { product: true } });
    if (!order) return [{ text: say('noOrders', locale) }];
    const policy = await resolvePolicy(this.deps.prisma, order.product);
    return [{ text: renderPolicy(policy, locale, order.product.title).text }];
  }

  /** Keeps the conversation (for agents taking over, for the widget's history); returns the stored ids. */
  private async record(msg: InboundMessage, text: string, replies: OutboundMessage[], locale: Locale): Promise<{ inboundId: string; replies: OutboundMessage[] }> {
    const [inbound, ...stored] = await this.deps.conversations.append({ channel: msg.channel, chatId: msg.chatId, buyerId: msg.buyerId, locale }, [
      { direction: 'in', deliveryId: msg.deliveryId, text, ...(msg.action ? { action: msg.action } : {}) },
      ...replies.map((r) => ({ direction: 'out' as const, text: r.text, ...(r.buttons?.length ? { buttons: r.buttons } : {}) })),
    ]);
    return { inboundId: inbound!.id, replies: replies.map((r, i) => ({ ...r, id: stored[i]!.id })) };
  }
}
