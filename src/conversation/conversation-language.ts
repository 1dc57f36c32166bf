// One language per conversation (issue 18): the account's locale, else the first message's; then
// kept, and switched only by a message clearly in the other language and understood. A mixed
// message ("Excel那个lesson"), a bare "ok", emoji or gibberish never switch it.
import type { Locale } from '../domain/index.ts';
import { detectLanguage, scripts } from '../nlu/index.ts';

export function conversationLanguage(current: Locale | undefined, account: Locale | undefined, text: string, understood: boolean): Locale {
  const base = current ?? account;
  if (!base) return detectLanguage(text, 'zh');
  const { cjk, latin } = scripts(text);
  // Chinese words carry it, with at most a product name or two in Latin letters ("PPT课退款").
  const clearlyChinese = cjk >= 2 && latin <= cjk * 2;
  // No Chinese at all, a few words' worth of English, and the bot understood it.
  const clearlyEnglish = cjk === 0 && latin >= 4 && understood;
  if (base === 'zh' && clearlyEnglish) return 'en';
  if (base === 'en' && clearlyChinese) return 'zh';
  return base;
}
