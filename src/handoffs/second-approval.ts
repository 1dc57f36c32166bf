// Four-eyes approval (issue 22). Teams that pay large refunds from a chat want a second person to
// confirm them: an agent's approval (full or partial) above SLACK_SECOND_APPROVAL_ABOVE_MINOR in the
// order's currency is recorded here as waiting, and only a second desk member (never the same
// person) confirming it runs the refund, through AgentDecisions.approve, so it still executes once.
// Either agent may reject instead, which is AgentDecisions.reject (the frozen commissions released).
//
// Exactly once: a request has at most one waiting approval (the unique `awaitingKey`), and waiting
// → confirmed/rejected is one guarded update, so of two people confirming at once one wins; the
// refund itself is guarded again by the request's own state in AgentDecisions.
// The request stays `in_review` meanwhile and its handoff stays open, so the SLA clock keeps running.
// A waiting approval ends without a refund when its ticket goes back to the bot (handoff-lifecycle.ts)
// or when the request is rejected from the ticket's plain Reject (`rejectWaiting`): a Confirm
// pressed later finds it no longer waiting and pays nothing.
import { forbidden, notFound } from '../errors.ts';
import { newId } from '../ids.ts';
import type { Logger } from '../logger.ts';
import type { Agent, AgentDecisions, AgentOutcome, RejectionTemplate } from '../refunds/index.ts';
import type { Prisma } from '../generated/prisma/client.ts';
import { isUniqueViolation, type PrismaClient } from '../store/index.ts';

/** Minor units per currency above which an approval needs a second agent; a currency not listed needs none. */
export type SecondApprovalLimits = Readonly<Record<string, number>>;

export interface WaitingApproval {
  id: string;
  refundRequestId: string;
  handoffId: string;
  /** `cancelled`: its ticket went back to the bot while it waited. */
  status: 'awaiting' | 'confirmed' | 'rejected' | 'cancelled';
  amountMinor: number;
  currency: string;
  firstAgentId: string;
  firstAgentName: string | null;
  secondAgentId: string | null;
  secondAgentName: string | null;
  createdAt: Date;
}

export type ProposeResult =
  /** Recorded: a second agent is to confirm it. */
  | { kind: 'asked'; approval: WaitingApproval; limitMinor: number }
  /** An approval of this request already waits (a repeated click, or another agent's). */
  | { kind: 'waiting'; approval: WaitingApproval };

export type SettleResult =
  | { kind: 'done'; approval: WaitingApproval; outcome: AgentOutcome }
  /** Someone else confirmed or rejected it first: nothing was done this time. */
  | { kind: 'already'; approval: WaitingApproval };

const SELECT = {
  id: true,
  refundRequestId: true,
  handoffId: true,
  status: true,
  amountMinor: true,
  currency: true,
  firstAgentId: true,
  firstAgentName: true,
  secondAgentId: true,
  secondAgentName: true,
  createdAt: true,
} as const;

/** The limit an amount in a currency is above (so a second agent must confirm), or null. */
export function secondApprovalLimit(limits: SecondApprovalLimits, currency: string, amountMinor: number): number | null {
  const limit = limits[currency];
  return limit !== undefined && amountMinor > limit ? limit : null;
}

/** Ends a ticket's waiting approval without a refund (its ticket went back to the bot), in the caller's transaction. */
export async function cancelWaitingApprovals(
  db: PrismaClient | Prisma.TransactionClient,
  handoffId: string,
  user: string,
  now: Date,
): Promise<number> {
  const cancelled = await db.secondApproval.updateMany({
    where: { handoffId, status: 'awaiting' },
    data: { status: 'cancelled', awaitingKey: null, secondAgentId: user, decidedAt: now },
  });
  return cancelled.count;
}

export class SecondApprovals {
  constructor(
    private readonly deps: { prisma: PrismaClient; decisions: AgentDecisions; limits: SecondApprovalLimits; log: Logger; now?: () => Date },
  ) {}

  private now(): Date {
    return this.deps.now?.() ?? new Date();
  }

  get limits(): SecondApprovalLimits {
    return this.deps.limits;
  }

  /** The approval of a request waiting for its second agent, if any. */
  async waitingFor(refundRequestId: string): Promise<WaitingApproval | null> {
    return (await this.deps.prisma.secondApproval.findUnique({
      where: { awaitingKey: refundRequestId },
      select: SELECT,
    })) as WaitingApproval | null;
  }

  async get(approvalId: string): Promise<WaitingApproval> {
    const approval = await this.deps.prisma.secondApproval.findUnique({ where: { id: approvalId }, select: SELECT });
    if (!approval) throw notFound('second_approval_not_found', `Approval ${approvalId} does not exist`);
    return approval as WaitingApproval;
  }

