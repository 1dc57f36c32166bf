// The shop widget's channel (M25): a thin adapter between browser WebSockets and the dialogue engine,
// like the Telegram channel. It opens a session (widget-sessions.ts), replays the stored history,
// runs each buyer message through the dialogue and pushes the replies to every tab of the session.
// It holds no business rule.
//
// Pushes go through the cache's pub/sub (Redis when configured), so a message reaches a buyer whose
// socket is held by another desk instance; each instance delivers to the sockets it holds. Whatever
// is pushed is stored first, so a browser that was away gets it in the replay after it reconnects.
//
// Sockets are capped per session, per client address and per instance (socket-caps.ts): the one over
// a cap is closed with a close code and reason that say which, and the ones already open keep working.
import type { IncomingHttpHeaders } from 'node:http';
import type { WebSocket } from 'ws';
import type { Cache, Unsubscribe } from '../../cache/index.ts';
import type { ConversationLog } from '../../conversation/index.ts';
import type { DialogueEngine } from '../../conversation/index.ts';
import { chatRate, type OutboundMessage } from '../../conversation/index.ts';
import { say, WIDGET_OPEN_PROBLEMS } from '../../conversation/index.ts';
import type { Locale } from '../../domain/index.ts';
import type { Logger } from '../../logger.ts';
import { CLOSE, clientFrameSchema, messageFrame, type ClientFrame, type ServerFrame } from './widget-protocol.ts';
import { DEFAULT_SOCKET_CAPS, SocketLedger, type Refusal, type SocketCaps } from './socket-caps.ts';
import type { WidgetSessions } from './widget-sessions.ts';
import { parseJsonText } from '../../validation.ts';

const PUSH_CHANNEL = 'widget:push';
const HELLO_TIMEOUT_MS = 10_000;
const HEARTBEAT_MS = 30_000;
/** Frames per socket per 10 s before the socket is closed; far above the chat rate limit, so a buyer never meets it. */
const FRAME_FLOOD = 200;
const HISTORY_PAGE = 50;

export interface WidgetChannelDeps {
  dialogue: DialogueEngine;
  conversations: ConversationLog;
  sessions: WidgetSessions;
  cache: Cache;
  log: Logger;
  localeOf: (buyerId: string) => Promise<Locale>;
  /** Page origins allowed to open the widget; null allows any (the chat token is the credential). */
  allowedOrigins: string[] | null;
  /** Socket caps; the defaults (DEFAULT_SOCKET_CAPS) where not given. */
  socketCaps?: Partial<SocketCaps>;
}

interface Open {
  sessionId: string;
  buyerId: string;
  locale: Locale;
}

export class WidgetChannel {
  /** The sockets this instance holds, counted in all, by address and by session (a buyer may have the shop open in several tabs). */
  private readonly sockets: SocketLedger<WebSocket>;
  private unsubscribe: Unsubscribe | null = null;
  private retry: NodeJS.Timeout | null = null;
  private stopped = false;

  constructor(private readonly deps: WidgetChannelDeps) {
    this.sockets = new SocketLedger({ ...DEFAULT_SOCKET_CAPS, ...deps.socketCaps });
  }

  /**
   * Subscribes to pushes. A cache that is down does not stop the desk from starting: it retries every
   * few seconds, and meanwhile pushes fall back to this instance's sockets and the replay.
   */
  async start(): Promise<void> {
    if (this.unsubscribe || this.stopped) return;
    try {
      this.unsubscribe = await this.deps.cache.subscribe(PUSH_CHANNEL, (raw) => {
        try {
          const { s, f } = JSON.parse(raw) as { s: string; f: ServerFrame };
          this.deliverHere(s, f);
        } catch (error) {
          this.deps.log.warn({ err: error }, 'unreadable widget push');
        }
      });
    } catch (error) {
      this.deps.log.error({ err: error }, 'widget could not subscribe to pushes; retrying');
      this.retry = setTimeout(() => void this.start(), 5_000);
      this.retry.unref();
    }
  }

  /** Closes every socket as "going away": browsers reconnect, to another instance if there is one. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.retry) clearTimeout(this.retry);
    await this.unsubscribe?.().catch(() => undefined);
    this.unsubscribe = null;
    for (const socket of this.sockets.all()) {
      socket.close(CLOSE.goingAway, 'desk restarting');
      this.sockets.leave(socket);
    }
  }

  /** How many sockets this instance holds, chats opened or not (for /metrics and tests). */
  get connections(): number {
    return this.sockets.size;
  }

