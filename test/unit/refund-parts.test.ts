import { describe, expect, it } from 'vitest';
import { JobRunner } from '../../src/jobs/job-runner.ts';
import { createLogger } from '../../src/logger.ts';
import { backoffMs } from '../../src/outbox/outbox.ts';
import { TransientGatewayError, type PaymentGateway, type RefundCall } from '../../src/payments/payment-gateway.ts';
import { backoffAfter, refundWithRetries } from '../../src/payments/refund-with-retries.ts';
import { SandboxGateway } from '../../src/payments/sandbox-gateway.ts';
import { tierOf } from '../../src/risk/buyer-profile.ts';
import { summarizeUsage } from '../../src/usage/usage-facts.ts';

const call = (over: Partial<RefundCall> = {}): RefundCall => ({
  refundId: 'rf_1',
  orderId: 'o_1',
  method: 'wechat',
  transactionId: 'wx_1',
  amountMinor: 9900,
  totalMinor: 9900,
  currency: 'CNY',
  paidAt: '2026-11-25T00:00:00.000Z',
  ...over,
});
const signal = () => AbortSignal.timeout(1_000);

describe('trust tiers (M8) at their boundaries', () => {
  const base = {
    accountAgeDays: 200,
    orders365d: 5,
    refunds30d: { count: 0, amountMinor: 0 },
    refunds365d: { count: 0, amountMinor: 0 },
    refundRate365d: 0,
    appeals365d: { count: 0, resolved: 0 },
    blockSignals30d: 0,
  };
  it.each([
    [{}, 'trusted'],
    [{ accountAgeDays: 179 }, 'standard'],
    [{ orders365d: 4 }, 'standard'],
    [{ refundRate365d: 0.1 }, 'trusted'],
    [{ refundRate365d: 0.11 }, 'standard'],
    [{ accountAgeDays: 6 }, 'new'],
    [{ accountAgeDays: 7, orders365d: 2 }, 'standard'],
    [{ orders365d: 1 }, 'standard'],
    [{ refunds365d: { count: 3, amountMinor: 1 }, refundRate365d: 0.6 }, 'restricted'],
    [{ refunds365d: { count: 3, amountMinor: 1 }, refundRate365d: 0.5 }, 'standard'],
    [{ refunds365d: { count: 2, amountMinor: 1 }, refundRate365d: 1 }, 'standard'],
    [{ blockSignals30d: 1 }, 'restricted'],
  ] as const)('%j → %s', (over, tier) => {
    expect(tierOf({ ...base, ...over })).toBe(tier);
  });
});

describe('usage summary', () => {
  it('keeps the highest progress and infers that a copied or activated key was revealed', () => {
    const facts = summarizeUsage(
      [
        { kind: 'course_progress', value: 0.3 },
        { kind: 'course_progress', value: 0.1 },
        { kind: 'key_copied', value: null },
      ],
      { status: 'not_configured' },
    );
    expect(facts).toMatchObject({ courseProgress: 0.3, keyCopied: true, keyRevealed: true, keyActivated: false, fileDownloaded: false });
    expect(summarizeUsage([], { status: 'ok' }).courseProgress).toBeNull();
  });
});

describe('gateway calls with retries', () => {
  it('retries transient failures under the same key, honouring retry-after, then succeeds', async () => {
    let n = 0;
    const keys: string[] = [];
    const gateway: PaymentGateway = {
      name: 'flaky',
      async refund(c) {
        keys.push(c.refundId);
        n += 1;
        if (n === 1) throw new TransientGatewayError('429', 5);
        if (n === 2) throw new TransientGatewayError('reset');
        return { status: 'succeeded', gatewayRef: 'g1' };
      },
      async query() {
        return { status: 'not_found' };
      },
    };
    expect(await refundWithRetries(gateway, call(), { timeoutMs: 500, attempts: 3, baseBackoffMs: 1 })).toEqual({
      status: 'succeeded',
      gatewayRef: 'g1',
    });
    expect(keys).toEqual(['rf_1', 'rf_1', 'rf_1']);
  });

  it('gives up as "unknown" after the last attempt, on a hang, and on an unexpected error', async () => {
    const always = new SandboxGateway();
    always.inject('transient', 'transient', 'transient');
    expect(await refundWithRetries(always, call(), { timeoutMs: 500, attempts: 3, baseBackoffMs: 1 })).toEqual({
      status: 'unknown',
      error: '3 attempts failed: sandbox: connection reset',
    });
    const hang = new SandboxGateway();
    hang.inject('hang');
    expect(await refundWithRetries(hang, call(), { timeoutMs: 50, attempts: 3, baseBackoffMs: 1 })).toEqual({
      status: 'unknown',
      error: 'no answer within 50 ms',
    });
    expect(hang.calls).toHaveLength(1);
    const broken: PaymentGateway = {
      name: 'b',
      refund: async () => {
        throw new Error('TLS error');
      },
      query: async () => ({ status: 'not_found' }),
    };
    expect(await refundWithRetries(broken, call(), { timeoutMs: 50, attempts: 3, baseBackoffMs: 1 })).toEqual({
      status: 'unknown',
      error: 'TLS error',
    });
  });
});

