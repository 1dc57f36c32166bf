// Putting a refund together and running it: the reason kept as the buyer gave it, the order named or
// chosen, then the refund workflow, and its outcome explained (money back by which route and when it
// usually arrives; why not and what next; or a troubleshooting guide first, M23).
import type { ReasonCode } from '../../domain/index.ts';
import { scripts } from '../../nlu/index.ts';
import { DeskError } from '../../errors.ts';
import type { RefundRequestView } from '../../refunds/index.ts';
import { loadBuyerOrder } from '../buyer-orders.ts';
import { clearRefund, MAX_MISSES } from '../dialogue-state.ts';
import { pickGuide } from '../guides.ts';
import { ordinal } from '../order-resolver.ts';
import { BUTTONS, ROUTES, STATUS_WORDS, say } from '../texts.ts';
import type { ActionTurn, BoundTurn, TextTurn } from '../turn.ts';
import { actionable, offer, offerMore, orderLine, resolveNamed, take } from './orders.ts';
import { person } from './person.ts';
import { withdraw } from './withdraw.ts';

/** The refund request's `channel` for each chat channel. */
const CHANNEL_OF = { telegram: 'telegram', widget: 'widget', terminal: 'api' } as const;

const SPOKEN_REASONS: ReadonlySet<ReasonCode> = new Set(['changed_mind', 'unsatisfied', 'cannot_use']);

/**
 * The reason the message gives, if it gives one: it replaces an earlier one; a message that gives
 * none (names an order, says "refund") leaves the earlier reason and its words as they were.
 */
export function rememberReason(t: TextTurn): boolean {
  const code = t.nlu.statedReason;
  if (!code || !SPOKEN_REASONS.has(code) || !saysMoreThanTheOrder(t)) return false;
  t.state.reasonCode = code;
  t.state.reasonText = t.text.slice(0, 2_000);
  return true;
}

/** Words that only point at something ("那个", "the one"): what is left of "摄影那个" once the order is named. */
const POINTERS = /那个|这个|那笔|这笔|那单|这单|就是|的|吧|啊|呀|呢|了|\b(?:the|one|that|this|it|please|pls|yes|ok|about|for|my)\b/giu;

