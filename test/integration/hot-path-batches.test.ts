// Refund requests that arrive together share their statements (StatementBatcher): one context read,
// one decision write and one settlement for many requests. Each request must still end exactly as it
// would alone: its own rows, times, notices, commission entries and outbox messages, and a request
// that loses its order to another in the same statement fails alone. On PostgreSQL and on PGlite
// (the embedded default runs the same statements).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, freshBuyer, newOrder, requestRefund, seedShop } from '../helpers/refunds.ts';
import { postgresUp } from '../helpers/services.ts';
import { startTestDesk, type TestDesk } from '../helpers/test-desk.ts';

describe.each([
  { store: 'postgres' as const, skip: !postgresUp },
  { store: 'pglite' as const, skip: false },
])('refund requests written together ($store)', ({ store, skip }) => {
  let t: TestDesk;
  let shop: Awaited<ReturnType<typeof seedShop>>;
  const statements: string[] = [];
  /** The last of each hot-path statement sent, with its values. */
  const lastSent = new Map<string, { text: string; values: unknown[] }>();
  beforeAll(async () => {
    if (skip) return;
    t = await startTestDesk({ store });
    shop = await seedShop(t);
    // Count the hot path's statements as the database receives them, each answered 15 ms late: a
    // slow database, so that requests queue behind the statements in flight on either store.
    const sql = t.desk.db.sql;
    const query = sql.query.bind(sql);
    sql.query = (async (text: string, params?: unknown[], name?: string) => {
      const start = text.trimStart().slice(0, 40);
      statements.push(start);
      const kind = /^(SELECT k\.item|WITH req AS|WITH s AS)/.exec(start)?.[1];
      if (kind) {
        lastSent.set(kind, { text, values: params ?? [] });
        await new Promise((r) => setTimeout(r, 15));
      }
      return query(text, params, name);
    }) as typeof sql.query;
  });
  afterAll(async () => {
    await t?.stop();
  });

  it.skipIf(skip)('answers each of many concurrent requests as alone, in fewer statements than requests', async () => {
    const buyers = await Promise.all(Array.from({ length: 16 }, () => freshBuyer(t, shop)));
    // Most are refunded at once; two were paid long ago (refused, commissions released).
    const orders = await Promise.all(
      buyers.map((ids, i) => newOrder(t, ids, { minutesAgo: i < 2 ? 60 * 24 * 40 : 10 }).then((orderId) => ({ ids, orderId }))),
    );
    const asks = orders.map(({ ids, orderId }, i) => ({
      orderId,
      buyerId: ids.buyer,
      reasonCode: 'changed_mind',
      idempotencyKey: `batch-${orderId}-${i}`,
    }));
    statements.length = 0;
    const responses = await Promise.all(asks.map((body) => requestRefund(t, body)));

    // Alone, each request would send three (the refused, two): together, some shared a statement.
    const hotPath = statements.filter((s) => /^(SELECT k\.item|WITH req AS|WITH s AS)/.test(s)).length;
    expect(hotPath).toBeGreaterThan(0);
    expect(hotPath).toBeLessThan((16 + 16 + 14) / 2);

    expect(responses.map((r) => r.statusCode)).toEqual(asks.map(() => 201));
    const prisma = t.desk.db.prisma;
    for (const [i, response] of responses.entries()) {
      const view = response.json();
      const ask = asks[i]!;
      expect(view.orderId).toBe(ask.orderId);
      const row = await prisma.refundRequest.findUniqueOrThrow({ where: { id: view.id }, include: { decisions: true, refunds: true } });
      expect(row.orderId).toBe(ask.orderId);
      expect(row.buyerId).toBe(ask.buyerId);
      expect(row.idempotencyKey).toBe(ask.idempotencyKey);
      expect(row.createdAt.toISOString()).toBe(view.createdAt);
      expect(row.decisions).toHaveLength(1);
      expect(row.decisions[0]!.createdAt.toISOString()).toBe(view.createdAt);
      const notices = await prisma.notification.findMany({ where: { recipientId: ask.buyerId }, orderBy: { createdAt: 'asc' } });
      const entries = await prisma.commissionEntry.findMany({ where: { refundRequestId: view.id } });
      const kinds = (beneficiary: string) =>
        entries
          .filter((e) => e.beneficiaryId === beneficiary)
          .map((e) => e.kind)
          .sort();
      if (view.outcome === 'approved') {
        expect(row.status).toBe('refunded');
        expect(row.refunds.map((r) => r.status)).toEqual(['succeeded']);
        expect(notices.map((n) => n.kind)).toEqual(['refund.decided', 'refund.succeeded']);
        expect(notices.every((n) => (n.data as { requestId: string }).requestId === view.id)).toBe(true);
        expect(kinds(shop.member)).toEqual(['frozen', 'reversed']);
        expect(kinds(shop.leader)).toEqual(['frozen', 'reversed']);
        const revoke = await prisma.outboxMessage.findMany({ where: { dedupeKey: `access.revoke:${row.refunds[0]!.id}` } });
        expect(revoke).toHaveLength(1);
      } else {
        expect(view.outcome).toBe('rejected');
        expect(row.refunds).toHaveLength(0);
        expect(notices.map((n) => n.kind)).toEqual(['refund.decided']);
        expect(kinds(shop.member)).toEqual(['frozen', 'released']);
      }
    }
    expect(responses.filter((r) => r.json().outcome === 'rejected')).toHaveLength(2);
  });

  it.skipIf(skip)('fails only the request that lost its order, when both were written in one statement', async () => {
    const orders = await Promise.all(
      Array.from({ length: 8 }, async () => {
        const ids = await freshBuyer(t, shop);
        return { ids, orderId: await newOrder(t, ids) };
      }),
    );
    // Each order asked for twice at the same moment, under two idempotency keys.
    const asks = orders.flatMap(({ ids, orderId }) =>
      [1, 2].map((n) => ({ orderId, buyerId: ids.buyer, reasonCode: 'changed_mind', idempotencyKey: `twice-${orderId}-${n}` })),
    );
    const responses = await Promise.all(asks.map((body) => requestRefund(t, body)));
    for (const { orderId } of orders) {
      const mine = responses.filter((_, i) => asks[i]!.orderId === orderId);
      expect(mine.map((r) => r.statusCode).sort()).toEqual([201, 409]);
      expect(mine.find((r) => r.statusCode === 409)!.json().error.code).toMatch(/refund_request_open|order_already_refunded/);
      const refunds = await t.desk.db.prisma.refund.findMany({ where: { orderId } });
      expect(refunds.map((r) => r.status)).toEqual(['succeeded']);
      expect(await t.desk.db.prisma.refundRequest.count({ where: { orderId } })).toBe(1);
    }
  });

  it.skipIf(skip)('takes a lone UTF-16 surrogate in a request as U+FFFD, without failing the requests written with it', async () => {
    const orders = await Promise.all(
      Array.from({ length: 6 }, async () => {
        const ids = await freshBuyer(t, shop);
        return { ids, orderId: await newOrder(t, ids) };
      }),
    );
    // The raw JSON escape: JSON.stringify would write the same for a lone surrogate in a string.
    const bodies = orders.map(
      ({ ids, orderId }, i) =>
        `{"orderId":"${orderId}","buyerId":"${ids.buyer}","reasonCode":"changed_mind","reasonText":"bad \\ud800 text",` +
        `"idempotencyKey":"lone-\\udfff-${i}"}`,
    );
    const responses = await Promise.all(
      bodies.map((payload) =>
        t.desk.server.inject({
          method: 'POST',
          url: '/v1/refund-requests',
          headers: { ...bearer, 'content-type': 'application/json' },
          payload,
        }),
      ),
    );
    expect(responses.map((r) => r.statusCode)).toEqual(bodies.map(() => 201));
    const stored = await t.desk.db.prisma.refundRequest.findUniqueOrThrow({ where: { id: responses[0]!.json().id } });
    expect(stored.reasonText).toBe('bad \ufffd text');
    expect(stored.idempotencyKey).toBe('lone-\ufffd-0');
  });

  it.skipIf(skip)("tells each beneficiary's bound Telegram chats of the freeze and the reversal, once per chat (M15)", async () => {
    const ids = await freshBuyer(t, shop);
    const prisma = t.desk.db.prisma;
    const expiresAt = new Date(Date.now() + 86_400_000);
    // The member bound two chats (one twice), the leader none; a widget binding is not a chat to write to.
    await prisma.chatToken.createMany({
      data: [
        { id: `ct_${ids.buyer}_1`, buyerId: shop.member, expiresAt, channel: 'telegram', chatId: '5001', usedAt: new Date() },
        { id: `ct_${ids.buyer}_2`, buyerId: shop.member, expiresAt, channel: 'telegram', chatId: '5001', usedAt: new Date() },
        { id: `ct_${ids.buyer}_3`, buyerId: shop.member, expiresAt, channel: 'telegram', chatId: '5002', usedAt: new Date() },
        { id: `ct_${ids.buyer}_4`, buyerId: shop.leader, expiresAt, channel: 'widget', chatId: 'w-1', usedAt: new Date() },
      ],
    });
    const orderId = await newOrder(t, ids);
    const response = await requestRefund(t, { orderId, buyerId: ids.buyer, reasonCode: 'changed_mind' });
    expect(response.statusCode).toBe(201);
    const requestId = response.json().id as string;
    const notices = await prisma.notification.findMany({ where: { recipientId: shop.member, dedupeKey: { contains: requestId } } });
    expect(notices.length).toBeGreaterThanOrEqual(2);
    const sends = await prisma.outboxMessage.findMany({ where: { topic: 'telegram.send', dedupeKey: { contains: requestId } } });
    const byChat = (chatId: string) => sends.filter((m) => (m.payload as { chatId: string }).chatId === chatId);
    expect(byChat('5001')).toHaveLength(notices.length);
    expect(byChat('5002')).toHaveLength(notices.length);
    expect(sends).toHaveLength(2 * notices.length);
    for (const notice of notices) {
      expect(byChat('5001').some((m) => (m.payload as { text: string }).text === `${notice.title}\n${notice.body}`)).toBe(true);
    }
    await prisma.chatToken.deleteMany({ where: { id: { startsWith: `ct_${ids.buyer}_` } } });
  });

  // A prepared statement's generic plan is made once per connection from the statistics of that
  // moment; on a young database (never analysed) it once read every refund request of the year for
  // each request (the createdAt index), or hashed a whole table. Each lookup must go by its subject's index.
  it.skipIf(skip || store !== 'postgres')('plans each hot-path statement by index lookups on a young database', async () => {
    expect([...lastSent.keys()].sort()).toEqual(['SELECT k.item', 'WITH req AS', 'WITH s AS']);
    // No JIT: it compiled the batched read on every execution once its estimate passed jit_above_cost.
    expect(await t.desk.db.sql.query('SHOW jit')).toEqual([{ jit: 'off' }]);
    for (const [kind, { text }] of lastSent) {
      const plan = await t.desk.db.sql.transaction(async (tx) => {
        await tx.query('SET LOCAL plan_cache_mode = force_generic_plan');
        await tx.query(`PREPARE hot_path_plan AS ${text}`);
        const types = await tx.query<{ n: number }>(
          `SELECT cardinality(parameter_types) AS n FROM pg_prepared_statements WHERE name = 'hot_path_plan'`,
        );
        const nulls = Array.from({ length: types[0]!.n }, () => 'NULL').join(', ');
        const rows = await tx.query<{ 'QUERY PLAN': string }>(`EXPLAIN EXECUTE hot_path_plan(${nulls})`);
        await tx.query('DEALLOCATE hot_path_plan');
        return rows.map((r) => r['QUERY PLAN']).join('\n');
      });
      expect(plan, kind).not.toMatch(/Seq Scan on (refund_requests|orders|refunds|fingerprints|buyers)\b/);
      expect(plan, kind).not.toMatch(/refund_requests_createdAt_idx|Seq Scan on chat_tokens/);
      // The settlement may read the pending refunds by status and match them to its own: pending
      // refunds are the ones in flight, few by nature; any other status must not be read.
      for (const line of plan.split('\n').filter((l) => l.includes('refunds_status_updatedAt_idx'))) {
        expect(plan.slice(plan.indexOf(line)).split('\n')[1], kind).toMatch(/Index Cond: \(status = 'pending'/);
      }
    }
  });
});
