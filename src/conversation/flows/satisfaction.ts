// The buyer's answer to "how did we do?" (issue 22): a pressed rating button (rate:<id>:<score>), or
// a lone digit typed instead ("4", "5分", "3 stars") while a question is open; then, optionally, a
// comment. A second answer to the same case changes nothing; a score outside 1–5 is asked again.
// Other free text while a question is open is not taken as a rating: it goes on to the dialogue,
// and the buttons stay valid.
import { REFUND_INTENTS } from '../../nlu/index.ts';
import { opensRequest } from '../../nlu/index.ts';
import { MAX_SCORE, MIN_SCORE, SatisfactionStore } from '../satisfaction-store.ts';
import { ratingButtons, SATISFACTION_TEXTS as S, say } from '../texts.ts';
import type { ActionTurn, BoundTurn, TextTurn } from '../turn.ts';

const RATING_ID = /^csat_[a-z0-9]{8,40}$/;
const TYPED_SCORE = /^\s*(\d{1,2})\s*(分|星|颗星|stars?|\/\s*5)?\s*[.!！。]?\s*$/i;
/** A typed digit is read as the answer to a question asked this recently. */
const TYPED_WITHIN_MS = 3 * 24 * 3_600_000;
/** While waiting for a comment, these are new requests rather than a comment. */
const REQUESTS = new Set(['refund.status', 'refund.cancel', 'order.cancel', 'agent.request', 'policy.ask']);

async function record(t: BoundTurn, id: string, score: number): Promise<void> {
  if (!Number.isInteger(score) || score < MIN_SCORE || score > MAX_SCORE) {
    t.reply(S.ratingOutOfRange[t.locale], ratingButtons(id));
    return;
  }
  const result = await new SatisfactionStore(t.deps.prisma).rate(id, t.buyerId, score, t.now);
  if (result === 'rated') {
    t.state.pending = 'rating_comment';
    t.state.ratingId = id;
    t.reply(S.ratingThanks[t.locale]);
  } else {
    t.reply((result === 'already' ? S.ratingAlready : S.ratingGone)[t.locale]);
  }
}

export async function onRatingButton(t: ActionTurn): Promise<void> {
  const [id, raw] = (t.action.arg ?? '').split(':');
  if (!id || !RATING_ID.test(id) || raw === undefined || !/^-?\d{1,3}$/.test(raw)) {
    t.reply(say('notUnderstood', t.locale));
    return;
  }
  await record(t, id, Number(raw));
}

export async function onTypedRating(t: TextTurn, next: () => Promise<void>): Promise<void> {
  const typed = TYPED_SCORE.exec(t.text);
  if (!typed) return next();
  const id = await new SatisfactionStore(t.deps.prisma).openFor(t.buyerId, new Date(t.now.getTime() - TYPED_WITHIN_MS));
  if (!id) return next();
  await record(t, id, Number(typed[1]));
}

export async function onRatingComment(t: TextTurn, next: () => Promise<void>): Promise<void> {
  const id = t.state.ratingId;
  t.state.pending = undefined;
  t.state.ratingId = undefined;
  const request = REQUESTS.has(t.nlu.intent) || (REFUND_INTENTS.has(t.nlu.intent) && opensRequest(t.text));
  // A lone score is no comment: it answers a newer question, if one is open (onTypedRating).
  if (!id || request || TYPED_SCORE.test(t.text)) return next();
  const stored = await new SatisfactionStore(t.deps.prisma).comment(id, t.buyerId, t.text);
  t.reply((stored ? S.ratingCommentThanks : S.ratingAlready)[t.locale]);
}
