import { describe, expect, it } from 'vitest';
import { ordinal, OrderResolver } from '../../../src/conversation/order-resolver.ts';
import { loadNluData } from '../../../src/nlu/corpus.ts';

const now = new Date('2026-03-10T12:00:00Z');
const hoursAgo = (h: number) => new Date(now.getTime() - h * 3_600_000);
const orders = [
  { id: 'o_tpl', title: '商务汇报PPT模板合集', category: 'template', paidAt: hoursAgo(0.2) },
  { id: 'o_sql', title: '《SQL数据分析入门课》', category: 'course', paidAt: hoursAgo(26) },
  { id: 'o_guitar', title: 'Guitar Basics: Chords & Strumming (video course)', category: 'course', paidAt: hoursAgo(60) },
  { id: 'o_key', title: 'Notion Plus 激活码（1年）', category: 'software_key', paidAt: hoursAgo(100) },
  { id: 'o_vip_new', title: '乐听音乐年卡会员', category: 'membership', paidAt: hoursAgo(5) },
  { id: 'o_vip_old', title: '乐听音乐年卡会员', category: 'membership', paidAt: hoursAgo(24 * 40) },
] as const;

describe('order resolution from words', async () => {
  const resolver = new OrderResolver((await loadNluData()).orderWords);
  const ids = (text: string) => resolver.resolve(text, orders as never, now).matches.map((o) => o.id);

  it('finds an order by a partial title, in either language, with a typo', () => {
    expect(ids('SQL那门想退')).toEqual(['o_sql']);
    expect(ids('数据分析的')).toEqual(['o_sql']);
    expect(ids('the guitar one')).toEqual(['o_guitar']);
    expect(ids('gutiar course pls')).toEqual(['o_guitar']);
    expect(ids('notion那个')).toEqual(['o_key']);
  });

  it('knows the other names buyers use for a product word (an abbreviation, the other language)', () => {
    expect(ids('the powerpoint templates')).toEqual(['o_tpl']);
    expect(ids('吉他课不想学了')).toEqual(['o_guitar']);
    // An alias of nothing the buyer has names nothing they have.
    expect(resolver.resolve('the photoshop course', orders as never, now)).toMatchObject({ named: true, matches: [] });
  });

  it('narrows by category word, and offers several when the words fit several', () => {
    expect(ids('序列号那单')).toEqual(['o_key']);
    expect(ids('the template')).toEqual(['o_tpl']);
    expect(ids('我买的课')).toEqual(['o_sql', 'o_guitar']);
    // Both membership orders are the same product: the resolver lists both, newest first.
    expect(ids('会员')).toEqual(['o_vip_new', 'o_vip_old']);
  });

  it('reads time words against the payment time', () => {
    expect(ids('刚买的')).toEqual(['o_tpl']);
    expect(ids('just now')).toEqual(['o_tpl']);
    expect(ids('昨天买的课')).toEqual(['o_sql']);
    expect(ids('the course from yesterday')).toEqual(['o_sql']);
    expect(ids('前几天的激活码')).toEqual(['o_key']);
  });

  it('says when the words name nothing the buyer has, and when they name no order at all', () => {
    expect(resolver.resolve('昨天的模板', orders as never, now)).toMatchObject({ named: true, matches: [] });
    // A product name of its own beside the category word: not one of theirs.
    expect(resolver.resolve('the excel course', orders as never, now)).toMatchObject({ named: true, matches: [] });
    expect(resolver.resolve('英语课想退', orders as never, now)).toMatchObject({ named: true, matches: [] });
    // A clause opener is not a product name.
    expect(ids('还有会员也登不上去')).toEqual(['o_vip_new', 'o_vip_old']);
    expect(resolver.resolve('我要退款', orders as never, now)).toMatchObject({ named: false, matches: [] });
    expect(resolver.resolve('I want a refund', orders as never, now)).toMatchObject({ named: false, matches: [] });
  });

  it('gives the words of the buyer\'s titles to mask, and reads "the second one"', () => {
    expect(resolver.titleWords(orders as never)).toEqual(expect.arrayContaining(['guitar', 'notion', '商务汇报']));
    expect(ordinal('第二个', ['o_a', 'o_b'])).toBe('o_b');
    expect(ordinal('the first one', ['o_a', 'o_b'])).toBe('o_a');
    expect(ordinal('2', ['o_a', 'o_b'])).toBe('o_b');
    expect(ordinal('最后一个', ['o_a', 'o_b', 'o_c'])).toBe('o_c');
    expect(ordinal('第五个', ['o_a'])).toBeNull();
    expect(ordinal('我要退款', ['o_a'])).toBeNull();
  });
});
