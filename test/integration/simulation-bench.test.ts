// The simulation bench measures what it says: every seeded decision is read back and simulated, and
// the draft changes exactly the decisions decide() changes in memory (no timed assertion here).
import { describe, expect, it } from 'vitest';
import { policyFacts } from '../../bench/policy-bench.ts';
import { withThrowawayDatabase } from '../../bench/run.ts';
import { BENCH_DRAFT, benchSimulation } from '../../bench/simulation-bench.ts';
import { decide, PRESETS } from '../../src/policy/index.ts';
import { postgresUp } from '../helpers/services.ts';

describe.skipIf(!postgresUp)('the what-if simulation bench', () => {
  it('simulates every seeded decision, and the changes match decide() in memory', async () => {
    const count = 12_000; // more than two pages of 5,000: the keyset paging is crossed twice
    const result = await withThrowawayDatabase((url) => benchSimulation(url, 1, count));
    const expected = policyFacts(count).filter((f) => decide(PRESETS.course, f).outcome !== decide(BENCH_DRAFT, f).outcome).length;
    expect(expected).toBeGreaterThan(0);
    expect(result).toMatchObject({ decisions: count, changed: expected });
    expect(result.simulationMs).toHaveLength(1);
  }, 180_000);
});
