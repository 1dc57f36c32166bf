// Composition root: builds every resource from the configuration, area by area — the store (database,
// cache), the refund side, the channels, the scheduled jobs, then the server — in an order in which
// everything a part needs exists when it is built (no late binding). Each area pushes the close of
// what it opens onto one stack (close-stack.ts, fastify `onClose` style): shutdown, a failed build and
// a failed listen all close everything in reverse. Nothing else constructs clients, pools or services.
import type { FastifyInstance } from 'fastify';
import { buildServer } from './api/index.ts';
import { createCache, type Cache } from './cache/index.ts';
import type { Config } from './config.ts';
import { localeOrDefault, type PaymentMethod } from './domain/index.ts';
import { PAYMENT_METHODS } from './domain/index.ts';
import { JobRunner } from './jobs/index.ts';
import { BullJobs } from './jobs/index.ts';
import type { DeadJob, Jobs } from './jobs/index.ts';
import { CloseStack } from './close-stack.ts';
import { createLogger, type Logger } from './logger.ts';
import { createMetrics, type Metrics } from './metrics.ts';
import { TelegramChannel } from './channels/telegram/index.ts';
import { WidgetChannel } from './channels/widget/index.ts';
import { WidgetSessions } from './channels/widget/index.ts';
import type { SocketCaps } from './channels/widget/index.ts';
import { SlackDesk } from './channels/slack/index.ts';
import { HandoffLifecycle, SecondApprovals } from './handoffs/index.ts';
import { ChannelStarter, type Backoff } from './channels/index.ts';
import { ChatDelivery, SatisfactionSurvey } from './conversation/index.ts';
import { AgentDecisions } from './refunds/index.ts';
import { DigestService } from './digests/index.ts';
import { ChatTokens } from './conversation/index.ts';
import { ConversationLog } from './conversation/index.ts';
import { DialogueEngine } from './conversation/index.ts';
import { loadGuides, type GuideBook } from './conversation/index.ts';
import { LazyNlu } from './nlu/index.ts';
import { OutboxDispatcher, PermanentDeliveryError } from './outbox/index.ts';
import { GatewayRouter } from './payments/index.ts';
import type { PaymentGateway } from './payments/index.ts';
import { SandboxGateway } from './payments/index.ts';
import { AlipayGateway } from './payments/index.ts';
import { PAYMENT_ALERT_TOPIC, type PaymentAlert } from './payments/index.ts';
import { PaymentNotices } from './refunds/index.ts';
import { StripeGateway } from './payments/index.ts';
import { WechatPayGateway } from './payments/index.ts';
import { PlatformClient } from './platform/index.ts';
import { RefundWorkflow } from './refunds/index.ts';
import { RefundMonitor } from './risk/index.ts';
import { RiskService } from './risk/index.ts';
import { openDatabase, type Database } from './store/index.ts';
import { migrate } from './store/index.ts';
import { UsageService } from './usage/index.ts';

export interface Desk {
  config: Config;
  log: Logger;
  db: Database;
  cache: Cache;
  metrics: Metrics;
  server: FastifyInstance;
  refunds: RefundWorkflow;
  outbox: OutboxDispatcher;
  /** In process on the embedded default; BullMQ (each tick once across instances) with Redis. */
  jobs: Jobs;
  monitor: RefundMonitor;
  nlu: LazyNlu;
  dialogue: DialogueEngine;
  chatTokens: ChatTokens;
  telegram: TelegramChannel | null;
  widget: WidgetChannel;
  conversations: ConversationLog;
  slack: SlackDesk | null;
  /** Slack's and Telegram's start-up: each ready, or degraded and retried in the background. */
  channels: ChannelStarter;
  agentDecisions: AgentDecisions;
  delivery: ChatDelivery;
  digests: DigestService;
  /** Satisfaction ratings after every case (issue 22). */
  satisfaction: SatisfactionSurvey;
  /** The sandbox gateway when SANDBOX_PAYMENTS is on (tests inject faults through it). */
  sandbox: SandboxGateway | null;
  /** The gateway each payment method refunds through (sandbox, or a configured real rail). */
  gateways: GatewayRouter;
  paymentNotices: PaymentNotices;
  /** Starts the jobs and listens; resolves to the base URL. */
  listen(): Promise<string>;
  /** Stops accepting requests, lets in-flight ones and jobs finish, then closes pools. Idempotent. */
  close(): Promise<void>;
}

