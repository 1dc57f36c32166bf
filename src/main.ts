// `refund-desk start`: load the configuration, build the desk, seed the demo on the embedded default,
// listen, and shut down gracefully on SIGTERM/SIGINT.
import { DEMO_SECRETS, loadConfig, type Config } from './config.ts';
import { DEMO } from './demo/index.ts';
import { seedDemoShop } from './demo/index.ts';
import { createDesk, type Desk } from './desk.ts';

/** Loads the configuration or exits with the one line that says which variable is wrong. */
export function configOrExit(env: NodeJS.ProcessEnv = process.env): Config {
  try {
    return loadConfig(env);
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n`);
    process.exit(2);
  }
}

function banner(desk: Desk, url: string, seededAt: Date | null): string {
  const { config } = desk;
  const lines = [
    '',
    `Refund desk listening on ${url}`,
    `  database: ${config.database.kind === 'pglite' ? `PGlite (embedded) in ${config.database.dataDir}` : 'PostgreSQL'}`,
    `  cache:    ${config.redis ? 'Redis' : 'in-process'}`,
    `  health:   ${url}/healthz   ready: ${url}/readyz   metrics: ${url}/metrics`,
  ];
  if (config.platform.usingDemoSecrets) {
    lines.push(
      '',
      'Demo credentials (embedded default only; production refuses them: set PLATFORM_WEBHOOK_SECRET, PLATFORM_API_KEY and CHAT_TOKEN_SECRET):',
      `  events:   POST ${url}/v1/events with X-Signature: sha256=HMAC-SHA256(body, "${DEMO_SECRETS.platformWebhookSecret}")`,
      `  API key:  Authorization: Bearer ${DEMO_SECRETS.platformApiKey}`,
    );
  }
  if (seededAt) {
    const minutes = Math.round((Date.now() - seededAt.getTime()) / 60_000);
    lines.push(
      '',
      `Demo shop (seeded ${minutes} min ago): merchant ${DEMO.merchantId}; course 《PPT大师进阶课》 ${DEMO.products.course}`,
      `  open:     ${url}/  (the course page with its refund policy and the chat widget; ?as=alice for English)`,
      `  buyers:   ${DEMO.buyers.buyer} (李小明, zh) and ${DEMO.buyers.buyerEn} (Alice, en); uplines ${DEMO.buyers.member} → ${DEMO.buyers.leader}`,
      `  orders:   M21 ${DEMO.orders.m21}, M22 ${DEMO.orders.m22}, M23 ${DEMO.orders.m23}, English M21 ${DEMO.orders.m21En}`,
    );
    if (minutes > 3) {
      lines.push(
        '  (order ages have moved on since seeding: the page\'s "fresh demo orders" button, or `npm run desk -- seed-demo --fresh-orders`, adds a fresh set)',
      );
    }
  }
  return `${lines.join('\n')}\n`;
}

export async function startDesk(config: Config): Promise<Desk> {
  const desk = await createDesk(config);
  let seededAt: Date | null = null;
  if (config.seedDemo) {
    const seed = await seedDemoShop(desk.db.prisma);
    seededAt = seed.seededAt;
    if (seed.seeded) desk.log.info({ events: seed.applied }, 'demo shop seeded');
  }
  const url = await desk.listen();
  const base = url.replace('://0.0.0.0', '://127.0.0.1').replace('://[::]', '://127.0.0.1');
  process.stdout.write(banner(desk, base, seededAt));

  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    desk.log.info({ signal }, 'shutting down: finishing in-flight requests');
    const force = setTimeout(() => {
      desk.log.error('shutdown took longer than 10 s; exiting');
      process.exit(1);
    }, 10_000);
    force.unref();
    desk.close().then(
      () => process.exit(0),
      (error) => {
        desk.log.error({ err: error }, 'error during shutdown');
        process.exit(1);
      },
    );
  };
  process.once('SIGTERM', () => stop('SIGTERM'));
  process.once('SIGINT', () => stop('SIGINT'));
  return desk;
}
