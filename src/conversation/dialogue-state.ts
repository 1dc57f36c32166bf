// What the dialogue remembers of a chat between messages: the refund being put together (order,
// reason code and the buyer's words), the conversation's language, what the bot is waiting for, and
// what it said last (so it never says the same twice in a row). Kept behind a { read, write,
// delete } store keyed by conversation, in the cache for a day.
import type { Cache } from '../cache/index.ts';
import type { Locale, ReasonCode } from '../domain/index.ts';
import type { ChannelName } from './messages.ts';

/** The question the bot asked and is waiting for an answer to. */
export type Pending = 'order' | 'reason' | 'guide_feedback' | 'refund_confirm' | 'appeal_offer' | 'rating_comment';

export interface ChatState {
  channel?: ChannelName;
  /** The conversation's language: from the account, then the conversation; switched only by a clearly other-language message. */
  locale?: Locale;
  /** The order the buyer means (named, chosen or the only one). */
  orderId?: string;
  reasonCode?: ReasonCode;
  /** The buyer's own words for the reason, as said. */
  reasonText?: string;
  pending?: Pending;
  /** With pending 'order': the orders offered, in order (for "the second one"), and where the list is. */
  offered?: string[];
  offset?: number;
  /** Orders a request was made for in this chat: a later "refund" naming none is not taken to mean another by itself. */
  handled?: string[];
  /** The troubleshooting request a guide was given for (pending 'guide_feedback'), or the refused one whose appeal was offered ('appeal_offer'). */
  requestId?: string;
  /** Messages in a row the bot did not understand. */
  misses: number;
  greeted?: boolean;
  /** The texts of the bot's last replies. */
  lastReplies?: string[];
  /** With pending 'rating_comment': the satisfaction rating a comment belongs to (issue 22). */
  ratingId?: string;
  /** The other requests of a message that asked for several things, handled once the current one is done. */
  queued?: string[];
}

export interface StateStore {
  read(key: string): Promise<ChatState>;
  write(key: string, state: ChatState): Promise<void>;
  delete(key: string): Promise<void>;
}

const STATE_TTL_MS = 24 * 3_600_000;

/** After this many messages in a row it cannot use, the bot hands the buyer to a person. */
export const MAX_MISSES = 2;

/** State as a previous version stored it (`awaiting`, `misunderstood`) still reads. */
function upgrade(raw: Record<string, unknown>): ChatState {
  const state = { ...raw } as unknown as ChatState & { awaiting?: Pending; misunderstood?: number };
  if (state.awaiting && !state.pending) state.pending = state.awaiting;
  if (typeof state.misunderstood === 'number' && state.misses === undefined) state.misses = state.misunderstood;
  delete state.awaiting;
  delete state.misunderstood;
  state.misses ??= 0;
  return state;
}

export function cacheStateStore(cache: Cache): StateStore {
  return {
    async read(key) {
      const stored = await cache.get(key);
      if (!stored) return { misses: 0 };
      try {
        return upgrade(JSON.parse(stored) as Record<string, unknown>);
      } catch {
        return { misses: 0 };
      }
    },
    write: (key, state) => cache.set(key, JSON.stringify(state), STATE_TTL_MS),
    delete: (key) => cache.delete(key),
  };
}

/** Forgets the refund being put together (after it was submitted or given up), keeping the rest. */
export function clearRefund(state: ChatState): void {
  state.orderId = undefined;
  state.reasonCode = undefined;
  state.reasonText = undefined;
  state.pending = undefined;
  state.offered = undefined;
  state.offset = undefined;
}
