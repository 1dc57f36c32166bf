// The stored conversation of each chat: what the buyer wrote, what the bot and agents answered. The
// widget reads it back (history after a reload, replay after a reconnect); agents read it when they
// take over. Messages sort by id (ids rise in the order they are written, see ids.ts).
//
// On channels that cannot ask for what they missed (Telegram), what the desk says is owed to the chat
// from the moment it is stored: the same transaction that stores a turn writes each reply to the
// outbox, keyed by the stored message's id and ordered per chat. The channel sends it at once
// (`sendPending`); if that fails, or the instance dies first, the outbox job sends it later, on any
// instance, once and in order. The widget needs none of this: its browser replays what it missed.
import type { Locale } from '../domain/index.ts';
import { newId } from '../ids.ts';
import type { OutboxDispatcher } from '../outbox/index.ts';
import type { PrismaClient } from '../store/index.ts';
import { SqlParams } from '../store/index.ts';
import type { SqlRunner } from '../store/index.ts';
import type { Button, ChannelName } from './messages.ts';

/** The outbox topic of a stored message owed to a chat. */
export const CHAT_REPLY_TOPIC = 'chat.reply';

/** What a `chat.reply` outbox message carries: enough to send it without reading the conversation. */
export interface ChatReplyPayload {
  channel: ChannelName;
  chatId: string;
  /** The stored message's id: the reply's identity (its outbox message exists once per id). */
  messageId: string;
  text: string;
  buttons?: Button[];
}

/** One chat's replies leave in the order they were stored. */
export const replyOrderingKey = (chat: { channel: ChannelName; chatId: string }) => `chat:${chat.channel}:${chat.chatId}`;

export interface ConversationLogOptions {
  /** Where replies to `channels` are queued and sent from. */
  outbox?: { dispatcher: OutboxDispatcher; channels: readonly ChannelName[] };
}

export type Direction = 'in' | 'out' | 'agent';

export interface LoggedMessage {
  id: string;
  direction: Direction;
  /** The channel's delivery id of a buyer's message (the widget's client message id). */
  deliveryId: string | null;
  text: string | null;
  buttons: Button[];
  /** The button a buyer pressed, for a message that was a press. */
  action: string | null;
  at: Date;
}

export interface NewMessage {
  /** Minted by the caller when it must know the id before the write (to push it live). */
  id?: string;
  direction: Direction;
  deliveryId?: string | null;
  text?: string | null;
  buttons?: Button[];
  action?: string;
}

interface Chat {
  channel: ChannelName;
  chatId: string;
}

const MAX_PAGE = 200;

function toLogged(row: {
  id: string;
  direction: string;
  deliveryId: string | null;
  text: string | null;
  payload: unknown;
  createdAt: Date;
}): LoggedMessage {
  const payload = (row.payload ?? {}) as { buttons?: Button[]; action?: string };
  return {
    id: row.id,
    direction: row.direction as Direction,
    deliveryId: row.deliveryId,
    text: row.text,
    buttons: Array.isArray(payload.buttons) ? payload.buttons : [],
    action: typeof payload.action === 'string' ? payload.action : null,
    at: row.createdAt,
  };
}

export class ConversationLog {
  constructor(
    private readonly prisma: PrismaClient,
    /** The same database as `prisma`, for the one-statement append. */
    private readonly sql: SqlRunner,
    private readonly options: ConversationLogOptions = {},
  ) {}

  private queuesReplies(channel: ChannelName): boolean {
    return this.options.outbox?.channels.includes(channel) ?? false;
  }