export interface DeskOptions {
  log?: Logger;
  /** Tests create many desks in one process; default process metrics may be registered once only. */
  defaultMetrics?: boolean;
  /** Extra or replacement gateways by payment method (tests, real adapters). */
  gateways?: Partial<Record<PaymentMethod, PaymentGateway>>;
  /** Caps on the widget's sockets, where not the defaults (DEFAULT_SOCKET_CAPS). */
  widgetSocketCaps?: Partial<SocketCaps>;
  /** How soon a channel that could not start is tried again (default CHANNEL_START_BACKOFF). */
  channelStartBackoff?: Backoff;
}

/** What the store area opens: the database, the cache, the metrics registry. */
interface StoreArea {
  db: Database;
  cache: Cache;
  metrics: Metrics;
}

async function buildStore(config: Config, options: DeskOptions, log: Logger, stack: CloseStack): Promise<StoreArea> {
  const db = stack.push(await openDatabase(config.database), 'database', (d) => d.close());
  const migrations = await migrate(db.sql);
  if (migrations.applied.length > 0) log.info({ applied: migrations.applied }, 'database migrated');
  const cache = stack.push(createCache(config.redis), 'cache', (c) => c.close());
  const metrics = createMetrics({ defaultMetrics: options.defaultMetrics ?? true });
  return { db, cache, metrics };
}

/** The refund side: rails, the workflow and agents' decisions, the outbox, the stored conversations and delivery to buyers. */
interface RefundsArea {
  platform: PlatformClient;
  sandbox: SandboxGateway | null;
  stripe: StripeGateway | null;
  gateways: GatewayRouter;
  nlu: LazyNlu;
  refunds: RefundWorkflow;
  agentDecisions: AgentDecisions;
  outbox: OutboxDispatcher;
  conversations: ConversationLog;
  delivery: ChatDelivery;
  guides: GuideBook;
}

async function buildRefunds(config: Config, options: DeskOptions, log: Logger, { db, cache, metrics }: StoreArea): Promise<RefundsArea> {
  const platform = new PlatformClient(config.platform.webhookSecret, {
    callbackUrl: config.platform.callbackUrl,
    usageUrl: config.platform.usageUrl,
  });

  const sandbox = config.payments.sandbox ? new SandboxGateway() : null;
  const byMethod: Partial<Record<PaymentMethod, PaymentGateway>> = {};
  if (sandbox) for (const method of PAYMENT_METHODS) byMethod[method] = sandbox;
  // M20: a configured rail refunds its own method; 'sandbox' orders stay with the sandbox.
  const stripe = config.payments.stripe ? new StripeGateway(config.payments.stripe) : null;
  if (config.payments.wechat) byMethod.wechat = new WechatPayGateway(config.payments.wechat);
  if (config.payments.alipay) byMethod.alipay = new AlipayGateway(config.payments.alipay);
  if (stripe) byMethod.card = stripe;
  Object.assign(byMethod, options.gateways);
  const gateways = new GatewayRouter(byMethod);

  // Trained once per corpus version and cached in DATA_DIR/nlu; built on first use.
  const nlu = new LazyNlu({ dataDir: config.dataDir, log: log.child({ component: 'nlu' }) });
  const refunds = new RefundWorkflow({
    prisma: db.prisma,
    sql: db.sql,
    cache,
    log: log.child({ component: 'refunds' }),
    usage: new UsageService(db.prisma, platform, log.child({ component: 'usage' }), config.usageCheckTimeoutMs),
    risk: new RiskService(db.sql, config.risk, log.child({ component: 'risk' }), metrics),
    gateways,
    // A refund request with free text and no reason code is read by the same classifier as chats.
    classifyReason: async (text) => (await (await nlu.get()).classify(text)).reasonCode,
    retry: { timeoutMs: config.payments.gatewayTimeoutMs, attempts: 3, baseBackoffMs: 100 },
  });
  const agentDecisions = new AgentDecisions({ prisma: db.prisma, workflow: refunds, log: log.child({ component: 'agent-decisions' }) });

  const outbox = new OutboxDispatcher(db.prisma, log.child({ component: 'outbox' }));
  outbox.on('platform.callback', async (payload) => {
    if (!platform.urls.callbackUrl) return; // No platform to tell (embedded demo): nothing to deliver.
    await platform.callback(payload);
  });
  // Telegram cannot ask for what it missed: its replies are owed through the outbox (the widget replays).
  const conversations = new ConversationLog(db.prisma, db.sql, { outbox: { dispatcher: outbox, channels: ['telegram'] } });
  // Messages to buyers from outside their turn (agents) go to the chat they last used; each channel joins as it is built.
  const delivery = new ChatDelivery(db.prisma, conversations, log.child({ component: 'delivery' }), outbox);
  const guides = await loadGuides();
  return { platform, sandbox, stripe, gateways, nlu, refunds, agentDecisions, outbox, conversations, delivery, guides };
}

