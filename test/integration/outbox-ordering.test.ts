// The outbox's ordering keys (a chat's replies) against real PostgreSQL: messages of one key leave
// one at a time and in id order, each once, however many dispatchers (instances) race for them and
// whether they come by the job (deliverDue) or the fast path (deliverKey); a message that fails holds
// the ones after it until it goes; messages without a key are not held up by anyone.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newId } from '../../src/ids.ts';
import { createLogger } from '../../src/logger.ts';
import { enqueue, OutboxDispatcher, RetryLaterError } from '../../src/outbox/outbox.ts';
import { postgresUp } from '../helpers/services.ts';
import { startTestDesk, type TestDesk } from '../helpers/test-desk.ts';

describe.skipIf(!postgresUp)('outbox ordering keys (PostgreSQL)', () => {
  let t: TestDesk;
  beforeAll(async () => {
    t = await startTestDesk({ store: 'postgres' });
  });
  afterAll(() => t?.stop());

  const log = createLogger('silent');
  const prisma = () => t.desk.db.prisma;
  const write = (key: string | null, n: number, topic: string) =>
    enqueue(
      prisma(),
      Array.from({ length: n }, (_, i) => ({
        id: newId('obx'),
        topic,
        dedupeKey: `${topic}:${key}:${i}`,
        payload: { i },
        ...(key ? { orderingKey: key } : {}),
      })),
    );

  it('four dispatchers racing over one key deliver every message once, in order', async () => {
    const topic = 'test.ordered';
    await write('chat:test:1', 40, topic);
    const seen: number[] = [];
    let inFlight = 0;
    let overlapped = false;
    const dispatchers = Array.from({ length: 4 }, () => {
      const d = new OutboxDispatcher(prisma(), log);
      d.on(topic, async (payload) => {
        inFlight += 1;
        if (inFlight > 1) overlapped = true;
        await new Promise((r) => setTimeout(r, Math.random() * 3));
        seen.push(payload.i as number);
        inFlight -= 1;
      });
      return d;
    });
    await Promise.all(
      dispatchers.map(async (d, i) => {
        for (let round = 0; round < 30; round += 1) await (i % 2 === 0 ? d.deliverDue(5) : d.deliverKey('chat:test:1'));
      }),
    );
    expect(seen).toEqual(Array.from({ length: 40 }, (_, i) => i));
    expect(overlapped).toBe(false);
  });

  it('a failing message holds the rest of its key until it goes; other keys and unkeyed messages go on', async () => {
    const topic = 'test.held';
    await write('chat:test:held', 3, topic);
    await write('chat:test:free', 2, topic);
    await write(null, 2, topic);
    const seen: string[] = [];
    let failFirst = true;
    const d = new OutboxDispatcher(prisma(), log);
    d.on(topic, async (payload, message) => {
      const row = await prisma().outboxMessage.findUniqueOrThrow({ where: { id: message.id } });
      if (row.orderingKey === 'chat:test:held' && payload.i === 0 && failFirst) {
        failFirst = false;
        throw new RetryLaterError('slow down', 60_000);
      }
      seen.push(`${row.orderingKey ?? 'none'}:${String(payload.i)}`);
    });
    await d.deliverDue();
    expect(seen.filter((s) => s.startsWith('chat:test:held'))).toEqual([]);
    expect(seen.filter((s) => !s.startsWith('chat:test:held')).sort()).toEqual([
      'chat:test:free:0',
      'chat:test:free:1',
      'none:0',
      'none:1',
    ]);
    const held = await prisma().outboxMessage.findMany({ where: { orderingKey: 'chat:test:held' }, orderBy: { id: 'asc' } });
    expect(held.map((m) => m.status)).toEqual(['pending', 'pending', 'pending']);
    expect(held[0]!.availableAt.getTime()).toBeGreaterThan(Date.now() + 50_000);
    // Its wait is over: the key goes, in order.
    await prisma().outboxMessage.update({ where: { id: held[0]!.id }, data: { availableAt: new Date(Date.now() - 1_000) } });
    await d.deliverDue();
    expect(seen.filter((s) => s.startsWith('chat:test:held'))).toEqual(['chat:test:held:0', 'chat:test:held:1', 'chat:test:held:2']);
  });

  it('gives back what a slow run cannot reach while its lease is safe, so no other instance sends it too', async () => {
    const topic = 'test.slow';
    await write(null, 4, topic);
    const seen: number[] = [];
    const d = new OutboxDispatcher(prisma(), log, { leaseMs: 2_000, marginMs: 1_000 });
    d.on(topic, async (payload) => {
      seen.push(payload.i as number);
      await new Promise((r) => setTimeout(r, 1_200)); // past the point where the claim is still safe
    });
    expect(await d.deliverDue()).toBe(1);
    const rows = await prisma().outboxMessage.findMany({ where: { topic } });
    expect(rows.filter((r) => r.status === 'delivered')).toHaveLength(1);
    const left = rows.filter((r) => r.status === 'pending');
    expect(left).toHaveLength(3);
    // Given back due now, not left leased: the next run (here or elsewhere) takes them at once.
    for (const row of left) expect(row.availableAt.getTime()).toBeLessThanOrEqual(Date.now());
    expect(seen).toHaveLength(1);
  });

  it('drains a backlog in one job run, claim after claim, each message once; a failure is retried alone', async () => {
    const topic = 'test.backlog';
    await write(null, 130, topic);
    const seen: number[] = [];
    const d = new OutboxDispatcher(prisma(), log);
    d.on(topic, async (payload) => {
      if (payload.i === 7 && !seen.includes(-7)) {
        seen.push(-7);
        throw new Error('receiver down');
      }
      seen.push(payload.i as number);
    });
    // Three claims of 50 in one run (one claim per run would leave 80 for later runs).
    expect(await d.deliverBacklog(50)).toBe(129);
    expect(seen.filter((i) => i >= 0).sort((a, b) => a - b)).toEqual(Array.from({ length: 130 }, (_, i) => i).filter((i) => i !== 7));
    const rows = await prisma().outboxMessage.findMany({ where: { topic } });
    const failed = rows.filter((r) => r.status !== 'delivered');
    expect(failed).toHaveLength(1);
    expect(failed[0]).toMatchObject({ status: 'pending', attempts: 1, lastError: 'receiver down', payload: { i: 7 } });
    expect(rows.filter((r) => r.status === 'delivered').every((r) => r.attempts === 1 && r.deliveredAt !== null)).toBe(true);
    // Nothing more is due (the failed one waits for its backoff).
    expect(await d.deliverBacklog(50)).toBe(0);
  });

  it('records a delivery: status delivered, the time it went (UTC, as Prisma reads it), one more attempt, no error', async () => {
    const topic = 'test.recorded';
    await write(null, 1, topic);
    const d = new OutboxDispatcher(prisma(), log);
    d.on(topic, async () => undefined);
    await prisma().outboxMessage.updateMany({ where: { topic }, data: { attempts: 2, lastError: 'earlier failure' } });
    const before = Date.now();
    expect(await d.deliverDue(50)).toBeGreaterThanOrEqual(1);
    const [row] = await prisma().outboxMessage.findMany({ where: { topic } });
    expect(row).toMatchObject({ status: 'delivered', attempts: 3, lastError: null });
    expect(Math.abs(row!.deliveredAt!.getTime() - before)).toBeLessThan(60_000);
  });
});
