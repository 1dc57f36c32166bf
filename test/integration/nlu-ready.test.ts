// Issue 18: the desk does not listen (so /readyz cannot answer 200) before the NLU model is loaded
// and warmed up; the first buyer after a start meets a ready model. On PGlite: no services needed.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO } from '../../src/demo/demo-shop.ts';
import { seedDemoShop } from '../../src/demo/seed-demo.ts';
import { startTestDesk, type TestDesk } from '../helpers/test-desk.ts';

describe('NLU readiness', () => {
  let t: TestDesk;
  beforeAll(async () => {
    t = await startTestDesk({ store: 'pglite' });
    await seedDemoShop(t.desk.db.prisma);
  }, 120_000);
  afterAll(() => t?.stop());

  it('loads the model before listening, so the first answer finds it ready', async () => {
    expect(t.desk.nlu.ready).toBe(false);
    const url = await t.desk.listen();
    expect(t.desk.nlu.ready).toBe(true);
    expect((await fetch(`${url}/readyz`)).status).toBe(200);
    const first = await t.desk.dialogue.handle({
      channel: 'widget',
      chatId: 'ready-1',
      deliveryId: '1',
      buyerId: DEMO.buyers.buyer,
      localeHint: 'zh',
      text: '我要退款',
    });
    expect(first.replies[0]!.text).toContain('请问是哪一笔订单？');
  }, 120_000);
});
