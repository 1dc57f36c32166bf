import { describe, expect, it } from 'vitest';
import { classifyBayes, features, trainBayes } from '../../../src/nlu/ngram-bayes.ts';
import {
  detectLanguage,
  maskNouns,
  orderNumbers,
  readAnswer,
  splitClauses,
  technicalKeywords,
  wordPattern,
} from '../../../src/nlu/text-features.ts';

describe('language, order numbers and technical words', () => {
  it('detects Chinese even with English words in it, English otherwise, and falls back for emoji', () => {
    expect(detectLanguage('这个app一直闪退')).toBe('zh');
    expect(detectLanguage("the video won't play")).toBe('en');
    expect(detectLanguage('refund 谢谢')).toBe('zh');
    expect(detectLanguage('😭😭😭', 'en')).toBe('en');
    expect(detectLanguage('12345')).toBe('zh');
  });

  it('finds order numbers in both languages', () => {
    expect(orderNumbers('订单o_demo_m21想退款')).toEqual(['o_demo_m21']);
    expect(orderNumbers('订单号：2026112500123 退款')).toEqual(['2026112500123']);
    expect(orderNumbers('refund order #A12345 please')).toEqual(['A12345']);
    expect(orderNumbers('I want a refund')).toEqual([]);
  });

  it('finds the technical-problem words of M10, case-insensitively', () => {
    expect(technicalKeywords('App CRASHES on start', ['crash'])).toEqual(['crash']);
    expect(technicalKeywords('用不了，一直报错', ['用不了', '报错', '兼容'])).toEqual(['用不了', '报错']);
  });
});

describe('n-gram naive Bayes', () => {
  it('uses Chinese character n-grams and English words, bigrams and trigrams', () => {
    expect(features('退款')).toEqual(['c:退', 'b:退款', 'c:款']);
    expect(features("won't play")).toEqual(expect.arrayContaining(['w:wont', 'w:play', 'p:wont_play', 't:won', 't:ont']));
  });

  it('learns from examples and is robust to a typo', () => {
    const model = trainBayes({
      zh: {},
      en: { refund: ['I want a refund', 'refund my money please'], greeting: ['hello there', 'good morning'] },
    } as never);
    const p = classifyBayes(model, 'en', 'refnd my mony pls')!;
    expect(p.refund).toBeGreaterThan(p.greeting!);
    expect(classifyBayes(model, 'en', 'zzz qqq')).toBeNull();
  });
});

describe('clauses, masks and short answers', () => {
  it('cuts a message into clauses at punctuation, at a space between Chinese phrases and before "还有" / "also"', () => {
    expect(splitClauses('Excel课退了吧 还有会员也登不上去，一直报错')).toEqual(['Excel课退了吧', '还有会员也登不上去', '一直报错']);
    expect(splitClauses('refund the course please. also where is my other refund?')).toEqual([
      'refund the course please',
      'also where is my other refund',
    ]);
    expect(splitClauses('我要退款')).toEqual(['我要退款']);
    expect(splitClauses('version 2.0 is broken')).toEqual(['version 2.0 is broken']);
  });

  it('matches Latin words whole and Chinese anywhere, and masks product nouns', () => {
    const p = wordPattern(['key', '激活码']);
    expect(maskNouns('the key is fine', p)).toBe('the is fine');
    expect(maskNouns('my keyboard', p)).toBe('my keyboard');
    expect(maskNouns('激活码买错了', p)).toBe('买错了');
  });

  it('reads answers: whether it worked in any message (a technical word means not), yes/no only in a short one', () => {
    const w = {
      unsolved: wordPattern(['还是不行', 'still not']),
      solved: wordPattern(['好了', 'works now']),
      no: wordPattern(['不用', 'no']),
      yes: wordPattern(['好的', 'yes']),
      more: wordPattern(['更多']),
      appeal: wordPattern(['申诉', 'appeal']),
    };
    expect(readAnswer('好了，谢谢', w, [])).toBe('solved');
    expect(readAnswer('好了一会儿又打不开了', w, ['打不开'])).toBe('unsolved');
    expect(readAnswer('still not working', w, ['not working'])).toBe('unsolved');
    expect(readAnswer('no', w, [])).toBe('no');
    expect(readAnswer('I know nothing about it', w, [])).toBeNull();
    expect(readAnswer('yes', w, [])).toBe('yes');
    expect(readAnswer('yes I would like to tell you a long story about why this happened', w, [])).toBeNull();
    expect(readAnswer('', w, [])).toBeNull();
    // Taking an offered appeal, in a sentence too; declining it is a no, whatever word it declines.
    expect(readAnswer("yes, I'd like to appeal please", w, [])).toBe('appeal');
    expect(readAnswer('我要申诉', w, [])).toBe('appeal');
    expect(readAnswer('不用申诉了', w, [])).toBe('no');
  });
});
