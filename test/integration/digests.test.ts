// Merchant digests (M9, M27): the demo merchant's day after M21, M22 and M23, rendered and sent over a
// real SMTP conversation to a local SMTP server, with figures that match the hand count; sent once by
// the schedule however often it runs; given back when the mail server is down; posted to Slack when
// the merchant asks for it there.
import { simpleParser, type ParsedMail } from 'mailparser';
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO } from '../../src/demo/demo-shop.ts';
import { seedDemoShop } from '../../src/demo/seed-demo.ts';
import { localParts } from '../../src/domain/time-zone.ts';
import { event } from '../helpers/events.ts';
import { askDemoRefund } from '../helpers/refunds.ts';
import { postgresUp } from '../helpers/services.ts';
import { SlackRecorder, slackEnv } from '../helpers/slack.ts';
import { startTestDesk, type TestDesk } from '../helpers/test-desk.ts';

// A zone where it is daytime now, so that every order of the last five hours falls on today's local date.
const ZONE = ['Asia/Shanghai', 'UTC', 'America/New_York', 'Asia/Kolkata', 'Pacific/Auckland', 'America/Los_Angeles'].find((z) => {
  const h = localParts(new Date(), z).hour;
  return h >= 6 && h <= 20;
})!;

describe.skipIf(!postgresUp)('merchant digests', () => {
  const inbox: ParsedMail[] = [];
  let smtp: SMTPServer;
  let smtpPort: number;
  const slack = new SlackRecorder();
  let t: TestDesk;
  /** "Tomorrow" for the digest: its last complete day is today, with the requests just made. */
  const tomorrow = () => {
    const d = new Date(Date.now() + 86_400_000);
    const local = localParts(d, ZONE);
    // 09:00 local tomorrow: past the 08:00 sending hour.
    return new Date(d.getTime() + (9 - local.hour) * 3_600_000);
  };

  /** A local SMTP server that parses every message it receives into the inbox. */
  async function startSmtp(port: number): Promise<SMTPServer> {
    const server = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS', 'AUTH'],
      logger: false,
      onData(stream, _session, done) {
        simpleParser(stream).then((mail) => {
          inbox.push(mail);
          done();
        }, done);
      },
    });
    await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
    return server;
  }

  beforeAll(async () => {
    smtp = await startSmtp(0);
    smtpPort = (smtp.server.address() as AddressInfo).port;
    await slack.start();
    t = await startTestDesk({
      store: 'postgres',
      env: { SMTP_URL: `smtp://127.0.0.1:${smtpPort}`, SMTP_FROM: 'Refund desk <desk@example.test>', ...slackEnv(slack) },
    });
    await seedDemoShop(t.desk.db.prisma);
    const update = await t.postEvent(
      event('merchant.upserted', {
        id: DEMO.merchantId,
        name: '链动小铺示范店',
        locale: 'zh',
        timeZone: ZONE,
        digest: { email: 'owner@shop.example.test', slackChannel: 'CMERCHANT1' },
      }),
    );
    expect(update.statusCode).toBe(200);
    await askDemoRefund(t, DEMO.orders.m21, 'changed_mind', '冲动消费了，不想要了');
    await askDemoRefund(t, DEMO.orders.m22, 'unsatisfied', '内容不符预期');
    await askDemoRefund(t, DEMO.orders.m23, 'cannot_use', '视频播放不了');
  }, 60_000);
  afterAll(async () => {
    await t?.stop();
    await new Promise<void>((resolve) => smtp?.close(() => resolve()));
    await slack.stop();
  });

  it('emails the daily digest with the hand-counted figures and the chart, and posts the short one to Slack', async () => {
    const result = await t.desk.digests.send(DEMO.merchantId, 'day', { now: tomorrow() });
    expect(result.sentTo).toEqual(['email', 'slack']);
    expect(inbox).toHaveLength(1);
    const mail = inbox[0]!;
    const day = localParts(new Date(), ZONE);
    const label = `${day.y}-${String(day.m).padStart(2, '0')}-${String(day.d).padStart(2, '0')}`;
    expect(mail.subject).toBe(`【链动小铺示范店】退款原因日报（${label}）`);
    expect(mail.to && 'text' in mail.to ? mail.to.text : '').toBe('owner@shop.example.test');
    const html = String(mail.html);
    // By hand: 5 orders paid today (M21, M22, Alice's M21, the key, the membership), 3 requests, 1 refunded (¥99.00): 20.0 %.
    expect(html).toContain('>3</div>'); // requests
    expect(html).toContain('>1</div>'); // refunded
    expect(html).toContain('¥99.00');
    expect(html).toContain('20.0%');
    expect(html).toContain('订单: 5');
    for (const reason of ['不想要了/买错', '内容不满意', '无法使用']) expect(html).toContain(reason);
    expect(html).toContain('无需人工处理的比例: 50.0% (1/2)');
    expect(html).toContain('收到排查指引: 1');
    // The chart travels inline with the message, as a real PNG.
    // (mailparser turns the cid: reference into the attached image's data.)
    expect(html).toContain('<img src="data:image/png;base64,');
    const chart = mail.attachments.find((a) => a.cid === 'refund-chart')!;
    expect(chart.contentType).toBe('image/png');
    expect(chart.content.subarray(1, 4).toString()).toBe('PNG');
    expect(mail.text).toContain('退款申请 3');
    const posted = slack.of('chat.postMessage').find((c) => c.args.channel === 'CMERCHANT1')!;
    expect(String(posted.args.text)).toContain('退款率 20.0%');
  });

  it('sends each scheduled digest once however often the schedule runs, and retries after a mail server failure', async () => {
    inbox.length = 0;
    // The day after the one the first test sent (that one is claimed already).
    const at = new Date(tomorrow().getTime() + 86_400_000);
    const runs = () => t.desk.db.prisma.digestRun.count({ where: { merchantId: DEMO.merchantId, period: 'day' } });
    const before = await runs();
    const first = await t.desk.digests.runDue(at);
    const second = await t.desk.digests.runDue(at);
    expect(first.map((r) => r.period)).toContain('day');
    expect(second).toEqual([]);
    expect(inbox.filter((m) => m.subject?.includes('日报'))).toHaveLength(1);
    expect(await runs()).toBe(before + 1);

    // Before 08:00 local time nothing goes out.
    const early = new Date(at.getTime() + 20 * 3_600_000);
    const earlyLocal = localParts(early, ZONE);
    expect(await t.desk.digests.runDue(new Date(early.getTime() - (earlyLocal.hour - 6) * 3_600_000))).toEqual([]);

    // The mail server is down for the next day's digest: the claim is given back, and the next run sends it.
    await new Promise<void>((resolve) => smtp.close(() => resolve()));
    const nextDay = new Date(at.getTime() + 86_400_000);
    expect(await t.desk.digests.runDue(nextDay)).toEqual([]);
    expect(await runs()).toBe(before + 1);
    smtp = await startSmtp(smtpPort);
    expect((await t.desk.digests.runDue(nextDay)).map((r) => r.period)).toContain('day');
    expect(await runs()).toBe(before + 2);
  });
});
