// Composition root: builds every resource from the configuration, in order, and closes them in
// reverse. Nothing else constructs clients, pools or services.
import type { FastifyInstance } from 'fastify';
import { buildServer } from './api/server.ts';
import { createCache, type Cache } from './cache/index.ts';
import type { Config } from './config.ts';
import { localeOrDefault, type PaymentMethod } from './domain/catalog.ts';
import { PAYMENT_METHODS } from './domain/catalog.ts';
import { JobRunner } from './jobs/job-runner.ts';
import { BullJobs } from './jobs/bullmq-jobs.ts';
import type { DeadJob, Jobs } from './jobs/jobs.ts';
import { createLogger, type Logger } from './logger.ts';
import { createMetrics, type Metrics } from './metrics.ts';
import { TelegramChannel } from './channels/telegram/telegram-channel.ts';
import { WidgetChannel } from './channels/widget/widget-channel.ts';
import { WidgetSessions } from './channels/widget/widget-sessions.ts';
import type { SocketCaps } from './channels/widget/socket-caps.ts';
import { SlackDesk } from './channels/slack/slack-desk.ts';
import { ChannelStarter, type Backoff } from './channels/channel-starter.ts';
import { ChatDelivery } from './conversation/chat-delivery.ts';
import { AgentDecisions } from './refunds/agent-decisions.ts';
import { SecondApprovals } from './handoffs/second-approval.ts';
import { SatisfactionSurvey } from './conversation/satisfaction.ts';
import { DigestService } from './digests/digest-service.ts';
import { ChatTokens } from './conversation/chat-tokens.ts';
import { ConversationLog } from './conversation/conversation-log.ts';
import { DialogueEngine } from './conversation/dialogue.ts';
import { loadGuides } from './conversation/guides.ts';
import { LazyNlu } from './nlu/classifier.ts';
import { OutboxDispatcher, PermanentDeliveryError } from './outbox/outbox.ts';
import { GatewayRouter } from './payments/gateway-router.ts';
import type { PaymentGateway } from './payments/payment-gateway.ts';
import { SandboxGateway } from './payments/sandbox-gateway.ts';
import { AlipayGateway } from './payments/alipay-gateway.ts';
import { PAYMENT_ALERT_TOPIC, PaymentNotices, type PaymentAlert } from './payments/payment-notices.ts';
import { StripeGateway } from './payments/stripe-gateway.ts';
import { WechatPayGateway } from './payments/wechat-pay/wechat-pay-gateway.ts';
import { PlatformClient } from './platform/platform-client.ts';
import { RefundWorkflow } from './refunds/refund-workflow.ts';
import { RefundMonitor } from './risk/refund-monitor.ts';
import { RiskService } from './risk/risk-service.ts';
import { openDatabase, type Database } from './store/database.ts';
import { migrate } from './store/migrator.ts';
import { UsageService } from './usage/usage-facts.ts';

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

