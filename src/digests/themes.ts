// Recurring themes in buyers' free-text reasons (M9): the words many reasons share, each theme with
// the reasons that carry it and a few quotes. Chinese is read as character pairs (no word breaks),
// English as words; a theme is the most widely shared term, labelled with the terms that travel with
// it, and each reason counts under one theme only.

const EN_STOP = new Set(
  "the and for but not you your with this that have has was were are its it’s it's just what when want wanted would could there their they them then than from into about after before been very much more some any all can cant can't don't dont didnt didn't doesnt doesn't isn't isnt i'm im get got buy bought refund money back please thanks thank".split(
    ' ',
  ),
);
/** Pairs that say nothing about why (every reason asks for a refund). */
const ZH_STOP = new Set([
  '退款',
  '想退',
  '申请',
  '一下',
  '我要',
  '可以',
  '不想',
  '这个',
  '我的',
  '请问',
  '就是',
  '什么',
  '没有',
  '已经',
  '怎么',
  '为什么',
  '谢谢',
  '麻烦',
]);

export function termsOf(text: string): Set<string> {
  const terms = new Set<string>();
  for (const run of text.match(/\p{Script=Han}+/gu) ?? []) {
    const chars = [...run];
    for (let i = 0; i + 1 < chars.length; i += 1) {
      const pair = chars[i]! + chars[i + 1]!;
      if (!ZH_STOP.has(pair)) terms.add(pair);
    }
  }
  for (const word of text.toLowerCase().match(/[a-z][a-z'’]+/g) ?? []) {
    if (word.length >= 3 && !EN_STOP.has(word)) terms.add(word.replace(/s$/, ''));
  }
  return terms;
}

export interface Theme {
  /** The shared term, with the terms most often found beside it. */
  label: string;
  count: number;
  quotes: string[];
}

export function findThemes(texts: readonly string[], options: { minCount?: number; max?: number; quotes?: number } = {}): Theme[] {
  const { minCount = 2, max = 5, quotes = 3 } = options;
  const docs = texts.map((t) => ({ text: t.trim(), terms: termsOf(t) })).filter((d) => d.text.length > 0);
  let left = docs;
  const themes: Theme[] = [];
  while (themes.length < max) {
    const df = new Map<string, number>();
    for (const d of left) for (const term of d.terms) df.set(term, (df.get(term) ?? 0) + 1);
    // The most shared term; ties go to the one that sorts first, so the result is stable.
    const [top, count] = [...df.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))[0] ?? [];
    if (!top || !count || count < minCount) break;
    const members = left.filter((d) => d.terms.has(top));
    const beside = new Map<string, number>();
    for (const d of members) for (const term of d.terms) if (term !== top) beside.set(term, (beside.get(term) ?? 0) + 1);
    // A companion term rides along when most of the theme's reasons have it too ("视频" with "播放").
    const companions = [...beside.entries()]
      .filter(([, n]) => n >= Math.max(2, Math.ceil(members.length * 0.6)))
      .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
      .slice(0, 2)
      .map(([t]) => t);
    // Chinese pairs that always travel together are one phrase ("内容"+"太简"+"简单" → "内容太简单"):
    // the longest stretch every reason of the theme shares names it best.
    const phrase = commonPhrase(members.map((d) => d.text));
    // Only for Chinese: in English a shared stretch cuts words ("won't play" and "cannot play" share "t play").
    const label = phrase && /\p{Script=Han}/u.test(phrase) && phrase.length > top.length ? phrase : [top, ...companions].join(' · ');
    themes.push({
      label,
      count: members.length,
      quotes: members.slice(0, quotes).map((d) => (d.text.length > 80 ? `${d.text.slice(0, 79)}…` : d.text)),
    });
    left = left.filter((d) => !d.terms.has(top));
  }
  return themes;
}

/** The longest stretch of text (trimmed of punctuation) that every text contains; null when short. */
export function commonPhrase(texts: readonly string[]): string | null {
  if (texts.length === 0) return null;
  const lower = texts.map((t) => t.toLowerCase());
  const shortest = [...lower].sort((a, b) => a.length - b.length)[0]!.slice(0, 200);
  for (let length = shortest.length; length >= 3; length -= 1) {
    for (let start = 0; start + length <= shortest.length; start += 1) {
      const piece = shortest.slice(start, start + length);
      const trimmed = piece.replace(/^[\s\p{P}]+|[\s\p{P}]+$/gu, '');
      if (trimmed.length < 3 || trimmed !== piece) continue;
      if (lower.every((t) => t.includes(piece))) return piece;
    }
  }
  return null;
}
