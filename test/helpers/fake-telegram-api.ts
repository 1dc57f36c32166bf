// A minimal Telegram Bot API for the load-and-fault suite and the reply-delivery tests: records what
// the bots send (sendMessage, keyboards, callback answers) and answers getMe and setWebhook.
// telegram-test-api covers the e2e tests; this one only has to take a flood of sends from three
// instances, say who got what, and fail sends the way Telegram does when a test asks it to.
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface SentMessage {
  chatId: string;
  text: string;
  at: number;
  /** The inline keyboard's callback data, in order. */
  buttons: string[];
}

/**
 * How the next sendMessage fails, as Telegram answers: an error code with its description (429 with
 * retry_after, 403 "bot was blocked by the user", 5xx), or `hang` (no answer, nothing sent).
 */
export type SendFault = { code: number; description: string; retryAfter?: number } | 'hang';

export class FakeTelegramApi {
  readonly sent: SentMessage[] = [];
  readonly calls = new Map<string, number>();
  /** Faults for the next sendMessage calls, in order. */
  readonly sendFaults: SendFault[] = [];
  /** sendMessage calls that were answered with a fault (nothing sent). */
  readonly refused: Array<{ chatId: string; text: string; code: number | 'hang' }> = [];
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
        if (method === 'getMe')
          return void res.end(
            JSON.stringify({ ok: true, result: { id: 42, is_bot: true, first_name: 'Refund desk', username: 'refund_desk_bot' } }),
          );
        // Long polling: no updates, answered after a short wait (as a real long poll would, without a tight loop).
        if (method === 'getUpdates') return void setTimeout(() => res.end(JSON.stringify({ ok: true, result: [] })), 200).unref();
        if (method === 'sendMessage') {
          const fault = this.sendFaults.shift();
          if (fault) {
            this.refused.push({
              chatId: String(args.chat_id),
              text: String(args.text ?? ''),
              code: fault === 'hang' ? 'hang' : fault.code,
            });
            if (fault === 'hang') return; // Never answered; the socket closes when the server stops.
            res.statusCode = fault.code;
            return void res.end(
              JSON.stringify({
                ok: false,
                error_code: fault.code,
                description: fault.description,
                ...(fault.retryAfter ? { parameters: { retry_after: fault.retryAfter } } : {}),
              }),
            );
          }
          this.messageId += 1;
          const markup = (typeof args.reply_markup === 'string' ? JSON.parse(args.reply_markup) : args.reply_markup) as
            | { inline_keyboard?: Array<Array<{ callback_data: string }>> }
            | undefined;
          const buttons = (markup?.inline_keyboard ?? []).flat().map((b) => b.callback_data);
          this.sent.push({ chatId: String(args.chat_id), text: String(args.text ?? ''), at: Date.now(), buttons });
          return void res.end(
            JSON.stringify({
              ok: true,
              result: {
                message_id: this.messageId,
                date: Math.floor(Date.now() / 1000),
                chat: { id: Number(args.chat_id), type: 'private' },
                text: args.text,
              },
            }),
          );
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
