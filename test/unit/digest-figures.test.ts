// The merchant report's figures against a period computed by hand (M9, M17, M27, M30).
import { describe, expect, it } from 'vitest';
import { satisfactionOf } from '../../src/digests/satisfaction-figures.ts';
import { figuresOf, type PeriodData } from '../../src/digests/report.ts';
import { commonPhrase, findThemes } from '../../src/digests/themes.ts';

const paid = new Date('2026-11-20T02:00:00Z');
const after = (minutes: number) => new Date(paid.getTime() + minutes * 60_000);
type Req = PeriodData['requests'][number];
const req = (p: Partial<Req> & Pick<Req, 'id' | 'productId'>): Req => ({
  status: 'refunded',
  outcome: 'approved',
  reasonCode: 'other',
  reasonText: null,
  createdAt: after(10),
  paidAt: paid,
  orderAmountMinor: 9900,
  refundedMinor: 0,
  usage: {},
  human: false,
  ...p,
});

/** Ten orders (six of the course at ¥99, four of the template pack at ¥29) and six requests. */
export const PERIOD: PeriodData = {
  products: [
    { id: 'p1', title: '《PPT大师进阶课》' },
    { id: 'p2', title: '商务PPT模板包' },
  ],
  orders: [
    ...Array.from({ length: 6 }, (_, i) => ({ id: `o1_${i}`, productId: 'p1', amountMinor: 9900 })),
    ...Array.from({ length: 4 }, (_, i) => ({ id: `o2_${i}`, productId: 'p2', amountMinor: 2900 })),
  ],
  requests: [
    req({
      id: 'r1',
      productId: 'p1',
      reasonCode: 'changed_mind',
      reasonText: '冲动消费了，不想要了',
      createdAt: after(10),
      refundedMinor: 9900,
      usage: { courseProgress: 0 },
    }),
    req({
      id: 'r2',
      productId: 'p1',
      status: 'rejected',
      outcome: 'rejected',
      reasonCode: 'unsatisfied',
      reasonText: '视频内容太简单了',
      createdAt: after(120),
      usage: { courseProgress: 0.2 },
      human: true,
    }),
    req({
      id: 'r3',
      productId: 'p1',
      status: 'rejected',
      outcome: 'rejected',
      reasonCode: 'unsatisfied',
      reasonText: '内容太简单，和介绍不一样',
      createdAt: after(4320),
      usage: { courseProgress: 0.5 },
    }),
    req({
      id: 'r4',
      productId: 'p1',
      reasonCode: 'unsatisfied',
      reasonText: '内容太简单了，不值这个价',
      createdAt: after(30),
      refundedMinor: 9900,
      usage: { courseProgress: 0.05 },
      human: true,
    }),
    req({
      id: 'r5',
      productId: 'p2',
      status: 'cancelled',
      outcome: 'troubleshoot',
      reasonCode: 'cannot_use',
      reasonText: '模板打不开 下载后打不开',
      createdAt: after(2880),
      orderAmountMinor: 2900,
      usage: { fileDownloaded: true },
    }),
    req({
      id: 'r6',
      productId: 'p2',
      reasonCode: 'changed_mind',
      reasonText: 'I bought the wrong template',
      createdAt: after(5),
      orderAmountMinor: 2900,
      refundedMinor: 2900,
    }),
  ],
};

describe('figuresOf', () => {
  it('matches the hand-computed period', () => {
    expect(figuresOf(PERIOD)).toEqual({
      orders: 10,
      salesMinor: 71_000,
      requests: 6,
      refunded: 3,
      refundedMinor: 22_700,
      refundRate: 0.3,
      byReason: [
        { reason: 'changed_mind', requests: 2, refunded: 2, refundedMinor: 12_800 },
        { reason: 'unsatisfied', requests: 3, refunded: 1, refundedMinor: 9_900 },
        { reason: 'cannot_use', requests: 1, refunded: 0, refundedMinor: 0 },
      ],
      byProduct: [
        // "Unsatisfied" is 3 of the course's 4 requests against 0 of the template pack's: it stands out (M9).
        {
          productId: 'p1',
          title: '《PPT大师进阶课》',
          orders: 6,
          requests: 4,
          refunded: 2,
          refundedMinor: 19_800,
          unsatisfied: 3,
          unsatisfiedShare: 0.75,
          standsOut: true,
        },
        {
          productId: 'p2',
          title: '商务PPT模板包',
          orders: 4,
          requests: 2,
          refunded: 1,
          refundedMinor: 2_900,
          unsatisfied: 0,
          unsatisfiedShare: 0,
          standsOut: false,
        },
      ],
      themes: [{ label: '内容太简单', count: 3, quotes: ['视频内容太简单了', '内容太简单，和介绍不一样', '内容太简单了，不值这个价'] }],
      behaviour: {
        minutesAfterPurchase: { median: 30, p90: 4320 },
        within15m: 2,
        within24h: 2,
        within7d: 2,
        later: 0,
        courseProgressMedian: 0.05,
        usedBeforeRequest: 4,
      },
      troubleshooting: { guided: 1, solved: 1, escalated: 0, avoidedMinor: 2_900 },
      automation: { closed: 6, withoutHuman: 4, share: 0.6667 },
      satisfaction: {
        asked: 0,
        rated: 0,
        average: null,
        byOutcome: [],
        byHandling: { automated: { rated: 0, average: null }, human: { rated: 0, average: null } },
      },
    });
  });

  it('reports an empty period without dividing by zero', () => {
    const f = figuresOf({ orders: [], products: [], requests: [] });
    expect(f).toMatchObject({
      orders: 0,
      requests: 0,
      refundRate: null,
      themes: [],
      automation: { closed: 0, share: null },
      behaviour: { minutesAfterPurchase: null, courseProgressMedian: null },
    });
  });
});