  /**
   * Appends messages to a chat's conversation (created on first use), together with the replies
   * owed to the chat (see the file comment), in one statement: atomic without a transaction to hold
   * open, so a slow or briefly paused database delays a turn but never half-stores it. A buyer's
   * delivery stored before makes the whole append a repeat: nothing of it is written, so a turn
   * handled twice (two instances, a redelivery) is answered once.
   */
  async append(
    chat: Chat & { buyerId: string | null; locale?: Locale },
    messages: NewMessage[],
  ): Promise<Array<NewMessage & { id: string }>> {
    const withIds = messages.map((m) => ({ ...m, id: m.id ?? newId('msg') }));
    const row = (m: NewMessage & { id: string }) => {
      const payload = { ...(m.buttons?.length ? { buttons: m.buttons } : {}), ...(m.action ? { action: m.action } : {}) };
      return {
        id: m.id,
        direction: m.direction,
        deliveryId: m.deliveryId ?? null,
        text: m.text || null,
        payload: Object.keys(payload).length > 0 ? payload : null,
      };
    };
    const deliveries = withIds.filter((m) => m.direction === 'in' && m.deliveryId);
    const others = withIds.filter((m) => !deliveries.includes(m));
    const owed = this.queuesReplies(chat.channel) ? withIds.filter((m) => m.direction !== 'in' && m.text) : [];
    const outbox = owed.map((m) => ({
      // The stored message's id, re-prefixed: outbox ids then sort as the chat's messages do.
      id: `obx_${m.id.slice(m.id.indexOf('_') + 1)}`,
      topic: CHAT_REPLY_TOPIC,
      dedupeKey: `${CHAT_REPLY_TOPIC}:${m.id}`,
      orderingKey: replyOrderingKey(chat),
      payload: {
        channel: chat.channel,
        chatId: chat.chatId,
        messageId: m.id,
        text: m.text!,
        ...(m.buttons?.length ? { buttons: m.buttons } : {}),
      } satisfies ChatReplyPayload,
    }));
    const p = new SqlParams();
    const now = p.utc(new Date());
    const columns = `m(id text, direction text, "deliveryId" text, text text, payload jsonb)`;
    const text = `WITH conv AS (
        INSERT INTO conversations (id, channel, "chatId", "buyerId", locale, "createdAt", "updatedAt")
        VALUES (${p.add(newId('cv'), 'text')}, ${p.add(chat.channel, 'text')}, ${p.add(chat.chatId, 'text')}, ${p.add(chat.buyerId, 'text')}, ${p.add(chat.locale ?? null, 'text')}, ${now}, ${now})
        ON CONFLICT (channel, "chatId") DO UPDATE SET "buyerId" = COALESCE(EXCLUDED."buyerId", conversations."buyerId"),
          locale = COALESCE(EXCLUDED.locale, conversations.locale), "updatedAt" = EXCLUDED."updatedAt"
        RETURNING id),
      inbound AS (
        INSERT INTO messages (id, "conversationId", direction, "deliveryId", text, payload, "createdAt")
        SELECT m.id, conv.id, m.direction, m."deliveryId", m.text, m.payload, ${now} FROM conv, jsonb_to_recordset(${p.json(deliveries.map(row))}) AS ${columns}
        ON CONFLICT ("conversationId", direction, "deliveryId") DO NOTHING
        RETURNING id),
      fresh AS (SELECT (SELECT count(*) FROM inbound) = ${p.add(deliveries.length, 'int')} AS ok),
      rest AS (
        INSERT INTO messages (id, "conversationId", direction, "deliveryId", text, payload, "createdAt")
        SELECT m.id, conv.id, m.direction, m."deliveryId", m.text, m.payload, ${now} FROM conv, fresh, jsonb_to_recordset(${p.json(others.map(row))}) AS ${columns}
        WHERE fresh.ok
        ON CONFLICT DO NOTHING),
      owed AS (
        INSERT INTO outbox_messages (id, topic, payload, "dedupeKey", status, attempts, "availableAt", "createdAt", "orderingKey")
        SELECT o.id, o.topic, o.payload, o."dedupeKey", 'pending', 0, ${now}, ${now}, o."orderingKey"
        FROM fresh, jsonb_to_recordset(${p.json(outbox)}) AS o(id text, topic text, payload jsonb, "dedupeKey" text, "orderingKey" text)
        WHERE fresh.ok
        ON CONFLICT ("dedupeKey") DO NOTHING)
      SELECT ok FROM fresh`;
    await this.sql.query(text, p.values, 'rd_conversation_append');
    return withIds;
  }

  /**
   * Sends now, in order, what the chat is still owed (the fast path after a turn is stored); what
   * cannot be sent now stays with the outbox job. Returns how many were sent.
   */
  async sendPending(chat: Chat): Promise<number> {
    if (!this.options.outbox || !this.queuesReplies(chat.channel)) return 0;
    return this.options.outbox.dispatcher.deliverKey(replyOrderingKey(chat));
  }

  /** Whether a buyer's delivery (a Telegram update, a widget message id) is in the chat's history. */
  async hasDelivery(chat: Chat, deliveryId: string | null | undefined): Promise<boolean> {
    if (!deliveryId) return false;
    const found = await this.prisma.message.findFirst({
      where: { direction: 'in', deliveryId, conversation: { channel: chat.channel, chatId: chat.chatId } },
      select: { id: true },
    });
    return found !== null;
  }

  /**
   * A chat's messages in order: those after `since` (a message id the reader already has), or else
   * the latest `limit`. `more` tells that older (or, after `since`, further) messages exist.
   */
  async page(chat: Chat, options: { since?: string | null; limit?: number } = {}): Promise<{ messages: LoggedMessage[]; more: boolean }> {
    const limit = Math.min(Math.max(options.limit ?? 50, 1), MAX_PAGE);
    const conversation = await this.prisma.conversation.findUnique({ where: { channel_chatId: chat }, select: { id: true } });
    if (!conversation) return { messages: [], more: false };
    const select = { id: true, direction: true, deliveryId: true, text: true, payload: true, createdAt: true } as const;
    if (options.since) {
      const rows = await this.prisma.message.findMany({
        where: { conversationId: conversation.id, id: { gt: options.since } },
        orderBy: { id: 'asc' },
        take: limit + 1,
        select,
      });
      return { messages: rows.slice(0, limit).map(toLogged), more: rows.length > limit };
    }
    const rows = await this.prisma.message.findMany({
      where: { conversationId: conversation.id },
      orderBy: { id: 'desc' },
      take: limit + 1,
      select,
    });
    return { messages: rows.slice(0, limit).reverse().map(toLogged), more: rows.length > limit };
  }
}
