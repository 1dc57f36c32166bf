// The NLU corpora and technical keywords in intents/ (data a non-programmer can extend), validated.
import { createHash } from 'node:crypto';
import fs from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { LOCALES, type Locale } from '../domain/catalog.ts';

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
export const REFUND_INTENTS: ReadonlySet<Intent> = new Set(['refund.changed_mind', 'refund.unsatisfied', 'refund.cannot_use', 'refund.request']);

export const INTENTS_DIR = fileURLToPath(new URL('../../intents/', import.meta.url));

const corpusSchema = z.strictObject({
  language: z.enum(LOCALES),
  about: z.string().optional(),
  intents: z.record(z.enum(INTENTS), z.array(z.string().min(1).max(500)).min(1)),
});
const keywordsSchema = z.strictObject({ about: z.string().optional(), zh: z.array(z.string().min(1)), en: z.array(z.string().min(1)) });

export interface NluData {
  corpora: Record<Locale, Partial<Record<Intent, string[]>>>;
  technicalKeywords: Record<Locale, string[]>;
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
    if (!parsed.success) throw new Error(`intents/corpus/${locale}.json: ${parsed.error.issues[0]?.path.join('.')} ${parsed.error.issues[0]?.message}`);
    corpora[locale] = parsed.data.intents;
  }
  const keywords = keywordsSchema.parse(await read('technical-keywords.json'));
  return { corpora, technicalKeywords: { zh: keywords.zh, en: keywords.en }, hash: hash.digest('hex').slice(0, 16) };
}
