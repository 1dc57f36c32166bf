import { describe, expect, it } from 'vitest';
import { signBody, verifyBearer, verifySignature } from '../../src/api/auth.ts';
import type { DeskError } from '../../src/errors.ts';

const secret = 'secret-0123456789abcdef';
const body = Buffer.from('{"id":"evt_1"}');

const code = (fn: () => void) => {
  try {
    fn();
  } catch (error) {
    return (error as DeskError).code;
  }
  return 'ok';
};

describe('platform authentication', () => {
  it('accepts the HMAC-SHA256 of the exact body', () => {
    expect(code(() => verifySignature(body, signBody(body, secret), secret))).toBe('ok');
    expect(code(() => verifySignature(body, signBody(body, secret).toUpperCase().replace('SHA256', 'sha256'), secret))).toBe('ok');
  });

  it('refuses a missing, malformed, wrong-key or wrong-body signature', () => {
    expect(code(() => verifySignature(body, undefined, secret))).toBe('signature_missing');
    expect(code(() => verifySignature(body, 'md5=abc', secret))).toBe('signature_missing');
    expect(code(() => verifySignature(body, signBody(body, 'another-secret-value'), secret))).toBe('signature_invalid');
    expect(code(() => verifySignature(Buffer.from('{"id":"evt_2"}'), signBody(body, secret), secret))).toBe('signature_invalid');
    expect(code(() => verifySignature(undefined, signBody(body, secret), secret))).toBe('signature_invalid');
  });

  it('checks the bearer key', () => {
    expect(code(() => verifyBearer('Bearer key-1', 'key-1'))).toBe('ok');
    expect(code(() => verifyBearer(undefined, 'key-1'))).toBe('api_key_missing');
    expect(code(() => verifyBearer('Basic a2V5', 'key-1'))).toBe('api_key_missing');
    expect(code(() => verifyBearer('Bearer key-2', 'key-1'))).toBe('api_key_invalid');
  });
});
