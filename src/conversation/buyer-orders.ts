// The buyer's orders as the dialogue talks about them: product, category, amount, route, when paid,
// and whether a refund request already holds the order. Read once per turn, newest first.
import type { PaymentMethod, ProductCategory } from '../domain/index.ts';
import type { PrismaClient } from '../store/index.ts';

export interface BuyerOrder {
  id: string;
  productId: string;
  title: string;
  category: ProductCategory;
  amountMinor: number;
  currency: string;
  paymentMethod: PaymentMethod;
  paidAt: Date;
  /** The order's latest refund request, if any. */
  request: { id: string; status: string; live: boolean } | null;
}

/** How many orders a buyer's list is read from (the newest); older ones are reached by their number. */
const MAX_ORDERS = 100;

const INCLUDE = {
  product: { select: { title: true, category: true } },
  refundRequests: { orderBy: { createdAt: 'desc' as const }, take: 1, select: { id: true, status: true, activeOrderKey: true } },
};

function query(prisma: PrismaClient, where: { buyerId: string; id?: string }, take: number) {
  return prisma.order.findMany({ where, orderBy: { paidAt: 'desc' }, take, include: INCLUDE });
}
type Loaded = Awaited<ReturnType<typeof query>>[number];

export async function loadBuyerOrders(prisma: PrismaClient, buyerId: string): Promise<BuyerOrder[]> {
  return (await query(prisma, { buyerId }, MAX_ORDERS)).map(toBuyerOrder);
}

/** One of the buyer's orders by its number (an older one than the list holds, too), or null. */
export async function loadBuyerOrder(prisma: PrismaClient, buyerId: string, orderId: string): Promise<BuyerOrder | null> {
  const [o] = await query(prisma, { buyerId, id: orderId }, 1);
  return o ? toBuyerOrder(o) : null;
}

function toBuyerOrder(o: Loaded): BuyerOrder {
  const r = o.refundRequests[0];
  return {
    id: o.id,
    productId: o.productId,
    title: o.product.title,
    category: o.product.category,
    amountMinor: o.amountMinor,
    currency: o.currency,
    paymentMethod: o.paymentMethod,
    paidAt: o.paidAt,
    // A request holds its order while it is live (deciding, in review, troubleshooting, paid back).
    request: r ? { id: r.id, status: r.status, live: r.activeOrderKey !== null } : null,
  };
}

/** Orders a refund can still be asked for: none refunded or already being handled. */
export const isActionable = (o: BuyerOrder): boolean => !o.request?.live;
