// JSON text as the desk reads it (parseJsonText): a lone UTF-16 surrogate, which only a JSON escape can
// make, becomes U+FFFD (PostgreSQL's jsonb refuses it, and the hot path's rows travel as jsonb);
// everything else is JSON.parse's.
import { describe, expect, it } from 'vitest';
import { parseJsonText } from '../../src/validation.ts';

describe('parseJsonText', () => {
  it('replaces lone surrogates in strings and keeps pairs', () => {
    expect(parseJsonText('{"a":"x\\ud800y","b":["\\udfff"],"c":"\\ud83d\\ude00","d":1}')).toEqual({
      a: 'x\ufffdy',
      b: ['\ufffd'],
      c: '😀',
      d: 1,
    });
  });

  it('is JSON.parse for everything else', () => {
    const text = '{"orderId":"o_1","n":[1,2,{"z":null}],"t":"退款 \\u00e9"}';
    expect(parseJsonText(text)).toEqual(JSON.parse(text));
    expect(() => parseJsonText('{"a":')).toThrow(SyntaxError);
  });
});
