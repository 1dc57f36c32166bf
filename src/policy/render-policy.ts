// M7: a product's refund rules in plain words, for its page, the shop's API and the bot ("agreed
// before, enforced after"). Rendered from the same policy object decide() uses and from the trust
// tiers' own thresholds, and it states everything that can change an outcome: the windows, the
// usage conditions, the key-action locks, the allowances and whom they apply to, troubleshooting
// first, restricted accounts, unusual activity, the payment route, and when a person takes over.
// Each rule carries the id of the decide() rule it describes; test/unit/policy/rendered-promises
// reads the English text back and checks decide() against it over a grid of facts.
import type { Locale } from '../domain/index.ts';
import { formatMoney } from '../domain/index.ts';
import type { AllowanceTier, Policy, PolicyCondition, PolicyLock } from './policy-schema.ts';
import { TIER_THRESHOLDS } from './trust-tiers.ts';

export interface RenderedPolicy {
  policy: { id: string; version: number };
  text: string;
  rules: Array<{ id: string; text: string }>;
}

// Exact, not rounded: decide() compares the threshold itself, so a 29.5 % limit read as "30 %" would
// promise a buyer at 29.8 % a refund the engine then refuses.
const pct = (share: number) => `${Number((share * 100).toFixed(4))}%`;

function conditionText(c: PolicyCondition, lang: Locale): string {
  const zh: Record<PolicyCondition['kind'], string> = {
    course_progress_at_most: `课程观看进度不超过${'threshold' in c ? pct(c.threshold) : ''}`,
    key_not_revealed: '未查看激活码',
    key_not_activated: '激活码未激活',
    file_not_downloaded: '文件未下载',
    membership_not_activated: '会员未开通',
    software_not_logged_in: '软件未登录使用',
  };
  const en: Record<PolicyCondition['kind'], string> = {
    course_progress_at_most: `you have watched no more than ${'threshold' in c ? pct(c.threshold) : ''} of the course`,
    key_not_revealed: 'the licence key has not been revealed',
    key_not_activated: 'the licence key has not been activated',
    file_not_downloaded: 'the files have not been downloaded',
    membership_not_activated: 'the membership has not been activated',
    software_not_logged_in: 'you have not logged in to the software',
  };
  return lang === 'zh' ? zh[c.kind] : en[c.kind];
}

function lockText(l: PolicyLock, lang: Locale): string {
  const zh: Record<PolicyLock['kind'], string> = {
    course_progress: `观看进度超过${'above' in l ? pct(l.above) : ''}`,
    key_revealed: '查看激活码',
    key_copied: '复制激活码',
    key_activated: '激活激活码',
    file_downloaded: '下载资料包/文件',
    membership_activated: '开通会员',
    software_login: '登录使用软件',
  };
  const en: Record<PolicyLock['kind'], string> = {
    course_progress: `watched more than ${'above' in l ? pct(l.above) : ''} of the course`,
    key_revealed: 'revealed the licence key',
    key_copied: 'copied the licence key',
    key_activated: 'activated the licence key',
    file_downloaded: 'downloaded the full package or files',
    membership_activated: 'activated the membership',
    software_login: 'logged in to the software',
  };
  return lang === 'zh' ? zh[l.kind] : en[l.kind];
}

/**
 * When a person takes over from a tier's allowance, as a clause: "once it has had 3 refunds or
 * ¥500.00 refunded" (zh "已退款3笔或累计¥500.00后"); a zero allowance: a person decides every request.
 */
function allowanceClause(policy: Policy, tier: AllowanceTier, lang: Locale): string {
  const { maxCount, maxAmountMinor } = policy.allowances[tier];
  const money = maxAmountMinor === null ? null : formatMoney({ amountMinor: maxAmountMinor, currency: policy.currency }, lang);
  if (maxCount === 0 || maxAmountMinor === 0) return lang === 'zh' ? '每次申请都由人工客服审核' : 'a person decides every request';
  if (lang === 'zh') return `已退款${maxCount}笔${money ? `或累计${money}` : ''}后由人工客服审核`;
  return `a person decides once the account has had ${maxCount} ${maxCount === 1 ? 'refund' : 'refunds'}${money ? ` or ${money} refunded` : ''}`;
}

