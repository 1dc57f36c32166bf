// What the Slack desk lends the features that live beside it (four-eyes approval, saved replies:
// issue 22), so each keeps its own file and the desk keeps one hook per feature. Their buttons pass
// the desk's own guards, the Bolt middleware of middleware.ts (ack first, a retried delivery dropped,
// only desk members act, a failure told to the agent and logged): one mechanism for every ticket
// action. Like the desk, they read and write no table: the ticket's state is handoffs/'.
import type { App, BlockAction, Middleware, SlackActionMiddlewareArgs } from '@slack/bolt';
import type { Config } from '../../config.ts';
import type { Locale } from '../../domain/index.ts';
import type { HandoffLifecycle } from '../../handoffs/index.ts';
import type { Logger } from '../../logger.ts';

/** A ticket action's listener behind the guards: the value's parts split at '|' (the handoff id first). */
export type GuardedListener<A extends BlockAction> = (args: { body: A; parts: string[]; user: string }) => Promise<void>;

export interface DeskHooks {
  app: App;
  handoffs: HandoffLifecycle;
  log: Logger;
  config: NonNullable<Config['slack']>;
  now(): Date;
  /** Whether Slack has accepted the bot token (nothing is marked as sent before it can be). */
  ready(): boolean;
  mayAct(userId: string): Promise<boolean>;
  /** Acting on a ticket needs holding it: an unclaimed one is claimed on the way; another's is refused (and said). */
  holds(body: BlockAction, handoffId: string, userId: string): Promise<boolean>;
  /** An ephemeral message to the agent who acted. */
  tell(body: { channel?: { id: string }; user: { id: string } }, text: string): Promise<void>;
  refreshTicket(handoffId: string): Promise<void>;
  /** Sends to the ticket's buyer in their chat and language; the channel, or null when none is reachable. */
  toBuyer(handoffId: string, text: (locale: Locale) => string, direction: 'out' | 'agent'): Promise<string | null>;
  /** The desk's guards (middleware.ts) followed by the listener: spread into `app.action(id, ...)`. */
  guarded<A extends BlockAction>(run: GuardedListener<A>): Middleware<SlackActionMiddlewareArgs<A>>[];
}

/** Posts into a ticket's thread (text, and blocks when given); nothing when the ticket is not in Slack. */
export async function postInThread(hooks: DeskHooks, handoffId: string, text: string, blocks?: unknown[]): Promise<void> {
  const thread = await hooks.handoffs.threadOf(handoffId);
  if (!thread) return;
  await hooks.app.client.chat.postMessage({
    channel: thread.channel,
    thread_ts: thread.ts,
    text,
    ...(blocks ? { blocks: blocks as never } : {}),
  });
}
