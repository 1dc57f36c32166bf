// The HTTP server's limits on a real port: a client dripping its request one byte a second is cut
// off (408) once the (short, test-configured) request timeout has passed, and so is one dripping its
// headers; an idle keep-alive connection is closed; a connection over HTTP_MAX_CONNECTIONS is refused
// at once. Meanwhile ordinary requests, a request whose handler outlives the request timeout (a
// Telegram webhook whose reply is slow to send) and a widget WebSocket keep working.
import http from 'node:http';
import net, { type AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshBuyer, seedShop } from '../helpers/refunds.ts';
import { freePort, postgresUp } from '../helpers/services.ts';
import { startTestDesk, type TestDesk } from '../helpers/test-desk.ts';
import { WidgetClient } from '../helpers/widget-client.ts';

const TELEGRAM_SECRET = 'telegram-webhook-secret-0123456789';

/** A Bot API that answers at once, except sendMessage, which waits until `release()`. */
async function gatedTelegramApi() {
  let open!: () => void;
  const gate = new Promise<void>((resolve) => (open = resolve));
  const sent: string[] = [];
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (d) => (body += d));
    req.on('end', async () => {
      const method = (req.url ?? '').split('/').pop()!;
      res.setHeader('content-type', 'application/json');
      if (method === 'getMe')
        return void res.end(JSON.stringify({ ok: true, result: { id: 42, is_bot: true, first_name: 'Desk', username: 'desk_bot' } }));
      if (method === 'sendMessage') {
        await gate;
        sent.push(body);
        const chatId = Number(JSON.parse(body).chat_id);
        return void res.end(
          JSON.stringify({ ok: true, result: { message_id: sent.length, date: 0, chat: { id: chatId, type: 'private' }, text: 'ok' } }),
        );
      }
      res.end(JSON.stringify({ ok: true, result: true }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    sent,
    release: () => open(),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** A raw connection to the desk that records what comes back and when it is closed. */
function rawConnection(port: number) {
  const socket = net.connect(port, '127.0.0.1');
  socket.on('error', () => undefined);
  let received = '';
  socket.on('data', (chunk) => (received += chunk.toString('latin1')));
  const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
  const connected = new Promise<void>((resolve) => socket.once('connect', () => resolve()));
  return { socket, closed, connected, received: () => received };
}

/** Sends `head` at once, then one byte of `drip` a second until the desk hangs up; resolves with what it answered. */
async function drip(port: number, head: string, drip: string) {
  const connection = rawConnection(port);
  await connection.connected;
  connection.socket.write(head);
  let sent = 0;
  const timer = setInterval(() => {
    if (sent < drip.length && connection.socket.writable) connection.socket.write(drip[sent++]!);
  }, 1_000);
  await connection.closed;
  clearInterval(timer);
  return { answer: connection.received(), complete: sent === drip.length };
}

const statusLine = (text: string) => text.slice(0, text.indexOf('\r\n'));

describe.skipIf(!postgresUp)('HTTP server limits', () => {
  describe('timeouts', () => {
    let t: TestDesk;
    let url: string;
    let port: number;
    let telegram: Awaited<ReturnType<typeof gatedTelegramApi>>;
    let shop: Awaited<ReturnType<typeof seedShop>>;
    beforeAll(async () => {
      telegram = await gatedTelegramApi();
      port = await freePort();
      t = await startTestDesk({
        store: 'postgres',
        env: {
          PORT: String(port),
          HTTP_REQUEST_TIMEOUT_MS: '1000',
          HTTP_HEADERS_TIMEOUT_MS: '1000',
          HTTP_KEEP_ALIVE_TIMEOUT_MS: '1000',
          TELEGRAM_BOT_TOKEN: '123456:TEST-limits-token',
          TELEGRAM_API_ROOT: telegram.url,
          TELEGRAM_WEBHOOK_URL: `http://127.0.0.1:${port}/telegram/webhook`,
          TELEGRAM_WEBHOOK_SECRET: TELEGRAM_SECRET,
        },
      });
      shop = await seedShop(t);
      url = await t.desk.listen();
    });
    afterAll(async () => {
      await t?.stop();
      await telegram?.close();
    });

    it('cuts off a body sent one byte a second with 408, and hangs up', async () => {
      const body = '{"id":"evt_slow","type":"merchant.upserted"}'.padEnd(120, ' ');
      const head = [
        'POST /v1/events HTTP/1.1',
        'host: 127.0.0.1',
        'content-type: application/json',
        `content-length: ${body.length}`,
        `x-signature: sha256=${'0'.repeat(64)}`,
      ].join('\r\n');
      const { answer, complete } = await drip(port, `${head}\r\n\r\n`, body);
      expect(complete).toBe(false);
      expect(statusLine(answer)).toBe('HTTP/1.1 408 Request Timeout');
    });

    it('cuts off headers sent one byte a second', async () => {
      const { answer, complete } = await drip(
        port,
        'GET /healthz HTTP/1.1\r\n',
        'host: 127.0.0.1\r\nx-slow: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\r\n\r\n',
      );
      expect(complete).toBe(false);
      expect(statusLine(answer)).toBe('HTTP/1.1 408 Request Timeout');
    });

    it('closes an idle keep-alive connection', async () => {
      const connection = rawConnection(port);
      await connection.connected;
      connection.socket.write('GET /healthz HTTP/1.1\r\nhost: 127.0.0.1\r\nconnection: keep-alive\r\n\r\n');
      await connection.closed;
      expect(statusLine(connection.received())).toBe('HTTP/1.1 200 OK');
      expect(connection.received()).toMatch(/keep-alive: timeout=1/i);
    });

    it('keeps a widget socket, and a request whose handler outlives the timeout, while a slow client is cut off', async () => {
      const ids = await freshBuyer(t, shop);
      const { token } = await t.desk.chatTokens.issue(ids.buyer);
      const widget = await WidgetClient.connect(url);
      widget.send({ type: 'hello', token, device: 'dev_limits' });
      await widget.waitFor((f) => f.type === 'ready');

      // A Telegram update whose reply the Bot API holds: its handler runs past the request timeout.
      const chat = 810_000 + Math.floor(Math.random() * 10_000);
      const update = {
        update_id: chat,
        message: {
          message_id: 1,
          date: Math.floor(Date.now() / 1000),
          chat: { id: chat, type: 'private' },
          from: { id: chat, is_bot: false, first_name: 'A', language_code: 'en' },
          text: '/start',
        },
      };
      const webhook = fetch(`${url}/telegram/webhook`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-telegram-bot-api-secret-token': TELEGRAM_SECRET },
        body: JSON.stringify(update),
      });

      // A slow client started after both, and cut off: the request timeout has passed for them too.
      const slow = await drip(
        port,
        'POST /v1/events HTTP/1.1\r\nhost: 127.0.0.1\r\ncontent-type: application/json\r\ncontent-length: 100\r\n' +
          `x-signature: sha256=${'0'.repeat(64)}\r\n\r\n`,
        '{'.repeat(100),
      );
      expect(statusLine(slow.answer)).toBe('HTTP/1.1 408 Request Timeout');

      telegram.release();
      expect((await webhook).status).toBe(200);
      expect(telegram.sent.some((body) => String(JSON.parse(body).chat_id) === String(chat))).toBe(true);

      const from = widget.frames.length;
      widget.send({ type: 'ping' });
      await widget.waitFor((f) => f.type === 'pong', { from });
      expect(widget.closed).toBeNull();
      expect((await fetch(`${url}/healthz`)).status).toBe(200);
      widget.close();
    });
  });

  describe('connection cap', () => {
    let t: TestDesk;
    let url: string;
    let port: number;
    beforeAll(async () => {
      port = await freePort();
      t = await startTestDesk({ store: 'postgres', env: { PORT: String(port), HTTP_MAX_CONNECTIONS: '2' } });
      url = await t.desk.listen();
    });
    afterAll(() => t?.stop());

    it('refuses the connection over the cap at once, counting widget sockets, and serves again once one closes', async () => {
      const widget = await WidgetClient.connect(url);
      const from = widget.frames.length;
      widget.send({ type: 'ping' });
      await widget.waitFor((f) => f.type === 'pong', { from });
      // A second connection, mid-request: the cap is reached.
      const holding = rawConnection(port);
      await holding.connected;
      holding.socket.write('GET /healthz HTTP/1.1\r\nhost: 127.0.0.1\r\n');
      await new Promise((resolve) => setImmediate(resolve));

      const over = rawConnection(port);
      over.socket.write('GET /healthz HTTP/1.1\r\nhost: 127.0.0.1\r\nconnection: close\r\n\r\n');
      await over.closed;
      expect(over.received()).toBe('');

      // The held request still completes; once it hangs up there is room again.
      holding.socket.write('connection: close\r\n\r\n');
      await holding.closed;
      expect(statusLine(holding.received())).toBe('HTTP/1.1 200 OK');
      expect((await fetch(`${url}/healthz`, { headers: { connection: 'close' } })).status).toBe(200);
      // And the widget socket was never disturbed.
      const again = widget.frames.length;
      widget.send({ type: 'ping' });
      await widget.waitFor((f) => f.type === 'pong', { from: again });
      widget.close();
    });
  });
});
