// The bot's understanding of free text (M10, M28): node-nlp trained from intents/, one model for
// Chinese and English, cached in DATA_DIR/nlu keyed by a hash of the corpora (trained once, not on
// every start). classify() adds the language, order numbers, the standard reason code (M9) and the
// technical-problem words (M10). The engine is node-nlp's own classifier without the rest of
// node-nlp (nlp-engine.ts): one model for both languages, the Chinese word list in its smallest form.
import fs from 'node:fs/promises';
import path from 'node:path';
import { LOCALES, PRODUCT_CATEGORIES, type Locale, type ReasonCode } from '../domain/index.ts';
import type { Logger } from '../logger.ts';
import { loadZhLexicon } from './zh-lexicon.ts';
import { INTENTS, REFUND_INTENTS, loadNluData, type Intent, type NluData } from './corpus.ts';
import { classifyBayes, trainBayes, type BayesModel } from './ngram-bayes.ts';
import { createNlpEngine, type NlpEngine } from './nlp-engine.ts';
import {
  containsWord,
  detectLanguage,
  maskNouns,
  opensRequest,
  orderNumbers,
  readAnswer,
  scripts,
  splitClauses,
  technicalKeywords,
  wordPattern,
  type Answer,
  type AnswerWords,
} from './text-features.ts';

/** One clause's reading, when a message asks for several things ("…退了吧，还有会员也登不上去"). */
export interface ClauseReading {
  text: string;
  intent: Intent;
  reasonCode: ReasonCode | null;
  score: number;
}

export interface Classification {
  intent: Intent;
  /** The standard reason (M9) a refund intent stands for; null for the others. */
  reasonCode: ReasonCode | null;
  language: Locale;
  score: number;
  entities: { orderIds: string[]; technicalKeywords: string[] };
  /** The likeliest readings other than None, best first, even below the threshold: what a clarifying question offers. */
  candidates: Array<{ intent: Intent; score: number }>;
  /** Each request of a message that asks for several things, in the buyer's order; empty for one request. */
  parts: ClauseReading[];
  /** A short answer to a question of the bot's (yes, no, solved, still not working, more), or null. */
  answer: Answer | null;
  /** The reason the message gives, even when it asks for something else as a whole ("取消订单，买错了"). */
  statedReason: ReasonCode | null;
}

export interface ClassifyOptions {
  /** The conversation's language, used when the message itself does not tell (emoji, digits). */
  locale?: Locale;
  /** More product nouns to mask, e.g. the words of the buyer's own product titles. */
  nouns?: readonly string[];
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

/** A sentence as compared with the corpus: lower case, without punctuation, emoji or spaces. */
const normalise = (text: string) => text.toLowerCase().replace(/[^\p{L}\p{N}]+/gu, '');

function exampleIndex(data: NluData): Map<string, Intent> {
  const seen = new Map<string, Intent | null>();
  for (const locale of LOCALES) {
    for (const intent of INTENTS) {
      for (const u of data.corpora[locale][intent] ?? []) {
        const key = normalise(u);
        if (key) seen.set(key, seen.has(key) && seen.get(key) !== intent ? null : intent);
      }
    }
  }
  // A sentence listed under two intents decides nothing.
  return new Map([...seen].filter((e): e is [string, Intent] => e[1] !== null));
}

function categoryNouns(data: NluData): RegExp | null {
  return wordPattern(PRODUCT_CATEGORIES.flatMap((c) => LOCALES.flatMap((l) => data.orderWords.categories[c][l])));
}

/** Builds the classifier on first use, once, however many callers ask at the same time. */
export class LazyNlu {
  private pending: Promise<NluClassifier> | null = null;
  private loaded = false;

  /** Whether the model is loaded and warmed up (the desk listens only then). */
  get ready(): boolean {
    return this.loaded;
  }

  constructor(private readonly options: { dataDir: string | null; log?: Logger }) {}

  get(): Promise<NluClassifier> {
    this.pending ??= NluClassifier.create(this.options)
      .then(async (classifier) => {
        // node-nlp builds its tokenizers and the Chinese dictionary on the first message of each
        // language: done here, so the first buyer after a start waits no longer than the next.
        await classifier.warmUp();
        this.loaded = true;
        return classifier;
      })
      .catch((error: unknown) => {
        this.pending = null; // a failed build is retried by the next caller
        throw error;
      });
    return this.pending;
  }
}

export class NluClassifier {
  /** Product nouns of every category, both languages: masked before classifying. */
  private readonly nouns: RegExp | null;
  private readonly negations: RegExp | null;
  /** Each corpus sentence (normalised) and its intent: a sentence of the corpus typed as it is, is that intent. */
  private readonly examples: Map<string, Intent>;
  /** Both languages' technical words: buyers mix them ("app闪退"). */
  private readonly technicalWords: string[];
  private readonly answerWords: AnswerWords;

