// Named periodic jobs (outbox delivery, pending refunds, SLA reminders, digests ...), defined once
// and run by either runner: in process for the embedded default (job-runner.ts), or on BullMQ when
// Redis is configured (bullmq-jobs.ts), where each tick runs exactly once across all instances.
export interface JobDefinition {
  name: string;
  everyMs: number;
  run(): Promise<unknown>;
  /** Tries of one tick before it is dead-lettered (BullMQ; the in-process runner simply waits for the next tick). */
  attempts?: number;
}

/** A tick that kept failing: kept in the dead-letter list and raised as an alert. */
export interface DeadJob {
  name: string;
  attempts: number;
  error: string;
  failedAt: string;
}

export interface Jobs {
  readonly kind: 'in-process' | 'bullmq';
  register(job: JobDefinition): void;
  start(): Promise<void>;
  /** Runs a job as soon as possible, besides its schedule. */
  runNow(name: string): Promise<unknown>;
  /** Stops taking work and waits for runs in progress. */
  stop(): Promise<void>;
}

export const DEFAULT_ATTEMPTS = 5;
