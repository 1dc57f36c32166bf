// "Process this delivery once": a claim that is short while the work runs and long once it is done.
// A process that dies mid-work leaves only the short claim, which lapses, so the sender's
// redelivery (Telegram retries a webhook that got no answer) is then handled by another instance
// instead of being dropped as a duplicate for two days.
import type { Cache } from './cache.ts';

export interface Claim {
  /** The work is done: repeats are duplicates for `doneMs`. */
  done(): Promise<void>;
  /** The work failed here: a repeat may try again at once. */
  abandon(): Promise<void>;
}

export const PROCESSING_MS = 30_000;

export async function claimOnce(cache: Cache, key: string, doneMs: number, processingMs = PROCESSING_MS): Promise<Claim | null> {
  if (!(await cache.setIfAbsent(key, 'processing', processingMs))) return null;
  return {
    done: () => cache.set(key, 'done', doneMs),
    abandon: () => cache.delete(key),
  };
}
