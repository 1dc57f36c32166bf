// The bot's understanding of free text (M10, M28): node-nlp trained from intents/, one model for
// Chinese and English, cached in DATA_DIR/nlu keyed by a hash of the corpora (trained once, not on
// every start). classify() adds the language, order numbers, the standard reason code (M9) and the
// technical-problem words (M10).
import fs from 'node:fs/promises';
import path from 'node:path';
import { NlpManager } from 'node-nlp';
import type { Locale, ReasonCode } from '../domain/catalog.ts';
import type { Logger } from '../logger.ts';
import { INTENTS, REFUND_INTENTS, loadNluData, type Intent, type NluData } from './corpus.ts';
import { classifyBayes, trainBayes, type BayesModel } from './ngram-bayes.ts';
import { detectLanguage, orderNumbers, technicalKeywords } from './text-features.ts';

export interface Classification {
  intent: Intent;
  /** The standard reason (M9) a refund intent stands for; null for the others. */
  reasonCode: ReasonCode | null;
  language: Locale;
  score: number;
  entities: { orderIds: string[]; technicalKeywords: string[] };
}

/** Below this score the message is not understood (None). Chosen with the weight below on the
 * held-out set and the external rows together (scripts/eval-nlu.ts), not on either alone. */
export const MIN_SCORE = 0.55;
/** How much node-nlp's neural classifier counts against the n-gram model in the blend. */
const NEURAL_WEIGHT = 0.35;
/** Only the start of a very long message is classified: the request comes first, the story after. */
const MAX_CHARS = 1_000;

const REASON_OF: Partial<Record<Intent, ReasonCode>> = {
  'refund.changed_mind': 'changed_mind',
  'refund.unsatisfied': 'unsatisfied',
  'refund.cannot_use': 'cannot_use',
  'refund.request': 'other',
};

interface Manager {
  addDocument(locale: string, utterance: string, intent: string): void;
  train(): Promise<void>;
  process(locale: string, utterance: string): Promise<{ intent: string; score: number; classifications?: Array<{ intent: string; score: number }> }>;
  export(minified?: boolean): string;
  import(data: string): void;
}

function newManager(): Manager {
  return new NlpManager({
    languages: ['zh', 'en'],
    forceNER: false,
    autoSave: false,
    autoLoad: false,
    calculateSentiment: false,
    nlu: { log: false },
    ner: { builtins: [] },
  }) as unknown as Manager;
}

/** Builds the classifier on first use, once, however many callers ask at the same time. */
export class LazyNlu {
  private pending: Promise<NluClassifier> | null = null;

  constructor(private readonly options: { dataDir: string | null; log?: Logger }) {}

  get(): Promise<NluClassifier> {
    this.pending ??= NluClassifier.create(this.options).catch((error: unknown) => {
      this.pending = null; // a failed build is retried by the next caller
      throw error;
    });
    return this.pending;
  }
}

export class NluClassifier {
  private constructor(
    private readonly manager: Manager,
    private readonly bayes: BayesModel,
    private readonly data: NluData,
  ) {}

  /** Loads the cached model for these corpora, or trains and caches it. */
  static async create(options: { dataDir: string | null; log?: Logger; data?: NluData }): Promise<NluClassifier> {
    const data = options.data ?? (await loadNluData());
    const manager = newManager();
    const file = options.dataDir ? path.join(options.dataDir, 'nlu', `model-${data.hash}.json`) : null;
    const cached = file ? await fs.readFile(file, 'utf8').catch(() => null) : null;
    if (cached) {
      const saved = JSON.parse(cached) as { nlp: string; bayes: BayesModel };
      manager.import(saved.nlp);
      options.log?.debug({ file }, 'NLU model loaded from cache');
      return new NluClassifier(manager, saved.bayes, data);
    }
    const started = Date.now();
    for (const locale of ['zh', 'en'] as const) {
      for (const intent of INTENTS) {
        for (const utterance of data.corpora[locale][intent] ?? []) manager.addDocument(locale, utterance, intent);
      }
    }
    // node-nlp's Chinese tokenizer prints "Compiling dictionary" to stdout while training; the
    // desk's stdout carries JSON logs and `refund-desk nlu` output, so it is silenced meanwhile.
    const print = console.log;
    console.log = () => undefined;
    try {
      await manager.train();
    } finally {
      console.log = print;
    }
    const bayes = trainBayes(data.corpora as Record<Locale, Record<string, string[]>>);
    options.log?.info({ ms: Date.now() - started, hash: data.hash }, 'NLU model trained');
    if (file) {
      await fs.mkdir(path.dirname(file), { recursive: true });
      // Written whole then renamed, so a concurrent reader never sees half a model.
      const tmp = `${file}.${process.pid}.tmp`;
      await fs.writeFile(tmp, JSON.stringify({ nlp: manager.export(true), bayes }));
      await fs.rename(tmp, file);
    }
    return new NluClassifier(manager, bayes, data);
  }

  async classify(text: string, options: { locale?: Locale } = {}): Promise<Classification> {
    const clean = text.replace(/\p{Cc}/gu, ' ').trim().slice(0, MAX_CHARS);
    const language = detectLanguage(clean, options.locale ?? 'zh');
    const entities = { orderIds: orderNumbers(clean), technicalKeywords: technicalKeywords(clean, this.data.technicalKeywords[language]) };
    if (clean.length === 0) return { intent: 'None', reasonCode: null, language, score: 0, entities };
    const { intent: best, score } = await this.blend(language, clean);
    let intent: Intent = score >= MIN_SCORE ? best : 'None';
    // M10: a refund asked for because something does not work is a technical problem first.
    if (entities.technicalKeywords.length > 0 && REFUND_INTENTS.has(intent)) intent = 'refund.cannot_use';
    return { intent, reasonCode: REASON_OF[intent] ?? null, language, score: Math.round(score * 1000) / 1000, entities };
  }

  /** node-nlp's classifications and the n-gram model's posterior, averaged; the best intent wins. */
  private async blend(language: Locale, text: string): Promise<{ intent: Intent; score: number }> {
    const result = await this.manager.process(language, text);
    const neural: Record<string, number> = {};
    for (const c of result.classifications ?? [{ intent: result.intent, score: result.score }]) neural[c.intent] = c.score;
    const bayes = classifyBayes(this.bayes, language, text);
    let best: Intent = 'None';
    let bestScore = 0;
    let refundFamily = 0;
    for (const intent of INTENTS) {
      const s = bayes ? NEURAL_WEIGHT * (neural[intent] ?? 0) + (1 - NEURAL_WEIGHT) * (bayes[intent] ?? 0) : (neural[intent] ?? 0);
      if (REFUND_INTENTS.has(intent)) refundFamily += s;
      if (s > bestScore) {
        best = intent;
        bestScore = s;
      }
    }
    // "我要退款，冲动消费了" is split between "a refund" and "a refund because I changed my mind": both
    // are a refund request. When the best intent is a refund and the refund intents together are sure
    // enough, the message is a refund (with the best one's reason), not "not understood".
    if (REFUND_INTENTS.has(best) && bestScore < MIN_SCORE) return { intent: best, score: refundFamily };
    return { intent: best, score: bestScore };
  }
}
