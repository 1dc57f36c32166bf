// What payment providers tell the desk about refunds, applied at most once: signed notifications
// (WeChat Pay's refund notification, Stripe's webhooks) and the reconciliation of recent refunds
// listed at the provider. A notice settles a pending refund through the workflow's recordPayout
// (which only ever moves a pending refund forward), so a repeated or late notice changes nothing.
// What does not fit raises an alert for a person: a refund the provider made that the desk has no
// record of, one whose amount or payment does not match ours, or one whose final state contradicts
// the desk's (failed after the desk recorded it paid, or paid after the desk recorded it failed and
// handed it to a person, who must not refund it a second time). Moved here from payments/ (issue 19):
// it orchestrates refunds, so it lives with them.
import type { Logger } from '../logger.ts';
import type { Metrics } from '../metrics.ts';
import { PROVIDER_METHOD, type PaymentAlert, type Provider, type ProviderNotice } from '../payments/index.ts';
import type { PaymentGateway, ProviderRefund } from '../payments/index.ts';
import type { PrismaClient } from '../store/index.ts';
import { noteGatewayRef } from './refund-store.ts';
import type { RefundWorkflow } from './refund-workflow.ts';

export type NoticeResult = 'applied' | 'duplicate' | 'alerted';

export interface PaymentNoticesDeps {
  prisma: PrismaClient;
  workflow: RefundWorkflow;
  log: Logger;
  metrics: Metrics;
  /** Where alerts go besides the log and metrics (the Slack risk channel). */
  onAlert?: (alert: PaymentAlert) => Promise<void>;
}

export class PaymentNotices {
  constructor(private readonly deps: PaymentNoticesDeps) {}

  async apply(notice: ProviderNotice): Promise<NoticeResult> {
    const { prisma, workflow, log } = this.deps;
    const id = `${notice.provider}:${notice.eventId}`.slice(0, 200);
    if (await prisma.paymentNotice.findUnique({ where: { id }, select: { id: true } })) return 'duplicate';

    const refund = await this.findRefund(notice.deskRefundId, notice.providerRefundId);
    let alert: PaymentAlert | null = null;
    const base = {
      provider: notice.provider,
      providerRefundId: notice.providerRefundId,
      deskRefundId: notice.deskRefundId,
      amountMinor: notice.amountMinor,
      currency: notice.currency,
    };
    if (!refund) {
      if (notice.outcome.status !== 'failed') {
        alert = {
          ...base,
          kind: 'unknown_refund',
          detail: `${notice.provider} reports a refund (${notice.outcome.status}) that the desk has no record of`,
        };
      }
    } else if (
      refund.amountMinor !== notice.amountMinor ||
      refund.currency !== notice.currency ||
      refund.paymentMethod !== PROVIDER_METHOD[notice.provider] ||
      (notice.transactionId !== null && notice.transactionId !== refund.transactionId)
    ) {
      alert = {
        ...base,
        deskRefundId: refund.id,
        kind: 'mismatch',
        detail: `${notice.provider}'s refund does not match the desk's refund ${refund.id} (amount or payment differs); not applied`,
      };
    } else if (notice.outcome.status === 'pending') {
      if (!refund.gatewayRef) await noteGatewayRef(prisma, refund.id, notice.outcome.gatewayRef, true);
    } else if (refund.status === 'pending') {
      await workflow.recordPayout(refund.id, notice.outcome);
    } else if (notice.outcome.status !== refund.status) {
      // A settled refund is never changed again: a person reconciles what the provider now says.
      const said = notice.outcome.status === 'failed' ? `failed (${notice.outcome.reason})` : 'succeeded';
      alert = {
        ...base,
        deskRefundId: refund.id,
        kind: 'contradicts',
        detail: `${notice.provider} now says the refund ${refund.id} ${said}; the desk recorded it ${refund.status}`,
      };
    }

    const stored = await prisma.paymentNotice.createMany({
      data: [
        {
          id,
          provider: notice.provider,
          eventType: notice.eventType.slice(0, 64),
          refundId: refund?.id ?? null,
          providerRefundId: notice.providerRefundId,
          status: notice.outcome.status,
          alert: alert?.detail ?? null,
        },
      ],
      skipDuplicates: true,
    });
    log.info(
      {
        provider: notice.provider,
        eventId: notice.eventId,
        eventType: notice.eventType,
        refundId: refund?.id ?? null,
        status: notice.outcome.status,
      },
      'payment notice received',
    );
    if (alert && stored.count === 1) {
      await this.raise(alert);
      return 'alerted';
    }
    return stored.count === 1 ? 'applied' : 'duplicate';
  }