export async function createDesk(config: Config, options: DeskOptions = {}): Promise<Desk> {
  const log = options.log ?? createLogger(config.logLevel);
  const db = await openDatabase(config.database);
  let cache: Cache | undefined;
  try {
    const migrations = await migrate(db.sql);
    if (migrations.applied.length > 0) log.info({ applied: migrations.applied }, 'database migrated');
    cache = createCache(config.redis);
    const metrics = createMetrics({ defaultMetrics: options.defaultMetrics ?? true });
    const platform = new PlatformClient(config.platform.webhookSecret, { callbackUrl: config.platform.callbackUrl, usageUrl: config.platform.usageUrl });

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

    const outbox = new OutboxDispatcher(db.prisma, log.child({ component: 'outbox' }));
    // Telegram cannot ask for what it missed: its replies are owed through the outbox (the widget replays).
    const conversations = new ConversationLog(db.prisma, db.sql, { outbox: { dispatcher: outbox, channels: ['telegram'] } });
    const guides = await loadGuides();
    const dialogue = new DialogueEngine({
      prisma: db.prisma,
      cache,
      nlu,
      refunds,
      guides,
      conversations,
      log: log.child({ component: 'dialogue' }),
      onRefundAvoided: () => metrics.refundsAvoided.inc(),
    });

    outbox.on('platform.callback', async (payload) => {
      if (!platform.urls.callbackUrl) return; // No platform to tell (embedded demo): nothing to deliver.
      await platform.callback(payload);
    });

    // Dead jobs go to Slack's risk channel once the desk is built (below); the log and metrics say it either way.
    let onDeadJob: (dead: DeadJob) => Promise<void> = async () => undefined;
    const jobs: Jobs = config.redis
      ? new BullJobs({ redisUrl: config.redis.url, prefix: `${config.redis.keyPrefix}bull`, cache, log: log.child({ component: 'jobs' }), metrics, onDead: (dead) => onDeadJob(dead) })
      : new JobRunner(log.child({ component: 'jobs' }));
    jobs.register({ name: 'outbox.deliver', everyMs: 1_000, run: () => outbox.deliverDue() });
    // Refunds left pending (a hang, a crash, "processing" at the provider) are asked about until final.
    jobs.register({ name: 'refunds.complete-pending', everyMs: 15_000, run: () => refunds.completePending() });
    // Alerts (a refund the provider made that the desk has no record of) go to Slack's risk channel once it is built.
    let onPaymentAlert: (alert: PaymentAlert) => Promise<void> = async () => undefined;
    const paymentNotices = new PaymentNotices({ prisma: db.prisma, workflow: refunds, log: log.child({ component: 'payment-notices' }), metrics, onAlert: (alert) => onPaymentAlert(alert) });
    // A refund pending past its rail's usual settlement time goes to a person, once (the alert is queued with it).
    jobs.register({ name: 'refunds.flag-overdue', everyMs: 60_000, run: () => refunds.flagOverdue() });
    outbox.on(PAYMENT_ALERT_TOPIC, (payload, message) => paymentNotices.deliverAlert(payload as unknown as PaymentAlert, message.attempts === 0));
    if (stripe) {
      // Stripe can list refunds: ones made in its dashboard (or by anyone else with the keys) are found.
      jobs.register({
        name: 'payments.reconcile',
        everyMs: 10 * 60_000,
        run: () => paymentNotices.reconcile('stripe', stripe, new Date(Date.now() - 26 * 3_600_000), AbortSignal.timeout(60_000)),
      });
    }
    const monitor = new RefundMonitor(db.sql, config.risk, metrics, log.child({ component: 'risk-monitor' }));
    // Alerts go to Slack's risk channel once the desk is built (below); the scan stores them either way.
    let onRiskAlert: (alert: Awaited<ReturnType<RefundMonitor['scan']>>[number]) => Promise<void> = async () => undefined;
    jobs.register({
      name: 'risk.monitor-refunds',
      everyMs: 60_000,
      run: async () => {
        for (const alert of await monitor.scan()) await onRiskAlert(alert).catch((error: unknown) => log.error({ err: error }, 'could not post a risk alert'));
      },
    });

    const chatTokens = new ChatTokens(config.chatTokenSecret, db.prisma);
    const localeOf = async (buyerId: string) => localeOrDefault((await db.prisma.buyer.findUnique({ where: { id: buyerId }, select: { locale: true } }))?.locale);
    // Telegram switches on with its token (M24).
    const telegram = config.telegram
      ? new TelegramChannel({ token: config.telegram.token, apiRoot: config.telegram.apiRoot, dialogue, chatTokens, cache, conversations, log: log.child({ component: 'telegram' }), localeOf })
      : null;
    // Notices to bound Telegram chats (team leaders' commission notices); retried like any outbox message.
    outbox.on('telegram.send', async (payload) => {
      if (!telegram) throw new PermanentDeliveryError('TELEGRAM_BOT_TOKEN is not set: the notice stays in the in-shop inbox only');
      await telegram.deliver(String(payload.chatId), { text: String(payload.text) });
    });
    // The shop widget is always on: a shop page opts in by including /widget.js (M25).
    const widget = new WidgetChannel({
      dialogue,
      conversations,
      sessions: new WidgetSessions(config.chatTokenSecret, chatTokens),
      cache,
      log: log.child({ component: 'widget' }),
      localeOf,
      allowedOrigins: config.widgetAllowedOrigins,
      ...(options.widgetSocketCaps ? { socketCaps: options.widgetSocketCaps } : {}),
    });
    // Subscribing waits for nothing: a cache that is down makes it retry in the background.
    const widgetSubscribed = widget.start();

    // Messages to buyers from outside their turn (agents) go to the chat they last used.
    const delivery = new ChatDelivery(db.prisma, conversations, log.child({ component: 'delivery' }), outbox);
    delivery.register('widget', widget);
    if (telegram) delivery.register('telegram', telegram);
    // Hook (issue 22): after a case ends its buyer is asked once, in their chat, for a 1-5 rating.
    const satisfaction = new SatisfactionSurvey({ prisma: db.prisma, sql: db.sql, delivery, log: log.child({ component: 'satisfaction' }) });
    jobs.register({ name: 'satisfaction.ask', everyMs: 30_000, run: () => satisfaction.askDue() });
    const agentDecisions = new AgentDecisions({ prisma: db.prisma, workflow: refunds, log: log.child({ component: 'agent-decisions' }) });
    // The Slack agent desk switches on with its token (M16, M26).
    const slack = config.slack
      ? new SlackDesk({
          config: config.slack, prisma: db.prisma, sql: db.sql, cache, log: log.child({ component: 'slack' }), decisions: agentDecisions, delivery, guides,
          // Hook (issue 22): four-eyes approval above SLACK_SECOND_APPROVAL_ABOVE_MINOR.
          secondApprovals: new SecondApprovals({ prisma: db.prisma, decisions: agentDecisions, limits: config.slack.secondApprovalAboveMinor, log: log.child({ component: 'second-approval' }) }),
        })
      : null;
    if (slack) {
      dialogue.attachAgentDesk(slack);
      onRiskAlert = (alert) => slack.postRiskAlert(alert);
      onPaymentAlert = (alert) => slack.postPaymentAlert(alert);
      onDeadJob = (dead) => slack.postDeadJob(dead);
      jobs.register({ name: 'slack.post-tickets', everyMs: 2_000, run: () => slack.postNewTickets() });
      jobs.register({ name: 'slack.sla', everyMs: 30_000, run: () => slack.checkSla() });
      // Hook (issue 22): a waiting four-eyes approval is reminded about once, like an unclaimed ticket.
      if (slack.fourEyes) jobs.register({ name: 'slack.second-approval-sla', everyMs: 30_000, run: () => slack.fourEyes!.checkSla() });
    }
    // Merchants' refund-reason digests (M9, M27): by email and/or their Telegram chat or Slack channel.
    const digests = new DigestService({
      prisma: db.prisma,
      smtp: config.smtp,
      log: log.child({ component: 'digests' }),
      telegram: telegram ? async (chatId, text) => void (await telegram.bot.telegram.sendMessage(chatId, text.slice(0, 4_096))) : null,
      slack: slack ? (channel, text) => slack.postText(channel, text) : null,
    });
    jobs.register({ name: 'digests.run-due', everyMs: 5 * 60_000, run: () => digests.runDue() });
    const payments =
      config.payments.wechat || stripe ? { notices: paymentNotices, wechat: config.payments.wechat, stripe, timeoutMs: config.payments.gatewayTimeoutMs } : null;
    // Slack and Telegram start in listen(); one that cannot degrades and is retried, never fatal.
    const channels = new ChannelStarter(log.child({ component: 'channels' }), options.channelStartBackoff);
    const server = await buildServer({ config, db, cache, metrics, log, refunds, chatTokens, telegram, widget, slack, payments, channels });
    let closing: Promise<void> | undefined;
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
          starting.push(channels.start('telegram', (lost) => (tg.webhookUrl ? telegram.setWebhook(tg.webhookUrl, tg.webhookSecret!) : telegram.startPolling(lost))));
        }
        await Promise.all(starting);
        return url;
      },
      close() {
        closing ??= (async () => {
          channels.stop();
          telegram?.stop();
          // Browsers are told "going away" and reconnect (to another instance, or to this one restarted).
          await widget.stop();
          await server.close();
          await jobs.stop();
          digests.close();
          await cache!.close();
          await db.close();
        })();
        return closing;
      },
    };
  } catch (error) {
    await cache?.close().catch(() => undefined);
    await db.close().catch(() => undefined);
    throw error;
  }
}
