// Policies merchants own (issue 21): immutable versions in `refund_policies`, one row per version.
//   - A PUT whose rules differ from the current version stores the next version; the same rules
//     answer with the current one (a retried PUT creates nothing).
//   - A policy belongs to the merchant named in its first version: the API key is the platform's
//     (API.md), so the desk cannot tell merchants apart by the caller and checks the merchant the
//     body names against the policy's, and a product's merchant against the policy it takes.
//   - Category presets (policy/presets.ts) are the desk's: their ids cannot be written, and any
//     product of the preset's category may name one.
import { conflict, DeskError, forbidden, notFound } from '../errors.ts';
import type { Prisma } from '../generated/prisma/client.ts';
import { currentPreset, policySchema, PRESET_VERSIONS, type Policy } from '../policy/index.ts';
import { policyOf, rulesOf, sameRules, type PolicyBody } from '../policy/index.ts';
import { isUniqueViolation, type PrismaClient, type SqlRunner } from '../store/index.ts';

type Client = PrismaClient | Prisma.TransactionClient;

export interface StoredPolicy {
  policy: Policy;
  merchantId: string | null;
  createdAt: Date;
}

const stored = (row: { definition: unknown; merchantId: string | null; createdAt: Date }): StoredPolicy => ({
  policy: policySchema.parse(row.definition),
  merchantId: row.merchantId,
  createdAt: row.createdAt,
});

const isPresetId = (id: string) => PRESET_VERSIONS.some((p) => p.id === id);

/** The latest version of a stored policy; null when none was stored under this id. */
export async function currentPolicy(prisma: Client, id: string): Promise<StoredPolicy | null> {
  const row = await prisma.refundPolicy.findFirst({ where: { id }, orderBy: { version: 'desc' } });
  return row ? stored(row) : null;
}

/** Every version of a stored policy, oldest first. */
export async function policyVersions(prisma: Client, id: string): Promise<StoredPolicy[]> {
  const rows = await prisma.refundPolicy.findMany({ where: { id }, orderBy: { version: 'asc' } });
  return rows.map(stored);
}

/** Every stored policy's latest version, by id (for the operators' `refund-desk policy list`). */
export async function listPolicies(prisma: Client): Promise<Array<StoredPolicy & { versions: number }>> {
  const rows = await prisma.refundPolicy.findMany({ orderBy: [{ id: 'asc' }, { version: 'desc' }] });
  const latest = new Map<string, StoredPolicy & { versions: number }>();
  for (const row of rows) {
    const seen = latest.get(row.id);
    if (seen) seen.versions += 1;
    else latest.set(row.id, { ...stored(row), versions: 1 });
  }
  return [...latest.values()];
}

export type PutResult = { status: 'created' | 'unchanged'; id: string; version: number };

/**
 * Stores `body` as the next version of policy `id` unless it says what the current version says.
 * Two PUTs at once both read version n: the second insert of n + 1 violates the key and is retried
 * against the version the first one wrote.
 */
export async function putPolicy(prisma: PrismaClient, id: string, body: PolicyBody): Promise<PutResult> {
  if (isPresetId(id))
    throw conflict('policy_is_preset', `${id} is a category preset of the desk; a merchant's policy needs an id of its own`);
  const { merchantId, ...rules } = body;
  for (let attempt = 0; ; attempt += 1) {
    const current = await currentPolicy(prisma, id);
    if (current) {
      if (current.merchantId !== null && current.merchantId !== merchantId) {
        throw forbidden('policy_of_another_merchant', `policy ${id} belongs to another merchant`);
      }
      // A policy stored before policies had owners: a merchant may take it over only when every
      // product on it is theirs, or one merchant's PUT would rewrite another's refund rules.
      if (current.merchantId === null) await checkClaimable(prisma, id, merchantId);
      if (current.policy.category !== rules.category) {
        throw new DeskError(
          'invalid',
          'policy_category_changed',
          `category must stay ${current.policy.category}: products of that category take this policy`,
          { field: 'category' },
        );
      }
      if (sameRules(rulesOf(current.policy), rulesOf(policyOf(id, current.policy.version, rules)))) {
        return { status: 'unchanged', id, version: current.policy.version };
      }
    } else if (!(await prisma.merchant.findUnique({ where: { id: merchantId }, select: { id: true } }))) {
      throw new DeskError('invalid', 'unknown_reference', `merchantId names merchant ${merchantId}, which the desk has not received yet`, {
        field: 'merchantId',
        details: { retryable: true },
      });
    }
    const version = (current?.policy.version ?? 0) + 1;
    const policy = policyOf(id, version, rules);
    try {
      await prisma.refundPolicy.create({
        data: { id, version, merchantId: current?.merchantId ?? merchantId, category: policy.category, definition: policy },
      });
      return { status: 'created', id, version };
    } catch (error) {
      if (!isUniqueViolation(error) || attempt >= 4) throw error;
    }
  }
}

async function checkClaimable(prisma: PrismaClient, id: string, merchantId: string): Promise<void> {
  if (!(await prisma.merchant.findUnique({ where: { id: merchantId }, select: { id: true } }))) {
    throw new DeskError('invalid', 'unknown_reference', `merchantId names merchant ${merchantId}, which the desk has not received yet`, {
      field: 'merchantId',
      details: { retryable: true },
    });
  }
  const others = await prisma.product.count({ where: { policyId: id, merchantId: { not: merchantId } } });
  if (others > 0) {
    throw forbidden('policy_shared', `policy ${id} has no owner and products of other merchants use it; an operator must split it first`);
  }
}

