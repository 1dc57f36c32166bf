// Chat identity (API.md): tokens for a signed-in buyer that bind one chat, can't be forged, expire.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ChatTokenError, ChatTokens } from '../../src/conversation/chat-tokens.ts';
import { api, seedShop } from '../helpers/refunds.ts';
import { postgresUp } from '../helpers/services.ts';
import { startTestDesk, type TestDesk } from '../helpers/test-desk.ts';

const problem = async (p: Promise<unknown>) => {
  try {
    await p;
  } catch (error) {
    return (error as ChatTokenError).problem;
  }
  return 'ok';
};

describe.skipIf(!postgresUp)('chat tokens (PostgreSQL)', () => {
  let t: TestDesk;
  let shop: Awaited<ReturnType<typeof seedShop>>;
  beforeAll(async () => {
    t = await startTestDesk({ store: 'postgres', env: { TELEGRAM_BOT_USERNAME: 'demo_refund_bot' } });
    shop = await seedShop(t);
  });
  afterAll(() => t?.stop());

  it('issues a short token with a Telegram start link for a known buyer, 404 for an unknown one, 401 without the key', async () => {
    const r = await api(t, 'POST', `/v1/buyers/${shop.buyer}/chat-tokens`);
    expect(r.statusCode).toBe(201);
    const body = r.json();
    expect(body.token).toMatch(/^[A-Za-z0-9_-]{34}$/);
    expect(body.telegramStartLink).toBe(`https://t.me/demo_refund_bot?start=${body.token}`);
    expect(Date.parse(body.expiresAt) - Date.now()).toBeGreaterThan(25 * 60_000);
    expect((await api(t, 'POST', '/v1/buyers/b_nobody/chat-tokens')).statusCode).toBe(404);
    expect((await t.desk.server.inject({ method: 'POST', url: `/v1/buyers/${shop.buyer}/chat-tokens` })).statusCode).toBe(401);
  });

  it('binds one chat to the buyer; the same chat may present it again, another may not', async () => {
    const { token } = await t.desk.chatTokens.issue(shop.buyer);
    expect(await t.desk.chatTokens.bind(token, 'telegram', '1001')).toBe(shop.buyer);
    expect(await t.desk.chatTokens.bind(token, 'telegram', '1001')).toBe(shop.buyer);
    expect(await problem(t.desk.chatTokens.bind(token, 'telegram', '2002'))).toBe('used_elsewhere');
    expect(await problem(t.desk.chatTokens.bind(token, 'widget', '1001'))).toBe('used_elsewhere');
    expect(await t.desk.chatTokens.buyerOf('telegram', '1001')).toBe(shop.buyer);
    expect(await t.desk.chatTokens.buyerOf('telegram', '9999')).toBeNull();
  });

  it('lets one of two chats racing for a token win', async () => {
    const { token } = await t.desk.chatTokens.issue(shop.buyer);
    const results = await Promise.all(['a', 'b', 'c', 'd'].map((chat) => problem(t.desk.chatTokens.bind(token, 'widget', chat))));
    expect(results.filter((r) => r === 'ok')).toHaveLength(1);
  });

  it('refuses forged, tampered, malformed and expired tokens', async () => {
    const { token } = await t.desk.chatTokens.issue(shop.buyer);
    // Fixed lengths, not split('_'): base64url ids and signatures may contain '_' themselves.
    const id = token.slice(0, 11);
    const sig = token.slice(12);
    expect(await problem(t.desk.chatTokens.bind(`${id}_${sig.slice(0, -1)}${sig.endsWith('A') ? 'B' : 'A'}`, 'telegram', 'x'))).toBe(
      'forged',
    );
    expect(await problem(t.desk.chatTokens.bind(`AAAAAAAAAAA_${sig}`, 'telegram', 'x'))).toBe('forged');
    expect(await problem(t.desk.chatTokens.bind('hello', 'telegram', 'x'))).toBe('malformed');
    // A token signed with another secret is a forgery too.
    const other = new ChatTokens('another-secret-entirely-000', t.desk.db.prisma);
    const foreign = await other.issue(shop.buyer);
    expect(await problem(t.desk.chatTokens.bind(foreign.token, 'telegram', 'x'))).toBe('forged');
    const past = new ChatTokens('test-chat-token-secret-0123456789', t.desk.db.prisma, () => Date.now() - 3_600_000);
    const old = await past.issue(shop.buyer);
    expect(await problem(t.desk.chatTokens.bind(old.token, 'telegram', 'x'))).toBe('expired');
  });
});
