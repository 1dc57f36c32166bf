// Minimal valid events with overridable data, for schema tests.
const at = '2026-11-25T10:00:00+08:00';
const wrap = (type: string, data: Record<string, unknown>) => ({ id: `evt_${type}`, type, occurredAt: at, data });

export const merchant = (over: Record<string, unknown> = {}) => wrap('merchant.upserted', { id: 'm_1', name: 'Shop', ...over });
export const product = (over: Record<string, unknown> = {}) =>
  wrap('product.upserted', {
    id: 'p_1',
    merchantId: 'm_1',
    title: 'Course',
    category: 'course',
    priceMinor: 9900,
    currency: 'CNY',
    ...over,
  });
export const buyer = (over: Record<string, unknown> = {}) => wrap('buyer.upserted', { id: 'b_1', registeredAt: at, ...over });
export const orderPaid = (over: Record<string, unknown> = {}) =>
  wrap('order.paid', {
    id: 'o_1',
    buyerId: 'b_1',
    productId: 'p_1',
    amountMinor: 9900,
    currency: 'CNY',
    paidAt: at,
    payment: { method: 'wechat', transactionId: 'wx_1' },
    device: { id: 'd_1', ip: '203.0.113.7' },
    commissions: [{ beneficiaryId: 'b_up', level: 1, amountMinor: 990 }],
    ...over,
  });
export const usage = (over: Record<string, unknown> = {}) =>
  wrap('usage.recorded', { orderId: 'o_1', kind: 'course.progress', value: 0.2, at, ...over });
export const commissionPaidFixture = (over: Record<string, unknown> = {}) =>
  wrap('commission.paid', { orderId: 'o_1', beneficiaryId: 'b_up', amountMinor: 990, at, ...over });
