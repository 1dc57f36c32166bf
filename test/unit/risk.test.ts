import { describe, expect, it } from 'vitest';
import { linkBetween, ringFromLinks, type AccountTraits } from '../../src/risk/links.ts';
import { findSpikes } from '../../src/risk/refund-monitor.ts';
import { DEFAULT_RISK_THRESHOLDS as T, evaluateRisk, type PastRequest, type RiskEvidence } from '../../src/risk/risk-rules.ts';

const HOUR = 3_600_000;
const acct = (buyerId: string, over: Partial<AccountTraits> = {}): AccountTraits => ({
  buyerId,
  uplineId: null,
  phone: null,
  payerAccounts: [],
  devices: [],
  ips: [],
  ...over,
});
const ipAt = (ip: string, atMs: number) => ({ ip, atMs });
const linked = (x: AccountTraits, y: AccountTraits) => linkBetween(x, y, HOUR).weight >= 0.6;
/** The requester's ring among the candidates, every pair compared (the service gets the pairs from the database). */
const findRing = (requester: AccountTraits, candidates: AccountTraits[], o: { ipWindowMs: number; minAccounts: number }) => {
  const all = [requester, ...candidates];
  const links = all.flatMap((x, i) => all.slice(i + 1).map((y) => linkBetween(x, y, o.ipWindowMs)));
  return ringFromLinks(requester.buyerId, links, o.minAccounts);
};

describe('account links (M12)', () => {
  it('links by a hard tie alone: the same paying account or phone', () => {
    expect(linked(acct('a', { payerAccounts: ['wx_p1'] }), acct('b', { payerAccounts: ['wx_p1'] }))).toBe(true);
    expect(linkBetween(acct('a', { phone: '+86 138' }), acct('b', { phone: '+86 138' }), HOUR).reasons).toEqual(['same phone number']);
  });

  it('links by a shared device, but not by a shared IP alone (families, offices)', () => {
    expect(linked(acct('a', { devices: ['d1'] }), acct('b', { devices: ['d1'] }))).toBe(true);
    expect(linked(acct('a', { ips: [ipAt('1.2.3.4', 0)] }), acct('b', { ips: [ipAt('1.2.3.4', 10 * 60_000)] }))).toBe(false);
  });

  it('lets a shared upline strengthen a soft link, never link by itself', () => {
    expect(linked(acct('a', { uplineId: 'lead' }), acct('b', { uplineId: 'lead' }))).toBe(false);
    const ipAndUpline = linkBetween(
      acct('a', { uplineId: 'lead', ips: [ipAt('1.2.3.4', 0)] }),
      acct('b', { uplineId: 'lead', ips: [ipAt('1.2.3.4', 5 * 60_000)] }),
      HOUR,
    );
    expect(ipAndUpline.weight).toBeCloseTo(0.7);
    expect(ipAndUpline.reasons).toEqual(['same IP 1.2.3.4 within 60 min', 'same upline lead']);
  });

  it('ignores an IP shared outside the window', () => {
    expect(
      linkBetween(
        acct('a', { uplineId: 'l', ips: [ipAt('1.2.3.4', 0)] }),
        acct('b', { uplineId: 'l', ips: [ipAt('1.2.3.4', 2 * HOUR)] }),
        HOUR,
      ).weight,
    ).toBe(0);
  });

  it('finds a ring through chained links, and none below the minimum', () => {
    const a = acct('a', { devices: ['d1'] });
    const b = acct('b', { devices: ['d1'], payerAccounts: ['p'] });
    const c = acct('c', { payerAccounts: ['p'] });
    const d = acct('d', { devices: ['d9'] });
    const ring = findRing(a, [b, c, d], { ipWindowMs: HOUR, minAccounts: 3 });
    expect(ring?.accounts).toEqual(['a', 'b', 'c']);
    expect(ring?.links.map((l) => l.reasons[0])).toEqual(['same device d1', 'same paying account p']);
    expect(findRing(a, [b, d], { ipWindowMs: HOUR, minAccounts: 3 })).toBeNull();
  });
});

