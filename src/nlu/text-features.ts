// Cheap, deterministic features of a message: its scripts and language, the order numbers it names,
// the technical-problem words of M10, its clauses, product nouns masked, and short answers to the
// bot's own questions.
import type { Locale } from '../domain/index.ts';

const CJK = /[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]/g;
const LATIN = /[A-Za-z]/g;

/** How many Chinese characters and Latin letters a text has: what its language is judged by. */
export function scripts(text: string): { cjk: number; latin: number } {
  return { cjk: text.match(CJK)?.length ?? 0, latin: text.match(LATIN)?.length ?? 0 };
}

/**
 * Chinese as soon as Chinese characters carry the message (mixed "这个app闪退" is Chinese); English
 * when Latin letters do; otherwise (emoji, digits, punctuation) the fallback, usually the buyer's
 * known locale, else Chinese, the platform's first language.
 */
export function detectLanguage(text: string, fallback: Locale = 'zh'): Locale {
  const { cjk, latin } = scripts(text);
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

const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const isLatinWord = (w: string) => /^[a-z0-9' .-]+$/i.test(w);

/**
 * Where a word occurs in a text, case-insensitively: Chinese anywhere, a Latin word only as a whole
 * word ("key" is not in "keyboard", "no" is not in "know").
 */
export function wordPattern(words: readonly string[]): RegExp | null {
  const sorted = [...new Set(words.filter((w) => w.trim().length > 0))].sort((a, b) => b.length - a.length);
  if (sorted.length === 0) return null;
  const parts = sorted.map((w) => (isLatinWord(w) ? `(?<![a-z0-9])${escapeRegExp(w)}(?![a-z0-9])` : escapeRegExp(w)));
  return new RegExp(parts.join('|'), 'gi');
}

export function containsWord(text: string, pattern: RegExp | null): boolean {
  if (!pattern) return false;
  pattern.lastIndex = 0;
  const hit = pattern.test(text);
  pattern.lastIndex = 0;
  return hit;
}

/** The placeholder a product noun becomes before classification (in training and in use alike). */
export const NOUN_MASK = ' ';

/**
 * Product nouns ("激活码", "video", a title) replaced by one placeholder: what the buyer wants to do
 * is told by the other words, so a noun that appears in troubleshooting examples cannot turn "I
 * bought the key by mistake" into a technical problem.
 */
export function maskNouns(text: string, pattern: RegExp | null): string {
  if (!pattern) return text;
  return text
    .replace(pattern, NOUN_MASK)
    .replace(/\s{2,}/g, ' ')
    .trim();
}

/** Words that open a second request inside one message ("…，还有会员也登不上去"). */
const CLAUSE_OPENERS = /(还有|另外|顺便|此外|以及|再就是|and also|also|plus|besides|another thing)/gi;
const OPENS_REQUEST = /^(还有|另外|顺便|此外|以及|再就是|and also|also|plus|besides|another thing)/i;

/** Whether a clause opens a request of its own ("还有…", "also…"). */
export const opensRequest = (clause: string): boolean => OPENS_REQUEST.test(clause.trim());

/**
 * A message cut into its clauses: at sentence punctuation, at line breaks, at a space between two
 * Chinese phrases, and before words that open another request. Clauses are kept in order.
 */
export function splitClauses(text: string): string[] {
  const marked = text
    .replace(CLAUSE_OPENERS, '\n$1')
    .replace(/([\u3400-\u9fff])\s+(?=[\u3400-\u9fff])/g, '$1\n')
    .replace(/[，。！？；;!?\n]+|[,.](?=\s|$)/g, '\n');
  return marked
    .split('\n')
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
}

export type Answer = 'yes' | 'no' | 'solved' | 'unsolved' | 'more' | 'appeal';

export interface AnswerWords {
  unsolved: RegExp | null;
  solved: RegExp | null;
  no: RegExp | null;
  yes: RegExp | null;
  more: RegExp | null;
  appeal: RegExp | null;
}

/** Long enough to be a sentence of its own rather than a bare "yes" or "no". */
function isShort(text: string): boolean {
  const { cjk, latin } = scripts(text);
  return cjk <= 8 && text.split(/\s+/).filter(Boolean).length <= 5 && latin + cjk * 3 <= 30;
}

/**
 * What a message answers to a question of the bot's, if it is a short answer at all. Whether it
 * worked is read in any message (a technical word means it still does not); yes and no only in a
 * short one; negative words before positive ones.
 */
export function readAnswer(text: string, words: AnswerWords, technical: readonly string[]): Answer | null {
  const clean = text.trim();
  if (!clean) return null;
  if (containsWord(clean, words.unsolved)) return 'unsolved';
  if (containsWord(clean, words.solved) && technical.length === 0) return 'solved';
  if (technical.length > 0) return 'unsolved';
  if (containsWord(clean, words.more)) return 'more';
  // "不用申诉了" declines; "我要申诉", "I'd like to appeal please" takes it, in a sentence too.
  if (isShort(clean) && containsWord(clean, words.no)) return 'no';
  if (containsWord(clean, words.appeal)) return 'appeal';
  if (!isShort(clean)) return null;
  if (containsWord(clean, words.no)) return 'no';
  if (containsWord(clean, words.yes)) return 'yes';
  return null;
}
