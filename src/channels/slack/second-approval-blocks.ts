// How a four-eyes approval shows in Slack (issue 22), pure so it is tested without Slack: the line on
// the ticket naming both agents, and the buttons a second desk member confirms or rejects with (on
// the ticket and in its thread).
import type { types } from '@slack/bolt';
import { formatMoney } from '../../domain/index.ts';
import type { TicketApproval } from '../../handoffs/index.ts';
import { REJECTION_TEMPLATES } from '../../refunds/index.ts';

export type { TicketApproval };

// Slack user ids are [A-Z0-9]; anything else is not put into a mention.
const mention = (id: string) => (/^[A-Z0-9]+$/.test(id) ? `<@${id}>` : 'someone');

/** The ticket's line about its approval: who approved, who confirmed or rejected, or that it waits. */
export function approvalLine(a: TicketApproval): string {
  const money = formatMoney({ amountMinor: a.amountMinor, currency: a.currency }, 'en');
  if (a.status === 'awaiting') return `🔐 ${money} approved by ${mention(a.firstAgentId)} · waiting for a second desk member to confirm`;
  if (a.status === 'confirmed')
    return `🔐 ${money} approved by ${mention(a.firstAgentId)} · confirmed by ${mention(a.secondAgentId ?? '')}`;
  if (a.status === 'cancelled')
    return `🔐 ${money} approved by ${mention(a.firstAgentId)} · withdrawn when ${mention(a.secondAgentId ?? '')} returned the ticket to the bot`;
  return `🔐 ${money} approved by ${mention(a.firstAgentId)} · rejected by ${mention(a.secondAgentId ?? '')}`;
}

/** What a waiting approval offers: confirm (anyone on the desk but the first agent), or reject. */
export function approvalActions(handoffId: string, a: TicketApproval): types.ActionsBlockElement[] {
  const money = formatMoney({ amountMinor: a.amountMinor, currency: a.currency }, 'en');
  return [
    {
      type: 'button',
      action_id: 'ticket.second_confirm',
      text: { type: 'plain_text', text: `Confirm refund (${money})` },
      style: 'primary',
      value: `${handoffId}|${a.id}`,
    },
    {
      type: 'static_select',
      action_id: 'ticket.second_reject',
      placeholder: { type: 'plain_text', text: 'Reject…' },
      options: Object.entries(REJECTION_TEMPLATES).map(([key, tpl]) => ({
        text: { type: 'plain_text', text: `${tpl.label.en} · ${tpl.label.zh}` },
        value: `${handoffId}|${a.id}|${key}`,
      })),
    },
  ];
}
