// Reading and writing the ledger: the one implementation of a ledger change (the hot path inlines its
// statements in its own single-statement writes; the rare paths run them inside their transactions).
// Writes never update a row: a change is inserted, each entry, notice and platform call under its
// dedupe key (a repeat inserts nothing).
import { localeOrDefault, type Locale } from '../domain/index.ts';
import type { Prisma } from '../generated/prisma/client.ts';
import { newId } from '../ids.ts';
import type { PrismaClient } from '../store/index.ts';
import { SqlParams } from '../store/index.ts';
import type { LedgerChange } from './ledger-change.ts';
import type { LedgerEntry } from './ledger.ts';

type Db = PrismaClient | Prisma.TransactionClient;

/** Ids within one change sort in the order the entries were made. */
function entryIds(count: number): string[] {
  const base = newId('ce');
  return Array.from({ length: count }, (_, i) => `${base}${String(i).padStart(3, '0')}`);
}

/**
 * One change in a statement that may write several (one per refund request of a batch): it applies
 * only if its gate row was written (`gate` is that row's id in the statement's gate CTE), and its
 * rows are stamped with its own time.
 */
export interface GatedChange {
  change: LedgerChange;
  now: Date;
  gate: string;
}

/**
 * The changes as data-modifying CTEs for a single-statement write. `gateCte` names a CTE returning
 * `id`s: a change applies only if its gate is among them (e.g. the refund that was settled).
 */
export function ledgerChangeCtes(p: SqlParams, changes: GatedChange[], gateCte: string): string[] {
  const ctes: string[] = [];
  const gated = `WHERE x.gate IN (SELECT id FROM ${gateCte})`;
  const entries = changes.flatMap(({ change, now, gate }) => {
    const ids = entryIds(change.entries.length);
    return change.entries.map((e, i) => ({ ...e, id: ids[i], gate, createdAt: now.toISOString() }));
  });
  if (entries.length > 0) {
    ctes.push(`ce AS (
      INSERT INTO commission_entries (id, "orderId", "beneficiaryId", level, kind, "amountMinor", "balanceDeltaMinor", currency, "refundRequestId", reason, "dedupeKey", "createdAt")
      SELECT x.id, x."orderId", x."beneficiaryId", x.level, x.kind::"CommissionEntryKind", x."amountMinor", x."balanceDeltaMinor", x.currency,
        x."refundRequestId", x.reason, x."dedupeKey", x."createdAt" AT TIME ZONE 'UTC'
      FROM jsonb_to_recordset(${p.json(entries)}) AS x(id text, "orderId" text, "beneficiaryId" text, level int, kind text, "amountMinor" int,
        "balanceDeltaMinor" int, currency text, "refundRequestId" text, reason text, "dedupeKey" text, gate text, "createdAt" timestamptz)
      ${gated}
      ON CONFLICT ("dedupeKey") DO NOTHING)`);
  }
  const notices = changes.flatMap(({ change, now, gate }) =>
    change.notices.map((n) => ({ ...n, id: newId('ntf'), gate, createdAt: now.toISOString() })),
  );
  if (notices.length > 0) {
    const rows = p.json(notices);
    ctes.push(`cn AS (
      INSERT INTO notifications (id, "recipientId", "recipientKind", kind, locale, title, body, data, "dedupeKey", "createdAt")
      SELECT x.id, x."recipientId", 'beneficiary', x.kind, x.locale, x.title, x.body, x.data, x."dedupeKey", x."createdAt" AT TIME ZONE 'UTC'
      FROM jsonb_to_recordset(${rows}) AS x(id text, "recipientId" text, kind text, locale text, title text, body text, data jsonb, "dedupeKey" text,
        gate text, "createdAt" timestamptz)
      ${gated}
      ON CONFLICT ("dedupeKey") DO NOTHING)`);
    // The same notice to every Telegram chat the beneficiary bound (M15), through the outbox: each
    // beneficiary's chats looked up by its index (a join with all the bound chats read them all).
    ctes.push(`ct AS (
      INSERT INTO outbox_messages (id, topic, payload, "dedupeKey", status, attempts, "availableAt", "createdAt")
      SELECT 'obx_' || md5(x."dedupeKey" || ':' || b."chatId"), 'telegram.send',
        jsonb_build_object('chatId', b."chatId", 'text', x.title || E'\n' || x.body), 'telegram:' || x."dedupeKey" || ':' || b."chatId",
        'pending', 0, x."createdAt" AT TIME ZONE 'UTC', x."createdAt" AT TIME ZONE 'UTC'
      FROM jsonb_to_recordset(${rows}) AS x(title text, body text, "recipientId" text, "dedupeKey" text, gate text, "createdAt" timestamptz)
      CROSS JOIN LATERAL (SELECT DISTINCT t."chatId" FROM chat_tokens t
        WHERE t."buyerId" = x."recipientId" AND t.channel = 'telegram' AND t."chatId" IS NOT NULL) b
      ${gated}
      ON CONFLICT ("dedupeKey") DO NOTHING)`);
  }
  const callbacks = changes.flatMap(({ change, now, gate }) =>
    change.callbacks.map((c) => ({ ...c, id: newId('obx'), gate, createdAt: now.toISOString() })),
  );
  if (callbacks.length > 0) {
    ctes.push(`cc AS (
      INSERT INTO outbox_messages (id, topic, payload, "dedupeKey", status, attempts, "availableAt", "createdAt")
      SELECT x.id, x.topic, x.payload, x."dedupeKey", 'pending', 0, x."createdAt" AT TIME ZONE 'UTC', x."createdAt" AT TIME ZONE 'UTC'
      FROM jsonb_to_recordset(${p.json(callbacks)}) AS x(id text, topic text, payload jsonb, "dedupeKey" text, gate text, "createdAt" timestamptz)
      ${gated}
      ON CONFLICT ("dedupeKey") DO NOTHING)`);
  }
  return ctes;
}

