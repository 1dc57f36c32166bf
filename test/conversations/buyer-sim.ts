// The simulated buyer: reads what the bot just said the way a person does (which question is it
// asking? which buttons are there?) and answers from what they know: their order by product or
// time, their reason in their own words, whether they want the refund, whether the guide worked.
// A clicking buyer presses the button that fits; a typing one writes. When the bot did not get it
// they say it again differently, and they give up after the turn budget the runner sets.
import type { Locale } from '../../src/domain/catalog.ts';
import type { BotLine } from './reply-checks.ts';
import type { OrderGoal, Persona, Trigger } from './spec.ts';

export interface Move {
  text?: string;
  /** A pressed button: its action, and its label as the channel sends it. */
  action?: string;
  label?: string;
}

export type Question = 'order' | 'reason' | 'guide' | 'confirm' | 'choice' | 'none';

/** What the buyer can see of the desk's answer so far (from its messages and, standing in for their own eyes, its stored effect). */
export interface BuyerView {
  /** Goal order key → whether what the buyer wanted for it has happened. */
  goalDone: Record<string, boolean>;
  /** Goal order key → the bot refused a self-service refund for it. */
  refused: Record<string, boolean>;
  /** A person has been asked to look at it (any handoff opened in this chat). */
  personInvolved: boolean;
}

export interface BuyerKnowledge {
  lang: Locale;
  /** Order key → the order's id (a person recognises their order in a list). */
  orderIds: Record<string, string>;
  /** Order key → the names the product goes by. */
  productNames: Record<string, string[]>;
}

const ORDER_Q = /哪一笔|哪笔|哪个订单|哪一个订单|哪个商品|选择.*订单|which order|which one|which purchase|which product/i;
const REASON_Q = /原因|为什么|为啥|why|reason/i;
const GUIDE_Q =
  /解决了吗|好了吗|可以了吗|能用了吗|解决您的问题|solve|fixed|works? now|working now|did (that|this|those( steps)?|it) (help|work)/i;
// A yes/no question about starting the refund, in the answer's last sentence: a question asking
// for a go-ahead, about a refund.
const CONFIRM_Q = /(吗|要不要|是否|需要|确认|shall i|should i|do you want|would you like|want me to|confirm|is that right)[^。.!！]*[？?]/i;
const ABOUT_REFUND = /退款|refund/i;
const PERSON_LABEL = /人工|客服|真人|person|human|agent/i;
const YES_LABEL = /^(是|对|好|确认|确定|yes\b|ok\b|sure\b|confirm)/i;
const REFUND_LABEL = /退款|退掉|refund/i;
const NOT_A_REFUND_LABEL = /进度|查询|撤回|取消|status|withdraw|cancel|where/i;
const MORE_LABEL = /更多|更早|其他订单|其它订单|more|older|other orders|earlier/i;
const APPEAL_LABEL = /申诉|复核|人工|appeal|review|person|human|agent/i;

const YES: Record<Locale, string[]> = { zh: ['嗯，退吧', '对，帮我退', '是的'], en: ['yes please', 'yes, go ahead', 'yes'] };
const NO: Record<Locale, string[]> = { zh: ['不用了', '先不退了'], en: ['no thanks', 'no, leave it'] };
const SOLVED: Record<Locale, string[]> = { zh: ['好了，可以用了', '解决了，谢谢'], en: ['ok it works now, thanks', 'sorted, thank you'] };
const UNSOLVED: Record<Locale, string[]> = {
  zh: ['还是不行', '试了，还是不行'],
  en: ["still doesn't work", 'tried all that, still broken'],
};
const APPEAL: Record<Locale, string[]> = {
  zh: ['我要申诉，麻烦人工帮我看看', '申请人工复核'],
  en: ["I'd like to appeal, can a person look at it?", 'please let a person review it'],
};

