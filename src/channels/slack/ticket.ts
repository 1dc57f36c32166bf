// A handoff as an agent sees it in Slack (M16, M26): `renderTicket` turns the ticket's read model
// (handoffs/ticket-view.ts) into Block Kit, pure, so the rendering is tested without Slack.
import type { types } from '@slack/bolt';
import { formatMoney } from '../../domain/index.ts';
import { timeAgo } from '../../domain/index.ts';
import { REJECTION_TEMPLATES } from '../../refunds/index.ts';
import { isDecidable } from '../../refunds/index.ts';
import { codeSpan, escapeMrkdwn as esc } from './mrkdwn.ts';
import { approvalActions, approvalLine } from './second-approval-blocks.ts';
import type { TicketData } from '../../handoffs/index.ts';

export type { TicketData };

type Block = types.KnownBlock;

export const KIND_TITLES: Record<string, string> = {
  policy_review: 'Policy review · 政策复核',
  appeal: 'Appeal after a refusal · 拒绝后申诉',
  risk_review: 'Risk review · 风险复核',
  technical: 'Unresolved technical problem · 技术问题未解决',
  buyer_request: 'Buyer asked for a person · 买家要求人工',
};

/** What the desk adds to a ticket beside its read model: the saved replies an agent may send (issue 22). */
export interface TicketMenus {
  savedReplies?: ReadonlyArray<{ id: string; title: { zh: string; en: string } }>;
}

const clip = (s: string, n: number) => (s.length > n ? `${s.slice(0, n - 1)}…` : s);
const mark = (result: string) => (result === 'pass' ? '✅' : result === 'fail' ? '❌' : '➖');

function usageLines(usage: Record<string, unknown> | null): string {
  if (!usage) return '_no decision yet_';
  const u = usage as { courseProgress?: number | null; liveCheck?: { status: string; detail?: string } } & Record<string, unknown>;
  const lines: string[] = [];
  if (typeof u.courseProgress === 'number') lines.push(`course watched: ${Math.round(u.courseProgress * 100)}%`);
  for (const key of ['keyRevealed', 'keyCopied', 'keyActivated', 'fileDownloaded', 'membershipActivated', 'softwareLogin']) {
    if (u[key] === true) lines.push(key.replace(/[A-Z]/g, (c) => ` ${c.toLowerCase()}`));
  }
  if (lines.length === 0) lines.push('no use recorded');
  if (u.liveCheck) lines.push(`live check: ${u.liveCheck.status}${u.liveCheck.detail ? ` (${u.liveCheck.detail})` : ''}`);
  return lines.join(' · ');
}

/** Where the ticket stands, for its context line. */
function stateLine(t: TicketData, now: number): string {
  const h = t.handoff;
  if (h.status === 'open') return `🟡 Unclaimed · opened ${timeAgo(h.createdAt, 'en', now)}`;
  if (h.status === 'claimed') return `🔵 Claimed by <@${h.assigneeId}>`;
  if (h.status === 'returned') return `↩️ Returned to the bot${h.assigneeId ? ` by <@${h.assigneeId}>` : ''}`;
  const refund = t.refunds.at(-1);
  const money = refund
    ? ` · refund ${formatMoney({ amountMinor: refund.amountMinor, currency: refund.currency }, 'en')} ${refund.status}`
    : '';
  return `✅ Resolved: ${h.resolution ?? 'closed'}${h.assigneeId ? ` by <@${h.assigneeId}>` : ''}${money}`;
}

