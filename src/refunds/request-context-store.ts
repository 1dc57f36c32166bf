// Everything a refund request needs to know before the policy decides, in one round trip: the order,
// its product and buyer, the live request holding it (if any), what was refunded already, whether a
// troubleshooting guide was given, the recorded usage, an earlier request under the same
// idempotency key, the order's commission ledger, the merchant policy the product names, the buyer's
// profile and the evidence risk starts from (their SQL is the risk module's: risk-store.ts). One
// statement instead of a dozen ORM calls and four round trips: this is the hot path of every request.
import type { PaymentMethod, ProductCategory } from '../domain/index.ts';
import type { StoredUsageKind } from '../domain/index.ts';
import type { LedgerEntry } from '../commission/index.ts';
import { localeOrDefault, type Locale } from '../domain/index.ts';
import type { FirstEvidence, RiskAssessor } from '../risk/index.ts';
import type { ProfileRow } from '../risk/index.ts';
import { profileSql } from '../risk/index.ts';
import {
  batchedSelect,
  batcherPerRunner,
  HOT_PATH_BATCHES,
  SqlParams,
  shapedStatement,
  StatementBatcher,
  type SqlRunner,
} from '../store/index.ts';

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
  /** The latest stored version of the policy the product names (unparsed), if one is stored. */
  storedPolicy: unknown;
  /** The requesting buyer's history (risk-store.ts profileSql). */
  profile: ProfileRow;
  /** What the request's risk is first assessed on (RiskAssessor.firstEvidenceSql). */
  firstEvidence: FirstEvidence;
}

export interface ContextKeys {
  orderId: string;
  buyerId: string;
  idempotencyKey: string | null;
  /** The device the request names; without one, risk looks at the device the order was paid from. */
  device: { id: string | null; ip: string | null };
  now: Date;
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
  storedPolicy: unknown;
  profile: ProfileRow;
  firstEvidence: FirstEvidence;
}

export async function loadRequestContext(
  sql: SqlRunner,
  keys: ContextKeys,
  risk: Pick<RiskAssessor, 'firstEvidenceSql'>,
): Promise<RequestContext | null> {
  const row = await contextReads(sql).submit(contextStatement(keys, risk));
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
    storedPolicy: row.storedPolicy,
    profile: row.profile,
    firstEvidence: row.firstEvidence,
    beneficiaryLocales: Object.fromEntries(
      Object.entries(row.beneficiaryLocales ?? {}).map(([id, locale]) => [id, localeOrDefault(locale)]),
    ),
  };
}

type ContextStatement = ReturnType<typeof contextStatement>;

// Requests read at the same time share one statement (StatementBatcher, batchedSelect): one lookup
// per request inside it, each by the same indexes as alone.
const contextReads = batcherPerRunner(
  (sql) => new StatementBatcher((items: ContextStatement[]) => readBatch(sql, items), HOT_PATH_BATCHES),
);

async function readBatch(sql: SqlRunner, items: ContextStatement[]): Promise<Array<Row | null>> {
  // Items of one risk assessor share a text (a desk has one); others go in their own statement.
  const groups = new Map<object, number[]>();
  for (const [i, item] of items.entries()) {
    const positions = groups.get(item.shape);
    if (positions) positions.push(i);
    else groups.set(item.shape, [i]);
  }
  const results: Array<Row | null> = items.map(() => null);
  await Promise.all(
    [...groups.values()].map(async (positions) => {
      const batch = batchedSelect(
        items[positions[0]!]!,
        positions.map((i) => items[i]!.values),
        1,
      );
      const rows = await sql.query<Row & { item: number }>(batch.text, batch.values, batch.name);
      for (const row of rows) results[positions[row.item]!] = row;
    }),
  );
  return results;
}

/**
 * The context as one statement. Its text is the same for every request (the windows are parameters),
 * so it stays prepared (test/integration/hot-path-batches.test.ts checks its generic plan: index
 * lookups only; a LATERAL ... LIMIT keeps a lookup by key from being planned as a hash over a scan); the buyer's profile and risk's first evidence are correlated with the order's
 * row (its currency, the device it was paid from).
 */
