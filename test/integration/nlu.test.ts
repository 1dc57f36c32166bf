// The bot's understanding (M10, M28) with the real corpora and the real node-nlp model.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NluClassifier } from '../../src/nlu/classifier.ts';
import { INTENTS, loadNluData } from '../../src/nlu/corpus.ts';
import { evaluate } from '../../scripts/eval-nlu.ts';

let classifier: NluClassifier;
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'nlu-'));
beforeAll(async () => {
  classifier = await NluClassifier.create({ dataDir });
}, 120_000);
afterAll(() => fs.rmSync(dataDir, { recursive: true, force: true }));

describe('corpora (intents/)', () => {
  it('have at least 40 utterances per intent per language, none taken from the held-out or external rows', async () => {
    const data = await loadNluData();
    const heldout = new Set(
      fs
        .readFileSync(new URL('../fixtures/nlu-heldout.jsonl', import.meta.url), 'utf8')
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l).text as string),
    );
    const externalDir = new URL('../../../shared/data/external-nlu/', import.meta.url);
    const external = new Set<string>();
    if (fs.existsSync(externalDir)) {
      for (const f of fs.readdirSync(externalDir).filter((x) => x.endsWith('.jsonl'))) {
        for (const l of fs.readFileSync(new URL(f, externalDir), 'utf8').trim().split('\n'))
          external.add((JSON.parse(l).text as string).trim().toLowerCase());
      }
    }
    for (const locale of ['zh', 'en'] as const) {
      for (const intent of INTENTS) {
        const utterances = data.corpora[locale][intent] ?? [];
        expect(utterances.length, `${locale} ${intent}`).toBeGreaterThanOrEqual(40);
        expect(utterances.filter((u) => heldout.has(u) || external.has(u.trim().toLowerCase()))).toEqual([]);
      }
    }
  });
});

