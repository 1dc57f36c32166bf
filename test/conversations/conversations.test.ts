// The guard of issue 18: the whole conversation suite (test/conversations/zh.ts and en.ts), run as
// the widget carries it, must reach the right stored outcome in ≥ 95 % of conversations in each
// language, in at most 1.2× the ideal number of turns, with no reply said twice in a row and every
// reply in the conversation's language. `npm run eval:conversations -- --verbose` shows the details.
// On the test PostgreSQL when it is up, else on PGlite; never skipped.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postgresUp } from '../helpers/services.ts';
import { startTestDesk, TEST_SECRETS, type TestDesk } from '../helpers/test-desk.ts';
import { shopGate } from './eval-desk.ts';
import { problemLines, summaryLines } from './report.ts';
import { runSuite, type SuiteRun } from './run.ts';
import { CONVERSATIONS, suiteProblems } from './suite.ts';

describe('conversations as buyers write them (issue 18)', () => {
  let t: TestDesk;
  let run: SuiteRun;
  beforeAll(async () => {
    t = await startTestDesk({ store: postgresUp ? 'postgres' : 'pglite' });
    run = await runSuite(
      t.desk,
      shopGate(t.desk, { webhookSecret: TEST_SECRETS.PLATFORM_WEBHOOK_SECRET, apiKey: TEST_SECRETS.PLATFORM_API_KEY }),
      CONVERSATIONS,
    );
    console.log(run.summaries.flatMap(summaryLines).join('\n'));
  }, 300_000);
  afterAll(() => t?.stop());

  const failing = (lang: string, pick: (r: SuiteRun['results'][number]) => boolean) =>
    run.results
      .filter((r) => r.lang === lang && pick(r))
      .flatMap(problemLines)
      .join('\n');

  it('is at least 60 conversations, about two thirds Chinese, written consistently', () => {
    expect(suiteProblems(CONVERSATIONS)).toEqual([]);
    expect(CONVERSATIONS.length).toBeGreaterThanOrEqual(60);
    const zh = CONVERSATIONS.filter((c) => c.lang === 'zh').length / CONVERSATIONS.length;
    expect(zh).toBeGreaterThan(0.55);
    expect(zh).toBeLessThan(0.75);
  });

  for (const lang of ['zh', 'en'] as const) {
    describe(lang === 'zh' ? 'Chinese' : 'English', () => {
      const summary = () => run.summaries.find((s) => s.lang === lang)!;

      it('reaches the right outcome in at least 95 % of conversations', () => {
        expect(
          summary().share,
          failing(lang, (r) => !r.ok),
        ).toBeGreaterThanOrEqual(0.95);
      });

      it('takes at most 1.2× the ideal number of turns', () => {
        expect(
          summary().turnRatio,
          failing(lang, (r) => r.turns > r.ideal),
        ).toBeLessThanOrEqual(1.2);
      });

      it('never says the same reply twice in a row', () => {
        expect(
          summary().repeated,
          failing(lang, (r) => r.replyProblems.some((p) => p.kind === 'repeated')),
        ).toBe(0);
      });

      it("answers every message in the conversation's language, punctuated for it", () => {
        const bad = (r: SuiteRun['results'][number]) =>
          r.replyProblems.some((p) => p.kind === 'wrong_language' || p.kind === 'fullwidth_punctuation');
        expect(summary().wrongLanguage + summary().fullwidth, failing(lang, bad)).toBe(0);
      });

      it('shows no internal id the buyer did not type', () => {
        expect(
          summary().internalIds,
          failing(lang, (r) => r.replyProblems.some((p) => p.kind === 'internal_id')),
        ).toBe(0);
      });
    });
  }
});
