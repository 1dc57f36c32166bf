// Trust boundary for the shop platform: HMAC-signed events and bearer-key calls.
import { createHash, timingSafeEqual } from 'node:crypto';
import { DeskError } from '../errors.ts';
import { signBody } from '../platform/index.ts';

export { signBody };

function safeEqual(a: string, b: string): boolean {
  // Hash both so the comparison takes the same time whatever the lengths.
  const ha = createHash('sha256').update(a).digest();
  const hb = createHash('sha256').update(b).digest();
  return timingSafeEqual(ha, hb);
}

/** Checks that the X-Signature header is there and well-formed: a request without one is refused before its body is read. */
export function requireSignatureHeader(header: unknown): string {
  if (typeof header !== 'string' || !/^sha256=[0-9a-f]{64}$/i.test(header)) {
    throw new DeskError('unauthenticated', 'signature_missing', 'X-Signature header with sha256=<hex> is required');
  }
  return header.toLowerCase();
}

/** Checks the HMAC over the exact bytes received; run it before anything reads or parses them. */
export function verifySignature(rawBody: Buffer | undefined, header: unknown, secret: string): void {
  const given = requireSignatureHeader(header);
  if (!rawBody || !safeEqual(signBody(rawBody, secret), given)) {
    throw new DeskError('unauthenticated', 'signature_invalid', 'X-Signature does not match the body');
  }
}

/** Compares a shared secret sent in a header (Telegram's secret token) in constant time. */
export function secretTokenMatches(given: unknown, secret: string): boolean {
  return typeof given === 'string' && safeEqual(given, secret);
}

export function verifyBearer(header: unknown, apiKey: string): void {
  if (typeof header !== 'string' || !header.startsWith('Bearer ')) {
    throw new DeskError('unauthenticated', 'api_key_missing', 'Authorization: Bearer <PLATFORM_API_KEY> is required');
  }
  if (!safeEqual(header.slice('Bearer '.length).trim(), apiKey)) {
    throw new DeskError('unauthenticated', 'api_key_invalid', 'The API key is not valid');
  }
}
