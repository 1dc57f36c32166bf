// The outbox: effects that must leave the desk (platform callbacks, channel messages) are written in
// the same transaction as the state change that causes them, and delivered afterwards by a job with
// retries. A crash between "decided" and "told" only delays the message; the dedupe key makes each
// effect exist once however often the step that adds it runs.
//
// Messages that share an `orderingKey` (the replies of one chat) leave one at a time and in id
// order: only the earliest pending message of a key can be claimed, so a reply never overtakes one
// that is still waiting for its retry. A message can be delivered at once by whoever wrote it
// (`deliverKey`, the fast path of a chat reply) or by the job, never by both: every delivery starts
// with the same claim.
import type { Logger } from '../logger.ts';
import type { Prisma } from '../generated/prisma/client.ts';
import type { PrismaClient } from '../store/index.ts';

export interface OutboxItem {
  topic: string;
  payload: Record<string, unknown>;
  dedupeKey: string;
  /** Delivered after every earlier pending message with the same key (see the file comment). */
  orderingKey?: string;
  /** Its id when the caller wants the order of ids to be the order of something else (a chat's messages). */
  id?: string;
}

/** A delivery handler throws to retry; a PermanentDeliveryError goes straight to dead. */
export type OutboxHandler = (payload: Record<string, unknown>, message: { id: string; attempts: number }) => Promise<void>;

/** The receiver refused for good (a chat that blocked the bot): retrying cannot help. */
export class PermanentDeliveryError extends Error {
  constructor(
    message: string,
    /** Expected in normal operation (a buyer blocked the bot): logged as a warning, not as needing a person. */
    readonly expected = false,
  ) {
    super(message);
  }
}

/** The receiver asked to be called again no sooner than `afterMs` (Telegram's 429 retry_after). */
export class RetryLaterError extends Error {
  constructor(
    message: string,
    readonly afterMs: number,
  ) {
    super(message);
  }
}

export const MAX_ATTEMPTS = 25;
/** How long a claimed message is left to its claimer; past it (the claimer died) anyone may take it. */
const LEASE_MS = 60_000;
/** More than the longest one delivery may take (Telegram's 15 s send limit): a claim is worked on only this far inside its lease. */
const LEASE_MARGIN_MS = 20_000;
/** Messages of one key delivered in a row before the claimer moves on (the rest go next time). */
const MAX_RUN_PER_KEY = 50;

/** Backoff after the nth failure: 1 s, 2 s, 4 s ... capped at 10 minutes. */
export const backoffMs = (attempts: number) => Math.min(1_000 * 2 ** Math.max(0, attempts - 1), 600_000);

interface ClaimedRow {
  id: string;
  topic: string;
  payload: Record<string, unknown>;
  attempts: number;
  orderingKey: string | null;
}

type Db = PrismaClient | Prisma.TransactionClient;

/** Writes messages (inside the caller's transaction); one that exists already by dedupe key is left as it is. */
export async function enqueue(db: Db, items: Array<OutboxItem & { id: string }>): Promise<void> {
  if (items.length === 0) return;
  await db.outboxMessage.createMany({
    data: items.map((item) => ({
      id: item.id,
      topic: item.topic,
      payload: item.payload as object,
      dedupeKey: item.dedupeKey,
      orderingKey: item.orderingKey ?? null,
    })),
    skipDuplicates: true,
  });
}

export interface OutboxTimings {
  /** How long a claimed message is left to its claimer. */
  leaseMs: number;
  /** How far inside its lease a claim is still worked on: more than one delivery may take. */
  marginMs: number;
}

export class OutboxDispatcher {
  private readonly handlers = new Map<string, OutboxHandler>();

  constructor(
    private readonly prisma: PrismaClient,
    private readonly log: Logger,
    private readonly timings: OutboxTimings = { leaseMs: LEASE_MS, marginMs: LEASE_MARGIN_MS },
  ) {}

  on(topic: string, handler: OutboxHandler): void {
    if (this.handlers.has(topic)) throw new Error(`outbox topic ${topic} has a handler already`);
    this.handlers.set(topic, handler);
  }

  /**
   * Claims due messages (SKIP LOCKED, so instances never take the same one; a lease, so a crashed
   * claimer's messages come back) and delivers them; after a message with an ordering key, the rest
   * of its key follow in order. A claim is only worked on while its lease is safely ahead (a slow
   * receiver must not let the lease of the messages still waiting run out, or another instance would
   * take and send them too): what is left then is given back for the next run. Returns how many
   * were delivered.
   */
  async deliverDue(limit = 50): Promise<number> {
    return (await this.claimAndDeliver(limit)).delivered;
  }

  /**
   * What the job runs: claims of `limit` one after another while each comes back full and the budget
   * lasts, so a backlog (a burst of refunds, each owing an access revocation) drains at the pace the
   * receivers take, not at one claim per run. Returns how many were delivered.
   */
  async deliverBacklog(limit = 50, budgetMs = 2_000): Promise<number> {
    const stop = Date.now() + budgetMs;
    let delivered = 0;
    for (;;) {
      const run = await this.claimAndDeliver(limit);
      delivered += run.delivered;
      if (run.claimed < limit || Date.now() >= stop) return delivered;
    }
  }