/** Whether the message says something besides naming the order: only then can it give a reason. */
function saysMoreThanTheOrder(t: TextTurn): boolean {
  let rest = t.text;
  for (const w of t.mention?.words ?? []) rest = rest.replace(new RegExp(w.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'), 'gi'), ' ');
  rest = rest.replace(POINTERS, ' ');
  const { cjk, latin } = scripts(rest);
  return cjk >= 2 || latin >= 4;
}

/** A lead sentence and what follows it: Chinese runs on, English takes a space. */
export const join = (lead: string, text: string) =>
  !lead ? text : /[\u3400-\u9fff。！？）]$/.test(lead) ? `${lead}${text}` : `${lead} ${text}`;

/** Asks for what is missing (the order, then the reason), then runs the refund. */
export async function proceed(t: BoundTurn, lead = ''): Promise<void> {
  const { state } = t;
  if (!state.orderId) {
    const all = await t.orders();
    const open = await actionable(t);
    if (all.length === 0) {
      t.reply(join(lead, say('noOrders', t.locale)), [{ label: BUTTONS.person[t.locale], action: 'agent' }]);
      return;
    }
    if (open.length === 0) {
      clearRefund(state);
      t.reply(join(lead, say('nothingActionable', t.locale)), [
        { label: BUTTONS.status[t.locale], action: 'status' },
        { label: BUTTONS.person[t.locale], action: 'agent' },
      ]);
      return;
    }
    // The only order that can be refunded is taken (and said which) — unless this chat already
    // handled one: then "退款" again may mean that one, and the buyer says which.
    if (open.length > 1 || state.handled?.length) {
      offer(t, open, join(lead, say('chooseOrder', t.locale)));
      return;
    }
    take(t, open[0]!);
    lead = join(lead, orderLine(open[0]!, t));
  }
  if (!state.reasonCode) {
    state.pending = 'reason';
    t.reply(
      join(lead, say(lead ? 'chooseReasonShort' : 'chooseReason', t.locale)),
      BUTTONS.reasons[t.locale].map(([code, label]) => ({ label, action: `reason:${code}` })),
    );
    return;
  }
  await submit(t, lead);
}

async function submit(t: BoundTurn, lead: string): Promise<void> {
  const { state } = t;
  const orderId = state.orderId!;
  const reasonCode = state.reasonCode!;
  const reasonText = state.reasonText;
  clearRefund(state);
  state.handled = [...new Set([...(state.handled ?? []), orderId])].slice(-10);
  let view: RefundRequestView;
  try {
    view = (
      await t.deps.refunds.request({
        orderId,
        buyerId: t.buyerId,
        reasonCode,
        ...(reasonText ? { reasonText } : {}),
        channel: CHANNEL_OF[state.channel ?? 'widget'],
      })
    ).view;
  } catch (error) {
    if (error instanceof DeskError && error.category === 'conflict' && typeof error.details?.existingRequestId === 'string') {
      const existing = await t.deps.refunds.view(error.details.existingRequestId);
      const status = `${STATUS_WORDS[existing.status]?.[t.locale] ?? existing.status}${t.locale === 'zh' ? '。' : '.'}`;
      const text = error.code === 'order_already_refunded' ? say('alreadyRefunded', t.locale) : join(say('alreadyOpen', t.locale), status);
      t.reply(join(lead, text), [{ label: BUTTONS.status[t.locale], action: 'status' }]);
      return;
    }
    if (error instanceof DeskError && (error.category === 'not_found' || error.category === 'forbidden')) {
      t.reply(say('orderNotYours', t.locale));
      return;
    }
    throw error;
  }
  await outcome(t, view, lead);
}

async function outcome(t: BoundTurn, view: RefundRequestView, lead: string): Promise<void> {
  const { locale } = t;
  const explanation = view.explanation?.[locale] ?? '';
  switch (view.status) {
    case 'troubleshooting': {
      const order = await t.deps.prisma.order.findUniqueOrThrow({
        where: { id: view.orderId },
        include: { product: { select: { category: true } } },
      });
      const guide = pickGuide(t.deps.guides, order.product.category, view.reasonText ?? '', locale);
      t.state.pending = 'guide_feedback';
      t.state.requestId = view.id;
      const steps = guide.steps.map((s, i) => `${i + 1}. ${s}`).join('\n');
      const title = locale === 'zh' ? `【${guide.title}】` : ` ${guide.title}:`;
      t.reply(join(lead, `${say('guideIntro', locale)}${title}\n${steps}\n\n${guide.support}`));
      t.reply(say('guideAsk', locale), [
        { label: BUTTONS.solved[locale], action: 'guide:solved' },
        { label: BUTTONS.unsolved[locale], action: 'guide:unsolved' },
      ]);
      return;
    }
    case 'rejected':
      // M22 opens the ticket at once; a refusal without one offers the appeal (M3), taken by a button.
      if (view.handoff) t.reply(join(lead, `${explanation}\n${say('appealOpened', locale)}`));
      else {
        // The buyer may press it, or say so in words ("我要申诉", "yes please"): the offer is pending.
        t.state.pending = 'appeal_offer';
        t.state.requestId = view.id;
        t.reply(join(lead, explanation), [{ label: BUTTONS.appeal[locale], action: `appeal:${view.id}` }]);
      }
      return;
    case 'refunded':
    case 'refund_pending': {
      const order = await t.deps.prisma.order.findUnique({ where: { id: view.orderId }, select: { paymentMethod: true } });
      const arrives = order ? ROUTES[order.paymentMethod].arrives[locale] : '';
      const when = arrives ? (locale === 'zh' ? `${arrives}。` : ` ${arrives[0]!.toUpperCase()}${arrives.slice(1)}.`) : '';
      t.reply(join(lead, `${explanation}${when}`));
      return;
    }
    default:
      t.reply(join(lead, explanation), view.status === 'in_review' ? [{ label: BUTTONS.status[locale], action: 'status' }] : []);
  }
}

/** A refund asked for in words: its reason kept, its order taken from the words, then on. */
export async function onRefundText(t: TextTurn): Promise<void> {
  rememberReason(t);
  const named = await resolveNamed(t);
  switch (named.kind) {
    case 'one':
      take(t, named.order);
      return proceed(t, orderLine(named.order, t));
    case 'several':
      return offer(t, named.orders, say('chooseAmong', t.locale));
    case 'none':
      return offerInstead(t);
    case 'unnamed':
      return proceed(t);
  }
}

/** The order the buyer named is not theirs, or there is none like it: said, with the list. */
async function offerInstead(t: TextTurn): Promise<void> {
  if (t.nlu.entities.orderIds.length > 0) {
    t.state.orderId = undefined;
    const open = await actionable(t);
    if (open.length > 0) offer(t, open, join(say('orderNotYours', t.locale), say('chooseOrder', t.locale)));
    else t.reply(say('orderNotYours', t.locale));
    return;
  }
  const open = await actionable(t);
  if (open.length === 0) {
    t.reply(say('nothingActionable', t.locale), [
      { label: BUTTONS.status[t.locale], action: 'status' },
      { label: BUTTONS.person[t.locale], action: 'agent' },
    ]);
    return;
  }
  offer(t, open, say('noneMatched', t.locale));
}

const OTHER_REQUESTS = new Set(['refund.status', 'refund.cancel', 'order.cancel', 'agent.request', 'policy.ask']);

/** Waiting for the order: a name, a time word, "the second one", "more", or the reason given first. */
export async function onOrderAnswer(t: TextTurn, next: () => Promise<void>): Promise<void> {
  const orders = await t.orders();
  const picked = ordinal(t.text, t.state.offered ?? []);
  const byNumber = picked ? orders.find((o) => o.id === picked) : undefined;
  if (byNumber) {
    take(t, byNumber);
    return proceed(t, orderLine(byNumber, t));
  }
  const named = await resolveNamed(t);
  if (named.kind !== 'unnamed') {
    if (OTHER_REQUESTS.has(t.nlu.intent) && named.kind === 'one') return next();
    rememberReason(t);
    if (named.kind === 'one') {
      take(t, named.order);
      return proceed(t, orderLine(named.order, t));
    }
    if (named.kind === 'several') return offer(t, named.orders, say('chooseAmong', t.locale));
    return offerInstead(t);
  }
  const further = (t.state.offset ?? 0) + (t.state.offered?.length ?? 0);
  // "都不是" / "more" shows the next orders; "算了，不退了" is another request (withdrawing), a bare "no" is "none of these".
  if (t.nlu.answer === 'more') return offerMore(t, further);
  if (OTHER_REQUESTS.has(t.nlu.intent)) return next();
  if (t.nlu.answer === 'no') return offerMore(t, further);
  const open = await actionable(t);
  if (rememberReason(t)) {
    // The reason came before the order: kept, and the question asked again.
    return offer(t, open, join(say('reasonNoted', t.locale), say('chooseOrder', t.locale)));
  }
  // Not an answer the bot can use: asked once more, then a person (never a loop).
  if (t.miss() >= MAX_MISSES) return person(t, { why: 'the bot did not understand the buyer twice in a row', reply: 'missedTwice' });
  offer(t, open, say('chooseOrderAgain', t.locale), t.state.offset ?? 0);
}

/** Waiting for the reason: a reason in words (the buyer's own, kept as said), or another request. */
export async function onReasonAnswer(t: TextTurn, next: () => Promise<void>): Promise<void> {
  if (rememberReason(t)) return proceed(t);
  // "算了" / "never mind" when asked why: the refund is given up, not explained.
  if (t.nlu.answer === 'no' && (t.nlu.intent === 'None' || t.nlu.intent === 'refund.cancel')) return withdraw(t);
  if (OTHER_REQUESTS.has(t.nlu.intent) || t.nlu.intent === 'greeting' || t.text.length === 0) return next();
  const named = await resolveNamed(t);
  if (named.kind === 'one' && named.order.id !== t.state.orderId && t.nlu.intent === 'None') {
    // "不对，是Excel那个": the order corrected; the reason still to come.
    take(t, named.order);
    t.state.pending = 'reason';
    t.reply(
      join(orderLine(named.order, t), say('chooseReasonShort', t.locale)),
      BUTTONS.reasons[t.locale].map(([code, label]) => ({ label, action: `reason:${code}` })),
    );
    return;
  }
  // Whatever else the buyer writes here is their reason, in their words.
  t.state.reasonCode = 'other';
  t.state.reasonText = t.text.slice(0, 2_000);
  return proceed(t);
}

/** Waiting for "shall I start a refund?" (after "cancel my order"). */
export async function onConfirmAnswer(t: TextTurn, next: () => Promise<void>): Promise<void> {
  if (t.nlu.answer === 'yes') {
    t.state.pending = undefined;
    return proceed(t);
  }
  if (t.nlu.answer === 'no') {
    clearRefund(t.state);
    t.reply(say('okNoRefund', t.locale));
    return;
  }
  t.state.pending = undefined;
  return next();
}

/** Buttons of the refund flow: an order, more orders, a reason, "yes/no, refund". */
export async function onRefundButton(t: ActionTurn): Promise<void> {
  const { verb, arg } = t.action;
  if (verb === 'orders') return offerMore(t, Number(arg?.split(':')[1] ?? 0) || 0);
  if (verb === 'order') {
    const order = (await t.orders()).find((o) => o.id === arg) ?? (arg ? await loadBuyerOrder(t.deps.prisma, t.buyerId, arg) : null);
    if (!order) {
      t.reply(say('orderNotYours', t.locale));
      return;
    }
    take(t, order);
    return proceed(t);
  }
  if (verb === 'reason') {
    if (arg === 'changed_mind' || arg === 'unsatisfied' || arg === 'cannot_use' || arg === 'other') t.state.reasonCode = arg;
    return proceed(t);
  }
  // refund:yes / refund:no
  t.state.pending = undefined;
  if (arg === 'no') {
    clearRefund(t.state);
    t.reply(say('okNoRefund', t.locale));
    return;
  }
  return proceed(t);
}