function contextStatement(
  keys: ContextKeys,
  risk: Pick<RiskAssessor, 'firstEvidenceSql'>,
): { text: string; values: unknown[]; types: string[]; name: string; shape: object } {
  const p = new SqlParams();
  const orderId = p.add(keys.orderId, 'text');
  const buyerId = p.add(keys.buyerId, 'text');
  const idempotencyKey = p.add(keys.idempotencyKey, 'text');
  const subject = {
    buyerId,
    deviceId: `coalesce(${p.add(keys.device.id, 'text')}, ctx_o."deviceId")`,
    ip: `coalesce(${p.add(keys.device.ip, 'text')}, ctx_o.ip)`,
  };
  const text = `
    SELECT ctx_o.id AS "orderId", ctx_o."buyerId", ctx_o."amountMinor", ctx_o.currency,
           (extract(epoch FROM ctx_o."paidAt") * 1000)::float8 AS "paidAtMs",
           ctx_o."paymentMethod"::text AS "paymentMethod", ctx_o."paymentTransactionId",
           coalesce(ctx_o."paymentTotalMinor", ctx_o."amountMinor") AS "paymentTotalMinor", ctx_o."deviceId", ctx_o.ip,
           ctx_p.id AS "productId", ctx_p.title AS "productTitle", ctx_p.category::text AS category, ctx_p."policyId",
           ctx_b.locale AS "buyerLocale", ctx_b.name AS "buyerName",
           (SELECT json_agg(json_build_object('orderId', c."orderId", 'beneficiaryId', c."beneficiaryId", 'level', c.level, 'kind', c.kind::text,
                     'amountMinor', c."amountMinor", 'balanceDeltaMinor', c."balanceDeltaMinor", 'currency', c.currency,
                     'refundRequestId', c."refundRequestId", 'reason', c.reason, 'dedupeKey', c."dedupeKey") ORDER BY c."createdAt", c.id)
              FROM commission_entries c WHERE c."orderId" = ctx_o.id) AS ledger,
           (SELECT json_object_agg(x.id, x.locale) FROM (SELECT DISTINCT c."beneficiaryId" FROM commission_entries c WHERE c."orderId" = ctx_o.id) c
              CROSS JOIN LATERAL (SELECT x.id, x.locale FROM buyers x WHERE x.id = c."beneficiaryId" LIMIT 1) x) AS "beneficiaryLocales",
           (SELECT json_build_object('id', a.id, 'status', a.status::text) FROM refund_requests a WHERE a."activeOrderKey" = ctx_o.id) AS active,
           (SELECT coalesce(sum(r."amountMinor"), 0) FROM refunds r WHERE r."orderId" = ctx_o.id AND r.status IN ('pending', 'succeeded'))::int AS "refundedMinor",
           (SELECT count(*) FROM refund_requests t WHERE t."orderId" = ctx_o.id AND t.outcome = 'troubleshoot')::int AS "troubleshootCount",
           (SELECT json_agg(json_build_object('kind', u.kind::text, 'value', u.value)) FROM usage_events u WHERE u."orderId" = ctx_o.id) AS usage,
           (SELECT i.id FROM refund_requests i WHERE i."buyerId" = ${buyerId} AND i."idempotencyKey" = ${idempotencyKey}) AS "idempotentId",
           (SELECT rp.definition FROM refund_policies rp WHERE rp.id = ctx_p."policyId" ORDER BY rp.version DESC LIMIT 1) AS "storedPolicy",
           ${profileSql(p, buyerId, 'ctx_o.currency', keys.now)} AS profile,
           ${risk.firstEvidenceSql(p, subject, keys.now)} AS "firstEvidence"
    FROM orders ctx_o JOIN products ctx_p ON ctx_p.id = ctx_o."productId" JOIN buyers ctx_b ON ctx_b.id = ctx_o."buyerId"
    WHERE ctx_o.id = ${orderId}`;
  // One text per risk assessor: its fragment is the only part that could differ.
  return { ...shapedStatement(risk, text), values: p.values, types: p.types, shape: risk };
}
