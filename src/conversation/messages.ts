// What a channel hands the dialogue engine and renders back. Channels (Telegram, the widget, the
// terminal) translate their protocol to these and hold no business rule.
import type { Locale } from '../domain/catalog.ts';

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
}

export interface TurnResult {
  /** True when this delivery was seen before: nothing was done and nothing is to be sent. */
  duplicate: boolean;
  replies: OutboundMessage[];
  locale: Locale;
}
