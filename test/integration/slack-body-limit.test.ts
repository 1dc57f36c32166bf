// /slack/events honours BODY_LIMIT_BYTES before Bolt's receiver sees the request: a Content-Length
// over the limit is answered 413 without the body being sent, a chunked body gets its 413 as soon as
// it passes the limit (the rest is never read: the desk hangs up), and a signed request within the
// limit still reaches Bolt and is answered as before.
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { postgresUp } from '../helpers/services.ts';
import { sendToSlackEndpoint, signSlack, SlackRecorder, slackEnv } from '../helpers/slack.ts';
import { startTestDesk, type TestDesk } from '../helpers/test-desk.ts';

const LIMIT = 64 * 1024;

describe.skipIf(!postgresUp)('the Slack endpoint and BODY_LIMIT_BYTES', () => {
  const slack = new SlackRecorder();
  let t: TestDesk;
  let url: string;
  let bolt: ReturnType<typeof vi.fn>;
  beforeAll(async () => {
    await slack.start();
    t = await startTestDesk({ store: 'postgres', env: slackEnv(slack, { BODY_LIMIT_BYTES: String(LIMIT) }) });
    url = await t.desk.listen();
    // Counts what reaches Bolt's receiver, and passes it on.
    const receiver = t.desk.slack!.receiver;
    const listener = receiver.requestListener;
    bolt = vi.fn(listener);
    receiver.requestListener = bolt as unknown as typeof listener;
  });
  afterAll(async () => {
    await t?.stop();
    await slack.stop();
  });

  /** A raw HTTP/1.1 exchange: the headers, then whatever `send` writes; resolves with the response head once it comes. */
  function exchange(headers: string[], send: (socket: net.Socket) => void) {
    const socket = net.connect(Number(new URL(url).port), '127.0.0.1');
    socket.on('error', () => undefined);
    const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
    const head = new Promise<string>((resolve, reject) => {
      let received = '';
      socket.on('data', (chunk) => {
        received += chunk.toString('latin1');
        const end = received.indexOf('\r\n\r\n');
        if (end >= 0) resolve(received.slice(0, end));
      });
      socket.once('close', () => reject(new Error(`closed before a response: ${received}`)));
    });
    head.catch(() => undefined);
    socket.write(
      `${['POST /slack/events HTTP/1.1', 'host: 127.0.0.1', 'content-type: application/json', ...headers].join('\r\n')}\r\n\r\n`,
    );
    send(socket);
    return { socket, head, closed };
  }

  it('answers a Content-Length over the limit with 413 at once, before the body is sent', async () => {
    const before = bolt.mock.calls.length;
    const { head, socket } = exchange([`content-length: ${3 * 1024 * 1024}`], () => undefined);
    expect((await head).split('\r\n')[0]).toBe('HTTP/1.1 413 Payload Too Large');
    socket.destroy();
    expect(bolt.mock.calls.length).toBe(before);
  });

  it('answers an unsigned 3 MB body with 413, not 401 after reading it all', async () => {
    const before = bolt.mock.calls.length;
    const body = JSON.stringify({ type: 'event_callback', event: { text: 'x'.repeat(3 * 1024 * 1024) } });
    const response = await sendToSlackEndpoint(url, body, 'application/json', {}).catch((error: Error) => error);
    // The desk may hang up while fetch is still sending; either way it is a 413 or a refused upload, never Bolt's 401.
    if (response instanceof Response) expect(response.status).toBe(413);
    expect(bolt.mock.calls.length).toBe(before);
  });

  it('cuts a chunked body off as soon as it passes the limit, and reads no more of it', async () => {
    const before = bolt.mock.calls.length;
    const chunk = Buffer.alloc(16 * 1024, 'a');
    let written = 0;
    const { head, closed, socket } = exchange(['transfer-encoding: chunked'], (s) => {
      // Just past the limit, and then the body never ends: only a desk that counts can answer.
      while (written <= LIMIT) {
        s.write(`${chunk.length.toString(16)}\r\n`);
        s.write(chunk);
        s.write('\r\n');
        written += chunk.length;
      }
    });
    expect((await head).split('\r\n')).toEqual(expect.arrayContaining(['HTTP/1.1 413 Payload Too Large', 'connection: close']));
    // The desk hangs up instead of reading (and throwing away) the rest of an upload that goes on.
    const keepSending = setInterval(() => socket.writable && socket.write(`${chunk.length.toString(16)}\r\n${chunk.toString()}\r\n`), 20);
    await closed;
    clearInterval(keepSending);
    expect(bolt.mock.calls.length).toBe(before);
  });

  it('still hands a signed request within the limit to Bolt, which answers it', async () => {
    const before = bolt.mock.calls.length;
    const body = JSON.stringify({ token: 'legacy', challenge: 'challenge-within-the-limit', type: 'url_verification' });
    const response = await sendToSlackEndpoint(url, body, 'application/json', signSlack(body));
    expect(response.status).toBe(200);
    expect(await response.text()).toContain('challenge-within-the-limit');
    expect(bolt.mock.calls.length).toBe(before + 1);
    // And Bolt still refuses a forged one within the limit.
    expect((await sendToSlackEndpoint(url, body, 'application/json', signSlack(body, undefined, 'not-the-signing-secret'))).status).toBe(
      401,
    );
  });
});
