// Chat tokens (API.md "Chat identity"): the shop asks for one for a signed-in buyer; it binds a
// Telegram chat (/start <token>) or opens the widget as that buyer. A token is `<id>_<signature>`:
// the id names a row the desk keeps (buyer, expiry, the chat it bound), the signature is an
// HMAC-SHA256 (CHAT_TOKEN_SECRET) of id, buyer and expiry. It cannot be forged or turned into another
// buyer's, it expires, and it binds one chat only. 34 characters of [A-Za-z0-9_-], so it fits
// Telegram's /start parameter (at most 64).
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { newId } from '../ids.ts';
import { isBuyersAddress } from '../risk/index.ts';
import type { PrismaClient } from '../store/index.ts';

export const CHAT_TOKEN_TTL_MS = 30 * 60_000;

export type TokenProblem = 'malformed' | 'forged' | 'expired' | 'used_elsewhere';

export class ChatTokenError extends Error {
  constructor(readonly problem: TokenProblem) {
    super(`chat token ${problem}`);
    this.name = 'ChatTokenError';
  }
}

const TOKEN = /^([A-Za-z0-9_-]{11})_([A-Za-z0-9_-]{22})$/;

export class ChatTokens {
  constructor(
    private readonly secret: string,
    private readonly prisma: PrismaClient,
    private readonly now: () => number = Date.now,
  ) {}

  private sign(id: string, buyerId: string, expiresAt: Date): string {
    return createHmac('sha256', this.secret)
      .update(`${id}\n${buyerId}\n${expiresAt.getTime()}`)
      .digest()
      .subarray(0, 16)
      .toString('base64url');
  }

  async issue(buyerId: string, ttlMs = CHAT_TOKEN_TTL_MS): Promise<{ token: string; expiresAt: Date }> {
    const id = randomBytes(8).toString('base64url');
    const expiresAt = new Date(Math.floor((this.now() + ttlMs) / 1000) * 1000);
    await this.prisma.chatToken.create({ data: { id, buyerId, expiresAt } });
    return { token: `${id}_${this.sign(id, buyerId, expiresAt)}`, expiresAt };
  }

  /** The token's row when its signature holds, expired or not. */
  private async genuine(token: string) {
    const match = TOKEN.exec(token.trim());
    if (!match) throw new ChatTokenError('malformed');
    const row = await this.prisma.chatToken.findUnique({ where: { id: match[1]! } });
    const expected = row ? Buffer.from(this.sign(row.id, row.buyerId, row.expiresAt)) : Buffer.alloc(22);
    const given = Buffer.from(match[2]!);
    if (!row || !timingSafeEqual(expected, given)) throw new ChatTokenError('forged');
    return row;
  }

  /** The token's row when its signature holds and it has not expired. */
  private async check(token: string) {
    const row = await this.genuine(token);
    if (row.expiresAt.getTime() < this.now()) throw new ChatTokenError('expired');
    return row;
  }

  /**
   * The buyer a genuine token was issued for, even once it has expired or been bound; null for a
   * forged or malformed one. It proves whose page a widget sits on, not a right to a new chat.
   */
  async issuedTo(token: string): Promise<string | null> {
    try {
      return (await this.genuine(token)).buyerId;
    } catch (error) {
      if (error instanceof ChatTokenError) return null;
      throw error;
    }
  }

  /** The buyer a token stands for, without binding it (the widget decides which session it opens first). */
  async verify(token: string): Promise<string> {
    return (await this.check(token)).buyerId;
  }

  /**
   * Binds a chat to the token's buyer and returns the buyer. The same chat presenting the same token
   * again is fine (a widget reconnecting); any other chat is refused.
   */
  async bind(
    token: string,
    channel: string,
    chatId: string,
    sighting: { deviceId?: string | null; ip?: string | null } = {},
  ): Promise<string> {
    const row = await this.check(token);
    // One guarded update: of two chats racing for one token, one wins.
    const bound = await this.prisma.chatToken.updateMany({
      where: { id: row.id, OR: [{ channel: null }, { channel, chatId }] },
      data: { channel, chatId, usedAt: new Date(this.now()) },
    });
    if (bound.count !== 1) throw new ChatTokenError('used_elsewhere');
    // M11: a chat session is a sighting of the buyer's device (a Telegram account, a browser's IP);
    // several shop accounts seen on one links them for the risk rules.
    const ip = isBuyersAddress(sighting.ip ?? null) ? sighting.ip! : null;
    if (sighting.deviceId || ip) {
      await this.prisma.fingerprint.create({
        data: {
          id: newId('fp'),
          buyerId: row.buyerId,
          deviceId: sighting.deviceId ?? null,
          ip,
          source: 'chat',
          refId: `${channel}:${chatId}`,
          at: new Date(this.now()),
        },
      });
    }
    return row.buyerId;
  }

  /** The buyer a chat was bound to (its latest binding), for every message after /start. */
  async buyerOf(channel: string, chatId: string): Promise<string | null> {
    const row = await this.prisma.chatToken.findFirst({
      where: { channel, chatId },
      orderBy: { usedAt: 'desc' },
      select: { buyerId: true },
    });
    return row?.buyerId ?? null;
  }
}
