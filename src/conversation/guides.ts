// Troubleshooting guides (intents/guides/guides.json): the one whose symptom words the buyer used,
// among those for the product's category, else the category's general guide.
import fs from 'node:fs/promises';
import { z } from 'zod';
import { LOCALES, PRODUCT_CATEGORIES, type Locale, type ProductCategory } from '../domain/index.ts';
import { INTENTS_DIR } from '../nlu/index.ts';

const bilingual = z.strictObject({ zh: z.string().min(1), en: z.string().min(1) });
const steps = z.strictObject({ zh: z.array(z.string().min(1)).min(1), en: z.array(z.string().min(1)).min(1) });
const guidesSchema = z.strictObject({
  about: z.string().optional(),
  support: bilingual,
  guides: z.array(
    z.strictObject({
      id: z.string().regex(/^[a-z0-9-]+$/),
      categories: z.array(z.enum(PRODUCT_CATEGORIES)).min(1),
      keywords: z.strictObject({ zh: z.array(z.string()), en: z.array(z.string()) }),
      title: bilingual,
      steps,
    }),
  ),
  fallback: z.strictObject({ title: bilingual, steps }),
});
export type GuideBook = z.infer<typeof guidesSchema>;

export interface Guide {
  id: string;
  title: string;
  steps: string[];
  support: string;
}

export async function loadGuides(file = `${INTENTS_DIR}guides/guides.json`): Promise<GuideBook> {
  return guidesSchema.parse(JSON.parse(await fs.readFile(file, 'utf8')));
}

export function pickGuide(book: GuideBook, category: ProductCategory, text: string, locale: Locale): Guide {
  const lower = text.toLowerCase();
  let best: GuideBook['guides'][number] | undefined;
  let bestHits = 0;
  for (const guide of book.guides) {
    if (!guide.categories.includes(category)) continue;
    // Words of both languages count: buyers mix them ("app闪退").
    const hits = LOCALES.flatMap((l) => guide.keywords[l]).filter((k) => lower.includes(k.toLowerCase())).length;
    if (hits > bestHits) {
      best = guide;
      bestHits = hits;
    }
  }
  const chosen = best ?? { id: 'general', title: book.fallback.title, steps: book.fallback.steps };
  return { id: chosen.id, title: chosen.title[locale], steps: chosen.steps[locale], support: book.support[locale] };
}
