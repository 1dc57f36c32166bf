// Several instances on one Redis: each job tick runs once across instances and never overlaps
// itself, failing ticks are retried with backoff then dead-lettered with an alert, schedulers lost
// with Redis's data are put back, and Telegram long polling runs on one instance only.
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RedisCache } from '../../src/cache/redis-cache.ts';
import { TelegramChannel, type TelegramChannelDeps } from '../../src/channels/telegram/telegram-channel.ts';
import { BullJobs } from '../../src/jobs/bullmq-jobs.ts';
import type { DeadJob } from '../../src/jobs/jobs.ts';
import { createLogger } from '../../src/logger.ts';
import { createMetrics } from '../../src/metrics.ts';
import { FakeTelegramApi } from '../helpers/fake-telegram-api.ts';
import { clearRedisPrefix, REDIS_URL, redisUp, testRedisPrefix } from '../helpers/services.ts';

const log = createLogger('silent');
const prefixes: string[] = [];
const closers: Array<() => Promise<unknown>> = [];
afterAll(async () => {
  for (const close of closers.reverse()) await close().catch(() => undefined);
  if (redisUp) for (const prefix of prefixes) await clearRedisPrefix(prefix);
});

/** One "instance": its own Redis connections and job runner, on a shared key prefix. */
function instance(prefix: string, options: { onDead?: (dead: DeadJob) => Promise<void>; backoffMs?: number } = {}) {
  const cache = new RedisCache(REDIS_URL, prefix);
  const metrics = createMetrics({ defaultMetrics: false });
  const jobs = new BullJobs({ redisUrl: REDIS_URL, prefix: `${prefix}bull`, cache, log, metrics, backoffMs: 50, ...options });
  closers.push(
    () => cache.close(),
    () => jobs.stop(),
  );
  return { cache, jobs, metrics };
}

function newPrefix(): string {
  const prefix = testRedisPrefix();
  prefixes.push(prefix);
  return prefix;
}

describe.skipIf(!redisUp)('jobs on BullMQ across instances', () => {
  it('runs each tick once across three instances, never two runs of a job at a time', async () => {
    const prefix = newPrefix();
    let runs = 0;
    let active = 0;
    let maxActive = 0;
    const tick = {
      name: 'outbox.deliver',
      everyMs: 200,
      run: async () => {
        runs += 1;
        active += 1;
        maxActive = Math.max(maxActive, active);
        await sleep(30);
        active -= 1;
      },
    };
    const three = [instance(prefix), instance(prefix), instance(prefix)];
    for (const { jobs } of three) jobs.register({ ...tick });
    await Promise.all(three.map(({ jobs }) => jobs.start()));
    await sleep(2_100);
    await Promise.all(three.map(({ jobs }) => jobs.stop()));
    // About ten ticks in two seconds (fewer on a busy machine); three in-process runners would have
    // made about thirty runs.
    expect(runs).toBeGreaterThanOrEqual(3);
    expect(runs).toBeLessThanOrEqual(12);
    expect(maxActive).toBe(1);
  });

  it('retries a failing tick with backoff, then dead-letters it and raises an alert once', async () => {
    const prefix = newPrefix();
    const deaths: DeadJob[] = [];
    const { jobs, metrics } = instance(prefix, { onDead: async (dead) => void deaths.push(dead), backoffMs: 200 });
    const attemptsAt: number[] = [];
    jobs.register({
      name: 'digests.run-due',
      everyMs: 60_000,
      attempts: 3,
      run: async () => {
        attemptsAt.push(Date.now());
        throw new Error('SMTP server refused the connection');
      },
    });
    // A scheduler's first tick comes at once; the next only in a minute.
    await jobs.start();
    for (let i = 0; i < 100 && deaths.length === 0; i += 1) await sleep(50);
    expect(deaths).toEqual([
      expect.objectContaining({ name: 'digests.run-due', attempts: 3, error: 'SMTP server refused the connection' }),
    ]);
    expect(attemptsAt).toHaveLength(3);
    // Exponential backoff from 200 ms: a retry never comes before its delay (200 ms, then 400 ms).
    expect(attemptsAt[1]! - attemptsAt[0]!).toBeGreaterThanOrEqual(195);
    expect(attemptsAt[2]! - attemptsAt[1]!).toBeGreaterThanOrEqual(395);
    expect(await jobs.deadLetters()).toEqual([expect.objectContaining({ name: 'digests.run-due', attempts: 3 })]);
    // What `refund-desk jobs` shows an operator.
    const status = await jobs.status();
    expect(status.schedulers).toEqual([expect.objectContaining({ name: 'digests.run-due', everyMs: 60_000 })]);
    expect(status.dead).toHaveLength(1);
    expect(await metrics.registry.getSingleMetricAsString('refund_desk_jobs_dead_total')).toContain(
      'refund_desk_jobs_dead_total{job="digests.run-due"} 1',
    );
  });

  it('puts back a scheduler that Redis lost, and removes one no instance defines any more', async () => {
    const prefix = newPrefix();
    const { jobs } = instance(prefix);
    let runs = 0;
    jobs.register({ name: 'slack.sla', everyMs: 150, run: async () => void (runs += 1) });
    await jobs.start();
    const { Queue } = await import('bullmq');
    const queue = new Queue('jobs', { connection: { url: REDIS_URL }, prefix: `${prefix}bull` });
    closers.push(() => queue.close());
    await queue.removeJobScheduler('slack.sla');
    expect(await jobs.ensureSchedulers()).toBe(1);
    expect(await jobs.ensureSchedulers()).toBe(0);
    const before = runs;
    await sleep(700);
    expect(runs).toBeGreaterThan(before);

    await queue.upsertJobScheduler('retired.job', { every: 60_000 }, { name: 'retired.job' });
    const next = instance(prefix);
    next.jobs.register({ name: 'slack.sla', everyMs: 150, run: async () => undefined });
    await next.jobs.start();
    expect((await queue.getJobSchedulers()).map((s) => s.key).sort()).toEqual(['slack.sla']);
  });
});

