// The dialogue engine (M16, M21-M23): one buyer message in, the bot's replies out. It knows the
// buyer from the chat's binding and keeps per-chat state (the order, the reason and its words, the
// language, the pending question). Each message is read once (intent, order named, short answer,
// language) and routed through small composed handlers: first as an answer to the pending question,
// then as a new request; a message that asks for several things is handled request by request.
// It never says the same thing twice in a row, and after two misses a person takes over. A delivery
// seen before is dropped.
import { claimOnce } from '../cache/index.ts';
import type { Locale } from '../domain/index.ts';
import type { NluClassifier } from '../nlu/index.ts';
import { REFUND_INTENTS } from '../nlu/index.ts';
import { opensRequest } from '../nlu/index.ts';
import { loadBuyerOrders } from './buyer-orders.ts';
import { Composer } from './composer.ts';
import { conversationLanguage } from './conversation-language.ts';
import { cacheStateStore, type ChatState, type StateStore } from './dialogue-state.ts';
import { onGuideAnswer, onGuideButton } from './flows/guide.ts';
import { onAppeal, onAppealAnswer, onPersonText, person } from './flows/person.ts';
import { onPolicyText, policyAnswer } from './flows/policy.ts';
import { onConfirmAnswer, onOrderAnswer, onReasonAnswer, onRefundButton, onRefundText } from './flows/refund.ts';
import { onGreeting, onOrderCancel, onUnclear } from './flows/small-talk.ts';
import { onRatingButton, onRatingComment, onTypedRating } from './flows/satisfaction.ts';
import { onStatusText, status } from './flows/status.ts';
import { onWithdrawText, withdraw } from './flows/withdraw.ts';
import type { InboundMessage, OutboundMessage, TurnResult } from './messages.ts';
import { OrderResolver } from './order-resolver.ts';
import { BUTTONS, say } from './texts.ts';
import { isBound, isText, pressed, saying, Turn, waitingFor, type AgentDesk, type DialogueDeps } from './turn.ts';

export type { AgentDesk, DialogueDeps } from './turn.ts';

const DEDUPE_TTL_MS = 48 * 3_600_000;
const MAX_TEXT = 2_000;
/** At most this many requests of one message are handled (the rest is for a person to read). */
const MAX_PARTS = 3;

/** The dialogue's handlers, in the order they get a turn. A new flow is a new handler here. */
function dialogueFlow(): Composer<Turn> {
  return (
    new Composer<Turn>()
      .use((t, next) => (isBound(t) ? next() : t.reply(say('notBound', t.locale))))
      // Buttons.
      .when(pressed('order', 'orders', 'reason', 'refund'), onRefundButton)
      .when(pressed('guide'), onGuideButton)
      .when(pressed('agent'), (t) => person(t))
      .when(pressed('status'), (t) => status(t))
      .when(pressed('withdraw'), (t) => withdraw(t))
      .when(pressed('policy'), policyAnswer)
      .when(pressed('appeal'), onAppeal)
      .when(pressed('rate'), onRatingButton)
      .use((t, next) => (t.action ? t.reply(say('notUnderstood', t.locale)) : next()))
      // Text, first as the answer to the question the bot is waiting on.
      .when(waitingFor('guide_feedback'), onGuideAnswer)
      .when(waitingFor('refund_confirm'), onConfirmAnswer)
      .when(waitingFor('appeal_offer'), onAppealAnswer)
      .when(waitingFor('order'), onOrderAnswer)
      .when(waitingFor('reason'), onReasonAnswer)
      .when(waitingFor('rating_comment'), onRatingComment)
      .when(isText, onTypedRating)
      // Then as a new request.
      .when(saying('refund.request', 'refund.changed_mind', 'refund.unsatisfied', 'refund.cannot_use'), onRefundText)
      .when(saying('refund.status'), onStatusText)
      .when(saying('refund.cancel'), onWithdrawText)
      .when(saying('order.cancel'), onOrderCancel)
      .when(saying('agent.request'), onPersonText)
      .when(saying('policy.ask'), onPolicyText)
      .when(saying('greeting'), onGreeting)
      .when(isText, onUnclear)
  );
}

