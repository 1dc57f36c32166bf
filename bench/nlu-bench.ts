// The NLU's classify() beside node-nlp's own process() alone (@nlpjs/nlp's Nlp.process, which NlpManager.process calls), on the same model (the very
// manager the classifier holds) and the same messages (the held-out set, Chinese and English), each
// message given to process() in the language classify() picks for it. The ratio is what classify()
// adds per message: cleaning, language, order numbers, technical words, the n-gram model, the blend.
import fs from 'node:fs';
import { NluClassifier } from '../src/nlu/classifier.ts';
import { detectLanguage } from '../src/nlu/text-features.ts';
import { alternate } from './alternate.ts';
import type { Figure } from './table.ts';

interface NlpProcess {
  process(locale: string, utterance: string): Promise<unknown>;
}

export function heldOutMessages(): string[] {
  return fs
    .readFileSync(new URL('../test/fixtures/nlu-heldout.jsonl', import.meta.url), 'utf8')
    .trim()
    .split('\n')
    .map((l) => (JSON.parse(l) as { text: string }).text);
}

export async function compareNlu(budgetMs: number): Promise<{ classify: Figure; process: Figure; messages: number }> {
  const classifier = await NluClassifier.create({ dataDir: null });
  // The classifier's own node-nlp manager: the same trained model, not a second training of it.
  const manager = (classifier as unknown as { manager?: NlpProcess }).manager;
  if (typeof manager?.process !== 'function')
    throw new Error('NluClassifier no longer holds a node-nlp manager as `manager`: update bench/nlu-bench.ts');
  const texts = heldOutMessages();
  const languages = texts.map((t) => detectLanguage(t, 'zh'));
  let a = 0;
  let b = 0;
  const [classify, process] = await alternate(budgetMs, [
    async () => {
      await classifier.classify(texts[a++ % texts.length]!);
      return 1;
    },
    async () => {
      const i = b++ % texts.length;
      await manager.process(languages[i]!, texts[i]!);
      return 1;
    },
  ]);
  return { classify: classify!, process: process!, messages: texts.length };
}
