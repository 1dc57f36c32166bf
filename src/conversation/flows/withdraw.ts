// "还是不退了": withdraws what the buyer means — the refund being put together in this chat (nothing
// to withdraw at the workflow yet: the order and reason are forgotten), the request a guide was
// given for, the named order's open request, else the latest open one.
import { clearRefund } from '../dialogue-state.ts';
import { say } from '../texts.ts';
import type { BoundTurn, TextTurn } from '../turn.ts';
import { resolveNamed } from './orders.ts';
import { CANCELLABLE_STATUSES, isPaid } from '../../refunds/index.ts';

export async function withdraw(t: BoundTurn, orderId?: string): Promise<void> {
  const { state } = t;
  const midFlow =
    state.pending === 'order' ||
    state.pending === 'reason' ||
    state.pending === 'refund_confirm' ||
    (!!state.orderId && !state.requestId) ||
    !!state.reasonCode;
  if (midFlow && !orderId) {
    clearRefund(state);
    t.reply(say('flowDropped', t.locale));
    return;
  }
  const open = await t.deps.prisma.refundRequest.findFirst({
    where: {
      buyerId: t.buyerId,
      status: { in: [...CANCELLABLE_STATUSES] },
      activeOrderKey: { not: null },
      ...(orderId ? { orderId } : state.requestId ? { id: state.requestId } : {}),
    },
    orderBy: { createdAt: 'desc' },
  });
  if (!open) {
    const latest = await t.deps.prisma.refundRequest.findFirst({
      where: { buyerId: t.buyerId, ...(orderId ? { orderId } : {}) },
      orderBy: { createdAt: 'desc' },
    });
    clearRefund(state);
    t.reply(latest && isPaid(latest.status) ? say('cannotCancel', t.locale) : say('noRequest', t.locale));
    return;
  }
  await t.deps.refunds.cancel(open.id, t.buyerId);
  if (state.requestId === open.id) state.requestId = undefined;
  clearRefund(state);
  t.reply(say('cancelled', t.locale));
}

export async function onWithdrawText(t: TextTurn): Promise<void> {
  const named = await resolveNamed(t, 'requested');
  return withdraw(t, named.kind === 'one' ? named.order.id : undefined);
}
