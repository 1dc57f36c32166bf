// Runs the conversation suite against a desk, as the shop widget would: one chat per conversation,
// opened with the widget's welcome, each buyer message or button press one delivery to
// `desk.dialogue.handle` with the session's language as the hint. After every turn the stored state
// is judged; the buyer stops once what they wanted has happened, or gives up.
import { randomBytes } from 'node:crypto';
import type { Desk } from '../../src/desk.ts';
import { say } from '../../src/conversation/texts.ts';
import type { Locale } from '../../src/domain/catalog.ts';
import { SimulatedBuyer, type Move } from './buyer-sim.ts';
import { judge, snapshot, staleOffers } from './outcome.ts';
import { lineProblems, repeats, type BotLine, type ReplyProblem } from './reply-checks.ts';
import { PRODUCTS, seedBuyer, seedShop, type ProductKey, type SeededShop, type ShopGate } from './shop.ts';
import type { Conversation } from './spec.ts';

/** How many turns past the ideal a buyer keeps trying before giving up. */
export const PATIENCE = 4;

export interface TranscriptEntry {
  turn: number;
  from: 'buyer' | 'bot';
  text: string;
  action?: string;
  buttons?: BotLine['buttons'];
}

export interface ConversationResult {
  id: string;
  lang: Locale;
  covers: string[];
  ok: boolean;
  turns: number;
  ideal: number;
  gaveUp: boolean;
  failures: string[];
  replyProblems: ReplyProblem[];
  transcript: TranscriptEntry[];
  why: string;
}

const ALL_TITLES = Object.values(PRODUCTS).flatMap((p) => [p.title, p.title.replace(/^《|》$/g, '')]);

export async function runConversation(
  desk: Desk,
  gate: ShopGate,
  shop: SeededShop,
  conv: Conversation,
  index: number,
): Promise<ConversationResult> {
  const prisma = desk.db.prisma;
  const seeded = await seedBuyer(gate, shop, conv.buyer, index);
  const before = await snapshot(prisma, seeded.buyerId);
  const chatId = `eval_${conv.id}_${randomBytes(4).toString('hex')}`;
  // The widget opens a first visit with the bot's welcome in the account's language.
  const welcome = say('welcome', conv.buyer.locale);
  await desk.conversations.append({ channel: 'widget', chatId, buyerId: seeded.buyerId, locale: conv.buyer.locale }, [
    { direction: 'out', text: welcome },
  ]);
  const transcript: TranscriptEntry[] = [{ turn: 0, from: 'bot', text: welcome }];
  const botLines: Array<{ turn: number; line: BotLine }> = [{ turn: 0, line: { text: welcome, buttons: [] } }];
  const buyerTexts: string[] = [];
  const replyProblems: ReplyProblem[] = [];
  const productNames = Object.fromEntries(Object.entries(conv.buyer.orders).map(([k, o]) => [k, PRODUCTS[o.product as ProductKey].names]));
  const buyer = new SimulatedBuyer(conv.persona, { lang: conv.lang, orderIds: seeded.orders, productNames });
  const ctx = { lang: conv.lang, titles: ALL_TITLES, internalIds: seeded.internalIds };

  let localeHint: Locale = conv.buyer.locale;
  let last: BotLine[] = [];
  let verdict = await judge(prisma, conv, seeded, before, []);
  let turns = 0;
  let gaveUp = false;
  const budget = conv.ideal + PATIENCE;
  const opening = [...conv.opening];
  for (;;) {
    // The buyer stops once they have what they came for and nothing scripted left to say.
    if (opening.length === 0 && verdict.satisfied && buyer.beatsLeft === 0) break;
    if (turns >= budget) {
      gaveUp = !verdict.satisfied;
      break;
    }
    const move: Move | null = opening.length > 0 ? { text: opening.shift()! } : buyer.next(last, verdict.view);
    if (!move) {
      gaveUp = true;
      break;
    }
    turns++;
    const text = move.text ?? move.label;
    if (text) buyerTexts.push(text);
    transcript.push({ turn: turns, from: 'buyer', text: text ?? '', ...(move.action ? { action: move.action } : {}) });
    const result = await desk.dialogue.handle({
      channel: 'widget',
      chatId,
      deliveryId: `m${turns}`,
      buyerId: seeded.buyerId,
      localeHint,
      ...(move.action ? { action: move.action, ...(move.label ? { text: move.label } : {}) } : { text: move.text ?? '' }),
    });
    localeHint = result.locale;
    last = result.replies.map((r) => ({ text: r.text, buttons: r.buttons ?? [] }));
    for (const line of last) {
      transcript.push({ turn: turns, from: 'bot', text: line.text, ...(line.buttons.length ? { buttons: line.buttons } : {}) });
      botLines.push({ turn: turns, line });
      replyProblems.push(...lineProblems(line, turns, buyerTexts, ctx));
    }
    // The list offers only orders that can still be acted on (issue 18): not refunded, not already open.
    for (const orderId of await staleOffers(prisma, last)) {
      const key = Object.entries(seeded.orders).find(([, id]) => id === orderId)?.[0] ?? orderId;
      replyProblems.push({ kind: 'stale_order_offered', turn: turns, text: `offered ${key}, which is refunded or has a request open` });
    }
    // An answer is what the bot wrote, not the labels of a list it offered.
    const replies = botLines.slice(1).map((b) => b.line.text);
    verdict = await judge(prisma, conv, seeded, before, replies, last);
  }
  replyProblems.push(...repeats(botLines));
  return {
    id: conv.id,
    lang: conv.lang,
    covers: conv.covers,
    ok: verdict.ok,
    turns,
    ideal: conv.ideal,
    gaveUp,
    failures: verdict.failures,
    replyProblems,
    transcript,
    why: conv.why,
  };
}

