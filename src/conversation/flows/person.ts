// A person: asked for, offered, taken after two messages the bot did not understand, or an appeal of
// a refusal (M3/M16). The agent gets the order this chat is about (or the buyer's latest) as context.
import { openHandoff } from '../../handoffs/handoffs.ts';
import { clearRefund } from '../dialogue-state.ts';
import { say } from '../texts.ts';
import type { ActionTurn, BoundTurn, TextTurn } from '../turn.ts';
import { resolveNamed } from './orders.ts';

export async function person(t: BoundTurn, options: { orderId?: string; why?: string; reply?: 'handoffOpened' | 'missedTwice' } = {}): Promise<void> {
  const why = options.why ?? 'the buyer asked for a person';
  const named = options.orderId ?? t.state.orderId;
  const latest = named ? null : (await t.orders())[0];
  await openHandoff(t.deps.prisma, { buyerId: t.buyerId, kind: 'buyer_request', reason: latest ? `${why} (their latest order attached)` : why, orderId: named ?? latest?.id ?? null });
  clearRefund(t.state);
  t.state.misses = 0;
  t.reply(say(options.reply ?? 'handoffOpened', t.locale));
}

export async function onPersonText(t: TextTurn): Promise<void> {
  const named = await resolveNamed(t);
  return person(t, named.kind === 'one' ? { orderId: named.order.id } : {});
}

/**
 * The appeal of a refusal that opened no ticket (M3: past the window, the refusal offers it): the
 * buyer's own request, once; a person reviews it with the decision and its facts.
 */
export async function onAppeal(t: ActionTurn): Promise<void> {
  const request = t.action.arg ? await t.deps.prisma.refundRequest.findFirst({ where: { id: t.action.arg, buyerId: t.buyerId }, include: { handoffs: { where: { status: { in: ['open', 'claimed'] } }, take: 1 } } }) : null;
  if (!request) {
    t.reply(say('noRequest', t.locale));
    return;
  }
  if (request.handoffs.length === 0) {
    await openHandoff(t.deps.prisma, { buyerId: t.buyerId, kind: 'appeal', reason: 'the buyer appealed the refusal', orderId: request.orderId, refundRequestId: request.id });
  }
  t.reply(say('appealOpened', t.locale));
}
