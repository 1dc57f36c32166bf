// One payout attempt as the workflow sees it: the gateway call with a timeout, transient failures
// retried with capped backoff under the same idempotency key. "unknown" means the provider may or
// may not have executed it (a hang, or every retry failed): the refund stays pending and a job asks.
import { setTimeout as sleep } from 'node:timers/promises';
import { TransientGatewayError, type GatewayOutcome, type PaymentGateway, type RefundCall } from './payment-gateway.ts';

export type PayoutResult = GatewayOutcome | { status: 'unknown'; error: string };

export interface RetryOptions {
  timeoutMs: number;
  attempts: number;
  baseBackoffMs: number;
}

export const DEFAULT_RETRY: RetryOptions = { timeoutMs: 5_000, attempts: 3, baseBackoffMs: 100 };

export async function refundWithRetries(gateway: PaymentGateway, call: RefundCall, options: RetryOptions = DEFAULT_RETRY): Promise<PayoutResult> {
  let lastError = 'no attempt made';
  for (let attempt = 1; attempt <= options.attempts; attempt += 1) {
    try {
      return await gateway.refund(call, AbortSignal.timeout(options.timeoutMs));
    } catch (error) {
      const e = error as Error;
      if (e.name === 'TimeoutError' || e.name === 'AbortError') {
        // A hang may still execute at the provider: do not pile on more calls now; the job will ask.
        return { status: 'unknown', error: `no answer within ${options.timeoutMs} ms` };
      }
      if (!(error instanceof TransientGatewayError)) return { status: 'unknown', error: e.message };
      lastError = e.message;
      if (attempt < options.attempts) {
        const backoff = Math.min(error.retryAfterMs ?? options.baseBackoffMs * 4 ** (attempt - 1), 5_000);
        await sleep(backoff);
      }
    }
  }
  return { status: 'unknown', error: `${options.attempts} attempts failed: ${lastError}` };
}
