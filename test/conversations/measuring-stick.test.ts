// The measuring stick itself, on its own: the reply checks (language, repeats, ids, punctuation) and
// the simulated buyer's reading of the bot and its answers. If these were wrong, the suite's figures
// would be too, whatever the bot does.
import { describe, expect, it } from 'vitest';
import { readQuestion, SimulatedBuyer, type BuyerView } from './buyer-sim.ts';
import { languageOf, lineProblems, repeats, type BotLine } from './reply-checks.ts';
import { CONVERSATIONS, suiteProblems } from './suite.ts';
import type { Conversation, Persona } from './spec.ts';

const line = (text: string, buttons: BotLine['buttons'] = []): BotLine => ({ text, buttons });
const zh = {
  lang: 'zh' as const,
  titles: ['《PPT大师进阶课》', 'Python for Data Analysis (video course)'],
  internalIds: ['o_ppt_1', 'b_buyer_1'],
};
const en = { ...zh, lang: 'en' as const };

describe('reply checks', () => {
  it('tells the language of a reply, or none for emoji and figures', () => {
    expect(languageOf('好的，已为您退款')).toBe('zh');
    expect(languageOf('OK, your refund is on its way')).toBe('en');
    expect(languageOf('🙂 ¥99.00 · 3')).toBeNull();
  });

  it("accepts a reply in the chat's language that quotes a title or the buyer's words in the other one", () => {
    expect(lineProblems(line('Your refund for 《PPT大师进阶课》 is approved.'), 1, [], en)).toEqual([]);
    expect(lineProblems(line('You said "买错了": refunded.'), 1, ['refund pls, 买错了'], en)).toEqual([]);
    expect(lineProblems(line('您的 Python for Data Analysis (video course) 已退款。'), 1, [], zh)).toEqual([]);
  });

  it('flags a reply, or a button label, in the other language', () => {
    expect(lineProblems(line("Hi, I'm the refund assistant"), 1, [], zh).map((p) => p.kind)).toEqual(['wrong_language']);
    expect(lineProblems(line('好的'), 2, [], en)).toMatchObject([{ kind: 'wrong_language', turn: 2 }]);
    expect(lineProblems(line('Why?', [{ label: '买错了', action: 'reason:changed_mind' }]), 1, [], en).map((p) => p.kind)).toEqual([
      'wrong_language',
    ]);
  });

  it('flags full-width punctuation in English, not in Chinese', () => {
    expect(lineProblems(line("Let's try to fix it first:【Video won't play】"), 1, [], en).map((p) => p.kind)).toEqual([
      'fullwidth_punctuation',
    ]);
    expect(lineProblems(line('refunded（twice）'), 1, [], en).map((p) => p.kind)).toEqual(['fullwidth_punctuation']);
    expect(lineProblems(line('“Solved” — thanks!'), 1, [], en)).toEqual([]);
    expect(lineProblems(line('我们先试着帮您解决：【视频无法播放】'), 1, [], zh)).toEqual([]);
  });

  it('flags an internal id the buyer never typed, a known one or one the desk minted', () => {
    expect(lineProblems(line('• 《PPT大师进阶课》（o_ppt_1）：已退款'), 1, [], zh).map((p) => p.kind)).toEqual(['internal_id']);
    expect(lineProblems(line('申请 rr_0mx5fa8e5g6dc4a1b2 已提交'), 1, [], zh).map((p) => p.kind)).toEqual(['internal_id']);
    expect(lineProblems(line('订单 o_ppt_1 已退款'), 2, ['o_ppt_1 退款'], zh)).toEqual([]);
    expect(lineProblems(line('Which order?', [{ label: 'PPT', action: 'order:o_ppt_1' }]), 1, [], en)).toEqual([]);
  });

  it("counts a reply the same as the bot's previous one, whatever the buyer said between", () => {
    const lines = ['Welcome', 'Which order?', 'Which order?', 'Got it', 'Which order?'].map((text, i) => ({ turn: i, line: line(text) }));
    expect(repeats(lines)).toEqual([{ kind: 'repeated', turn: 2, text: 'Which order?' }]);
    expect(
      repeats([
        { turn: 1, line: line('') },
        { turn: 2, line: line('') },
      ]),
    ).toEqual([]);
  });
});

describe('the simulated buyer reads the bot', () => {
  it('by its buttons first', () => {
    expect(readQuestion([line('…', [{ label: 'PPT', action: 'order:o_1' }])]).question).toBe('order');
    expect(readQuestion([line('…', [{ label: '买错了', action: 'reason:changed_mind' }])]).question).toBe('reason');
    expect(readQuestion([line('guide'), line('…', [{ label: 'Solved', action: 'guide:solved' }])]).question).toBe('guide');
    expect(readQuestion([line('…', [{ label: 'Yes', action: 'refund:yes' }])]).question).toBe('confirm');
  });

  it('by its words when there are no buttons', () => {
    expect(readQuestion([line('请问是哪一笔订单？')]).question).toBe('order');
    expect(readQuestion([line('Did those steps solve it?')]).question).toBe('guide');
    expect(readQuestion([line('方便说一下退款原因吗？')]).question).toBe('reason');
    expect(readQuestion([line('订单无法取消。需要为您申请退款吗？')]).question).toBe('confirm');
    expect(
      readQuestion([line("An order can't be cancelled. If you don't want it, you can ask for a refund. Shall I start one?")]).question,
    ).toBe('confirm');
    expect(readQuestion([line('好的，不退了。还有其他需要帮忙的吗？')]).question).toBe('none');
    expect(readQuestion([line('Done. Anything else I can help with?')]).question).toBe('none');
  });
});

