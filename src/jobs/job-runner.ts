// The embedded default's job runner: named jobs on an interval, in this process. One handler per
// name, checked when registered. A job never overlaps itself; a failing run is logged and the next
// one comes on schedule. With Redis, BullJobs runs the same definitions across instances.
import type { Logger } from '../logger.ts';
import type { JobDefinition, Jobs } from './jobs.ts';

export type { JobDefinition } from './jobs.ts';

export class JobRunner implements Jobs {
  readonly kind = 'in-process' as const;
  private readonly jobs = new Map<string, JobDefinition>();
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private readonly running = new Map<string, Promise<unknown>>();
  private started = false;

  constructor(private readonly log: Logger) {}

  register(job: JobDefinition): void {
    if (this.jobs.has(job.name)) throw new Error(`job ${job.name} is registered twice`);
    this.jobs.set(job.name, job);
    if (this.started) this.schedule(job);
  }

  /** Runs a job now, after any run already in progress or queued (runs never overlap). */
  runNow(name: string): Promise<unknown> {
    const job = this.jobs.get(name);
    if (!job) return Promise.reject(new Error(`no job named ${name}`));
    const previous = this.running.get(name) ?? Promise.resolve();
    const run = previous.catch(() => undefined).then(() => job.run());
    this.running.set(name, run);
    void run
      .catch(() => undefined)
      .finally(() => {
        if (this.running.get(name) === run) this.running.delete(name);
      });
    return run;
  }

  private schedule(job: JobDefinition): void {
    const timer = setInterval(() => {
      if (this.running.has(job.name)) return;
      this.runNow(job.name).catch((error) => this.log.error({ job: job.name, err: error }, 'job failed'));
    }, job.everyMs);
    timer.unref();
    this.timers.set(job.name, timer);
  }

  async start(): Promise<void> {
    if (this.started) return;
    this.started = true;
    for (const job of this.jobs.values()) this.schedule(job);
  }

  /** Stops scheduling and waits for runs in progress. */
  async stop(): Promise<void> {
    this.started = false;
    for (const timer of this.timers.values()) clearInterval(timer);
    this.timers.clear();
    await Promise.allSettled([...this.running.values()]);
  }
}
