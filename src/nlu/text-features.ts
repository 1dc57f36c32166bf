// Cheap, deterministic features of a message: its language, the order numbers it names, and the
// technical-problem words of M10.
import type { Locale } from '../domain/catalog.ts';

const CJK = /[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]/g;
const LATIN = /[A-Za-z]/g;

/**
 * Chinese as soon as Chinese characters carry the message (mixed "这个app闪退" is Chinese); English
 * when Latin letters do; otherwise (emoji, digits, punctuation) the fallback, usually the buyer's
 * known locale, else Chinese, the platform's first language.
 */
export function detectLanguage(text: string, fallback: Locale = 'zh'): Locale {
  const cjk = text.match(CJK)?.length ?? 0;
  const latin = text.match(LATIN)?.length ?? 0;
  if (cjk === 0 && latin === 0) return fallback;
  // One Chinese character is worth about three Latin letters of meaning.
  return cjk * 3 >= latin ? 'zh' : 'en';
}

const ORDER_PATTERNS = [
  /\b(o_[A-Za-z0-9_-]{1,64})\b/g, // the platform's order ids
  /订单(?:号|编号)?\s*[:：#]?\s*([A-Za-z0-9_-]{4,64})/g,
  /\border\s*(?:no\.?|number|id|#)?\s*[:#]?\s*([A-Za-z0-9_-]*\d[A-Za-z0-9_-]{3,63})/gi,
];

export function orderNumbers(text: string): string[] {
  const found = new Set<string>();
  for (const pattern of ORDER_PATTERNS) {
    for (const match of text.matchAll(pattern)) found.add(match[1]!);
  }
  return [...found];
}

export function technicalKeywords(text: string, keywords: readonly string[]): string[] {
  const lower = text.toLowerCase();
  return keywords.filter((k) => lower.includes(k.toLowerCase()));
}
