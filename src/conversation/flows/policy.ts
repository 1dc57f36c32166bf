// "能退吗？" answered for the product the buyer names (or the order this chat is about, else their
// latest), with the product's rules (renderPolicy, M7) and, for the buyer's own order, where it
// stands: how long since payment, what was used, and what the rules then allow.
import { renderPolicy } from '../../policy/index.ts';
import { resolvePolicy } from '../../refunds/index.ts';
import { summarizeUsage } from '../../usage/index.ts';
import { isActionable, type BuyerOrder } from '../buyer-orders.ts';
import { orderSituation } from '../order-situation.ts';
import { BUTTONS, say, showTitle } from '../texts.ts';
import type { BoundTurn, TextTurn } from '../turn.ts';
import { resolveNamed } from './orders.ts';
import { rememberReason } from './refund.ts';
import { statusLine } from './status.ts';

async function forOrder(t: BoundTurn, order: BuyerOrder, hint: boolean): Promise<void> {
  const product = await t.deps.prisma.product.findUniqueOrThrow({ where: { id: order.productId } });
  const policy = await resolvePolicy(t.deps.prisma, product);
  const rules = renderPolicy(policy, t.locale, showTitle(product.title, t.locale)).text;
  let situation: string;
  if (order.request?.live) {
    const refund = await t.deps.prisma.refund.findFirst({ where: { refundRequestId: order.request.id }, orderBy: { createdAt: 'desc' } });
    situation = statusLine(
      {
        status: order.request.status,
        title: order.title,
        amountMinor: refund?.amountMinor ?? order.amountMinor,
        currency: order.currency,
        method: order.paymentMethod,
        hasHandoff: false,
      },
      t.locale,
    );
  } else {
    const events = await t.deps.prisma.usageEvent.findMany({ where: { orderId: order.id }, select: { kind: true, value: true } });
    situation = orderSituation(policy, summarizeUsage(events, { status: 'not_configured' }), order.paidAt, t.now, t.locale);
  }
  // The refund is one press away when the order can still be refunded.
  const buttons = isActionable(order) ? [{ label: BUTTONS.startRefund[t.locale], action: `order:${order.id}` }] : [];
  t.reply(`${rules}\n\n${situation}${hint ? `\n${say('otherPolicies', t.locale)}` : ''}`, buttons);
}

/** A product the buyer names but has not bought: its rules alone, found among the shop's products. */
async function forProduct(t: TextTurn): Promise<boolean> {
  const products = await t.deps.prisma.product.findMany({ take: 500, orderBy: { createdAt: 'desc' } });
  const named = t.resolver.resolve(
    t.text,
    products.map((p) => ({ ...p, paidAt: p.createdAt })),
    t.now,
  );
  const product = named.matches[0];
  if (!named.named || !product || named.matches.length > 3) return false;
  const policy = await resolvePolicy(t.deps.prisma, product);
  t.reply(renderPolicy(policy, t.locale, showTitle(product.title, t.locale)).text);
  return true;
}

export async function policyAnswer(t: BoundTurn): Promise<void> {
  const orders = await t.orders();
  const current = orders.find((o) => o.id === t.state.orderId) ?? orders.find(isActionable) ?? orders[0];
  if (!current) {
    t.reply(say('noOrders', t.locale));
    return;
  }
  const categories = new Set(orders.map((o) => o.category));
  await forOrder(t, current, !t.state.orderId && categories.size > 1);
}

export async function onPolicyText(t: TextTurn): Promise<void> {
  // A reason given with the question is kept for the refund that may follow.
  rememberReason(t);
  const named = await resolveNamed(t);
  if (named.kind === 'one' || named.kind === 'several') {
    const order = named.kind === 'one' ? named.order : named.orders[0]!;
    t.state.orderId ??= order.id;
    return forOrder(t, order, false);
  }
  if (named.kind === 'none' && (await forProduct(t))) return;
  return policyAnswer(t);
}