describe('themes', () => {
  it('groups English reasons by shared words and quotes them', () => {
    const themes = findThemes([
      "The video won't play on my phone",
      'video keeps buffering, cannot play',
      'Wrong template bought',
      'video will not play at all',
    ]);
    expect(themes[0]).toMatchObject({
      count: 3,
      quotes: ["The video won't play on my phone", 'video keeps buffering, cannot play', 'video will not play at all'],
    });
    expect(themes[0]!.label).toContain('video');
  });

  it('names a theme by the phrase all its reasons share', () => {
    expect(commonPhrase(['视频内容太简单了', '内容太简单，和介绍不一样'])).toBe('内容太简单');
    expect(commonPhrase(['abc', 'xyz'])).toBeNull();
  });
});

describe('renderDigest', () => {
  it("speaks the merchant's language and flags the product that stands out", async () => {
    const { renderDigest } = await import('../../src/digests/digest.ts');
    const figures = figuresOf(PERIOD);
    const previous = figuresOf({ orders: PERIOD.orders.slice(0, 5), products: PERIOD.products, requests: PERIOD.requests.slice(0, 1) });
    const report = {
      merchantId: 'm',
      period: { from: '', to: '' },
      previousPeriod: { from: '', to: '' },
      figures,
      previous,
      change: { requests: 5, refunded: 2, refundedMinor: 12_800, refundRate: 0.1 },
    };
    const en = renderDigest({
      merchantName: 'Template Hub',
      currency: 'USD',
      locale: 'en',
      period: 'week',
      label: '2026-11-16 – 2026-11-22',
      report,
    });
    expect(en.subject).toBe('Template Hub: weekly refund reasons (2026-11-16 – 2026-11-22)');
    expect(en.html).toContain('Refund rate');
    expect(en.html).toContain('30.0%');
    expect(en.html).toContain('+10.0 pt');
    expect(en.html).toContain('⚠ well above your other products');
    expect(en.short).toContain('Refund requests 6 (+5)');
    expect(en.chartPng.subarray(1, 4).toString()).toBe('PNG');
    const zh = renderDigest({ merchantName: '示范店', currency: 'CNY', locale: 'zh', period: 'day', label: '2026-11-24', report });
    expect(zh.subject).toBe('【示范店】退款原因日报（2026-11-24）');
    expect(zh.html).toContain('明显高于其他商品');
    expect(zh.text).toContain('内容太简单 (3)');
  });
});

describe('satisfaction in the period (issue 22)', () => {
  const RATINGS = [
    { outcome: 'refunded', handledBy: 'automated', score: 5 },
    { outcome: 'refunded', handledBy: 'human', score: 4 },
    { outcome: 'refused', handledBy: 'automated', score: 1 },
    { outcome: 'refused', handledBy: 'human', score: 3 },
    { outcome: 'guide_solved', handledBy: 'automated', score: 5 },
    // Asked, not answered: counted as asked only.
    { outcome: 'agent_resolved', handledBy: 'human', score: null },
  ];

  it('averages the ratings by outcome and by automated vs human handling', () => {
    expect(satisfactionOf(RATINGS)).toEqual({
      asked: 6,
      rated: 5,
      average: 3.6,
      byOutcome: [
        { outcome: 'refunded', rated: 2, average: 4.5 },
        { outcome: 'refused', rated: 2, average: 2 },
        { outcome: 'guide_solved', rated: 1, average: 5 },
        { outcome: 'agent_resolved', rated: 0, average: null },
      ],
      byHandling: { automated: { rated: 3, average: 3.67 }, human: { rated: 2, average: 3.5 } },
    });
    expect(figuresOf({ ...PERIOD, ratings: RATINGS }).satisfaction.average).toBe(3.6);
  });

  it("shows it in the digest in the merchant's language, and leaves it out with no rating", async () => {
    const { renderDigest } = await import('../../src/digests/digest.ts');
    const figures = figuresOf({ ...PERIOD, ratings: RATINGS });
    const report = {
      merchantId: 'm',
      period: { from: '', to: '' },
      previousPeriod: { from: '', to: '' },
      figures,
      previous: figuresOf(PERIOD),
      change: { requests: 0, refunded: 0, refundedMinor: 0, refundRate: 0 },
    };
    const en = renderDigest({ merchantName: 'Template Hub', currency: 'USD', locale: 'en', period: 'week', label: 'w', report });
    expect(en.short).toContain('Buyer satisfaction: 3.6/5 (5 ratings) · automated 3.7/5 (3) · by a person 3.5/5 (2)');
    expect(en.short).toContain('refunded 4.5/5 (2) · refused 2.0/5 (2) · solved by a guide 5.0/5 (1)');
    expect(en.html).toContain('Buyer satisfaction');
    const zh = renderDigest({ merchantName: '示范店', currency: 'CNY', locale: 'zh', period: 'day', label: 'd', report });
    expect(zh.short).toContain('买家满意度: 3.6/5 (5 条评价) · 自动处理 3.7/5 (3) · 人工处理 3.5/5 (2)');
    const none = renderDigest({
      merchantName: 'Template Hub',
      currency: 'USD',
      locale: 'en',
      period: 'week',
      label: 'w',
      report: { ...report, figures: figuresOf(PERIOD) },
    });
    expect(none.short).not.toContain('satisfaction');
    expect(none.html).not.toContain('Buyer satisfaction');
  });
});