/**
 * The channels: the Slack agent desk first (it needs only the refund side), so the dialogue is built
 * with it; then the buyers' channels, each joining the delivery as it is built.
 */
interface ChannelsArea {
  slack: SlackDesk | null;
  dialogue: DialogueEngine;
  chatTokens: ChatTokens;
  telegram: TelegramChannel | null;
  widget: WidgetChannel;
  channels: ChannelStarter;
}

function buildChannels(config: Config, options: DeskOptions, log: Logger, { db, cache, metrics }: StoreArea, r: RefundsArea): ChannelsArea {
  // The Slack agent desk switches on with its token (M16, M26).
  const slack = config.slack
    ? new SlackDesk({
        config: config.slack,
        handoffs: new HandoffLifecycle({ prisma: db.prisma, sql: db.sql }),
        cache,
        log: log.child({ component: 'slack' }),
        decisions: r.agentDecisions,
        delivery: r.delivery,
        guides: r.guides,
        // Hook (issue 22): four-eyes approval above SLACK_SECOND_APPROVAL_ABOVE_MINOR.
        secondApprovals: new SecondApprovals({
          prisma: db.prisma,
          decisions: r.agentDecisions,
          limits: config.slack.secondApprovalAboveMinor,
          log: log.child({ component: 'second-approval' }),
        }),
      })
    : null;
  const dialogue = new DialogueEngine({
    prisma: db.prisma,
    cache,
    nlu: r.nlu,
    refunds: r.refunds,
    guides: r.guides,
    conversations: r.conversations,
    log: log.child({ component: 'dialogue' }),
    onRefundAvoided: () => metrics.refundsAvoided.inc(),
    agentDesk: slack,
  });

  const chatTokens = new ChatTokens(config.chatTokenSecret, db.prisma);
  const localeOf = async (buyerId: string) =>
    localeOrDefault((await db.prisma.buyer.findUnique({ where: { id: buyerId }, select: { locale: true } }))?.locale);
  // Telegram switches on with its token (M24).
  const telegram = config.telegram
    ? new TelegramChannel({
        token: config.telegram.token,
        apiRoot: config.telegram.apiRoot,
        dialogue,
        chatTokens,
        cache,
        conversations: r.conversations,
        log: log.child({ component: 'telegram' }),
        localeOf,
      })
    : null;
  // Notices to bound Telegram chats (team leaders' commission notices); retried like any outbox message.
  r.outbox.on('telegram.send', async (payload) => {
    if (!telegram) throw new PermanentDeliveryError('TELEGRAM_BOT_TOKEN is not set: the notice stays in the in-shop inbox only');
    await telegram.deliver(String(payload.chatId), { text: String(payload.text) });
  });
  // The shop widget is always on: a shop page opts in by including /widget.js (M25).
  const widget = new WidgetChannel({
    dialogue,
    conversations: r.conversations,
    sessions: new WidgetSessions(config.chatTokenSecret, chatTokens),
    cache,
    log: log.child({ component: 'widget' }),
    localeOf,
    allowedOrigins: config.widgetAllowedOrigins,
    ...(options.widgetSocketCaps ? { socketCaps: options.widgetSocketCaps } : {}),
  });
  r.delivery.register('widget', widget);
  if (telegram) r.delivery.register('telegram', telegram);
  // Slack and Telegram start in listen(); one that cannot degrades and is retried, never fatal.
  const channels = new ChannelStarter(log.child({ component: 'channels' }), options.channelStartBackoff);
  return { slack, dialogue, chatTokens, telegram, widget, channels };
}

/**
 * The scheduled work: payment notices and alerts, the refund monitor, the digests, and the job runner
 * that ticks them all. Built after the channels because its alerts and dead letters go to Slack.
 */
