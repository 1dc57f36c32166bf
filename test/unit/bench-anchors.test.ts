// The benchmarks' anchors are only worth their ratios if they measure the same thing: json-rules-engine
// must decide the bench's facts exactly as decide() does (so a change to decide() that the translation
// does not follow fails here, not silently in a bench table), and the figures are read as printed.
import { describe, expect, it } from 'vitest';
import { decide, PRESETS, type Policy } from '../../src/policy/index.ts';
import { policyFacts } from '../../bench/policy-bench.ts';
import { policyEngine, policyRules } from '../../bench/policy-rules-engine.ts';
import { parseTps } from '../../bench/pgbench.ts';
import { markdownTable, median, percentile } from '../../bench/table.ts';

async function mismatches(ruleSource: Policy): Promise<number> {
  const engine = policyEngine(ruleSource);
  let count = 0;
  for (const f of policyFacts()) {
    const d = decide(PRESETS.course, f);
    const e = await engine(f);
    if (d.outcome !== e.outcome || d.decidedBy !== e.decidedBy) count += 1;
  }
  return count;
}

describe('json-rules-engine running the course preset', () => {
  it('decides every bench fact as decide() does, by the same rule', async () => {
    expect(await mismatches(PRESETS.course)).toBe(0);
  });

  it('covers every outcome the windows and locks can give', () => {
    const decidedBy = new Set(policyFacts().map((f) => decide(PRESETS.course, f).decidedBy));
    expect([...decidedBy].sort()).toEqual([
      'condition.course_progress_at_most',
      'lock.course_progress',
      'lock.file_downloaded',
      'window.conditional',
      'window.expired',
      'window.unconditional',
    ]);
  });

  it('is caught when written differently: locks in another order, a threshold off by a hair, a window a minute longer', async () => {
    const course = PRESETS.course;
    expect(await mismatches({ ...course, locks: [...course.locks].reverse() })).toBeGreaterThan(0);
    expect(await mismatches({ ...course, conditions: [{ kind: 'course_progress_at_most', threshold: 0.1000001 }] })).toBeGreaterThan(0);
    expect(await mismatches({ ...course, windows: { ...course.windows, unconditionalMinutes: 16 } })).toBeGreaterThan(0);
  });

  it('gives each rule its own priority, in decide() order', () => {
    const rules = policyRules(PRESETS.course);
    expect(rules.map((r) => r.name)).toEqual([
      'lock.course_progress',
      'lock.file_downloaded',
      'window.unconditional',
      'window.expired',
      'condition.course_progress_at_most',
      'window.conditional',
    ]);
    const priorities = rules.map((r) => r.priority!);
    expect(new Set(priorities).size).toBe(rules.length);
    expect([...priorities].sort((a, b) => b - a)).toEqual(priorities);
  });
});

describe('reading the figures', () => {
  it("takes pgbench's tps from its summary, and refuses output without one", () => {
    const output = [
      'transaction type: <builtin: TPC-B (sort of)>',
      'number of clients: 16',
      'latency average = 11.032 ms',
      'initial connection time = 25.114 ms',
      'tps = 1450.312887 (without initial connection time)',
    ].join('\n');
    expect(parseTps(output)).toBe(1450.312887);
    expect(() => parseTps('pgbench: error: connection to server failed')).toThrow(/printed no tps/);
  });

  it('takes medians and percentiles of what was measured', () => {
    expect(median([5, 1, 3])).toBe(3);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(median([])).toBeNaN();
    const sorted = Array.from({ length: 100 }, (_, i) => i + 1);
    expect(percentile(sorted, 50)).toBe(51);
    expect(percentile(sorted, 99)).toBe(100);
  });

  it('prints a Markdown table with every column, escaping pipes in cells', () => {
    expect(
      markdownTable([
        { a: '1', b: 'x|y' },
        { a: '2', c: '3' },
      ]),
    ).toBe(['| a | b | c |', '|---|---|---|', '| 1 | x\\|y |  |', '| 2 |  | 3 |'].join('\n'));
  });
});