/** Which question the bot's last answer asks, by its buttons first, then by its words. */
export function readQuestion(lines: BotLine[]): { question: Question; buttons: BotLine['buttons'] } {
  const withButtons = [...lines].reverse().find((l) => l.buttons.length > 0);
  const buttons = withButtons?.buttons ?? [];
  const actions = buttons.map((b) => b.action);
  if (actions.some((a) => a.startsWith('order:'))) return { question: 'order', buttons };
  if (actions.some((a) => a.startsWith('reason:'))) return { question: 'reason', buttons };
  if (actions.some((a) => a.startsWith('guide:'))) return { question: 'guide', buttons };
  if (actions.some((a) => a.startsWith('refund:'))) return { question: 'confirm', buttons };
  const last = lines.at(-1)?.text ?? '';
  if (GUIDE_Q.test(last) && /[？?]/.test(last)) return { question: 'guide', buttons };
  if (ORDER_Q.test(last)) return { question: 'order', buttons };
  if (REASON_Q.test(last) && /[？?]/.test(last)) return { question: 'reason', buttons };
  if (buttons.length > 1) return { question: 'choice', buttons };
  const sentences = last
    .trim()
    .split(/(?<=[。.!！？?])\s*|\n/)
    .filter((x) => x.trim());
  if (CONFIRM_Q.test(sentences.at(-1) ?? '') && ABOUT_REFUND.test(sentences.slice(-2).join(' '))) return { question: 'confirm', buttons };
  return { question: 'none', buttons };
}

export class SimulatedBuyer {
  private beat = 0;
  private readonly used = new Map<string, number>();

  constructor(
    private readonly persona: Persona,
    private readonly know: BuyerKnowledge,
  ) {}

  /** Scripted turns not said yet (the runner keeps going while there are some). */
  get beatsLeft(): number {
    return (this.persona.beats?.length ?? 0) - this.beat;
  }

  /** The next message or press, or null when the buyer has nothing left to say (they give up). */
  next(lines: BotLine[], view: BuyerView): Move | null {
    const { question, buttons } = readQuestion(lines);
    const beat = this.persona.beats?.[this.beat];
    if (beat && matches(beat.when, question)) {
      this.beat++;
      return { text: beat.say };
    }
    // A buyer who came for a person takes one as soon as it is offered.
    if (this.persona.takesPerson && !view.personInvolved) {
      const person =
        buttons.find((b) => b.action === 'agent' || b.action.startsWith('agent:')) ?? buttons.find((b) => PERSON_LABEL.test(b.label));
      if (person) return press(person);
    }
    const goal = this.target(lines, view, question);
    if (goal?.appeal && view.refused[goal.order] && !view.personInvolved) {
      const button = buttons.find((b) => b.action.startsWith('appeal')) ?? buttons.find((b) => APPEAL_LABEL.test(b.label));
      return this.answer(`appeal:${goal.order}`, goal.appealWords ?? APPEAL[this.know.lang], button);
    }
    switch (question) {
      case 'order':
        if (goal) return this.pickOrder(goal, buttons);
        break;
      case 'reason':
        if (goal?.reason)
          return this.answer(
            `reason:${goal.order}`,
            goal.reason.words,
            buttons.find((b) => b.action === `reason:${goal.reason!.code}`),
          );
        break;
      case 'guide': {
        const outcome = goal?.afterGuide;
        if (goal && outcome) {
          const words = goal.guideWords ?? (outcome === 'solved' ? SOLVED : UNSOLVED)[this.know.lang];
          return this.answer(
            `guide:${goal.order}`,
            words,
            buttons.find((b) => b.action === `guide:${outcome}`),
          );
        }
        // Not a technical problem: the buyer says again why they want their money back.
        if (goal?.reason) return this.answer(`reason:${goal.order}`, goal.reason.words, undefined);
        break;
      }
      case 'confirm': {
        const yes = this.persona.confirm ?? true;
        return this.answer(
          'confirm',
          (yes ? YES : NO)[this.know.lang],
          buttons.find((b) => b.action === (yes ? 'refund:yes' : 'refund:no')),
        );
      }
      case 'choice': {
        // Buttons of a kind the buyer has not seen before: the one that names their product, a
        // go-ahead for the refund they want, or the refund among the likely meanings offered.
        const names = goal ? (this.know.productNames[goal.order] ?? []) : [];
        const wantsRefund = Boolean(goal?.reason) && (this.persona.confirm ?? true);
        const button =
          buttons.find((b) => names.some((n) => b.label.toLowerCase().includes(n.toLowerCase()))) ??
          (wantsRefund ? buttons.find((b) => YES_LABEL.test(b.label)) : undefined) ??
          (wantsRefund ? buttons.find((b) => REFUND_LABEL.test(b.label) && !NOT_A_REFUND_LABEL.test(b.label)) : undefined);
        if (button && this.persona.style === 'buttons') return press(button);
        break;
      }
      case 'none':
        break;
    }
    return this.rephrase(goal);
  }