interface JobsArea {
  jobs: Jobs;
  paymentNotices: PaymentNotices;
  monitor: RefundMonitor;
  digests: DigestService;
  satisfaction: SatisfactionSurvey;
}

function buildJobs(
  config: Config,
  log: Logger,
  { db, cache, metrics }: StoreArea,
  r: RefundsArea,
  c: ChannelsArea,
  stack: CloseStack,
): JobsArea {
  const { slack, telegram } = c;
  const { refunds, outbox } = r;
  // Merchants' refund-reason digests (M9, M27): by email and/or their Telegram chat or Slack channel.
  const digests = stack.push(
    new DigestService({
      prisma: db.prisma,
      smtp: config.smtp,
      log: log.child({ component: 'digests' }),
      telegram: telegram ? async (chatId, text) => void (await telegram.bot.telegram.sendMessage(chatId, text.slice(0, 4_096))) : null,
      slack: slack ? (channel, text) => slack.postText(channel, text) : null,
    }),
    'digests',
    (d) => d.close(),
  );
  // Alerts (a refund the provider made that the desk has no record of) go to Slack's risk channel.
  const paymentNotices = new PaymentNotices({
    prisma: db.prisma,
    workflow: refunds,
    log: log.child({ component: 'payment-notices' }),
    metrics,
    ...(slack ? { onAlert: (alert: PaymentAlert) => slack.postPaymentAlert(alert) } : {}),
  });
  outbox.on(PAYMENT_ALERT_TOPIC, (payload, message) =>
    paymentNotices.deliverAlert(payload as unknown as PaymentAlert, message.attempts === 0),
  );
  const monitor = new RefundMonitor(db.sql, config.risk, metrics, log.child({ component: 'risk-monitor' }));

  // Dead jobs go to Slack's risk channel; the log and metrics say it either way. Closed before the
  // digests (a running digest job finishes first) and after the server (below).
  const onDead = slack ? (dead: DeadJob) => slack.postDeadJob(dead) : undefined;
  const jobs: Jobs = stack.push(
    config.redis
      ? new BullJobs({
          redisUrl: config.redis.url,
          prefix: `${config.redis.keyPrefix}bull`,
          cache,
          log: log.child({ component: 'jobs' }),
          metrics,
          ...(onDead ? { onDead } : {}),
        })
      : new JobRunner(log.child({ component: 'jobs' })),
    'jobs',
    (j) => j.stop(),
  );
  jobs.register({ name: 'outbox.deliver', everyMs: 1_000, run: () => outbox.deliverBacklog() });
  // Refunds left pending (a hang, a crash, "processing" at the provider) are asked about until final.
  jobs.register({ name: 'refunds.complete-pending', everyMs: 15_000, run: () => refunds.completePending() });
  // A refund pending past its rail's usual settlement time goes to a person, once (the alert is queued with it).
  jobs.register({ name: 'refunds.flag-overdue', everyMs: 60_000, run: () => refunds.flagOverdue() });
  const stripe = r.stripe;
  if (stripe) {
    // Stripe can list refunds: ones made in its dashboard (or by anyone else with the keys) are found.
    jobs.register({
      name: 'payments.reconcile',
      everyMs: 10 * 60_000,
      run: () => paymentNotices.reconcile('stripe', stripe, new Date(Date.now() - 26 * 3_600_000), AbortSignal.timeout(60_000)),
    });
  }
  jobs.register({
    name: 'risk.monitor-refunds',
    everyMs: 60_000,
    run: async () => {
      for (const alert of await monitor.scan()) {
        if (slack) await slack.postRiskAlert(alert).catch((error: unknown) => log.error({ err: error }, 'could not post a risk alert'));
      }
    },
  });
  if (slack) {
    jobs.register({ name: 'slack.post-tickets', everyMs: 2_000, run: () => slack.postNewTickets() });
    jobs.register({ name: 'slack.sla', everyMs: 30_000, run: () => slack.checkSla() });
    // Hook (issue 22): a waiting four-eyes approval is reminded about once, like an unclaimed ticket.
    const fourEyes = slack.fourEyes;
    if (fourEyes) jobs.register({ name: 'slack.second-approval-sla', everyMs: 30_000, run: () => fourEyes.checkSla() });
  }
  jobs.register({ name: 'digests.run-due', everyMs: 5 * 60_000, run: () => digests.runDue() });
  // Hook (issue 22): after a case ends its buyer is asked once, in their chat, for a 1-5 rating.
  const satisfaction = new SatisfactionSurvey({
    prisma: db.prisma,
    sql: db.sql,
    delivery: r.delivery,
    log: log.child({ component: 'satisfaction' }),
  });
  jobs.register({ name: 'satisfaction.ask', everyMs: 30_000, run: () => satisfaction.askDue() });
  return { jobs, paymentNotices, monitor, digests, satisfaction };
}

