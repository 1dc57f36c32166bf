// Pure parts of the payment rails: WeChat Pay's rules before a call, its signature and encryption
// schemes, exact decimal amounts, and the rails' configuration.
import { createCipheriv, createSign, createVerify, generateKeyPairSync, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config.ts';
import { formatDecimal } from '../../src/domain/money.ts';
import { fromStripeAmount, toStripeAmount } from '../../src/payments/stripe-amounts.ts';
import { railGate } from '../../src/payments/rail-limits.ts';
import { decryptResource, platformSignatureProblem, signRequest } from '../../src/payments/wechat-pay/wechat-pay-crypto.ts';
import { WECHAT_LIMITS, wechatOutcome } from '../../src/payments/wechat-pay/wechat-pay-gateway.ts';
import { STRIPE_TEST_KEYS } from '../helpers/providers/fake-stripe.ts';
import { alipayEnv, alipayKeys } from '../helpers/providers/fake-alipay.ts';
import { wechatEnv, wechatKeys } from '../helpers/providers/fake-wechatpay.ts';

const DAY = 86_400_000;
const now = new Date('2026-11-30T12:00:00Z');
const facts = (over: Partial<Parameters<typeof railGate>[2]> = {}) => ({
  paidAt: new Date(now.getTime() - DAY),
  now,
  priorRefunds: 0,
  lastSubmittedAt: null,
  ...over,
});

describe("WeChat Pay's rules, checked before any call", () => {
  it('sends when nothing stands in the way, and always on rails without limits', () => {
    expect(railGate('wechat', WECHAT_LIMITS, facts())).toEqual({ action: 'send' });
    expect(railGate('sandbox', undefined, facts({ paidAt: new Date(0), priorRefunds: 999, lastSubmittedAt: now }))).toEqual({
      action: 'send',
    });
  });

  it('refuses a refund more than a year after payment, to the day', () => {
    expect(railGate('wechat', WECHAT_LIMITS, facts({ paidAt: new Date(now.getTime() - 365 * DAY) })).action).toBe('send');
    expect(railGate('wechat', WECHAT_LIMITS, facts({ paidAt: new Date(now.getTime() - 365 * DAY - 1) }))).toMatchObject({
      action: 'refuse',
      reason: expect.stringContaining('365 days'),
    });
  });

  it('refuses the 51st refund of one payment', () => {
    expect(railGate('wechat', WECHAT_LIMITS, facts({ priorRefunds: 49 })).action).toBe('send');
    expect(railGate('wechat', WECHAT_LIMITS, facts({ priorRefunds: 50 }))).toMatchObject({
      action: 'refuse',
      reason: expect.stringContaining('at most 50'),
    });
  });

  it("makes a refund wait until a minute after the payment's last one was sent", () => {
    expect(railGate('wechat', WECHAT_LIMITS, facts({ lastSubmittedAt: new Date(now.getTime() - 20_000) }))).toEqual({
      action: 'wait',
      waitMs: 40_000,
      reason: 'waiting 40 s: WeChat Pay needs 60 s between refunds of one payment',
    });
    expect(railGate('wechat', WECHAT_LIMITS, facts({ lastSubmittedAt: new Date(now.getTime() - 60_000) })).action).toBe('send');
  });
});

describe('WeChat Pay API v3 signatures and encryption', () => {
  const merchant = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const platform = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const keyId = 'PUB_KEY_ID_0123456789';
  const sign = (body: string, at = now, key = platform.privateKey) => {
    const timestamp = String(Math.floor(at.getTime() / 1000));
    const nonce = 'n0nce';
    return {
      timestamp,
      nonce,
      serial: keyId,
      signature: createSign('RSA-SHA256').update(`${timestamp}\n${nonce}\n${body}\n`).sign(key, 'base64'),
    };
  };

  it('signs a request over method, path, time, nonce and body, in the Authorization header', () => {
    const header = signRequest(
      { mchId: '1900000109', serialNo: 'ABC123', privateKey: merchant.privateKey },
      'POST',
      '/v3/refund/domestic/refunds',
      '{"a":1}',
      now,
      'nonce1',
    );
    expect(header).toMatch(
      /^WECHATPAY2-SHA256-RSA2048 mchid="1900000109",nonce_str="nonce1",signature="[A-Za-z0-9+/=]+",timestamp="1796040000",serial_no="ABC123"$/,
    );
    const signature = /signature="([^"]+)"/.exec(header)![1]!;
    expect(
      createVerify('RSA-SHA256')
        .update('POST\n/v3/refund/domestic/refunds\n1796040000\nnonce1\n{"a":1}\n')
        .verify(merchant.publicKey, signature, 'base64'),
    ).toBe(true);
  });

  it('trusts an answer only with the platform key, its id, a fresh time and the exact body', () => {
    const body = '{"status":"SUCCESS"}';
    const trusted = [{ publicKey: platform.publicKey, keyId }];
    expect(platformSignatureProblem(sign(body), body, trusted, now)).toBeNull();
    expect(platformSignatureProblem(sign(body), `${body} `, trusted, now)).toMatch(/does not verify/);
    expect(platformSignatureProblem(sign(body, now, merchant.privateKey), body, trusted, now)).toMatch(/does not verify/);
    expect(platformSignatureProblem({ ...sign(body), serial: 'other' }, body, trusted, now)).toMatch(
      /not one of the configured platform keys/,
    );
    expect(platformSignatureProblem(sign(body, new Date(now.getTime() - 301_000)), body, trusted, now)).toMatch(/5 minutes/);
    expect(platformSignatureProblem({ ...sign(body), signature: undefined }, body, trusted, now)).toMatch(/headers are required/);
  });

  it('during a key rotation trusts each configured key under its own id, and only under it', () => {
    const body = '{"status":"SUCCESS"}';
    const next = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const both = [
      { publicKey: next.publicKey, keyId: 'PUB_KEY_ID_next' },
      { publicKey: platform.publicKey, keyId },
    ];
    expect(platformSignatureProblem(sign(body), body, both, now)).toBeNull();
    expect(platformSignatureProblem({ ...sign(body, now, next.privateKey), serial: 'PUB_KEY_ID_next' }, body, both, now)).toBeNull();
    // The new key's signature under the old key's id (or the reverse) is no signature at all.
    expect(platformSignatureProblem(sign(body, now, next.privateKey), body, both, now)).toMatch(
      /does not verify with the platform key PUB_KEY_ID_0123456789/,
    );
    expect(platformSignatureProblem({ ...sign(body), serial: 'PUB_KEY_ID_next' }, body, both, now)).toMatch(/does not verify/);
  });

  it('opens an AEAD_AES_256_GCM resource with the APIv3 key, and nothing tampered with', () => {
    const key = Buffer.from(randomBytes(16).toString('hex'));
    const nonce = 'abcdefghijkl';
    const cipher = createCipheriv('aes-256-gcm', key, Buffer.from(nonce));
    cipher.setAAD(Buffer.from('refund'));
    const sealed = Buffer.concat([cipher.update('{"refund_status":"SUCCESS"}'), cipher.final(), cipher.getAuthTag()]);
    const resource = { algorithm: 'AEAD_AES_256_GCM', ciphertext: sealed.toString('base64'), nonce, associated_data: 'refund' };
    expect(decryptResource(resource, key)).toBe('{"refund_status":"SUCCESS"}');
    expect(() => decryptResource({ ...resource, associated_data: 'transaction' }, key)).toThrow();
    expect(() => decryptResource(resource, Buffer.from('x'.repeat(32)))).toThrow();
    const flipped = Buffer.from(sealed);
    flipped[0]! ^= 1;
    expect(() => decryptResource({ ...resource, ciphertext: flipped.toString('base64') }, key)).toThrow();
    expect(() => decryptResource({ ...resource, algorithm: 'AES-CBC' }, key)).toThrow(/unsupported/);
  });

  it('reads WeChat refund statuses: only SUCCESS is success', () => {
    expect(wechatOutcome({ refund_id: 'r1', status: 'SUCCESS' })).toEqual({ status: 'succeeded', gatewayRef: 'r1' });
    expect(wechatOutcome({ refund_id: 'r1', status: 'PROCESSING' })).toEqual({ status: 'pending', gatewayRef: 'r1' });
    expect(wechatOutcome({ refund_id: 'r1', refund_status: 'ABNORMAL' }).status).toBe('failed');
    expect(wechatOutcome({ refund_id: 'r1', status: 'CLOSED' }).status).toBe('failed');
    expect(wechatOutcome({ refund_id: 'r1', status: 'WHATEVER' }).status).toBe('failed');
  });
});

