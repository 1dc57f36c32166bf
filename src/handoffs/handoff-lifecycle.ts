// A handoff's life after it is opened (M16, M26): posted once to the agents' desk under a lease, claimed
// by one agent, handed back to the bot, reminded about and escalated while nobody claims it. Every step
// is one guarded update, so of several instances, clicks or job runs exactly one moves it on. The
// channel that shows tickets (channels/slack) calls these and renders; it holds no state of its own.
// Resolution with a refund decision is the refund store's (refunds/refund-store.ts), inside the
// decision's transaction.
import type { PrismaClient } from '../store/index.ts';
import type { SqlRunner } from '../store/index.ts';
import { cancelWaitingApprovals } from './second-approval.ts';
import { guideSubjectOf, loadTicket, refundableOf, type TicketData } from './ticket-view.ts';

/** A posting lease older than this is taken over: the instance that held it died mid-post. */
export const POST_LEASE_MS = 60_000;

export type ClaimResult = 'won' | 'gone' | { holder: string };

/** Where a ticket lives in the desk channel: its message, whose thread is the conversation about it. */
export interface TicketThread {
  channel: string;
  ts: string;
}

export interface HandoffLifecycleDeps {
  prisma: PrismaClient;
  /** The hot path's buyer profile query, for the ticket's read model. */
  sql: SqlRunner;
  now?: () => Date;
}

const LIVE = ['open', 'claimed'] as const;

export class HandoffLifecycle {
  constructor(private readonly deps: HandoffLifecycleDeps) {}

  private now(): Date {
    return this.deps.now?.() ?? new Date();
  }

  // ---------------------------------------------------------------------------------------------
  // The read model

  ticket(handoffId: string): Promise<TicketData | null> {
    return loadTicket(this.deps.prisma, this.deps.sql, handoffId, this.now());
  }

  refundable(handoffId: string): Promise<{ currency: string; refundableMinor: number } | null> {
    return refundableOf(this.deps.prisma, handoffId);
  }

  guideSubject(handoffId: string): Promise<{ category: string; reasonText: string } | null> {
    return guideSubjectOf(this.deps.prisma, handoffId);
  }

  // ---------------------------------------------------------------------------------------------
  // Posting

  private leaseFree(now: Date) {
    return { OR: [{ slackClaimedAt: null }, { slackClaimedAt: { lt: new Date(now.getTime() - POST_LEASE_MS) } }] };
  }

  /** Live handoffs not yet posted and not being posted by another instance, oldest first. */
  async duePostings(limit = 20): Promise<string[]> {
    const due = await this.deps.prisma.handoff.findMany({
      where: { slackTs: null, status: { in: [...LIVE] }, ...this.leaseFree(this.now()) },
      orderBy: { createdAt: 'asc' },
      take: limit,
      select: { id: true },
    });
    return due.map((d) => d.id);
  }

  /** Takes the posting lease of one handoff; false when another instance holds it or it was posted. */
  async leasePosting(handoffId: string): Promise<boolean> {
    const now = this.now();
    const leased = await this.deps.prisma.handoff.updateMany({
      where: { id: handoffId, slackTs: null, ...this.leaseFree(now) },
      data: { slackClaimedAt: now },
    });
    return leased.count === 1;
  }

  async recordPosted(handoffId: string, thread: { channel: string; ts: string | null }): Promise<void> {
    await this.deps.prisma.handoff.update({ where: { id: handoffId }, data: { slackChannel: thread.channel, slackTs: thread.ts } });
  }

  /** Gives the lease back at once after a failed post, so the next run tries again. */
  async releasePosting(handoffId: string): Promise<void> {
    await this.deps.prisma.handoff.update({ where: { id: handoffId }, data: { slackClaimedAt: null } });
  }

  async threadOf(handoffId: string): Promise<TicketThread | null> {
    const h = await this.deps.prisma.handoff.findUnique({ where: { id: handoffId }, select: { slackChannel: true, slackTs: true } });
    return h?.slackTs && h.slackChannel ? { channel: h.slackChannel, ts: h.slackTs } : null;
  }

  /** The ticket whose message is this thread's parent, if any. */
  async byThread(thread: TicketThread): Promise<{ id: string; buyerId: string; status: string; assigneeId: string | null } | null> {
    return this.deps.prisma.handoff.findFirst({
      where: { slackChannel: thread.channel, slackTs: thread.ts },
      select: { id: true, buyerId: true, status: true, assigneeId: true },
    });
  }