describe('risk rules, in order (M11)', () => {
  const past = (n: number, buyers = 1): PastRequest[] =>
    Array.from({ length: n }, (_, i) => ({ requestId: `rr_${i}`, orderId: `o_${i}`, buyerId: `b_${i % buyers}` }));
  const evidence = (over: Partial<RiskEvidence> = {}): RiskEvidence => ({
    buyerId: 'b_x',
    orderId: 'o_now',
    productId: 'p',
    device: null,
    ip: null,
    ring: null,
    ...over,
  });

  it('allows with no evidence', () => {
    expect(evaluateRisk(evidence(), T)).toEqual({ action: 'allow', signals: [] });
  });

  it('reviews at the device threshold and blocks at the block threshold, counting distinct orders with this one', () => {
    expect(evaluateRisk(evidence({ device: { id: 'd', earlier: past(T.deviceRefundsReview - 2) } }), T).action).toBe('allow');
    const review = evaluateRisk(evidence({ device: { id: 'd', earlier: past(T.deviceRefundsReview - 1) } }), T);
    expect(review.signals.map((s) => s.kind)).toEqual(['velocity.device']);
    expect(review.signals[0]!.evidence).toMatchObject({ deviceId: 'd', window: '24 h', orders: expect.arrayContaining(['o_0', 'o_now']) });
    expect(evaluateRisk(evidence({ device: { id: 'd', earlier: past(T.deviceRefundsBlock - 1) } }), T).action).toBe('block');
    // Two requests about one order are one buy-then-refund.
    const sameOrder = past(5).map((r) => ({ ...r, orderId: 'o_now' }));
    expect(evaluateRisk(evidence({ device: { id: 'd', earlier: sameOrder } }), T).action).toBe('allow');
  });

  it('reviews many accounts on one device, and IP velocity at its higher thresholds', () => {
    expect(
      evaluateRisk(
        evidence({
          device: {
            id: 'd',
            earlier: [
              { requestId: 'r1', orderId: 'o1', buyerId: 'b1' },
              { requestId: 'r2', orderId: 'o2', buyerId: 'b2' },
            ],
          },
        }),
        T,
      ).signals.map((s) => s.kind),
    ).toEqual(['velocity.device.accounts']);
    expect(
      evaluateRisk(evidence({ ip: { address: '1.2.3.4', earlier: past(T.ipRefundsReview - 1, 9) } }), T).signals.map((s) => s.kind),
    ).toEqual(['velocity.ip']);
    expect(evaluateRisk(evidence({ ip: { address: '1.2.3.4', earlier: past(T.ipRefundsBlock - 1, 9) } }), T).action).toBe('block');
  });

  it('lists blocking signals first, then the ring, then the other reviews', () => {
    const result = evaluateRisk(
      evidence({
        device: { id: 'd', earlier: past(T.deviceRefundsBlock, 3) },
        ring: { accounts: ['a', 'b', 'b_x'], links: [], requests: [] },
      }),
      T,
    );
    expect(result.action).toBe('block');
    expect(result.signals.map((s) => s.kind)).toEqual(['velocity.device.block', 'ring', 'velocity.device.accounts']);
  });
});

describe('refund spikes (M17)', () => {
  const row = (productId: string, recent: number, trailing: number, merchantId = 'm') => ({
    productId,
    merchantId,
    recent,
    trailing,
    ordersRecent: 20,
  });
  it('alerts when the last hour is 5× the hourly baseline and at least the minimum', () => {
    expect(findSpikes([row('p1', 12, 24)], T).map((s) => [s.kind, s.subjectId, s.baselinePerHour, s.refundRate])).toEqual([
      ['spike.product', 'p1', 1, 0.6],
      ['spike.merchant', 'm', 1, 0.6],
    ]);
    expect(findSpikes([row('p1', 9, 0)], T)).toEqual([]); // below the minimum
    expect(findSpikes([row('p1', 12, 240)], T)).toEqual([]); // 12 is the usual 10 an hour, not a spike
  });

  it('sees a merchant-wide spike that no single product shows', () => {
    const spikes = findSpikes([row('p1', 6, 0), row('p2', 6, 0)], T);
    expect(spikes.map((s) => s.kind)).toEqual(['spike.merchant']);
    expect(spikes[0]!.recent).toBe(12);
  });
});
