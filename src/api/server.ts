// The desk's HTTP server (fastify): platform API, health, metrics, the widget and the demo shop page. Routes are thin: validate, call one
// use-case, map the result. Bodies are kept as bytes and parsed only once the caller is authenticated:
// a forged request costs the desk a signature check, never a parse.
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance } from 'fastify';
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
import { registerPaymentNotificationRoutes } from './routes/payment-notifications.ts';
import type { ApiDeps } from './api-deps.ts';
import { INVALID_JSON, parseJsonBody } from './json-body.ts';

declare module 'fastify' {
  interface FastifyRequest {
    rawBody?: Buffer;
  }
}

export type { ApiDeps } from './api-deps.ts';
export { INVALID_JSON, parseJsonBody, requireJsonBody } from './json-body.ts';

/** A hop count as proxy-addr reads one: the first `hops` proxies in front of the desk are believed. */
const trustHops = (hops: number) => (_address: string, hop: number) => hop < hops;

export async function buildServer(deps: ApiDeps): Promise<FastifyInstance> {
  const limits = deps.config.http;
  const app = Fastify({
    // pino's Logger and fastify's logger type differ only in generics; they are the same object.
    loggerInstance: deps.log.child({ component: 'http' }) as FastifyBaseLogger,
    // Fastify's own two lines per request (incoming, completed) would be most of what the desk
    // writes, and a synchronous write each on the hot path: onResponse below logs one line instead,
    // at info only when the answer is an error (successes are counted by the metrics, and at debug).
    logController: new LogController({ disableRequestLogging: true }),
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
    const route = request.routeOptions.url ?? 'unmatched';
    deps.metrics.httpDuration.observe({ method: request.method, route, status: String(reply.statusCode) }, reply.elapsedTime / 1000);
    const level = reply.statusCode >= 400 ? 'info' : 'debug';
    // A level that is off is a no-op in pino: the line is dropped at once.
    request.log[level]({ method: request.method, route, status: reply.statusCode, ms: Math.round(reply.elapsedTime) }, 'request answered');
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
