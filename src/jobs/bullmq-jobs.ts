// The job runner for several instances: every job definition is a BullMQ job scheduler on Redis, so
// each tick is one job, taken by one worker on one instance. A failing tick is retried with
// exponential backoff; one that fails every attempt goes to the dead-letter queue and raises an
// alert. A lease per job name (in the cache) keeps a slow run from overlapping the next tick on
// another instance. Redis may lose its data (a restart without persistence): every instance checks
// the schedulers every half minute and puts back any that is missing.
import { createRequire } from 'node:module';
import type { Job, Queue, Worker } from 'bullmq';
import type { Cache } from '../cache/index.ts';
import type { Logger } from '../logger.ts';
import type { Metrics } from '../metrics.ts';
import { DEFAULT_ATTEMPTS, type DeadJob, type JobDefinition, type Jobs } from './jobs.ts';

export const JOBS_QUEUE = 'jobs';
export const DEAD_LETTER_QUEUE = 'jobs-dead';
const WATCH_MS = 30_000;

// BullMQ (and the ioredis it brings, ~30 MB resident) is loaded when the first BullJobs is built,
// i.e. only when REDIS_URL is set: the embedded default never loads it.
const require = createRequire(import.meta.url);
let bullmq: typeof import('bullmq') | undefined;
const loadBullmq = () => (bullmq ??= require('bullmq') as typeof import('bullmq'));

export interface BullJobsOptions {
  redisUrl: string;
  /** Key prefix of BullMQ's keys (the desk's REDIS_KEY_PREFIX + "bull"). */
  prefix: string;
  cache: Cache;
  log: Logger;
  metrics: Metrics;
  /** Where a dead job is reported besides the log and metrics (the Slack risk channel). */
  onDead?: (dead: DeadJob) => Promise<void>;
  /** First retry delay; doubled on each further attempt. */
  backoffMs?: number;
}

export class BullJobs implements Jobs {
  readonly kind = 'bullmq' as const;
  private readonly definitions = new Map<string, JobDefinition>();
  private readonly queue: Queue;
  private readonly dead: Queue;
  private worker: Worker | null = null;
  private watcher: NodeJS.Timeout | null = null;

  constructor(private readonly options: BullJobsOptions) {
    const { Queue } = loadBullmq();
    const connection = { url: options.redisUrl };
    this.queue = new Queue(JOBS_QUEUE, { connection, prefix: options.prefix });
    this.dead = new Queue(DEAD_LETTER_QUEUE, { connection, prefix: options.prefix });
    // A Redis outage is logged by the cache's own health checks; these would repeat it per connection.
    this.queue.on('error', () => undefined);
    this.dead.on('error', () => undefined);
  }

  register(job: JobDefinition): void {
    if (this.definitions.has(job.name)) throw new Error(`job ${job.name} is registered twice`);
    this.definitions.set(job.name, job);
  }

  private jobOptions(job: JobDefinition) {
    return {
      attempts: job.attempts ?? DEFAULT_ATTEMPTS,
      backoff: { type: 'exponential' as const, delay: this.options.backoffMs ?? 1_000 },
      removeOnComplete: { count: 100 },
      removeOnFail: { count: 1_000 },
    };
  }

  /** Creates the schedulers that are missing (first start, or Redis lost its data); leaves the rest. */
  async ensureSchedulers(): Promise<number> {
    let created = 0;
    for (const job of this.definitions.values()) {
      if (await this.queue.getJobScheduler(job.name)) continue;
      await this.queue.upsertJobScheduler(job.name, { every: job.everyMs }, { name: job.name, data: {}, opts: this.jobOptions(job) });
      created += 1;
    }
    return created;
  }

  /** Removes schedulers of jobs this version no longer defines (they would only ever fail), then adds the missing. */
  private async prepare(): Promise<void> {
    for (const scheduler of await this.queue.getJobSchedulers()) {
      if (scheduler.key && !this.definitions.has(scheduler.key)) await this.queue.removeJobScheduler(scheduler.key);
    }
    await this.ensureSchedulers();
  }

