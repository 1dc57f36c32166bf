// The stored conversation of each chat: what the buyer wrote, what the bot and agents answered. The
// widget reads it back (history after a reload, replay after a reconnect); agents read it when they
// take over. Messages sort by id (ids rise in the order they are written, see ids.ts).
import type { Locale } from '../domain/catalog.ts';
import { newId } from '../ids.ts';
import type { PrismaClient } from '../store/database.ts';
import type { Button, ChannelName } from './messages.ts';

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

function toLogged(row: { id: string; direction: string; deliveryId: string | null; text: string | null; payload: unknown; createdAt: Date }): LoggedMessage {
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
  constructor(private readonly prisma: PrismaClient) {}

  /** Appends messages to a chat's conversation (created on first use); a repeated buyer delivery is skipped. */
  async append(chat: Chat & { buyerId: string | null; locale?: Locale }, messages: NewMessage[]): Promise<Array<NewMessage & { id: string }>> {
    const withIds = messages.map((m) => ({ ...m, id: m.id ?? newId('msg') }));
    const conversation = await this.prisma.conversation.upsert({
      where: { channel_chatId: { channel: chat.channel, chatId: chat.chatId } },
      create: { id: newId('cv'), channel: chat.channel, chatId: chat.chatId, buyerId: chat.buyerId, locale: chat.locale ?? null },
      update: { buyerId: chat.buyerId ?? undefined, locale: chat.locale ?? undefined },
      select: { id: true },
    });
    await this.prisma.message.createMany({
      data: withIds.map((m) => {
        const payload = { ...(m.buttons?.length ? { buttons: m.buttons } : {}), ...(m.action ? { action: m.action } : {}) };
        return {
          id: m.id,
          conversationId: conversation.id,
          direction: m.direction,
          deliveryId: m.deliveryId ?? null,
          text: m.text || null,
          payload: Object.keys(payload).length > 0 ? (payload as object) : undefined,
        };
      }),
      skipDuplicates: true,
    });
    return withIds;
  }

  /** Whether a buyer's delivery (a Telegram update, a widget message id) is in the chat's history. */
  async hasDelivery(chat: Chat, deliveryId: string | null | undefined): Promise<boolean> {
    if (!deliveryId) return false;
    const found = await this.prisma.message.findFirst({ where: { direction: 'in', deliveryId, conversation: { channel: chat.channel, chatId: chat.chatId } }, select: { id: true } });
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
      const rows = await this.prisma.message.findMany({ where: { conversationId: conversation.id, id: { gt: options.since } }, orderBy: { id: 'asc' }, take: limit + 1, select });
      return { messages: rows.slice(0, limit).map(toLogged), more: rows.length > limit };
    }
    const rows = await this.prisma.message.findMany({ where: { conversationId: conversation.id }, orderBy: { id: 'desc' }, take: limit + 1, select });
    return { messages: rows.slice(0, limit).reverse().map(toLogged), more: rows.length > limit };
  }
}
