// The refund rails a refund-request suite can run on: the sandbox, and each real adapter against its
// local provider. One interface for what the suites do to a rail: queue faults, read the provider's
// books, settle a refund left processing.
import type { PaymentMethod } from '../../../src/domain/catalog.ts';
import type { TestDesk } from '../test-desk.ts';
import type { FakeRail, RailFault, RefundCallRecord } from './fake-rail.ts';
import { FakeAlipay } from './fake-alipay.ts';
import { FakeStripe } from './fake-stripe.ts';
import { FakeWechatPay } from './fake-wechatpay.ts';

export interface RailDouble {
  name: string;
  /** The payment method the suite's orders are paid with. */
  method: PaymentMethod;
  /** The provider's transaction id for an order (what the refund goes back along). */
  txOf(orderId: string): string;
  /** The desk's variables that put this rail in place. */
  env(): Record<string, string>;
  attach(t: TestDesk): void;
  inject(...faults: RailFault[]): void;
  clearFaults(): void;
  /** Refunds the provider executed for a payment (succeeded or processing). */
  executed(transactionId: string): number;
  calls(transactionId: string): RefundCallRecord[];
  /** The provider finishes a refund it had left processing. */
  settlePending(refundId: string): void;
  /**
   * Whether a refund the provider left unfinished is sent again by the desk rather than waited for:
   * Alipay's refund query has no "processing", only REFUND_SUCCESS or no refund_status (not
   * received, or failed), which its documents say to retry under the same out_request_no.
   */
  resendsUnfinished: boolean;
  close(): Promise<void>;
}

/** The sandbox gateway inside the desk. */
export function sandboxRail(): RailDouble {
  let t: TestDesk | null = null;
  const sandbox = () => t!.desk.sandbox!;
  return {
    name: 'sandbox',
    method: 'wechat',
    txOf: (orderId) => `wx_${orderId}`,
    env: () => ({}),
    attach(desk) {
      t = desk;
    },
    inject(...faults) {
      for (const fault of faults) {
        if (fault === 'crash') {
          // The provider executes the refund, then the desk "dies" before it hears the answer.
          sandbox().afterExecute = () => {
            sandbox().afterExecute = null;
            throw new Error('process killed');
          };
        } else if (fault === 'forged') throw new Error('the sandbox signs nothing');
        else if (fault === 'rate_limited') throw new Error('the sandbox has no rate limit');
        else sandbox().inject(fault);
      }
    },
    clearFaults: () => sandbox().clearFaults(),
    executed: (tx) => [...sandbox().refunds.values()].filter((r) => r.call.transactionId === tx && r.outcome.status !== 'failed').length,
    calls: (tx) =>
      sandbox()
        .calls.filter((c) => c.transactionId === tx)
        .map((c) => ({ key: c.refundId, transactionId: c.transactionId, amountMinor: c.amountMinor })),
    settlePending: (refundId) => sandbox().settlePending(refundId),
    resendsUnfinished: false,
    close: async () => undefined,
  };
}

function fakeRail(
  name: string,
  method: PaymentMethod,
  prefix: string,
  fake: FakeRail & { start(): Promise<string>; env(): Record<string, string> },
): RailDouble & { fake: typeof fake; start(): Promise<void> } {
  return {
    name,
    method,
    fake,
    async start() {
      await fake.start();
    },
    txOf: (orderId) => `${prefix}${orderId}`,
    env: () => fake.env(),
    attach: () => undefined,
    inject: (...faults) => fake.inject(...faults),
    clearFaults: () => fake.clearFaults(),
    executed: (tx) => fake.executed(tx).length,
    calls: (tx) => fake.callsFor(tx),
    settlePending: (refundId) => void fake.settle(refundId),
    resendsUnfinished: name === 'alipay',
    close: () => fake.close(),
  };
}

export const wechatRail = () => fakeRail('wechat', 'wechat', '4200', new FakeWechatPay());
export const alipayRail = () => fakeRail('alipay', 'alipay', '2026', new FakeAlipay());
export const stripeRail = () => fakeRail('stripe', 'card', 'pi_', new FakeStripe());
