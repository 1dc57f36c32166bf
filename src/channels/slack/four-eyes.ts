// Four-eyes approval in Slack (issue 22). The desk's Approve button and partial-refund modal ask
// `intercept` first: an amount above SLACK_SECOND_APPROVAL_ABOVE_MINOR in the order's currency is
// recorded as the first agent's approval (handoffs/second-approval.ts) and the ticket's thread asks a
// second desk member to confirm it; the refund runs only when one does, and never for the same
// person. Either may reject. The ticket names both; the SLA keeps running (a reminder in the thread
// after SLACK_SLA_REMIND_MINUTES with the escalation mention). A plain Reject pressed while an
// approval waits (on a ticket message posted before it) rejects through the approval, so it does not
// stay waiting (`interceptReject`). The approvals' rows are handoffs/'; this file renders and replies.
import type { BlockAction, ButtonAction, StaticSelectAction } from '@slack/bolt';
import { formatMoney } from '../../domain/index.ts';
import { DeskError } from '../../errors.ts';
import { secondApprovalLimit, type SecondApprovals, type SettleResult } from '../../handoffs/index.ts';
import { REJECTION_TEMPLATES, type RejectionTemplate } from '../../refunds/index.ts';
import { postInThread, type DeskHooks } from './desk-hooks.ts';
import { approvalActions, approvalLine } from './second-approval-blocks.ts';

export class FourEyesDesk {
  constructor(
    private readonly hooks: DeskHooks,
    private readonly approvals: SecondApprovals,
  ) {
    this.register();
  }

  /**
   * Before an approval runs: true when it now waits for a second agent (or the agent was told why
   * not), so the caller does nothing more; false when one approval is enough.
   */
  async intercept(body: BlockAction, handoffId: string, user: { id: string; name: string | null }, amountMinor?: number): Promise<boolean> {
    const { handoffs } = this.hooks;
    if (Object.keys(this.approvals.limits).length === 0) return false;
    const handoff = await handoffs.requestOf(handoffId);
    if (!handoff?.refundRequestId) return false;
    const subject = await handoffs.refundable(handoffId);
    if (!subject) return false;
    const { currency } = subject;
    const amount = amountMinor ?? subject.refundableMinor;
    const limit = secondApprovalLimit(this.approvals.limits, currency, amount);
    if (limit === null) {
      // A smaller amount approved alone while a larger one waits would pay without the second pair of
      // eyes ever seeing it, and leave the waiting approval to be "confirmed" over a refund already made.
      const waiting = await this.approvals.waitingFor(handoff.refundRequestId);
      if (!waiting) return false;
      const money = formatMoney({ amountMinor: waiting.amountMinor, currency }, 'en');
      await this.hooks.tell(
        body,
        `An approval of ${money} by <@${waiting.firstAgentId}> waits for a second desk member: confirm or reject it in the thread first.`,
      );
      return true;
    }
    if (handoff.live && !(await this.hooks.holds(body, handoffId, user.id))) return true;
    const result = await this.approvals.propose({
      refundRequestId: handoff.refundRequestId,
      handoffId,
      agent: user,
      amountMinor: amount,
      currency,
    });
    const money = formatMoney({ amountMinor: result.approval.amountMinor, currency }, 'en');
    if (result.kind === 'waiting') {
      await this.hooks.tell(body, `An approval of ${money} by <@${result.approval.firstAgentId}> already waits for a second desk member.`);
      return true;
    }
    const text = `🔐 <@${user.id}> approved ${money}, above the second-approval limit of ${formatMoney({ amountMinor: limit, currency }, 'en')}: another desk member must confirm before the refund runs.`;
    await postInThread(this.hooks, handoffId, text, [
      { type: 'section', text: { type: 'mrkdwn', text } },
      { type: 'actions', block_id: `second:${result.approval.id}`, elements: approvalActions(handoffId, result.approval) },
    ]);
    await this.hooks.refreshTicket(handoffId);
    return true;
  }

