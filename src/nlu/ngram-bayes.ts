// A multinomial naive Bayes over character and word n-grams, blended with node-nlp's neural
// classifier (src/nlu/classifier.ts). node-nlp on a few hundred sentences misses paraphrases and
// typos; character n-grams are robust to both and suit Chinese, where words are not spaced. Pure,
// deterministic, and fast enough to train at start-up; its state is part of the cached model.
import type { Locale } from '../domain/index.ts';

const CJK_RUN = /[\u3400-\u9fff\uf900-\ufaff]+/g;
const WORD = /[a-z0-9']+/g;

/** Features of a text: CJK character unigrams and bigrams; Latin words, word bigrams, and character trigrams inside words. */
export function features(text: string): string[] {
  const lower = text.toLowerCase();
  const out: string[] = [];
  for (const run of lower.match(CJK_RUN) ?? []) {
    const chars = [...run];
    chars.forEach((c, i) => {
      out.push(`c:${c}`);
      if (i + 1 < chars.length) out.push(`b:${c}${chars[i + 1]}`);
    });
  }
  const words = (lower.match(WORD) ?? []).map((w) => w.replace(/'/g, ''));
  words.forEach((w, i) => {
    out.push(`w:${w}`);
    if (i + 1 < words.length) out.push(`p:${w}_${words[i + 1]}`);
    if (w.length > 3) for (let j = 0; j + 3 <= w.length; j += 1) out.push(`t:${w.slice(j, j + 3)}`);
  });
  return out;
}

export interface BayesModel {
  labels: string[];
  /** Per language: per label, feature counts, total count and document count. */
  byLocale: Record<
    string,
    { counts: Record<string, Record<string, number>>; totals: Record<string, number>; docs: Record<string, number>; vocabulary: number }
  >;
}

export function trainBayes(corpora: Record<Locale, Record<string, string[]>>): BayesModel {
  const model: BayesModel = { labels: [], byLocale: {} };
  const labels = new Set<string>();
  for (const [locale, intents] of Object.entries(corpora)) {
    const counts: Record<string, Record<string, number>> = {};
    const totals: Record<string, number> = {};
    const docs: Record<string, number> = {};
    const vocabulary = new Set<string>();
    for (const [label, utterances] of Object.entries(intents)) {
      labels.add(label);
      const c = (counts[label] = {} as Record<string, number>);
      docs[label] = utterances.length;
      for (const u of utterances) {
        // Binary per document: a word repeated in one sentence is one vote.
        for (const f of new Set(features(u))) {
          c[f] = (c[f] ?? 0) + 1;
          totals[label] = (totals[label] ?? 0) + 1;
          vocabulary.add(f);
        }
      }
    }
    model.byLocale[locale] = { counts, totals, docs, vocabulary: vocabulary.size };
  }
  model.labels = [...labels].sort();
  return model;
}

/** Posterior probabilities per label (softmax of log-likelihoods), or null without usable features. */
export function classifyBayes(model: BayesModel, locale: Locale, text: string): Record<string, number> | null {
  const m = model.byLocale[locale];
  if (!m) return null;
  const fs = [...new Set(features(text))].filter((f) => model.labels.some((l) => m.counts[l]?.[f]));
  if (fs.length === 0) return null;
  const logs: Record<string, number> = {};
  for (const label of model.labels) {
    const counts = m.counts[label] ?? {};
    const denominator = (m.totals[label] ?? 0) + m.vocabulary;
    let score = 0;
    for (const f of fs) score += Math.log(((counts[f] ?? 0) + 1) / denominator);
    logs[label] = score;
  }
  const max = Math.max(...Object.values(logs));
  const exp = Object.fromEntries(Object.entries(logs).map(([l, s]) => [l, Math.exp(s - max)]));
  const sum = Object.values(exp).reduce((a, b) => a + b, 0);
  return Object.fromEntries(Object.entries(exp).map(([l, v]) => [l, v / sum]));
}