describe('the simulated buyer answers', () => {
  const know = { lang: 'zh' as const, orderIds: { ppt: 'o_ppt_1', excel: 'o_excel_1' }, productNames: { ppt: ['PPT'], excel: ['Excel'] } };
  const open: BuyerView = { goalDone: { ppt: false, excel: false }, refused: {}, personInvolved: false };
  const list = line('请问是哪一笔订单？', [
    { label: '《Excel课》', action: 'order:o_excel_1' },
    { label: '《PPT大师进阶课》', action: 'order:o_ppt_1' },
  ]);
  const reasons = line('原因？', [
    { label: '买错了', action: 'reason:changed_mind' },
    { label: '内容不满意', action: 'reason:unsatisfied' },
  ]);
  const goal = { order: 'ppt', words: ['PPT那个', 'PPT大师的课'], reason: { code: 'unsatisfied' as const, words: ['跟介绍的不一样'] } };
  const buyer = (persona: Partial<Persona>) => new SimulatedBuyer({ style: 'typing', goals: [goal], ...persona }, know);

  it('a clicking buyer presses their own order and their reason', () => {
    const b = buyer({ style: 'buttons' });
    expect(b.next([list], open)).toEqual({ action: 'order:o_ppt_1', label: '《PPT大师进阶课》' });
    expect(b.next([reasons], open)).toEqual({ action: 'reason:unsatisfied', label: '内容不满意' });
  });

  it('a typing buyer writes each way of saying it once, then presses the button after all', () => {
    const b = buyer({});
    expect(b.next([list], open)).toEqual({ text: 'PPT那个' });
    expect(b.next([list], open)).toEqual({ text: 'PPT大师的课' });
    expect(b.next([list], open)).toEqual({ action: 'order:o_ppt_1', label: '《PPT大师进阶课》' });
    expect(b.next([reasons], open)).toEqual({ text: '跟介绍的不一样' });
  });

  it('after a guide says whether it worked, and restates the reason when the guide was for no problem at all', () => {
    const guide = line('解决了吗？', [
      { label: '已解决', action: 'guide:solved' },
      { label: '还是不行', action: 'guide:unsolved' },
    ]);
    expect(buyer({ goals: [{ ...goal, afterGuide: 'unsolved', guideWords: ['弄了半天还是打不开'] }] }).next([guide], open)).toEqual({
      text: '弄了半天还是打不开',
    });
    expect(buyer({ style: 'buttons', goals: [{ ...goal, afterGuide: 'solved' }] }).next([guide], open)).toEqual({
      action: 'guide:solved',
      label: '已解决',
    });
    expect(buyer({}).next([guide], open)).toEqual({ text: '跟介绍的不一样' });
  });

  it('says its scripted turn first, takes an offered appeal or person, and gives up when it has nothing left', () => {
    expect(buyer({ beats: [{ when: 'any', say: '还是不退了吧' }] }).next([list], open)).toEqual({ text: '还是不退了吧' });
    const refused: BuyerView = { ...open, refused: { ppt: true } };
    const appeal = line('抱歉，已超过24小时。', [{ label: '申请人工申诉', action: 'appeal:rr_1' }]);
    expect(buyer({ style: 'buttons', goals: [{ ...goal, appeal: true }] }).next([appeal], refused)).toEqual({
      action: 'appeal:rr_1',
      label: '申请人工申诉',
    });
    expect(buyer({ goals: [{ ...goal, appeal: true, appealWords: ['我要申诉'] }] }).next([line('抱歉，已超过24小时。')], refused)).toEqual({
      text: '我要申诉',
    });
    const person = new SimulatedBuyer({ style: 'buttons', goals: [], takesPerson: true, rephrase: ['？？'] }, know);
    expect(person.next([line('要不要转人工？', [{ label: '转人工', action: 'agent' }])], open)).toEqual({
      action: 'agent',
      label: '转人工',
    });
    expect(person.next([line('抱歉，我没太明白。')], open)).toEqual({ text: '？？' });
    expect(person.next([line('抱歉，我没太明白。')], open)).toBeNull();
  });

  it('a clicking buyer takes an unfamiliar go-ahead or the refund among the meanings offered, not a status check', () => {
    const confirm = line('您要退的是《PPT大师进阶课》吗？', [
      { label: '是的，退这个', action: 'confirm:o_ppt_1' },
      { label: '不是', action: 'confirm:none' },
    ]);
    expect(buyer({ style: 'buttons' }).next([confirm], open)).toEqual({ action: 'confirm:o_ppt_1', label: '是的，退这个' });
    const meanings = line('您是想：', [
      { label: '查询退款进度', action: 'status' },
      { label: '申请退款', action: 'intent:refund' },
    ]);
    expect(buyer({ style: 'buttons' }).next([meanings], open)).toEqual({ action: 'intent:refund', label: '申请退款' });
  });

  it('answers the order the bot names when it has two goals', () => {
    const two = buyer({ goals: [goal, { order: 'excel', words: ['Excel课'], reason: { code: 'cannot_use', words: ['打不开'] } }] });
    expect(two.next([line('Excel课的问题，原因是？')], open)).toEqual({ text: '打不开' });
  });
});

describe('the suite is written consistently', () => {
  it('finds nothing wrong in the conversations, and catches a goal for an order the buyer does not have', () => {
    expect(suiteProblems(CONVERSATIONS)).toEqual([]);
    const broken: Conversation = {
      ...CONVERSATIONS[0]!,
      id: 'broken',
      persona: { style: 'typing', goals: [{ order: 'nope', words: ['x'] }] },
    };
    expect(suiteProblems([broken])).toEqual(['broken: goal for unknown order nope']);
  });
});
