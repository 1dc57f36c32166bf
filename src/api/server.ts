// The desk's HTTP server (fastify): platform API, health, metrics, the widget and the demo shop page. Routes are thin: validate, call one
// use-case, map the result. The raw body is kept for signature checks.
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

export async function buildServer(deps: ApiDeps): Promise<FastifyInstance> {
  const app = Fastify({
    // pino's Logger and fastify's logger type differ only in generics; they are the same object.
    loggerInstance: deps.log.child({ component: 'http' }) as FastifyBaseLogger,
    bodyLimit: deps.config.bodyLimitBytes,
    return503OnClosing: true,
    forceCloseConnections: 'idle',
    trustProxy: true,
  });

  // The platform API speaks JSON only: anything else is a 415 before any handler runs.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('application/json', { parseAs: 'buffer' }, (request, body, done) => {
    const raw = body as Buffer;
    request.rawBody = raw;
    if (raw.length === 0) return done(null, undefined);
    try {
      done(null, JSON.parse(raw.toString('utf8')));
    } catch {
      done(null, INVALID_JSON);
    }
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
    registerRefundRequestRoutes(platformApi, deps);
    registerReadModelRoutes(platformApi, deps);
    registerChatTokenRoutes(platformApi, deps);
  });
  return app;
}