  /** Sends a frame to every socket of a session, on whichever instance holds it. */
  async push(sessionId: string, frame: ServerFrame): Promise<void> {
    try {
      await this.deps.cache.publish(PUSH_CHANNEL, JSON.stringify({ s: sessionId, f: frame }));
    } catch (error) {
      // The cache is down: at least the sockets here get it; the others find it in the replay.
      this.deps.log.warn({ err: error }, 'widget push through the cache failed; delivering locally');
      this.deliverHere(sessionId, frame);
    }
  }

  /** A message from outside a buyer's turn (an agent, a notice): stored, then pushed live. */
  async send(sessionId: string, buyerId: string | null, message: OutboundMessage, direction: 'out' | 'agent' = 'out'): Promise<string> {
    const [stored] = await this.deps.conversations.append({ channel: 'widget', chatId: sessionId, buyerId }, [
      { direction, text: message.text, ...(message.buttons?.length ? { buttons: message.buttons } : {}) },
    ]);
    await this.push(
      sessionId,
      messageFrame({ id: stored!.id, direction, text: message.text, buttons: message.buttons ?? [], at: new Date(), deliveryId: null }),
    );
    return stored!.id;
  }

  private deliverHere(sessionId: string, frame: ServerFrame): void {
    for (const socket of this.sockets.ofSession(sessionId)) sendFrame(socket, frame);
  }

  /** Takes over one browser socket, from its hello to its close. */
  accept(socket: WebSocket, request: { ip: string; headers: IncomingHttpHeaders }): void {
    const log = this.deps.log;
    const origin = typeof request.headers.origin === 'string' ? request.headers.origin : null;
    if (this.deps.allowedOrigins && (!origin || !this.deps.allowedOrigins.includes(origin))) {
      log.warn({ origin }, 'widget socket from an origin not allowed');
      socket.close(CLOSE.forbiddenOrigin, 'origin not allowed');
      return;
    }
    const refused = this.sockets.admit(socket, request.ip);
    if (refused) {
      this.refuse(socket, refused, request.ip);
      return;
    }
    let open: Open | null = null;
    let opening = false;
    // One frame at a time per socket: replies come back in the order the buyer wrote.
    let queue: Promise<void> = Promise.resolve();
    let frames = 0;
    let alive = true;
    const floodWindow = setInterval(() => (frames = 0), 10_000);
    const helloTimer = setTimeout(() => {
      if (!open) socket.close(CLOSE.helloTimeout, 'no hello');
    }, HELLO_TIMEOUT_MS);
    // Dead peers (a phone that lost its network) are noticed by a missing pong and let go.
    const heartbeat = setInterval(() => {
      if (!alive) return socket.terminate();
      alive = false;
      socket.ping();
    }, HEARTBEAT_MS);
    socket.on('pong', () => (alive = true));

    socket.on('message', (data, isBinary) => {
      frames += 1;
      if (frames > FRAME_FLOOD) {
        if (frames === FRAME_FLOOD + 1) socket.close(CLOSE.flood, 'too many frames');
        return;
      }
      const frame = parseFrame(isBinary ? null : data.toString());
      queue = queue
        .then(async () => {
          if (!frame) {
            sendFrame(socket, { type: 'notice', code: 'unreadable', text: say('unreadable', open?.locale ?? 'zh') });
            return;
          }
          if (frame.type === 'ping') return sendFrame(socket, { type: 'pong' });
          if (frame.type === 'hello') {
            if (open || opening) return; // A second hello on one socket is ignored.
            opening = true;
            open = await this.hello(socket, frame, request.ip);
            opening = false;
            if (open) clearTimeout(helloTimer);
            return;
          }
          if (!open) {
            sendFrame(socket, { type: 'notice', code: 'unreadable', text: say('notBound', 'zh') });
            return;
          }
          await this.turn(socket, open, frame);
        })
        .catch((error: unknown) => {
          log.error({ err: error }, 'widget frame failed');
          sendFrame(socket, { type: 'notice', code: 'unavailable', text: say('somethingWrong', open?.locale ?? 'zh') });
        });
    });
    socket.on('error', (error) => log.debug({ err: error }, 'widget socket error'));
    socket.on('close', () => {
      clearTimeout(helloTimer);
      clearInterval(heartbeat);
      clearInterval(floodWindow);
      this.sockets.leave(socket);
    });
  }

  /** Closes a socket over a cap, saying which; the buyer of an opened chat is told in their language. */
  private refuse(socket: WebSocket, refusal: Refusal, ip: string, locale?: Locale): void {
    this.deps.log.warn({ cap: refusal.cap, limit: this.sockets.caps[refusal.cap], ip }, 'widget socket over its cap: closed');
    if (locale) sendFrame(socket, { type: 'notice', code: 'too_many_tabs', text: say('tooManyTabs', locale) });
    socket.close(refusal.code, refusal.reason);
  }

