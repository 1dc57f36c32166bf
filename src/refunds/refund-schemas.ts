// POST /v1/refund-requests body (API.md "Refund requests").
import { z } from 'zod';
import { REASON_CODES } from '../domain/index.ts';
import { deviceSchema } from '../events/index.ts';

const id = z.string().min(1, 'must not be empty').max(128, 'must be at most 128 characters');

export const CHANNELS = ['shop', 'telegram', 'widget', 'slack', 'api'] as const;

export const refundRequestBodySchema = z
  .strictObject({
    orderId: id,
    buyerId: id,
    reasonCode: z.enum(REASON_CODES).optional(),
    reasonText: z.string().max(2_000, 'must be at most 2000 characters').optional(),
    channel: z.enum(CHANNELS).default('shop'),
    device: deviceSchema.optional(),
    idempotencyKey: z.string().min(8, 'must be at least 8 characters').max(128).optional(),
  })
  .refine((b) => b.reasonCode !== undefined || (b.reasonText?.trim().length ?? 0) > 0, {
    path: ['reasonCode'],
    message: 'is required (or give reasonText)',
  });

export type RefundRequestBody = z.infer<typeof refundRequestBodySchema>;

export const cancelBodySchema = z.strictObject({ buyerId: id.optional(), reason: z.string().max(500).optional() }).optional();

/** POST /v1/refund-requests/{id}/appeal: who appeals (checked against the request's buyer) and in their words. */
export const appealBodySchema = z
  .strictObject({
    buyerId: id.optional(),
    text: z.string().trim().min(1, 'must not be empty').max(1_000, 'must be at most 1000 characters').optional(),
  })
  .optional();
