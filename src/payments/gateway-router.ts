// Chooses the gateway for an order's payment method: the refund goes back along the route it came.
import type { PaymentMethod } from '../domain/index.ts';
import type { PaymentGateway } from './payment-gateway.ts';

export class GatewayRouter {
  constructor(private readonly byMethod: Partial<Record<PaymentMethod, PaymentGateway>>) {}

  /** The gateway for a method, or null when none is configured (the refund then goes to a person). */
  for(method: PaymentMethod): PaymentGateway | null {
    return this.byMethod[method] ?? null;
  }
}

/** What turns a method's rail on, for the reason a person is given when it is off. */
const RAIL_SETUP: Record<PaymentMethod, string> = {
  wechat: 'WeChat Pay (WECHATPAY_* variables)',
  alipay: 'Alipay (ALIPAY_* variables)',
  card: 'Stripe (STRIPE_* variables)',
  sandbox: 'the sandbox (SANDBOX_PAYMENTS=on)',
};

/** Why a method cannot be refunded automatically: said to the agent who refunds it by hand. */
export function unconfiguredRail(method: PaymentMethod): string {
  return `no refund rail for ${method} payments: ${RAIL_SETUP[method]} is not configured on this desk; refund it by the original route by hand`;
}
