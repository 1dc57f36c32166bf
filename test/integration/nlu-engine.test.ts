// The lean engine (src/nlu/nlp-engine.ts, src/nlu/zh-lexicon.ts) against node-nlp's own NlpManager:
// trained on the same corpora they must export the same model, and read every held-out message,
// every corpus sentence and some awkward input with the same intents and scores. NlpManager is the
// reference here only; the desk never loads it.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { NlpManager } from 'node-nlp';
import { createRequire } from 'node:module';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { INTENTS, loadNluData } from '../../src/nlu/corpus.ts';
import { NLP_SETTINGS, createNlpEngine, type NlpEngine } from '../../src/nlu/nlp-engine.ts';
import { deriveZhLexicon, formatLexicon, langZhVersion, loadZhLexicon, parseLexicon } from '../../src/nlu/zh-lexicon.ts';
import { detectLanguage } from '../../src/nlu/text-features.ts';

const require = createRequire(import.meta.url);
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'nlu-engine-'));
let reference: NlpEngine;
let lean: NlpEngine;

async function train(engine: NlpEngine): Promise<NlpEngine> {
  const data = await loadNluData();
  for (const locale of ['zh', 'en'] as const) {
    for (const intent of INTENTS) for (const u of data.corpora[locale][intent] ?? []) engine.addDocument(locale, u, intent);
  }
  const print = console.log;
  console.log = () => undefined; // node-nlp's dictionary says "Compiling dictionary" on stdout
  try {
    await engine.train();
  } finally {
    console.log = print;
  }
  return engine;
}

beforeAll(async () => {
  reference = await train(new NlpManager(NLP_SETTINGS) as unknown as NlpEngine);
  lean = await train(createNlpEngine(await loadZhLexicon(dataDir)));
}, 240_000);
afterAll(() => fs.rmSync(dataDir, { recursive: true, force: true }));

describe('lean NLU engine', () => {
  it('trains the same model as NlpManager', () => {
    expect(lean.export(true)).toBe(reference.export(true));
  });

  it('reads every held-out message, every corpus sentence and odd input as NlpManager does', async () => {
    const heldout = fs
      .readFileSync(new URL('../fixtures/nlu-heldout.jsonl', import.meta.url), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l).text as string);
    const data = await loadNluData();
    const corpus = (['zh', 'en'] as const).flatMap((l) => INTENTS.flatMap((i) => data.corpora[l][i] ?? []));
    const odd = [
      '',
      ' ',
      '退',
      '繁體中文退款嗎',
      'Excel那个lesson想退',
      '🙂🙂',
      '12345',
      'o_123 订单',
      '我的toString坏了',
      'a'.repeat(300),
      '的了吗呢吧',
    ];
    const texts = [...heldout, ...corpus, ...odd];
    expect(texts.length).toBeGreaterThan(300);
    for (const text of texts) {
      for (const locale of ['zh', 'en']) {
        const a = await reference.process(locale, text);
        const b = await lean.process(locale, text);
        expect({ text, locale, intent: b.intent, score: b.score, classifications: b.classifications }).toEqual({
          text,
          locale,
          intent: a.intent,
          score: a.score,
          classifications: a.classifications,
        });
      }
    }
    // The language detector picks zh or en for every message: both are exercised above.
    expect(new Set(heldout.map((t) => detectLanguage(t, 'zh')))).toEqual(new Set(['zh', 'en']));
  }, 240_000);

  it('imports a model NlpManager exported, and reads with it the same', async () => {
    const imported = createNlpEngine(await loadZhLexicon(dataDir));
    imported.import(reference.export(true));
    for (const text of ['我要退款', '课程打不开', 'I changed my mind'])
      expect(await imported.process('zh', text)).toEqual(await reference.process('zh', text));
  });

  it('keeps the Chinese word list in DATA_DIR/nlu and reads it back the same', async () => {
    const file = path.join(dataDir, 'nlu', `zh-lexicon-${langZhVersion()}.tsv`);
    expect(fs.existsSync(file)).toBe(true);
    const again = await loadZhLexicon(dataDir);
    expect(again.size).toBeGreaterThan(100_000);
    expect(again.get('退款')).toBe('tui4 kuan3');
    expect(again).toEqual(deriveZhLexicon(require('@nlpjs/lang-zh/src/cedict_ts.u8.js') as string));
    // A damaged or cut-short file is derived again and rewritten, not fatal.
    const whole = fs.readFileSync(file, 'utf8');
    for (const damaged of ['{not a list', whole.slice(0, whole.length / 2), whole.replace('\t', ' ')]) {
      fs.writeFileSync(file, damaged);
      expect((await loadZhLexicon(dataDir)).get('退款')).toBe('tui4 kuan3');
      expect(fs.readFileSync(file, 'utf8')).toBe(whole);
    }
  }, 180_000);

  it('writes and reads the list losslessly, dropped words included', () => {
    const lexicon = new Map<string, string | null>([
      ['退款', 'tui4 kuan3'],
      ['的', null],
      ['valueOf', 'x'],
      ['', null],
    ]);
    expect(parseLexicon(formatLexicon(lexicon))).toEqual(lexicon);
    expect(parseLexicon('')).toBeNull();
  });

  it('derives stems with StemmerZh rules: particles dropped, "you" as ni3, both scripts found, comments skipped', () => {
    const cedict = [
      '# comment',
      "的 的 [de5] /of/~'s (possessive particle)/",
      '吗 吗 [ma5] /(question tag)/',
      '嗎 吗 [ma5] /(modal particle, question)/',
      '你 你 [ni3] /you (informal)/',
      '課 课 [ke4] /class/',
      '課程 课程 [ke4 cheng2] /course/',
    ].join('\n');
    const lexicon = deriveZhLexicon(cedict);
    expect(lexicon.get('的')).toBeNull();
    expect(lexicon.get('你')).toBe('ni3');
    expect(lexicon.get('课程')).toBe('ke4 cheng2');
    expect(lexicon.get('課程')).toBe('ke4 cheng2');
    // 吗 is the simplified form of both lines: its entries include the modal particle.
    expect(lexicon.get('吗')).toBeNull();
    expect(lexicon.get('嗎')).toBeNull();
    expect(lexicon.has('# comment')).toBe(false);
  });
});