export class DialogueEngine {
  private readonly agentDesk: AgentDesk | null;
  private readonly states: StateStore;
  private readonly flow = dialogueFlow();
  private resolver: OrderResolver | null = null;

  constructor(private readonly deps: DialogueDeps) {
    this.states = cacheStateStore(deps.cache);
    this.agentDesk = deps.agentDesk ?? null;
  }

  /**
   * Loads the NLU model (the composition root awaits it before listening) and runs a turn's queries
   * once for no buyer, so the first buyer after a start waits no longer than the next.
   */
  async warmUp(): Promise<void> {
    await this.deps.nlu.get();
    // The queries are warmed without holding start-up: a database or cache that is down must not
    // keep the desk from listening (and /readyz from saying so).
    void (async () => {
      await loadBuyerOrders(this.deps.prisma, '~warm-up');
      await this.deps.conversations.hasDelivery({ channel: 'widget', chatId: '~warm-up' }, 'none');
    })().catch((error: unknown) => this.deps.log.warn({ err: error }, 'dialogue warm-up queries failed'));
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
    const state = await this.states.read(key);
    state.channel = msg.channel;
    const raw = (msg.text ?? '').replace(/\p{Cc}/gu, ' ').trim();
    const text = raw.slice(0, MAX_TEXT);
    let locale: Locale = state.locale ?? msg.localeHint ?? 'zh';
    if (msg.buyerId && this.agentDesk && (text || msg.action)) {
      const held = await this.agentDesk.handoffFor(msg.buyerId).catch((error: unknown) => {
        this.deps.log.warn({ err: error }, "could not look up the buyer's handoff");
        return null;
      });
      if (held) {
        await this.agentDesk
          .relay(held.id, msg.buyerId, text || `[${msg.action}]`)
          .catch((error: unknown) => this.deps.log.warn({ err: error }, 'could not relay to the agent'));
        // A person is talking with the buyer: the bot does not talk over them.
        if (held.claimed) return this.recorded(msg, text, [], locale);
      }
    }
    let replies: OutboundMessage[];
    try {
      const classifier = await this.deps.nlu.get();
      this.resolver ??= new OrderResolver(classifier.orderWords);
      const t = new Turn(this.deps, this.resolver, msg, msg.buyerId, text, state, locale);
      if (msg.buyerId && !msg.action) await this.read(t, classifier, true);
      await this.flow.run(t);
      // A turn the bot could use ends a run of misses.
      if (!t.missed) state.misses = 0;
      replies = t.replies;
      // The other requests of the same message, once the first no longer waits for an answer.
      while (msg.buyerId && !state.pending && state.queued?.length) {
        const follow = new Turn(this.deps, this.resolver, msg, msg.buyerId, state.queued.shift()!, state, t.locale);
        await this.read(follow, classifier, false);
        await this.flow.run(follow);
        replies.push(...follow.replies);
      }
      locale = t.locale;
      if (raw.length > MAX_TEXT) replies.push({ text: say('tooLong', locale) });
    } catch (error) {
      this.deps.log.error({ err: error, chatId: msg.chatId }, 'dialogue turn failed');
      replies = [{ text: say('somethingWrong', locale), buttons: [{ label: BUTTONS.person[locale], action: 'agent' }] }];
    }
    replies = neverTwice(replies, state, locale);
    state.lastReplies = replies.map((r) => r.text);
    state.locale = locale;
    // Hello and thank-you are one intent: the welcome opens a conversation, later it is "you're welcome".
    state.greeted = true;
    await this.states.write(key, state);
    return this.recorded(msg, text, replies, locale);
  }

