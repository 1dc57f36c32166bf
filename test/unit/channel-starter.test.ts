// Starting an optional channel: a failure degrades it and schedules another attempt with capped
// exponential backoff; success makes it ready; nothing ever rejects; shutdown stops the retries.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ChannelStarter } from '../../src/channels/channel-starter.ts';
import { createLogger } from '../../src/logger.ts';

const log = createLogger('silent');

describe('ChannelStarter', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('retries a failing start with doubling, capped waits until it succeeds', async () => {
    // random() = 1 takes the full wait, so the schedule is exact.
    const starter = new ChannelStarter(log, { firstMs: 1_000, maxMs: 5_000 }, () => 1);
    let calls = 0;
    const first = starter.start('slack', async () => {
      calls += 1;
      if (calls < 5) throw new Error(`auth.test failed (${calls})`);
    });
    expect(await first).toBe('degraded');
    const waits: number[] = [];
    for (let i = 1; i < 5; i += 1) {
      const state = starter.report().slack!;
      expect(state).toMatchObject({ status: 'degraded', attempts: i, error: `auth.test failed (${i})` });
      const wait = Date.parse(state.nextAttemptAt!) - Date.now();
      waits.push(wait);
      await vi.advanceTimersByTimeAsync(wait);
    }
    expect(waits).toEqual([1_000, 2_000, 4_000, 5_000]);
    expect(starter.report().slack).toMatchObject({ status: 'ready', attempts: 5 });
    expect(starter.report().slack!.error).toBeUndefined();
    expect(starter.isReady('slack')).toBe(true);
  });

  it('starts a channel again that was up and then stopped on its own (a poller that died)', async () => {
    const starter = new ChannelStarter(log, { firstMs: 1_000, maxMs: 1_000 }, () => 1);
    let report: (error: Error) => void = () => undefined;
    let calls = 0;
    expect(
      await starter.start('telegram', async (lost) => {
        calls += 1;
        report = lost;
      }),
    ).toBe('ready');
    const firstLost = report;
    firstLost(new Error('polling stopped: 502 Bad Gateway'));
    expect(starter.report().telegram).toMatchObject({ status: 'degraded', error: 'polling stopped: 502 Bad Gateway' });
    await vi.advanceTimersByTimeAsync(1_000);
    expect(calls).toBe(2);
    expect(starter.report().telegram).toMatchObject({ status: 'ready', attempts: 2 });
    // The first poller's late word is about a poller that was replaced: it changes nothing.
    firstLost(new Error('late'));
    expect(starter.report().telegram).toMatchObject({ status: 'ready', attempts: 2 });
  });

  it('waits at least half the backoff with jitter, and stops trying once stopped', async () => {
    const starter = new ChannelStarter(log, { firstMs: 1_000, maxMs: 60_000 }, () => 0);
    let calls = 0;
    await starter.start('telegram', async () => {
      calls += 1;
      throw new Error('ECONNREFUSED');
    });
    expect(Date.parse(starter.report().telegram!.nextAttemptAt!) - Date.now()).toBe(500);
    starter.stop();
    await vi.advanceTimersByTimeAsync(10 * 60_000);
    expect(calls).toBe(1);
  });

  it('goes on without a first attempt that hangs, and counts it failed after a minute', async () => {
    const starter = new ChannelStarter(log, { firstMs: 1_000, maxMs: 1_000 }, () => 1);
    const first = starter.start('slack', () => new Promise<void>(() => undefined));
    await vi.advanceTimersByTimeAsync(5_000);
    expect(await first).toBe('starting');
    await vi.advanceTimersByTimeAsync(55_000);
    expect(starter.report().slack).toMatchObject({ status: 'degraded', error: expect.stringContaining('no answer within 60 s') });
    starter.stop();
  });
});