  /** Records the first agent's approval of `amountMinor` as waiting for a second agent. */
  async propose(p: {
    refundRequestId: string;
    handoffId: string;
    agent: Agent;
    amountMinor: number;
    currency: string;
  }): Promise<ProposeResult> {
    const limitMinor = this.deps.limits[p.currency] ?? 0;
    try {
      const created = await this.deps.prisma.secondApproval.create({
        data: {
          id: newId('sa'),
          refundRequestId: p.refundRequestId,
          handoffId: p.handoffId,
          awaitingKey: p.refundRequestId,
          status: 'awaiting',
          amountMinor: p.amountMinor,
          currency: p.currency,
          firstAgentId: p.agent.id,
          firstAgentName: p.agent.name ?? null,
          createdAt: this.now(),
        },
        select: SELECT,
      });
      this.deps.log.info(
        { requestId: p.refundRequestId, agent: p.agent.id, amountMinor: p.amountMinor, currency: p.currency },
        'approval waits for a second agent',
      );
      return { kind: 'asked', approval: created as WaitingApproval, limitMinor };
    } catch (error) {
      if (!isUniqueViolation(error)) throw error;
      const waiting = await this.waitingFor(p.refundRequestId);
      if (!waiting) throw error;
      return { kind: 'waiting', approval: waiting };
    }
  }

  /** The second agent confirms: the refund runs (once). The first agent confirming their own is refused. */
  async confirm(approvalId: string, agent: Agent): Promise<SettleResult> {
    const approval = await this.get(approvalId);
    if (agent.id === approval.firstAgentId) {
      throw forbidden('second_approver_same_agent', 'The second approval must come from another desk member than the first');
    }
    const won = await this.deps.prisma.secondApproval.updateMany({
      where: { id: approvalId, status: 'awaiting' },
      data: { status: 'confirmed', awaitingKey: null, secondAgentId: agent.id, secondAgentName: agent.name ?? null, decidedAt: this.now() },
    });
    if (won.count !== 1) return { kind: 'already', approval: await this.get(approvalId) };
    const first: Agent = { id: approval.firstAgentId, name: approval.firstAgentName };
    try {
      const outcome = await this.deps.decisions.approve(approval.refundRequestId, first, approval.amountMinor, { secondApprover: agent });
      return { kind: 'done', approval: await this.get(approvalId), outcome };
    } catch (error) {
      await this.reopen(approval, 'confirmed', agent);
      throw error;
    }
  }

  /**
   * A plain Reject pressed on a request whose approval waits (a ticket message posted before the
   * approval): it rejects through the approval, so the approval is closed with the request; null when
   * none waits.
   */
  async rejectWaiting(refundRequestId: string, agent: Agent, template: RejectionTemplate): Promise<SettleResult | null> {
    const waiting = await this.waitingFor(refundRequestId);
    return waiting ? this.reject(waiting.id, agent, template) : null;
  }

  /** Either agent rejects with a template: the request is refused and its commissions released. */
  async reject(approvalId: string, agent: Agent, template: RejectionTemplate): Promise<SettleResult> {
    const approval = await this.get(approvalId);
    const won = await this.deps.prisma.secondApproval.updateMany({
      where: { id: approvalId, status: 'awaiting' },
      data: {
        status: 'rejected',
        awaitingKey: null,
        secondAgentId: agent.id,
        secondAgentName: agent.name ?? null,
        rejection: template,
        decidedAt: this.now(),
      },
    });
    if (won.count !== 1) return { kind: 'already', approval: await this.get(approvalId) };
    try {
      const outcome = await this.deps.decisions.reject(approval.refundRequestId, agent, template, {
        approvalOf: { id: approval.firstAgentId, name: approval.firstAgentName },
      });
      return { kind: 'done', approval: await this.get(approvalId), outcome };
    } catch (error) {
      await this.reopen(approval, 'rejected', agent);
      throw error;
    }
  }

  /**
   * The decision after the guarded update failed (the request could not be decided, the database
   * went away): the approval waits again, so the ticket still offers it rather than losing the first
   * agent's approval. Nothing was paid: AgentDecisions writes the refund in the same transaction as
   * the request's move.
   */
  private async reopen(approval: WaitingApproval, from: 'confirmed' | 'rejected', agent: Agent): Promise<void> {
    await this.deps.prisma.secondApproval
      .updateMany({
        where: { id: approval.id, status: from, secondAgentId: agent.id },
        data: {
          status: 'awaiting',
          awaitingKey: approval.refundRequestId,
          secondAgentId: null,
          secondAgentName: null,
          rejection: null,
          decidedAt: null,
        },
      })
      .catch((error: unknown) => this.deps.log.warn({ err: error, approvalId: approval.id }, 'could not reopen a second approval'));
  }

  /** Approvals that have waited longer than `olderThanMs` and were not reminded about yet; each is marked once. */
  async dueReminders(olderThanMs: number): Promise<WaitingApproval[]> {
    const now = this.now();
    const due = await this.deps.prisma.secondApproval.findMany({
      where: { status: 'awaiting', remindedAt: null, createdAt: { lte: new Date(now.getTime() - olderThanMs) } },
      select: SELECT,
      take: 50,
    });
    const marked: WaitingApproval[] = [];
    for (const a of due) {
      const won = await this.deps.prisma.secondApproval.updateMany({
        where: { id: a.id, status: 'awaiting', remindedAt: null },
        data: { remindedAt: now },
      });
      if (won.count === 1) marked.push(a as WaitingApproval);
    }
    return marked;
  }
}
