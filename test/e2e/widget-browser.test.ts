// The shop widget in a real browser (Debian's Chromium, driven by playwright-core): the demo product
// page shows the course's refund policy (M7) and the widget; the buyer plays M21, reloads the page in
// the middle of it, finds the conversation still there and finishes it. Screenshots of the result, on
// a desktop and on a phone-sized screen, are written to docs/ for the README.
import fs from 'node:fs/promises';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO } from '../../src/demo/demo-shop.ts';
import { seedDemoShop } from '../../src/demo/seed-demo.ts';
import { chromiumPath, DOCS, launchChromium } from '../helpers/chromium.ts';
import { postgresUp } from '../helpers/services.ts';
import { startTestDesk, type TestDesk } from '../helpers/test-desk.ts';

describe.skipIf(!postgresUp || !chromiumPath)('shop widget in headless Chromium', () => {
  let t: TestDesk;
  let url: string;
  let browser: Browser;

  beforeAll(async () => {
    t = await startTestDesk({ store: 'postgres', env: { DEMO_SEED: 'on' } });
    await seedDemoShop(t.desk.db.prisma);
    await t.desk.nlu.get();
    url = await t.desk.listen();
    browser = await launchChromium();
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await t?.stop();
  });

  const bot = (page: Page) => page.locator('.msg.out');
  const lastBot = (page: Page) => bot(page).last();

  it('plays M21 in the widget on the demo product page, across a reload', async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 860 }, locale: 'zh-CN', timezoneId: 'Asia/Shanghai' });
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    await page.goto(url); // / leads to the course page on the demo shop

    // The product page shows the course and its refund policy in plain words (M7).
    await expect.poll(() => page.locator('#title').textContent()).toBe('《PPT大师进阶课》');
    const policy = await page.locator('#policy').textContent();
    expect(policy).toContain('付款后15分钟内，任何理由均可自助退款');
    expect(policy).toContain('观看进度超过30%');

    // The bot's welcome waits as one unread message on the bubble.
    await expect.poll(() => page.locator('.badge').textContent()).toBe('1');
    await page.locator('.bubble').click();
    await expect.poll(() => page.locator('.badge').isVisible()).toBe(false);
    expect(await lastBot(page).textContent()).toContain('退款助手');
    expect(await page.locator('textarea').getAttribute('placeholder')).toBe('输入消息，回车发送');

    // M21: "I bought it on impulse". The buyer has several orders and names none, so the bot asks
    // which one (a time word such as "刚买的" would have named the newest).
    await page.locator('textarea').fill('冲动消费了，不想要了');
    await page.keyboard.press('Enter');
    await expect.poll(() => lastBot(page).textContent(), { timeout: 15_000 }).toContain('请问是哪一笔订单');
    expect(await lastBot(page).locator('.buttons button').count()).toBeGreaterThanOrEqual(3);

    // Reload in the middle of the conversation: the history is there, the question still answerable.
    await page.reload();
    await page.locator('.bubble').click();
    await expect.poll(() => page.locator('.msg').count()).toBe(3);
    expect(await page.locator('.msg.in').first().textContent()).toContain('冲动消费了');
    expect(await lastBot(page).textContent()).toContain('请问是哪一笔订单');

    // The newest order is M21's (paid 12 minutes ago).
    const choice = lastBot(page).locator('.buttons button').first();
    expect(await choice.textContent()).toContain('《PPT大师进阶课》');
    await choice.click();
    await expect.poll(() => lastBot(page).textContent(), { timeout: 15_000 }).toContain('15分钟无理由退款规则，已自动批准');
    // The answered question's buttons cannot be pressed again.
    expect(await page.locator('.buttons button:not(:disabled)').count()).toBe(0);
    const request = await t.desk.db.prisma.refundRequest.findFirstOrThrow({ where: { orderId: DEMO.orders.m21 } });
    expect(request).toMatchObject({ status: 'refunded', channel: 'widget' });

    await fs.mkdir(DOCS, { recursive: true });
    await page.screenshot({ path: new URL('widget-m21.png', DOCS).pathname });

    // The same conversation on a phone: the chat takes the whole screen.
    const phone = await browser.newContext({
      viewport: { width: 390, height: 844 },
      deviceScaleFactor: 2,
      isMobile: true,
      hasTouch: true,
      locale: 'zh-CN',
      timezoneId: 'Asia/Shanghai',
      storageState: await context.storageState(),
    });
    const small = await phone.newPage();
    await small.goto(url);
    await small.locator('.bubble').click();
    await expect.poll(() => lastBot(small).textContent()).toContain('已自动批准');
    const box = await small.locator('.panel').boundingBox();
    expect(box).toMatchObject({ x: 0, y: 0, width: 390, height: 844 });
    await small.screenshot({ path: new URL('widget-m21-phone.png', DOCS).pathname });
    expect(errors).toEqual([]);
    await phone.close();
    await context.close();
  });

  it('speaks English to an English-speaking buyer, and the policy page is in English too', async () => {
    const context = await browser.newContext({ viewport: { width: 1024, height: 768 } });
    const page = await context.newPage();
    await page.goto(`${url}/demo/products/${DEMO.products.course}?as=alice`);
    expect(await page.locator('#policy').textContent()).toContain('Within 15 minutes of payment');
    await page.locator('.bubble').click();
    await expect.poll(() => lastBot(page).textContent()).toContain("I'm the refund assistant");
    expect(await page.locator('textarea').getAttribute('placeholder')).toBe('Type a message, Enter to send');
    await page.locator('textarea').fill('where is my refund?');
    await page.locator('form button').click();
    await expect.poll(() => lastBot(page).textContent(), { timeout: 15_000 }).toMatch(/refund request in progress|refunded|being/);
    await context.close();
  });
});