  /**
   * Starts the worker. Never blocks start-up on Redis: with Redis down the desk still serves (and
   * /readyz names the cache); the schedulers are set up as soon as Redis answers.
   */
  async start(): Promise<void> {
    if (this.worker) return;
    const prepared = this.prepare().catch((error: unknown) =>
      this.options.log.warn({ err: (error as Error).message }, 'job schedulers not set up yet (Redis unreachable?); retrying every 30 s'),
    );
    await Promise.race([prepared, new Promise((resolve) => setTimeout(resolve, 2_000).unref())]);
    this.worker = new (loadBullmq().Worker)(JOBS_QUEUE, (job) => this.process(job), {
      connection: { url: this.options.redisUrl },
      prefix: this.options.prefix,
      concurrency: Math.max(1, this.definitions.size),
    });
    this.worker.on('error', (error) => this.options.log.warn({ err: error.message }, 'job worker: Redis error; reconnecting'));
    this.worker.on('failed', (job, error) => void this.failed(job, error));
    this.watcher = setInterval(() => {
      this.ensureSchedulers()
        .then(
          (created) => created > 0 && this.options.log.warn({ created }, 'job schedulers were missing (Redis lost its data?); put back'),
        )
        .catch(() => undefined);
    }, WATCH_MS);
    this.watcher.unref();
  }

  private async process(job: Job): Promise<unknown> {
    const definition = this.definitions.get(job.name);
    if (!definition) throw new (loadBullmq().UnrecoverableError)(`no job named ${job.name}`);
    // One run of a name at a time across instances; a run left by a killed instance lapses.
    const lease = await this.options.cache.tryLock(`job:${job.name}`, Math.max(60_000, definition.everyMs * 2));
    if (!lease) return { skipped: 'running on another instance' };
    try {
      return await definition.run();
    } finally {
      await lease.release().catch(() => undefined);
    }
  }

  private async failed(job: Job | undefined, error: Error): Promise<void> {
    if (!job) return;
    const attempts = job.opts.attempts ?? 1;
    if (job.attemptsMade < attempts && !(error instanceof loadBullmq().UnrecoverableError)) {
      this.options.log.warn({ job: job.name, attempt: job.attemptsMade, err: error.message }, 'job failed; will retry with backoff');
      return;
    }
    const dead: DeadJob = {
      name: job.name,
      attempts: job.attemptsMade,
      error: error.message.slice(0, 500),
      failedAt: new Date().toISOString(),
    };
    try {
      await this.dead.add(job.name, dead, { removeOnComplete: false, removeOnFail: false });
    } catch {
      // Redis is down: the log line and the metric below still say it.
    }
    this.options.metrics.jobsDead.inc({ job: job.name });
    this.options.log.error({ dead }, 'job dead-lettered after its last attempt: needs a person');
    await this.options.onDead?.(dead).catch((e: unknown) => this.options.log.error({ err: e }, 'could not report a dead job'));
  }

  /** The schedulers on Redis (each job's interval and next tick) and the dead-letter list, for operators. */
  async status(): Promise<{ schedulers: Array<{ name: string; everyMs: number | null; next: string | null }>; dead: DeadJob[] }> {
    const schedulers = (await this.queue.getJobSchedulers()).map((s) => ({
      name: s.key,
      everyMs: s.every ?? null,
      next: s.next ? new Date(s.next).toISOString() : null,
    }));
    return { schedulers, dead: await this.deadLetters() };
  }

  /** What the dead-letter list holds, newest first. */
  async deadLetters(limit = 100): Promise<DeadJob[]> {
    const jobs = await this.dead.getJobs(['waiting', 'delayed'], 0, limit - 1, false);
    return jobs.map((j) => j.data as DeadJob);
  }

  async runNow(name: string): Promise<unknown> {
    const job = this.definitions.get(name);
    if (!job) throw new Error(`no job named ${name}`);
    return (await this.queue.add(name, {}, this.jobOptions(job))).id;
  }

  /**
   * Lets runs in progress finish, then closes the connections. With Redis unreachable a clean close
   * would wait for it forever: after a grace the connections are simply dropped (BullMQ hands an
   * unfinished job to another worker once its lock lapses).
   */
  async stop(graceMs = 5_000): Promise<void> {
    if (this.watcher) clearInterval(this.watcher);
    this.watcher = null;
    const worker = this.worker;
    this.worker = null;
    const closed = Promise.allSettled([worker?.close(), this.queue.close(), this.dead.close()]);
    const timer = new Promise<'timeout'>((resolve) => setTimeout(() => resolve('timeout'), graceMs).unref());
    if ((await Promise.race([closed, timer])) === 'timeout') {
      this.options.log.warn('job runner: Redis did not answer while closing; dropping its connections');
      // Not awaited: a disconnect waits for Redis to say goodbye, which it cannot.
      for (const client of [worker, this.queue, this.dead]) void client?.disconnect().catch(() => undefined);
    }
  }
}
