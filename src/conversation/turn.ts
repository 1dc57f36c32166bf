// One turn of the dialogue as its handlers see it: the message, the chat's state, the reading of
// the text, the orders it names, and the replies being put together; plus the type guards the
// dialogue routes by (a bound buyer, a pressed button, a typed text, a pending question, an intent).
import type { Cache } from '../cache/index.ts';
import type { Locale } from '../domain/index.ts';
import type { Logger } from '../logger.ts';
import type { Classification, LazyNlu } from '../nlu/index.ts';
import type { Intent } from '../nlu/index.ts';
import type { RefundWorkflow } from '../refunds/index.ts';
import type { PrismaClient } from '../store/index.ts';
import { loadBuyerOrders, type BuyerOrder } from './buyer-orders.ts';
import type { ConversationLog } from './conversation-log.ts';
import type { ChatState, Pending } from './dialogue-state.ts';
import type { GuideBook } from './guides.ts';
import type { Button, InboundMessage, OutboundMessage } from './messages.ts';
import type { OrderMention, OrderResolver } from './order-resolver.ts';

/**
 * The agent desk, as the dialogue sees it: while a person has a buyer's case, the buyer's messages
 * also go to that person; once the person has claimed it, the bot stays quiet until it is handed back.
 */
export interface AgentDesk {
  handoffFor(buyerId: string): Promise<{ id: string; claimed: boolean } | null>;
  relay(handoffId: string, buyerId: string, text: string): Promise<void>;
}

export interface DialogueDeps {
  prisma: PrismaClient;
  cache: Cache;
  nlu: LazyNlu;
  refunds: RefundWorkflow;
  guides: GuideBook;
  /** Where each chat's messages are kept. */
  conversations: ConversationLog;
  log: Logger;
  onRefundAvoided?: () => void;
  /** The agent desk (Slack) when it is on; built before the dialogue, so nothing is attached later. */
  agentDesk?: AgentDesk | null;
  /** The clock (tests move it). */
  now?: () => Date;
}

export class Turn {
  readonly replies: OutboundMessage[] = [];
  /** The text's reading; null for a pressed button. */
  nlu: Classification | null = null;
  /** The orders the text names (by number, title, category or time), once read. */
  mention: OrderMention<BuyerOrder> | null = null;
  private orderList: Promise<BuyerOrder[]> | null = null;

  constructor(
    readonly deps: DialogueDeps,
    readonly resolver: OrderResolver,
    readonly msg: InboundMessage,
    readonly buyerId: string | null,
    /** The buyer's text (cleaned, cut to length); for a follow-up request, that request's clause. */
    public text: string,
    readonly state: ChatState,
    public locale: Locale,
  ) {}

  get now(): Date {
    return this.deps.now?.() ?? new Date();
  }

  /** Whether this turn was a miss (not understood, or not an answer the bot could use). */
  missed = false;

  /** Counts a miss; returns how many in a row. A turn without one ends the run (see the dialogue). */
  miss(): number {
    this.missed = true;
    this.state.misses += 1;
    return this.state.misses;
  }

  reply(text: string, buttons: Button[] = []): void {
    this.replies.push(buttons.length > 0 ? { text, buttons } : { text });
  }

  /** The buyer's orders, newest first (read once per turn; `fresh` after something changed them). */
  orders(fresh = false): Promise<BuyerOrder[]> {
    if (!this.buyerId) return Promise.resolve([]);
    if (fresh || !this.orderList) this.orderList = loadBuyerOrders(this.deps.prisma, this.buyerId);
    return this.orderList;
  }

  /** The action of the pressed button, split at its first colon ("order:o_1" → order, o_1). */
  get action(): { verb: string; arg: string | undefined } | null {
    if (!this.msg.action) return null;
    const at = this.msg.action.indexOf(':');
    return at < 0 ? { verb: this.msg.action, arg: undefined } : { verb: this.msg.action.slice(0, at), arg: this.msg.action.slice(at + 1) };
  }
}

export type BoundTurn = Turn & { buyerId: string };
export type TextTurn = BoundTurn & { nlu: Classification };
export type ActionTurn = BoundTurn & { action: { verb: string; arg: string | undefined } };

export const isBound = (t: Turn): t is BoundTurn => t.buyerId !== null;
export const isText = (t: Turn): t is TextTurn => t.buyerId !== null && t.nlu !== null;
export const pressed =
  (...verbs: string[]) =>
  (t: Turn): t is ActionTurn =>
    t.buyerId !== null && t.action !== null && verbs.includes(t.action.verb);
export const waitingFor =
  (pending: Pending) =>
  (t: Turn): t is TextTurn =>
    isText(t) && t.state.pending === pending;
export const saying =
  (...intents: Intent[]) =>
  (t: Turn): t is TextTurn =>
    isText(t) && intents.includes(t.nlu.intent);
