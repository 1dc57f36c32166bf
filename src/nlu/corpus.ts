// The NLU corpora and technical keywords in intents/ (data a non-programmer can extend), validated.
import { createHash } from 'node:crypto';
import fs from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { LOCALES, PRODUCT_CATEGORIES, type Locale, type ProductCategory } from '../domain/index.ts';

export const INTENTS = [
  'refund.changed_mind',
  'refund.unsatisfied',
  'refund.cannot_use',
  'refund.request',
  'refund.status',
  'refund.cancel',
  /** Cancel an order: virtual goods are delivered at once, so the bot asks whether a refund is meant. */
  'order.cancel',
  'agent.request',
  'policy.ask',
  'greeting',
  'None',
] as const;
export type Intent = (typeof INTENTS)[number];

/** Intents that ask for money back: what a near-miss must not be taken for. */
export const REFUND_INTENTS: ReadonlySet<Intent> = new Set([
  'refund.changed_mind',
  'refund.unsatisfied',
  'refund.cannot_use',
  'refund.request',
]);

export const INTENTS_DIR = fileURLToPath(new URL('../../intents/', import.meta.url));

const corpusSchema = z.strictObject({
  language: z.enum(LOCALES),
  about: z.string().optional(),
  intents: z.record(z.enum(INTENTS), z.array(z.string().min(1).max(500)).min(1)),
});
const keywordsSchema = z.strictObject({ about: z.string().optional(), zh: z.array(z.string().min(1)), en: z.array(z.string().min(1)) });
const bilingualWords = z.strictObject({ zh: z.array(z.string().min(1)), en: z.array(z.string().min(1)) });
const orderWordsSchema = z.strictObject({
  about: z.string().optional(),
  categories: z.strictObject(
    Object.fromEntries(PRODUCT_CATEGORIES.map((c) => [c, bilingualWords])) as Record<ProductCategory, typeof bilingualWords>,
  ),
  time: z.array(
    z.strictObject({
      id: z.string().regex(/^[a-z_]+$/),
      /** The most recent order, however old. */
      newest: z.boolean().optional(),
      /** Paid between this many hours ago (inclusive) and that many. */
      hours: z.tuple([z.number().min(0), z.number().min(0)]).optional(),
      zh: z.array(z.string().min(1)),
      en: z.array(z.string().min(1)),
    }),
  ),
  /** Names for the same product word ("PPT" and "PowerPoint", "摄影" and "photography"). */
  aliases: z.array(z.array(z.string().min(1)).min(2)).default([]),
});
export type OrderWords = z.infer<typeof orderWordsSchema>;
const answersSchema = z.strictObject({
  about: z.string().optional(),
  unsolved: bilingualWords,
  solved: bilingualWords,
  no: bilingualWords,
  yes: bilingualWords,
  more: bilingualWords,
  /** Taking the appeal a refusal offered ("申诉", "appeal"). */
  appeal: bilingualWords,
  refundNegations: bilingualWords,
});
export type AnswerLexicon = z.infer<typeof answersSchema>;

export interface NluData {
  corpora: Record<Locale, Partial<Record<Intent, string[]>>>;
  technicalKeywords: Record<Locale, string[]>;
  /** How buyers name an order without its number (intents/order-words.json). */
  orderWords: OrderWords;
  /** Short answers to the bot's questions and negated refund words (intents/answers.json). */
  answers: AnswerLexicon;
  /** Changes whenever any of the data changes: the key of the trained model's cache. */
  hash: string;
}

export async function loadNluData(dir = INTENTS_DIR): Promise<NluData> {
  const hash = createHash('sha256');
  const read = async (file: string) => {
    const text = await fs.readFile(`${dir}${file}`, 'utf8');
    hash.update(file).update(text);
    return JSON.parse(text) as unknown;
  };
  const corpora = {} as NluData['corpora'];
  for (const locale of LOCALES) {
    const parsed = corpusSchema.safeParse(await read(`corpus/${locale}.json`));
    if (!parsed.success)
      throw new Error(`intents/corpus/${locale}.json: ${parsed.error.issues[0]?.path.join('.')} ${parsed.error.issues[0]?.message}`);
    corpora[locale] = parsed.data.intents;
  }
  const keywords = keywordsSchema.parse(await read('technical-keywords.json'));
  const orderWords = orderWordsSchema.parse(await read('order-words.json'));
  const answers = answersSchema.parse(await read('answers.json'));
  return { corpora, technicalKeywords: { zh: keywords.zh, en: keywords.en }, orderWords, answers, hash: hash.digest('hex').slice(0, 16) };
}