describe('classifier', () => {
  it.each([
    ['我买错了，点错了', 'refund.changed_mind', 'changed_mind', 'zh'],
    ['内容和宣传的不一样，太水了', 'refund.unsatisfied', 'unsatisfied', 'zh'],
    ['视频播放不了', 'refund.cannot_use', 'cannot_use', 'zh'],
    ['我要退款', 'refund.request', 'other', 'zh'],
    // Split between "a refund" and "changed my mind": still a refund, with the reason (the refund family counts together).
    ['我要退款，冲动消费了', 'refund.changed_mind', 'changed_mind', 'zh'],
    ['我的退款到哪了', 'refund.status', null, 'zh'],
    ['不退了，取消退款', 'refund.cancel', null, 'zh'],
    ['转人工', 'agent.request', null, 'zh'],
    ['多久内可以退款', 'policy.ask', null, 'zh'],
    ['谢谢', 'greeting', null, 'zh'],
    ['I clicked buy by mistake', 'refund.changed_mind', 'changed_mind', 'en'],
    ["the license key doesn't work", 'refund.cannot_use', 'cannot_use', 'en'],
    ['where is my refund', 'refund.status', null, 'en'],
    ['talk to a human', 'agent.request', null, 'en'],
    ['what is your refund policy', 'policy.ask', null, 'en'],
  ] as const)('%s → %s', async (text, intent, reasonCode, language) => {
    const c = await classifier.classify(text);
    expect(c).toMatchObject({ intent, reasonCode, language });
  });

  it.each([
    ['退款', 'zh'],
    ['我要退款', 'zh'],
    ['退款！！', 'zh'],
    ['refund', 'en'],
    ['Refund!', 'en'],
    ['I want a refund', 'en'],
  ] as const)('understands the plainest request "%s"', async (text, language) => {
    expect(await classifier.classify(text)).toMatchObject({ intent: 'refund.request', reasonCode: 'other', language });
  });

  it('reads a negated refund as withdrawing, not as asking', async () => {
    expect((await classifier.classify('还是不退了吧')).intent).toBe('refund.cancel');
    expect((await classifier.classify("I'll keep it, no refund then")).intent).toBe('refund.cancel');
  });

  it('never makes a technical problem of a product noun alone: the reason is the one the buyer gave', async () => {
    for (const text of ['激活码买错了', '激活码还没用，就是不想要了'])
      expect((await classifier.classify(text)).intent, text).toBe('refund.changed_mind');
    // With a word that describes a problem, the same noun is a technical problem (M10).
    expect((await classifier.classify('激活码提示无效')).intent).toBe('refund.cannot_use');
  });

  it("masks the nouns it is given (the buyer's own titles) and reads mixed-language messages with both models", async () => {
    const c = await classifier.classify('Excel那个lesson想退', { locale: 'zh', nouns: ['Excel'] });
    expect(c.language).toBe('zh');
    expect(['refund.request', 'refund.changed_mind']).toContain(c.intent);
  });

  it('splits a message that asks for two things into its requests, and keeps one request whole', async () => {
    const two = await classifier.classify('我的退款到哪了？还有我想转人工');
    expect(two.parts.map((p) => p.intent)).toEqual(['refund.status', 'agent.request']);
    expect((await classifier.classify('我买错了，想退款')).parts).toEqual([]);
    expect((await classifier.classify('你好，我要退款')).parts).toEqual([]);
  });

  it('offers the likeliest readings of a message it is not sure of', async () => {
    const c = await classifier.classify('那个钱的事');
    expect(c.candidates.length).toBeGreaterThan(0);
    expect(c.candidates.every((x) => x.intent !== 'None')).toBe(true);
  });

  it('reads short answers to its own questions, negative words first', async () => {
    expect((await classifier.classify('好了可以了')).answer).toBe('solved');
    expect((await classifier.classify('弄了半天还是打不开')).answer).toBe('unsolved');
    expect((await classifier.classify('still not working')).answer).toBe('unsolved');
    expect((await classifier.classify('不行')).answer).toBe('no');
    expect((await classifier.classify('是的')).answer).toBe('yes');
    expect((await classifier.classify('yes please')).answer).toBe('yes');
    expect((await classifier.classify('I know what I want, I want a refund for the course')).answer).toBeNull();
  });

  it('sends a refund asked for because something does not work to the technical flow (M10)', async () => {
    const c = await classifier.classify('这课不满意，而且一直报错用不了，退钱');
    expect(c.intent).toBe('refund.cannot_use');
    expect(c.entities.technicalKeywords).toEqual(expect.arrayContaining(['报错', '用不了']));
  });

  it('answers calmly for empty, huge, binary-looking and emoji-only messages', async () => {
    expect((await classifier.classify('')).intent).toBe('None');
    expect((await classifier.classify('   ')).intent).toBe('None');
    const huge = await classifier.classify(`我要退款${'啊'.repeat(10_000)}`);
    expect(huge.intent).toBe('refund.request');
    expect((await classifier.classify('\u0000\u0001\u0002\uFFFD\u0007')).intent).toBe('None');
    expect((await classifier.classify('😭😭😭🙏')).language).toBe('zh');
  });

  it('loads the cached model the second time instead of training again', async () => {
    // Beside the model: the Chinese word list (zh-lexicon-<version>.json), kept across corpus versions.
    const files = fs.readdirSync(path.join(dataDir, 'nlu')).filter((f) => f.startsWith('model-'));
    expect(files).toHaveLength(1);
    expect(fs.readdirSync(path.join(dataDir, 'nlu')).filter((f) => f.startsWith('zh-lexicon-'))).toHaveLength(1);
    const cachedAt = fs.statSync(path.join(dataDir, 'nlu', files[0]!)).mtimeMs;
    const again = await NluClassifier.create({ dataDir });
    expect((await again.classify('视频播放不了')).intent).toBe('refund.cannot_use');
    expect(fs.statSync(path.join(dataDir, 'nlu', files[0]!)).mtimeMs).toBe(cachedAt);
  });

  it('keeps the bars on text it never trained on (guards against corpus regressions)', async () => {
    const report = await evaluate(classifier);
    expect(report.results['heldout.zh']!.macroF1).toBeGreaterThanOrEqual(0.9);
    expect(report.results['heldout.en']!.macroF1).toBeGreaterThanOrEqual(0.9);
    if (report.available) {
      expect(report.external.direct!.correct / report.external.direct!.n).toBeGreaterThanOrEqual(0.85);
      expect(report.nearMiss.refund / report.nearMiss.n).toBeLessThanOrEqual(0.1);
    }
  }, 60_000);
});
