// M7: a product's refund rules in plain words, for its page and for the bot ("agreed before,
// enforced after"). Rendered from the same policy object decide() uses, so they cannot disagree.
import type { Locale } from '../domain/catalog.ts';
import type { Policy, PolicyCondition, PolicyLock } from './policy-schema.ts';

export interface RenderedPolicy {
  policy: { id: string; version: number };
  text: string;
  rules: Array<{ id: string; text: string }>;
}

const pct = (share: number) => `${Math.round(share * 100)}%`;

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

export function renderPolicy(policy: Policy, lang: Locale, productTitle?: string): RenderedPolicy {
  const { unconditionalMinutes: m, conditionalHours: h } = policy.windows;
  const zh = lang === 'zh';
  // Conditions must all hold ("and"); locks are alternatives ("or").
  const join = (items: string[], conjunction: 'and' | 'or') => {
    if (zh) return items.join(conjunction === 'and' ? '、' : '或');
    if (items.length <= 1) return items.join('');
    return `${items.slice(0, -1).join(', ')}${items.length > 2 ? ',' : ''} ${conjunction} ${items.at(-1)}`;
  };
  const rules: RenderedPolicy['rules'] = [
    {
      id: 'window.unconditional',
      text: zh ? `付款后${m}分钟内，任何理由均可自助退款，款项原路退回。` : `Within ${m} minutes of payment, you can get a refund for any reason; the money goes back the way you paid.`,
    },
  ];
  if (policy.conditions.length > 0) {
    const conds = policy.conditions.map((c) => conditionText(c, lang));
    rules.push({
      id: 'window.conditional',
      text: zh ? `付款后${h}小时内，${join(conds, 'and')}时可自助退款。` : `Within ${h} hours of payment, you can get a refund if ${join(conds, 'and')}.`,
    });
  }
  if (policy.locks.length > 0) {
    const locks = policy.locks.map((l) => lockText(l, lang));
    rules.push({
      id: 'locks',
      text: zh ? `${join(locks, 'or')}后，该订单不再支持自助退款。` : `Self-service refund closes once you have ${join(locks, 'or')}.`,
    });
  }
  rules.push({
    id: 'window.expired',
    text: zh ? `付款超过${h}小时后不支持自助退款，如有特殊情况可联系人工客服申诉。` : `After ${h} hours there is no self-service refund; for special cases you can appeal to a human agent.`,
  });
  if (policy.troubleshootFirst) {
    rules.push({
      id: 'reason.troubleshoot',
      text: zh ? '遇到无法使用（播放、激活、下载等）问题时，我们会先帮您排查解决。' : "If something doesn't work (playback, activation, downloads), we help you fix it first.",
    });
  }
  const heading = zh
    ? `退款规则${productTitle ? `（${productTitle}，${policy.title.zh}）` : `（${policy.title.zh}）`}：`
    : `Refund rules${productTitle ? ` (${productTitle}, ${policy.title.en})` : ` (${policy.title.en})`}:`;
  const text = [heading, ...rules.map((r, i) => `${i + 1}. ${r.text}`)].join('\n');
  return { policy: { id: policy.id, version: policy.version }, text, rules };
}
