// Where buyers' satisfaction ratings are kept (issue 22): one row per case (a refund request, or a
// handoff without one), claimed when the question is asked, so a case is asked once however many
// instances run the job; answered once (a second answer changes nothing).
import { newId } from '../ids.ts';
import type { Locale } from '../domain/index.ts';
import { isUniqueViolation, type PrismaClient } from '../store/index.ts';
import type { SqlRunner } from '../store/index.ts';
import type { CaseOutcome } from './texts.ts';

export interface EndedCase {
  caseKey: string;
  buyerId: string;
  merchantId: string | null;
  refundRequestId: string | null;
  handoffId: string | null;
  outcome: CaseOutcome;
  handledBy: 'automated' | 'human';
  agentId: string | null;
}

export const MIN_SCORE = 1;
export const MAX_SCORE = 5;
export const MAX_COMMENT = 1_000;

const utc = (d: Date) => d.toISOString();

/**
 * Cases that ended in [from, to] and were not asked about yet: refund requests refunded, refused or
 * solved by a guide with no person still on them, and handoffs without a request that a person
 * resolved or handed back. A refusal the buyer may still appeal keeps its order (no closedAt): it
 * counts as ended when it last changed, so a buyer who never appeals is asked too.
 */
export async function endedCases(sql: SqlRunner, from: Date, to: Date, limit = 50): Promise<EndedCase[]> {
  const requests = await sql.query<{
    id: string;
    buyerId: string;
    status: string;
    merchantId: string;
    agentActor: string | null;
    assigneeId: string | null;
  }>(
    `SELECT r.id, r."buyerId", r.status::text AS status, p."merchantId",
            (SELECT d.actor FROM decisions d WHERE d."refundRequestId" = r.id AND d.actor LIKE 'agent:%' ORDER BY d."createdAt" DESC LIMIT 1) AS "agentActor",
            (SELECT h."assigneeId" FROM handoffs h WHERE h."refundRequestId" = r.id AND h."assigneeId" IS NOT NULL ORDER BY h."createdAt" DESC LIMIT 1) AS "assigneeId"
       FROM refund_requests r JOIN orders o ON o.id = r."orderId" JOIN products p ON p.id = o."productId"
      WHERE COALESCE(r."closedAt", CASE WHEN r.status = 'rejected' THEN r."updatedAt" END) >= ($1::timestamptz AT TIME ZONE 'UTC')
        AND COALESCE(r."closedAt", CASE WHEN r.status = 'rejected' THEN r."updatedAt" END) <= ($2::timestamptz AT TIME ZONE 'UTC')
        AND (r.status IN ('refunded', 'rejected') OR (r.status = 'cancelled' AND r.outcome = 'troubleshoot'))
        AND NOT EXISTS (SELECT 1 FROM handoffs h WHERE h."refundRequestId" = r.id AND h.status IN ('open', 'claimed'))
        AND NOT EXISTS (SELECT 1 FROM satisfaction_ratings s WHERE s."caseKey" = r.id)
      ORDER BY COALESCE(r."closedAt", r."updatedAt") LIMIT ${Math.max(1, Math.min(500, Math.floor(limit)))}`,
    [utc(from), utc(to)],
  );
  const handoffs = await sql.query<{ id: string; buyerId: string; assigneeId: string; merchantId: string | null }>(
    `SELECT h.id, h."buyerId", h."assigneeId",
            (SELECT p."merchantId" FROM orders o JOIN products p ON p.id = o."productId" WHERE o.id = h."orderId") AS "merchantId"
       FROM handoffs h
      WHERE h."refundRequestId" IS NULL AND h.status IN ('resolved', 'returned') AND h."assigneeId" IS NOT NULL
        AND h."resolvedAt" >= ($1::timestamptz AT TIME ZONE 'UTC') AND h."resolvedAt" <= ($2::timestamptz AT TIME ZONE 'UTC')
        AND NOT EXISTS (SELECT 1 FROM satisfaction_ratings s WHERE s."caseKey" = h.id)
      ORDER BY h."resolvedAt" LIMIT ${Math.max(1, Math.min(500, Math.floor(limit)))}`,
    [utc(from), utc(to)],
  );
  return [
    ...requests.map((r): EndedCase => {
      const agentId = r.agentActor ? r.agentActor.slice('agent:'.length) : r.assigneeId;
      return {
        caseKey: r.id,
        buyerId: r.buyerId,
        merchantId: r.merchantId,
        refundRequestId: r.id,
        handoffId: null,
        outcome: r.status === 'refunded' ? 'refunded' : r.status === 'rejected' ? 'refused' : 'guide_solved',
        handledBy: agentId ? 'human' : 'automated',
        agentId,
      };
    }),
    ...handoffs.map(
      (h): EndedCase => ({
        caseKey: h.id,
        buyerId: h.buyerId,
        merchantId: h.merchantId,
        refundRequestId: null,
        handoffId: h.id,
        outcome: 'agent_resolved',
        handledBy: 'human',
        agentId: h.assigneeId,
      }),
    ),
  ];
}

