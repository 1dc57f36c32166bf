import type { FastifyInstance } from 'fastify';
import type { ApiDeps } from '../api-deps.ts';

const PROBE_TIMEOUT_MS = 2_000;

async function probe(check: () => Promise<void>): Promise<'ok' | string> {
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      check(),
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer within ${PROBE_TIMEOUT_MS} ms`)), PROBE_TIMEOUT_MS);
      }),
    ]);
    return 'ok';
  } catch (error) {
    return (error as Error).message || 'unreachable';
  } finally {
    clearTimeout(timer);
  }
}

export function registerHealthRoutes(app: FastifyInstance, deps: ApiDeps): void {
  // Liveness: the process answers. Never touches dependencies, so a database outage does not get
  // healthy instances killed.
  app.get('/healthz', async () => ({ status: 'ok' }));

  // Readiness: the database and the cache answer; a load balancer stops routing here otherwise (503).
  // The optional channels (Slack, Telegram) do not decide it: one that could not start is retried in
  // the background while the instance serves the API and the widget, so it stays in rotation (200)
  // with `status: "degraded"` and the channel's state, for monitoring, in `channels`.
  app.get('/readyz', async (_request, reply) => {
    const [database, cache] = await Promise.all([probe(() => deps.db.ping()), probe(() => deps.cache.ping())]);
    const coreReady = database === 'ok' && cache === 'ok';
    const channels = deps.channels?.report() ?? {};
    const degraded = Object.entries(channels)
      .filter(([, c]) => c.status !== 'ready')
      .map(([name]) => name);
    return reply.status(coreReady ? 200 : 503).send({
      status: !coreReady ? 'not_ready' : degraded.length > 0 ? 'degraded' : 'ready',
      checks: { database: { kind: deps.db.kind, status: database }, cache: { kind: deps.cache.kind, status: cache } },
      channels,
      ...(degraded.length > 0 ? { degraded } : {}),
    });
  });

  app.get('/metrics', async (_request, reply) => {
    reply.header('content-type', deps.metrics.registry.contentType);
    return deps.metrics.registry.metrics();
  });
}