/**
 * Whether a product of `merchantId` in `category` may take policy `policyId`: a preset of its
 * category, or a stored policy of its category that is the merchant's own (or has no owner).
 * `missing` says what an unknown id is: a 404 for the attach endpoint, a retryable 422 for an event
 * that may arrive before the policy's PUT.
 */
export async function checkAttachable(
  prisma: Client,
  policyId: string,
  product: { merchantId: string; category: string; currency: string },
  options: { field: string; missing: 'not_found' | 'unknown_reference' },
): Promise<void> {
  const preset = currentPreset(policyId);
  const current = preset ? null : await currentPolicy(prisma, policyId);
  const policy = preset ?? current?.policy;
  if (!policy) {
    if (options.missing === 'not_found') throw notFound('policy_not_found', `Policy ${policyId} is not known to the desk`);
    throw new DeskError('invalid', 'unknown_reference', `${options.field} names policy ${policyId}, which the desk has not received yet`, {
      field: options.field,
      details: { retryable: true },
    });
  }
  if (current && current.merchantId !== null && current.merchantId !== product.merchantId) {
    throw new DeskError('forbidden', 'policy_of_another_merchant', `policy ${policyId} belongs to another merchant than the product's`, {
      field: options.field,
    });
  }
  if (policy.category !== product.category) {
    throw new DeskError(
      'conflict',
      'policy_category_mismatch',
      `policy ${policyId} is for ${policy.category}, the product is ${product.category}`,
      { field: options.field },
    );
  }
  // A merchant's allowance amounts are in its policy's currency, and decide() compares them only with
  // orders in that currency: on a product priced in another, the text would promise a cap the engine
  // never applies. (The desk's presets are for every currency: there the amounts are simply not compared.)
  if (current && policy.currency !== product.currency) {
    throw new DeskError(
      'conflict',
      'policy_currency_mismatch',
      `policy ${policyId} states its amounts in ${policy.currency}, the product is priced in ${product.currency}`,
      { field: options.field },
    );
  }
}

/** Whether the product may keep `policyId` (checkAttachable without the error). */
export async function isAttachable(
  prisma: Client,
  policyId: string,
  product: { merchantId: string; category: string; currency: string },
): Promise<boolean> {
  try {
    await checkAttachable(prisma, policyId, product, { field: 'policyId', missing: 'not_found' });
    return true;
  } catch (error) {
    if (error instanceof DeskError) return false;
    throw error;
  }
}

/** PUT /v1/products/{id}/policy: the product takes the policy (its latest version decides from now on). */
export async function attachPolicy(
  prisma: PrismaClient,
  productId: string,
  policyId: string,
): Promise<{ productId: string; policy: { id: string; version: number } }> {
  const product = await prisma.product.findUnique({
    where: { id: productId },
    select: { merchantId: true, category: true, currency: true },
  });
  if (!product) throw notFound('product_not_found', `Product ${productId} is not known to the desk`);
  await checkAttachable(prisma, policyId, product, { field: 'policyId', missing: 'not_found' });
  await prisma.product.update({ where: { id: productId }, data: { policyId } });
  const version = currentPreset(policyId)?.version ?? (await currentPolicy(prisma, policyId))!.policy.version;
  return { productId, policy: { id: policyId, version } };
}

/** An engine decision as the what-if replay (policy-simulation.ts) reads it. */
export interface StoredDecisionRow {
  id: string;
  refundRequestId: string;
  outcome: string;
  decidedBy: string | null;
  facts: unknown;
  policyId: string;
  policyVersion: number;
  createdAt: Date;
}

/**
 * One page of the engine's decisions in [from, to) for the products on `policyId` (or made under
 * it), in (createdAt, id) order after `after`. Pages straight off the decisions_createdAt_id
 * index: each page stops after `limit` matching rows, so no page sorts the period.
 */
export function policyDecisionsPage(
  sql: SqlRunner,
  policyId: string,
  range: { from: Date; to: Date },
  after: Pick<StoredDecisionRow, 'createdAt' | 'id'> | null,
  limit: number,
): Promise<StoredDecisionRow[]> {
  // Through the driver, not Prisma's raw query: a page of 100,000 facts spends most of its time in
  // Prisma's row decoding otherwise. The columns are timestamp without time zone holding UTC (as
  // Prisma writes them), so the bounds go as instants read in UTC (as risk-service.ts does); the cursor is the driver's own value of the
  // row, handed back to the same driver, so it compares equal whatever the process's time zone.
  const select = `SELECT d.id, d."refundRequestId", d.outcome::text AS outcome, d."decidedBy", d.facts, d."policyId", d."policyVersion", d."createdAt"
         FROM decisions d
         JOIN refund_requests r ON r.id = d."refundRequestId"
        WHERE d.actor = 'policy' AND d."createdAt" >= ($1::timestamptz AT TIME ZONE 'UTC') AND d."createdAt" < ($2::timestamptz AT TIME ZONE 'UTC')
          AND (d."policyId" = $3 OR r."productId" IN (SELECT p.id FROM products p WHERE p."policyId" = $3))`;
  const order = `ORDER BY d."createdAt", d.id LIMIT ${Math.trunc(limit)}`;
  return after
    ? sql.query<StoredDecisionRow>(
        `${select} AND (d."createdAt", d.id) > ($4, $5) ${order}`,
        [range.from.toISOString(), range.to.toISOString(), policyId, after.createdAt, after.id],
        'policy_decisions_after',
      )
    : sql.query<StoredDecisionRow>(
        `${select} ${order}`,
        [range.from.toISOString(), range.to.toISOString(), policyId],
        'policy_decisions_first',
      );
}
