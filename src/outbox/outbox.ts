// The outbox: effects that must leave the desk (platform callbacks, channel messages) are written in
// the same transaction as the state change that causes them, and delivered afterwards by a job with
// retries. A crash between "decided" and "told" only delays the message; the dedupe key makes each
// effect exist once however often the step that adds it runs.
import type { Logger } from '../logger.ts';
import type { PrismaClient } from '../store/database.ts';

export interface OutboxItem {
  topic: string;
  payload: Record<string, unknown>;
  dedupeKey: string;
}

/** A delivery handler throws to retry; a PermanentDeliveryError goes straight to dead. */
export type OutboxHandler = (payload: Record<string, unknown>, message: { id: string; attempts: number }) => Promise<void>;

export class PermanentDeliveryError extends Error {}

export const MAX_ATTEMPTS = 25;
const LEASE_MS = 60_000;

/** Backoff after the nth failure: 1 s, 2 s, 4 s ... capped at 10 minutes. */
export const backoffMs = (attempts: number) => Math.min(1_000 * 2 ** Math.max(0, attempts - 1), 600_000);

interface ClaimedRow {
  id: string;
  topic: string;
  payload: Record<string, unknown>;
  attempts: number;
}

export class OutboxDispatcher {
  private readonly handlers = new Map<string, OutboxHandler>();

  constructor(
    private readonly prisma: PrismaClient,
    private readonly log: Logger,
  ) {}

  on(topic: string, handler: OutboxHandler): void {
    if (this.handlers.has(topic)) throw new Error(`outbox topic ${topic} has a handler already`);
    this.handlers.set(topic, handler);
  }

  /**
   * Claims due messages (SKIP LOCKED, so instances never take the same one; a lease, so a crashed
   * claimer's messages come back) and delivers them. Returns how many were delivered.
   */
  async deliverDue(limit = 50): Promise<number> {
    const claimed = await this.prisma.$queryRaw<ClaimedRow[]>`
      UPDATE outbox_messages SET "availableAt" = now() + ${`${LEASE_MS} milliseconds`}::interval
      WHERE id IN (
        SELECT id FROM outbox_messages WHERE status = 'pending' AND "availableAt" <= now()
        ORDER BY "availableAt" LIMIT ${limit} FOR UPDATE SKIP LOCKED)
      RETURNING id, topic, payload, attempts`;
    let delivered = 0;
    for (const row of claimed) {
      const handler = this.handlers.get(row.topic);
      try {
        if (!handler) throw new PermanentDeliveryError(`no handler for topic ${row.topic}`);
        await handler(row.payload, { id: row.id, attempts: row.attempts });
        await this.prisma.outboxMessage.update({ where: { id: row.id }, data: { status: 'delivered', deliveredAt: new Date(), attempts: { increment: 1 }, lastError: null } });
        delivered += 1;
      } catch (error) {
        const attempts = row.attempts + 1;
        const dead = error instanceof PermanentDeliveryError || attempts >= MAX_ATTEMPTS;
        const message = (error as Error).message.slice(0, 500);
        await this.prisma.outboxMessage.update({
          where: { id: row.id },
          data: { attempts, lastError: message, status: dead ? 'dead' : 'pending', availableAt: new Date(Date.now() + backoffMs(attempts)) },
        });
        if (dead) this.log.error({ outboxId: row.id, topic: row.topic, attempts, err: message }, 'outbox message dead: needs a person');
        else this.log.warn({ outboxId: row.id, topic: row.topic, attempts, err: message }, 'outbox delivery failed; will retry');
      }
    }
    return delivered;
  }
}
