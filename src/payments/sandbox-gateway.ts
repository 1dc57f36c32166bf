// The sandbox gateway for the demo and tests. It behaves like a real provider where it matters: it
// remembers every refund by idempotency key (a repeat returns the first result and never pays twice),
// and it refuses to refund more than the payment. Faults can be injected: latency, transient errors,
// hard refusals, "accepted, still processing", and hangs.
import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  TransientGatewayError,
  type GatewayOutcome,
  type PaymentGateway,
  type QueryOutcome,
  type RefundCall,
  type RefundRef,
} from './payment-gateway.ts';

export type SandboxFault = 'transient' | 'hard' | 'hang' | 'pending';

interface SandboxRefund {
  call: RefundCall;
  outcome: GatewayOutcome;
}

export class SandboxGateway implements PaymentGateway {
  readonly name = 'sandbox';
  /** Refunds the "provider" has executed, by idempotency key. */
  readonly refunds = new Map<string, SandboxRefund>();
  /** Every refund() call, including repeats and failures, for tests and the fault suite. */
  readonly calls: RefundCall[] = [];
  /** What each payment has had refunded (succeeded or processing), so the check is not a scan. */
  private readonly refundedByTransaction = new Map<string, number>();
  private readonly faults: SandboxFault[] = [];
  latencyMs = 0;
  /** Called after the provider has executed a refund and before it answers (to simulate a crash). */
  afterExecute: ((call: RefundCall) => void) | null = null;

  /** Queues faults for the next calls, in order. */
  inject(...faults: SandboxFault[]): void {
    this.faults.push(...faults);
  }

  /** Drops faults no call has consumed yet. */
  clearFaults(): void {
    this.faults.length = 0;
  }

  /** Completes a refund left "processing" (what the provider's notification would report). */
  settlePending(refundId: string, outcome: 'succeeded' | 'failed' = 'succeeded'): void {
    const entry = this.refunds.get(refundId);
    if (!entry || entry.outcome.status !== 'pending') return;
    entry.outcome =
      outcome === 'succeeded'
        ? { status: 'succeeded', gatewayRef: entry.outcome.gatewayRef }
        : { status: 'failed', reason: 'provider refused' };
    if (outcome === 'failed')
      this.refundedByTransaction.set(entry.call.transactionId, this.refundedMinor(entry.call.transactionId) - entry.call.amountMinor);
  }

  refundedMinor(transactionId: string): number {
    return this.refundedByTransaction.get(transactionId) ?? 0;
  }

  private remember(call: RefundCall, outcome: GatewayOutcome): void {
    this.refunds.set(call.refundId, { call, outcome });
    if (outcome.status !== 'failed')
      this.refundedByTransaction.set(call.transactionId, this.refundedMinor(call.transactionId) + call.amountMinor);
  }

  async refund(call: RefundCall, signal: AbortSignal): Promise<GatewayOutcome> {
    this.calls.push(call);
    if (this.latencyMs > 0) await sleep(this.latencyMs, undefined, { signal });
    const fault = this.faults.shift();
    if (fault === 'hang') {
      await new Promise((_, reject) => signal.addEventListener('abort', () => reject(signal.reason), { once: true }));
    }
    if (fault === 'transient') throw new TransientGatewayError('sandbox: connection reset');
    const previous = this.refunds.get(call.refundId);
    if (previous) return previous.outcome;
    if (fault === 'hard') {
      const outcome: GatewayOutcome = { status: 'failed', reason: 'sandbox: refund refused by the provider' };
      this.remember(call, outcome);
      return outcome;
    }
    if (this.refundedMinor(call.transactionId) + call.amountMinor > call.totalMinor) {
      return { status: 'failed', reason: 'sandbox: amount exceeds what is left of the payment' };
    }
    const gatewayRef = `sbx_${randomBytes(8).toString('hex')}`;
    const outcome: GatewayOutcome = fault === 'pending' ? { status: 'pending', gatewayRef } : { status: 'succeeded', gatewayRef };
    this.remember(call, outcome);
    this.afterExecute?.(call);
    return outcome;
  }

  async query(ref: RefundRef): Promise<QueryOutcome> {
    return this.refunds.get(ref.refundId)?.outcome ?? { status: 'not_found' };
  }
}
