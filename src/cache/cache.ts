// Shared fast state: conversation state, de-duplication claims, locks, rate-limit counters and
// pub/sub between instances. Redis in production; an in-process map for the embedded default.

export interface Lock {
  /** Releases the lock if this holder still owns it; false when it had already expired. */
  release(): Promise<boolean>;
  /** Renews the lease for `ttlMs` if this holder still owns it; false when another holder has it. */
  extend(ttlMs: number): Promise<boolean>;
}

export type Unsubscribe = () => Promise<void>;

export interface Cache {
  readonly kind: 'redis' | 'memory';
  get(key: string): Promise<string | null>;
  set(key: string, value: string, ttlMs?: number): Promise<void>;
  /** Sets only when absent (a claim): true for the caller that set it. */
  setIfAbsent(key: string, value: string, ttlMs: number): Promise<boolean>;
  delete(key: string): Promise<void>;
  /** Increments a counter that expires `ttlMs` after its first increment (fixed-window rate limits). */
  increment(key: string, ttlMs: number): Promise<number>;
  /** An exclusive lock with a lease; null when another holder has it. */
  tryLock(key: string, ttlMs: number): Promise<Lock | null>;
  publish(channel: string, message: string): Promise<void>;
  subscribe(channel: string, onMessage: (message: string) => void): Promise<Unsubscribe>;
  ping(): Promise<void>;
  close(): Promise<void>;
}
