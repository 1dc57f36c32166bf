// Everything a refund request needs to know about its order, in one round trip: the order, its
// product and buyer, the live request holding it (if any), what was refunded already, whether a
// troubleshooting guide was given, the recorded usage, an earlier request under the same
// idempotency key, and the order's commission ledger. One raw query instead of a dozen ORM calls: this is the hot path of every request.
import type { PaymentMethod, ProductCategory } from '../domain/index.ts';
import type { StoredUsageKind } from '../domain/index.ts';
import type { LedgerEntry } from '../commission/index.ts';
import { localeOrDefault, type Locale } from '../domain/index.ts';
import type { SqlRunner } from '../store/index.ts';

export interface RequestContext {
  orderId: string;
  buyerId: string;
  amountMinor: number;
  currency: string;
  paidAt: Date;
  paymentMethod: PaymentMethod;
  paymentTransactionId: string;
  /** The whole payment the order was part of (its own amount unless a cart paid several). */
  paymentTotalMinor: number;
  /** Where the order was paid from (order.paid), for risk when the request names no device. */
  deviceId: string | null;
  ip: string | null;
  product: { id: string; title: string; category: ProductCategory; policyId: string | null };
  buyerLocale: string | null;
  buyerName: string | null;
  active: { id: string; status: string } | null;
  refundedMinor: number;
  troubleshootingTried: boolean;
  usage: Array<{ kind: StoredUsageKind; value: number | null }>;
  idempotentRequestId: string | null;
  /** The order's commission ledger, in the order written, and each beneficiary's language. */
  ledger: LedgerEntry[];
  beneficiaryLocales: Record<string, Locale>;
}

interface Row {
  orderId: string;
  buyerId: string;
  amountMinor: number;
  currency: string;
  paidAtMs: number;
  paymentMethod: PaymentMethod;
  paymentTransactionId: string;
  paymentTotalMinor: number;
  deviceId: string | null;
  ip: string | null;
  productId: string;
  productTitle: string;
  category: ProductCategory;
  policyId: string | null;
  buyerLocale: string | null;
  buyerName: string | null;
  active: { id: string; status: string } | null;
  refundedMinor: number;
  troubleshootCount: number;
  usage: Array<{ kind: StoredUsageKind; value: number | null }> | null;
  idempotentId: string | null;
  ledger: LedgerEntry[] | null;
  beneficiaryLocales: Record<string, string | null> | null;
}

export async function loadRequestContext(
  sql: SqlRunner,
  orderId: string,
  buyerId: string,
  idempotencyKey: string | null,
): Promise<RequestContext | null> {
  // Timestamps are read as epoch milliseconds: the columns hold UTC without a zone, and epoch
  // extraction is zone-independent, so no session time zone can shift them.
  const rows = await sql.query<Row>(
    `
    SELECT o.id AS "orderId", o."buyerId", o."amountMinor", o.currency,
           (extract(epoch FROM o."paidAt") * 1000)::float8 AS "paidAtMs",
           o."paymentMethod"::text AS "paymentMethod", o."paymentTransactionId",
           coalesce(o."paymentTotalMinor", o."amountMinor") AS "paymentTotalMinor", o."deviceId", o.ip,
           p.id AS "productId", p.title AS "productTitle", p.category::text AS category, p."policyId",
           b.locale AS "buyerLocale", b.name AS "buyerName",
           (SELECT json_agg(json_build_object('orderId', c."orderId", 'beneficiaryId', c."beneficiaryId", 'level', c.level, 'kind', c.kind::text,
                     'amountMinor', c."amountMinor", 'balanceDeltaMinor', c."balanceDeltaMinor", 'currency', c.currency,
                     'refundRequestId', c."refundRequestId", 'reason', c.reason, 'dedupeKey', c."dedupeKey") ORDER BY c."createdAt", c.id)
              FROM commission_entries c WHERE c."orderId" = o.id) AS ledger,
           (SELECT json_object_agg(x.id, x.locale) FROM buyers x
              WHERE x.id IN (SELECT c."beneficiaryId" FROM commission_entries c WHERE c."orderId" = o.id)) AS "beneficiaryLocales",
           (SELECT json_build_object('id', a.id, 'status', a.status::text) FROM refund_requests a WHERE a."activeOrderKey" = o.id) AS active,
           (SELECT coalesce(sum(r."amountMinor"), 0) FROM refunds r WHERE r."orderId" = o.id AND r.status IN ('pending', 'succeeded'))::int AS "refundedMinor",
           (SELECT count(*) FROM refund_requests t WHERE t."orderId" = o.id AND t.outcome = 'troubleshoot')::int AS "troubleshootCount",
           (SELECT json_agg(json_build_object('kind', u.kind::text, 'value', u.value)) FROM usage_events u WHERE u."orderId" = o.id) AS usage,
           (SELECT i.id FROM refund_requests i WHERE i."buyerId" = $2::text AND i."idempotencyKey" = $3::text) AS "idempotentId"
    FROM orders o JOIN products p ON p.id = o."productId" JOIN buyers b ON b.id = o."buyerId"
    WHERE o.id = $1::text`,
    [orderId, buyerId, idempotencyKey],
    'rd_request_context',
  );
  const row = rows[0];
  if (!row) return null;
  return {
    orderId: row.orderId,
    buyerId: row.buyerId,
    amountMinor: row.amountMinor,
    currency: row.currency,
    paidAt: new Date(row.paidAtMs),
    paymentMethod: row.paymentMethod,
    paymentTransactionId: row.paymentTransactionId,
    paymentTotalMinor: row.paymentTotalMinor,
    deviceId: row.deviceId,
    ip: row.ip,
    product: { id: row.productId, title: row.productTitle, category: row.category, policyId: row.policyId },
    buyerLocale: row.buyerLocale,
    buyerName: row.buyerName,
    active: row.active,
    refundedMinor: row.refundedMinor,
    troubleshootingTried: row.troubleshootCount > 0,
    usage: row.usage ?? [],
    idempotentRequestId: row.idempotentId,
    ledger: row.ledger ?? [],
    beneficiaryLocales: Object.fromEntries(
      Object.entries(row.beneficiaryLocales ?? {}).map(([id, locale]) => [id, localeOrDefault(locale)]),
    ),
  };
}
