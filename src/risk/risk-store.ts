// The risk module's SQL (M8 buyer profiles, M10–M12 risk evidence), in one place. The reads a refund
// request makes every time — the buyer's profile, the requests from its device and IP, and the
// accounts it shares anything with — are also SQL expressions (each a json value) over the caller's
// parameters, so the refund request's context statement reads them in its own round trip
// (src/refunds/request-context-store.ts) instead of three more. Every read goes through an index:
// fingerprints (column, at), orders (column, paidAt), refund requests (buyerId, createdAt),
// (productId, createdAt) and (orderId); never a scan of orders.
import { SqlParams, shapedStatement, type SqlRunner } from '../store/index.ts';
import type { PastRequest } from './risk-rules.ts';

const DAY = 86_400_000;
const HOUR = 3_600_000;
/** How far back an account's devices and IPs count as its traits for linking. */
export const TRAIT_HISTORY_MS = 30 * 24 * HOUR;
/** At most this many other refund requests of the product are examined for a ring (bounds the work). */
export const MAX_RING_CANDIDATES = 200;

/** SQL expressions the fragments below are written over (parameters or the caller's columns). */
export interface SubjectRefs {
  buyerId: string;
  /** The device and IP the request comes from; NULL when unknown. */
  deviceId: string;
  ip: string;
}

// -----------------------------------------------------------------------------------------------
// Buyer profile (M8)

export interface ProfileRow {
  registeredAtMs: number | null;
  orders365d: number;
  refunds30dCount: number;
  refunds30dAmount: number;
  refunds365dCount: number;
  refunds365dAmount: number;
  appeals365d: number;
  appealsResolved365d: number;
  blockSignals30d: number;
}

/**
 * A time window over a subject's own refund requests (a buyer's, an order's, a product's), written so
 * that it cannot serve as an index condition: the rows are found by the subject's index, and the
 * window only filters them. A prepared statement's
 * generic plan is made once per connection, from the statistics of that moment; made on a young table
 * (never analysed: every row looks recent), it chose refund_requests' createdAt index and then read
 * every request of the last year, all buyers', for each request (1.8 ms of 2.5 under the bench).
 */
const within = (column: string, since: string, until: string) => `(${column} + interval '0 s') BETWEEN ${since} AND ${until}`;

/**
 * The buyer's history as one json value (a ProfileRow). Refunds count when they succeeded or are on
 * their way (pending); failed ones returned nothing. Amounts are summed in `currency` (an SQL
 * expression) only: amounts in two currencies do not add up.
 */
export function profileSql(p: SqlParams, buyerId: string, currency: string, now: Date): string {
  const yearAgo = p.utc(new Date(now.getTime() - 365 * DAY));
  const monthAgo = p.utc(new Date(now.getTime() - 30 * DAY));
  const until = p.utc(now);
  return `(WITH refunded AS (
      SELECT rr."createdAt", r."amountMinor", r.currency FROM refund_requests rr JOIN refunds r ON r."refundRequestId" = rr.id
      WHERE rr."buyerId" = ${buyerId} AND ${within('rr."createdAt"', yearAgo, until)} AND r.status IN ('pending', 'succeeded'))
    SELECT json_build_object(
      'registeredAtMs', (SELECT (extract(epoch FROM b."registeredAt") * 1000)::float8 FROM buyers b WHERE b.id = ${buyerId}),
      'orders365d', (SELECT count(*) FROM orders o WHERE o."buyerId" = ${buyerId} AND o."paidAt" BETWEEN ${yearAgo} AND ${until})::int,
      'refunds30dCount', (SELECT count(*) FROM refunded WHERE "createdAt" >= ${monthAgo})::int,
      'refunds30dAmount', (SELECT coalesce(sum("amountMinor"), 0) FROM refunded WHERE "createdAt" >= ${monthAgo} AND currency = ${currency})::int,
      'refunds365dCount', (SELECT count(*) FROM refunded)::int,
      'refunds365dAmount', (SELECT coalesce(sum("amountMinor"), 0) FROM refunded)::int,
      'appeals365d', (SELECT count(*) FROM handoffs h WHERE h."buyerId" = ${buyerId} AND h.kind = 'appeal' AND h."createdAt" >= ${yearAgo})::int,
      'appealsResolved365d', (SELECT count(*) FROM handoffs h WHERE h."buyerId" = ${buyerId} AND h.kind = 'appeal' AND h.status = 'resolved'
          AND h."createdAt" >= ${yearAgo})::int,
      'blockSignals30d', (SELECT count(*) FROM refund_requests rr JOIN risk_signals s ON s."refundRequestId" = rr.id
          WHERE rr."buyerId" = ${buyerId} AND ${within('rr."createdAt"', monthAgo, until)} AND s.action = 'block')::int))`;
}

