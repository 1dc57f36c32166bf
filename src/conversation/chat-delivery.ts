// Messages to a buyer from outside their own turn (an agent's reply, an agent's decision, "a person
// is on it"): sent to the chat the buyer last used, Telegram or the shop widget, and kept in that
// conversation like every other message. Channels render; this only picks the chat.
import { localeOrDefault, type Locale } from '../domain/catalog.ts';
import type { Logger } from '../logger.ts';
import type { PrismaClient } from '../store/database.ts';
import type { ConversationLog } from './conversation-log.ts';
import type { ChannelName, OutboundMessage } from './messages.ts';

/** What can send to one channel's chat (the Telegram and widget channels). */
export interface ChatSender {
  send(chatId: string, buyerId: string, message: OutboundMessage, direction: 'out' | 'agent'): Promise<unknown>;
}

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
  ) {}

  register(channel: ChannelName, sender: ChatSender): void {
    this.senders.set(channel, sender);
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
    return { channel: conversation.channel as ChannelName, chatId: conversation.chatId, locale: (conversation.locale as Locale | null) ?? null };
  }

  /**
   * Sends to the buyer's chat; null when the buyer has no chat the desk can reach (their inbox still
   * has the notice). A message given as a function is written in the chat's language (else the
   * buyer's account language).
   */
  async toBuyer(buyerId: string, message: OutboundMessage | ((locale: Locale) => OutboundMessage), direction: 'out' | 'agent'): Promise<DeliveredTo | null> {
    const chat = await this.chatOf(buyerId);
    if (!chat) return null;
    let outbound: OutboundMessage;
    if (typeof message === 'function') {
      const locale = chat.locale ?? localeOrDefault((await this.prisma.buyer.findUnique({ where: { id: buyerId }, select: { locale: true } }))?.locale);
      outbound = message(locale);
    } else {
      outbound = message;
    }
    await this.senders.get(chat.channel)!.send(chat.chatId, buyerId, outbound, direction);
    this.log.debug({ buyerId, channel: chat.channel, direction }, 'message delivered to the buyer');
    return chat;
  }
}
