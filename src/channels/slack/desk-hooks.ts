// What the Slack desk lends the features that live beside it (four-eyes approval, saved replies:
// issue 22), so each keeps its own file and the desk keeps one hook per feature. `guardedAction` is
// the desk's rule for every ticket action: ack first, drop a retried delivery, only desk members act,
// a failure is told to the agent and logged.
import type { App, BlockAction } from '@slack/bolt';
import type { Cache } from '../../cache/cache.ts';
import type { Config } from '../../config.ts';
import type { Locale } from '../../domain/catalog.ts';
import { DeskError } from '../../errors.ts';
import type { Logger } from '../../logger.ts';
import type { PrismaClient } from '../../store/database.ts';
import { escapeMrkdwn } from './mrkdwn.ts';

const DEDUPE_TTL_MS = 24 * 3_600_000;

export interface DeskHooks {
  app: App;
  prisma: PrismaClient;
  cache: Cache;
  log: Logger;
  config: NonNullable<Config['slack']>;
  now(): Date;
  mayAct(userId: string): Promise<boolean>;
  /** Acting on a ticket needs holding it: an unclaimed one is claimed on the way; another's is refused (and said). */
  holds(body: BlockAction, handoffId: string, userId: string): Promise<boolean>;
  /** An ephemeral message to the agent who acted. */
  tell(body: { channel?: { id: string }; user: { id: string } }, text: string): Promise<void>;
  refreshTicket(handoffId: string): Promise<void>;
  /** Sends to the ticket's buyer in their chat and language; the channel, or null when none is reachable. */
  toBuyer(handoffId: string, text: (locale: Locale) => string, direction: 'out' | 'agent'): Promise<string | null>;
}

/** Posts into a ticket's thread (text, and blocks when given); nothing when the ticket is not in Slack. */
export async function postInThread(hooks: DeskHooks, handoffId: string, text: string, blocks?: unknown[]): Promise<void> {
  const handoff = await hooks.prisma.handoff.findUnique({ where: { id: handoffId }, select: { slackChannel: true, slackTs: true } });
  if (!handoff?.slackTs || !handoff.slackChannel) return;
  await hooks.app.client.chat.postMessage({ channel: handoff.slackChannel, thread_ts: handoff.slackTs, text, ...(blocks ? { blocks: blocks as never } : {}) });
}

/** The value of a pressed button or a chosen option, split at '|'. */
export function actionParts(action: unknown): string[] {
  const a = action as { value?: unknown; selected_option?: { value?: unknown } | null };
  const value = typeof a.value === 'string' ? a.value : typeof a.selected_option?.value === 'string' ? a.selected_option.value : '';
  return value.split('|');
}

export function guardedAction<A extends BlockAction>(hooks: DeskHooks, run: (args: { body: A; parts: string[]; user: string }) => Promise<void>) {
  return async ({ ack, body, action }: { ack: () => Promise<void>; body: A; action: A['actions'][number] }) => {
    await ack();
    const once = `dedupe:slack:action:${body.container?.message_ts ?? ''}:${action.action_id}:${action.action_ts}:${body.user.id}`;
    if (!(await hooks.cache.setIfAbsent(once, '1', DEDUPE_TTL_MS))) return;
    if (!(await hooks.mayAct(body.user.id))) {
      await hooks.tell(body, 'Only members of the refund desk channel can act on tickets. · 只有退款客服频道的成员可以处理工单。');
      return;
    }
    const parts = actionParts(action);
    try {
      await run({ body, parts, user: body.user.id });
    } catch (error) {
      hooks.log.error({ err: error, handoffId: parts[0] }, 'ticket action failed');
      await hooks.tell(body, `That did not work: ${error instanceof DeskError ? escapeMrkdwn(error.message) : 'an internal error'}. Nothing was changed twice; try again.`);
    }
  };
}