describe.skipIf(!redisUp)('Telegram long polling on several instances', () => {
  const api = new FakeTelegramApi();
  beforeAll(async () => {
    await api.start();
    closers.push(() => api.stop());
  });
  const channel = (cache: RedisCache, apiRoot = api.url) => {
    const deps = { token: '123456:TEST-token', apiRoot, cache, log } as unknown as TelegramChannelDeps;
    const telegram = new TelegramChannel(deps);
    closers.push(async () => telegram.stop());
    return telegram;
  };

  it('runs on one instance; a second refuses and names webhook mode; after a stop another may take over', async () => {
    const prefix = newPrefix();
    const a = channel(new RedisCache(REDIS_URL, prefix));
    const b = channel(new RedisCache(REDIS_URL, prefix));
    await a.startPolling();
    await expect(b.startPolling()).rejects.toThrow(/already runs on another instance: set TELEGRAM_WEBHOOK_URL/);
    a.stop();
    await sleep(50);
    await expect(b.startPolling()).resolves.toBeUndefined();
    b.stop();
  });

  it('fails to start while the Bot API does not answer, and gives the polling lease back', async () => {
    const prefix = newPrefix();
    const down = channel(new RedisCache(REDIS_URL, prefix), 'http://127.0.0.1:1');
    await expect(down.startPolling()).rejects.toThrow();
    // Nobody polls, so another instance (or the retry) may: the lease was released with the failure.
    const up = channel(new RedisCache(REDIS_URL, prefix));
    await expect(up.startPolling()).resolves.toBeUndefined();
    up.stop();
  });

  it('answers 503 for an update another instance is still handling, so Telegram delivers it again', async () => {
    const cache = new RedisCache(REDIS_URL, newPrefix());
    closers.push(() => cache.close());
    const telegram = channel(cache);
    const handled: number[] = [];
    telegram.bot.handleUpdate = async (update) => void handled.push(update.update_id);
    await cache.setIfAbsent('dedupe:telegram:update:77', 'processing', 30_000);
    await expect(telegram.handleUpdate({ update_id: 77 } as never)).rejects.toMatchObject({
      category: 'unavailable',
      code: 'update_in_progress',
    });
    await cache.set('dedupe:telegram:update:77', 'done');
    await expect(telegram.handleUpdate({ update_id: 77 } as never)).resolves.toBeUndefined();
    expect(handled).toEqual([77]); // passed on to the bot, whose own claim drops a finished update
  });
});