/** Which CTEs ledgerChangeCtes writes for these changes (a statement's shape: shapedStatement). */
export function ledgerChangeShape(changes: LedgerChange[]): string {
  const has = (f: (c: LedgerChange) => unknown[]) => (changes.some((c) => f(c).length > 0) ? 1 : 0);
  return `e${has((c) => c.entries)}n${has((c) => c.notices)}c${has((c) => c.callbacks)}`;
}

/**
 * The same change inside the caller's Prisma transaction (the rare paths: cancel, agents): the very
 * statements the hot path inlines, run as one, so a rule about the ledger is written once.
 */
export async function applyLedgerChange(tx: Prisma.TransactionClient, change: LedgerChange, now = new Date()): Promise<void> {
  if (change.entries.length === 0 && change.notices.length === 0 && change.callbacks.length === 0) return;
  const p = new SqlParams();
  const ctes = ledgerChangeCtes(p, [{ change, now, gate: 'change' }], 'gate');
  await tx.$executeRawUnsafe(`WITH gate AS (SELECT 'change'::text AS id), ${ctes.join(',\n')} SELECT 1`, ...p.values);
}

export async function orderLedger(db: Db, orderId: string): Promise<LedgerEntry[]> {
  return db.commissionEntry.findMany({
    where: { orderId },
    orderBy: [{ createdAt: 'asc' }, { id: 'asc' }],
    select: {
      orderId: true,
      beneficiaryId: true,
      level: true,
      kind: true,
      amountMinor: true,
      balanceDeltaMinor: true,
      currency: true,
      refundRequestId: true,
      reason: true,
      dedupeKey: true,
    },
  });
}

/** Each beneficiary's language (accounts without one hear Chinese, the platform's first language). */
export async function beneficiaryLocales(db: Db, beneficiaryIds: string[]): Promise<Record<string, Locale>> {
  const rows = await db.buyer.findMany({ where: { id: { in: beneficiaryIds } }, select: { id: true, locale: true } });
  return Object.fromEntries(rows.map((r) => [r.id, localeOrDefault(r.locale)]));
}
