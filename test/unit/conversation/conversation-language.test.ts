import { describe, expect, it } from 'vitest';
import { conversationLanguage } from '../../../src/conversation/conversation-language.ts';

describe('the conversation language', () => {
  it('starts from the account locale, else from the first message', () => {
    expect(conversationLanguage(undefined, 'zh', '你好', true)).toBe('zh');
    expect(conversationLanguage(undefined, 'en', 'hello there', true)).toBe('en');
    expect(conversationLanguage(undefined, undefined, 'I want a refund', true)).toBe('en');
    expect(conversationLanguage(undefined, undefined, '退款', true)).toBe('zh');
  });

  it('is not switched by a mixed, short or unreadable message', () => {
    expect(conversationLanguage('zh', 'zh', 'Excel那个lesson', true)).toBe('zh');
    expect(conversationLanguage('en', 'en', 'Excel那个lesson', true)).toBe('en');
    expect(conversationLanguage('zh', 'zh', 'asdfgh qwerty', false)).toBe('zh');
    expect(conversationLanguage('zh', 'zh', 'ok', true)).toBe('zh');
    expect(conversationLanguage('zh', 'zh', '😭😭', false)).toBe('zh');
    expect(conversationLanguage('en', 'en', 'refund 谢谢', true)).toBe('en');
  });

  it('is switched by a message clearly in the other language', () => {
    expect(conversationLanguage('zh', 'zh', 'can I get a refund for the course', true)).toBe('en');
    expect(conversationLanguage('en', 'en', '我想退这个课', true)).toBe('zh');
    expect(conversationLanguage('en', 'en', 'PPT课能退吗', true)).toBe('zh');
  });
});
