// The widget already answers every buyer message after a crash (finding 11 of issue 16, checked for
// the widget): a turn and its replies are stored in one transaction before anything is pushed, and a
// browser that loses its socket reconnects (to any instance) asking for what came after the last
// message it has, then resends what was never confirmed, which is answered once. Here an instance
// dies right after storing a turn, before pushing a frame of it, and the browser comes back on another.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ServerFrame } from '../../src/channels/widget/widget-protocol.ts';
import type { Desk } from '../../src/desk.ts';
import { freshBuyer, newOrder, seedShop } from '../helpers/refunds.ts';
import { postgresUp, redisUp } from '../helpers/services.ts';
import { startTestDesk, type TestDesk } from '../helpers/test-desk.ts';
import { WidgetClient } from '../helpers/widget-client.ts';

type Ready = Extract<ServerFrame, { type: 'ready' }>;

describe.skipIf(!postgresUp || !redisUp)('widget: a crash between storing a turn and pushing it', () => {
  let t: TestDesk;
  let other: Desk;
  let url: string;
  let otherUrl: string;
  const clients: WidgetClient[] = [];

  beforeAll(async () => {
    t = await startTestDesk({ store: 'postgres', redis: true });
    url = await t.desk.listen();
    other = await t.anotherInstance();
    otherUrl = await other.listen();
  });
  afterAll(async () => {
    for (const c of clients) c.close();
    await other?.close();
    await t?.stop();
  });

  it('the browser gets the stored answer from another instance, and a resend is answered once', async () => {
    const shop = await seedShop(t);
    const ids = await freshBuyer(t, shop);
    const orderId = await newOrder(t, ids);
    const { token } = await t.desk.chatTokens.issue(ids.buyer);
    const client = await WidgetClient.connect(url);
    clients.push(client);
    client.send({ type: 'hello', token });
    const [ready] = await client.waitFor<Ready>((f) => f.type === 'ready');
    const lastSeen = ready!.history.at(-1)!.id;

    // The instance dies after the turn's transaction and before any of its frames leave.
    let died!: () => void;
    const dead = new Promise<void>((resolve) => (died = resolve));
    const push = t.desk.widget.push.bind(t.desk.widget);
    t.desk.widget.push = async (sessionId, frame) => {
      if (frame.type !== 'message') return push(sessionId, frame);
      died();
      return new Promise<void>(() => undefined);
    };
    const from = client.frames.length;
    client.send({ type: 'action', id: 'c-crash', action: `order:${orderId}` });
    await dead;
    client.socket.terminate();
    expect(client.frames.slice(from).filter((f) => f.type === 'message')).toEqual([]);

    // The browser reconnects, here to the other instance, asking for what came after its last message.
    const back = await WidgetClient.connect(otherUrl);
    clients.push(back);
    back.send({ type: 'hello', token, session: ready!.session, since: lastSeen }); // the page's token, as widget.js sends it
    const [resumed] = await back.waitFor<Ready>((f) => f.type === 'ready');
    expect(resumed!.history.map((m) => m.direction)).toEqual(['in', 'out']);
    expect(resumed!.history[0]).toMatchObject({ clientId: 'c-crash' });
    expect(resumed!.history[1]!.text).toContain('退款原因');

    // It never saw its message confirmed, so it sends it again: acknowledged, not answered twice.
    const stored = await t.desk.db.prisma.message.count({ where: { conversation: { chatId: ready!.session.id } } });
    const at = back.frames.length;
    back.send({ type: 'action', id: 'c-crash', action: `order:${orderId}` });
    const [ack] = await back.waitFor((f) => f.type === 'ack', { from: at });
    expect(ack).toEqual({ type: 'ack', clientId: 'c-crash', status: 'duplicate' });
    expect(back.frames.slice(at).filter((f) => f.type === 'message')).toEqual([]);
    expect(await t.desk.db.prisma.message.count({ where: { conversation: { chatId: ready!.session.id } } })).toBe(stored);
  });
});
