// The dialogue engine end to end on PostgreSQL with the demo shop: M21, M22 and M23 from the first
// message to the final answer, in Chinese and in English, with what was stored.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { InboundMessage } from '../../src/conversation/messages.ts';
import { DEMO } from '../../src/demo/demo-shop.ts';
import { seedDemoShop } from '../../src/demo/seed-demo.ts';
import { uid, usage } from '../helpers/events.ts';
import { newOrder } from '../helpers/refunds.ts';
import { postgresUp } from '../helpers/services.ts';
import { startTestDesk, type TestDesk } from '../helpers/test-desk.ts';

describe.skipIf(!postgresUp)('dialogue engine (PostgreSQL, demo shop)', () => {
  let t: TestDesk;
  beforeAll(async () => {
    t = await startTestDesk({ store: 'postgres' });
    await seedDemoShop(t.desk.db.prisma);
    await t.desk.nlu.get();
  }, 120_000);
  afterAll(() => t?.stop());
  const prisma = () => t.desk.db.prisma;

  /** A chat: each call is one delivery, numbered. */
  function chat(buyerId: string | null, channel: InboundMessage['channel'] = 'widget') {
    const chatId = uid('chat');
    let n = 0;
    const send = (input: { text?: string; action?: string }) =>
      t.desk.dialogue.handle({ channel, chatId, deliveryId: String(++n), buyerId, ...input });
    return { chatId, say: (text: string) => send({ text }), press: (action: string) => send({ action }) };
  }
  const requestFor = (orderId: string) => prisma().refundRequest.findFirstOrThrow({ where: { orderId }, orderBy: { createdAt: 'desc' } });

  it('M21 in Chinese: asks which order and why, then refunds at once and says by which route', async () => {
    const c = chat(DEMO.buyers.buyer);
    const first = await c.say('我想退款');
    expect(first.replies[0]!.text).toBe('请问是哪一笔订单？');
    expect(first.replies[0]!.buttons!.map((b) => b.action)).toContain(`order:${DEMO.orders.m21}`);
    const second = await c.press(`order:${DEMO.orders.m21}`);
    expect(second.replies[0]!.buttons!.map((b) => b.action)).toEqual([
      'reason:changed_mind',
      'reason:unsatisfied',
      'reason:cannot_use',
      'reason:other',
    ]);
    const last = await c.say('冲动消费了，不想要了');
    expect(last.locale).toBe('zh');
    expect(last.replies[0]!.text).toContain('15分钟无理由退款规则，已自动批准');
    expect(last.replies[0]!.text).toContain('原路退回');
    const request = await requestFor(DEMO.orders.m21);
    expect(request).toMatchObject({
      status: 'refunded',
      reasonCode: 'changed_mind',
      reasonText: '冲动消费了，不想要了',
      channel: 'widget',
    });
    const conversation = await prisma().conversation.findUniqueOrThrow({
      where: { channel_chatId: { channel: 'widget', chatId: c.chatId } },
      include: { messages: true },
    });
    expect(conversation.messages.filter((m) => m.direction === 'in')).toHaveLength(3);
    expect(conversation.messages.filter((m) => m.direction === 'out').length).toBeGreaterThanOrEqual(3);
    expect((await c.say('谢谢')).replies[0]!.text).toBe('不客气！还有其他需要帮忙的吗？');
  });

  it("M22 in Chinese: 20 % watched → the article's refusal, and a person will look at it", async () => {
    const c = chat(DEMO.buyers.buyer);
    const turn = await c.say(`订单${DEMO.orders.m22}内容不符预期，想退款`);
    expect(turn.replies[0]!.text).toContain('抱歉，由于您已观看超过10%的内容，暂不符合自助退款条件');
    expect(turn.replies[0]!.text).toContain('您的情况已提交给人工客服复核');
    const request = await requestFor(DEMO.orders.m22);
    expect(request).toMatchObject({ status: 'rejected', reasonCode: 'unsatisfied' });
    expect(await prisma().handoff.findFirstOrThrow({ where: { refundRequestId: request.id } })).toMatchObject({
      kind: 'appeal',
      status: 'open',
    });
  });

  it('M23 in Chinese: "the video won\'t play" → the video guide and the support contact, then technical support when it does not help', async () => {
    const c = chat(DEMO.buyers.buyer);
    const turn = await c.say(`${DEMO.orders.m23} 视频播放不了`);
    expect(turn.replies[0]!.text).toContain('【视频无法播放】');
    expect(turn.replies[0]!.text).toContain('技术支持：support@demo-shop.example');
    expect(turn.replies[1]!.buttons!.map((b) => b.action)).toEqual(['guide:solved', 'guide:unsolved']);
    const request = await requestFor(DEMO.orders.m23);
    expect(request).toMatchObject({ status: 'troubleshooting', outcome: 'troubleshoot' });
    expect(await prisma().refund.count({ where: { orderId: DEMO.orders.m23 } })).toBe(0);
    const after = await c.press('guide:unsolved');
    expect(after.replies[0]!.text).toContain('已为您转给技术支持');
    expect(await prisma().handoff.findFirstOrThrow({ where: { refundRequestId: request.id } })).toMatchObject({
      kind: 'technical',
      status: 'open',
    });
  });

  describe('in English, for the English-speaking buyer', () => {
    const alice = { buyer: DEMO.buyers.buyerEn, product: DEMO.products.course, member: DEMO.buyers.member, leader: DEMO.buyers.leader };

    it('M21: refunded at once, answered in English', async () => {
      const turn = await chat(DEMO.buyers.buyerEn).say(`I bought ${DEMO.orders.m21En} by mistake, refund please`);
      expect(turn.locale).toBe('en');
      expect(turn.replies[0]!.text).toContain('inside the 15-minute no-questions-asked window');
      expect((await requestFor(DEMO.orders.m21En)).status).toBe('refunded');
    });

    it("M22: refused with the article's words, and sent to a person", async () => {
      const order = await newOrder(t, alice, { minutesAgo: 120, device: { id: 'd_demo_alice_phone' } });
      await t.postEvent(usage(order, 'course.progress', { value: 0.2 }));
      const c = chat(DEMO.buyers.buyerEn);
      let turn = await c.say(`order ${order}: I want a refund`);
      // A plain "I want a refund" names no reason: the bot asks, and the buyer picks one.
      expect(turn.replies[0]!.buttons!.map((b) => b.action)).toContain('reason:unsatisfied');
      turn = await c.press('reason:unsatisfied');
      expect(turn.replies[0]!.text).toContain('since you have watched more than 10% of the content');
      expect(turn.replies[0]!.text).toContain('sent to a person for review');
    });

    it('M23: a guide first, and "solved" closes it with no refund (a refund avoided)', async () => {
      const order = await newOrder(t, alice, { minutesAgo: 3 * 24 * 60, device: { id: 'd_demo_alice_phone' } });
      const c = chat(DEMO.buyers.buyerEn);
      const turn = await c.say(`the video won't play, order ${order}`);
      // English text keeps English punctuation: no Chinese brackets around the guide's title.
      expect(turn.replies[0]!.text).toContain("Let's try to fix it first: Video won't play:");
      expect(turn.replies[0]!.text).not.toMatch(/[【】（）：，。]/);
      expect(turn.replies[0]!.text).toContain('Technical support: support@demo-shop.example');
      const done = await c.press('guide:solved');
      expect(done.replies[0]!.text).toContain('No refund was made');
      expect((await requestFor(order)).status).toBe('cancelled');
      expect(await prisma().refund.count({ where: { orderId: order } })).toBe(0);
      expect((await t.desk.server.inject('/metrics')).body).toMatch(/refund_desk_refunds_avoided_total [1-9]/);
    });
  });

  it('answers a duplicate delivery once', async () => {
    const c = { chatId: uid('chat') };
    const message = { channel: 'telegram' as const, chatId: c.chatId, deliveryId: '42', buyerId: DEMO.buyers.buyer, text: '你好' };
    const [a, b] = await Promise.all([t.desk.dialogue.handle(message), t.desk.dialogue.handle(message)]);
    expect([a.duplicate, b.duplicate].sort()).toEqual([false, true]);
    expect([a, b].find((x) => x.duplicate)!.replies).toEqual([]);
  });

  it('answers a redelivery once its first handler died mid-turn, and never a delivery already answered, even after the cache lost its data', async () => {
    const chatId = uid('chat');
    const message = { channel: 'telegram' as const, chatId, deliveryId: '7', buyerId: DEMO.buyers.buyer, text: '你好' };
    // An instance claimed the delivery and died: only its short "processing" claim is left.
    const key = `dedupe:telegram:${chatId}:7`;
    await t.desk.cache.setIfAbsent(key, 'processing', 150);
    expect((await t.desk.dialogue.handle(message)).duplicate).toBe(true); // still being handled elsewhere
    await new Promise((r) => setTimeout(r, 200));
    const answered = await t.desk.dialogue.handle(message);
    expect(answered.duplicate).toBe(false);
    expect(answered.replies.length).toBeGreaterThan(0);
    // The cache forgets everything (Redis restarted without persistence); the stored turn still counts.
    await t.desk.cache.delete(key);
    expect(await t.desk.dialogue.handle(message)).toMatchObject({ duplicate: true, replies: [] });
    const stored = await prisma().message.count({ where: { conversation: { channel: 'telegram', chatId }, direction: 'in' } });
    expect(stored).toBe(1);
  });

  it('asks an unbound chat to open from the shop, and handles status, withdrawal, a person and the policy', async () => {
    expect((await chat(null).say('我要退款')).replies[0]!.text).toContain('从店铺的“联系客服”入口打开对话');
    const c = chat(DEMO.buyers.buyer);
    expect((await c.say('我的退款到哪了')).replies[0]!.text).toMatch(/《PPT大师进阶课》.*已退款/);
    expect((await c.say('转人工')).replies[0]!.text).toContain('已为您转接人工客服');
    expect(await prisma().handoff.count({ where: { buyerId: DEMO.buyers.buyer, kind: 'buyer_request', status: 'open' } })).toBe(1);
    expect((await c.say('退款规则是什么')).replies[0]!.text).toContain('退款规则（');
    expect((await c.say('我想取消订单')).replies[0]!.buttons!.map((b) => b.action)).toEqual(['refund:yes', 'refund:no']);
    // The M22 appeal is still open: withdrawing it releases the order.
    expect((await c.say('我不退了，撤回退款申请')).replies[0]!.text).toBe('好的，已为您撤回退款申请，订单保持不变。');
  });

  it('stays calm with empty, huge, binary-looking and emoji-only messages, and hands the buyer to a person after two it does not understand', async () => {
    const c = chat(DEMO.buyers.buyer);
    const empty = await c.say('');
    expect(empty.replies).toHaveLength(1);
    const huge = await c.say(`我要退款${'啊'.repeat(10_000)}`);
    expect(huge.replies.at(-1)!.text).toContain('消息太长');
    const binary = await c.say('\u0000\u0001\u0007\uFFFD\u001b[31m');
    expect(binary.replies[0]!.text.length).toBeGreaterThan(0);
    const emoji = await c.say('😭😭😭');
    // Not understood, so it keeps the conversation's language and answers calmly.
    expect(emoji.locale).toBe('zh');
    expect(emoji.replies[0]!.text).toMatch(/[\u4e00-\u9fff]/);
    const c2 = chat(DEMO.buyers.buyer);
    await c2.say('你好');
    const first = await c2.say('asdfgh qwerty');
    // Not the welcome again: a question with buttons for the likely meanings, a person among them.
    expect(first.replies[0]!.text).toBe('我不太确定您的意思，您是想：');
    expect(first.replies[0]!.buttons!.map((b) => b.action)).toContain('agent');
    const second = await c2.say('zxcvb');
    expect(second.replies[0]!.text).toBe('抱歉，我还是没能理解。已为您转接人工客服，工作人员会尽快在这里回复您。');
    expect(second.locale).toBe('zh');
    expect(
      await prisma().handoff.findFirst({ where: { buyerId: DEMO.buyers.buyer, kind: 'buyer_request', status: 'open' } }),
    ).not.toBeNull();
  });
});
