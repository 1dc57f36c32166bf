// The verdict on a conversation, read from the desk's stored state, not from what the bot said: each
// order's latest refund request (status, outcome, stored reason code), the handoffs opened in the
// chat, nothing refunded twice, nothing done to an order the buyer did not mean. Answers to questions
// (policy, status) are the exception: there the reply is the outcome, so it must name what was asked.
import type { PrismaClient } from '../../src/store/database.ts';
import { readQuestion, type BuyerView } from './buyer-sim.ts';
import type { BotLine } from './reply-checks.ts';
import type { SeededBuyer } from './shop.ts';
import type { AnswerExpectation, Conversation, OrderExpectation } from './spec.ts';

export interface Snapshot {
  /** Request ids that existed before the chat, with their status then. */
  requests: Map<string, string>;
  handoffs: Set<string>;
}

export async function snapshot(prisma: PrismaClient, buyerId: string): Promise<Snapshot> {
  const [requests, handoffs] = await Promise.all([
    prisma.refundRequest.findMany({ where: { buyerId }, select: { id: true, status: true } }),
    prisma.handoff.findMany({ where: { buyerId }, select: { id: true } }),
  ]);
  return { requests: new Map(requests.map((r) => [r.id, r.status])), handoffs: new Set(handoffs.map((h) => h.id)) };
}

export interface Verdict {
  ok: boolean;
  failures: string[];
  /**
   * Whether the buyer has, as far as they can tell, what they came for: each order where they wanted
   * it, the person they were promised, their question answered. A wrong stored reason or a ticket
   * nobody asked for is invisible to them, so they stop there (and the conversation still fails).
   */
  satisfied: boolean;
  view: BuyerView;
}

const list = <T>(x: T | T[] | undefined): T[] | undefined => (x === undefined ? undefined : Array.isArray(x) ? x : [x]);

function describe(r: { status: string; outcome: string | null; reasonCode: string | null } | undefined): string {
  return r ? `${r.status} (${r.outcome ?? 'no outcome'}, reason ${r.reasonCode ?? 'none'})` : 'no request';
}

/** What is wrong with one order, and whether the order is where the buyer wanted it (status and outcome). */
function orderFailure(
  key: string,
  expected: OrderExpectation,
  latest: { id: string; status: string; outcome: string | null; reasonCode: string | null } | undefined,
  before: Snapshot,
): { failure: string | null; reached: boolean } {
  if (expected === 'none') {
    const was = latest ? before.requests.get(latest.id) : undefined;
    const failure = !latest
      ? null
      : was === undefined
        ? `${key}: expected no refund request, got ${describe(latest)}`
        : was !== latest.status
          ? `${key}: expected its earlier request left as it was (${was}), got ${describe(latest)}`
          : null;
    return { failure, reached: failure === null };
  }
  if (!latest) return { failure: `${key}: expected ${list(expected.status)!.join('|')}, got no request`, reached: false };
  const problems: string[] = [];
  if (!list(expected.status)!.includes(latest.status as never)) problems.push(`status ${list(expected.status)!.join('|')}`);
  if (expected.outcome && expected.outcome !== latest.outcome) problems.push(`outcome ${expected.outcome}`);
  const reached = problems.length === 0;
  const reasons = list(expected.reason);
  if (reasons && !reasons.includes(latest.reasonCode as never)) problems.push(`reason ${reasons.join('|')}`);
  return { failure: problems.length ? `${key}: expected ${problems.join(', ')}; got ${describe(latest)}` : null, reached };
}

function answerFailures(answer: AnswerExpectation | undefined, replies: string[]): string[] {
  if (!answer) return [];
  const all = replies.join('\n');
  const has = (m: string | RegExp) => (typeof m === 'string' ? all.toLowerCase().includes(m.toLowerCase()) : m.test(all));
  const failures = answer.mentions.filter((m) => !has(m)).map((m) => `answer: never mentioned ${String(m)}`);
  for (const m of answer.notMentions ?? []) if (has(m)) failures.push(`answer: mentioned ${String(m)}, which the buyer did not ask about`);
  return failures;
}

