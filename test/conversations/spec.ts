// What a conversation of the suite is: who the buyer is (account, orders, usage), what they say and
// how they react, and what must be true in the desk's stored state at the end. Written from the
// buyer's side and the policy (MISSION.md M1–M4, M21–M23; issues 17 and 18), never from the bot's code.
import type { Locale } from '../../src/domain/catalog.ts';

export type ReasonCode = 'changed_mind' | 'unsatisfied' | 'cannot_use' | 'other';
export type RequestStatus = 'refunded' | 'refund_pending' | 'rejected' | 'in_review' | 'troubleshooting' | 'cancelled' | 'refund_failed';
export type Outcome = 'approved' | 'rejected' | 'review' | 'troubleshoot';
export type HandoffKind = 'policy_review' | 'appeal' | 'risk_review' | 'technical' | 'buyer_request';
export type PaymentMethod = 'wechat' | 'alipay' | 'card';

/** A usage fact the platform reported for an order (API.md `usage.recorded`). */
export type Usage =
  | { kind: 'course.progress'; value: number }
  | { kind: 'key.revealed' | 'key.copied' | 'key.activated' | 'file.downloaded' | 'membership.activated' | 'software.login' };

export interface OrderSpec {
  /** The product's key in the shop fixture (shop.ts). */
  product: string;
  /** How long before the conversation starts it was paid. */
  ageMinutes: number;
  usage?: Usage[];
  method?: PaymentMethod;
  /** Something that already happened to it before the chat: refunded through the shop, or a request left open. */
  before?: 'refunded' | 'open_troubleshooting';
}

export interface BuyerSpec {
  name: string;
  locale: Locale;
  accountAgeDays: number;
  /** The buyer's orders by a key local to the conversation. */
  orders: Record<string, OrderSpec>;
}

/** What must hold for one order at the end (its latest refund request), or `none`: no request was made in the chat. */
export type OrderExpectation =
  | 'none'
  | {
      status: RequestStatus | RequestStatus[];
      outcome?: Outcome;
      reason?: ReasonCode | ReasonCode[];
    };

/** How the buyer answers a question, per goal order. */
export interface OrderGoal {
  order: string;
  /** How the buyer names it when asked which order (product words, time words), in order of retries. */
  words: string[];
  /** The reason as the buyer has it: the standard code a button would say, and their own words. */
  reason?: { code: ReasonCode; words: string[] };
  /** After a troubleshooting guide: did it help? */
  afterGuide?: 'solved' | 'unsolved';
  guideWords?: string[];
  /** Whether the buyer takes a human appeal when one is offered after a refusal. */
  appeal?: boolean;
  appealWords?: string[];
  /** What the buyer says again when the bot did not get it. */
  rephrase?: string[];
}

export type Trigger = 'any' | 'order' | 'reason' | 'confirm' | 'guide';

export interface Persona {
  /** A typing buyer answers in words; a clicking one presses the button that fits. */
  style: 'typing' | 'buttons';
  goals: OrderGoal[];
  /** Whether they want the refund when the bot asks "shall I start one?". */
  confirm?: boolean;
  /** Scripted turns, each said once when its trigger comes up (in order): e.g. changing their mind. */
  beats?: Array<{ when: Trigger; say: string }>;
  /** What the buyer says again when the bot did not answer what they wanted (questions, status, a person). */
  rephrase?: string[];
  /** Presses the offer of a person as soon as the bot makes one. */
  takesPerson?: boolean;
}

/** What the answers must contain for a question the buyer asked (policy, status): product, figures. */
export interface AnswerExpectation {
  /** Every entry must appear in some reply (a string is matched case-insensitively; a regexp as is). */
  mentions: Array<string | RegExp>;
  /** None of these may appear (another product than the one asked about). */
  notMentions?: Array<string | RegExp>;
}

export interface Conversation {
  id: string;
  /** The conversation's language: every reply must be in it. */
  lang: Locale;
  /** Issue 18 bullets (and M-numbers) this conversation covers. */
  covers: string[];
  buyer: BuyerSpec;
  /** The buyer's first message(s), each a turn, sent whatever the bot answers. */
  opening: string[];
  persona: Persona;
  expect: {
    orders: Record<string, OrderExpectation>;
    /** The kinds of the handoffs opened during the chat (any order; exact multiset). */
    handoffs: HandoffKind[];
    answer?: AnswerExpectation;
    /** The bot's last answer asks nothing more about it (no order or reason question left hanging after a withdrawal). */
    settled?: boolean;
  };
  /** Buyer messages and presses a good bot needs. */
  ideal: number;
  /** The policy reason for the expectation. */
  why: string;
}

export const minutes = (n: number) => n;
export const hours = (n: number) => n * 60;
export const days = (n: number) => n * 24 * 60;

/** Approved and paid back (the sandbox pays at once; pending is also the money on its way). */
export const refunded = (reason?: ReasonCode | ReasonCode[]): OrderExpectation => ({
  status: ['refunded', 'refund_pending'],
  outcome: 'approved',
  ...(reason ? { reason } : {}),
});
/** Self-service refused by the policy. */
export const refused = (reason?: ReasonCode | ReasonCode[]): OrderExpectation => ({
  status: 'rejected',
  outcome: 'rejected',
  ...(reason ? { reason } : {}),
});
/** A guide was sent and is waiting for the buyer's answer, or a person took it on after it failed. */
export const guideFailed: OrderExpectation = { status: ['troubleshooting', 'in_review'], outcome: 'troubleshoot', reason: 'cannot_use' };
/** A guide solved it: the request is closed with no refund. */
export const guideSolved: OrderExpectation = { status: 'cancelled', outcome: 'troubleshoot', reason: 'cannot_use' };
/** The buyer withdrew an existing request. */
export const withdrawn: OrderExpectation = { status: 'cancelled' };

/** An order of a product, paid `ageMinutes` before the chat. */
export const order = (product: string, ageMinutes: number, extra: Omit<OrderSpec, 'product' | 'ageMinutes'> = {}): OrderSpec => ({
  product,
  ageMinutes,
  ...extra,
});
export const watched = (share: number): Usage => ({ kind: 'course.progress', value: share });
export const did = (kind: Exclude<Usage['kind'], 'course.progress'>): Usage => ({ kind }) as Usage;