describe('exact decimal amounts for Alipay', () => {
  it.each([
    [9900, '99.00'],
    [1, '0.01'],
    [10, '0.10'],
    [123456789, '1234567.89'],
    [0, '0.00'],
  ])('%i fen is "%s"', (fen, text) => {
    expect(formatDecimal({ amountMinor: fen, currency: 'CNY' })).toBe(text);
  });
});

describe("Stripe's own smallest units", () => {
  it.each([
    // [currency, ISO minor units, what Stripe is sent]
    ['USD', 1999, 1999],
    ['CNY', 9900, 9900],
    ['JPY', 500, 500], // zero-decimal in both
    ['KRW', 12000, 12000],
    ['MGA', 150000, 1500], // ISO two decimals, Stripe zero-decimal
    ['ISK', 500, 50000], // ISO zero-decimal, Stripe two (whole krónur)
    ['KWD', 12340, 12340], // three decimals in both
  ])('%s %i is sent as %i and read back the same', (currency, iso, stripe) => {
    expect(toStripeAmount({ amountMinor: iso, currency })).toEqual({ amount: stripe });
    expect(fromStripeAmount(stripe, currency.toLowerCase())).toBe(iso);
  });

  it('refuses what Stripe cannot take rather than sending another amount', () => {
    expect(toStripeAmount({ amountMinor: 150050, currency: 'MGA' })).toHaveProperty('refused');
    expect(toStripeAmount({ amountMinor: 12345, currency: 'KWD' })).toHaveProperty('refused');
  });
});

