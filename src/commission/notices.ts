// M15, M18: each team leader is told what happened to which commission, why, and what happens next,
// in their own language. Buyers' names are masked: a leader needs to recognise the order, not the
// person.
import type { Locale, ReasonCode } from '../domain/index.ts';
import { formatMoney } from '../domain/index.ts';
import type { EntryKind, LedgerEntry } from './ledger.ts';

export type NoticeKind = Exclude<EntryKind, 'accrued' | 'paid'>;

export interface CommissionNoticeContext {
  orderId: string;
  productTitle: string;
  buyerName: string | null;
  reasonCode: ReasonCode | null;
}

export interface CommissionNotice {
  recipientId: string;
  kind: `commission.${NoticeKind}`;
  locale: Locale;
  title: string;
  body: string;
  data: Record<string, unknown>;
  dedupeKey: string;
}

/** 李小明 → 李*明, 王五 → 王*, Alice Chen → A*********n; never more than the first and last letter. */
export function maskName(name: string | null): string {
  const chars = [...(name ?? '').trim()];
  if (chars.length === 0) return '***';
  if (chars.length <= 2) return `${chars[0]}*`;
  return `${chars[0]}${'*'.repeat(chars.length - 2)}${chars.at(-1)}`;
}

const REASON: Record<ReasonCode, { zh: string; en: string }> = {
  changed_mind: { zh: '买家改变主意', en: 'the buyer changed their mind' },
  unsatisfied: { zh: '买家对内容不满意', en: 'the buyer was not satisfied with the content' },
  cannot_use: { zh: '买家无法正常使用', en: 'the buyer could not use the product' },
  other: { zh: '其他原因', en: 'another reason' },
};

const LEVEL = { zh: (l: number) => (l === 1 ? '一级' : '二级'), en: (l: number) => (l === 1 ? 'level-1' : 'level-2') };

const TITLE: Record<NoticeKind, { zh: string; en: string }> = {
  frozen: { zh: '佣金已冻结', en: 'Commission on hold' },
  released: { zh: '佣金已恢复', en: 'Commission released' },
  reversed: { zh: '佣金已作废', en: 'Commission voided' },
  clawed_back: { zh: '佣金已追回', en: 'Commission clawed back' },
};

function body(kind: NoticeKind, locale: Locale, e: LedgerEntry, ctx: CommissionNoticeContext): string {
  const money = formatMoney({ amountMinor: e.amountMinor, currency: e.currency }, locale);
  const buyer = maskName(ctx.buyerName);
  const reason = ctx.reasonCode ? REASON[ctx.reasonCode][locale] : locale === 'zh' ? '买家申请退款' : 'the buyer asked for a refund';
  if (locale === 'zh') {
    const head = `订单 ${ctx.orderId}（${ctx.productTitle}）的买家 ${buyer} 申请了退款（原因：${reason}）。`;
    switch (kind) {
      case 'frozen':
        return `${head}您在该订单的${LEVEL.zh(e.level)}佣金 ${money} 已暂时冻结，暂停发放。接下来：退款完成则这笔佣金作废；退款被拒绝或撤回则恢复正常发放。`;
      case 'released':
        return `${head}该申请已结束且未退款，您在该订单的${LEVEL.zh(e.level)}佣金 ${money} 已解除冻结，将正常发放。`;
      case 'reversed':
        return `${head}退款已完成。您在该订单的${LEVEL.zh(e.level)}佣金 ${money} 尚未发放，现已作废，无需退还。`;
      case 'clawed_back':
        return `${head}退款已完成。您在该订单的${LEVEL.zh(e.level)}佣金 ${money} 已发放，现予追回：将从您之后的佣金中抵扣，无需另行支付。`;
    }
  }
  const head = `The buyer ${buyer} asked for a refund of order ${ctx.orderId} (${ctx.productTitle}) because ${reason}.`;
  switch (kind) {
    case 'frozen':
      return `${head} Your ${LEVEL.en(e.level)} commission of ${money} on this order is on hold. Next: if the refund goes through, this commission is voided; if it is refused or withdrawn, it is paid out as usual.`;
    case 'released':
      return `${head} The request ended without a refund, so your ${LEVEL.en(e.level)} commission of ${money} is released and will be paid out as usual.`;
    case 'reversed':
      return `${head} The refund went through. Your ${LEVEL.en(e.level)} commission of ${money} had not been paid out yet, so it is voided; you owe nothing.`;
    case 'clawed_back':
      return `${head} The refund went through. Your ${LEVEL.en(e.level)} commission of ${money} had already been paid out, so it is clawed back: it will be deducted from your next commissions, with nothing to pay now.`;
  }
}

/** One notice per ledger entry that a beneficiary should hear about. */
export function commissionNotices(
  entries: readonly LedgerEntry[],
  ctx: CommissionNoticeContext,
  localeOf: (beneficiaryId: string) => Locale,
): CommissionNotice[] {
  return entries
    .filter((e): e is LedgerEntry & { kind: NoticeKind } => e.kind !== 'accrued' && e.kind !== 'paid')
    .map((e) => {
      const locale = localeOf(e.beneficiaryId);
      return {
        recipientId: e.beneficiaryId,
        kind: `commission.${e.kind}` as const,
        locale,
        title: TITLE[e.kind][locale],
        body: body(e.kind, locale, e, ctx),
        data: { orderId: e.orderId, level: e.level, amountMinor: e.amountMinor, currency: e.currency, refundRequestId: e.refundRequestId },
        dedupeKey: `notice:${e.dedupeKey}`,
      };
    });
}