export function renderPolicy(policy: Policy, lang: Locale, productTitle?: string): RenderedPolicy {
  const { unconditionalMinutes: m, conditionalHours: h } = policy.windows;
  const zh = lang === 'zh';
  // Conditions must all hold ("and"); locks are alternatives ("or").
  const join = (items: string[], conjunction: 'and' | 'or') => {
    if (zh) return items.join(conjunction === 'and' ? '、' : '或');
    if (items.length <= 1) return items.join('');
    return `${items.slice(0, -1).join(', ')}${items.length > 2 ? ',' : ''} ${conjunction} ${items.at(-1)}`;
  };
  const locks = join(
    policy.locks.map((l) => lockText(l, lang)),
    'or',
  );
  const conditions = join(
    policy.conditions.map((c) => conditionText(c, lang)),
    'and',
  );
  const tiers = TIER_THRESHOLDS;
  const rules: RenderedPolicy['rules'] = [
    {
      id: 'window.unconditional',
      text: zh
        ? `付款后${m}分钟内，任何理由均可自助退款，立即原路退回，不受退款额度限制${locks ? `；已${locks}的除外` : ''}（退款受限账户和异常申请见下文）。`
        : `Within ${m} minutes of payment, you get a refund for any reason, at once and whatever your refund allowance${locks ? `, unless you have ${locks}` : ''} (restricted accounts and requests with unusual activity: see below).`,
    },
    {
      id: 'window.conditional',
      text: zh
        ? conditions
          ? `付款后${m}分钟至${h}小时内，${conditions}时可自助退款（受退款额度限制）；不符合条件时不能自助退款，申请会立即转给人工客服。`
          : `付款后${m}分钟至${h}小时内，可自助退款（受退款额度限制）。`
        : conditions
          ? `From ${m} minutes to ${h} hours after payment, you get a refund if ${conditions}, within your refund allowance; if not, self-service refund is refused and your request goes to a person at once.`
          : `From ${m} minutes to ${h} hours after payment, you get a refund within your refund allowance.`,
    },
  ];
  if (locks) {
    rules.push({
      id: 'locks',
      text: zh
        ? `无论何时，${locks}后，该订单不再支持自助退款：付款${h}小时内的申请会立即转人工客服处理，之后可向人工客服申诉。`
        : `Whatever the time, self-service refund closes once you have ${locks}; within ${h} hours of payment your request goes to a person at once, after that you can appeal to a person.`,
    });
  }
  rules.push({
    id: 'window.expired',
    text: zh
      ? `付款超过${h}小时后不支持自助退款，如有特殊情况可向人工客服申诉。`
      : `After ${h} hours there is no self-service refund; for special cases you can appeal to a person.`,
  });
  if (policy.troubleshootFirst) {
    rules.push({
      id: 'reason.troubleshoot',
      text: zh
        ? `付款${m}分钟后遇到无法使用（播放、激活、下载等）的问题时，我们会先提供排查指南帮您解决；仍无法解决时再次申请，按本规则处理。`
        : `If something doesn't work (playback, activation, downloads) and you ask more than ${m} minutes after payment, we first help you fix it with a troubleshooting guide; if it still doesn't work, ask again and these rules decide.`,
    });
  }
  const t = tiers.trusted;
  rules.push({
    id: 'allowance.trust_tier',
    text: zh
      ? `退款额度（仅适用于付款${m}分钟后）：按最近30天内的退款计，一般账户${allowanceClause(policy, 'standard', lang)}；新注册账户（注册不满${tiers.new.accountAgeDaysBelow}天）${allowanceClause(policy, 'new', lang)}；老用户（注册满${t.accountAgeDaysAtLeast}天、近一年${t.orders365dAtLeast}单及以上且退款不超过${pct(t.refundRateAtMost)}）${allowanceClause(policy, 'trusted', lang)}。`
      : `Refund allowance, from ${m} minutes after payment only, counting refunds in the last 30 days: for most accounts, ${allowanceClause(policy, 'standard', lang)}; for new accounts (registered less than ${tiers.new.accountAgeDaysBelow} days ago), ${allowanceClause(policy, 'new', lang)}; for long-standing accounts (registered ${t.accountAgeDaysAtLeast} days or more ago, ${t.orders365dAtLeast} or more orders in the last year, at most ${pct(t.refundRateAtMost)} of them refunded), ${allowanceClause(policy, 'trusted', lang)}.`,
  });
  const r = tiers.restricted;
  rules.push({
    id: 'buyer.restricted',
    text: zh
      ? `退款受限账户（近一年退款${r.minRefunds365d}笔及以上且超过订单数的一半，或近${r.blockSignalDays}天内有退款因异常被拦截）：任何时候的退款都由人工客服决定。`
      : `Restricted accounts (${r.minRefunds365d} or more refunds in the last year making up more than half of their orders, or a refund blocked for unusual activity in the last ${r.blockSignalDays} days): a person decides every refund, at any time.`,
  });
  rules.push({
    id: 'risk.assessment',
    text: zh
      ? '同一设备或网络短时间内多次退款、关联账户集中退款同一商品等异常申请，会转人工客服审核，或不予自助退款（可申诉）。'
      : 'Requests with unusual activity (many orders refunded from one device or network within a day, linked accounts refunding the same product) go to a person, or self-service refund is refused and you can appeal.',
  });
  rules.push({
    id: 'payment.route',
    text: zh
      ? '退款按原支付方式原路退回；如该支付方式暂不支持自动退款，由人工客服按原路为您退回。'
      : "Refunds go back the way you paid; if your payment method can't be refunded automatically here, a person returns the money the same way.",
  });
  const heading = zh
    ? `退款规则${productTitle ? `（${productTitle}，${policy.title.zh}）` : `（${policy.title.zh}）`}：`
    : `Refund rules${productTitle ? ` (${productTitle}, ${policy.title.en})` : ` (${policy.title.en})`}:`;
  const text = [heading, ...rules.map((rule, i) => `${i + 1}. ${rule.text}`)].join('\n');
  return { policy: { id: policy.id, version: policy.version }, text, rules };
}
