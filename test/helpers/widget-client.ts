// A browser's side of the widget protocol, for tests: opens the socket, records every frame, waits
// for frames by predicate.
import WebSocket from 'ws';
import type { ServerFrame } from '../../src/channels/widget/widget-protocol.ts';

export class WidgetClient {
  readonly frames: ServerFrame[] = [];
  closed: { code: number; reason: string } | null = null;
  private waiters: Array<() => void> = [];

  private constructor(readonly socket: WebSocket) {
    socket.on('message', (data) => {
      this.frames.push(JSON.parse(data.toString()) as ServerFrame);
      this.wake();
    });
    socket.on('close', (code, reason) => {
      this.closed = { code, reason: reason.toString() };
      this.wake();
    });
    socket.on('error', () => undefined);
  }

  static async connect(baseUrl: string, headers: Record<string, string> = {}): Promise<WidgetClient> {
    const socket = new WebSocket(`${baseUrl.replace(/^http/, 'ws')}/widget/ws`, { headers });
    const client = new WidgetClient(socket);
    await new Promise<void>((resolve, reject) => {
      socket.once('open', () => resolve());
      socket.once('error', reject);
      socket.once('close', () => resolve());
    });
    return client;
  }

  private wake() {
    for (const w of this.waiters.splice(0)) w();
  }

  send(frame: unknown): void {
    this.socket.send(typeof frame === 'string' ? frame : JSON.stringify(frame));
  }

  /** Waits until `count` frames after index `from` match, and returns them. */
  async waitFor<T extends ServerFrame = ServerFrame>(
    match: (f: ServerFrame) => boolean,
    options: { count?: number; from?: number; timeoutMs?: number } = {},
  ): Promise<T[]> {
    const { count = 1, from = 0, timeoutMs = 15_000 } = options;
    const until = Date.now() + timeoutMs;
    for (;;) {
      const found = this.frames.slice(from).filter(match) as T[];
      if (found.length >= count) return found;
      if (Date.now() > until)
        throw new Error(`timed out waiting for ${count} frame(s); got: ${JSON.stringify(this.frames.slice(from)).slice(0, 1_500)}`);
      if (this.closed)
        throw new Error(
          `socket closed (${this.closed.code} ${this.closed.reason}) while waiting; got: ${JSON.stringify(this.frames.slice(from)).slice(0, 1_500)}`,
        );
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, Math.max(10, until - Date.now()));
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  async waitClosed(timeoutMs = 5_000): Promise<{ code: number; reason: string }> {
    const until = Date.now() + timeoutMs;
    while (!this.closed && Date.now() < until) await new Promise((r) => setTimeout(r, 20));
    if (!this.closed) throw new Error('socket did not close');
    return this.closed;
  }

  close(): void {
    this.socket.close();
  }
}

export const isReply = (f: ServerFrame): f is Extract<ServerFrame, { type: 'message' }> => f.type === 'message' && f.direction === 'out';
export const isEcho = (f: ServerFrame): f is Extract<ServerFrame, { type: 'message' }> => f.type === 'message' && f.direction === 'in';
