// The Telegram channel (M24): a thin adapter between the Bot API (telegraf) and the dialogue engine.
// It verifies, binds, de-duplicates and renders; every decision is the dialogue engine's.
//   /start <chat token>  binds the chat to the buyer the shop issued the token for (API.md);
//   text                 goes to the dialogue as an InboundMessage of the bound buyer;
//   button presses       go to the dialogue as actions; the pressed keyboard is removed first, so
//                        a stale button cannot be pressed twice.
// Update ids are claimed in the cache before anything runs (Telegram re-delivers); a chat sending
// too much is asked to slow down.
//
// Replies are owed from the moment the turn is stored: the conversation log writes them to the
// outbox in the same transaction, and this channel sends them right after (`sendPending`). A send
// that fails (Telegram down, a 429, this instance killed) is sent later by the outbox job, on any
// instance, once per stored message and in the chat's order; a 429 waits for Telegram's
// retry_after, and a chat that refuses for good (the buyer blocked the bot) is not retried.
import { createRequire } from 'node:module';
import type { Context, Telegraf } from 'telegraf';
import type { Update } from 'telegraf/types';
import type { Cache, Lock } from '../../cache/index.ts';
import { claimOnce } from '../../cache/index.ts';
import type { ChatTokens } from '../../conversation/index.ts';
import type { ConversationLog } from '../../conversation/index.ts';
import { ChatTokenError } from '../../conversation/index.ts';
import type { DialogueEngine } from '../../conversation/index.ts';
import { chatRate, type OutboundMessage } from '../../conversation/index.ts';
import { BIND_REPLIES, say } from '../../conversation/index.ts';
import type { Locale } from '../../domain/index.ts';
import { DeskError } from '../../errors.ts';
import type { Logger } from '../../logger.ts';
import { PermanentDeliveryError, RetryLaterError } from '../../outbox/index.ts';

const DEDUPE_TTL_MS = 48 * 3_600_000;
const updateKey = (updateId: number) => `dedupe:telegram:update:${updateId}`;
const POLLING_LEASE_KEY = 'lease:telegram:polling';
const POLLING_LEASE_MS = 30_000;
const MAX_SEND_ATTEMPTS = 4;
/** One Bot API send's limit: well inside the outbox lease, so a slow send is never taken twice. */
const SEND_TIMEOUT_MS = 15_000;

export interface TelegramChannelDeps {
  token: string;
  apiRoot: string;
  dialogue: DialogueEngine;
  chatTokens: ChatTokens;
  cache: Cache;
  conversations: ConversationLog;
  log: Logger;
  /** The language of a buyer, when known (for replies before the buyer writes anything). */
  localeOf: (buyerId: string) => Promise<Locale>;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const markupOf = (message: OutboundMessage) =>
  message.buttons?.length
    ? {
        reply_markup: {
          inline_keyboard: message.buttons.map((b) => [{ text: b.label.slice(0, 64), callback_data: b.action.slice(0, 64) }]),
        },
      }
    : {};

/**
 * How the outbox should treat a failed send (who failed decides the retry): 429 waits for
 * retry_after; a refusal of the chat or of the message itself (403 blocked, 400 chat not found) is
 * final; Telegram's 5xx, a bad token and the network are retried with backoff.
 */
// telegraf is loaded when a TelegramChannel is built (TELEGRAM_BOT_TOKEN set), not by every process.
const require = createRequire(import.meta.url);
let telegraf: typeof import('telegraf') | undefined;
const loadTelegraf = () => (telegraf ??= require('telegraf') as typeof import('telegraf'));

export function deliveryError(error: unknown): Error {
  // Without a channel built, telegraf is not loaded and nothing can have thrown its error.
  if (!telegraf || !(error instanceof telegraf.TelegramError)) return error instanceof Error ? error : new Error(String(error));
  const what = `Telegram ${error.code}: ${error.description}`.slice(0, 300);
  if (error.code === 429) return new RetryLaterError(what, Math.max(1, error.parameters?.retry_after ?? 1) * 1_000);
  if (error.code >= 400 && error.code < 500 && error.code !== 401) return new PermanentDeliveryError(what, error.code === 403);
  return error;
}

export class TelegramChannel {
  readonly bot: Telegraf;
  private pollingLease: Lock | null = null;
  /** Updates whose handling threw (telegraf's catch swallows it): the webhook must not answer 200. */
  private readonly failed = new Set<number>();
  private leaseTimer: NodeJS.Timeout | null = null;