describe('configuring the rails', () => {
  it('has every real rail off by default', () => {
    const { payments } = loadConfig({});
    expect(payments).toMatchObject({ sandbox: true, wechat: null, alipay: null, stripe: null });
  });

  it('turns WeChat Pay on with its keys as PEM text, and derives the notify URL from PUBLIC_URL', () => {
    const keys = wechatKeys();
    const config = loadConfig({ ...wechatEnv(keys, 'http://127.0.0.1:9'), PUBLIC_URL: 'https://desk.example.com' });
    expect(config.payments.wechat).toMatchObject({
      mchId: '1900000109',
      platformKeys: [{ keyId: keys.platform.keyId }, { keyId: keys.next.keyId }],
      apiUrl: 'http://127.0.0.1:9',
      notifyUrl: 'https://desk.example.com/payments/wechat/notify',
    });
    expect(config.payments.wechat!.apiV3Key).toHaveLength(32);
  });

  it('takes several WeChat Pay platform keys at once (a rotation), each with its id, in order', () => {
    const keys = wechatKeys();
    const env = wechatEnv(keys, 'http://127.0.0.1:9', 'platform');
    const next = generateKeyPairSync('rsa', { modulusLength: 2048 })
      .publicKey.export({ type: 'spki', format: 'pem' })
      .toString()
      .replace(/\n/g, '\\n');
    const config = loadConfig({
      ...env,
      WECHATPAY_PLATFORM_PUBLIC_KEY: `${next},${env.WECHATPAY_PLATFORM_PUBLIC_KEY}`,
      WECHATPAY_PLATFORM_PUBLIC_KEY_ID: `PUB_KEY_ID_next01,${keys.platform.keyId}`,
    });
    const platformKeys = config.payments.wechat!.platformKeys;
    expect(platformKeys.map((k) => k.keyId)).toEqual(['PUB_KEY_ID_next01', keys.platform.keyId]);
    expect(platformKeys[1]!.publicKey.equals(keys.platform.publicKey)).toBe(true);
    expect(() => loadConfig({ ...env, WECHATPAY_PLATFORM_PUBLIC_KEY: `${next},${env.WECHATPAY_PLATFORM_PUBLIC_KEY}` })).toThrow(
      /WECHATPAY_PLATFORM_PUBLIC_KEY_ID must name one key id per key/,
    );
    expect(() => loadConfig({ ...env, WECHATPAY_PLATFORM_PUBLIC_KEY_ID: `${keys.platform.keyId},bad id!` })).toThrow(
      /WECHATPAY_PLATFORM_PUBLIC_KEY_ID/,
    );
    expect(() => loadConfig({ ...env, WECHATPAY_PLATFORM_PUBLIC_KEY: `${env.WECHATPAY_PLATFORM_PUBLIC_KEY},AAAA` })).toThrow(
      /WECHATPAY_PLATFORM_PUBLIC_KEY must be one or more RSA public keys/,
    );
  });

  it('reads Alipay keys given as bare base64 (as its console shows them) or as a file path', () => {
    const keys = alipayKeys();
    const env = alipayEnv(keys, 'http://127.0.0.1:9/gateway.do');
    expect(loadConfig(env).payments.alipay!.privateKey.asymmetricKeyType).toBe('rsa');
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rd-keys-'));
    const file = path.join(dir, 'alipay_public.pem');
    fs.writeFileSync(file, keys.alipay.publicKey.export({ type: 'spki', format: 'pem' }));
    expect(loadConfig({ ...env, ALIPAY_PUBLIC_KEY: file }).payments.alipay!.alipayPublicKey.type).toBe('public');
    fs.rmSync(dir, { recursive: true });
  });

  it.each([
    [{ WECHATPAY_MCH_ID: '1900000109' }, 'WECHATPAY_MCH_SERIAL_NO', /must be set when WECHATPAY_MCH_ID is set/],
    [{ ALIPAY_APP_ID: '2021000122671080' }, 'ALIPAY_PRIVATE_KEY', /must be set when ALIPAY_APP_ID is set/],
    [{ STRIPE_SECRET_KEY: STRIPE_TEST_KEYS.secretKey }, 'STRIPE_WEBHOOK_SECRET', /must be set when STRIPE_SECRET_KEY is set/],
    [{ WECHATPAY_PRIVATE_KEY: 'not a key' }, 'WECHATPAY_PRIVATE_KEY', /must be an RSA private key/],
    [{ ALIPAY_PUBLIC_KEY: 'AAAA' }, 'ALIPAY_PUBLIC_KEY', /must be an RSA public key/],
    [{ WECHATPAY_APIV3_KEY: 'short' }, 'WECHATPAY_APIV3_KEY', /32-character/],
    [{ STRIPE_SECRET_KEY: 'pk_live_abcdefgh' }, 'STRIPE_SECRET_KEY', /Stripe secret key/],
  ])('refuses a half or wrong rail setting: %o → %s', (env, variable, message) => {
    let error: unknown;
    try {
      loadConfig(env as Record<string, string>);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).variable).toBe(variable);
    expect((error as Error).message).toMatch(message);
    expect((error as Error).message).not.toContain('not a key');
  });
});
