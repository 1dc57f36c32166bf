// Applies one platform event exactly once. Delivery is at least once, so the event id is recorded in
// the same transaction as its effects: a repeat (or 20 concurrent copies) finds the id taken and is
// acknowledged without applying anything. A reference to something the desk has not heard of yet
// rolls the whole event back with a 422, so the platform's retry applies it once the rest arrives.
import { DeskError } from '../errors.ts';
import { USAGE_KINDS } from '../domain/index.ts';
import { newId } from '../ids.ts';
import { isUniqueViolation, type PrismaClient } from '../store/index.ts';
import type { Prisma } from '../generated/prisma/client.ts';
import type { EventOf, PlatformEvent } from './event-schemas.ts';
import { checkAttachable, isAttachable } from '../refunds/index.ts';

type Tx = Prisma.TransactionClient;

export type IngestResult = { status: 'applied' | 'duplicate'; eventId: string; type: PlatformEvent['type'] };

const unknownReference = (field: string, what: string, id: string) =>
  new DeskError('invalid', 'unknown_reference', `${field} names ${what} ${id}, which the desk has not received yet`, {
    field,
    details: { retryable: true },
  });

async function applyMerchant(tx: Tx, { data }: EventOf<'merchant.upserted'>) {
  const fields = {
    name: data.name,
    locale: data.locale ?? 'zh',
    timeZone: data.timeZone ?? 'Asia/Shanghai',
    digestEmail: data.digest?.email ?? null,
    digestTelegramChatId: data.digest?.telegramChatId ?? null,
    digestSlackChannel: data.digest?.slackChannel ?? null,
  };
  await tx.merchant.upsert({ where: { id: data.id }, create: { id: data.id, ...fields }, update: fields });
}

async function applyProduct(tx: Tx, { data }: EventOf<'product.upserted'>) {
  if (!(await tx.merchant.findUnique({ where: { id: data.merchantId }, select: { id: true } }))) {
    throw unknownReference('data.merchantId', 'merchant', data.merchantId);
  }
  // A merchant's product takes only its own policies (or a preset) of its category.
  if (data.policyId) await checkAttachable(tx, data.policyId, data, { field: 'data.policyId', missing: 'unknown_reference' });
  // An event that does not name a policy keeps the one attached (PUT /v1/products/{id}/policy or an
  // earlier event): a price or title re-sync must not drop a merchant's policy. Only an explicit
  // null detaches it, and a product moved to where its policy cannot follow (another merchant,
  // category or currency) leaves it behind: its category's preset decides.
  let policyId: string | null = data.policyId ?? null;
  if (data.policyId === undefined) {
    const current = await tx.product.findUnique({ where: { id: data.id }, select: { policyId: true } });
    if (current?.policyId && (await isAttachable(tx, current.policyId, data))) policyId = current.policyId;
  }
  const fields = {
    merchantId: data.merchantId,
    title: data.title,
    category: data.category,
    priceMinor: data.priceMinor,
    currency: data.currency,
    policyId,
  };
  await tx.product.upsert({ where: { id: data.id }, create: { id: data.id, ...fields }, update: fields });
}

async function applyBuyer(tx: Tx, { data }: EventOf<'buyer.upserted'>) {
  if (data.uplineId === data.id) {
    throw new DeskError('invalid', 'invalid_input', 'data.uplineId must not be the buyer itself', { field: 'data.uplineId' });
  }
  const fields = {
    name: data.name ?? null,
    registeredAt: new Date(data.registeredAt),
    uplineId: data.uplineId ?? null,
    locale: data.locale ?? null,
    phone: data.phone ?? null,
  };
  await tx.buyer.upsert({ where: { id: data.id }, create: { id: data.id, ...fields }, update: fields });
}

