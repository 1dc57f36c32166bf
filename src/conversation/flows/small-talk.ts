// Hello and thank-you, "cancel my order" (a delivered good cannot be cancelled: a refund is offered),
// and what the bot says when it is not sure: a question with buttons for the likely meanings, then
// after two misses in a row a person — never the welcome again, never a dead end.
import type { Intent } from '../../nlu/index.ts';
import { MAX_MISSES } from '../dialogue-state.ts';
import type { Button } from '../messages.ts';
import { BUTTONS, say } from '../texts.ts';
import type { TextTurn } from '../turn.ts';
import { actionable, offer, orderLine, resolveNamed, take } from './orders.ts';
import { person } from './person.ts';
import { rememberReason } from './refund.ts';

export function onGreeting(t: TextTurn): void {
  const first = !t.state.greeted;
  t.reply(say(first ? 'welcome' : 'youreWelcome', t.locale));
}

export async function onOrderCancel(t: TextTurn): Promise<void> {
  // "取消刚才那个订单，买错了": the order and the reason are kept for the refund that is offered.
  rememberReason(t);
  const named = await resolveNamed(t);
  if (named.kind === 'one') take(t, named.order);
  t.state.pending = 'refund_confirm';
  t.reply(say('orderCancel', t.locale), [
    { label: BUTTONS.yesRefund[t.locale], action: 'refund:yes' },
    { label: BUTTONS.no[t.locale], action: 'refund:no' },
  ]);
}

/** What each likely reading offers as a button. */
function meaning(intent: Intent, t: TextTurn): Button | null {
  const l = t.locale;
  if (intent.startsWith('refund.') && !['refund.status', 'refund.cancel'].includes(intent))
    return { label: BUTTONS.startRefund[l], action: 'refund:yes' };
  if (intent === 'refund.status') return { label: BUTTONS.status[l], action: 'status' };
  if (intent === 'refund.cancel') return { label: BUTTONS.cancel[l], action: 'withdraw' };
  if (intent === 'policy.ask') return { label: BUTTONS.policy[l], action: 'policy' };
  if (intent === 'order.cancel') return { label: BUTTONS.startRefund[l], action: 'refund:yes' };
  return null;
}

export function likelyMeanings(t: TextTurn): Button[] {
  const buttons = new Map<string, Button>();
  for (const c of t.nlu.candidates) {
    const b = meaning(c.intent, t);
    if (b) buttons.set(b.action, b);
  }
  for (const fallback of ['refund:yes', 'status'] as const) {
    if (buttons.size >= 3) break;
    if (!buttons.has(fallback))
      buttons.set(
        fallback,
        fallback === 'status'
          ? { label: BUTTONS.status[t.locale], action: 'status' }
          : { label: BUTTONS.startRefund[t.locale], action: 'refund:yes' },
      );
  }
  return [...[...buttons.values()].slice(0, 3), { label: BUTTONS.person[t.locale], action: 'agent' }];
}

/** Not understood: an order it names is kept and asked about; else the likely meanings, then a person. */
export async function onUnclear(t: TextTurn): Promise<void> {
  const named = await resolveNamed(t);
  if (named.kind === 'one') {
    take(t, named.order);
    t.reply(`${orderLine(named.order, t)}${t.locale === 'zh' ? '请问您想：' : ' What would you like to do?'}`, [
      { label: BUTTONS.startRefund[t.locale], action: 'refund:yes' },
      { label: BUTTONS.status[t.locale], action: 'status' },
      { label: BUTTONS.policy[t.locale], action: 'policy' },
      { label: BUTTONS.person[t.locale], action: 'agent' },
    ]);
    return;
  }
  if (named.kind === 'several') return offer(t, named.orders, say('chooseAmong', t.locale));
  if (named.kind === 'none') {
    // It names an order the buyer does not have: said so, with the orders they do have.
    const open = await actionable(t);
    if (open.length > 0) return offer(t, open, say('noneMatched', t.locale));
  }
  if (t.miss() >= MAX_MISSES) return person(t, { why: 'the bot did not understand the buyer twice in a row', reply: 'missedTwice' });
  t.reply(say('clarify', t.locale), likelyMeanings(t));
}