export function renderTicket(t: TicketData, now = Date.now(), menus: TicketMenus = {}): { text: string; blocks: Block[] } {
  const h = t.handoff;
  const money = t.order ? formatMoney({ amountMinor: t.order.amountMinor, currency: t.order.currency }, 'en') : '—';
  // The notification text is parsed like any message text: outside words in it are escaped too.
  const text = `${esc(KIND_TITLES[h.kind] ?? h.kind)}: ${esc(t.buyer.maskedName)}, ${t.product ? esc(t.product.title) : 'no order'} ${money}`;
  const blocks: Block[] = [
    { type: 'header', text: { type: 'plain_text', text: clip(KIND_TITLES[h.kind] ?? h.kind, 150) } },
    {
      type: 'section',
      fields: [
        {
          type: 'mrkdwn',
          text: `*Buyer*\n${esc(t.buyer.maskedName)} (${codeSpan(t.buyer.id)})\ntier *${t.buyer.tier}* · account ${t.buyer.accountAgeDays} d · ${t.buyer.refunds30d} refunds in 30 d`,
        },
        { type: 'mrkdwn', text: t.order ? `*Order*\n${codeSpan(t.order.id)} · ${money} · ${t.order.paymentMethod}` : '*Order*\n—' },
        { type: 'mrkdwn', text: t.product ? `*Product*\n${esc(t.product.title)} (${esc(t.product.category)})` : '*Product*\n—' },
        {
          type: 'mrkdwn',
          text: t.order
            ? `*Paid*\n${t.order.paidAt.toISOString().slice(0, 16).replace('T', ' ')} UTC · ${timeAgo(t.order.paidAt, 'en', now)}`
            : '*Paid*\n—',
        },
      ],
    },
    { type: 'section', text: { type: 'mrkdwn', text: `*Usage*\n${esc(usageLines(t.usage))}` } },
    {
      type: 'section',
      text: {
        type: 'mrkdwn',
        text: clip(
          `*Decision trace* (${esc(t.decidedBy ?? h.reason)}${t.policy ? ` · policy ${codeSpan(`${t.policy.id} v${t.policy.version}`)}` : ''})\n${t.rules.length ? t.rules.map((r) => `${mark(r.result)} \`${r.id}\` ${esc(r.detail ?? '')}`).join('\n') : '_no decision: the buyer asked for a person_'}`,
          2_900,
        ),
      },
    },
    {
      type: 'section',
      text: {
        type: 'mrkdwn',
        text: clip(
          `*Risk signals*\n${t.risk.length ? t.risk.map((r) => `⚠️ *${r.kind}* → ${r.action}: ${esc(r.detail)}\n   _evidence:_ ${codeSpan(r.evidence)}`).join('\n') : 'none'}`,
          2_900,
        ),
      },
    },
    {
      type: 'section',
      text: {
        type: 'mrkdwn',
        text: clip(
          `*Buyer's words*\n${t.request?.reasonText ? `> ${esc(t.request.reasonText).replace(/\n/g, '\n> ')}` : '—'}\nreason (NLU): *${t.request?.reasonCode ?? '—'}* · handoff reason: ${esc(h.reason)}`,
          2_900,
        ),
      },
    },
    {
      type: 'section',
      text: {
        type: 'mrkdwn',
        text: `*Commissions*\n${t.commissions.length ? t.commissions.map((c) => `L${c.level} ${esc(c.beneficiary)} ${formatMoney({ amountMinor: c.amountMinor, currency: c.currency }, 'en')} · *${c.state}*`).join('\n') : 'none on this order'}`,
      },
    },
    {
      type: 'section',
      text: {
        type: 'mrkdwn',
        text: clip(
          `*Conversation so far*\n${t.conversation.length ? t.conversation.map((m) => `${m.direction === 'in' ? '🧑 Buyer' : m.direction === 'agent' ? '🎧 Agent' : '🤖 Bot'}: ${esc(clip(m.text.replace(/\n/g, ' '), 200))}`).join('\n') : '_no chat_'}`,
          2_900,
        ),
      },
    },
    ...(t.secondApproval
      ? [{ type: 'context' as const, elements: [{ type: 'mrkdwn' as const, text: approvalLine(t.secondApproval) }] }]
      : []),
    {
      type: 'context',
      elements: [
        {
          type: 'mrkdwn',
          text: `${stateLine(t, now)} · ticket ${codeSpan(h.id)}${t.request ? ` · request ${codeSpan(t.request.id)} (${t.request.status})` : ''}`,
        },
      ],
    },
  ];
  if (h.status === 'open' || h.status === 'claimed')
    blocks.push({ type: 'actions', block_id: `ticket:${h.id}`, elements: actionsFor(t, menus) });
  return { text, blocks };
}

function actionsFor(t: TicketData, menus: TicketMenus): types.ActionsBlockElement[] {
  const h = t.handoff;
  const elements: types.ActionsBlockElement[] = [];
  if (h.status === 'open')
    elements.push({
      type: 'button',
      action_id: 'ticket.claim',
      text: { type: 'plain_text', text: 'Claim' },
      style: 'primary',
      value: h.id,
    });
  const decidable = t.request && isDecidable(t.request.status) && t.request.refundableMinor > 0;
  if (decidable && t.secondApproval?.status === 'awaiting') {
    // Four-eyes (issue 22): while an approval waits, the ticket offers only confirming or rejecting it.
    elements.push(...approvalActions(h.id, t.secondApproval));
  } else if (decidable && t.order) {
    const full = formatMoney({ amountMinor: t.request!.refundableMinor, currency: t.order.currency }, 'en');
    elements.push(
      {
        type: 'button',
        action_id: 'ticket.approve',
        text: { type: 'plain_text', text: `Approve refund (${full})` },
        style: 'primary',
        value: h.id,
      },
      { type: 'button', action_id: 'ticket.approve_partial', text: { type: 'plain_text', text: 'Approve partial…' }, value: h.id },
      {
        type: 'static_select',
        action_id: 'ticket.reject',
        placeholder: { type: 'plain_text', text: 'Reject…' },
        options: Object.entries(REJECTION_TEMPLATES).map(([key, tpl]) => ({
          text: { type: 'plain_text', text: `${tpl.label.en} · ${tpl.label.zh}` },
          value: `${h.id}|${key}`,
        })),
      },
    );
  }
  if (menus.savedReplies?.length) {
    elements.push({
      type: 'static_select',
      action_id: 'ticket.reply',
      placeholder: { type: 'plain_text', text: 'Saved reply…' },
      options: menus.savedReplies.map((r) => ({
        text: { type: 'plain_text', text: `${r.title.en} · ${r.title.zh}`.slice(0, 75) },
        value: `${h.id}|${r.id}`,
      })),
    });
  }
  if (t.product)
    elements.push({
      type: 'button',
      action_id: 'ticket.guide',
      text: { type: 'plain_text', text: 'Send troubleshooting guide' },
      value: h.id,
    });
  elements.push({ type: 'button', action_id: 'ticket.return', text: { type: 'plain_text', text: 'Return to bot' }, value: h.id });
  return elements;
}