  constructor(private readonly deps: TelegramChannelDeps) {
    this.bot = new (loadTelegraf().Telegraf)(deps.token, { telegram: { apiRoot: deps.apiRoot } });
    this.bot.start((ctx) => this.onStart(ctx, ctx.payload));
    this.bot.on('text', (ctx) => this.onMessage(ctx, { text: ctx.message.text }));
    this.bot.on('callback_query', (ctx) => this.onButton(ctx));
    this.bot.catch((error, ctx) => {
      this.deps.log.error({ err: error }, 'telegram update failed');
      this.failed.add(ctx.update.update_id);
    });
  }

  /**
   * Runs one update (webhook mode, tests); polling feeds updates the same way. An update another
   * instance is still handling is answered "unavailable" (503), not 200: Telegram then delivers it
   * again later, when it is either done (and dropped) or, if that instance died, handled here.
   */
  async handleUpdate(update: Update): Promise<void> {
    if ((await this.deps.cache.get(updateKey(update.update_id))) === 'processing') {
      throw new DeskError(
        'unavailable',
        'update_in_progress',
        `Telegram update ${update.update_id} is being handled; deliver it again later`,
      );
    }
    await this.bot.handleUpdate(update);
    // A failed update (the cache or database was down) is answered 503 so Telegram delivers it again;
    // its claim was given back, so the next delivery is handled.
    if (this.failed.delete(update.update_id)) {
      throw new DeskError(
        'unavailable',
        'update_failed',
        `Telegram update ${update.update_id} could not be handled now; deliver it again later`,
      );
    }
  }

  /**
   * Long polling: one instance only, since Telegram hands each update to one getUpdates caller and
   * two callers fight over the offset. A lease in the cache (Redis with several instances) enforces
   * it: a second instance is refused (and, through the channel starter, tries again later, so it
   * takes over when the first one stops). Resolves once Telegram has answered (getMe), so an
   * unreachable Bot API is a failed start, not a silent dead poller; `onLost` is told when polling
   * stops afterwards (the Bot API failing for good, the lease lost), so the channel is started again.
   */
  async startPolling(onLost?: (error: Error) => void): Promise<void> {
    const lease = await this.deps.cache.tryLock(POLLING_LEASE_KEY, POLLING_LEASE_MS);
    if (!lease) {
      throw new Error(
        'Telegram long polling already runs on another instance: set TELEGRAM_WEBHOOK_URL and TELEGRAM_WEBHOOK_SECRET to run several instances',
      );
    }
    this.pollingLease = lease;
    this.leaseTimer = setInterval(() => {
      lease
        .extend(POLLING_LEASE_MS)
        .then((held) => {
          if (held) return;
          this.deps.log.error('telegram polling lease lost to another instance; this one stops polling');
          this.stopPolling();
          onLost?.(new Error('the Telegram polling lease was lost to another instance'));
        })
        .catch((error: unknown) => this.deps.log.warn({ err: error }, 'could not renew the telegram polling lease'));
    }, POLLING_LEASE_MS / 3);
    this.leaseTimer.unref();
    try {
      this.bot.botInfo ??= await this.bot.telegram.getMe();
    } catch (error) {
      this.stopPolling();
      throw error;
    }
    await new Promise<void>((resolve, reject) => {
      let launched = false;
      this.bot
        .launch({ dropPendingUpdates: false }, () => {
          launched = true;
          resolve();
        })
        .catch((error: unknown) => {
          this.stopPolling();
          if (!launched) return reject(error as Error);
          this.deps.log.error({ err: error }, 'telegram polling stopped');
          onLost?.(error instanceof Error ? error : new Error(String(error)));
        });
    });
  }

  async setWebhook(url: string, secret: string): Promise<void> {
    await this.bot.telegram.setWebhook(url, { secret_token: secret });
  }

