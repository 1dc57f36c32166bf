// The guards every ticket button passes, as Bolt listener middleware (the order matters):
//   ack first      Slack wants an answer in 3 s; the work that follows (a refund) may take longer
//   once           the same click delivered again (a retry) is dropped; a new click of the same button is not
//   desk members   only members of the desk channel (or its user group) may act; others are told no
//   ticket         the handoff id the button carries, put on `context.handoffId`
//   failures       a listener that throws is logged and the agent is told nothing changed twice
import type { BlockAction, Middleware, SlackActionMiddlewareArgs } from '@slack/bolt';
import type { Cache } from '../../cache/index.ts';
import { DeskError } from '../../errors.ts';
import type { Logger } from '../../logger.ts';
import { escapeMrkdwn } from './mrkdwn.ts';

export const DEDUPE_TTL_MS = 24 * 3_600_000;

export const NOT_A_MEMBER = 'Only members of the refund desk channel can act on tickets. · 只有退款客服频道的成员可以处理工单。';

/** Who may act and how an agent is told something only they see. */
export interface GuardDeps {
  cache: Cache;
  log: Logger;
  mayAct: (userId: string) => Promise<boolean>;
  tell: (body: BlockAction, text: string) => Promise<void>;
}

type ActionMiddleware<A extends BlockAction> = Middleware<SlackActionMiddlewareArgs<A>>;

/** The button's value (or selected option) split at `|`: the handoff id first, then what the action needs. */
export function actionParts(action: BlockAction['actions'][number]): string[] {
  const value =
    'value' in action && typeof action.value === 'string'
      ? action.value
      : 'selected_option' in action
        ? (action.selected_option?.value ?? '')
        : '';
  return value.split('|');
}

/** The button's handoff id: its value (or selected option) up to the first `|`. */
export function handoffIdOf(action: BlockAction['actions'][number]): string {
  return actionParts(action)[0]!;
}

/** The de-duplication key of one delivery of one click. */
export function actionDeliveryKey(body: BlockAction, action: BlockAction['actions'][number]): string {
  return `dedupe:slack:action:${body.container?.message_ts ?? ''}:${action.action_id}:${action.action_ts}:${body.user.id}`;
}

export function ackFirst<A extends BlockAction>(): ActionMiddleware<A> {
  return async ({ ack, next }) => {
    await ack();
    await next();
  };
}

export function onceDelivered<A extends BlockAction>(cache: Cache): ActionMiddleware<A> {
  return async ({ body, action, next }) => {
    if (!(await cache.setIfAbsent(actionDeliveryKey(body, action), '1', DEDUPE_TTL_MS))) return;
    await next();
  };
}

export function deskMembersOnly<A extends BlockAction>(deps: Pick<GuardDeps, 'mayAct' | 'tell'>): ActionMiddleware<A> {
  return async ({ body, next }) => {
    if (!(await deps.mayAct(body.user.id))) {
      await deps.tell(body, NOT_A_MEMBER);
      return;
    }
    await next();
  };
}

export function ticketFromAction<A extends BlockAction>(deps: Pick<GuardDeps, 'log' | 'tell'>): ActionMiddleware<A> {
  return async ({ body, action, context, next }) => {
    const handoffId = handoffIdOf(action);
    context.handoffId = handoffId;
    try {
      await next();
    } catch (error) {
      deps.log.error({ err: error, handoffId }, 'ticket action failed');
      await deps.tell(
        body,
        `That did not work: ${error instanceof DeskError ? escapeMrkdwn(error.message) : 'an internal error'}. Nothing was changed twice; try again.`,
      );
    }
  };
}

/** The whole chain, in order, for a ticket button. */
export function ticketGuards<A extends BlockAction>(deps: GuardDeps): ActionMiddleware<A>[] {
  return [ackFirst<A>(), onceDelivered<A>(deps.cache), deskMembersOnly<A>(deps), ticketFromAction<A>(deps)];
}