export async function createDesk(config: Config, options: DeskOptions = {}): Promise<Desk> {
  const log = options.log ?? createLogger(config.logLevel);
  const stack = new CloseStack(log);
  try {
    const store = await buildStore(config, options, log, stack);
    const r = await buildRefunds(config, options, log, store);
    const c = buildChannels(config, options, log, store, r);
    const j = buildJobs(config, log, store, r, c, stack);
    const { db, cache, metrics } = store;
    const { refunds, outbox, nlu, conversations, delivery, agentDecisions, sandbox, gateways, stripe } = r;
    const { slack, dialogue, chatTokens, telegram, widget, channels } = c;
    const { jobs, paymentNotices, monitor, digests, satisfaction } = j;

    const payments =
      config.payments.wechat || stripe
        ? { notices: paymentNotices, wechat: config.payments.wechat, stripe, timeoutMs: config.payments.gatewayTimeoutMs }
        : null;
    const server = stack.push(
      await buildServer({ config, db, cache, metrics, log, refunds, chatTokens, telegram, widget, slack, payments, channels }),
      'server',
      (s) => s.close(),
    );
    // Subscribing waits for nothing: a cache that is down makes it retry in the background. Closed
    // before the server: browsers are told "going away" and reconnect (to another instance, or here).
    const widgetSubscribed = stack.push(widget.start(), 'widget', () => widget.stop());
    if (telegram) stack.push(telegram, 'telegram', (t) => t.stop());
    stack.push(channels, 'channel start-up', (ch) => ch.stop());

    const listen = async (): Promise<string> => {
      // The NLU model is loaded (or trained) and warmed up before the server listens, so /readyz
      // is never 200 with a cold model and the first buyer waits no longer than the next.
      const nluLoaded = dialogue.warmUp();
      nluLoaded.catch(() => undefined);
      await jobs.start();
      // A restart finishes what a crash left: refunds pending at the gateway, undelivered messages.
      void jobs.runNow('refunds.complete-pending').catch((error) => log.error({ err: error }, 'pending refund completion failed'));
      await widgetSubscribed;
      await nluLoaded;
      const url = await server.listen({ host: config.host, port: config.port });
      // The optional channels come up once the core listens. One whose provider does not answer
      // (or refuses) is degraded, logged and named by /readyz, and retried in the background; the
      // API, the widget and the other channel serve meanwhile.
      const starting: Array<Promise<unknown>> = [];
      if (slack) starting.push(channels.start('slack', () => slack.start()));
      const tg = config.telegram;
      if (telegram && tg) {
        // Webhook mode when a public URL is set (any number of instances); else long polling,
        // which waits (retrying) while another instance holds the polling lease.
        starting.push(
          channels.start('telegram', (lost) =>
            tg.webhookUrl ? telegram.setWebhook(tg.webhookUrl, tg.webhookSecret!) : telegram.startPolling(lost),
          ),
        );
      }
      await Promise.all(starting);
      return url;
    };

    return {
      config,
      log,
      db,
      cache,
      metrics,
      server,
      refunds,
      outbox,
      jobs,
      monitor,
      nlu,
      dialogue,
      chatTokens,
      telegram,
      widget,
      conversations,
      slack,
      channels,
      agentDecisions,
      delivery,
      digests,
      satisfaction,
      sandbox,
      gateways,
      paymentNotices,
      async listen() {
        try {
          return await listen();
        } catch (error) {
          // A start that fails (the port taken, say) leaves nothing open: queues, subscriptions, pools.
          await stack.closeAll().catch(() => undefined);
          throw error;
        }
      },
      close: () => stack.closeAll(),
    };
  } catch (error) {
    await stack.closeAll().catch(() => undefined);
    throw error;
  }
}
