// Issue 18 on PostgreSQL: conversations as buyers write them, each checked in stored state — the
// order named by words, the reason kept across turns, free text read as the answer to the pending
// question, one language per chat, several requests in one message, never a dead end or a repeat,
// and answers a buyer wants to read (status with route and arrival, policy for the order named).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { InboundMessage, TurnResult } from '../../src/conversation/messages.ts';
import { DEMO } from '../../src/demo/demo-shop.ts';
import { seedDemoShop } from '../../src/demo/seed-demo.ts';
import { buyer, iso, orderPaid, product, uid, usage } from '../helpers/events.ts';
import { postgresUp } from '../helpers/services.ts';
import { startTestDesk, type TestDesk } from '../helpers/test-desk.ts';

const MIN = 60_000;
const FULL_WIDTH = /[，。：；！？（）【】《》]/;

describe.skipIf(!postgresUp)('dialogue turns as buyers write them (PostgreSQL)', () => {
  let t: TestDesk;
  const products = { grading: uid('p'), presets: uid('p'), figma: uid('p'), radio: uid('p') };
  beforeAll(async () => {
    t = await startTestDesk({ store: 'postgres' });
    await seedDemoShop(t.desk.db.prisma);
    const titles = [
      [products.grading, '《摄影后期调色课》', 'course'],
      [products.presets, 'Lightroom Presets Pack', 'template'],
      [products.figma, 'Figma Pro 激活码（1年）', 'software_key'],
      [products.radio, '云听会员季卡', 'membership'],
    ] as const;
    for (const [id, title, category] of titles) await t.postEvent(product(id, DEMO.merchantId, { title, category, priceMinor: 5900 }));
    await t.desk.nlu.get();
  }, 120_000);
  afterAll(() => t?.stop());
  const prisma = () => t.desk.db.prisma;

  /** A buyer registered months ago with these orders (minutes since payment, usage). */
  async function shopper(
    locale: 'zh' | 'en',
    orders: Array<{ product: string; minutesAgo: number; usage?: Array<[string, number?]>; method?: string }>,
  ) {
    const id = uid('b');
    await t.postEvent(buyer(id, { registeredAt: iso(Date.now() - 120 * 24 * 60 * MIN), locale }));
    const ids: string[] = [];
    for (const o of orders) {
      const orderId = uid('o');
      const r = await t.postEvent(
        orderPaid(orderId, id, o.product, {
          paidAt: iso(Date.now() - o.minutesAgo * MIN),
          amountMinor: 5900,
          payment: { method: o.method ?? 'wechat', transactionId: `wx_${orderId}` },
          device: { id: `d_${id}`, ip: '203.0.113.50' },
        }),
      );
      if (r.statusCode !== 200) throw new Error(r.body);
      for (const [kind, value] of o.usage ?? []) await t.postEvent(usage(orderId, kind, value === undefined ? {} : { value }));
      ids.push(orderId);
    }
    const chatId = uid('chat');
    let n = 0;
    const replies: TurnResult[] = [];
    const send = async (input: Partial<InboundMessage>) => {
      const turn = await t.desk.dialogue.handle({
        channel: 'widget',
        chatId,
        deliveryId: String(++n),
        buyerId: id,
        localeHint: locale,
        ...input,
      });
      replies.push(turn);
      return turn;
    };
    return { id, orders: ids, replies, say: (text: string) => send({ text }), press: (action: string) => send({ action }) };
  }
  const requestsOf = (buyerId: string) => prisma().refundRequest.findMany({ where: { buyerId }, orderBy: { createdAt: 'asc' } });
  const handoffsOf = (buyerId: string) => prisma().handoff.findMany({ where: { buyerId } });
  const texts = (turn: TurnResult) => turn.replies.map((r) => r.text).join('\n');

  it('keeps a reason given before the order, and a product noun naming the order never makes it a technical problem', async () => {
    const c = await shopper('zh', [
      { product: products.figma, minutesAgo: 40 },
      { product: products.grading, minutesAgo: 3 * 24 * 60 },
    ]);
    const first = await c.say('点错了，想退');
    expect(first.replies[0]!.buttons!.map((b) => b.action)).toContain(`order:${c.orders[0]}`);
    const second = await c.say('激活码那个');
    expect(texts(second)).toContain('Figma Pro 激活码（1年）');
    expect(await requestsOf(c.id)).toMatchObject([
      { orderId: c.orders[0], status: 'refunded', reasonCode: 'changed_mind', reasonText: '点错了，想退' },
    ]);
  });

  it('takes an order named by a partial title or a time word, and says which', async () => {
    const c = await shopper('zh', [
      { product: products.presets, minutesAgo: 30 },
      { product: products.grading, minutesAgo: 26 * 60, usage: [['course.progress', 0.05]] },
    ]);
    const turn = await c.say('昨天买的调色课不想要了');
    expect(texts(turn)).toContain('好的，是《摄影后期调色课》（26小时前，¥59.00）这笔。');
    expect(await requestsOf(c.id)).toMatchObject([{ orderId: c.orders[1], reasonCode: 'changed_mind' }]);
  });

  it("says when the named product is not one of the buyer's, and offers the orders they have", async () => {
    const c = await shopper('en', [
      { product: products.presets, minutesAgo: 30 },
      { product: products.grading, minutesAgo: 60 },
    ]);
    const turn = await c.say('refund the excel course please');
    expect(turn.replies[0]!.text).toBe("I couldn't find an order like that. These are the orders you can ask a refund for:");
    expect(turn.replies[0]!.buttons!.map((b) => b.action)).toEqual([`order:${c.orders[0]}`, `order:${c.orders[1]}`]);
    expect(await requestsOf(c.id)).toEqual([]);
  });

  it('reads "算了，还是不退了吧" mid-flow as giving up: nothing requested, the half-made refund forgotten', async () => {
    const c = await shopper('zh', [{ product: products.grading, minutesAgo: 60 }]);
    expect((await c.say('调色课想退')).replies[0]!.buttons!.map((b) => b.action)).toContain('reason:changed_mind');
    expect((await c.say('算了，还是不退了吧')).replies[0]!.text).toBe('好的，不退了，订单保持不变。有需要随时找我。');
    expect(await requestsOf(c.id)).toEqual([]);
    // Nothing half-finished is left: a new request asks again.
    expect((await c.say('我要退款')).replies[0]!.buttons!.map((b) => b.action)).toContain('reason:changed_mind');
  });

  it('reads free text after a guide as its answer: still not working goes to technical support, not a new request', async () => {
    const c = await shopper('zh', [{ product: products.radio, minutesAgo: 3 * 24 * 60 }]);
    const guide = await c.say('会员开通了一直登不上去');
    expect(guide.replies.at(-1)!.buttons!.map((b) => b.action)).toEqual(['guide:solved', 'guide:unsolved']);
    const after = await c.say('弄了好久还是不行');
    expect(after.replies[0]!.text).toContain('已为您转给技术支持');
    expect(await requestsOf(c.id)).toMatchObject([{ status: 'troubleshooting', reasonCode: 'cannot_use' }]);
    expect((await handoffsOf(c.id)).map((h) => h.kind)).toEqual(['technical']);
  });

  it('keeps one language per chat: a mixed or unreadable message does not switch it', async () => {
    const c = await shopper('zh', [
      { product: products.figma, minutesAgo: 40 },
      { product: products.grading, minutesAgo: 60 },
    ]);
    expect((await c.say('qwpoeiru zxmcnv')).locale).toBe('zh');
    const mixed = await c.say('Figma那个key想退');
    expect(mixed.locale).toBe('zh');
    expect(texts(mixed)).toMatch(/[\u4e00-\u9fff]/);
    expect(texts(mixed)).toContain('Figma Pro 激活码（1年）');
  });

  it('handles two requests in one message, each in turn', async () => {
    const c = await shopper('zh', [
      { product: products.presets, minutesAgo: 20 },
      { product: products.grading, minutesAgo: 2 * 24 * 60 },
    ]);
    await prisma().refundRequest.count();
    const turn = await c.say('我的退款到哪了？还有Lightroom那个也想退，买错了');
    expect(turn.replies.length).toBeGreaterThanOrEqual(2);
    expect(turn.replies[0]!.text).toBe('您目前没有进行中的退款申请。');
    expect(await requestsOf(c.id)).toMatchObject([{ orderId: c.orders[0], status: 'refunded', reasonCode: 'changed_mind' }]);
  });

  it('understands the plainest requests, and after a miss asks with the likely meanings instead of the welcome', async () => {
    const c = await shopper('en', [
      { product: products.presets, minutesAgo: 20 },
      { product: products.grading, minutesAgo: 60 },
    ]);
    expect((await c.say('refund')).replies[0]!.text).toBe('Which order is it about?');
    const d = await shopper('zh', [{ product: products.presets, minutesAgo: 20 }]);
    const miss = await d.say('嗯…');
    expect(miss.replies[0]!.text).toBe('我不太确定您的意思，您是想：');
    expect(miss.replies[0]!.buttons!.length).toBeGreaterThanOrEqual(3);
  });

  it("answers the rules for the product named, with where the buyer's own order stands", async () => {
    const c = await shopper('zh', [
      { product: products.presets, minutesAgo: 20 },
      { product: products.grading, minutesAgo: 2 * 60, usage: [['course.progress', 0.08]] },
    ]);
    const answer = texts(await c.say('调色课看了一点，现在还能退吗'));
    expect(answer).toContain('退款规则（《摄影后期调色课》');
    expect(answer).toContain('已观看8%，仍在24小时内且符合条件，现在可以申请自助退款');
    expect(answer).not.toContain('Lightroom');
    expect(await requestsOf(c.id)).toEqual([]);
  });

  it('tells the status with product, amount, route and arrival, no internal id, in English punctuation', async () => {
    const c = await shopper('en', [{ product: products.presets, minutesAgo: 5, method: 'alipay' }]);
    await c.say('I bought the presets pack by mistake, refund please');
    const status = texts(await c.say('where is my refund?'));
    expect(status).toBe(
      'Lightroom Presets Pack (CN¥59.00): refunded to your Alipay; it usually arrives within minutes, at most 1–3 business days.',
    );
    expect(status).not.toMatch(FULL_WIDTH);
    expect(status).not.toContain(c.orders[0]!);
  });

  it('never says the same thing twice in a row, and after two misses hands the buyer to a person', async () => {
    const c = await shopper('zh', [
      { product: products.presets, minutesAgo: 20 },
      { product: products.grading, minutesAgo: 60 },
    ]);
    await c.say('我要退款');
    const a = await c.say('嗯嗯');
    const b = await c.say('嗯嗯');
    expect(a.replies[0]!.text).not.toBe(b.replies[0]!.text);
    for (let i = 1; i < c.replies.length; i += 1) {
      const previous = new Set(c.replies[i - 1]!.replies.map((r) => r.text));
      for (const r of c.replies[i]!.replies) expect(previous.has(r.text), r.text).toBe(false);
    }
    expect((await handoffsOf(c.id)).map((h) => h.kind)).toEqual(['buyer_request']);
  });

  it('offers the appeal of an expired order without a ticket, and takes it when the buyer asks in words', async () => {
    const c = await shopper('en', [{ product: products.grading, minutesAgo: 4 * 24 * 60 }]);
    const refusal = await c.say("I'd like a refund for my course, never had time to start it");
    expect(refusal.replies.at(-1)!.buttons!.map((b) => b.action)).toEqual([expect.stringMatching(/^appeal:rr_/)]);
    expect(await handoffsOf(c.id)).toEqual([]);
    await c.say("yes, I'd like to appeal please");
    const [request] = await requestsOf(c.id);
    expect(request).toMatchObject({ status: 'rejected' });
    expect((await handoffsOf(c.id)).map((h) => [h.kind, h.refundRequestId])).toEqual([['appeal', request!.id]]);
    // Pressed again after the words took it: the same one, no second ticket.
    await c.press(`appeal:${request!.id}`);
    expect(await handoffsOf(c.id)).toHaveLength(1);
  });

  it('declines the offered appeal on a "no", and opens nothing', async () => {
    const c = await shopper('zh', [{ product: products.grading, minutesAgo: 5 * 24 * 60 }]);
    const refusal = await c.say('调色课一直没时间看，想退款');
    expect(texts(refusal), texts(refusal)).toContain('24小时');
    const no = await c.say('不用了');
    expect(texts(no)).toContain('不申诉');
    expect(await handoffsOf(c.id)).toEqual([]);
  });

  it('sends a lock inside 24 hours to a person at once, as M22 does', async () => {
    const c = await shopper('zh', [{ product: products.figma, minutesAgo: 90, usage: [['key.revealed'], ['key.copied']] }]);
    await c.say('Figma激活码复制了但是还没用，买错了想退');
    expect(await requestsOf(c.id)).toMatchObject([{ status: 'rejected', reasonCode: 'changed_mind' }]);
    expect((await handoffsOf(c.id)).map((h) => h.kind)).toEqual(['appeal']);
  });
});
