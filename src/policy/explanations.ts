// Buyer-facing explanations, Chinese first and English. Each names the rule that decided, in plain
// words, and for a refusal offers the human appeal path (M3, M16). Never mentions risk signals, and
// never tells a restricted buyer that they are.
import { formatMoney } from '../domain/index.ts';
import type { PaymentMethod } from '../domain/index.ts';
import type { DecisionFacts } from './facts.ts';
import type { Policy } from './policy-schema.ts';

export interface Bilingual {
  zh: string;
  en: string;
}

export type ExplanationKey =
  | { kind: 'approved_unconditional'; minutes: number }
  | { kind: 'approved_conditional' }
  | { kind: 'troubleshoot' }
  | { kind: 'rejected_condition'; condition: string; threshold?: number }
  | { kind: 'rejected_lock'; lock: string; above?: number }
  | { kind: 'rejected_expired' }
  | { kind: 'rejected_nothing_left' }
  | { kind: 'rejected_risk' }
  | { kind: 'review_allowance' }
  | { kind: 'review_restricted' }
  | { kind: 'review_risk' }
  | { kind: 'review_route' };

const METHOD: Record<PaymentMethod, Bilingual> = {
  wechat: { zh: '微信支付', en: 'WeChat Pay' },
  alipay: { zh: '支付宝', en: 'Alipay' },
  card: { zh: '银行卡', en: 'bank card' },
  sandbox: { zh: '原支付账户（测试）', en: 'original payment account (sandbox)' },
};

/** The appeal a refusal offers (M3, M16): the buyer takes it, and a person looks at the case. */
export const APPEAL: Bilingual = {
  zh: '如有特殊情况，可以向人工客服申诉。',
  en: 'If there is something special about your case, you can appeal to a person.',
};

const pct = (share: number) => `${Math.round(share * 100)}%`;

/** What a usage condition or lock refers to, for "since you have …" sentences. */
function usageAction(kind: string, share?: number): Bilingual {
  switch (kind) {
    case 'course_progress_at_most':
    case 'course_progress':
      return { zh: `观看超过${pct(share ?? 0)}的内容`, en: `watched more than ${pct(share ?? 0)} of the content` };
    case 'key_not_revealed':
    case 'key_revealed':
      return { zh: '查看了激活码', en: 'revealed the licence key' };
    case 'key_copied':
      return { zh: '复制了激活码', en: 'copied the licence key' };
    case 'key_not_activated':
    case 'key_activated':
      return { zh: '激活了激活码', en: 'activated the licence key' };
    case 'file_not_downloaded':
    case 'file_downloaded':
      return { zh: '下载了文件', en: 'downloaded the files' };
    case 'membership_not_activated':
    case 'membership_activated':
      return { zh: '开通了会员', en: 'activated the membership' };
    case 'software_not_logged_in':
    case 'software_login':
      return { zh: '登录使用了软件', en: 'logged in to the software' };
    default:
      return { zh: '使用了商品', en: 'used the product' };
  }
}

export function explain(key: ExplanationKey, facts: DecisionFacts, policy: Policy, refundMinor: number): Bilingual {
  const money = (locale: 'zh' | 'en') => formatMoney({ amountMinor: refundMinor, currency: facts.order.currency }, locale);
  const method = METHOD[facts.order.paymentMethod];
  const { unconditionalMinutes, conditionalHours } = policy.windows;
  switch (key.kind) {
    case 'approved_unconditional':
      return {
        zh: `您在付款后${key.minutes}分钟内申请退款，符合${unconditionalMinutes}分钟无理由退款规则，已自动批准。${money('zh')}将原路退回您的${method.zh}。`,
        en: `You asked within ${key.minutes} minutes of payment, inside the ${unconditionalMinutes}-minute no-questions-asked window, so your refund is approved. ${money('en')} goes back to your ${method.en}.`,
      };
    case 'approved_conditional':
      return {
        zh: `您在付款后${conditionalHours}小时内申请，且商品基本未使用，退款已自动批准。${money('zh')}将原路退回您的${method.zh}。`,
        en: `You asked within ${conditionalHours} hours of payment and have hardly used the product, so your refund is approved. ${money('en')} goes back to your ${method.en}.`,
      };
    case 'troubleshoot':
      return {
        zh: '看起来是使用上遇到了问题，我们先帮您解决：请按排障指南操作，或联系技术支持。如果仍然无法使用，可以再次申请退款。',
        en: "It looks like something isn't working. Let's fix that first: follow the troubleshooting guide or contact technical support. If it still doesn't work, you can ask for a refund again.",
      };
    case 'rejected_condition': {
      const action = usageAction(key.condition, key.threshold);
      return {
        // The article's own words for M22.
        zh: `抱歉，由于您已${action.zh}，暂不符合自助退款条件，如需帮助，可联系人工客服。`,
        en: `Sorry, since you have ${action.en}, this order no longer qualifies for self-service refund; contact a human agent if you need help.`,
      };
    }
    case 'rejected_lock': {
      const action = usageAction(key.lock, key.above);
      return {
        zh: `抱歉，由于您已${action.zh}，该订单的自助退款已关闭。${APPEAL.zh}`,
        en: `Sorry, since you have ${action.en}, self-service refund is closed for this order. ${APPEAL.en}`,
      };
    }
    case 'rejected_expired':
      return {
        zh: `抱歉，该订单已超过付款后${conditionalHours}小时的自助退款期限。您可以向人工客服提出申诉，我们会认真处理。`,
        en: `Sorry, this order is past the ${conditionalHours}-hour self-service refund period. You can appeal to a human agent, who will look at it carefully.`,
      };
    case 'rejected_nothing_left':
      return {
        zh: `该订单的款项已全部退回，没有可以再退的金额。${APPEAL.zh}`,
        en: `This order has already been refunded in full; there is nothing left to refund. ${APPEAL.en}`,
      };
    case 'rejected_risk':
      return {
        zh: `抱歉，该订单暂时无法自助退款。${APPEAL.zh}`,
        en: `Sorry, this order cannot be refunded through self-service right now. ${APPEAL.en}`,
      };
    case 'review_allowance':
    case 'review_restricted':
    case 'review_risk':
      return {
        zh: '您的退款申请已提交，需要人工客服审核，我们会尽快处理并通知您结果。',
        en: 'Your refund request has been passed to a human agent for review. We will let you know the result as soon as possible.',
      };
    case 'review_route':
      // M20: the policy allows it, but no rail on this desk refunds this payment method by itself.
      return {
        zh: `您的退款申请已通过，需要人工客服通过原支付渠道（${method.zh}）为您退款，我们会尽快处理。`,
        en: `Your refund is approved; a human agent will return it through your original payment method (${method.en}) shortly.`,
      };
  }
}
