// The widget's sockets on this instance, counted three ways so that no one can hold more than a fair
// share: per chat session (a buyer's tabs), per client address, and in all. A socket over a cap is
// refused; the ones already held keep working. The caps are per instance: behind a load balancer a
// session's tabs may spread over several instances, each with its own count, which still bounds
// what one session or address can hold in total.
import { CLOSE } from './widget-protocol.ts';

export interface SocketCaps {
  /** Sockets (tabs, windows) of one chat session. */
  perSession: number;
  /** Sockets from one client address (a household or office behind one NAT shares it). */
  perAddress: number;
  /** Sockets this instance holds in all, opened chats or not. */
  perInstance: number;
}

export const DEFAULT_SOCKET_CAPS: SocketCaps = { perSession: 10, perAddress: 200, perInstance: 10_000 };

export interface Refusal {
  cap: keyof SocketCaps;
  /** The WebSocket close code and reason the socket is closed with. */
  code: number;
  reason: string;
}

export class SocketLedger<S> {
  private readonly addressOf = new Map<S, string>();
  private readonly sessionOf = new Map<S, string>();
  private readonly byAddress = new Map<string, number>();
  private readonly bySession = new Map<string, Set<S>>();

  constructor(readonly caps: SocketCaps = DEFAULT_SOCKET_CAPS) {}

  /** Counts a new socket in, or says which cap it is over (then nothing is counted). */
  admit(socket: S, address: string): Refusal | null {
    if (this.addressOf.size >= this.caps.perInstance) {
      return { cap: 'perInstance', code: CLOSE.tryAgainLater, reason: 'desk at capacity, try again later' };
    }
    const fromAddress = this.byAddress.get(address) ?? 0;
    if (fromAddress >= this.caps.perAddress) {
      return { cap: 'perAddress', code: CLOSE.tooManySockets, reason: 'too many chat sockets from this address' };
    }
    this.addressOf.set(socket, address);
    this.byAddress.set(address, fromAddress + 1);
    return null;
  }

  /** Adds an admitted socket to its chat session, or says it is one tab too many. Synchronous, so two hellos cannot both take the last place. */
  join(socket: S, sessionId: string): Refusal | null {
    let set = this.bySession.get(sessionId);
    if (set?.has(socket)) return null;
    if ((set?.size ?? 0) >= this.caps.perSession) {
      return { cap: 'perSession', code: CLOSE.tooManySockets, reason: 'too many sockets for this chat session' };
    }
    if (!set) this.bySession.set(sessionId, (set = new Set()));
    set.add(socket);
    this.sessionOf.set(socket, sessionId);
    return null;
  }

  /** Counts a closed socket out of everything it was counted in. */
  leave(socket: S): void {
    const address = this.addressOf.get(socket);
    if (address !== undefined) {
      this.addressOf.delete(socket);
      const left = (this.byAddress.get(address) ?? 1) - 1;
      if (left > 0) this.byAddress.set(address, left);
      else this.byAddress.delete(address);
    }
    const sessionId = this.sessionOf.get(socket);
    if (sessionId !== undefined) {
      this.sessionOf.delete(socket);
      const set = this.bySession.get(sessionId);
      set?.delete(socket);
      if (set?.size === 0) this.bySession.delete(sessionId);
    }
  }

  /** The sockets of one chat session held here. */
  ofSession(sessionId: string): Iterable<S> {
    return this.bySession.get(sessionId) ?? [];
  }

  /** Every socket held here. */
  all(): S[] {
    return [...this.addressOf.keys()];
  }

  get size(): number {
    return this.addressOf.size;
  }
}
