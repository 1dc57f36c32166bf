// Usage facts of an order (M2, M4, M5): from recorded usage events, refreshed by a live check against
// the platform when one is configured. A live check that fails or is slow never blocks a decision:
// the recorded facts are used and the decision's trace says so.
import { USAGE_KINDS } from '../domain/index.ts';
import type { Logger } from '../logger.ts';
import { newId } from '../ids.ts';
import { NO_USAGE, type UsageFacts } from '../policy/index.ts';
import type { PlatformClient } from '../platform/index.ts';
import type { PrismaClient } from '../store/index.ts';

type StoredKind = (typeof USAGE_KINDS)[keyof typeof USAGE_KINDS];

export function summarizeUsage(events: Array<{ kind: StoredKind; value: number | null }>, liveCheck: UsageFacts['liveCheck']): UsageFacts {
  const facts: UsageFacts = { ...NO_USAGE, liveCheck };
  for (const e of events) {
    switch (e.kind) {
      case 'course_progress':
        facts.courseProgress = Math.max(facts.courseProgress ?? 0, e.value ?? 0);
        break;
      case 'key_revealed':
        facts.keyRevealed = true;
        break;
      case 'key_copied':
        // Copying a key means it was shown first.
        facts.keyCopied = facts.keyRevealed = true;
        break;
      case 'key_activated':
        facts.keyActivated = facts.keyRevealed = true;
        break;
      case 'file_downloaded':
        facts.fileDownloaded = true;
        break;
      case 'membership_activated':
        facts.membershipActivated = true;
        break;
      case 'software_login':
        facts.softwareLogin = true;
        break;
    }
  }
  return facts;
}

export class UsageService {
  constructor(
    private readonly prisma: PrismaClient,
    private readonly platform: PlatformClient,
    private readonly log: Logger,
    private readonly liveTimeoutMs = 800,
  ) {}

  /**
   * Asks the platform for live usage (M5), keeps what it reported, and returns it with the check's
   * status. Never throws: a failed or slow check is reported in the status instead.
   */
  async liveCheck(
    orderId: string,
  ): Promise<{ status: UsageFacts['liveCheck']; events: Array<{ kind: StoredKind; value: number | null }> }> {
    if (!this.platform.urls.usageUrl) return { status: { status: 'not_configured' }, events: [] };
    try {
      const live = await this.platform.liveUsage(orderId, this.liveTimeoutMs);
      await this.record(orderId, live.events);
      return { status: { status: 'ok' }, events: live.events.map((e) => ({ kind: USAGE_KINDS[e.kind], value: e.value ?? null })) };
    } catch (error) {
      this.log.warn({ orderId, err: (error as Error).message }, 'live usage check failed; using recorded usage');
      return { status: { status: 'failed', detail: (error as Error).message }, events: [] };
    }
  }

  /** Keeps what the live check reported, so the decision's facts can be traced to stored usage. */
  private async record(orderId: string, events: Array<{ kind: keyof typeof USAGE_KINDS; value?: number | undefined; at: string }>) {
    if (events.length === 0) return;
    const checkId = newId('ue');
    await this.prisma.usageEvent.createMany({
      data: events.map((e) => ({
        id: newId('ue'),
        orderId,
        kind: USAGE_KINDS[e.kind],
        value: e.value ?? null,
        at: new Date(e.at),
        source: `live:${checkId}`,
      })),
    });
  }
}