  /** Opens the session, then sends what the browser is missing: all recent history, or what came after `since`. */
  private async hello(socket: WebSocket, frame: Extract<ClientFrame, { type: 'hello' }>, ip: string): Promise<Open | null> {
    const opened = await this.deps.sessions.open(frame, ip);
    if (!opened.ok) {
      const locale = frame.lang ?? 'zh';
      this.deps.log.warn({ problem: opened.problem }, 'widget could not open a chat');
      sendFrame(socket, { type: 'closed', problem: opened.problem, text: WIDGET_OPEN_PROBLEMS[opened.problem][locale], locale });
      socket.close(CLOSE.unauthorized, opened.problem);
      return null;
    }
    const chat = { channel: 'widget' as const, chatId: opened.sessionId };
    const locale = await this.deps.localeOf(opened.buyerId);
    // The session's place is taken before anything else is awaited, so two tabs opening at once cannot both take the last one.
    const overCap = socket.readyState === 1 ? this.sockets.join(socket, opened.sessionId) : null;
    if (overCap) {
      this.refuse(socket, overCap, ip, locale);
      return null;
    }
    // `since` only means something within the same session; a new session starts from its beginning.
    const since = opened.isNew ? null : (frame.since ?? null);
    let page = await this.deps.conversations.page(chat, { since, limit: HISTORY_PAGE });
    if (!since && page.messages.length === 0) {
      // A first visit opens with the bot's welcome, kept like any message so a reload shows it.
      await this.deps.conversations.append({ ...chat, buyerId: opened.buyerId, locale }, [
        { direction: 'out', text: say('welcome', locale) },
      ]);
      page = await this.deps.conversations.page(chat, { limit: HISTORY_PAGE });
    }
    sendFrame(socket, {
      type: 'ready',
      session: { id: opened.sessionId, key: opened.key },
      locale,
      history: page.messages.map((m) => messageFrame(m)),
      more: page.more,
    });
    return { sessionId: opened.sessionId, buyerId: opened.buyerId, locale };
  }

  private async turn(socket: WebSocket, open: Open, frame: Extract<ClientFrame, { type: 'message' | 'action' }>): Promise<void> {
    const rate = await chatRate(this.deps.cache, 'widget', open.sessionId);
    if (rate !== 'ok') {
      sendFrame(socket, { type: 'ack', clientId: frame.id, status: 'rate_limited' });
      if (rate === 'over') sendFrame(socket, { type: 'notice', code: 'rate_limited', text: say('rateLimited', open.locale) });
      return;
    }
    await this.push(open.sessionId, { type: 'typing', on: true });
    try {
      const turn = await this.deps.dialogue.handle({
        channel: 'widget',
        chatId: open.sessionId,
        deliveryId: frame.id,
        buyerId: open.buyerId,
        localeHint: open.locale,
        ...(frame.type === 'message' ? { text: frame.text } : { action: frame.action, ...(frame.label ? { text: frame.label } : {}) }),
      });
      if (turn.duplicate) {
        // Sent again after a reconnect: it was answered the first time (the replay has the answer),
        // or its first handling is still under way, perhaps on an instance that died: ask later.
        sendFrame(socket, { type: 'ack', clientId: frame.id, status: turn.inProgress ? 'in_progress' : 'duplicate' });
        return;
      }
      open.locale = turn.locale;
      const now = new Date();
      const text = frame.type === 'message' ? frame.text.slice(0, 2_000) : (frame.label ?? null);
      await this.push(
        open.sessionId,
        messageFrame({ id: turn.inboundId ?? `unsaved_${frame.id}`, direction: 'in', text, buttons: [], at: now, deliveryId: frame.id }),
      );
      for (const [i, reply] of turn.replies.entries()) {
        await this.push(
          open.sessionId,
          messageFrame(
            {
              id: reply.id ?? `unsaved_${frame.id}_${i}`,
              direction: 'out',
              text: reply.text,
              buttons: reply.buttons ?? [],
              at: now,
              deliveryId: null,
            },
            turn.locale,
          ),
        );
      }
    } finally {
      await this.push(open.sessionId, { type: 'typing', on: false });
    }
  }
}

function parseFrame(raw: string | null): ClientFrame | null {
  if (raw === null) return null;
  try {
    const parsed = clientFrameSchema.safeParse(parseJsonText(raw));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

function sendFrame(socket: WebSocket, frame: ServerFrame): void {
  // OPEN is 1; a socket that is closing simply misses it (the replay has every stored message).
  if (socket.readyState === 1) socket.send(JSON.stringify(frame));
}