  stop(): void {
    this.stopPolling();
  }

  /** Stops polling (if it runs) and gives the polling lease back. */
  private stopPolling(): void {
    if (this.leaseTimer) clearInterval(this.leaseTimer);
    this.leaseTimer = null;
    void this.pollingLease?.release().catch(() => undefined);
    this.pollingLease = null;
    try {
      this.bot.stop('shutdown');
    } catch {
      // Not polling: nothing to stop.
    }
  }

  /**
   * Runs an update once (Telegram re-delivers): a repeat while it runs or after it is done is
   * dropped; one after this instance died mid-update is handled (the claim lapses).
   */
  private async once(updateId: number, work: () => Promise<void>): Promise<void> {
    const claim = await claimOnce(this.deps.cache, updateKey(updateId), DEDUPE_TTL_MS);
    if (!claim) return;
    try {
      await work();
      await claim.done();
    } catch (error) {
      await claim.abandon().catch(() => undefined);
      throw error;
    }
  }

  private onStart(ctx: Context, payload: string): Promise<void> {
    if (!ctx.chat) return Promise.resolve();
    return this.once(ctx.update.update_id, () => this.bindChat(ctx, payload));
  }

  private async bindChat(ctx: Context, payload: string): Promise<void> {
    if (!ctx.chat) return;
    const chatId = String(ctx.chat.id);
    const deliveryId = String(ctx.update.update_id);
    // Answered before (the cache forgot it: Redis restarted): only what it may still owe is sent.
    if (await this.deps.conversations.hasDelivery({ channel: 'telegram', chatId }, deliveryId)) return this.sendPending(chatId);
    const fallback: Locale = ctx.from?.language_code?.startsWith('zh') ? 'zh' : ctx.from?.language_code ? 'en' : 'zh';
    // Stored as "/start": the token is a credential, and spent once it has bound the chat.
    if (!payload.trim()) return this.answer(chatId, null, deliveryId, '/start', { text: BIND_REPLIES.missing[fallback] }, fallback);
    try {
      // The Telegram account is the "device" of a Telegram chat (Telegram gives no IP).
      const buyerId = await this.deps.chatTokens.bind(payload.trim(), 'telegram', chatId, {
        deviceId: ctx.from ? `telegram:${ctx.from.id}` : null,
      });
      const locale = await this.deps.localeOf(buyerId);
      await this.answer(chatId, buyerId, deliveryId, '/start', { text: BIND_REPLIES.ok[locale] }, locale);
    } catch (error) {
      if (!(error instanceof ChatTokenError)) throw error;
      this.deps.log.warn({ chatId, problem: error.problem }, 'telegram /start with a bad chat token');
      await this.answer(chatId, null, deliveryId, '/start', { text: BIND_REPLIES[error.problem][fallback] }, fallback);
    }
  }

  private onMessage(ctx: Context, input: { text?: string; action?: string }): Promise<void> {
    if (!ctx.chat) return Promise.resolve();
    return this.once(ctx.update.update_id, () => this.turn(ctx, input));
  }

  private async turn(ctx: Context, input: { text?: string; action?: string }): Promise<void> {
    if (!ctx.chat) return;
    const chatId = String(ctx.chat.id);
    const buyerId = await this.deps.chatTokens.buyerOf('telegram', chatId);
    const localeHint = buyerId ? await this.deps.localeOf(buyerId) : 'zh';
    const rate = await chatRate(this.deps.cache, 'telegram', chatId);
    if (rate !== 'ok') {
      // Told once per window; later messages in the burst are dropped quietly.
      if (rate === 'over') await this.reply(ctx, { text: say('rateLimited', localeHint) });
      return;
    }
    const turn = await this.deps.dialogue.handle({
      channel: 'telegram',
      chatId,
      deliveryId: String(ctx.update.update_id),
      buyerId,
      localeHint,
      ...input,
    });
    // Replies the log could not store (the database failed mid-turn) are owed to nobody: sent here, once.
    const unstored = turn.replies.filter((reply) => !reply.id);
    for (const reply of unstored) await this.reply(ctx, reply);
    // A repeat of a stored turn sends what that turn may still owe (its first handler died, say).
    await this.sendPending(chatId);
  }