  /**
   * The goal the bot is talking about (it names the product), else the first one not done yet. Once
   * every order is where the buyer wants it but something is still owed (a person for a guide that
   * did not help), the one the bot's question is about: the one it names, or the one that fits.
   */
  private target(lines: BotLine[], view: BuyerView, question: Question): OrderGoal | undefined {
    const all = this.persona.goals;
    const open = all.filter((g) => !view.goalDone[g.order]);
    const text = lines
      .map((l) => l.text)
      .join('\n')
      .toLowerCase();
    const named = (goals: OrderGoal[]) =>
      goals.find((g) => (this.know.productNames[g.order] ?? []).some((n) => text.includes(n.toLowerCase())));
    // Only a goal with a guide outcome can answer "did the guide help?", only one with a reason "why?".
    const fitting = question === 'guide' ? all.filter((g) => g.afterGuide) : question === 'reason' ? all.filter((g) => g.reason) : all;
    return named(open) ?? open[0] ?? named(fitting) ?? fitting[0] ?? named(all) ?? all[0];
  }

  private pickOrder(goal: OrderGoal, buttons: BotLine['buttons']): Move | null {
    const id = this.know.orderIds[goal.order];
    const mine = buttons.find((b) => b.action === `order:${id}`);
    const more = buttons.find((b) => !b.action.startsWith('order:') && MORE_LABEL.test(b.label));
    if (this.persona.style === 'buttons' && !mine && more) return press(more);
    return this.answer(`order:${goal.order}`, goal.words, mine);
  }

  /**
   * A clicking buyer presses the button that fits. A typing one writes, each time another of their
   * ways of saying it; once those are used up they press the button after all, if there is one, or
   * say the last one again (people repeat themselves).
   */
  private answer(key: string, words: string[], button: { label: string; action: string } | undefined): Move {
    if (button && this.persona.style === 'buttons') return press(button);
    const n = this.used.get(key) ?? 0;
    this.used.set(key, n + 1);
    if (n >= words.length && button) return press(button);
    return { text: words[Math.min(n, words.length - 1)]! };
  }

  private rephrase(goal: OrderGoal | undefined): Move | null {
    const own = goal?.rephrase ?? [];
    const general = this.persona.rephrase ?? [];
    const fallback = goal ? [[goal.words[0], goal.reason?.words[0]].filter(Boolean).join(this.know.lang === 'zh' ? '，' : ', ')] : [];
    const all = [...own, ...general, ...fallback].filter((s): s is string => typeof s === 'string' && s.length > 0);
    const n = this.used.get('rephrase') ?? 0;
    if (n >= all.length) return null;
    this.used.set('rephrase', n + 1);
    return { text: all[n]! };
  }
}

function matches(when: Trigger, question: Question): boolean {
  return when === 'any' || when === question;
}

function press(button: { label: string; action: string }): Move {
  return { action: button.action, label: button.label };
}
