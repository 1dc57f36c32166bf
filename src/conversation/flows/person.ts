// A person: asked for, offered, taken after two messages the bot did not understand, or an appeal of
// a refusal (M3/M16). The agent gets the order this chat is about (or the buyer's latest) as context.
import { DeskError } from '../../errors.ts';
import { openHandoff } from '../../handoffs/index.ts';
import { clearRefund } from '../dialogue-state.ts';
import { BUTTONS, say } from '../texts.ts';
import type { ActionTurn, BoundTurn, TextTurn } from '../turn.ts';
import { resolveNamed } from './orders.ts';

export async function person(
  t: BoundTurn,
  options: { orderId?: string; why?: string; reply?: 'handoffOpened' | 'missedTwice' } = {},
): Promise<void> {
  const why = options.why ?? 'the buyer asked for a person';
  const named = options.orderId ?? t.state.orderId;
  const latest = named ? null : (await t.orders())[0];
  await openHandoff(t.deps.prisma, {
    buyerId: t.buyerId,
    kind: 'buyer_request',
    reason: latest ? `${why} (their latest order attached)` : why,
    orderId: named ?? latest?.id ?? null,
  });
  clearRefund(t.state);
  t.state.misses = 0;
  t.reply(say(options.reply ?? 'handoffOpened', t.locale));
}

export async function onPersonText(t: TextTurn): Promise<void> {
  const named = await resolveNamed(t);
  return person(t, named.kind === 'one' ? { orderId: named.order.id } : {});
}

/**
 * The appeal of a refusal that opened no ticket (M3: past the window, a lock past it, or a risk
 * block offers it): the refund workflow opens one `appeal` handoff for the request (a repeat finds
 * the same one), and a person reviews it with the decision, its facts and this conversation.
 */
async function appeal(t: BoundTurn, requestId: string | undefined, words?: string): Promise<void> {
  if (t.state.pending === 'appeal_offer') t.state.pending = undefined;
  if (t.state.requestId === requestId) t.state.requestId = undefined;
  if (!requestId) {
    t.reply(say('noRequest', t.locale));
    return;
  }
  try {
    await t.deps.refunds.appeal(requestId, t.buyerId, words);
  } catch (error) {
    if (!(error instanceof DeskError)) throw error;
    // Not this buyer's, or gone: nothing to appeal. An agent decided meanwhile, or the order was
    // refunded or asked about again: the buyer hears where it stands instead.
    if (error.category === 'not_found' || error.category === 'forbidden') t.reply(say('noRequest', t.locale));
    else if (error.code === 'order_already_refunded') t.reply(say('alreadyRefunded', t.locale));
    else t.reply(say('appealNotOffered', t.locale), [{ label: BUTTONS.status[t.locale], action: 'status' }]);
    return;
  }
  t.reply(say('appealOpened', t.locale));
}

/** The appeal button of a refusal. */
export function onAppeal(t: ActionTurn): Promise<void> {
  return appeal(t, t.action.arg);
}

/**
 * Words after a refusal offered the appeal: "yes", "我要申诉", "can a person look at it" take it (the
 * buyer's words go to the agent); "no", "算了" decline it; anything else is read as a new message.
 */
export async function onAppealAnswer(t: TextTurn, next: () => Promise<void>): Promise<void> {
  const answer = t.nlu.answer;
  if (answer === 'yes' || answer === 'appeal' || t.nlu.intent === 'agent.request')
    return appeal(t, t.state.requestId, t.text.slice(0, 1_000));
  t.state.pending = undefined;
  t.state.requestId = undefined;
  if (answer === 'no') {
    t.reply(say('okNoAppeal', t.locale));
    return;
  }
  return next();
}
