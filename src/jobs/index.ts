// The jobs module's entry: what other modules may use of it (test/unit/architecture.test.ts).
export { BullJobs } from './bullmq-jobs.ts';
export { JobRunner } from './job-runner.ts';
export type { DeadJob, Jobs } from './jobs.ts';
