// The desk's HTTP server (fastify): platform API, health, metrics, the widget and the demo shop page. Routes are thin: validate, call one
// use-case, map the result. Bodies are kept as bytes and parsed only once the caller is authenticated:
// a forged request costs the desk a signature check, never a parse.
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import type { Cache } from '../cache/index.ts';
import type { Config } from '../config.ts';
import { DeskError } from '../errors.ts';
import type { Logger } from '../logger.ts';
import type { Metrics } from '../metrics.ts';
import type { TelegramChannel } from '../channels/telegram/telegram-channel.ts';
import type { WidgetChannel } from '../channels/widget/widget-channel.ts';
import type { SlackDesk } from '../channels/slack/slack-desk.ts';
import type { ChannelStarter } from '../channels/channel-starter.ts';
import type { ChatTokens } from '../conversation/chat-tokens.ts';
import type { RefundWorkflow } from '../refunds/refund-workflow.ts';
import type { Database } from '../store/database.ts';
import { verifyBearer } from './auth.ts';
import { installErrorHandler } from './error-handler.ts';
import { registerEventRoutes } from './routes/events.ts';
import { registerHealthRoutes } from './routes/health.ts';
import { registerReadModelRoutes } from './routes/read-models.ts';
import { registerChatTokenRoutes } from './routes/chat-tokens.ts';
import { registerTelegramWebhook } from './routes/telegram-webhook.ts';
import { registerDemoPages } from './routes/demo-page.ts';
import { registerWidgetRoutes } from './routes/widget.ts';
import { registerSlackEvents } from './routes/slack-events.ts';
import { registerRefundRequestRoutes } from './routes/refund-requests.ts';
import { registerPolicyRoutes } from './routes/policies.ts';
import { registerPaymentNotificationRoutes, type PaymentNotificationDeps } from './routes/payment-notifications.ts';

declare module 'fastify' {
  interface FastifyRequest {
    rawBody?: Buffer;
  }
}

/** What the routes may use. Built by the composition root (src/desk.ts). */
export interface ApiDeps {
  config: Config;
  db: Database;
  cache: Cache;
  metrics: Metrics;
  log: Logger;
  refunds: RefundWorkflow;
  chatTokens: ChatTokens;
  telegram: TelegramChannel | null;
  widget: WidgetChannel;
  slack: SlackDesk | null;
  /** Refund results pushed by WeChat Pay and Stripe; null when neither rail is configured. */
  payments: PaymentNotificationDeps | null;
  /** Whether Slack and Telegram started (or are degraded and retried); /readyz reports them. */
  channels?: ChannelStarter;
}

/** Marks a body that was not valid JSON; routes answer 400 after their authentication check. */
export const INVALID_JSON = Symbol('invalid-json');

export function requireJsonBody(body: unknown): unknown {
  if (body === INVALID_JSON) throw new DeskError('invalid', 'invalid_json', 'body must be valid JSON', { field: 'body' });
  return body;
}

/** The JSON in a request's bytes, for routes that authenticate the bytes first (signed or secret-token routes). */
export function parseJsonBody(raw: Buffer | undefined): unknown {
  if (!raw || raw.length === 0) return undefined;
  try {
    return JSON.parse(raw.toString('utf8'));
  } catch {
    throw new DeskError('invalid', 'invalid_json', 'body must be valid JSON', { field: 'body' });
  }
}

/** A hop count as proxy-addr reads one: the first `hops` proxies in front of the desk are believed. */
const trustHops = (hops: number) => (_address: string, hop: number) => hop < hops;

