// Widget sessions: which buyer a browser's chat belongs to, across page loads and reconnects.
//
// The shop page carries a chat token (data-token, API.md "Chat identity"), short-lived and bound to one
// chat. The first hello binds it to a new session; the desk answers with the session's id and key,
// which the browser keeps (localStorage) and presents on every reconnect and reload. The key is an
// HMAC of the session, its buyer and when it was issued, so it cannot be forged or moved to another
// buyer, and it lapses after SESSION_TTL_MS. A page load with a fresh token of the same buyer keeps
// the session (and its history); a token of another buyer (another account signed in on the same
// browser) opens a new session, so one buyer never sees another's history; no token (nobody signed
// in) opens nothing, whatever session the browser remembers.
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { ChatTokenError, type ChatTokens, type TokenProblem } from '../../conversation/index.ts';

export const SESSION_TTL_MS = 30 * 24 * 3_600_000;
const CHANNEL = 'widget';

export interface SessionCredential {
  id: string;
  key: string;
}

export type OpenResult =
  | { ok: true; sessionId: string; buyerId: string; key: string; isNew: boolean }
  | { ok: false; problem: TokenProblem | 'missing' };

export interface Hello {
  token?: string | undefined;
  session?: SessionCredential | undefined;
  /** The browser's own device id (localStorage), a sighting for the risk rules (M11). */
  device?: string | undefined;
}

export class WidgetSessions {
  constructor(
    private readonly secret: string,
    private readonly chatTokens: ChatTokens,
    private readonly now: () => number = Date.now,
  ) {}

  private mac(sessionId: string, buyerId: string, issuedAtSec: number): string {
    return createHmac('sha256', this.secret)
      .update(`widget-session\n${sessionId}\n${buyerId}\n${issuedAtSec}`)
      .digest()
      .subarray(0, 18)
      .toString('base64url');
  }

  private keyFor(sessionId: string, buyerId: string): string {
    const issuedAtSec = Math.floor(this.now() / 1000);
    return `${issuedAtSec}.${this.mac(sessionId, buyerId, issuedAtSec)}`;
  }

  /** The buyer of a stored session when its key holds and has not lapsed; else null. */
  async buyerOfSession(credential: SessionCredential): Promise<string | null> {
    const [issued, mac] = credential.key.split('.', 2);
    const issuedAtSec = Number(issued);
    if (!mac || !Number.isSafeInteger(issuedAtSec) || issuedAtSec * 1000 + SESSION_TTL_MS < this.now()) return null;
    const buyerId = await this.chatTokens.buyerOf(CHANNEL, credential.id);
    if (!buyerId) return null;
    const expected = Buffer.from(this.mac(credential.id, buyerId, issuedAtSec));
    const given = Buffer.from(mac);
    return expected.length === given.length && timingSafeEqual(expected, given) ? buyerId : null;
  }

  /**
   * Opens the chat a hello asks for. The page's token says who is signed in to the shop; a stored
   * session resumes only for that same buyer. So a token is always needed: a session key alone (the
   * browser remembers a buyer who has since signed out) opens nothing, and another buyer's token,
   * fresh or spent, never opens this one's chat. A token of the session's own buyer that has expired
   * (the page stayed open) or was bound already (a reconnect, another tab) still resumes it: its
   * signature shows whose page it is, and the session key shows the browser held this chat.
   */
  async open(hello: Hello, ip: string | null): Promise<OpenResult> {
    if (!hello.token) return { ok: false, problem: 'missing' };
    const [sessionBuyer, pageBuyer] = await Promise.all([
      hello.session ? this.buyerOfSession(hello.session) : null,
      this.chatTokens.issuedTo(hello.token),
    ]);
    const resumes = hello.session !== undefined && sessionBuyer !== null && sessionBuyer === pageBuyer;
    const sessionId = resumes ? hello.session!.id : randomBytes(16).toString('base64url');
    try {
      // A new session is one sighting of the browser; reconnects and reloads are not new ones.
      const sighting = resumes ? {} : { deviceId: hello.device ? `widget:${hello.device}` : null, ip };
      const buyerId = await this.chatTokens.bind(hello.token, CHANNEL, sessionId, sighting);
      return { ok: true, sessionId, buyerId, key: this.keyFor(sessionId, buyerId), isNew: !resumes };
    } catch (error) {
      if (!(error instanceof ChatTokenError)) throw error;
      if (resumes) return { ok: true, sessionId, buyerId: sessionBuyer, key: this.keyFor(sessionId, sessionBuyer), isNew: false };
      return { ok: false, problem: error.problem };
    }
  }
}
