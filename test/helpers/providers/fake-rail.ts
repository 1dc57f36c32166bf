// What the local stand-ins for WeChat Pay, Alipay and Stripe share: an HTTP server on a loopback
// port, the provider's book of refunds (by the merchant's refund number, never paying one twice and
// never more than the payment), and faults the tests queue for the next refund calls. Each provider
// file adds its own paths, bodies, status values and signature scheme, written from the provider's
// published API, not from the desk's adapters.
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

/**
 * transient: a retryable error, nothing executed. hard: a refusal. hang: no answer, nothing executed.
 * pending: accepted, still processing. crash: executed, then no answer (the desk never hears).
 * forged: executed, answered with a signature made by the wrong key. rate_limited: "lower your
 * rate", nothing executed (WeChat Pay's FREQUENCY_LIMITED).
 */
export type RailFault = 'transient' | 'hard' | 'hang' | 'pending' | 'crash' | 'forged' | 'rate_limited';

export interface BookedRefund {
  /** The merchant's refund number (out_refund_no, out_request_no, Idempotency-Key): the desk's refund id. */
  key: string;
  providerId: string;
  transactionId: string;
  amountMinor: number;
  status: 'processing' | 'succeeded' | 'failed';
  createdAt: number;
  metadata: Record<string, string>;
}

export interface RefundCallRecord {
  key: string;
  transactionId: string;
  amountMinor: number;
}

export interface Received {
  method: string;
  path: string;
  headers: http.IncomingHttpHeaders;
  body: string;
  /** When the request arrived (Date.now()). */
  at: number;
}

export type Handler = (req: Received, res: http.ServerResponse) => void | Promise<void>;

/** A provider having a bad day: every answer late by up to `maxLatencyMs`, and faults drawn at random. */
export interface Chaos {
  maxLatencyMs: number;
  /** Chance of each fault per refund call (the rest succeed). */
  odds: Partial<Record<RailFault, number>>;
}

export class FakeRail {
  readonly refunds = new Map<string, BookedRefund>();
  /** Every refund call that reached the provider's refund endpoint (repeats and faults included). */
  readonly calls: RefundCallRecord[] = [];
  readonly received: Received[] = [];
  /** Totals of payments the provider knows; an unknown payment is learnt from its first refund. */
  readonly payments = new Map<string, number>();
  private readonly faults: RailFault[] = [];
  /** Random slowness and faults when no fault is queued (the load-and-fault suite). */
  chaos: Chaos | null = null;
  /** Faults drawn from `chaos`, by kind. */
  readonly drawn: Partial<Record<RailFault, number>> = {};
  private readonly sockets = new Set<Socket>();
  private server: http.Server | null = null;
  url = '';

  inject(...faults: RailFault[]): void {
    this.faults.push(...faults);
  }

  clearFaults(): void {
    this.faults.length = 0;
  }

  nextFault(): RailFault | undefined {
    const queued = this.faults.shift();
    if (queued || !this.chaos) return queued;
    let roll = Math.random();
    for (const [fault, odds] of Object.entries(this.chaos.odds) as Array<[RailFault, number]>) {
      if (roll < odds) {
        this.drawn[fault] = (this.drawn[fault] ?? 0) + 1;
        return fault;
      }
      roll -= odds;
    }
    return undefined;
  }

  /** Refunds executed for a payment (succeeded or still processing), as the provider's books say. */
  executed(transactionId: string): BookedRefund[] {
    return [...this.refunds.values()].filter((r) => r.transactionId === transactionId && r.status !== 'failed');
  }

  callsFor(transactionId: string): RefundCallRecord[] {
    return this.calls.filter((c) => c.transactionId === transactionId);
  }

  refundedMinor(transactionId: string): number {
    return this.executed(transactionId).reduce((sum, r) => sum + r.amountMinor, 0);
  }

  /** Books a refund once per key; a repeat returns the first. Null when it exceeds the payment. */
  book(
    key: string,
    transactionId: string,
    amountMinor: number,
    status: BookedRefund['status'],
    providerId: string,
    metadata: Record<string, string> = {},
  ): BookedRefund | null {
    const existing = this.refunds.get(key);
    if (existing) return existing;
    const total = this.payments.get(transactionId);
    if (total !== undefined && this.refundedMinor(transactionId) + amountMinor > total) return null;
    const refund: BookedRefund = { key, providerId, transactionId, amountMinor, status, createdAt: Date.now(), metadata };
    this.refunds.set(key, refund);
    return refund;
  }

  settle(key: string, status: 'succeeded' | 'failed' = 'succeeded'): BookedRefund {
    const refund = this.refunds.get(key);
    if (!refund) throw new Error(`the provider has no refund ${key}`);
    refund.status = status;
    return refund;
  }

  async listen(handler: Handler): Promise<string> {
    this.server = http.createServer((req, res) => {
      let body = '';
      req.setEncoding('utf8');
      req.on('data', (chunk: string) => (body += chunk));
      req.on('end', () => {
        const received: Received = { method: req.method ?? 'GET', path: req.url ?? '/', headers: req.headers, body, at: Date.now() };
        this.received.push(received);
        const late = this.chaos
          ? new Promise((resolve) => setTimeout(resolve, Math.random() * this.chaos!.maxLatencyMs))
          : Promise.resolve();
        late
          .then(() => handler(received, res))
          .catch((error: unknown) => {
            res.statusCode = 500;
            res.end(String((error as Error).message));
          });
      });
    });
    this.server.on('connection', (socket) => {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this.url;
  }

  async close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}

/** "99.00" → 9900, exactly; NaN for anything that is not a two-decimal amount. */
export function fenOf(text: string): number {
  const match = /^(\d+)(?:\.(\d{1,2}))?$/.exec(text);
  return match ? Number(match[1]) * 100 + Number((match[2] ?? '0').padEnd(2, '0')) : Number.NaN;
}
