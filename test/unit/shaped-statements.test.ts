// The hot path's two writes keep the text first built for each shape (shapedStatement): a request
// sends the values it built with a text built for another request of the same shape. That is right
// only if a text follows from its shape alone, every value a parameter; these tests build every
// shape with two sets of values (of different lengths: a value written into the text instead of a
// parameter would change the text's length, which shapedStatement refuses) and check each
// statement's placeholders against its own values.
import { describe, expect, it } from 'vitest';
import type { LedgerChange } from '../../src/commission/index.ts';
import { insertDecisionStatement, refundSucceededStatement, type DecisionRows } from '../../src/refunds/refund-store.ts';
import { batchedSelect, SqlParams, shapedStatement } from '../../src/store/index.ts';

/** The highest $n in a text: the parameters it expects. */
const placeholders = (text: string) => Math.max(0, ...[...text.matchAll(/\$(\d+)/g)].map((m) => Number(m[1])));

const change = (variant: number, tag: string): LedgerChange => ({
  entries:
    variant & 1
      ? ([
          {
            orderId: `o_${tag}`,
            beneficiaryId: 'b_up',
            level: 1,
            kind: 'frozen',
            amountMinor: 100,
            balanceDeltaMinor: 0,
            currency: 'CNY',
            refundRequestId: `rr_${tag}`,
            reason: tag,
            dedupeKey: `k_${tag}`,
          },
        ] as LedgerChange['entries'])
      : [],
  notices:
    variant & 2
      ? ([
          { recipientId: 'b_up', kind: 'commission.frozen', locale: 'zh', title: tag, body: tag, data: {}, dedupeKey: `n_${tag}` },
        ] as unknown as LedgerChange['notices'])
      : [],
  callbacks:
    variant & 4 ? ([{ topic: 'platform.callback', payload: { tag }, dedupeKey: `c_${tag}` }] as unknown as LedgerChange['callbacks']) : [],
});

function rows(parts: number, ledger: number, tag: string): DecisionRows {
  return {
    now: new Date(tag === 'a' ? '2026-12-07T10:00:00Z' : '2026-12-08T11:30:00Z'),
    request: {
      id: `rr_${tag}`,
      orderId: `o_${tag}`,
      productId: 'p_1',
      buyerId: `b_${tag}`,
      status: 'refund_pending',
      outcome: 'approved',
      reasonCode: 'changed_mind',
      reasonText: tag === 'a' ? null : 'changed my mind',
      channel: 'api',
      deviceId: parts & 1 ? `d_${tag}` : null,
      ip: null,
      idempotencyKey: tag === 'a' ? null : 'key',
      activeOrderKey: `o_${tag}`,
      policyId: 'course',
      policyVersion: 1,
      closedAt: tag === 'a' ? null : new Date(),
    },
    decision: { id: `dc_${tag}`, decidedBy: 'window.unconditional', facts: { tag }, rules: [], explanationZh: tag, explanationEn: tag },
    fingerprintId: parts & 1 ? `fp_${tag}` : null,
    refund: parts & 2 ? { id: `rf_${tag}`, amountMinor: 9900, currency: 'CNY', paymentMethod: 'wechat', transactionId: `wx_${tag}` } : null,
    handoff: parts & 4 ? { id: `ho_${tag}`, kind: 'policy_review', reason: tag } : null,
    notice: {
      id: `ntf_${tag}`,
      kind: 'refund.decided',
      locale: 'zh',
      title: tag,
      body: tag,
      data: {},
      dedupeKey: `refund.decided:rr_${tag}`,
    },
    commissions: change(ledger, tag),
    riskSignals: parts & 8 ? [{ id: `rs_${tag}`, kind: 'velocity.device', action: 'review', evidence: { tag } }] : [],
  };
}

