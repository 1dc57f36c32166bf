// Messages to a buyer from outside their own turn (an agent's reply, an agent's decision, "a person
// is on it"): sent to the chat the buyer last used, Telegram or the shop widget, and kept in that
// conversation like every other message. Channels render; this only picks the chat. It also
// delivers the stored replies the outbox holds for a chat (CHAT_REPLY_TOPIC) through the channel
// that owns the chat.
import { z } from 'zod';
import { localeOrDefault, type Locale } from '../domain/index.ts';
import type { Logger } from '../logger.ts';
import { PermanentDeliveryError, type OutboxDispatcher } from '../outbox/index.ts';
import type { PrismaClient } from '../store/index.ts';
import { CHAT_REPLY_TOPIC, type ConversationLog } from './conversation-log.ts';
import type { ChannelName, OutboundMessage } from './messages.ts';

/** What can send to one channel's chat (the Telegram and widget channels). */
export interface ChatSender {
  send(chatId: string, buyerId: string, message: OutboundMessage, direction: 'out' | 'agent'): Promise<unknown>;
  /**
   * One attempt at sending one stored message, for channels whose replies leave through the outbox:
   * throws to be retried (RetryLaterError to say when), PermanentDeliveryError when the chat refuses.
   */
  deliver?(chatId: string, message: OutboundMessage): Promise<void>;
}

const replyPayloadSchema = z.object({
  channel: z.enum(['telegram', 'widget', 'terminal']),
  chatId: z.string().min(1),
  messageId: z.string().min(1),
  text: z.string().min(1),
  buttons: z.array(z.object({ label: z.string(), action: z.string() })).optional(),
});

export interface DeliveredTo {
  channel: ChannelName;
  chatId: string;
  locale: Locale | null;
}

export class ChatDelivery {
  private readonly senders = new Map<ChannelName, ChatSender>();

  constructor(
    private readonly prisma: PrismaClient,
    readonly conversations: ConversationLog,
    private readonly log: Logger,
    outbox?: OutboxDispatcher,
  ) {
    outbox?.on(CHAT_REPLY_TOPIC, (payload) => this.deliverStored(payload));
  }

  register(channel: ChannelName, sender: ChatSender): void {
    this.senders.set(channel, sender);
  }

  /** Sends one stored message the outbox holds for a chat, through its channel. */
  private async deliverStored(raw: Record<string, unknown>): Promise<void> {
    const parsed = replyPayloadSchema.safeParse(raw);
    if (!parsed.success) throw new PermanentDeliveryError(`unreadable chat reply: ${parsed.error.issues[0]?.message ?? 'bad payload'}`);
    const reply = parsed.data;
    const sender = this.senders.get(reply.channel);
    if (!sender?.deliver)
      throw new PermanentDeliveryError(`the ${reply.channel} channel is not on at this desk: message ${reply.messageId} cannot be sent`);
    await sender.deliver(reply.chatId, { id: reply.messageId, text: reply.text, ...(reply.buttons ? { buttons: reply.buttons } : {}) });
  }

  /** The chat a buyer last wrote in, on a channel that can be reached now; null when there is none. */
  private async chatOf(buyerId: string): Promise<DeliveredTo | null> {
    const channels = [...this.senders.keys()];
    if (channels.length === 0) return null;
    const conversation = await this.prisma.conversation.findFirst({
      where: { buyerId, channel: { in: channels } },
      orderBy: { updatedAt: 'desc' },
      select: { channel: true, chatId: true, locale: true },
    });
    if (!conversation) return null;
    return {
      channel: conversation.channel as ChannelName,
      chatId: conversation.chatId,
      locale: (conversation.locale as Locale | null) ?? null,
    };
  }

  /**
   * Sends to the buyer's chat; null when the buyer has no chat the desk can reach (their inbox still
   * has the notice). A message given as a function is written in the chat's language (else the
   * buyer's account language).
   */
  async toBuyer(
    buyerId: string,
    message: OutboundMessage | ((locale: Locale) => OutboundMessage),
    direction: 'out' | 'agent',
  ): Promise<DeliveredTo | null> {
    const chat = await this.chatOf(buyerId);
    if (!chat) return null;
    let outbound: OutboundMessage;
    if (typeof message === 'function') {
      const locale =
        chat.locale ?? localeOrDefault((await this.prisma.buyer.findUnique({ where: { id: buyerId }, select: { locale: true } }))?.locale);
      outbound = message(locale);
    } else {
      outbound = message;
    }
    await this.senders.get(chat.channel)!.send(chat.chatId, buyerId, outbound, direction);
    this.log.debug({ buyerId, channel: chat.channel, direction }, 'message delivered to the buyer');
    return chat;
  }
}