describe('gateway calls a provider asked to slow down', () => {
  const limited = () => new TransientGatewayError('WeChat Pay answered 429: FREQUENCY_LIMITED', undefined, true);

  it('waits seconds with jitter (1-2 s, then 2-4 s), never milliseconds, under the same key', async () => {
    const waits: number[] = [];
    const keys: string[] = [];
    let n = 0;
    const gateway: PaymentGateway = {
      name: 'wechat',
      async refund(c) {
        keys.push(c.refundId);
        n += 1;
        if (n <= 2) throw limited();
        return { status: 'succeeded', gatewayRef: 'g1' };
      },
      async query() {
        return { status: 'not_found' };
      },
    };
    for (const random of [0, 0.999]) {
      waits.length = 0;
      keys.length = 0;
      n = 0;
      const options = {
        timeoutMs: 500,
        attempts: 3,
        baseBackoffMs: 100,
        random: () => random,
        wait: async (ms: number) => void waits.push(ms),
      };
      expect(await refundWithRetries(gateway, call(), options)).toEqual({ status: 'succeeded', gatewayRef: 'g1' });
      expect(keys).toEqual(['rf_1', 'rf_1', 'rf_1']);
      expect(waits[0]).toBeGreaterThanOrEqual(1_000);
      expect(waits[0]).toBeLessThan(2_000);
      expect(waits[1]).toBeGreaterThanOrEqual(2_000);
      expect(waits[1]).toBeLessThan(4_000);
    }
    // Other transient failures keep their short backoff.
    expect(backoffAfter(new TransientGatewayError('reset'), 1, { baseBackoffMs: 100 })).toBe(100);
  });

  it('says "rate limited" when every attempt was refused, and leaves a long Retry-After to the completion job', async () => {
    const waits: number[] = [];
    const always: PaymentGateway = {
      name: 'wechat',
      refund: async () => {
        throw limited();
      },
      query: async () => ({ status: 'not_found' }),
    };
    const options = { timeoutMs: 500, attempts: 3, baseBackoffMs: 100, random: () => 0.5, wait: async (ms: number) => void waits.push(ms) };
    expect(await refundWithRetries(always, call(), options)).toMatchObject({ status: 'unknown', rateLimited: true });
    expect(waits).toEqual([1_500, 3_000]);
    let calls = 0;
    const later: PaymentGateway = {
      name: 'wechat',
      refund: async () => {
        calls += 1;
        throw new TransientGatewayError('429', 30_000, true);
      },
      query: async () => ({ status: 'not_found' }),
    };
    expect(await refundWithRetries(later, call(), options)).toMatchObject({
      status: 'unknown',
      rateLimited: true,
      error: expect.stringContaining('asked to wait 30 s'),
    });
    expect(calls).toBe(1);
  });
});

describe('sandbox gateway', () => {
  it('never pays twice for one key, and never more than the payment', async () => {
    const sandbox = new SandboxGateway();
    const first = await sandbox.refund(call(), signal());
    expect(await sandbox.refund(call(), signal())).toEqual(first);
    expect(sandbox.refunds.size).toBe(1);
    expect(await sandbox.refund(call({ refundId: 'rf_2', amountMinor: 1 }), signal())).toMatchObject({ status: 'failed' });
    expect(await sandbox.query({ refundId: 'rf_1', transactionId: 'wx_1', gatewayRef: null })).toEqual(first);
    expect(await sandbox.query({ refundId: 'rf_x', transactionId: 'wx_1', gatewayRef: null })).toEqual({ status: 'not_found' });
  });
});

describe('outbox backoff', () => {
  it('doubles from one second and caps at ten minutes', () => {
    expect([1, 2, 3, 10, 30].map(backoffMs)).toEqual([1_000, 2_000, 4_000, 512_000, 600_000]);
  });
});

describe('job runner', () => {
  it('refuses two handlers for one name, and never overlaps a job with itself', async () => {
    const runner = new JobRunner(createLogger('silent'));
    let active = 0;
    let maxActive = 0;
    runner.register({
      name: 'slow',
      everyMs: 1_000,
      run: async () => {
        active += 1;
        maxActive = Math.max(maxActive, active);
        await new Promise((r) => setTimeout(r, 20));
        active -= 1;
      },
    });
    expect(() => runner.register({ name: 'slow', everyMs: 1, run: async () => undefined })).toThrow(/registered twice/);
    await Promise.all([runner.runNow('slow'), runner.runNow('slow'), runner.runNow('slow')]);
    expect(maxActive).toBe(1);
    await expect(runner.runNow('missing')).rejects.toThrow(/no job named missing/);
    await runner.stop();
  });
});

describe('money formatting', () => {
  it('formats minor units in both languages, per currency', async () => {
    const { formatMoney } = await import('../../src/domain/money.ts');
    expect(formatMoney({ amountMinor: 9900, currency: 'CNY' }, 'zh')).toBe('¥99.00');
    expect(formatMoney({ amountMinor: 9900, currency: 'CNY' }, 'en')).toBe('CN¥99.00');
    expect(formatMoney({ amountMinor: 1999, currency: 'USD' }, 'en')).toBe('$19.99');
    expect(formatMoney({ amountMinor: 500, currency: 'JPY' }, 'en')).toBe('¥500');
  });
});
