// The platform's events (API.md "Events"), validated at the edge. Each error names its field.
import { z } from 'zod';
import { PAYMENT_METHODS, PRODUCT_CATEGORIES, LOCALES, USAGE_KINDS } from '../domain/index.ts';
import { amountMinorSchema, currencySchema, deviceSchema } from '../domain/index.ts';

const id = z.string().min(1, 'must not be empty').max(128, 'must be at most 128 characters');
const timestamp = z.iso.datetime({ offset: true, message: 'must be an ISO 8601 time with a zone' });

const merchantUpserted = z.strictObject({
  id,
  name: z.string().min(1).max(200),
  locale: z.enum(LOCALES).optional(),
  timeZone: z.string().min(1).max(64).optional(),
  digest: z
    .strictObject({
      email: z.email().optional(),
      telegramChatId: z
        .string()
        .regex(/^-?\d{1,20}$/, 'must be a Telegram chat id')
        .optional(),
      slackChannel: z.string().min(1).max(64).optional(),
    })
    .optional(),
});

const productUpserted = z.strictObject({
  id,
  merchantId: id,
  title: z.string().min(1).max(300),
  category: z.enum(PRODUCT_CATEGORIES),
  priceMinor: amountMinorSchema,
  currency: currencySchema,
  policyId: id.nullable().optional(),
});

const buyerUpserted = z.strictObject({
  id,
  name: z.string().max(200).optional(),
  registeredAt: timestamp,
  uplineId: id.optional(),
  locale: z.enum(LOCALES).optional(),
  phone: z.string().max(32).optional(),
});

const orderPaid = z
  .strictObject({
    id,
    buyerId: id,
    productId: id,
    amountMinor: amountMinorSchema.min(1, 'must be at least 1'),
    currency: currencySchema,
    paidAt: timestamp,
    payment: z.strictObject({
      method: z.enum(PAYMENT_METHODS),
      transactionId: id,
      payerAccount: id.optional(),
      /** The whole payment when it paid for several orders (a cart); default the order's amount. */
      totalMinor: amountMinorSchema.min(1, 'must be at least 1').optional(),
    }),
    device: deviceSchema.optional(),
    commissions: z
      .array(
        z.strictObject({
          beneficiaryId: id,
          level: z.union([z.literal(1), z.literal(2)], { message: 'must be 1 or 2' }),
          amountMinor: amountMinorSchema,
        }),
      )
      .max(2, 'has at most two levels'),
  })
  .superRefine((order, ctx) => {
    const total = order.commissions.reduce((sum, c) => sum + c.amountMinor, 0);
    if (total > order.amountMinor) {
      ctx.addIssue({ code: 'custom', path: ['commissions'], message: 'add up to more than the order amount' });
    }
    if (order.payment.totalMinor !== undefined && order.payment.totalMinor < order.amountMinor) {
      ctx.addIssue({ code: 'custom', path: ['payment', 'totalMinor'], message: 'must not be less than the order amount' });
    }
    const levels = new Set(order.commissions.map((c) => c.level));
    if (levels.size !== order.commissions.length) {
      ctx.addIssue({ code: 'custom', path: ['commissions'], message: 'must name each level at most once' });
    }
  });

const usageRecorded = z
  .strictObject({
    orderId: id,
    kind: z.enum(Object.keys(USAGE_KINDS) as [keyof typeof USAGE_KINDS, ...(keyof typeof USAGE_KINDS)[]]),
    value: z.number().min(0, 'must be between 0 and 1').max(1, 'must be between 0 and 1').optional(),
    at: timestamp,
  })
  .superRefine((usage, ctx) => {
    if (usage.kind === 'course.progress' && usage.value === undefined) {
      ctx.addIssue({ code: 'custom', path: ['value'], message: 'is required for course.progress' });
    }
  });

const commissionPaid = z.strictObject({
  orderId: id,
  beneficiaryId: id,
  amountMinor: amountMinorSchema.min(1, 'must be at least 1'),
  at: timestamp,
});

const envelope = <T extends string, D extends z.ZodType>(type: T, data: D) =>
  z.strictObject({ id, type: z.literal(type), occurredAt: timestamp, data });

export const platformEventSchema = z.discriminatedUnion(
  'type',
  [
    envelope('merchant.upserted', merchantUpserted),
    envelope('product.upserted', productUpserted),
    envelope('buyer.upserted', buyerUpserted),
    envelope('order.paid', orderPaid),
    envelope('usage.recorded', usageRecorded),
    envelope('commission.paid', commissionPaid),
  ],
  { message: 'must be one of merchant.upserted, product.upserted, buyer.upserted, order.paid, usage.recorded, commission.paid' },
);

export type PlatformEvent = z.infer<typeof platformEventSchema>;
export type PlatformEventType = PlatformEvent['type'];
export type EventOf<T extends PlatformEventType> = Extract<PlatformEvent, { type: T }>;
