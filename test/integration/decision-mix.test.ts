// Issue 17, M30: a realistic mix of 124 requests (ordinary buyers, several categories, ages from a
// minute to six days, plus a few risky ones) through the real API on PostgreSQL. Every request the
// article's policy approves is approved with no person, every other ordinary request ends as the
// article says, and then every decision made is replayed through decide() from what was stored.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { replayDecisions } from '../../src/refunds/decision-replay.ts';
import { describeFigures, figures, generateMix, playMix, type MixResult } from '../helpers/decision-mix.ts';
import { postgresUp } from '../helpers/services.ts';
import { startTestDesk, type TestDesk } from '../helpers/test-desk.ts';

describe.skipIf(!postgresUp)('a realistic mix of requests (PostgreSQL)', () => {
  let t: TestDesk;
  let results: MixResult[];
  const started = new Date();
  beforeAll(async () => {
    t = await startTestDesk({ store: 'postgres' });
    results = await playMix(t.desk, generateMix(17, 110), 'it');
  }, 180_000);
  afterAll(() => t?.stop());

  it("approves with no person every request the article's policy approves, and ends every ordinary request as the article says", () => {
    const f = figures(results);
    console.log(describeFigures(f));
    expect(f.requests).toBeGreaterThanOrEqual(100);
    expect(new Set(results.map((r) => r.request.category)).size).toBe(4);
    expect(f.articleApproved).toBeGreaterThan(30);
    expect(f.articleApprovedDeskApproved).toBe(f.articleApproved);
    const differ = results.filter((r) => !r.request.pattern && r.desk !== r.article);
    expect(
      differ.map((r) => ({ ...r.request, desk: r.desk, article: r.article, rules: r.view.rules.filter((x) => x.result === 'fail') })),
    ).toEqual([]);
    expect(f.deskNoPerson).toBeGreaterThanOrEqual(f.articleNoPerson);
  });

  it("sends the risky ones to a person once their pattern shows, and a young account's first refund through", () => {
    const of = (profile: string) => results.filter((r) => r.request.profile === profile);
    expect(of('restricted').map((r) => r.desk)).toEqual(['person']);
    expect(of('restricted')[0]!.view.rules.find((x) => x.result === 'fail' && x.id !== 'window.unconditional')?.id).toBe(
      'buyer.restricted',
    );
    expect(of('gang').at(-1)!.desk).toBe('person');
    expect(of('velocity').at(-1)!.desk).toBe('person');
    const young = of('young');
    expect(young.map((r) => r.desk)).toEqual(['approved', 'approved', 'approved', 'person']);
    expect(young[3]!.view.rules.find((x) => x.id === 'allowance.trust_tier')?.result).toBe('fail');
  });

  it('replays every decision it made to the same decision (M19)', async () => {
    // A person's decision in the period too: counted apart, not replayed.
    const refused = results.find((r) => r.desk === 'refused')!;
    await t.desk.refunds.appeal(refused.view.id);
    await t.desk.agentDecisions.reject(refused.view.id, { id: 'U_AGENT' }, 'window');
    const report = await replayDecisions(t.desk.db.prisma, { from: started, to: new Date(Date.now() + 1_000) }, 50);
    expect(report).toMatchObject({
      policyDecisions: results.length,
      agree: results.length,
      reworded: 0,
      disagree: [],
      notReplayable: [],
      agentDecisions: 1,
    });
  });
});
