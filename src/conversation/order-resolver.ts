// Which of the buyer's orders a message names, without an order number: by product title (whole,
// partial or misspelt, in either language), by category word ("课", "激活码", "the key"), by time
// word ("刚买的", "昨天", "last week"), or several of these together. Pure: the orders, the words
// of intents/order-words.json and the clock come in; the matching orders go out.
import type { ProductCategory } from '../domain/index.ts';
import { PRODUCT_CATEGORIES } from '../domain/index.ts';
import type { OrderWords } from '../nlu/index.ts';
import { wordPattern } from '../nlu/index.ts';

export interface NamedOrder {
  id: string;
  title: string;
  category: ProductCategory;
  paidAt: Date;
}

export interface OrderMention<O extends NamedOrder> {
  /** Whether the message names an order at all (by title, category or time). */
  named: boolean;
  /** The orders it fits, best first; empty when it names one the buyer does not have. */
  matches: O[];
  /** The words that named it, to take out before reading the rest of the message. */
  words: string[];
}

const HOUR = 3_600_000;
const CJK_RUN = /[\u3400-\u9fff]+/g;
const LATIN_WORD = /[a-z0-9]+/g;
/** Words before a category word that describe any product, not a particular one. */
const GENERIC = new Set([
  'new',
  'online',
  'video',
  'old',
  'recent',
  'latest',
  'last',
  'first',
  'whole',
  'full',
  'paid',
  'other',
  'same',
  'basic',
  'premium',
  'annual',
  'monthly',
  'yearly',
  'expensive',
  'cheap',
  'wrong',
  'second',
  'purchased',
  'bought',
  'ordered',
  'two',
  'both',
]);
/** A Chinese modifier ending like this is a determiner or a clause, not a product name ("那个课", "买的课"). */
const DETERMINER_END = /[个门的些份张套款种了这那哪该此次]$/;
/** Two-character words that open a clause rather than name a product ("还有会员…", "我的课"). */
const FUNCTION_WORDS = new Set([
  '还有',
  '另外',
  '我的',
  '我们',
  '你们',
  '就是',
  '还是',
  '也是',
  '但是',
  '而且',
  '然后',
  '现在',
  '已经',
  '一直',
  '之前',
  '上次',
  '那个',
  '这个',
  '帮我',
  '给我',
  '请问',
  '麻烦',
  '想退',
  '要退',
  '退掉',
  '退了',
  '购买',
  '买了',
  '买的',
  '以前',
  '刚才',
  '刚刚',
  '所有',
  '全部',
  '两个',
  '几个',
]);
/** Words of titles and messages that name nothing. */
const STOP = new Set([
  'the',
  'a',
  'an',
  'of',
  'for',
  'to',
  'and',
  'with',
  'in',
  'on',
  'my',
  'your',
  'one',
  'that',
  'this',
  'it',
  'i',
  'me',
  'from',
  'by',
  'at',
  'is',
  'was',
  'want',
  'refund',
  'bought',
  'order',
  'about',
  'pls',
  'please',
  'thing',
]);

/** The naming words of a text: Latin words, and each run of Chinese characters as its character pairs. */
function tokens(text: string): { words: string[]; pairs: string[] } {
  const lower = text.toLowerCase();
  const words = (lower.match(LATIN_WORD) ?? []).filter((w) => w.length >= 2 && !STOP.has(w));
  const pairs: string[] = [];
  for (const run of lower.match(CJK_RUN) ?? []) {
    const chars = [...run];
    for (let i = 0; i + 1 < chars.length; i += 1) pairs.push(chars[i]! + chars[i + 1]!);
  }
  return { words, pairs };
}

/** Edit distance counting a swap of two neighbouring letters as one edit ("gutiar"), stopped early past `max`. */
function distance(a: string, b: string, max: number): number {
  if (Math.abs(a.length - b.length) > max) return max + 1;
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) => [i, ...Array<number>(b.length).fill(0)]);
  for (let j = 1; j <= b.length; j += 1) d[0]![j] = j;
  for (let i = 1; i <= a.length; i += 1) {
    let rowMin = Infinity;
    for (let j = 1; j <= b.length; j += 1) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let v = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) v = Math.min(v, d[i - 2]![j - 2]! + 1);
      d[i]![j] = v;
      rowMin = Math.min(rowMin, v);
    }
    if (rowMin > max) return max + 1;
  }
  return d[a.length]![b.length]!;
}

