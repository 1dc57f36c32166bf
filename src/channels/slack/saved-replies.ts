// Saved replies in Slack (issue 22): the ticket's "Saved reply…" menu, or `/refund-reply <ticket>
// <reply id>` typed in any channel the app is in, sends one of the bilingual texts of
// intents/saved-replies/ to the ticket's buyer in the buyer's language, as the agent. As with any
// message to the buyer, the agent must hold the ticket (an unclaimed one is claimed on the way).
import type { BlockAction, StaticSelectAction } from '@slack/bolt';
import { z } from 'zod';
import { findSavedReply, type SavedReplyBook } from '../../conversation/index.ts';
import { DeskError } from '../../errors.ts';
import { postInThread, type DeskHooks } from './desk-hooks.ts';
import { codeSpan, escapeMrkdwn } from './mrkdwn.ts';

export const SAVED_REPLY_COMMAND = '/refund-reply';

const commandText = z
  .string()
  .trim()
  .transform((text) => text.split(/\s+/).filter(Boolean))
  .pipe(
    z.tuple([
      z.string().regex(/^ho_[A-Za-z0-9_-]{1,60}$/, 'the first word must be a ticket id (ho_…)'),
      z.string().regex(/^[a-z0-9-]{1,40}$/, 'the second word must be a saved reply id'),
    ]),
  );

function usage(book: SavedReplyBook): string {
  return [
    `Usage: \`${SAVED_REPLY_COMMAND} <ticket id> <reply id>\`. Saved replies:`,
    ...book.replies.map((r) => `• \`${r.id}\`: ${escapeMrkdwn(r.title.en)} · ${escapeMrkdwn(r.title.zh)}`),
  ].join('\n');
}

export class SavedRepliesDesk {
  constructor(
    private readonly hooks: DeskHooks,
    private readonly book: () => Promise<SavedReplyBook>,
  ) {
    this.register();
  }

  private register(): void {
    const { app } = this.hooks;
    app.action<BlockAction<StaticSelectAction>>(
      'ticket.reply',
      ...this.hooks.guarded<BlockAction<StaticSelectAction>>(async ({ body, parts, user }) => {
        await this.send(body, parts[0] ?? '', parts[1] ?? '', user);
      }),
    );

    app.command(SAVED_REPLY_COMMAND, async ({ command, ack }) => {
      const { hooks } = this;
      if (!(await hooks.mayAct(command.user_id))) {
        await ack({
          response_type: 'ephemeral',
          text: 'Only members of the refund desk channel can send saved replies. · 只有退款客服频道的成员可以发送快捷回复。',
        });
        return;
      }
      const book = await this.book();
      if (command.text.trim() === '' || command.text.trim() === 'help') {
        await ack({ response_type: 'ephemeral', text: usage(book) });
        return;
      }
      const parsed = commandText.safeParse(command.text);
      if (!parsed.success) {
        await ack({
          response_type: 'ephemeral',
          text: `That did not work: ${escapeMrkdwn(parsed.error.issues[0]?.message ?? 'unreadable')}.\n${usage(book)}`,
        });
        return;
      }
      const [handoffId, replyId] = parsed.data;
      if (!findSavedReply(book, replyId)) {
        await ack({ response_type: 'ephemeral', text: `There is no saved reply ${codeSpan(replyId)}.\n${usage(book)}` });
        return;
      }
      await ack();
      const body = {
        user: { id: command.user_id, name: command.user_name },
        channel: { id: command.channel_id },
      } as unknown as BlockAction;
      try {
        await this.send(body, handoffId, replyId, command.user_id);
      } catch (error) {
        hooks.log.error({ err: error, handoffId }, 'saved reply failed');
        await hooks.tell(body, `That did not work: ${error instanceof DeskError ? escapeMrkdwn(error.message) : 'an internal error'}.`);
      }
    });
  }

  /** Sends a saved reply to the ticket's buyer, in their language; the agent is told why not when it cannot. */
  async send(body: BlockAction, handoffId: string, replyId: string, user: string): Promise<void> {
    const { hooks } = this;
    const reply = findSavedReply(await this.book(), replyId);
    if (!reply) return hooks.tell(body, `There is no saved reply ${codeSpan(replyId)}; nothing was sent.`);
    const handoff = await hooks.handoffs.requestOf(handoffId);
    if (!handoff) return hooks.tell(body, `There is no ticket ${codeSpan(handoffId)}; nothing was sent.`);
    if (!handoff.live) return hooks.tell(body, 'This ticket is already closed; nothing was sent.');
    if (!(await hooks.holds(body, handoffId, user))) return;
    const sent = await hooks.toBuyer(handoffId, (locale) => reply.text[locale], 'agent');
    await postInThread(
      hooks,
      handoffId,
      sent
        ? `💬 <@${user}> sent the saved reply “${escapeMrkdwn(reply.title.en)}” to the buyer (${sent}).`
        : '⚠️ The buyer has no chat the desk can reach; the saved reply was not sent.',
    );
  }
}