  private async claimAndDeliver(limit: number): Promise<{ claimed: number; delivered: number }> {
    const lease = `${this.timings.leaseMs} milliseconds`;
    const until = Date.now() + this.timings.leaseMs - this.timings.marginMs;
    const claimed = await this.prisma.$queryRaw<ClaimedRow[]>`
      UPDATE outbox_messages SET "availableAt" = now() + ${lease}::interval
      WHERE id IN (
        SELECT o.id FROM outbox_messages o
        WHERE o.status = 'pending' AND o."availableAt" <= now()
          AND NOT EXISTS (SELECT 1 FROM outbox_messages e WHERE e."orderingKey" = o."orderingKey" AND e.status = 'pending' AND e.id < o.id)
        ORDER BY o."availableAt" LIMIT ${limit} FOR UPDATE SKIP LOCKED)
      RETURNING id, topic, payload, attempts, "orderingKey"`;
    let delivered = 0;
    // Messages without an ordering key are recorded a few at a time (one statement for up to 10, or
    // for what 200 ms delivered: a crash re-sends at most those); one with a key is recorded at once,
    // since the next of its key waits for it.
    let done: string[] = [];
    let since = Date.now();
    const record = async () => {
      const ids = done;
      done = [];
      since = Date.now();
      await this.recordDelivered(ids);
    };
    try {
      for (const [i, row] of claimed.entries()) {
        if (Date.now() > until) {
          const left = claimed.slice(i).map((r) => r.id);
          await this.prisma.outboxMessage.updateMany({ where: { id: { in: left }, status: 'pending' }, data: { availableAt: new Date() } });
          break;
        }
        const keyed = Boolean(row.orderingKey);
        if (!(await this.deliver(row, keyed))) continue;
        delivered += 1;
        if (keyed) delivered += await this.deliverKey(row.orderingKey!, until);
        else {
          done.push(row.id);
          if (done.length >= 10 || Date.now() - since >= 200) await record();
        }
      }
    } finally {
      // What was delivered is recorded even when the run stopped early; a failure to record is logged
      // (those messages go again once their lease ends), not raised over the run's own error.
      const count = done.length;
      await record().catch((error: unknown) =>
        this.log.error({ err: (error as Error).message, count }, 'outbox deliveries not recorded; they will be sent again'),
      );
    }
    return { claimed: claimed.length, delivered };
  }

  /**
   * Marks messages delivered (their handlers ran); attempts count the delivery. Raw SQL: recording is
   * the outbox's hot path, and a model update costs a query compilation each time (~1 ms of CPU under
   * the refund bench's load, measured with --cpu-prof).
   */
  private async recordDelivered(ids: string[]): Promise<void> {
    if (ids.length === 0) return;
    await this.prisma.$executeRaw`
      UPDATE outbox_messages SET status = 'delivered', "deliveredAt" = (${new Date().toISOString()}::timestamptz AT TIME ZONE 'UTC'),
        attempts = attempts + 1, "lastError" = NULL
      WHERE id = ANY(${ids}::text[])`;
  }

  /**
   * Delivers the due messages of one key now, in order, stopping at the first that fails (it is
   * retried later, and the ones after it wait for it). The key's first pending message is locked
   * without skipping (a claim is one short statement), so a message that another claimer holds is
   * never passed over for the one after it. Whoever wrote them calls this to send at once; the job
   * does the same for what is left. Returns how many were delivered.
   */
  async deliverKey(orderingKey: string, until = Number.POSITIVE_INFINITY): Promise<number> {
    const lease = `${this.timings.leaseMs} milliseconds`;
    let delivered = 0;
    while (delivered < MAX_RUN_PER_KEY && Date.now() <= until) {
      const [row] = await this.prisma.$queryRaw<ClaimedRow[]>`
        UPDATE outbox_messages SET "availableAt" = now() + ${lease}::interval
        WHERE id = (
          SELECT o.id FROM outbox_messages o
          WHERE o."orderingKey" = ${orderingKey} AND o.status = 'pending'
          ORDER BY o.id LIMIT 1 FOR UPDATE)
        AND "availableAt" <= now()
        RETURNING id, topic, payload, attempts, "orderingKey"`;
      if (!row || !(await this.deliver(row))) break;
      delivered += 1;
    }
    return delivered;
  }

  /**
   * Runs the handler for one claimed message and records a failure; a delivery too when `record`
   * (otherwise the caller records it with others). True when delivered.
   */
  private async deliver(row: ClaimedRow, record = true): Promise<boolean> {
    const handler = this.handlers.get(row.topic);
    try {
      if (!handler) throw new PermanentDeliveryError(`no handler for topic ${row.topic}`);
      await handler(row.payload, { id: row.id, attempts: row.attempts });
    } catch (error) {
      await this.recordFailure(row, error);
      return false;
    }
    if (!record) return true;
    try {
      await this.recordDelivered([row.id]);
    } catch (error) {
      // Sent but not recorded: it goes again once its lease ends (at least once), and its key waits.
      this.log.error({ outboxId: row.id, topic: row.topic, err: (error as Error).message }, 'outbox delivery not recorded');
      return false;
    }
    return true;
  }

  /** A failed delivery: retried after its backoff, or dead (a person is told) after the last attempt. */
  private async recordFailure(row: ClaimedRow, error: unknown): Promise<void> {
    const attempts = row.attempts + 1;
    const dead = error instanceof PermanentDeliveryError || attempts >= MAX_ATTEMPTS;
    const message = (error as Error).message.slice(0, 500);
    const retryInMs = error instanceof RetryLaterError ? error.afterMs : backoffMs(attempts);
    await this.prisma.outboxMessage.update({
      where: { id: row.id },
      data: { attempts, lastError: message, status: dead ? 'dead' : 'pending', availableAt: new Date(Date.now() + retryInMs) },
    });
    const context = { outboxId: row.id, topic: row.topic, attempts, err: message };
    if (dead && error instanceof PermanentDeliveryError && error.expected)
      this.log.warn(context, 'outbox message refused for good by its receiver');
    else if (dead) this.log.error(context, 'outbox message dead: needs a person');
    else this.log.warn({ ...context, retryInMs }, 'outbox delivery failed; will retry');
  }
}
