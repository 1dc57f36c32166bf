// The widget's WebSocket protocol: JSON frames, one per WebSocket message. Every frame from a browser
// is validated here before anything reads it; frames to the browser are typed below.
//
//   browser → desk   hello    first frame: the page's chat token and/or the stored session, and the
//                             id of the last message the browser already has (for the replay)
//                    message  a buyer's text, with the browser's own id for it (a resend after a
//                             reconnect carries the same id and is answered once)
//                    action   a pressed button (its label is kept in the history)
//                    ping     keep-alive through proxies that drop idle connections
//   desk → browser   ready    the session to keep, the buyer's language, the history (or what was
//                             missed since `since`)
//                    message  one stored message: the buyer's, the bot's or an agent's
//                    ack      a buyer message that needs no echo: a repeat, one still being handled
//                             (by another instance, or one that died: the browser sends it again
//                             later), or one dropped by the rate limit
//                    typing   the bot (or an agent) is writing
//                    notice   something to tell the buyer that is not part of the conversation
//                    closed   the chat could not be opened (the socket closes after it)
import { z } from 'zod';
import type { Direction, LoggedMessage } from '../../conversation/index.ts';
import type { Button } from '../../conversation/index.ts';
import type { Locale } from '../../domain/index.ts';

/** Above this many characters a buyer's message is refused as unreadable (the dialogue reads 2,000). */
export const MAX_TEXT_CHARS = 20_000;
/** The largest frame the socket accepts at all (a 20,000-character Chinese message is about 60 KB). */
export const MAX_FRAME_BYTES = 96 * 1024;

const clientId = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'must be 1-64 characters of A-Z a-z 0-9 _ -');

export const clientFrameSchema = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('hello'),
    token: z.string().max(256).optional(),
    session: z.object({ id: z.string().min(1).max(64), key: z.string().min(1).max(128) }).optional(),
    since: z.string().max(64).optional(),
    device: clientId.optional(),
    lang: z.enum(['zh', 'en']).optional(),
  }),
  z.object({ type: z.literal('message'), id: clientId, text: z.string().max(MAX_TEXT_CHARS) }),
  z.object({ type: z.literal('action'), id: clientId, action: z.string().min(1).max(64), label: z.string().max(200).optional() }),
  z.object({ type: z.literal('ping') }),
]);

export type ClientFrame = z.infer<typeof clientFrameSchema>;

export interface MessageFrame {
  type: 'message';
  id: string;
  direction: Direction;
  text: string | null;
  buttons: Button[];
  at: string;
  /** On the buyer's own messages: the browser's id for it, so the browser can match what it sent. */
  clientId?: string;
  /** On the desk's replies: the conversation's language now (the widget's own words follow it). */
  locale?: Locale;
}

export type ServerFrame =
  | { type: 'ready'; session: { id: string; key: string }; locale: Locale; history: MessageFrame[]; more: boolean }
  | MessageFrame
  | { type: 'ack'; clientId: string; status: 'duplicate' | 'in_progress' | 'rate_limited' | 'unreadable' }
  | { type: 'typing'; on: boolean }
  | { type: 'notice'; code: 'rate_limited' | 'unreadable' | 'unavailable' | 'too_many_tabs'; text: string }
  | { type: 'closed'; problem: string; text: string; locale: Locale }
  | { type: 'pong' };

export function messageFrame(
  m: Pick<LoggedMessage, 'id' | 'direction' | 'text' | 'buttons' | 'at' | 'deliveryId'>,
  locale?: Locale,
): MessageFrame {
  return {
    type: 'message',
    id: m.id,
    direction: m.direction,
    text: m.text,
    buttons: m.buttons,
    at: m.at.toISOString(),
    ...(m.direction === 'in' && m.deliveryId ? { clientId: m.deliveryId } : {}),
    ...(locale ? { locale } : {}),
  };
}

/** WebSocket close codes the widget understands (4000-4999 are the application's own). */
export const CLOSE = {
  /** The chat could not be opened (bad token, lapsed session): the browser does not retry. */
  unauthorized: 4401,
  /** The page's origin is not one the desk serves. */
  forbiddenOrigin: 4403,
  /** No hello in time. */
  helloTimeout: 4408,
  /** Far too many frames: the browser waits before reconnecting. */
  flood: 4429,
  /** One socket too many for this chat session (tabs) or client address: the browser waits before reconnecting. */
  tooManySockets: 4430,
  /** The instance holds as many sockets as it may (1013, "try again later"): the browser reconnects with backoff, perhaps to another instance. */
  tryAgainLater: 1013,
  /** The desk is shutting down: the browser reconnects (to another instance). */
  goingAway: 1001,
} as const;
