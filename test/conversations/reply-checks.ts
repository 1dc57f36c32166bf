// Checks on what the bot says, whatever it decides: every reply in the conversation's language, no
// reply said twice in a row, no internal id the buyer never typed, no full-width punctuation in
// English. Pure functions over the transcript, so they are tested on their own (reply-checks.test.ts).
import type { Locale } from '../../src/domain/catalog.ts';

export interface BotLine {
  text: string;
  buttons: Array<{ label: string; action: string }>;
}

export type ReplyProblemKind = 'wrong_language' | 'repeated' | 'internal_id' | 'fullwidth_punctuation' | 'stale_order_offered';

export interface ReplyProblem {
  kind: ReplyProblemKind;
  /** Which buyer turn it answered (1-based; 0 is the chat's opening). */
  turn: number;
  text: string;
}

const HAN = /\p{Script=Han}/u;
const LATIN_WORD = /[A-Za-z]{2,}/;
// Punctuation a Chinese text uses and an English one never should: CJK symbols (、。〈〉《》「」【】…),
// full-width forms (，：；！？（）％ …) and the full-width yen sign. Curly quotes are English too.
const FULLWIDTH = /[\u3000-\u303F\uFF01-\uFF5E\uFFE5]/u;
/** Ids the desk mints (src/ids.ts shape: a kind prefix, then at least 8 base-36 characters). */
const DESK_ID = /\b(?:rr|rf|dc|ho|ce|ue|fp|cv|msg|ntf|obx|rs|dg)_[0-9a-z]{8,}\b/i;

/**
 * Removes what may legitimately be in another language inside a reply: product titles (a Chinese
 * title in an English reply is still the product's name), what the buyer wrote (the bot may quote
 * it), addresses and e-mails.
 */
export function strip(text: string, quoted: string[]): string {
  let out = text;
  // The bot may quote a whole message or a phrase of it ("买错了" out of "refund pls, 买错了").
  const phrases = quoted.flatMap((q) => [q, ...q.split(/[\s,，。.!！?？:：;；"“”'‘’、()（）]+/)]);
  // Short Latin pieces ("I", "the") are left alone: cutting them out would cut up words of the reply.
  const pieces = [...new Set(phrases)]
    .filter((q) => (HAN.test(q) ? q.trim().length > 0 : q.trim().length >= 4))
    .sort((a, b) => b.length - a.length);
  for (const q of pieces) out = out.split(q).join(' ');
  return out.replace(/https?:\/\/\S+/g, ' ').replace(/[\w.+-]+@[\w-]+(\.[\w-]+)+/g, ' ');
}

/** The language a piece of bot text is in, or null when it has no words to tell (emoji, figures). */
export function languageOf(text: string): Locale | null {
  if (HAN.test(text)) return 'zh';
  if (LATIN_WORD.test(text)) return 'en';
  return null;
}

export interface ReplyContext {
  lang: Locale;
  /** Product titles of the shop (with and without their book-title marks). */
  titles: string[];
  /** Ids the buyer must not be shown unless they typed them. */
  internalIds: string[];
}

/** The problems of one bot line, given what the buyer has written so far. */
export function lineProblems(line: BotLine, turn: number, buyerTexts: string[], ctx: ReplyContext): ReplyProblem[] {
  const problems: ReplyProblem[] = [];
  const quoted = [...ctx.titles, ...buyerTexts];
  const parts = [line.text, ...line.buttons.map((b) => b.label)];
  for (const part of parts) {
    const rest = strip(part, quoted);
    const lang = languageOf(rest);
    if (lang !== null && lang !== ctx.lang) problems.push({ kind: 'wrong_language', turn, text: part });
    else if (ctx.lang === 'en' && FULLWIDTH.test(rest)) problems.push({ kind: 'fullwidth_punctuation', turn, text: part });
  }
  const typed = buyerTexts.join('\n');
  for (const part of parts) {
    const known = ctx.internalIds.find((id) => part.includes(id) && !typed.includes(id));
    const minted = DESK_ID.exec(part)?.[0];
    if (known || (minted && !typed.includes(minted))) problems.push({ kind: 'internal_id', turn, text: part });
  }
  return problems;
}

/** A bot line the same as the bot's previous line, whatever the buyer said in between. */
export function repeats(lines: Array<{ turn: number; line: BotLine }>): ReplyProblem[] {
  const problems: ReplyProblem[] = [];
  for (let i = 1; i < lines.length; i++) {
    const a = lines[i - 1]!.line.text.trim();
    const b = lines[i]!.line.text.trim();
    if (a.length > 0 && a === b) problems.push({ kind: 'repeated', turn: lines[i]!.turn, text: b });
  }
  return problems;
}