  /** Sends what the chat is owed now; what fails here stays with the outbox job (never lost, never twice). */
  private async sendPending(chatId: string): Promise<void> {
    try {
      await this.deps.conversations.sendPending({ channel: 'telegram', chatId });
    } catch (error) {
      this.deps.log.warn({ err: error, chatId }, 'could not send the replies now; the outbox job will');
    }
  }

  /** Stores a turn the channel answers itself (/start) with its reply, then sends the reply. */
  private async answer(
    chatId: string,
    buyerId: string | null,
    deliveryId: string,
    text: string,
    reply: OutboundMessage,
    locale: Locale,
  ): Promise<void> {
    await this.deps.conversations.append({ channel: 'telegram', chatId, buyerId, locale }, [
      { direction: 'in', deliveryId, text },
      { direction: 'out', text: reply.text, ...(reply.buttons?.length ? { buttons: reply.buttons } : {}) },
    ]);
    await this.sendPending(chatId);
  }

  private async onButton(ctx: Context): Promise<void> {
    const query = ctx.callbackQuery;
    if (!query || !('data' in query)) return;
    // Stop the spinner, and take the keyboard off the answered message so it can't be pressed again.
    // Neither may stop the press from being handled (a message too old to edit, say).
    try {
      await ctx.answerCbQuery();
    } catch (error) {
      this.deps.log.debug({ err: error }, 'could not answer a button press');
    }
    const messageId = query.message?.message_id;
    if (ctx.chat && messageId !== undefined) {
      try {
        await ctx.telegram.editMessageReplyMarkup(ctx.chat.id, messageId, undefined, undefined);
      } catch (error) {
        this.deps.log.debug({ err: error }, 'could not remove a keyboard');
      }
    }
    await this.onMessage(ctx, { action: query.data });
  }

  /**
   * A message from outside the buyer's turn (an agent, a decision an agent made): kept in the chat's
   * conversation, which owes it to the chat from then on, and sent (in order after anything owed before).
   */
  async send(chatId: string, buyerId: string, message: OutboundMessage, direction: 'out' | 'agent'): Promise<void> {
    await this.deps.conversations.append({ channel: 'telegram', chatId, buyerId }, [
      { direction, text: message.text, ...(message.buttons?.length ? { buttons: message.buttons } : {}) },
    ]);
    await this.sendPending(chatId);
  }

  /**
   * One attempt at sending one message (the outbox's delivery of a stored reply, or a notice): no
   * retry here, the outbox retries, and deliveryError says how.
   */
  async deliver(chatId: string, message: OutboundMessage): Promise<void> {
    try {
      await this.bot.telegram.callApi(
        'sendMessage',
        { chat_id: chatId, text: message.text.slice(0, 4_096), ...markupOf(message) },
        {
          // telegraf types its signal as the abort-controller polyfill's; node-fetch takes the native one.
          signal: AbortSignal.timeout(SEND_TIMEOUT_MS) as never,
        },
      );
    } catch (error) {
      throw deliveryError(error);
    }
  }

  /** Sends one reply that is not stored (a rate-limit notice, a reply the database would not keep). */
  private async reply(ctx: Context, reply: OutboundMessage): Promise<void> {
    await this.withRetryAfter(() => ctx.reply(reply.text.slice(0, 4_096), markupOf(reply)));
  }

  /** Runs one Bot API call, waiting out 429 answers for Telegram's retry_after. */
  private async withRetryAfter(call: () => Promise<unknown>): Promise<void> {
    for (let attempt = 1; ; attempt += 1) {
      try {
        await call();
        return;
      } catch (error) {
        const retryAfter =
          error instanceof loadTelegraf().TelegramError && error.code === 429 ? (error.parameters?.retry_after ?? 1) : null;
        if (retryAfter === null || attempt >= MAX_SEND_ATTEMPTS) throw error;
        this.deps.log.warn({ retryAfter, attempt }, 'telegram asked us to slow down');
        await sleep(Math.min(retryAfter, 30) * 1_000);
      }
    }
  }
}
