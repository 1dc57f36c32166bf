// Naming and choosing the order a request is about: the buyer's words resolved against their own
// orders (one match is taken and said; several are offered alone; none is said, with the list),
// the list of orders that can still be acted on (newest first, five at a time, with "more").
import { formatMoney } from '../../domain/index.ts';
import { timeAgo } from '../../domain/index.ts';
import { isActionable, loadBuyerOrder, type BuyerOrder } from '../buyer-orders.ts';
import type { Button } from '../messages.ts';
import { BUTTONS, say, showTitle } from '../texts.ts';
import type { BoundTurn, TextTurn } from '../turn.ts';

const PAGE = 5;

export function orderLabel(o: BuyerOrder, t: BoundTurn): string {
  return `${showTitle(o.title, t.locale)} · ${timeAgo(o.paidAt, t.locale, t.now.getTime())} · ${formatMoney({ amountMinor: o.amountMinor, currency: o.currency }, t.locale)}`;
}

/** "好的，是《X》（2小时前，¥99.00）这笔。": said whenever the bot takes an order the buyer did not press. */
export function orderLine(o: BuyerOrder, t: BoundTurn): string {
  const when = timeAgo(o.paidAt, t.locale, t.now.getTime());
  const money = formatMoney({ amountMinor: o.amountMinor, currency: o.currency }, t.locale);
  return t.locale === 'zh'
    ? `好的，是${showTitle(o.title, 'zh')}（${when}，${money}）这笔。`
    : `Got it: ${showTitle(o.title, 'en')} (${when}, ${money}).`;
}

export function take(t: BoundTurn, o: BuyerOrder): void {
  t.state.orderId = o.id;
  t.state.offered = undefined;
  t.state.offset = undefined;
  if (t.state.pending === 'order') t.state.pending = undefined;
}

/** Offers these orders as buttons (a page of them, with "more" when there are more) and waits for the choice. */
export function offer(t: BoundTurn, orders: BuyerOrder[], text: string, offset = 0): void {
  const page = orders.slice(offset, offset + PAGE);
  const buttons: Button[] = page.map((o) => ({ label: orderLabel(o, t), action: `order:${o.id}` }));
  if (orders.length > offset + PAGE) buttons.push({ label: BUTTONS.moreOrders[t.locale], action: `orders:more:${offset + PAGE}` });
  t.state.pending = 'order';
  t.state.offered = page.map((o) => o.id);
  t.state.offset = offset;
  t.reply(text, buttons);
}

/** The orders a refund can still be asked for, newest first. */
export async function actionable(t: BoundTurn): Promise<BuyerOrder[]> {
  return (await t.orders()).filter(isActionable);
}

/** The next page of the list, or "no older orders". */
export async function offerMore(t: BoundTurn, offset: number): Promise<void> {
  const orders = await actionable(t);
  if (offset >= orders.length) {
    t.reply(say('noMoreOrders', t.locale), [{ label: BUTTONS.person[t.locale], action: 'agent' }]);
    return;
  }
  offer(t, orders, say('chooseOrder', t.locale), offset);
}

export type Resolution =
  | { kind: 'one'; order: BuyerOrder }
  | { kind: 'several'; orders: BuyerOrder[] }
  | { kind: 'none' }
  | { kind: 'unnamed' };

/**
 * Which order the text names: an order number first (the buyer's own only), then words. Among the
 * orders the words fit, those that can still be acted on are preferred; a refunded one that alone
 * fits is still the one meant (the refund then says it is refunded already).
 */
export async function resolveNamed(t: TextTurn, prefer: 'actionable' | 'requested' = 'actionable'): Promise<Resolution> {
  const orders = await t.orders();
  const ids = t.nlu.entities.orderIds;
  if (ids.length > 0) {
    const owned = orders.filter((o) => ids.includes(o.id));
    if (owned.length === 0) {
      // An order number not in the recent list may still be the buyer's (an older order).
      const older = await loadBuyerOrder(t.deps.prisma, t.buyerId, ids[0]!);
      return older ? { kind: 'one', order: older } : { kind: 'none' };
    }
    return owned.length === 1 ? { kind: 'one', order: owned[0]! } : { kind: 'several', orders: owned };
  }
  const mention = t.mention;
  if (!mention?.named) return { kind: 'unnamed' };
  if (mention.matches.length === 0) return { kind: 'none' };
  // The same product bought more than once: the latest purchase is the one meant, whatever its
  // state (said, so the buyer can correct it; "already refunded" if it is).
  if (mention.matches.every((o) => o.productId === mention.matches[0]!.productId)) return { kind: 'one', order: mention.matches[0]! };
  // For a refund, orders that can still be refunded; for a status or a withdrawal, those with a request.
  const preferred = mention.matches.filter((o) => (prefer === 'actionable' ? isActionable(o) : o.request !== null));
  const matches = preferred.length > 0 ? preferred : mention.matches;
  if (matches.every((o) => o.productId === matches[0]!.productId)) return { kind: 'one', order: matches[0]! };
  return { kind: 'several', orders: matches };
}