describe('shaped hot-path statements', () => {
  it('keeps the first text of a shape, and refuses a text of another length under it', () => {
    const first = shapedStatement('test:shape', 'SELECT $1::text');
    expect(shapedStatement('test:shape', 'SELECT $2::text')).toBe(first);
    expect(first.text).toBe('SELECT $1::text');
    expect(() => shapedStatement('test:shape', 'SELECT $10::text')).toThrow(/two different texts/);
    // Keyed by an object (the risk assessor whose fragment fixes the context read): one text per object.
    const [one, other] = [{}, {}];
    expect(shapedStatement(one, 'SELECT $1::int').text).toBe('SELECT $1::int');
    expect(shapedStatement(one, 'SELECT $2::int').text).toBe('SELECT $1::int');
    expect(shapedStatement(other, 'SELECT 2, $1::int').text).toBe('SELECT 2, $1::int');
    expect(() => shapedStatement(one, 'SELECT 22, $1::int')).toThrow(/two different texts/);
  });

  it('builds every shape of the decided insert with its parameters matching its values, whatever the values', () => {
    const names = new Set<string>();
    for (let parts = 0; parts < 16; parts += 1)
      for (let ledger = 0; ledger < 8; ledger += 1) {
        const a = insertDecisionStatement([rows(parts, ledger, 'a')]);
        // A batch of several requests of the shape is the same statement with longer arrays.
        const b = insertDecisionStatement([rows(parts, ledger, 'second'), rows(parts, ledger, 'third')]);
        expect(b.text).toBe(a.text);
        expect(b.name).toBe(a.name);
        expect(placeholders(a.text)).toBe(a.values.length);
        expect(placeholders(b.text)).toBe(b.values.length);
        expect(b.values).not.toEqual(a.values);
        names.add(a.name);
      }
    // Each shape is its own statement.
    expect(names.size).toBe(16 * 8);
  });

  it('writes a batch of requests of different shapes with the statement of their union', () => {
    const mixed = insertDecisionStatement([rows(1, 0, 'a'), rows(2, 1, 'b')]);
    const union = insertDecisionStatement([rows(3, 1, 'c')]);
    expect(mixed.name).toBe(union.name);
    expect(placeholders(mixed.text)).toBe(mixed.values.length);
    // Each request's rows carry its own ids and times.
    const requests = JSON.parse(mixed.values[0] as string) as Array<{ id: string; createdAt: string }>;
    expect(requests.map((r) => [r.id, r.createdAt])).toEqual([
      ['rr_a', '2026-12-07T10:00:00.000Z'],
      ['rr_b', '2026-12-08T11:30:00.000Z'],
    ]);
  });

  it('builds every shape of the settlement the same way', () => {
    for (let ledger = 0; ledger < 8; ledger += 1) {
      const build = (tag: string) =>
        refundSucceededStatement([
          {
            now: new Date(),
            refundId: `rf_${tag}`,
            gatewayRef: `g_${tag}`,
            requestId: `rr_${tag}`,
            buyerId: `b_${tag}`,
            notice: { id: `ntf_${tag}`, kind: 'refund.succeeded', locale: 'en', title: tag, body: tag, data: {}, dedupeKey: `s_${tag}` },
            outbox: { id: `obx_${tag}`, topic: 'platform.callback', payload: { tag }, dedupeKey: `r_${tag}` },
            commissions: change(ledger, tag),
          },
        ]);
      const a = build('a');
      const b = build('second');
      expect(b.text).toBe(a.text);
      expect(placeholders(b.text)).toBe(b.values.length);
    }
  });

  it('runs a SELECT for several items as one statement whose text does not depend on how many', () => {
    const build = (id: string, since: Date, filter: unknown) => {
      const p = new SqlParams();
      const text = `SELECT o.id FROM orders o WHERE o.id = ${p.add(id, 'text')} AND o."paidAt" >= ${p.utc(since)} AND o.meta @> ${p.json(filter)}`;
      return { text, types: p.types, values: p.values };
    };
    const a = build('o_1', new Date('2026-12-01T00:00:00Z'), { vip: true });
    const b = build('o_22', new Date('2026-12-02T00:00:00Z'), null);
    const one = batchedSelect(a, [a.values], 1);
    const two = batchedSelect(a, [a.values, b.values], 1);
    expect(two.text).toBe(one.text);
    expect(two.text).toContain('AS k(item int, p1 text, p2 timestamptz, p3 jsonb)');
    expect(two.text).toContain('o.id = k.p1::text AND o."paidAt" >= (k.p2::timestamptz AT TIME ZONE \'UTC\') AND o.meta @> k.p3::jsonb');
    expect(two.text).not.toMatch(/\$[2-9]/);
    expect(two.values).toHaveLength(1);
    // Each item's values as a row, a jsonb value as itself (not its text).
    expect(JSON.parse(two.values[0] as string)).toEqual([
      { item: 0, p1: 'o_1', p2: '2026-12-01T00:00:00.000Z', p3: { vip: true } },
      { item: 1, p1: 'o_22', p2: '2026-12-02T00:00:00.000Z', p3: null },
    ]);
  });
});
