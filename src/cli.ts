// The `refund-desk` command line.
import { Command } from 'commander';
import { z } from 'zod';
import { addFreshScenarioOrders, seedDemoShop } from './demo/index.ts';
import { createDesk } from './desk.ts';
import { configOrExit, startDesk } from './main.ts';
import { openDatabase } from './store/index.ts';
import { migrate } from './store/index.ts';
import { registerPolicyCommand } from './cli-policy.ts';

const program = new Command('refund-desk').description('Automated refund desk for virtual goods');

program
  .command('start')
  .description('run the desk (HTTP API, channels, jobs)')
  .action(async () => {
    await startDesk(configOrExit());
  });

program
  .command('migrate')
  .description('apply database migrations (also done at start-up) and exit')
  .action(async () => {
    const config = configOrExit();
    const db = await openDatabase(config.database);
    try {
      const result = await migrate(db.sql);
      console.log(
        result.applied.length > 0
          ? `Applied ${result.applied.length} migration(s): ${result.applied.join(', ')}`
          : `Database is up to date (${result.alreadyApplied.length} migration(s) applied earlier)`,
      );
    } finally {
      await db.close();
    }
  });

program
  .command('jobs')
  .description('show the jobs on BullMQ (REDIS_URL): each scheduler with its next tick, and the dead-letter list')
  .action(async () => {
    const config = configOrExit();
    if (!config.redis) {
      console.log('No REDIS_URL: jobs run in this process on the embedded default, and a failing run is logged, not dead-lettered.');
      return;
    }
    const { RedisCache } = await import('./cache/redis-cache.ts');
    const { BullJobs } = await import('./jobs/bullmq-jobs.ts');
    const { createLogger } = await import('./logger.ts');
    const { createMetrics } = await import('./metrics.ts');
    const cache = new RedisCache(config.redis.url, config.redis.keyPrefix);
    const jobs = new BullJobs({
      redisUrl: config.redis.url,
      prefix: `${config.redis.keyPrefix}bull`,
      cache,
      log: createLogger('silent'),
      metrics: createMetrics({ defaultMetrics: false }),
    });
    try {
      const { schedulers, dead } = await jobs.status();
      console.log(JSON.stringify({ schedulers, dead }, null, 2));
    } finally {
      await jobs.stop();
      await cache.close();
    }
  });

program
  .command('seed-demo')
  .description('seed the demo shop (once) into the configured database')
  .option('--fresh-orders', 'also add a fresh set of scenario orders (M21 bought 12 minutes ago, ...)')
  .action(async (options: { freshOrders?: boolean }) => {
    const config = configOrExit();
    // Demo buyers, orders and chat tokens have no place in a production database (as DEMO_SEED=on).
    if (config.env === 'production') {
      console.error('seed-demo is refused when NODE_ENV=production: the demo shop is for the embedded default and test databases');
      process.exit(2);
    }
    const db = await openDatabase(config.database);
    try {
      await migrate(db.sql);
      const seed = await seedDemoShop(db.prisma);
      console.log(seed.seeded ? `Demo shop seeded (${seed.applied} events)` : `Demo shop was seeded at ${seed.seededAt.toISOString()}`);
      if (options.freshOrders) {
        const fresh = await addFreshScenarioOrders(db.prisma);
        console.log(`Fresh scenario orders added with suffix ${fresh.suffix} (e.g. o_demo_m21${fresh.suffix})`);
      }
    } finally {
      await db.close();
    }
  });

program
  .command('digest')
  .description(
    "send a merchant's refund-reason digest for the last complete day or week now (email, Telegram or Slack, as the merchant's settings say)",
  )
  .requiredOption('--merchant <id>', 'the merchant')
  .option('--period <period>', 'day or week', 'day')
  .action(async (options: { merchant: string; period: string }) => {
    if (options.period !== 'day' && options.period !== 'week') {
      console.error('--period must be day or week');
      process.exit(2);
    }
    const config = configOrExit();
    const desk = await createDesk(config);
    try {
      const result = await desk.digests.send(options.merchant, options.period, { force: true });
      console.log(JSON.stringify(result, null, 2));
      if (result.skipped === 'no_destination') {
        console.error(
          'The merchant has no digest email, Telegram chat or Slack channel the desk can reach (SMTP_URL, TELEGRAM_BOT_TOKEN, SLACK_BOT_TOKEN).',
        );
        process.exitCode = 1;
      }
    } finally {
      await desk.close();
    }
  });

program
  .command('nlu')
  .description('classify a buyer message: prints {intent, reasonCode, language, score, entities} as JSON')
  .argument('<text>', 'the message, in Chinese or English')
  .action(async (text: string) => {
    const config = configOrExit();
    const { NluClassifier } = await import('./nlu/classifier.ts');
    const classifier = await NluClassifier.create({ dataDir: config.dataDir });
    console.log(JSON.stringify(await classifier.classify(text), null, 2));
  });

program
  .command('chat')
  .description('talk to the dialogue engine in the terminal as a buyer (the embedded demo data by default)')
  .requiredOption('--buyer <id>', 'the buyer to chat as, e.g. b_demo_buyer or b_demo_alice')
  .action(async (options: { buyer: string }) => {
    const { runTerminalChat } = await import('./conversation/terminal-chat.ts');
    const { createDesk } = await import('./desk.ts');
    const { seedDemoShop } = await import('./demo/seed-demo.ts');
    const config = configOrExit({ ...process.env, LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn' });
    const desk = await createDesk(config);
    try {
      if (config.seedDemo) await seedDemoShop(desk.db.prisma);
      await runTerminalChat({ dialogue: desk.dialogue, prisma: desk.db.prisma }, options.buyer);
    } finally {
      await desk.close();
    }
  });

program
  .command('replay')
  .description(
    'run every policy decision of a period through decide() again, with its stored facts and policy version, and say how many agree (exit 1 unless all do)',
  )
  .requiredOption('--from <instant>', 'start of the period (ISO date or date-time), inclusive')
  .option('--to <instant>', 'end of the period, exclusive (default: now)')
  .option('--json', 'print the report as JSON')
  .action(async (options: { from: string; to?: string; json?: boolean }) => {
    const instant = z
      .union([z.iso.datetime({ offset: true }), z.iso.date()])
      .transform((v) => new Date(v.length === 10 ? `${v}T00:00:00Z` : v));
    const from = instant.safeParse(options.from);
    const to = options.to === undefined ? { success: true as const, data: new Date() } : instant.safeParse(options.to);
    if (!from.success || !to.success || from.data >= to.data) {
      console.error(
        '--from and --to must be ISO dates or date-times with a zone (2026-12-01, 2026-12-01T08:00:00+08:00), --from before --to',
      );
      process.exit(2);
    }
    const config = configOrExit({ ...process.env, LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn' });
    const db = await openDatabase(config.database);
    try {
      // As at start-up: the replay reads today's schema (decisions record the rule that decided).
      await migrate(db.sql);
      const { describeReplay, replayDecisions } = await import('./refunds/decision-replay.ts');
      const report = await replayDecisions(db.prisma, { from: from.data, to: to.data });
      console.log(options.json ? JSON.stringify(report, null, 2) : describeReplay(report));
      if (report.disagree.length > 0 || report.notReplayable.length > 0) process.exitCode = 1;
    } finally {
      await db.close();
    }
  });

registerPolicyCommand(program);

program.parseAsync(process.argv).catch((error: unknown) => {
  process.stderr.write(`refund-desk: ${(error as Error).message}\n`);
  process.exit(1);
});
