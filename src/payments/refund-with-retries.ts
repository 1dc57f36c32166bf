// One payout attempt as the workflow sees it: the gateway call with a timeout, transient failures
// retried with capped backoff under the same idempotency key. "unknown" means the provider may or
// may not have executed it (a hang, or every retry failed): the refund stays pending and a job asks.
//
// A provider that asks for a lower rate (429, WeChat Pay's FREQUENCY_LIMITED, which also counts
// error requests against the merchant) is given seconds, with jitter so several instances do not
// come back in step: 1-2 s, then 2-4 s. A wait longer than the request should hold (its own
// Retry-After) leaves the refund pending for the completion job, which sends it later, same key.
import { setTimeout as sleep } from 'node:timers/promises';
import { TransientGatewayError, type GatewayOutcome, type PaymentGateway, type RefundCall } from './payment-gateway.ts';

export type PayoutResult = GatewayOutcome | { status: 'unknown'; error: string; rateLimited?: boolean };

export interface RetryOptions {
  timeoutMs: number;
  attempts: number;
  baseBackoffMs: number;
  /** Seeds the rate-limit jitter (tests); Math.random by default. */
  random?: () => number;
  /** Waits between attempts (tests record them); a real timer by default. */
  wait?: (ms: number) => Promise<unknown>;
}

export const DEFAULT_RETRY: RetryOptions = { timeoutMs: 5_000, attempts: 3, baseBackoffMs: 100 };

/** First wait after a "slow down", doubled for each further one, times a random factor in [1, 2). */
export const RATE_LIMIT_BACKOFF_MS = 1_000;
/** The longest a request waits in line for a rate-limited provider; past it the completion job resends. */
export const MAX_INLINE_WAIT_MS = 5_000;

/** How long to wait before attempt `attempt + 1` after a failure (pure, for tests). */
export function backoffAfter(
  error: TransientGatewayError,
  attempt: number,
  options: Pick<RetryOptions, 'baseBackoffMs' | 'random'>,
): number {
  if (error.rateLimited) return error.retryAfterMs ?? RATE_LIMIT_BACKOFF_MS * 2 ** (attempt - 1) * (1 + (options.random ?? Math.random)());
  return Math.min(error.retryAfterMs ?? options.baseBackoffMs * 4 ** (attempt - 1), MAX_INLINE_WAIT_MS);
}

export async function refundWithRetries(
  gateway: PaymentGateway,
  call: RefundCall,
  options: RetryOptions = DEFAULT_RETRY,
): Promise<PayoutResult> {
  let lastError = 'no attempt made';
  let rateLimited = false;
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
      rateLimited = error.rateLimited;
      if (attempt < options.attempts) {
        const backoff = backoffAfter(error, attempt, options);
        if (backoff > MAX_INLINE_WAIT_MS)
          return { status: 'unknown', error: `${e.message}; asked to wait ${Math.ceil(backoff / 1000)} s`, rateLimited };
        await (options.wait ?? sleep)(backoff);
      }
    }
  }
  return { status: 'unknown', error: `${options.attempts} attempts failed: ${lastError}`, ...(rateLimited ? { rateLimited } : {}) };
}