/** A word of the message fits a word of the title: the same, a plural, a stem ("photo" of "photography") or a typo. */
function wordFits(said: string, title: string): boolean {
  if (said === title) return true;
  if (said.length >= 4 && title.length >= 4 && (title.startsWith(said) || said.startsWith(title))) return true;
  const max = Math.min(said.length, title.length) >= 8 ? 2 : Math.min(said.length, title.length) >= 5 ? 1 : 0;
  return max > 0 && distance(said, title, max) <= max;
}

export class OrderResolver {
  private readonly categories: Array<{ category: ProductCategory; pattern: RegExp }>;
  private readonly times: Array<{ pattern: RegExp; newest: boolean; hours?: [number, number] }>;
  private readonly categoryWords: Set<string>;
  private readonly aliases: Array<{ pattern: RegExp; names: string[] }>;

  constructor(words: OrderWords) {
    this.aliases = words.aliases.map((names) => ({ pattern: wordPattern(names)!, names }));
    this.categories = PRODUCT_CATEGORIES.map((category) => ({
      category,
      pattern: wordPattern([...words.categories[category].zh, ...words.categories[category].en])!,
    }));
    this.times = words.time.map((t) => ({
      pattern: wordPattern([...t.zh, ...t.en])!,
      newest: t.newest ?? false,
      ...(t.hours ? { hours: t.hours } : {}),
    }));
    this.categoryWords = new Set(
      PRODUCT_CATEGORIES.flatMap((c) => [...words.categories[c].zh, ...words.categories[c].en].map((w) => w.toLowerCase())),
    );
  }

  /** The words of the buyer's titles, for the NLU to mask (a title says which order, not what is wanted). */
  titleWords(orders: readonly NamedOrder[]): string[] {
    const out = new Set<string>();
    for (const o of orders) {
      const t = tokens(o.title);
      for (const w of t.words) if (w.length >= 3) out.add(w);
      for (const run of o.title.match(CJK_RUN) ?? []) if (run.length >= 2) out.add(run);
    }
    return [...out];
  }

  resolve<O extends NamedOrder>(text: string, orders: readonly O[], now: Date): OrderMention<O> {
    const used: string[] = [];
    let candidates = [...orders];
    let named = false;

    // A category word narrows to that category (several words: any of them).
    const saidCategories = new Set<ProductCategory>();
    for (const { category, pattern } of this.categories) {
      pattern.lastIndex = 0;
      const found = text.match(pattern);
      if (found) {
        saidCategories.add(category);
        used.push(...found);
      }
    }
    // Title words: each scores by how few of the buyer's products share it, so "Excel" picks the
    // Excel course while a word every title has decides nothing. A name the buyer used stands for
    // its aliases too ("the powerpoint course" is 《PPT大师进阶课》).
    const said = tokens(this.withAliases(text));
    const products = new Map<string, { words: string[]; pairs: string[] }>();
    for (const o of orders) if (!products.has(o.title)) products.set(o.title, this.titleTokens(o.title));
    const sharedBy = (fits: (t: { words: string[]; pairs: string[] }) => boolean) => [...products.values()].filter(fits).length;
    const score = new Map<string, number>();
    for (const [title, t] of products) {
      let s = 0;
      for (const w of said.words) {
        if (t.words.some((tw) => wordFits(w, tw))) {
          s += 1 / sharedBy((x) => x.words.some((tw) => wordFits(w, tw)));
          used.push(w);
        }
      }
      for (const p of said.pairs) {
        if (t.pairs.includes(p)) {
          s += 1 / sharedBy((x) => x.pairs.includes(p));
          used.push(p);
        }
      }
      if (s > 0) score.set(title, s);
    }
    if (saidCategories.size > 0 && score.size === 0 && this.namesAnotherProduct(text)) {
      // "the excel course" when the buyer has no Excel course: a product they do not have.
      return { named: true, matches: [], words: [...new Set(used)] };
    }
    if (saidCategories.size > 0) {
      named = true;
      // A title match outranks the category: "视频会员" is the membership even though it has 视频.
      const byCategory = candidates.filter((o) => saidCategories.has(o.category));
      candidates = byCategory.length > 0 || score.size === 0 ? byCategory : candidates;
    }
    if (score.size > 0) {
      const inCandidates = candidates.filter((o) => score.has(o.title));
      if (inCandidates.length > 0) {
        named = true;
        const best = Math.max(...inCandidates.map((o) => score.get(o.title)!));
        // The clear best title, or all those about as good (the buyer is then asked among them only).
        candidates = inCandidates.filter((o) => score.get(o.title)! >= best * 0.75);
      }
    }
    for (const time of this.times) {
      time.pattern.lastIndex = 0;
      const found = text.match(time.pattern);
      if (!found) continue;
      named = true;
      used.push(...found);
      if (time.newest) {
        const newest = candidates.reduce<O | null>((a, o) => (!a || o.paidAt > a.paidAt ? o : a), null);
        candidates = newest ? [newest] : [];
      } else if (time.hours) {
        const [from, to] = time.hours;
        candidates = candidates.filter((o) => {
          const hours = (now.getTime() - o.paidAt.getTime()) / HOUR;
          return hours >= from && hours <= to;
        });
      }
      break;
    }
    if (!named) return { named: false, matches: [], words: [] };
    return { named, matches: candidates.sort((a, b) => b.paidAt.getTime() - a.paidAt.getTime()), words: [...new Set(used)] };
  }

