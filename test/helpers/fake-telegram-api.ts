// A minimal Telegram Bot API for the load-and-fault suite: records what the bots send (sendMessage,
// keyboards, callback answers) and answers getMe and setWebhook. telegram-test-api covers the e2e
// tests; this one only has to take a flood of sends from three instances and say who got what.
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface SentMessage {
  chatId: string;
  text: string;
  at: number;
}

export class FakeTelegramApi {
  readonly sent: SentMessage[] = [];
  readonly calls = new Map<string, number>();
  private server: http.Server | null = null;
  private messageId = 0;
  url = '';

  /** Listens on `port` (any free one by default). */
  async start(port = 0): Promise<string> {
    this.server = http.createServer((req, res) => {
      let body = '';
      req.setEncoding('utf8');
      req.on('data', (chunk: string) => (body += chunk));
      req.on('end', () => {
        const method = (req.url ?? '').split('/').pop()!.split('?')[0]!;
        this.calls.set(method, (this.calls.get(method) ?? 0) + 1);
        let args: Record<string, unknown> = {};
        try {
          args = body ? (JSON.parse(body) as Record<string, unknown>) : {};
        } catch {
          args = Object.fromEntries(new URLSearchParams(body));
        }
        res.setHeader('content-type', 'application/json');
        if (method === 'getMe') return void res.end(JSON.stringify({ ok: true, result: { id: 42, is_bot: true, first_name: 'Refund desk', username: 'refund_desk_bot' } }));
        if (method === 'sendMessage') {
          this.messageId += 1;
          this.sent.push({ chatId: String(args.chat_id), text: String(args.text ?? ''), at: Date.now() });
          return void res.end(JSON.stringify({ ok: true, result: { message_id: this.messageId, date: Math.floor(Date.now() / 1000), chat: { id: Number(args.chat_id), type: 'private' }, text: args.text } }));
        }
        res.end(JSON.stringify({ ok: true, result: true }));
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(port, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this.url;
  }

  sentTo(chatId: string): SentMessage[] {
    return this.sent.filter((m) => m.chatId === chatId);
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}
