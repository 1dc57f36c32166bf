// A policy answer for the buyer's own order (M7 with the order's facts): how long ago it was paid,
// what has been used, and what the product's rules then say — "you have watched 15 %, still inside
// 24 hours: you can get a refund now". Pure: the policy, the usage facts and the clock come in. It
// states the rules as they apply, not a decision (risk and allowances are weighed only on request).
import type { Locale } from '../domain/index.ts';
import type { Policy, UsageFacts } from '../policy/index.ts';

type Text = { zh: string; en: string };
type Condition = Policy['conditions'][number];
type Lock = Policy['locks'][number];

const pct = (share: number) => `${Math.round(share * 100)}%`;

function ago(minutes: number): Text {
  if (minutes < 60) return { zh: `${minutes}分钟`, en: `${minutes} minute${minutes === 1 ? '' : 's'}` };
  const hours = Math.floor(minutes / 60);
  if (hours < 48) return { zh: `${hours}小时`, en: `${hours} hour${hours === 1 ? '' : 's'}` };
  const days = Math.floor(hours / 24);
  return { zh: `${days}天`, en: `${days} days` };
}

/** Whether a usage condition of the conditional window holds, and how to say what broke it. */
function condition(c: Condition, u: UsageFacts): { holds: boolean; broken: Text } {
  switch (c.kind) {
    case 'course_progress_at_most': {
      const seen = u.courseProgress ?? 0;
      return {
        holds: seen <= c.threshold,
        broken: { zh: `已观看${pct(seen)}，超过了${pct(c.threshold)}`, en: `you have watched ${pct(seen)}, more than ${pct(c.threshold)}` },
      };
    }
    case 'key_not_revealed':
      return { holds: !u.keyRevealed, broken: { zh: '激活码已查看', en: 'the licence key has been revealed' } };
    case 'key_not_activated':
      return { holds: !u.keyActivated, broken: { zh: '激活码已激活', en: 'the licence key has been activated' } };
    case 'file_not_downloaded':
      return { holds: !u.fileDownloaded, broken: { zh: '文件已下载', en: 'the files have been downloaded' } };
    case 'membership_not_activated':
      return { holds: !u.membershipActivated, broken: { zh: '会员已开通', en: 'the membership has been activated' } };
    case 'software_not_logged_in':
      return { holds: !u.softwareLogin, broken: { zh: '软件已登录使用', en: 'you have logged in to the software' } };
  }
}

/** Whether a key action has locked self-service for the order, and how to say it. */
function lock(l: Lock, u: UsageFacts): { hit: boolean; said: Text } {
  switch (l.kind) {
    case 'course_progress':
      return {
        hit: (u.courseProgress ?? 0) > l.above,
        said: {
          zh: `已观看${pct(u.courseProgress ?? 0)}（超过${pct(l.above)}）`,
          en: `watched ${pct(u.courseProgress ?? 0)} (more than ${pct(l.above)})`,
        },
      };
    case 'key_revealed':
      return { hit: u.keyRevealed, said: { zh: '查看了激活码', en: 'revealed the licence key' } };
    case 'key_copied':
      return { hit: u.keyCopied, said: { zh: '复制了激活码', en: 'copied the licence key' } };
    case 'key_activated':
      return { hit: u.keyActivated, said: { zh: '激活了激活码', en: 'activated the licence key' } };
    case 'file_downloaded':
      return { hit: u.fileDownloaded, said: { zh: '下载了文件', en: 'downloaded the files' } };
    case 'membership_activated':
      return { hit: u.membershipActivated, said: { zh: '开通了会员', en: 'activated the membership' } };
    case 'software_login':
      return { hit: u.softwareLogin, said: { zh: '登录使用了软件', en: 'logged in to the software' } };
  }
}

/** What the buyer has used, in a few words ("已观看15%"), or null when nothing is recorded. */
function used(u: UsageFacts): Text | null {
  const parts: Text[] = [];
  if (u.courseProgress !== null) parts.push({ zh: `已观看${pct(u.courseProgress)}`, en: `you have watched ${pct(u.courseProgress)}` });
  if (u.keyActivated) parts.push({ zh: '激活码已激活', en: 'the key is activated' });
  else if (u.keyCopied) parts.push({ zh: '激活码已复制', en: 'the key was copied' });
  else if (u.keyRevealed) parts.push({ zh: '激活码已查看', en: 'the key was revealed' });
  if (u.fileDownloaded) parts.push({ zh: '文件已下载', en: 'the files were downloaded' });
  if (u.membershipActivated) parts.push({ zh: '会员已开通', en: 'the membership is active' });
  if (parts.length === 0) return null;
  return { zh: parts.map((p) => p.zh).join('、'), en: parts.map((p) => p.en).join(', ') };
}

export function orderSituation(policy: Policy, usage: UsageFacts, paidAt: Date, now: Date, locale: Locale): string {
  const minutes = Math.max(0, Math.floor((now.getTime() - paidAt.getTime()) / 60_000));
  const { unconditionalMinutes: m, conditionalHours: h } = policy.windows;
  const when = ago(minutes)[locale];
  const zh = locale === 'zh';
  const facts = used(usage);
  const locked = policy.locks.map((l) => lock(l, usage)).filter((l) => l.hit);
  if (locked.length > 0) {
    const what = locked.map((l) => l.said[locale]).join(zh ? '、' : ' and ');
    return zh
      ? `您这笔订单付款于${when}前，已${what.replace(/^已/, '')}，按规则不再支持自助退款；如有特殊情况，可以转人工客服申诉。`
      : `You paid for this order ${when} ago and have ${what}, so by the rules it can no longer be refunded by self-service; for special cases you can appeal to a person.`;
  }
  if (minutes <= m) {
    return zh
      ? `您这笔订单付款才${when}，还在${m}分钟无理由退款期内，现在申请可以直接退款，款项原路退回。`
      : `You paid for this order ${when} ago, still inside the ${m}-minute no-questions window: ask now and it is refunded straight away, back the way you paid.`;
  }
  if (minutes <= h * 60) {
    const broken = policy.conditions.map((c) => condition(c, usage)).filter((c) => !c.holds);
    if (broken.length === 0) {
      const seen = facts ? (zh ? `，${facts.zh}` : `, ${facts.en}`) : zh ? '，还没有使用' : ", and it hasn't been used";
      return zh
        ? `您这笔订单付款于${when}前${seen}，仍在${h}小时内且符合条件，现在可以申请自助退款。`
        : `You paid for this order ${when} ago${seen}: still inside ${h} hours and within the conditions, so you can get a refund now.`;
    }
    const what = broken.map((c) => c.broken[locale]).join(zh ? '，' : ' and ');
    return zh
      ? `您这笔订单付款于${when}前，${what}，不再符合自助退款条件；如有需要可以转人工客服复核。`
      : `You paid for this order ${when} ago and ${what}, so it no longer qualifies for a self-service refund; a person can review it if you need.`;
  }
  return zh
    ? `您这笔订单付款已超过${h}小时（${when}前），不能自助退款；如有特殊情况，可以转人工客服申诉。`
    : `You paid for this order more than ${h} hours ago (${when} ago), so there is no self-service refund; for special cases you can appeal to a person.`;
}