  /**
   * Whether a category word comes with a word of its own that names the product ("Excel课",
   * "the excel course", "英语课"), rather than a determiner or a time ("那个课", "my course",
   * "昨天的课"). Only asked when no title of the buyer's fits.
   */
  private namesAnotherProduct(text: string): boolean {
    for (const { pattern } of this.categories) {
      pattern.lastIndex = 0;
      for (const m of text.matchAll(pattern)) {
        const before = text.slice(0, m.index);
        const latin = /([A-Za-z][A-Za-z0-9+#-]{2,})\s*$/.exec(before)?.[1]?.toLowerCase();
        if (latin && !STOP.has(latin) && !GENERIC.has(latin) && !this.isTimeWord(latin)) return true;
        // A Chinese name stands on its own before the category word: at the start, after a pause or a determiner.
        const cjk = /(?:^|[\s，,。！？!?、]|那个|这个|那门|这门|的|买了|买的|退|了)([\u3400-\u9fff]{2})$/.exec(before)?.[1];
        if (cjk && !DETERMINER_END.test(cjk) && !FUNCTION_WORDS.has(cjk) && !this.isTimeWord(cjk) && !this.categoryWords.has(cjk))
          return true;
      }
    }
    return false;
  }

  /** The text with the other names of every alias it says appended. */
  private withAliases(text: string): string {
    const extra: string[] = [];
    for (const { pattern, names } of this.aliases) {
      pattern.lastIndex = 0;
      if (pattern.test(text)) extra.push(...names);
    }
    return extra.length > 0 ? `${text} ${extra.join(' ')}` : text;
  }

  private isTimeWord(word: string): boolean {
    return this.times.some((t) => {
      t.pattern.lastIndex = 0;
      return t.pattern.test(word);
    });
  }

  /** A title's naming words, without its category words (those name the category, not the product). */
  private titleTokens(title: string): { words: string[]; pairs: string[] } {
    const t = tokens(title);
    return {
      words: t.words.filter((w) => !this.categoryWords.has(w)),
      pairs: t.pairs.filter((p) => !this.categoryWords.has(p)),
    };
  }
}

const ORDINALS: Array<[RegExp, number]> = [
  [/^(?:第?\s*[1１一]\s*(?:个|笔|单)?|the first( one)?|first( one)?|#?1)$/i, 0],
  [/^(?:第?\s*[2２二]\s*(?:个|笔|单)?|the second( one)?|second( one)?|#?2)$/i, 1],
  [/^(?:第?\s*[3３三]\s*(?:个|笔|单)?|the third( one)?|third( one)?|#?3)$/i, 2],
  [/^(?:第?\s*[4４四]\s*(?:个|笔|单)?|the fourth( one)?|fourth( one)?|#?4)$/i, 3],
  [/^(?:第?\s*[5５五]\s*(?:个|笔|单)?|the fifth( one)?|fifth( one)?|#?5)$/i, 4],
  [/^(?:最后一个|最后那个|the last( one)?|last one)$/i, -1],
];

/** "第二个", "the first one", "2": which of the offered orders, or null. */
export function ordinal(text: string, offered: readonly string[]): string | null {
  const clean = text
    .trim()
    .replace(/[。.!！?？~～]+$/u, '')
    .replace(/^(就|要|选|是)/, '')
    .replace(/(吧|呀|啊|那个|那笔)$/u, '')
    .trim();
  for (const [pattern, index] of ORDINALS) {
    if (pattern.test(clean)) return (index < 0 ? offered.at(-1) : offered[index]) ?? null;
  }
  return null;
}