/** The buyer's profile row on its own (a ticket's context). */
export async function readProfile(sql: SqlRunner, buyerId: string, now: Date, currency: string | null): Promise<ProfileRow> {
  const p = new SqlParams();
  const text = `SELECT ${profileSql(p, p.add(buyerId, 'text'), p.add(currency, 'text'), now)} AS profile`;
  const [row] = await sql.query<{ profile: ProfileRow }>(text, p.values, shapedStatement('risk:profile', text).name);
  return row!.profile;
}

// -----------------------------------------------------------------------------------------------
// The evidence every request starts from

/** What a request's risk is first assessed on: requests from its device and IP, and its neighbours. */
export interface FirstEvidence {
  device: PastRequest[];
  ip: PastRequest[];
  /** Accounts sharing a device, an IP, a paying account or a phone with the requester (bounded). */
  neighbours: string[];
}

/** FirstEvidence as one json value: `windowHours` back from `now` for requests, `TRAIT_HISTORY_MS` for traits. */
export function firstEvidenceSql(p: SqlParams, refs: SubjectRefs, now: Date, windowHours: number): string {
  const since = p.utc(new Date(now.getTime() - windowHours * HOUR));
  const until = p.utc(now);
  const traitsSince = p.utc(new Date(now.getTime() - TRAIT_HISTORY_MS));
  return `json_build_object(
      'device', ${requestsFromSql('deviceId', refs.deviceId, since, until)},
      'ip', ${requestsFromSql('ip', refs.ip, since, until)},
      'neighbours', ${neighboursSql(refs, traitsSince, until)})`;
}

/** FirstEvidence on its own (a caller with nothing else to read). */
export async function readFirstEvidence(
  sql: SqlRunner,
  subject: { buyerId: string; deviceId: string | null; ip: string | null },
  now: Date,
  windowHours: number,
): Promise<FirstEvidence> {
  const p = new SqlParams();
  const refs = { buyerId: p.add(subject.buyerId, 'text'), deviceId: p.add(subject.deviceId, 'text'), ip: p.add(subject.ip, 'text') };
  const text = `SELECT ${firstEvidenceSql(p, refs, now, windowHours)} AS first`;
  const [row] = await sql.query<{ first: FirstEvidence }>(text, p.values, shapedStatement('risk:first-evidence', text).name);
  return row!.first;
}

/**
 * Rows looked up by an index, once per outer row, whatever the statistics say: a LATERAL subquery with
 * a LIMIT is never flattened into a join, so a generic plan made on a young table cannot turn it into
 * a hash join over a scan of the whole table (which it did for refund requests by id).
 */
const probe = (columns: string, from: string, where: string, limit: number) =>
  `SELECT ${columns} FROM ${from} WHERE ${where} LIMIT ${limit}`;

/**
 * Refund requests in the window made from a device or IP, or on orders bought from it, newest first
 * (at most 100), as a json array of PastRequest; empty when the value is NULL.
 */
function requestsFromSql(column: 'deviceId' | 'ip', value: string, since: string, until: string): string {
  return `(SELECT coalesce(json_agg(json_build_object('requestId', x.id, 'orderId', x."orderId", 'buyerId', x."buyerId") ORDER BY x."createdAt" DESC), '[]'::json)
    FROM (SELECT rr.id, rr."orderId", rr."buyerId", rr."createdAt" FROM (
        SELECT f."refId" AS id FROM fingerprints f
        WHERE f."${column}" = ${value} AND f.at BETWEEN ${since} AND ${until} AND f.source = 'refund_request'
        UNION
        SELECT r.id FROM orders o CROSS JOIN LATERAL (${probe('r.id', 'refund_requests r', `r."orderId" = o.id AND ${within('r."createdAt"', since, until)}`, 100)}) r
        WHERE o."${column}" = ${value} AND o."paidAt" BETWEEN ${since} AND ${until}) found
      CROSS JOIN LATERAL (${probe('q.id, q."orderId", q."buyerId", q."createdAt"', 'refund_requests q', 'q.id = found.id', 1)}) rr
      ORDER BY rr."createdAt" DESC LIMIT 100) x)`;
}

/** Accounts linked to the requester by a shared trait (a few index probes from its own), as a json array. */
function neighboursSql(refs: SubjectRefs, since: string, until: string): string {
  const { buyerId } = refs;
  return `(SELECT coalesce(json_agg(n."buyerId"), '[]'::json) FROM (
      WITH me AS (
        SELECT f."deviceId", f.ip FROM fingerprints f WHERE f."buyerId" = ${buyerId} AND f.at BETWEEN ${since} AND ${until}
        UNION SELECT ${refs.deviceId}, ${refs.ip})
      SELECT f."buyerId" FROM me CROSS JOIN LATERAL (${probe('DISTINCT f."buyerId"', 'fingerprints f', `f."deviceId" = me."deviceId" AND f.at BETWEEN ${since} AND ${until} AND f."buyerId" <> ${buyerId}`, 1000)}) f
      UNION
      SELECT f."buyerId" FROM me CROSS JOIN LATERAL (${probe('DISTINCT f."buyerId"', 'fingerprints f', `f.ip = me.ip AND f.at BETWEEN ${since} AND ${until} AND f."buyerId" <> ${buyerId}`, 1000)}) f
      UNION
      SELECT theirs."buyerId" FROM orders mine
        CROSS JOIN LATERAL (${probe('DISTINCT t."buyerId"', 'orders t', `t."payerAccount" = mine."payerAccount" AND t."buyerId" <> ${buyerId}`, 1000)}) theirs
        WHERE mine."buyerId" = ${buyerId} AND mine."payerAccount" IS NOT NULL
      UNION
      SELECT theirs.id FROM buyers mine CROSS JOIN LATERAL (${probe('DISTINCT t.id', 'buyers t', `t.phone = mine.phone AND t.id <> ${buyerId}`, 1000)}) theirs
        WHERE mine.id = ${buyerId} AND mine.phone IS NOT NULL
      LIMIT 1000) n)`;
}

