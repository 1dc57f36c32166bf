// Starting the optional channels (Slack, Telegram) so that one that cannot start never takes the desk
// down. A channel whose provider does not answer at start-up (Slack's auth.test, Telegram's setWebhook)
// is degraded: the failure is logged, /readyz names it, and it is tried again in the background with
// capped, jittered exponential backoff until the provider answers. The core (the platform API, the
// widget, whichever channels did start) serves meanwhile.
import type { Logger } from '../logger.ts';

export type ChannelStatus = 'starting' | 'ready' | 'degraded';

export interface ChannelState {
  status: ChannelStatus;
  /** When the channel entered this status. */
  since: string;
  /** Start attempts so far. */
  attempts: number;
  /** Why the last attempt failed, while degraded. */
  error?: string;
  /** When the next attempt runs, while degraded. */
  nextAttemptAt?: string;
}

export interface Backoff {
  /** The wait after the first failure; it doubles after each further one. */
  firstMs: number;
  /** The longest wait between two attempts. */
  maxMs: number;
}

export const CHANNEL_START_BACKOFF: Backoff = { firstMs: 1_000, maxMs: 5 * 60_000 };
/** An attempt that has not settled by then counts as failed (the next one starts on schedule). */
const ATTEMPT_TIMEOUT_MS = 60_000;
/** How long listen() waits for a channel's first attempt before going on without it. */
const FIRST_ATTEMPT_WAIT_MS = 5_000;

export class ChannelStarter {
  private readonly states = new Map<string, ChannelState>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private stopped = false;

  constructor(
    private readonly log: Logger,
    private readonly backoff: Backoff = CHANNEL_START_BACKOFF,
    private readonly random: () => number = Math.random,
  ) {}

  /**
   * Starts a channel now and, while that fails, again later. Never rejects. Resolves with the
   * channel's status once the first attempt has settled, or after a few seconds if it is still
   * running (then it goes on in the background).
   */
  start(name: string, attempt: (lost: (error: Error) => void) => Promise<void>): Promise<ChannelStatus> {
    const state: ChannelState = { status: 'starting', since: new Date().toISOString(), attempts: 0 };
    this.states.set(name, state);
    let settleFirst: (status: ChannelStatus) => void = () => undefined;
    const first = new Promise<ChannelStatus>((resolve) => (settleFirst = resolve));

    /** Marks the channel degraded and schedules the next attempt. */
    const failed = (error: unknown): void => {
      const delay = this.delayAfter(state.attempts);
      const message = error instanceof Error ? error.message : String(error);
      if (state.status !== 'degraded') Object.assign(state, { status: 'degraded', since: new Date().toISOString() });
      Object.assign(state, { error: message.slice(0, 300), nextAttemptAt: new Date(Date.now() + delay).toISOString() });
      this.log.error(
        { err: error, channel: name, attempt: state.attempts, retryInMs: delay },
        `${name} could not start; the desk runs without it and tries again in ${Math.round(delay / 1000)} s`,
      );
      const timer = setTimeout(() => {
        this.timers.delete(timer);
        void run();
      }, delay);
      timer.unref();
      this.timers.add(timer);
    };
    // A channel that was up and stopped on its own (Telegram's poller gave up, its lease was taken)
    // says so here, and is started again like one that never came up.
    // Each attempt gets its own: a report from an attempt that was replaced since is ignored.
    const lostFor =
      (attemptNo: number) =>
      (error: Error): void => {
        if (this.stopped || state.status !== 'ready' || state.attempts !== attemptNo) return;
        failed(error);
      };

    const run = async (): Promise<void> => {
      if (this.stopped) return;
      state.attempts += 1;
      try {
        await this.bounded(() => attempt(lostFor(state.attempts)));
        if (this.stopped) return;
        const wasDown = state.status === 'degraded';
        Object.assign(state, { status: 'ready', since: new Date().toISOString() });
        delete state.error;
        delete state.nextAttemptAt;
        if (wasDown) this.log.info({ channel: name, attempts: state.attempts }, `${name} is up after ${state.attempts} attempts`);
      } catch (error) {
        if (this.stopped) return;
        failed(error);
      } finally {
        settleFirst(state.status);
      }
    };

    void run();
    return Promise.race([
      first,
      new Promise<ChannelStatus>((resolve) => setTimeout(() => resolve(state.status), FIRST_ATTEMPT_WAIT_MS).unref()),
    ]);
  }

  /** Each started channel's state, for /readyz. */
  report(): Record<string, ChannelState> {
    return Object.fromEntries([...this.states].map(([name, state]) => [name, { ...state }]));
  }

  isReady(name: string): boolean {
    return this.states.get(name)?.status === 'ready';
  }

  /** Stops trying (shutdown). */
  stop(): void {
    this.stopped = true;
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
  }

  /** Exponential from `firstMs`, capped at `maxMs`, with jitter so that instances do not retry in step. */
  private delayAfter(attempts: number): number {
    const exponential = Math.min(this.backoff.maxMs, this.backoff.firstMs * 2 ** Math.min(attempts - 1, 30));
    return Math.round(exponential * (0.5 + this.random() / 2));
  }

  private async bounded(attempt: () => Promise<void>): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    try {
      await Promise.race([
        attempt(),
        new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new Error(`no answer within ${ATTEMPT_TIMEOUT_MS / 1000} s`)), ATTEMPT_TIMEOUT_MS);
        }),
      ]);
    } finally {
      clearTimeout(timer);
    }
  }
}
