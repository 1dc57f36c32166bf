// Chooses the gateway for an order's payment method: the refund goes back along the route it came.
import type { PaymentMethod } from '../domain/catalog.ts';
import type { PaymentGateway } from './payment-gateway.ts';

export class GatewayRouter {
  constructor(private readonly byMethod: Partial<Record<PaymentMethod, PaymentGateway>>) {}

  /** The gateway for a method, or null when none is configured (the refund then goes to a person). */
  for(method: PaymentMethod): PaymentGateway | null {
    return this.byMethod[method] ?? null;
  }
}