export async function buildServer(deps: ApiDeps): Promise<FastifyInstance> {
  const limits = deps.config.http;
  const app = Fastify({
    // pino's Logger and fastify's logger type differ only in generics; they are the same object.
    loggerInstance: deps.log.child({ component: 'http' }) as FastifyBaseLogger,
    bodyLimit: deps.config.bodyLimitBytes,
    return503OnClosing: true,
    forceCloseConnections: 'idle',
    // The client's address comes from X-Forwarded-For only when it is set by a proxy we trust (TRUST_PROXY).
    trustProxy: typeof deps.config.http.trustProxy === 'number' ? trustHops(deps.config.http.trustProxy) : deps.config.http.trustProxy,
    // A client that takes longer than this to send its request (one byte every few seconds) gets 408
    // and is hung up on. Only receiving the request counts: a handler may take its time, and a
    // WebSocket is no longer a request once upgraded, so widget sockets live on.
    requestTimeout: limits.requestTimeoutMs,
    keepAliveTimeout: limits.keepAliveTimeoutMs,
    http: {
      headersTimeout: limits.headersTimeoutMs,
      // Node checks the two timeouts above on this period (30 s by default, far too coarse for short ones).
      connectionsCheckingInterval: Math.min(30_000, Math.max(250, Math.floor(limits.headersTimeoutMs / 4))),
    },
  });
  // Past the cap a connection is dropped at once; say so (at most once a minute), since it means the
  // desk is refusing buyers and agents.
  app.server.maxConnections = limits.maxConnections;
  let dropped = 0;
  let lastDropLog = 0;
  app.server.on('drop', () => {
    dropped += 1;
    if (Date.now() - lastDropLog < 60_000) return;
    lastDropLog = Date.now();
    deps.log.warn({ dropped, maxConnections: limits.maxConnections }, 'connections refused: HTTP_MAX_CONNECTIONS reached');
    dropped = 0;
  });

  // The platform API speaks JSON only: anything else is a 415 before any handler runs. Here the body
  // is only read (within BODY_LIMIT_BYTES), never parsed: routes that check a signature parse it after
  // (parseJsonBody), and the API-key scope below parses once its onRequest check let the caller in.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('application/json', { parseAs: 'buffer' }, (request, body, done) => {
    request.rawBody = body as Buffer;
    done(null, undefined);
  });

  // Graceful shutdown: a response finished after close() began tells the client to hang up, so its
  // keep-alive connection does not hold the server open until the keep-alive timeout.
  let closing = false;
  app.addHook('preClose', async () => {
    closing = true;
  });
  app.addHook('onSend', async (_request, reply) => {
    if (closing) reply.header('connection', 'close');
  });

  app.addHook('onResponse', async (request, reply) => {
    deps.metrics.httpDuration.observe(
      { method: request.method, route: request.routeOptions.url ?? 'unmatched', status: String(reply.statusCode) },
      reply.elapsedTime / 1000,
    );
  });

  installErrorHandler(app);
  registerHealthRoutes(app, deps);
  registerEventRoutes(app, deps);
  registerTelegramWebhook(app, deps);
  await registerWidgetRoutes(app, deps);
  registerDemoPages(app, deps);
  await registerSlackEvents(app, deps);
  // Providers sign their notifications themselves (checked in the route), so no API key here.
  registerPaymentNotificationRoutes(app, deps.payments);
  // Every other platform call carries the API key (events carry their own HMAC signature instead).
  await app.register(async (platformApi) => {
    platformApi.addHook('onRequest', async (request) => verifyBearer(request.headers.authorization, deps.config.platform.apiKey));
    // onRequest runs before the body is read, so only a caller with the key gets its body parsed.
    platformApi.removeContentTypeParser('application/json');
    platformApi.addContentTypeParser('application/json', { parseAs: 'buffer' }, (request, body, done) => {
      request.rawBody = body as Buffer;
      try {
        done(null, parseJsonBody(request.rawBody));
      } catch {
        done(null, INVALID_JSON);
      }
    });
    registerRefundRequestRoutes(platformApi, deps);
    registerReadModelRoutes(platformApi, deps);
    registerChatTokenRoutes(platformApi, deps);
    registerPolicyRoutes(platformApi, deps);
  });
  return app;
}