  private constructor(
    private readonly manager: NlpEngine,
    private readonly bayes: BayesModel,
    private readonly data: NluData,
  ) {
    this.nouns = categoryNouns(data);
    this.examples = exampleIndex(data);
    this.technicalWords = [...new Set(LOCALES.flatMap((l) => data.technicalKeywords[l]))];
    const both = (words: { zh: string[]; en: string[] }) => wordPattern([...words.zh, ...words.en]);
    this.negations = both(data.answers.refundNegations);
    this.answerWords = {
      unsolved: both(data.answers.unsolved),
      solved: both(data.answers.solved),
      no: both(data.answers.no),
      yes: both(data.answers.yes),
      more: both(data.answers.more),
      appeal: both(data.answers.appeal),
    };
  }

  /** The order words of intents/, for the dialogue's order resolution. */
  get orderWords(): NluData['orderWords'] {
    return this.data.orderWords;
  }

  /** Loads the cached model for these corpora, or trains and caches it. */
  static async create(options: { dataDir: string | null; log?: Logger; data?: NluData }): Promise<NluClassifier> {
    const data = options.data ?? (await loadNluData());
    const manager = createNlpEngine(await loadZhLexicon(options.dataDir));
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
    await manager.train();
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

  /** One classification per language, so the first real message finds everything built. */
  async warmUp(): Promise<void> {
    await this.classify('我要退款', { locale: 'zh' });
    await this.classify('I want a refund', { locale: 'en' });
  }

  async classify(text: string, options: ClassifyOptions = {}): Promise<Classification> {
    const clean = text
      .replace(/\p{Cc}/gu, ' ')
      .trim()
      .slice(0, MAX_CHARS);
    const language = detectLanguage(clean, options.locale ?? 'zh');
    // Buyers mix languages ("app闪退", "the 课 won't play"): both lists of technical words count.
    const technical = technicalKeywords(clean, this.technicalWords);
    const entities = { orderIds: orderNumbers(clean), technicalKeywords: technical };
    const answer = readAnswer(clean, this.answerWords, technical);
    if (clean.length === 0)
      return { intent: 'None', reasonCode: null, language, score: 0, entities, candidates: [], parts: [], answer, statedReason: null };
    const extra = options.nouns?.length ? wordPattern(options.nouns) : null;
    const reading = await this.read(clean, language, extra);
    const groups = await this.readGroups(clean, language, extra);
    // Read clause by clause, one request may say more than the whole did: "取消订单，买错了" is a
    // refund for a mistake; "会员还没激活，还能退吗" asks about the rules.
    if (groups.length === 1 && refines(reading.intent, groups[0]!.intent)) reading.intent = groups[0]!.intent;
    // The whole was not sure, but a clause asks for a refund plainly ("the python course isn't what
    // I expected, I'd like a refund"): a long message dilutes what one of its parts says outright.
    else if (groups.length === 1 && reading.intent === 'None' && isRefundLike(groups[0]!.intent) && groups[0]!.score >= SURE_SEPARATE)
      reading.intent = groups[0]!.intent;
    const stated = SPOKEN.has(reading.intent) ? reading.intent : groups.find((g) => SPOKEN.has(g.intent))?.intent;
    return {
      intent: reading.intent,
      reasonCode: REASON_OF[reading.intent] ?? null,
      language,
      score: reading.score,
      entities,
      candidates: reading.candidates,
      parts: groups.length >= 2 ? groups : [],
      answer,
      statedReason: stated ? (REASON_OF[stated] ?? null) : null,
    };
  }

  /**
   * The intent of one text: the buyer's own product titles masked, both languages tried when it
   * mixes them, then negation, then M10. A "cannot use" reading must come from words that describe
   * a problem, not from a product noun: without a technical word it is read again with the nouns
   * masked, and it stands only when the models are sure of it; otherwise the buyer's other reason
   * is theirs ("买错了激活码" is a mistake, not a broken key).
   */
  private async read(
    text: string,
    language: Locale,
    extra: RegExp | null,
  ): Promise<{ intent: Intent; score: number; candidates: Array<{ intent: Intent; score: number }> }> {
    const own = maskNouns(text, extra);
    let best = await this.blendBoth(language, own);
    // The shortest messages ("退款", "refund") have too few words for the models to be sure of; a
    // message that is one of the corpus's own sentences means what the corpus says it means.
    const example = this.examples.get(normalise(own));
    if (example) best = { ...best, intent: example, score: Math.max(best.score, 1) };
    let intent: Intent = best.score >= MIN_SCORE ? best.intent : 'None';
    const technical = technicalKeywords(text, this.technicalWords);
    if (intent === 'refund.cannot_use' && technical.length === 0 && !example) {
      const bare = maskNouns(own, this.nouns);
      const again = /[\p{L}]/u.test(bare) ? await this.blendBoth(language, bare) : null;
      // Nothing but product nouns ("Office激活码"): a name, not a problem.
      if (!again) intent = 'None';
      else if (
        again.score >= MIN_SCORE &&
        again.intent !== 'None' &&
        (again.intent !== 'refund.cannot_use' || again.score < SURE_CANNOT_USE)
      ) {
        best = again;
        intent = again.intent === 'refund.cannot_use' ? (otherReason(again.candidates) ?? 'refund.request') : again.intent;
      }
    }
    // "还是不退了" is a refund word negated: the buyer is withdrawing, not asking.
    if ((REFUND_INTENTS.has(intent) || intent === 'None') && containsWord(text, this.negations)) intent = 'refund.cancel';
    // M10: a refund asked for because something does not work is a technical problem first; so is
    // one the models were not sure was a refund ("app闪退了 refund"), as long as a refund was their
    // best guess (an error report about something else, "a payment error", stays unread).
    const refundGuess =
      intent === 'None' &&
      best.candidates[0] !== undefined &&
      REFUND_INTENTS.has(best.candidates[0].intent) &&
      best.candidates[0].score >= 0.3;
    if (technical.length > 0 && (REFUND_INTENTS.has(intent) || refundGuess)) intent = 'refund.cannot_use';
    return { intent, score: Math.round(best.score * 1000) / 1000, candidates: best.candidates };
  }

  /** A mixed message ("Excel那个lesson想退") is read by both models; the surer reading counts. */
  private async blendBoth(language: Locale, text: string): Promise<Blend> {
    const best = await this.blend(language, text);
    const { cjk, latin } = scripts(text);
    if (cjk === 0 || latin < 3) return best;
    const other = await this.blend(language === 'zh' ? 'en' : 'zh', text);
    // A model that reads nothing in the text (the English one on "播放的时候卡成PPT了") is sure of
    // "None"; that is no reading to prefer over one that understood something.
    if (other.intent === 'None') return best;
    if (best.intent === 'None') return other;
    return other.score > best.score ? other : best;
  }

  /**
   * The requests of a message, clause by clause. A clause with no request of its own (a greeting,
   * an order number, "一直报错" after "登不上去") joins the one before; clauses about one refund
   * ("不想要了，退了吧", "取消订单，买错了") are one request; a question whether it can be refunded
   * takes the facts around it as its context. A new request starts with a word like "还有" / "also",
   * or is a clearly different kind of request (status, a person, the rules).
   */
  private async readGroups(text: string, language: Locale, extra: RegExp | null): Promise<ClauseReading[]> {
    const clauses = splitClauses(text);
    if (clauses.length < 2) return [];
    const comma = language === 'zh' ? '，' : ', ';
    const groups: ClauseReading[] = [];
    let leading = '';
    for (const clause of clauses) {
      // A clause that only gives the order number ("order o_123") asks for nothing of its own.
      const r = namesOnlyAnOrder(clause)
        ? { intent: 'None' as Intent, score: 0 }
        : await this.read(clause, detectLanguage(clause, language), extra);
      const last = groups.at(-1);
      const opensNew = opensRequest(clause);
      if (r.intent === 'None' || r.intent === 'greeting') {
        if (last && !opensNew) last.text = `${last.text}${comma}${clause}`;
        else leading = leading ? `${leading}${comma}${clause}` : clause;
        continue;
      }
      // Withdrawing counts only when said outright ("不退了", "撤回"); "年终总结不用我做了" is a reason.
      const intent: Intent = r.intent === 'refund.cancel' && !containsWord(clause, this.negations) ? 'refund.request' : r.intent;
      const reading: ClauseReading = {
        text: leading ? `${leading}${comma}${clause}` : clause,
        intent,
        reasonCode: REASON_OF[intent] ?? null,
        score: r.score,
      };
      leading = '';
      if (last && !opensNew && belongTogether(last, reading)) {
        last.text = `${last.text}${comma}${clause}`;
        const merged = mergedIntent(last.intent, reading.intent);
        last.intent = merged;
        last.reasonCode = REASON_OF[merged] ?? null;
        last.score = Math.max(last.score, r.score);
        continue;
      }
      groups.push(reading);
    }
    if (leading && groups.length > 0) groups.at(-1)!.text = `${groups.at(-1)!.text}${comma}${leading}`;
    return groups;
  }

  /** node-nlp's classifications and the n-gram model's posterior, averaged; the best intent wins. */
  private async blend(language: Locale, text: string): Promise<Blend> {
    const result = await this.manager.process(language, text);
    const neural: Record<string, number> = {};
    for (const c of result.classifications ?? [{ intent: result.intent, score: result.score }]) neural[c.intent] = c.score;
    const bayes = classifyBayes(this.bayes, language, text);
    const scores: Array<{ intent: Intent; score: number }> = [];
    let best: Intent = 'None';
    let bestScore = 0;
    let refundFamily = 0;
    for (const intent of INTENTS) {
      const s = bayes ? NEURAL_WEIGHT * (neural[intent] ?? 0) + (1 - NEURAL_WEIGHT) * (bayes[intent] ?? 0) : (neural[intent] ?? 0);
      if (REFUND_INTENTS.has(intent)) refundFamily += s;
      if (intent !== 'None') scores.push({ intent, score: Math.round(s * 1000) / 1000 });
      if (s > bestScore) {
        best = intent;
        bestScore = s;
      }
    }
    const candidates = scores.sort((a, b) => b.score - a.score).slice(0, 3);
    // "我要退款，冲动消费了" is split between "a refund" and "a refund because I changed my mind": both
    // are a refund request. When the best intent is a refund and the refund intents together are sure
    // enough, the message is a refund (with the best one's reason), not "not understood".
    if (REFUND_INTENTS.has(best) && bestScore < MIN_SCORE) return { intent: best, score: refundFamily, candidates };
    return { intent: best, score: bestScore, candidates };
  }
}

/** "订单 o_123", "order #A12345": an order number and the word for it, nothing else. */
function namesOnlyAnOrder(clause: string): boolean {
  let rest = clause;
  for (const id of orderNumbers(clause)) rest = rest.split(id).join(' ');
  if (rest === clause) return false;
  return rest.replace(/订单号?|单号|编号|\b(?:order|no|number|id)\b|[#:：\s\p{P}]/giu, '').length === 0;
}

type Blend = { intent: Intent; score: number; candidates: Array<{ intent: Intent; score: number }> };

/** Below this a "cannot use" reading with no technical word is not believed (M10: the words must describe a problem). */
const SURE_CANNOT_USE = 0.8;
/** A clause of another kind of request, with no word opening it, counts as a request of its own only this sure. */
const SURE_SEPARATE = 0.8;

const SPOKEN: ReadonlySet<Intent> = new Set(['refund.changed_mind', 'refund.unsatisfied', 'refund.cannot_use']);

/** The best refund reason other than "cannot use" among the candidates, when it is a real contender. */
function otherReason(candidates: Array<{ intent: Intent; score: number }>): Intent | null {
  return candidates.find((c) => REFUND_INTENTS.has(c.intent) && c.intent !== 'refund.cannot_use' && c.score >= 0.15)?.intent ?? null;
}

/** Refund intents and "cancel my order" are one kind of request (a refund, differing by reason). */
const isRefundLike = (intent: Intent) => REFUND_INTENTS.has(intent) || intent === 'order.cancel';

function belongTogether(last: ClauseReading, next: ClauseReading): boolean {
  if (isRefundLike(last.intent) && isRefundLike(next.intent)) return true;
  if (last.intent === next.intent) return true;
  // A question about the rules with the order's facts beside it ("会员还没激活，还能退吗"); not a
  // refund asked for outright or for a reason ("乱买的，能退不" is a refund for a mistake).
  if ((last.intent === 'policy.ask' && isFact(next.intent)) || (next.intent === 'policy.ask' && isFact(last.intent))) return true;
  if (last.intent === 'policy.ask' || next.intent === 'policy.ask') return false;
  // Withdrawing beside anything about a refund is one thought ("算了，不退了", "never mind, I'll keep it").
  if (last.intent === 'refund.cancel' || next.intent === 'refund.cancel') return true;
  return next.score < SURE_SEPARATE || last.score < SURE_SEPARATE;
}

/** A clause that states what happened rather than asking for a refund: what a rules question may carry. */
const isFact = (intent: Intent) => intent === 'refund.cannot_use';

/** What two clauses of one request ask, together. */
function mergedIntent(a: Intent, b: Intent): Intent {
  if (a === b) return a;
  if (a === 'policy.ask' || b === 'policy.ask') return 'policy.ask';
  if (a === 'refund.cancel' || b === 'refund.cancel') return 'refund.cancel';
  if (SPOKEN.has(a) && SPOKEN.has(b)) return a === 'refund.cannot_use' || b === 'refund.cannot_use' ? 'refund.cannot_use' : a;
  if (SPOKEN.has(a)) return a;
  if (SPOKEN.has(b)) return b;
  return isRefundLike(a) && a !== 'order.cancel' ? a : b;
}

/** Whether a reading clause by clause says more than the reading of the whole message. */
function refines(whole: Intent, clauses: Intent): boolean {
  if (whole === clauses) return false;
  if (SPOKEN.has(clauses) && whole === 'refund.request') return true;
  if (clauses === 'policy.ask' && isFact(whole)) return true;
  return clauses === 'refund.cancel' && (isRefundLike(whole) || whole === 'None');
}