  /**
   * Before a plain Reject runs: when an approval of the request waits, the refusal settles it (the
   * approval closed as rejected, naming whose approval it overrides) and true is returned; false when
   * none waits, so the desk rejects as usual.
   */
  async interceptReject(
    body: BlockAction,
    handoffId: string,
    user: { id: string; name: string | null },
    template: RejectionTemplate,
  ): Promise<boolean> {
    const handoff = await this.hooks.handoffs.requestOf(handoffId);
    if (!handoff?.refundRequestId) return false;
    if (!(await this.approvals.waitingFor(handoff.refundRequestId))) return false;
    if (handoff.live && !(await this.hooks.holds(body, handoffId, user.id))) return true;
    const result = await this.approvals.rejectWaiting(handoff.refundRequestId, user, template);
    if (!result) return false;
    await this.settled(body, handoffId, result, 'rejected');
    return true;
  }

  private register(): void {
    const { app } = this.hooks;
    app.action<BlockAction<ButtonAction>>(
      'ticket.second_confirm',
      ...this.hooks.guarded<BlockAction<ButtonAction>>(async ({ body, parts, user }) => {
        const [handoffId, approvalId] = parts;
        if (!handoffId || !approvalId) return this.hooks.tell(body, 'That button does not name an approval.');
        let result: SettleResult;
        try {
          result = await this.approvals.confirm(approvalId, { id: user, name: body.user.name ?? null });
        } catch (error) {
          if (error instanceof DeskError && error.code === 'second_approver_same_agent') {
            return this.hooks.tell(
              body,
              'You approved this refund yourself: another desk member must confirm it. · 需要另一位客服确认，不能由批准人本人确认。',
            );
          }
          throw error;
        }
        await this.settled(body, handoffId, result, 'confirmed');
      }),
    );

    app.action<BlockAction<StaticSelectAction>>(
      'ticket.second_reject',
      ...this.hooks.guarded<BlockAction<StaticSelectAction>>(async ({ body, parts, user }) => {
        const [handoffId, approvalId, template] = parts;
        if (!handoffId || !approvalId || !template || !(template in REJECTION_TEMPLATES))
          return this.hooks.tell(body, 'Pick one of the listed reasons.');
        const result = await this.approvals.reject(approvalId, { id: user, name: body.user.name ?? null }, template as RejectionTemplate);
        await this.settled(body, handoffId, result, 'rejected');
      }),
    );
  }

  private async settled(body: BlockAction, handoffId: string, result: SettleResult, what: 'confirmed' | 'rejected'): Promise<void> {
    const a = result.approval;
    if (result.kind === 'already') {
      await this.hooks.tell(
        body,
        a.status === 'cancelled'
          ? `This approval ended when <@${a.secondAgentId ?? a.firstAgentId}> returned the ticket to the bot. Nothing was paid.`
          : `Already ${a.status} by <@${a.secondAgentId ?? a.firstAgentId}>. Nothing was done again.`,
      );
      return;
    }
    const { outcome } = result;
    if (!outcome.executed) {
      await this.hooks.tell(body, `Already decided: the request is ${outcome.view.status}. Nothing was done again.`);
      return;
    }
    await this.hooks.refreshTicket(handoffId);
    const refund = outcome.view.refund;
    const money = refund
      ? ` · refund ${formatMoney({ amountMinor: refund.amountMinor, currency: refund.currency }, 'en')} ${refund.status}`
      : '';
    await postInThread(
      this.hooks,
      handoffId,
      what === 'confirmed'
        ? `🧾 <@${a.firstAgentId}> approved and <@${a.secondAgentId}> confirmed the request${money}.`
        : `🧾 <@${a.secondAgentId}> rejected the request instead of <@${a.firstAgentId}>'s approval; its commissions are payable again.`,
    );
    if (outcome.told) await this.hooks.toBuyer(handoffId, (l) => outcome.told![l], 'agent');
  }

  /** The SLA for a waiting approval: one reminder in the thread, with the escalation mention. */
  async checkSla(): Promise<number> {
    // Not before Slack is up: a reminder is marked sent before it is posted.
    if (!this.hooks.ready()) return 0;
    const due = await this.approvals.dueReminders(this.hooks.config.remindAfterMs);
    for (const a of due) {
      const minutes = Math.round((this.hooks.now().getTime() - a.createdAt.getTime()) / 60_000);
      await postInThread(
        this.hooks,
        a.handoffId,
        `⏰ ${this.hooks.config.escalationMention} ${approvalLine({ ...a, status: 'awaiting' })} for ${minutes} min.`,
      ).catch((error: unknown) => this.hooks.log.warn({ err: error, approvalId: a.id }, 'could not remind about a second approval'));
    }
    return due.length;
  }
}
