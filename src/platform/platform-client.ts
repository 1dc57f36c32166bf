// Calls from the desk to the shop platform, signed like the platform's own events (X-Signature:
// sha256=HMAC of the body with PLATFORM_WEBHOOK_SECRET): callbacks (hold payouts, revoke access) and
// the live usage check (M5).
import { z } from 'zod';
import { signBody } from './signature.ts';
import { USAGE_KINDS } from '../domain/index.ts';

export const liveUsageSchema = z.object({
  orderId: z.string(),
  events: z.array(
    z.object({
      kind: z.enum(Object.keys(USAGE_KINDS) as [keyof typeof USAGE_KINDS, ...(keyof typeof USAGE_KINDS)[]]),
      value: z.number().min(0).max(1).optional(),
      at: z.iso.datetime({ offset: true }),
    }),
  ),
});
export type LiveUsage = z.infer<typeof liveUsageSchema>;

export class PlatformCallError extends Error {
  constructor(
    message: string,
    readonly retryable: boolean,
  ) {
    super(message);
    this.name = 'PlatformCallError';
  }
}

export class PlatformClient {
  constructor(
    private readonly secret: string,
    readonly urls: { callbackUrl: string | null; usageUrl: string | null },
  ) {}

  private async post(url: string, payload: unknown, timeoutMs: number): Promise<unknown> {
    const body = JSON.stringify(payload);
    let response: Response;
    try {
      response = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-signature': signBody(body, this.secret) },
        body,
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch (error) {
      const e = error as Error;
      throw new PlatformCallError(e.name === 'TimeoutError' ? `no answer within ${timeoutMs} ms` : `unreachable: ${e.message}`, true);
    }
    if (!response.ok) {
      await response.body?.cancel();
      throw new PlatformCallError(`answered ${response.status}`, response.status >= 500 || response.status === 429);
    }
    const text = await response.text();
    return text ? JSON.parse(text) : null;
  }

  /** A signed callback; throws PlatformCallError unless the platform acknowledged it (2xx). */
  async callback(payload: Record<string, unknown>, timeoutMs = 5_000): Promise<void> {
    if (!this.urls.callbackUrl) throw new PlatformCallError('PLATFORM_CALLBACK_URL is not set', false);
    await this.post(this.urls.callbackUrl, payload, timeoutMs);
  }

  /** The platform's current usage facts for an order. */
  async liveUsage(orderId: string, timeoutMs: number): Promise<LiveUsage> {
    if (!this.urls.usageUrl) throw new PlatformCallError('PLATFORM_USAGE_URL is not set', false);
    const parsed = liveUsageSchema.safeParse(await this.post(this.urls.usageUrl, { orderId }, timeoutMs));
    if (!parsed.success) throw new PlatformCallError(`answered an unexpected body (${parsed.error.issues[0]?.message})`, false);
    return parsed.data;
  }
}
