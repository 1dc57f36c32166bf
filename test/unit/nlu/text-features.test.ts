import { describe, expect, it } from 'vitest';
import { classifyBayes, features, trainBayes } from '../../../src/nlu/ngram-bayes.ts';
import { detectLanguage, orderNumbers, technicalKeywords } from '../../../src/nlu/text-features.ts';

describe('language, order numbers and technical words', () => {
  it('detects Chinese even with English words in it, English otherwise, and falls back for emoji', () => {
    expect(detectLanguage('这个app一直闪退')).toBe('zh');
    expect(detectLanguage('the video won\'t play')).toBe('en');
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
    const model = trainBayes({ zh: {}, en: { refund: ['I want a refund', 'refund my money please'], greeting: ['hello there', 'good morning'] } } as never);
    const p = classifyBayes(model, 'en', 'refnd my mony pls')!;
    expect(p.refund).toBeGreaterThan(p.greeting!);
    expect(classifyBayes(model, 'en', 'zzz qqq')).toBeNull();
  });
});