async function applyOrderPaid(tx: Tx, { data }: EventOf<'order.paid'>) {
  // One after another: a transaction is one connection, which runs one query at a time.
  const buyer = await tx.buyer.findUnique({ where: { id: data.buyerId }, select: { id: true } });
  const product = await tx.product.findUnique({ where: { id: data.productId }, select: { currency: true } });
  const existing = await tx.order.findUnique({ where: { id: data.id }, select: { id: true } });
  if (!buyer) throw unknownReference('data.buyerId', 'buyer', data.buyerId);
  if (!product) throw unknownReference('data.productId', 'product', data.productId);
  // The same order under a new event id (a platform re-send) changes nothing: payments are immutable.
  if (existing) return;
  const paidAt = new Date(data.paidAt);
  await tx.order.create({
    data: {
      id: data.id,
      buyerId: data.buyerId,
      productId: data.productId,
      amountMinor: data.amountMinor,
      currency: data.currency,
      paidAt,
      paymentMethod: data.payment.method,
      paymentTransactionId: data.payment.transactionId,
      payerAccount: data.payment.payerAccount ?? null,
      paymentTotalMinor: data.payment.totalMinor ?? null,
      deviceId: data.device?.id ?? null,
      ip: data.device?.ip ?? null,
    },
  });
  if (data.device?.id || data.device?.ip) {
    await tx.fingerprint.create({
      data: {
        id: newId('fp'),
        buyerId: data.buyerId,
        deviceId: data.device.id ?? null,
        ip: data.device.ip ?? null,
        source: 'order',
        refId: data.id,
        at: paidAt,
      },
    });
  }
  if (data.commissions.length > 0) {
    await tx.commissionEntry.createMany({
      data: data.commissions.map((c) => ({
        id: newId('ce'),
        orderId: data.id,
        beneficiaryId: c.beneficiaryId,
        level: c.level,
        kind: 'accrued' as const,
        amountMinor: c.amountMinor,
        balanceDeltaMinor: c.amountMinor,
        currency: data.currency,
        reason: 'order.paid',
        dedupeKey: `accrued:${data.id}:${c.beneficiaryId}:${c.level}`,
      })),
    });
  }
}

async function applyUsage(tx: Tx, event: EventOf<'usage.recorded'>) {
  const { data } = event;
  if (!(await tx.order.findUnique({ where: { id: data.orderId }, select: { id: true } }))) {
    throw unknownReference('data.orderId', 'order', data.orderId);
  }
  await tx.usageEvent.create({
    data: {
      id: newId('ue'),
      orderId: data.orderId,
      kind: USAGE_KINDS[data.kind],
      value: data.value ?? null,
      at: new Date(data.at),
      source: event.id,
    },
  });
}

async function applyCommissionPaid(tx: Tx, { data }: EventOf<'commission.paid'>) {
  const accrued = await tx.commissionEntry.findFirst({
    where: { orderId: data.orderId, beneficiaryId: data.beneficiaryId, kind: 'accrued' },
  });
  if (!accrued) {
    throw unknownReference('data.orderId', 'a commission of order', `${data.orderId} for ${data.beneficiaryId}`);
  }
  if (data.amountMinor > accrued.amountMinor) {
    throw new DeskError('invalid', 'invalid_input', 'data.amountMinor is more than the commission accrued', {
      field: 'data.amountMinor',
    });
  }
  // Paying out moves money from "owed to the beneficiary" to "in their hands": the balance drops.
  await tx.commissionEntry.create({
    data: {
      id: newId('ce'),
      orderId: data.orderId,
      beneficiaryId: data.beneficiaryId,
      level: accrued.level,
      kind: 'paid',
      amountMinor: data.amountMinor,
      balanceDeltaMinor: -data.amountMinor,
      currency: accrued.currency,
      reason: 'commission.paid',
      dedupeKey: `paid:${data.orderId}:${data.beneficiaryId}`,
    },
  });
}

async function applyEffects(tx: Tx, event: PlatformEvent): Promise<void> {
  switch (event.type) {
    case 'merchant.upserted':
      return applyMerchant(tx, event);
    case 'product.upserted':
      return applyProduct(tx, event);
    case 'buyer.upserted':
      return applyBuyer(tx, event);
    case 'order.paid':
      return applyOrderPaid(tx, event);
    case 'usage.recorded':
      return applyUsage(tx, event);
    case 'commission.paid':
      return applyCommissionPaid(tx, event);
  }
}

export async function applyPlatformEvent(prisma: PrismaClient, event: PlatformEvent): Promise<IngestResult> {
  const result = { eventId: event.id, type: event.type };
  try {
    await prisma.$transaction(async (tx) => {
      // First, so that concurrent copies queue on the primary key and all but one find it taken.
      await tx.platformEvent.create({
        data: { id: event.id, type: event.type, occurredAt: new Date(event.occurredAt), data: event.data as object },
      });
      await applyEffects(tx, event);
    });
  } catch (error) {
    if (isUniqueViolation(error) && (await prisma.platformEvent.findUnique({ where: { id: event.id } }))) {
      return { ...result, status: 'duplicate' };
    }
    throw error;
  }
  return { ...result, status: 'applied' };
}
