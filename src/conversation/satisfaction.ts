// Buyer satisfaction after every case (issue 22). A job finds cases that ended (refunded, refused,
// solved by a guide, resolved by a person) a little while ago and asks each buyer once, in their
// chat (Telegram or the widget) and language, for a 1–5 rating with buttons; the dialogue takes the
// answer (flows/satisfaction.ts) and an optional comment. Ratings are kept per request and per agent
// (satisfaction-store.ts) and the merchant's digest and report show them by outcome and by automated
// vs human handling. A case whose buyer has no chat the desk can reach is recorded as unreachable,
// not asked again.
import type { Locale } from '../domain/index.ts';
import type { Logger } from '../logger.ts';
import type { PrismaClient } from '../store/index.ts';
import type { SqlRunner } from '../store/index.ts';
import type { ChatDelivery } from './chat-delivery.ts';
import { endedCases, SatisfactionStore } from './satisfaction-store.ts';
import { ratingButtons, SATISFACTION_ASK } from './texts.ts';

/** A case is asked about this long after it ended, so its last messages (the refund notice) come first. */
export const ASK_AFTER_MS = 60_000;
/** Cases that ended longer ago than this are not asked about (a desk upgraded with old cases). */
export const ASK_WITHIN_MS = 3 * 24 * 3_600_000;

export class SatisfactionSurvey {
  readonly store: SatisfactionStore;

  constructor(
    private readonly deps: {
      prisma: PrismaClient;
      sql: SqlRunner;
      delivery: ChatDelivery;
      log: Logger;
      now?: () => Date;
      askAfterMs?: number;
    },
  ) {
    this.store = new SatisfactionStore(deps.prisma);
  }

  private now(): Date {
    return this.deps.now?.() ?? new Date();
  }

  /** Asks every case that ended and was not asked yet (a job, on every instance: each case once). */
  async askDue(): Promise<{ asked: number; unreachable: number }> {
    const now = this.now();
    const cases = await endedCases(
      this.deps.sql,
      new Date(now.getTime() - ASK_WITHIN_MS),
      new Date(now.getTime() - (this.deps.askAfterMs ?? ASK_AFTER_MS)),
    );
    let asked = 0;
    let unreachable = 0;
    for (const c of cases) {
      const id = await this.store.claim(c, now);
      if (!id) continue;
      try {
        let locale: Locale = 'zh';
        const sent = await this.deps.delivery.toBuyer(
          c.buyerId,
          (l) => {
            locale = l;
            return { text: SATISFACTION_ASK[c.outcome][l], buttons: ratingButtons(id) };
          },
          'out',
        );
        await this.store.asked(id, sent ? { channel: sent.channel, locale } : null);
        if (sent) asked += 1;
        else unreachable += 1;
      } catch (error) {
        this.deps.log.warn({ err: error, caseKey: c.caseKey }, 'could not ask for a rating; asking again next run');
        await this.store.release(id).catch(() => undefined);
      }
    }
    return { asked, unreachable };
  }
}
