// M19: the same case gets the same decision, every time — and decisions respect the policy's bounds.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { PRODUCT_CATEGORIES, REASON_CODES } from '../../../src/domain/catalog.ts';
import { decide, PRESETS, TRUST_TIERS, type DecisionFacts } from '../../../src/policy/index.ts';

const NOW = Date.parse('2026-11-25T10:00:00Z');

const factsArb: fc.Arbitrary<DecisionFacts> = fc.record({
  now: fc.constant(new Date(NOW).toISOString()),
  order: fc.record({
    id: fc.constant('o_1'),
    amountMinor: fc.integer({ min: 1, max: 1_000_000 }),
    currency: fc.constant('CNY'),
    paidAt: fc.integer({ min: 0, max: 5 * 24 * 60 }).map((m) => new Date(NOW - m * 60_000).toISOString()),
    paymentMethod: fc.constantFrom('wechat', 'alipay', 'card', 'sandbox' as const),
    alreadyRefundedMinor: fc.constant(0),
  }),
  product: fc.record({ id: fc.constant('p_1'), title: fc.constant('T'), category: fc.constantFrom(...PRODUCT_CATEGORIES) }),
  reason: fc.record({ code: fc.constantFrom(...REASON_CODES) }),
  usage: fc.record({
    courseProgress: fc.option(fc.double({ min: 0, max: 1, noNaN: true }), { nil: null }),
    keyRevealed: fc.boolean(),
    keyCopied: fc.boolean(),
    keyActivated: fc.boolean(),
    fileDownloaded: fc.boolean(),
    membershipActivated: fc.boolean(),
    softwareLogin: fc.boolean(),
    liveCheck: fc.constantFrom(
      { status: 'ok' as const },
      { status: 'failed' as const, detail: 'timeout' },
      { status: 'not_configured' as const },
    ),
  }),
  buyer: fc.record({
    id: fc.constant('b_1'),
    tier: fc.constantFrom(...TRUST_TIERS),
    autoRefunds30d: fc.record({ count: fc.integer({ min: 0, max: 20 }), amountMinor: fc.integer({ min: 0, max: 500_000 }) }),
  }),
  risk: fc.constantFrom(
    { action: 'allow' as const, signals: [] },
    { action: 'review' as const, signals: [{ kind: 'ring', action: 'review' as const, detail: 'x' }] },
    { action: 'block' as const, signals: [{ kind: 'velocity', action: 'block' as const, detail: 'x' }] },
  ),
  troubleshootingTried: fc.boolean(),
  refundRoute: fc.constantFrom(
    { rail: 'sandbox', detail: 'refunded by sandbox' },
    { rail: null, detail: 'no refund rail for this method' },
  ),
});

const policyOf = (f: DecisionFacts) => PRESETS[f.product.category];

describe('policy properties', () => {
  it('gives the same decision for the same facts, also after a JSON round trip (stored and replayed)', () => {
    fc.assert(
      fc.property(factsArb, (f) => {
        const first = decide(policyOf(f), f);
        expect(decide(policyOf(f), structuredClone(f))).toEqual(first);
        expect(decide(policyOf(f), JSON.parse(JSON.stringify(f)) as DecisionFacts)).toEqual(first);
      }),
      { numRuns: 500 },
    );
  });

  it('never approves against a lock, a risk rule, a restricted buyer, a missing rail, or outside the windows, and never refunds more than was paid', () => {
    fc.assert(
      fc.property(factsArb, (f) => {
        const policy = policyOf(f);
        const d = decide(policy, f);
        expect(d.refundAmountMinor).toBeLessThanOrEqual(f.order.amountMinor - f.order.alreadyRefundedMinor);
        if (d.outcome !== 'approved') {
          expect(d.refundAmountMinor).toBe(0);
          return;
        }
        expect(f.risk.action).toBe('allow');
        expect(d.rules.filter((r) => r.id.startsWith('lock.')).every((r) => r.result === 'pass')).toBe(true);
        const ageMin = (NOW - Date.parse(f.order.paidAt)) / 60_000;
        expect(ageMin).toBeLessThanOrEqual(policy.windows.conditionalHours * 60);
        expect(f.buyer.tier).not.toBe('restricted');
        expect(f.refundRoute.rail).not.toBeNull();
        if (ageMin > policy.windows.unconditionalMinutes) {
          // The allowance governs the conditional window only (M1: the cooling-off window is unconditional).
          const allowance = policy.allowances[f.buyer.tier as Exclude<typeof f.buyer.tier, 'restricted'>];
          expect(f.buyer.autoRefunds30d.count).toBeLessThan(allowance.maxCount);
          if (allowance.maxAmountMinor !== null) expect(f.buyer.autoRefunds30d.amountMinor).toBeLessThan(allowance.maxAmountMinor);
          if (f.reason.code === 'cannot_use') expect(f.troubleshootingTried).toBe(true);
        }
      }),
      { numRuns: 1000 },
    );
  });

  it('always explains itself in both languages, and offers the appeal with every rejection', () => {
    fc.assert(
      fc.property(factsArb, (f) => {
        const d = decide(policyOf(f), f);
        expect(d.explanation.zh.length).toBeGreaterThan(10);
        expect(d.explanation.en.length).toBeGreaterThan(10);
        expect(d.explanation.zh).toMatch(/[\u4e00-\u9fff]/);
        expect(d.appealOffered).toBe(d.outcome === 'rejected');
        expect(d.rules.some((r) => r.id === d.decidedBy)).toBe(true);
        // A person takes every review at once; every refusal either opens a ticket (M22) or offers the appeal (M3).
        if (d.outcome === 'review') expect(d.handoff?.when).toBe('now');
        if (d.outcome === 'rejected') expect(d.handoff?.kind).toBe('appeal');
        if (d.outcome === 'approved' || d.outcome === 'troubleshoot') expect(d.handoff).toBeNull();
      }),
      { numRuns: 300 },
    );
  });

  it('does not depend on anything but the facts: a later clock changes nothing until the facts say so', () => {
    fc.assert(
      fc.property(factsArb, fc.integer({ min: 1, max: 10_000 }), (f, delayMs) => {
        const d1 = decide(policyOf(f), f);
        const start = Date.now();
        while (Date.now() - start < Math.min(delayMs, 2)) {
          /* let the wall clock move */
        }
        expect(decide(policyOf(f), f)).toEqual(d1);
      }),
      { numRuns: 50 },
    );
  });
});