  /**
   * Compares the refunds a provider lists since a time with the desk's: a succeeded refund the desk
   * has no record of (made in the provider's dashboard, or by someone else with the keys) is
   * alerted once. Returns how many alerts were raised.
   */
  async reconcile(provider: Provider, gateway: PaymentGateway, since: Date, signal: AbortSignal): Promise<number> {
    if (!gateway.listRecent) return 0;
    const listed = await gateway.listRecent(since, signal);
    let raised = 0;
    for (const refund of listed) {
      if (refund.status !== 'succeeded' || (await this.findRefund(refund.deskRefundId, refund.providerRefundId))) continue;
      if (await this.alertedBefore(provider, refund)) continue;
      const alert: PaymentAlert = {
        provider,
        kind: 'unknown_refund',
        providerRefundId: refund.providerRefundId,
        deskRefundId: refund.deskRefundId,
        amountMinor: refund.amountMinor,
        currency: refund.currency,
        detail: `${provider} lists a succeeded refund that the desk has no record of`,
      };
      const stored = await this.deps.prisma.paymentNotice.createMany({
        data: [
          {
            id: `${provider}:reconcile:${refund.providerRefundId}`.slice(0, 200),
            provider,
            eventType: 'reconcile',
            refundId: null,
            providerRefundId: refund.providerRefundId,
            status: refund.status,
            alert: alert.detail,
          },
        ],
        skipDuplicates: true,
      });
      if (stored.count === 1) {
        await this.raise(alert);
        raised += 1;
      }
    }
    return raised;
  }

  private async alertedBefore(provider: Provider, refund: ProviderRefund): Promise<boolean> {
    const seen = await this.deps.prisma.paymentNotice.findFirst({
      where: { provider, providerRefundId: refund.providerRefundId, alert: { not: null } },
      select: { id: true },
    });
    return seen !== null;
  }

  private async findRefund(deskRefundId: string | null, providerRefundId: string) {
    const { prisma } = this.deps;
    const select = {
      id: true,
      status: true,
      amountMinor: true,
      currency: true,
      paymentMethod: true,
      transactionId: true,
      gatewayRef: true,
    } as const;
    if (deskRefundId) {
      const byId = await prisma.refund.findUnique({ where: { id: deskRefundId }, select });
      if (byId) return byId;
    }
    return providerRefundId ? prisma.refund.findFirst({ where: { gatewayRef: providerRefundId }, select }) : null;
  }

  /**
   * An alert queued in the outbox with the change it reports (PAYMENT_ALERT_TOPIC): counted and
   * logged on its first delivery attempt, then posted to Slack; a failed post throws to be retried.
   */
  async deliverAlert(alert: PaymentAlert, firstAttempt: boolean): Promise<void> {
    if (firstAttempt) {
      this.deps.metrics.paymentAlerts.inc({ provider: alert.provider, kind: alert.kind });
      this.deps.log.error({ alert }, 'payment alert: a person must look at this refund');
    }
    await this.deps.onAlert?.(alert);
  }

  private async raise(alert: PaymentAlert): Promise<void> {
    this.deps.metrics.paymentAlerts.inc({ provider: alert.provider, kind: alert.kind });
    this.deps.log.error({ alert }, 'payment alert: a person must look at this refund');
    await this.deps.onAlert?.(alert).catch((error: unknown) => this.deps.log.error({ err: error }, 'could not post a payment alert'));
  }
}