export class SatisfactionStore {
  constructor(private readonly prisma: PrismaClient) {}

  /** Claims the case for asking; null when it was claimed already (asked once per case). */
  async claim(c: EndedCase, now: Date): Promise<string | null> {
    const id = newId('csat');
    try {
      await this.prisma.satisfactionRating.create({
        data: {
          id,
          caseKey: c.caseKey,
          buyerId: c.buyerId,
          merchantId: c.merchantId,
          refundRequestId: c.refundRequestId,
          handoffId: c.handoffId,
          outcome: c.outcome,
          handledBy: c.handledBy,
          agentId: c.agentId,
          locale: 'zh',
          status: 'asked',
          askedAt: now,
        },
      });
      return id;
    } catch (error) {
      if (isUniqueViolation(error)) return null;
      throw error;
    }
  }

  async asked(id: string, where: { channel: string; locale: Locale } | null): Promise<void> {
    await this.prisma.satisfactionRating.update({
      where: { id },
      data: where ? { channel: where.channel, locale: where.locale } : { status: 'unreachable' },
    });
  }

  /** Gives the claim back (the question could not be sent): the next run asks again. */
  async release(id: string): Promise<void> {
    await this.prisma.satisfactionRating.deleteMany({ where: { id, status: 'asked', ratedAt: null } });
  }

  /** Records a buyer's score once: 'rated', 'already' (answered before), or 'unknown' (not this buyer's, or none). */
  async rate(id: string, buyerId: string, score: number, now: Date): Promise<'rated' | 'already' | 'unknown'> {
    if (!Number.isInteger(score) || score < MIN_SCORE || score > MAX_SCORE) throw new RangeError(`a score is ${MIN_SCORE} to ${MAX_SCORE}`);
    const won = await this.prisma.satisfactionRating.updateMany({
      where: { id, buyerId, status: 'asked' },
      data: { status: 'rated', score, ratedAt: now },
    });
    if (won.count === 1) return 'rated';
    const row = await this.prisma.satisfactionRating.findFirst({ where: { id, buyerId }, select: { status: true } });
    return row?.status === 'rated' ? 'already' : 'unknown';
  }

  /** The optional comment, once, after the score. */
  async comment(id: string, buyerId: string, text: string): Promise<boolean> {
    const won = await this.prisma.satisfactionRating.updateMany({
      where: { id, buyerId, status: 'rated', comment: null },
      data: { comment: text.slice(0, MAX_COMMENT) },
    });
    return won.count === 1;
  }

  /** The buyer's latest question still unanswered, asked since `since`. */
  async openFor(buyerId: string, since: Date): Promise<string | null> {
    const row = await this.prisma.satisfactionRating.findFirst({
      where: { buyerId, status: 'asked', askedAt: { gte: since }, channel: { not: null } },
      orderBy: { askedAt: 'desc' },
      select: { id: true },
    });
    return row?.id ?? null;
  }
}
