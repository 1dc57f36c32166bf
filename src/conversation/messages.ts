// What a channel hands the dialogue engine and renders back. Channels (Telegram, the widget, the
// terminal) translate their protocol to these and hold no business rule.
import type { Locale } from '../domain/index.ts';

export type ChannelName = 'telegram' | 'widget' | 'terminal';

export interface InboundMessage {
  channel: ChannelName;
  /** The conversation within the channel (a Telegram chat id, a widget session). */
  chatId: string;
  /** The channel's id of this delivery (Telegram update_id, widget client message id): a repeat is dropped. */
  deliveryId: string;
  /** The buyer the chat is bound to (by a chat token), or null when it is not bound yet. */
  buyerId: string | null;
  text?: string;
  /** A pressed button's action. */
  action?: string;
  /** The buyer's known language, used when the message itself does not tell (emoji, digits). */
  localeHint?: Locale;
}

export interface Button {
  label: string;
  action: string;
}

export interface OutboundMessage {
  text: string;
  buttons?: Button[];
  /** The stored message's id, once the conversation log has it (the widget orders and de-duplicates by it). */
  id?: string;
}

export interface TurnResult {
  /** True when this delivery was seen before: nothing was done and nothing is to be sent. */
  duplicate: boolean;
  /**
   * With `duplicate`: the first delivery is still being handled (by another instance, or by one that
   * died doing it); the sender should try again later rather than take it as answered.
   */
  inProgress?: boolean;
  replies: OutboundMessage[];
  locale: Locale;
  /** The stored id of the buyer's message (absent when it could not be stored). */
  inboundId?: string;
}

/**
 * How fast one chat may write, on any channel: at most `messages` per `windowMs` reach the dialogue.
 * The first message over is answered with a calm "give me a few seconds"; later ones are dropped.
 */
export const CHAT_RATE_LIMIT = { messages: 10, windowMs: 10_000 } as const;

/** Counts a chat's message against CHAT_RATE_LIMIT: 'ok', 'over' (the first over: say so) or 'quiet'. */
export async function chatRate(
  cache: { increment(key: string, ttlMs: number): Promise<number> },
  channel: ChannelName,
  chatId: string,
): Promise<'ok' | 'over' | 'quiet'> {
  const count = await cache.increment(`rate:${channel}:${chatId}`, CHAT_RATE_LIMIT.windowMs);
  if (count <= CHAT_RATE_LIMIT.messages) return 'ok';
  return count === CHAT_RATE_LIMIT.messages + 1 ? 'over' : 'quiet';
}
