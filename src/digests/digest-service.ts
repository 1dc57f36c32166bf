// Sends merchants their refund-reason digests (M9, M27): daily (yesterday, local time) and weekly (last
// Monday to Sunday), by email (SMTP_URL, nodemailer, the chart attached inline) and/or as a Telegram or
// Slack message, as the merchant's settings say, in the merchant's language.
//
// The schedule (`runDue`, a job every few minutes on every instance) sends each digest once: a
// digest_runs row (unique per merchant, period and start) is claimed before sending and given back if
// sending fails, so the next run tries again. From 08:00 in the merchant's time zone.
import { createRequire } from 'node:module';
import type { Transporter } from 'nodemailer';
import { localeOrDefault } from '../domain/index.ts';
import { localParts, zonedMidnight } from '../domain/index.ts';
import { notFound } from '../errors.ts';
import { newId } from '../ids.ts';
import type { Logger } from '../logger.ts';
import { isUniqueViolation, type PrismaClient } from '../store/index.ts';
import { renderDigest, type DigestPeriod } from './digest.ts';
import { merchantReport } from './report.ts';

const SEND_FROM_HOUR = 8;
const DAY = 86_400_000;

export interface DigestDeps {
  prisma: PrismaClient;
  smtp: { url: string; from: string } | null;
  log: Logger;
  /** Sends a text to a Telegram chat, when the bot is on. */
  telegram: ((chatId: string, text: string) => Promise<void>) | null;
  /** Posts a text to a Slack channel, when the desk is on. */
  slack: ((channel: string, text: string) => Promise<void>) | null;
}

export interface DigestResult {
  merchantId: string;
  period: DigestPeriod;
  from: string;
  to: string;
  sentTo: Array<'email' | 'telegram' | 'slack'>;
  skipped?: 'already_sent' | 'no_destination';
}

/** The last complete day or week (Monday to Sunday) before `now`, in the merchant's time zone. */
export function lastPeriod(period: DigestPeriod, zone: string, now: Date): { from: Date; to: Date; label: string } {
  const today = localParts(now, zone);
  // Calendar arithmetic on a UTC date of the local day avoids DST surprises.
  const localDay = (offsetDays: number) => {
    const d = new Date(Date.UTC(today.y, today.m - 1, today.d) + offsetDays * DAY);
    return { y: d.getUTCFullYear(), m: d.getUTCMonth() + 1, d: d.getUTCDate(), iso: d.toISOString().slice(0, 10) };
  };
  const at = (p: { y: number; m: number; d: number }) => zonedMidnight(p.y, p.m, p.d, zone);
  if (period === 'day') {
    const start = localDay(-1);
    return { from: at(start), to: at(localDay(0)), label: start.iso };
  }
  const sinceMonday = (today.weekday + 6) % 7;
  const start = localDay(-sinceMonday - 7);
  const end = localDay(-sinceMonday);
  return { from: at(start), to: at(end), label: `${start.iso} – ${localDay(-sinceMonday - 1).iso}` };
}

export class DigestService {
  private readonly transport: Transporter | null;

  constructor(private readonly deps: DigestDeps) {
    // nodemailer is loaded only when SMTP_URL is set.
    this.transport = deps.smtp
      ? (createRequire(import.meta.url)('nodemailer') as typeof import('nodemailer')).createTransport(deps.smtp.url)
      : null;
  }

  /** Sends one merchant's digest for the last complete period. `force` sends even if it went out already (the CLI). */
  async send(merchantId: string, period: DigestPeriod, options: { now?: Date; force?: boolean } = {}): Promise<DigestResult> {
    const { prisma, log } = this.deps;
    const merchant = await prisma.merchant.findUnique({ where: { id: merchantId } });
    if (!merchant) throw notFound('merchant_not_found', `Merchant ${merchantId} is not known to the desk`);
    const { from, to, label } = lastPeriod(period, merchant.timeZone, options.now ?? new Date());
    const result: DigestResult = { merchantId, period, from: from.toISOString(), to: to.toISOString(), sentTo: [] };
    const email = merchant.digestEmail && this.transport ? merchant.digestEmail : null;
    const telegramChat = merchant.digestTelegramChatId && this.deps.telegram ? merchant.digestTelegramChatId : null;
    const slackChannel = merchant.digestSlackChannel && this.deps.slack ? merchant.digestSlackChannel : null;
    if (!email && !telegramChat && !slackChannel) return { ...result, skipped: 'no_destination' };

    const runId = newId('dg');
    if (!options.force) {
      try {
        await prisma.digestRun.create({ data: { id: runId, merchantId, period, periodStart: from } });
      } catch (error) {
        if (isUniqueViolation(error)) return { ...result, skipped: 'already_sent' };
        throw error;
      }
    }
    try {
      const report = await merchantReport(prisma, merchantId, from, to);
      const product = await prisma.product.findFirst({ where: { merchantId }, select: { currency: true } });
      const digest = renderDigest({
        merchantName: merchant.name,
        currency: product?.currency ?? 'CNY',
        locale: localeOrDefault(merchant.locale),
        period,
        label,
        report,
      });
      if (email) {
        await this.transport!.sendMail({
          from: this.deps.smtp!.from,
          to: email,
          subject: digest.subject,
          text: digest.text,
          html: digest.html,
          attachments: [{ filename: 'refund-reasons.png', content: digest.chartPng, cid: 'refund-chart', contentType: 'image/png' }],
        });
        result.sentTo.push('email');
      }
      if (telegramChat) {
        await this.deps.telegram!(telegramChat, digest.short);
        result.sentTo.push('telegram');
      }
      if (slackChannel) {
        await this.deps.slack!(slackChannel, digest.short);
        result.sentTo.push('slack');
      }
      log.info({ merchantId, period, from: result.from, sentTo: result.sentTo }, 'digest sent');
      return result;
    } catch (error) {
      // Given back, so the schedule's next run tries again.
      if (!options.force) await prisma.digestRun.delete({ where: { id: runId } }).catch(() => undefined);
      throw error;
    }
  }

  /** The schedule: every merchant with somewhere to send gets yesterday's digest, and on Mondays last week's, from 08:00 local time. */
  async runDue(now = new Date()): Promise<DigestResult[]> {
    const merchants = await this.deps.prisma.merchant.findMany({
      where: { OR: [{ digestEmail: { not: null } }, { digestTelegramChatId: { not: null } }, { digestSlackChannel: { not: null } }] },
      select: { id: true, timeZone: true },
    });
    const results: DigestResult[] = [];
    for (const m of merchants) {
      const local = localParts(now, m.timeZone);
      if (local.hour < SEND_FROM_HOUR) continue;
      const periods: DigestPeriod[] = local.weekday === 1 ? ['day', 'week'] : ['day'];
      for (const period of periods) {
        try {
          const r = await this.send(m.id, period, { now });
          if (!r.skipped) results.push(r);
        } catch (error) {
          this.deps.log.error({ err: error, merchantId: m.id, period }, 'digest failed; the next run tries again');
        }
      }
    }
    return results;
  }

  close(): void {
    this.transport?.close();
  }
}
