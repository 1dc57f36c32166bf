// What the routes may use, built by the composition root (src/desk.ts). Its own file so that routes
// import it without importing the server that registers them (issue 19: no file cycle).
import type { Cache } from '../cache/index.ts';
import type { ChannelStarter } from '../channels/index.ts';
import type { SlackDesk } from '../channels/slack/index.ts';
import type { TelegramChannel } from '../channels/telegram/index.ts';
import type { WidgetChannel } from '../channels/widget/index.ts';
import type { Config } from '../config.ts';
import type { ChatTokens } from '../conversation/index.ts';
import type { Logger } from '../logger.ts';
import type { Metrics } from '../metrics.ts';
import type { RefundWorkflow } from '../refunds/index.ts';
import type { Database } from '../store/index.ts';
import type { PaymentNotificationDeps } from './routes/payment-notifications.ts';

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
