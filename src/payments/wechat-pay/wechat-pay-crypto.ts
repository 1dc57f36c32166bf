// WeChat Pay API v3's signature and encryption schemes, with node:crypto only:
// - requests carry `Authorization: WECHATPAY2-SHA256-RSA2048 mchid=…,nonce_str=…,signature=…,
//   timestamp=…,serial_no=…`, the signature being SHA256-with-RSA over
//   "METHOD\nPATH?QUERY\nTIMESTAMP\nNONCE\nBODY\n" with the merchant's private key;
// - responses and notifications carry Wechatpay-Timestamp/-Nonce/-Signature/-Serial headers, the
//   signature being over "TIMESTAMP\nNONCE\nBODY\n" with WeChat Pay's platform key;
// - a notification's `resource` is AEAD_AES_256_GCM with the merchant's APIv3 key (the last 16
//   bytes of the ciphertext are the tag; nonce and associated data are UTF-8 strings).
import { createDecipheriv, createSign, createVerify, randomBytes, type KeyObject } from 'node:crypto';
import type { PlatformKey } from '../../config.ts';

export type { PlatformKey };

export const AUTH_SCHEME = 'WECHATPAY2-SHA256-RSA2048';
/** A signed answer older (or newer) than this is refused: replayed notifications are worthless. */
export const MAX_CLOCK_SKEW_S = 300;

export interface MerchantKey {
  mchId: string;
  serialNo: string;
  privateKey: KeyObject;
}

export function signRequest(
  key: MerchantKey,
  method: string,
  pathWithQuery: string,
  body: string,
  now: Date = new Date(),
  nonce: string = randomBytes(16).toString('hex'),
): string {
  const timestamp = String(Math.floor(now.getTime() / 1000));
  const message = `${method}\n${pathWithQuery}\n${timestamp}\n${nonce}\n${body}\n`;
  const signature = createSign('RSA-SHA256').update(message).sign(key.privateKey, 'base64');
  return `${AUTH_SCHEME} mchid="${key.mchId}",nonce_str="${nonce}",signature="${signature}",timestamp="${timestamp}",serial_no="${key.serialNo}"`;
}

export interface SignedHeaders {
  timestamp: string | undefined;
  nonce: string | undefined;
  signature: string | undefined;
  serial: string | undefined;
}

export function signedHeadersOf(get: (name: string) => string | null | undefined | string[]): SignedHeaders {
  const one = (name: string) => {
    const value = get(name);
    return Array.isArray(value) ? value[0] : (value ?? undefined);
  };
  return {
    timestamp: one('wechatpay-timestamp'),
    nonce: one('wechatpay-nonce'),
    signature: one('wechatpay-signature'),
    serial: one('wechatpay-serial'),
  };
}

/**
 * Why a signed answer from WeChat Pay cannot be trusted, or null when it can: it must name one of
 * the configured platform keys (several during a rotation: WeChat Pay signs with the new key while
 * the old one is still accepted), the time be fresh, and the signature valid with that key over
 * the exact bytes received.
 */
export function platformSignatureProblem(
  headers: SignedHeaders,
  body: string,
  platformKeys: readonly PlatformKey[],
  now: Date = new Date(),
): string | null {
  const { timestamp, nonce, signature, serial } = headers;
  if (!timestamp || !nonce || !signature || !serial) return 'Wechatpay-Timestamp, -Nonce, -Signature and -Serial headers are required';
  const key = platformKeys.find((k) => k.keyId === serial);
  if (!key) return `signed with key ${serial.slice(0, 40)}, not one of the configured platform keys`;
  const seconds = Number(timestamp);
  if (!Number.isInteger(seconds) || Math.abs(now.getTime() / 1000 - seconds) > MAX_CLOCK_SKEW_S)
    return 'timestamp is missing or more than 5 minutes off';
  const valid = createVerify('RSA-SHA256').update(`${timestamp}\n${nonce}\n${body}\n`).verify(key.publicKey, signature, 'base64');
  return valid ? null : `signature does not verify with the platform key ${key.keyId.slice(0, 40)}`;
}

export interface EncryptedResource {
  algorithm: string;
  ciphertext: string;
  nonce: string;
  associated_data?: string;
}

/** The plaintext of a notification's resource; throws when the APIv3 key does not open it. */
export function decryptResource(resource: EncryptedResource, apiV3Key: Buffer): string {
  if (resource.algorithm !== 'AEAD_AES_256_GCM') throw new Error(`unsupported algorithm ${resource.algorithm}`);
  const data = Buffer.from(resource.ciphertext, 'base64');
  if (data.length < 17) throw new Error('ciphertext is too short');
  const decipher = createDecipheriv('aes-256-gcm', apiV3Key, Buffer.from(resource.nonce, 'utf8'));
  decipher.setAuthTag(data.subarray(data.length - 16));
  decipher.setAAD(Buffer.from(resource.associated_data ?? '', 'utf8'));
  return Buffer.concat([decipher.update(data.subarray(0, data.length - 16)), decipher.final()]).toString('utf8');
}
