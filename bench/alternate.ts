// Two (or more) contestants timed in turns on one core, so a slow patch of a shared machine falls on
// both rather than on whichever happened to run then: after a warm-up, `rounds` rounds, each giving
// every contestant an equal slice of the budget. A call returns how many operations it did (1 for a
// message, the batch size for a batch); its latency is counted per operation.
import type { Figure } from './table.ts';

export async function alternate(budgetMs: number, contestants: Array<() => Promise<number>>, rounds = 8): Promise<Figure[]> {
  const figures: Figure[] = contestants.map(() => ({ count: 0, wallMs: 0, latencies: [] }));
  // Warm-up: the JIT and any lazy state, for each, untimed.
  for (const run of contestants) {
    const end = performance.now() + Math.min(500, budgetMs / 10);
    while (performance.now() < end) await run();
  }
  const slice = budgetMs / rounds / contestants.length;
  for (let round = 0; round < rounds; round += 1) {
    for (const [i, run] of contestants.entries()) {
      const figure = figures[i]!;
      const started = performance.now();
      while (performance.now() - started < slice) {
        const t0 = performance.now();
        const ops = await run();
        const took = performance.now() - t0;
        figure.count += ops;
        figure.latencies!.push(took / ops);
      }
      figure.wallMs += performance.now() - started;
    }
  }
  return figures;
}