  /**
   * Reads a text once for every handler: its intent (the buyer's own titles masked), the orders it
   * names, the conversation's language, and — for a message that asks for several things — which
   * request comes now and which wait.
   */
  private async read(t: Turn, classifier: NluClassifier, split: boolean): Promise<void> {
    const resolver = this.resolver!;
    const orders = await t.orders();
    const titles = resolver.titleWords(orders);
    // The buyer's own titles say which order, not what the buyer wants: they are masked before the
    // intent is read (a message that only names an order gives no reason: see rememberReason).
    const classify = (text: string) => classifier.classify(text, { locale: t.locale, nouns: titles });
    t.mention = resolver.resolve(t.text, orders, t.now);
    t.nlu = await classify(t.text);
    // A product name is no sign of a language ("XMind", "Excel那个lesson"): it is left out.
    const understood = t.nlu.intent !== 'None' || t.nlu.answer !== null;
    t.locale = conversationLanguage(t.state.locale, t.msg.localeHint, withoutWords(t.text, t.mention.words), understood);
    if (!split || t.nlu.parts.length < 2) return;
    const parts = t.nlu.parts.slice(0, MAX_PARTS);
    // A person reads the whole message: asking for one is the request that counts.
    if (parts.some((p) => p.intent === 'agent.request')) {
      t.nlu = { ...t.nlu, intent: 'agent.request', reasonCode: null, parts: [] };
      return;
    }
    // "调色课看了一点，现在还能退吗": a question whether the order can be refunded, its facts beside
    // it — answered with the rules and the order's situation, the refund one press away. With a
    // reason for wanting the money back ("公司已经买过了，能退吗") it is the refund itself, whose
    // outcome answers the question.
    const question = parts.find((p) => p.intent === 'policy.ask');
    if (
      question &&
      parts.every((p) => p === question || REFUND_INTENTS.has(p.intent) || p.intent === 'order.cancel') &&
      !parts.slice(1).some((p) => opensRequest(p.text))
    ) {
      // Which of the two it is, the reading of the whole message decides.
      const reason = t.nlu.statedReason;
      t.nlu =
        REFUND_INTENTS.has(t.nlu.intent) && (reason === 'changed_mind' || reason === 'unsatisfied')
          ? { ...t.nlu, intent: reason === 'changed_mind' ? 'refund.changed_mind' : 'refund.unsatisfied', reasonCode: reason, parts: [] }
          : { ...t.nlu, intent: 'policy.ask', reasonCode: null, parts: [] };
      return;
    }
    const [first, second] = parts;
    const namesOf = (text: string) => resolver.resolve(text, orders, t.now);
    // Two clauses of one refund ("Excel课退了吧，还有它一直报错") stay one request unless they name different orders.
    if (REFUND_INTENTS.has(first!.intent) && REFUND_INTENTS.has(second!.intent) && parts.length === 2) {
      const a = namesOf(first!.text).matches.map((o) => o.id);
      const b = namesOf(second!.text);
      if (!b.named || b.matches.every((o) => a.includes(o.id))) return;
    }
    t.text = first!.text;
    t.mention = namesOf(first!.text);
    t.nlu = await classify(first!.text);
    t.state.queued = parts.slice(1).map((p) => p.text);
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

  /** Keeps the conversation (for agents taking over, for the widget's history); returns the stored ids. */
  private async record(
    msg: InboundMessage,
    text: string,
    replies: OutboundMessage[],
    locale: Locale,
  ): Promise<{ inboundId: string; replies: OutboundMessage[] }> {
    const [inbound, ...stored] = await this.deps.conversations.append(
      { channel: msg.channel, chatId: msg.chatId, buyerId: msg.buyerId, locale },
      [
        { direction: 'in', deliveryId: msg.deliveryId, text, ...(msg.action ? { action: msg.action } : {}) },
        ...replies.map((r) => ({ direction: 'out' as const, text: r.text, ...(r.buttons?.length ? { buttons: r.buttons } : {}) })),
      ],
    );
    return { inboundId: inbound!.id, replies: replies.map((r, i) => ({ ...r, id: stored[i]!.id })) };
  }
}

function withoutWords(text: string, words: string[]): string {
  let rest = text;
  for (const w of words) rest = rest.replace(new RegExp(w.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'), 'gi'), ' ');
  return rest.replace(/\s+/g, ' ').trim();
}

/** A reply the bot gave last turn is said differently this turn: never the same words twice in a row. */
function neverTwice(replies: OutboundMessage[], state: ChatState, locale: Locale): OutboundMessage[] {
  const last = new Set(state.lastReplies ?? []);
  return replies.map((r) => (last.has(r.text) ? { ...r, text: `${say('repeatPrefix', locale)}${r.text}` } : r));
}