export interface LanguageSummary {
  lang: Locale;
  conversations: number;
  right: number;
  share: number;
  turns: number;
  ideal: number;
  /** Mean turns over mean ideal turns, over every conversation (a buyer who gave up counts the turns they spent). */
  turnRatio: number;
  /** The same over the conversations that reached the right outcome. */
  turnRatioRight: number;
  repeated: number;
  wrongLanguage: number;
  fullwidth: number;
  internalIds: number;
  staleOffers: number;
}

export function summarize(results: ConversationResult[], lang: Locale): LanguageSummary {
  const mine = results.filter((r) => r.lang === lang);
  const right = mine.filter((r) => r.ok);
  const count = (kind: ReplyProblem['kind']) => mine.reduce((n, r) => n + r.replyProblems.filter((p) => p.kind === kind).length, 0);
  const sum = (rs: ConversationResult[], f: (r: ConversationResult) => number) => rs.reduce((n, r) => n + f(r), 0);
  return {
    lang,
    conversations: mine.length,
    right: right.length,
    share: mine.length ? right.length / mine.length : 0,
    turns: sum(mine, (r) => r.turns),
    ideal: sum(mine, (r) => r.ideal),
    turnRatio: sum(mine, (r) => r.ideal) ? sum(mine, (r) => r.turns) / sum(mine, (r) => r.ideal) : 0,
    turnRatioRight: sum(right, (r) => r.ideal) ? sum(right, (r) => r.turns) / sum(right, (r) => r.ideal) : 0,
    repeated: count('repeated'),
    wrongLanguage: count('wrong_language'),
    fullwidth: count('fullwidth_punctuation'),
    internalIds: count('internal_id'),
    staleOffers: count('stale_order_offered'),
  };
}

export interface SuiteRun {
  results: ConversationResult[];
  summaries: LanguageSummary[];
  ms: number;
}

/** Seeds the shop once, then runs each conversation with its own freshly seeded buyer. */
export async function runSuite(
  desk: Desk,
  gate: ShopGate,
  conversations: Conversation[],
  onResult?: (r: ConversationResult) => void,
): Promise<SuiteRun> {
  const started = Date.now();
  await desk.nlu.get();
  const shop = await seedShop(gate);
  const results: ConversationResult[] = [];
  for (const [i, conv] of conversations.entries()) {
    // A conversation that cannot even run (its seeding refused, the turn threw) is a failure of its
    // own, not the end of the measurement.
    const result = await runConversation(desk, gate, shop, conv, i).catch(
      (error: unknown): ConversationResult => ({
        id: conv.id,
        lang: conv.lang,
        covers: conv.covers,
        ok: false,
        turns: conv.ideal + PATIENCE,
        ideal: conv.ideal,
        gaveUp: true,
        failures: [`could not run: ${error instanceof Error ? error.message : String(error)}`],
        replyProblems: [],
        transcript: [],
        why: conv.why,
      }),
    );
    results.push(result);
    onResult?.(result);
  }
  const langs = [...new Set(conversations.map((c) => c.lang))].sort((a, b) => (a === 'zh' ? -1 : b === 'zh' ? 1 : a.localeCompare(b)));
  return { results, summaries: langs.map((l) => summarize(results, l)), ms: Date.now() - started };
}