  /** The buyer's latest live ticket that agents can see (the dialogue relays the buyer's words to it). */
  async liveTicketOf(buyerId: string): Promise<{ id: string; claimed: boolean } | null> {
    const handoff = await this.deps.prisma.handoff.findFirst({
      where: { buyerId, status: { in: [...LIVE] }, slackTs: { not: null } },
      orderBy: { createdAt: 'desc' },
      select: { id: true, status: true },
    });
    return handoff ? { id: handoff.id, claimed: handoff.status === 'claimed' } : null;
  }

  async buyerOf(handoffId: string): Promise<string> {
    const handoff = await this.deps.prisma.handoff.findUniqueOrThrow({ where: { id: handoffId }, select: { buyerId: true } });
    return handoff.buyerId;
  }

  /** The refund request a ticket is about, and whether the ticket is still live. */
  async requestOf(handoffId: string): Promise<{ refundRequestId: string | null; live: boolean } | null> {
    const h = await this.deps.prisma.handoff.findUnique({ where: { id: handoffId }, select: { refundRequestId: true, status: true } });
    return h ? { refundRequestId: h.refundRequestId, live: (LIVE as readonly string[]).includes(h.status) } : null;
  }

  // ---------------------------------------------------------------------------------------------
  // Claim and return

  /** Claims a ticket in one guarded update: of two agents at once one wins; the holder claiming again wins. */
  async claim(handoffId: string, user: string): Promise<ClaimResult> {
    const won = await this.deps.prisma.handoff.updateMany({
      where: { id: handoffId, status: 'open' },
      data: { status: 'claimed', assigneeId: user, claimedAt: this.now(), version: { increment: 1 } },
    });
    if (won.count === 1) return 'won';
    const now = await this.deps.prisma.handoff.findUnique({ where: { id: handoffId }, select: { status: true, assigneeId: true } });
    if (now?.status === 'claimed' && now.assigneeId === user) return 'won';
    return now?.status === 'claimed' && now.assigneeId ? { holder: now.assigneeId } : 'gone';
  }

  /**
   * Hands the buyer back to the bot; false when the ticket was already closed. A four-eyes approval
   * waiting on the ticket ends with it (issue 22), in the same transaction: a Confirm pressed later
   * pays nothing.
   */
  async returnToBot(handoffId: string, user: string): Promise<boolean> {
    const now = this.now();
    return this.deps.prisma.$transaction(async (tx) => {
      const returned = await tx.handoff.updateMany({
        where: { id: handoffId, status: { in: [...LIVE] } },
        data: { status: 'returned', resolution: 'returned', resolvedAt: now, assigneeId: user },
      });
      if (returned.count !== 1) return false;
      await cancelWaitingApprovals(tx, handoffId, user, now);
      return true;
    });
  }

  // ---------------------------------------------------------------------------------------------
  // SLA marks: each marked once, before its message goes out, so no instance sends it twice.

  /** Posted, unclaimed tickets older than `afterMs` that have had no reminder. */
  async dueReminders(afterMs: number): Promise<Array<{ id: string; createdAt: Date }>> {
    const cutoff = new Date(this.now().getTime() - afterMs);
    return this.deps.prisma.handoff.findMany({
      where: { status: 'open', slackTs: { not: null }, remindedAt: null, createdAt: { lte: cutoff } },
      select: { id: true, createdAt: true },
    });
  }

  async markReminded(handoffId: string): Promise<boolean> {
    const marked = await this.deps.prisma.handoff.updateMany({
      where: { id: handoffId, status: 'open', remindedAt: null },
      data: { remindedAt: this.now() },
    });
    return marked.count === 1;
  }

  /** Posted, unclaimed tickets older than `afterMs` not yet escalated. */
  async dueEscalations(afterMs: number): Promise<Array<{ id: string; createdAt: Date }>> {
    const cutoff = new Date(this.now().getTime() - afterMs);
    return this.deps.prisma.handoff.findMany({
      where: { status: 'open', slackTs: { not: null }, escalatedAt: null, createdAt: { lte: cutoff } },
      select: { id: true, createdAt: true },
    });
  }

  async markEscalated(handoffId: string): Promise<boolean> {
    const marked = await this.deps.prisma.handoff.updateMany({
      where: { id: handoffId, status: 'open', escalatedAt: null },
      data: { escalatedAt: this.now() },
    });
    return marked.count === 1;
  }
}
