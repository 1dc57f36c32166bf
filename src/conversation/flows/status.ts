// "Where is my refund?": each request with its product, amount, state, the route the money goes
// back by and when it usually arrives there (M20); for the order named, else the latest three.
// Internal ids are never shown.
import type { Locale, PaymentMethod } from '../../domain/index.ts';
import { formatMoney } from '../../domain/index.ts';
import { BUTTONS, ROUTES, say, showTitle } from '../texts.ts';
import type { BoundTurn, TextTurn } from '../turn.ts';
import { resolveNamed } from './orders.ts';

interface RequestLine {
  status: string;
  title: string;
  amountMinor: number;
  currency: string;
  method: PaymentMethod;
  hasHandoff: boolean;
}

export function statusLine(r: RequestLine, locale: Locale): string {
  const zh = locale === 'zh';
  const head = zh ? `${showTitle(r.title, 'zh')}（${formatMoney(r, 'zh')}）：` : `${showTitle(r.title, 'en')} (${formatMoney(r, 'en')}): `;
  const route = ROUTES[r.method];
  switch (r.status) {
    case 'refunded':
      return zh
        ? `${head}已退款，原路退回您的${route.name.zh}，${route.arrives.zh}。`
        : `${head}refunded to your ${route.name.en}; ${route.arrives.en}.`;
    case 'refund_pending':
      return zh
        ? `${head}退款中，将原路退回您的${route.name.zh}，${route.arrives.zh}。`
        : `${head}being paid back to your ${route.name.en}; ${route.arrives.en}.`;
    case 'deciding':
    case 'in_review':
      return zh ? `${head}人工审核中，通常2小时内会有结果。` : `${head}with a person for review, usually decided within 2 hours.`;
    case 'troubleshooting':
      return zh
        ? `${head}技术排查中，还没有退款；如果问题没解决，告诉我“还是不行”。`
        : `${head}being troubleshot, no refund yet; tell me if it still doesn't work.`;
    case 'rejected':
      return zh
        ? `${head}未通过自助退款${r.hasHandoff ? '，已转人工复核' : '，可以申诉转人工复核'}。`
        : `${head}not approved for self-service${r.hasHandoff ? '; a person is reviewing it' : '; you can appeal to a person'}.`;
    case 'cancelled':
      return zh ? `${head}已撤回，订单保持不变。` : `${head}withdrawn; the order stays as it is.`;
    case 'refund_failed':
      return zh ? `${head}支付渠道退款失败，人工正在处理。` : `${head}the payment provider failed it; a person is on it.`;
    default:
      return `${head}${r.status}`;
  }
}

export async function status(t: BoundTurn, orderIds?: string[]): Promise<void> {
  const requests = await t.deps.prisma.refundRequest.findMany({
    where: { buyerId: t.buyerId, ...(orderIds ? { orderId: { in: orderIds } } : {}) },
    orderBy: { createdAt: 'desc' },
    take: orderIds ? 10 : 3,
    include: {
      order: { include: { product: { select: { title: true } } } },
      refunds: { orderBy: { createdAt: 'desc' }, take: 1 },
      handoffs: { take: 1, select: { id: true } },
    },
  });
  // One line per order: its latest request.
  const latest = requests.filter((r, i) => requests.findIndex((x) => x.orderId === r.orderId) === i);
  if (latest.length === 0) {
    t.reply(say('noRequest', t.locale), [{ label: BUTTONS.startRefund[t.locale], action: 'refund:yes' }]);
    return;
  }
  const lines = latest.map((r) => {
    const refund = r.refunds[0];
    return statusLine(
      {
        status: r.status,
        title: r.order.product.title,
        amountMinor: refund?.amountMinor ?? r.order.amountMinor,
        currency: refund?.currency ?? r.order.currency,
        method: refund?.paymentMethod ?? r.order.paymentMethod,
        hasHandoff: r.handoffs.length > 0,
      },
      t.locale,
    );
  });
  t.reply(lines.join('\n'));
}

/** "Excel课的退款到哪了": the named order's request; without a name, the latest ones. */
export async function onStatusText(t: TextTurn): Promise<void> {
  const named = await resolveNamed(t, 'requested');
  if (named.kind === 'one') return status(t, [named.order.id]);
  if (named.kind === 'several')
    return status(
      t,
      named.orders.map((o) => o.id),
    );
  return status(t);
}
