// What the buyer's in-shop inbox says about a request, in their language.
import type { Locale } from '../domain/index.ts';
import type { Bilingual } from '../policy/index.ts';

export type BuyerNoticeKind =
  | 'refund.decided'
  | 'refund.appealed'
  | 'refund.reviewed'
  | 'refund.succeeded'
  | 'refund.failed'
  | 'refund.cancelled';

const TITLES: Record<BuyerNoticeKind, Bilingual> = {
  'refund.decided': { zh: '退款申请结果', en: 'Your refund request' },
  'refund.appealed': { zh: '申诉已提交', en: 'Your appeal' },
  'refund.reviewed': { zh: '人工复核结果', en: 'Your request was reviewed' },
  'refund.succeeded': { zh: '退款已到账', en: 'Your refund is on its way' },
  'refund.failed': { zh: '退款暂未成功', en: 'Your refund did not go through yet' },
  'refund.cancelled': { zh: '退款申请已撤回', en: 'Refund request withdrawn' },
};

export function buyerNotice(kind: BuyerNoticeKind, locale: Locale, body: Bilingual): { title: string; body: string } {
  return { title: TITLES[kind][locale], body: body[locale] };
}

export const REFUND_FAILED_TEXT: Bilingual = {
  zh: '退款在支付渠道处理时遇到问题，人工客服已接手，会尽快为您处理。',
  en: 'The payment provider could not complete the refund. A human agent has taken it over and will sort it out soon.',
};

export const APPEALED_TEXT: Bilingual = {
  zh: '您的申诉已提交给人工客服，工作人员会查看完整情况后尽快答复您。',
  en: 'Your appeal has gone to a person, who will look at the whole case and get back to you soon.',
};

export const CANCELLED_TEXT: Bilingual = {
  zh: '您已撤回退款申请，订单保持不变。',
  en: 'You withdrew your refund request; the order stays as it is.',
};

export const succeededText = (amount: Bilingual): Bilingual => ({
  zh: `${amount.zh}已原路退回，通常几分钟内到账（银行卡可能需要1-3个工作日）。`,
  en: `${amount.en} has been refunded the way you paid. It usually arrives within minutes (bank cards can take 1-3 working days).`,
});
