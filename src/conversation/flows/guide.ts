// After a troubleshooting guide (M23): "solved" closes the request with no refund (a refund
// avoided); "still not working" goes to technical support. Read from the buttons or from words.
import { openHandoff } from '../../handoffs/index.ts';
import { MAX_MISSES } from '../dialogue-state.ts';
import { BUTTONS, say } from '../texts.ts';
import type { ActionTurn, BoundTurn, TextTurn } from '../turn.ts';
import { person } from './person.ts';

export async function guideFeedback(t: BoundTurn, solved: boolean): Promise<void> {
  const requestId = t.state.requestId;
  t.state.pending = undefined;
  t.state.requestId = undefined;
  if (!requestId) {
    t.reply(say('notUnderstood', t.locale));
    return;
  }
  const request = await t.deps.refunds.view(requestId);
  if (solved) {
    if (request.status === 'troubleshooting') {
      await t.deps.refunds.cancel(requestId, t.buyerId);
      t.deps.onRefundAvoided?.();
    }
    t.reply(say('guideSolved', t.locale));
    return;
  }
  await openHandoff(t.deps.prisma, {
    buyerId: t.buyerId,
    kind: 'technical',
    reason: 'troubleshooting guide did not solve it',
    orderId: request.orderId,
    refundRequestId: requestId,
  });
  t.reply(say('guideUnsolved', t.locale));
}

export const onGuideButton = (t: ActionTurn) => guideFeedback(t, t.action.arg === 'solved');

/**
 * Free text after a guide: "好了可以了" is solved; "弄了半天还是打不开", a technical word, or "no"
 * is not; another request passes on (the guide's question stays open); anything else asks again.
 */
export async function onGuideAnswer(t: TextTurn, next: () => Promise<void>): Promise<void> {
  const answer = t.nlu.answer;
  if (answer === 'solved' || answer === 'yes') return guideFeedback(t, true);
  if (answer === 'unsolved' || answer === 'no' || t.nlu.intent === 'refund.cannot_use') return guideFeedback(t, false);
  if (t.nlu.intent !== 'None') return next();
  if (t.miss() >= MAX_MISSES) return person(t, { why: 'the bot could not read whether the guide helped', reply: 'missedTwice' });
  t.reply(say('guideAskAgain', t.locale), [
    { label: BUTTONS.solved[t.locale], action: 'guide:solved' },
    { label: BUTTONS.unsolved[t.locale], action: 'guide:unsolved' },
  ]);
}
