// npm run eval:nlu — how well the bot understands buyers, on text it never trained on:
//   1. the held-out set (test/fixtures/nlu-heldout.jsonl, written apart from intents/), per language:
//      accuracy, macro-F1 and a confusion matrix;
//   2. the external rows of ../shared/data/external-nlu/, scored as their README says: direct,
//      analog and out-of-scope rows separately (a row is right when the intent is in its `accept`),
//      and for near-miss rows how many were taken for a refund intent.
// Bars (issue 6): held-out macro-F1 ≥ 0.90 per language, external direct ≥ 0.85, near misses ≤ 10 %.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { NluClassifier } from '../src/nlu/classifier.ts';
import { INTENTS, REFUND_INTENTS, type Intent } from '../src/nlu/corpus.ts';

const root = fileURLToPath(new URL('..', import.meta.url));
const externalDir = path.resolve(root, '..', 'shared', 'data', 'external-nlu');

export interface Scores {
  accuracy: number;
  macroF1: number;
  n: number;
  confusion: Record<string, Record<string, number>>;
}

export function score(rows: Array<{ expected: Intent; predicted: Intent }>): Scores {
  const labels = INTENTS.filter((i) => rows.some((r) => r.expected === i || r.predicted === i));
  const confusion: Scores['confusion'] = {};
  for (const r of rows) {
    confusion[r.expected] ??= {};
    confusion[r.expected]![r.predicted] = (confusion[r.expected]![r.predicted] ?? 0) + 1;
  }
  const f1s = labels
    .filter((label) => rows.some((r) => r.expected === label))
    .map((label) => {
      const tp = rows.filter((r) => r.expected === label && r.predicted === label).length;
      const fp = rows.filter((r) => r.expected !== label && r.predicted === label).length;
      const fn = rows.filter((r) => r.expected === label && r.predicted !== label).length;
      const precision = tp + fp === 0 ? 0 : tp / (tp + fp);
      const recall = tp + fn === 0 ? 0 : tp / (tp + fn);
      return precision + recall === 0 ? 0 : (2 * precision * recall) / (precision + recall);
    });
  return {
    accuracy: rows.filter((r) => r.expected === r.predicted).length / rows.length,
    macroF1: f1s.reduce((a, b) => a + b, 0) / f1s.length,
    n: rows.length,
    confusion,
  };
}

function printConfusion(title: string, s: Scores): void {
  const labels = INTENTS.filter((l) => s.confusion[l] || Object.values(s.confusion).some((row) => row[l]));
  const short = (l: string) => l.replace('refund.', 'r.').replace('agent.request', 'agent').replace('policy.ask', 'policy').slice(0, 12);
  console.log(`\n${title}: accuracy ${(s.accuracy * 100).toFixed(1)} %, macro-F1 ${s.macroF1.toFixed(3)} (n=${s.n})`);
  console.log(`  ${'expected \\ got'.padEnd(14)}${labels.map((l) => short(l).padStart(13)).join('')}`);
  for (const e of labels) {
    if (!s.confusion[e]) continue;
    console.log(`  ${short(e).padEnd(14)}${labels.map((p) => String(s.confusion[e]![p] ?? '').padStart(13)).join('')}`);
  }
}

export async function evaluate(classifier: NluClassifier) {
  const heldout = fs
    .readFileSync(path.join(root, 'test', 'fixtures', 'nlu-heldout.jsonl'), 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as { text: string; lang: 'zh' | 'en'; intent: Intent });
  const results: Record<string, Scores> = {};
  for (const lang of ['zh', 'en'] as const) {
    const rows = [];
    for (const r of heldout.filter((x) => x.lang === lang))
      rows.push({ expected: r.intent, predicted: (await classifier.classify(r.text)).intent });
    results[`heldout.${lang}`] = score(rows);
  }
  const external: Record<string, { correct: number; n: number }> = {};
  let nearMiss = { refund: 0, n: 0 };
  const externalRows: Array<{ expected: Intent; predicted: Intent }> = [];
  const available = fs.existsSync(externalDir);
  if (available) {
    for (const file of fs.readdirSync(externalDir).filter((f) => f.endsWith('.jsonl'))) {
      for (const line of fs.readFileSync(path.join(externalDir, file), 'utf8').trim().split('\n')) {
        const r = JSON.parse(line) as { text: string; mapping: string; mapped: Intent | null; accept: Intent[] };
        const predicted = (await classifier.classify(r.text)).intent;
        if (r.mapping === 'none') {
          nearMiss = { refund: nearMiss.refund + (REFUND_INTENTS.has(predicted) ? 1 : 0), n: nearMiss.n + 1 };
          continue;
        }
        const bucket = (external[r.mapping] ??= { correct: 0, n: 0 });
        bucket.n += 1;
        if (r.accept.includes(predicted)) bucket.correct += 1;
        // For the confusion matrix, a row counts as its mapped intent when accepted.
        if (r.mapping === 'direct')
          externalRows.push({ expected: r.mapped!, predicted: r.accept.includes(predicted) ? r.mapped! : predicted });
      }
    }
  }
  return { results, external, nearMiss, externalDirect: externalRows.length > 0 ? score(externalRows) : null, available };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const classifier = await NluClassifier.create({ dataDir: null });
  const report = await evaluate(classifier);
  for (const [name, s] of Object.entries(report.results)) printConfusion(`Held-out ${name.split('.')[1]}`, s);
  if (!report.available) console.log(`\n(no external rows at ${externalDir})`);
  if (report.externalDirect) printConfusion('External direct rows (confusion by mapped intent)', report.externalDirect);
  console.log("\nExternal rows (correct when the intent is in the row's accept list):");
  for (const [mapping, b] of Object.entries(report.external))
    console.log(`  ${mapping.padEnd(7)} ${((b.correct / b.n) * 100).toFixed(1).padStart(5)} %  (${b.correct}/${b.n})`);
  console.log(
    `  near misses taken for a refund intent: ${((report.nearMiss.refund / Math.max(1, report.nearMiss.n)) * 100).toFixed(1)} % (${report.nearMiss.refund}/${report.nearMiss.n})`,
  );
  const zh = report.results['heldout.zh']!;
  const en = report.results['heldout.en']!;
  const direct = report.external.direct;
  console.log('\nBars: held-out macro-F1 ≥ 0.90 per language, external direct ≥ 85 %, near misses ≤ 10 %');
  console.log(
    `  zh ${zh.macroF1.toFixed(3)} ${zh.macroF1 >= 0.9 ? 'ok' : 'BELOW'} · en ${en.macroF1.toFixed(3)} ${en.macroF1 >= 0.9 ? 'ok' : 'BELOW'} · direct ${direct ? ((direct.correct / direct.n) * 100).toFixed(1) : '-'} % · near misses ${((report.nearMiss.refund / Math.max(1, report.nearMiss.n)) * 100).toFixed(1)} %`,
  );
  process.exit(0);
}
