// What a merchant gets: the demo merchant's daily digest after a morning of refund requests, rendered
// as the email's HTML and photographed in headless Chromium. Both are written to docs/ for the README.
import fs from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO } from '../../src/demo/demo-shop.ts';
import { addFreshScenarioOrders, seedDemoShop } from '../../src/demo/seed-demo.ts';
import { renderDigest } from '../../src/digests/digest.ts';
import { merchantReport } from '../../src/digests/report.ts';
import { chromiumPath, DOCS, launchChromium } from '../helpers/chromium.ts';
import { askDemoRefund } from '../helpers/refunds.ts';
import { postgresUp } from '../helpers/services.ts';
import { startTestDesk, type TestDesk } from '../helpers/test-desk.ts';

describe.skipIf(!postgresUp || !chromiumPath)('the merchant digest, rendered', () => {
  let t: TestDesk;
  beforeAll(async () => {
    t = await startTestDesk({ store: 'postgres' });
    await seedDemoShop(t.desk.db.prisma);
    const { suffix } = await addFreshScenarioOrders(t.desk.db.prisma, new Date(Date.now() - 60_000));
    await askDemoRefund(t, DEMO.orders.m21, 'changed_mind', '冲动消费了，不想要了');
    await askDemoRefund(t, DEMO.orders.m22, 'unsatisfied', '内容太简单，和介绍不一样');
    await askDemoRefund(t, `${DEMO.orders.m22}${suffix}`, 'unsatisfied', '视频内容太简单了，不值这个价');
    await askDemoRefund(t, DEMO.orders.m23, 'cannot_use', '视频播放不了');
  }, 60_000);
  afterAll(async () => t?.stop());

  it('writes docs/digest-sample.html and docs/digest-sample.png', async () => {
    const to = new Date(Date.now() + 60_000);
    const report = await merchantReport(t.desk.db.prisma, DEMO.merchantId, new Date(to.getTime() - 86_400_000), to);
    const digest = renderDigest({
      merchantName: '链动小铺示范店',
      currency: 'CNY',
      locale: 'zh',
      period: 'day',
      label: to.toISOString().slice(0, 10),
      report,
    });
    // In the email the chart is an inline attachment (cid:); a file on its own carries it as data.
    const html = digest.html.replace('cid:refund-chart', `data:image/png;base64,${digest.chartPng.toString('base64')}`);
    expect(html).toContain('内容太简单');
    await fs.mkdir(DOCS, { recursive: true });
    await fs.writeFile(new URL('digest-sample.html', DOCS), html);
    const browser = await launchChromium();
    try {
      const page = await browser.newPage({ viewport: { width: 720, height: 900 } });
      await page.setContent(html, { waitUntil: 'load' });
      expect(await page.locator('h1').textContent()).toBe('退款原因 · 日报');
      expect(await page.locator('img').evaluate((img) => (img as unknown as { naturalWidth: number }).naturalWidth)).toBe(560);
      await page.screenshot({ path: new URL('digest-sample.png', DOCS).pathname, fullPage: true });
    } finally {
      await browser.close();
    }
  });
});