// -----------------------------------------------------------------------------------------------
// Rings (M12): only for a requester with neighbours

/**
 * Who else bought this product in the window and asked for a refund of it: the most recent requests
 * of the product (index on (productId, createdAt)), whose orders were paid in the window.
 */
export function ringCandidates(
  sql: SqlRunner,
  q: { productId: string; buyerId: string; since: string; until: string },
): Promise<PastRequest[]> {
  return sql.query<PastRequest>(
    `SELECT rr.id AS "requestId", rr."orderId", rr."buyerId"
     FROM refund_requests rr JOIN orders o ON o.id = rr."orderId"
     WHERE rr."productId" = $1::text AND ${within('rr."createdAt"', "($2::timestamptz AT TIME ZONE 'UTC')", "($4::timestamptz AT TIME ZONE 'UTC')")}
       AND rr."buyerId" <> $3::text AND o."paidAt" BETWEEN ($2::timestamptz AT TIME ZONE 'UTC') AND ($4::timestamptz AT TIME ZONE 'UTC')
     ORDER BY rr."createdAt" DESC LIMIT ${MAX_RING_CANDIDATES}`,
    [q.productId, q.since, q.buyerId, q.until],
    'rd_risk_ring_candidates',
  );
}

export interface SharedTraitRow {
  a: string;
  b: string;
  kind: 'device' | 'ip' | 'payer' | 'phone';
  value: string;
}

/**
 * The pairs among a set of accounts that share something (indexed self-joins: fingerprints by buyer
 * then by device or IP, orders by buyer then by payer account, buyers by phone), so the work grows
 * with what is shared, not with the square of the set. The request being assessed is a sighting too.
 */
export function sharedTraits(
  sql: SqlRunner,
  q: { buyers: string[]; since: string; buyerId: string; deviceId: string | null; ip: string | null; now: string; ipWindowSeconds: number },
): Promise<SharedTraitRow[]> {
  return sql.query<SharedTraitRow>(
    `WITH fp AS (
       SELECT f."buyerId", f."deviceId", f.ip, f.at FROM fingerprints f
       WHERE f."buyerId" = ANY($1::text[]) AND f.at BETWEEN ($2::timestamptz AT TIME ZONE 'UTC') AND ($6::timestamptz AT TIME ZONE 'UTC')
       UNION ALL
       -- The request being assessed is a sighting too (its device and IP may be new).
       SELECT $3::text, $4::text, $5::text, ($6::timestamptz AT TIME ZONE 'UTC'))
     SELECT a."buyerId" AS a, b."buyerId" AS b, 'device' AS kind, a."deviceId" AS value
       FROM fp a JOIN fp b ON a."deviceId" = b."deviceId" AND a."buyerId" < b."buyerId" GROUP BY 1, 2, 4
     UNION ALL
     SELECT a."buyerId", b."buyerId", 'ip', a.ip
       FROM fp a JOIN fp b ON a.ip = b.ip AND a."buyerId" < b."buyerId" AND abs(extract(epoch FROM a.at - b.at)) <= $7::int
       GROUP BY 1, 2, 4
     UNION ALL
     SELECT a."buyerId", b."buyerId", 'payer', a."payerAccount"
       FROM orders a JOIN orders b ON a."payerAccount" = b."payerAccount" AND a."buyerId" < b."buyerId"
       WHERE a."buyerId" = ANY($1::text[]) AND b."buyerId" = ANY($1::text[]) GROUP BY 1, 2, 4
     UNION ALL
     SELECT a.id, b.id, 'phone', ''
       FROM buyers a JOIN buyers b ON a.phone = b.phone AND a.id < b.id
       WHERE a.id = ANY($1::text[]) AND b.id = ANY($1::text[])`,
    [q.buyers, q.since, q.buyerId, q.deviceId, q.ip, q.now, q.ipWindowSeconds],
    'rd_risk_links',
  );
}

export function uplines(sql: SqlRunner, buyers: string[]): Promise<Array<{ id: string; uplineId: string | null }>> {
  return sql.query(`SELECT id, "uplineId" FROM buyers WHERE id = ANY($1::text[])`, [buyers], 'rd_risk_uplines');
}