/** Checks everything the conversation expects; `view` is what the simulated buyer may know of it. */
export async function judge(
  prisma: PrismaClient,
  conv: Conversation,
  seeded: SeededBuyer,
  before: Snapshot,
  replies: string[],
  last: BotLine[] = [],
): Promise<Verdict> {
  const [requests, handoffs, refunds] = await Promise.all([
    prisma.refundRequest.findMany({ where: { buyerId: seeded.buyerId }, orderBy: [{ createdAt: 'asc' }, { id: 'asc' }] }),
    prisma.handoff.findMany({ where: { buyerId: seeded.buyerId } }),
    prisma.refund.findMany({ where: { orderId: { in: Object.values(seeded.orders) }, status: { in: ['pending', 'succeeded'] } } }),
  ]);
  const failures: string[] = [];
  const view: BuyerView = { goalDone: {}, refused: {}, personInvolved: false };
  for (const [key, orderId] of Object.entries(seeded.orders)) {
    const latest = requests.filter((r) => r.orderId === orderId).at(-1);
    const expected = conv.expect.orders[key] ?? 'none';
    const { failure, reached } = orderFailure(key, expected, latest, before);
    if (failure) failures.push(failure);
    view.goalDone[key] = reached;
    view.refused[key] = latest?.status === 'rejected' && !before.requests.has(latest.id);
    const paid = refunds.filter((r) => r.orderId === orderId);
    if (paid.length > 1) failures.push(`${key}: refunded ${paid.length} times`);
    // A refund asked for any reason but a problem never goes through a troubleshooting guide (M10).
    const guided = expected !== 'none' && expected.outcome !== 'troubleshoot';
    const detour = requests.find((r) => r.orderId === orderId && !before.requests.has(r.id) && r.outcome === 'troubleshoot');
    if (guided && detour)
      failures.push(`${key}: was sent a troubleshooting guide (request stored as ${detour.reasonCode}) though the buyer named no problem`);
  }
  for (const r of requests) {
    if (!before.requests.has(r.id) && r.channel !== 'widget')
      failures.push(`request ${r.orderId} stored with channel ${r.channel}, not widget`);
  }
  const opened = handoffs.filter((h) => !before.handoffs.has(h.id)).map((h) => h.kind as string);
  view.personInvolved = opened.length > 0;
  const want = [...conv.expect.handoffs].sort();
  const got = [...opened].sort();
  if (want.join(',') !== got.join(',')) failures.push(`handoffs: expected [${want.join(', ')}], got [${got.join(', ')}]`);
  const missing = want.filter((kind) => !got.includes(kind));
  const unanswered = answerFailures(conv.expect.answer, replies);
  failures.push(...unanswered);
  if (conv.expect.settled) {
    const pending = readQuestion(last).question;
    if (pending === 'order' || pending === 'reason' || pending === 'confirm')
      failures.push(`the bot still asks the ${pending} question of a refund the buyer dropped`);
  }
  const satisfied = Object.values(view.goalDone).every(Boolean) && missing.length === 0 && unanswered.length === 0;
  return { ok: failures.length === 0, failures, satisfied, view };
}

/** Orders the bot offers as buttons that can no longer be acted on: refunded, being paid, or with a request open. */
export async function staleOffers(prisma: PrismaClient, lines: BotLine[]): Promise<string[]> {
  const offered = lines
    .flatMap((l) => l.buttons.map((b) => b.action))
    .filter((a) => a.startsWith('order:'))
    .map((a) => a.slice('order:'.length));
  if (offered.length === 0) return [];
  const requests = await prisma.refundRequest.findMany({
    where: { orderId: { in: offered }, status: { in: ['refunded', 'refund_pending', 'in_review', 'troubleshooting', 'deciding'] } },
    select: { orderId: true },
  });
  return [...new Set(requests.map((r) => r.orderId))];
}
