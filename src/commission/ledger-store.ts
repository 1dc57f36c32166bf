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
 * The change as data-modifying CTEs for a single-statement write. `gate` names a CTE that must have
 * produced a row for the change to apply (e.g. the refund that was settled).
 */
export function ledgerChangeCtes(p: SqlParams, change: LedgerChange, now: string, gate: string): string[] {
  const ctes: string[] = [];
  if (change.entries.length > 0) {
    const ids = entryIds(change.entries.length);
    const rows = change.entries.map((e, i) => ({ ...e, id: ids[i] }));
    ctes.push(`ce AS (
      INSERT INTO commission_entries (id, "orderId", "beneficiaryId", level, kind, "amountMinor", "balanceDeltaMinor", currency, "refundRequestId", reason, "dedupeKey", "createdAt")
      SELECT x.id, x."orderId", x."beneficiaryId", x.level, x.kind::"CommissionEntryKind", x."amountMinor", x."balanceDeltaMinor", x.currency,
        x."refundRequestId", x.reason, x."dedupeKey", ${now}
      FROM jsonb_to_recordset(${p.json(rows)}) AS x(id text, "orderId" text, "beneficiaryId" text, level int, kind text, "amountMinor" int,
        "balanceDeltaMinor" int, currency text, "refundRequestId" text, reason text, "dedupeKey" text)
      WHERE EXISTS (SELECT 1 FROM ${gate})
      ON CONFLICT ("dedupeKey") DO NOTHING)`);
  }
  if (change.notices.length > 0) {
    const rows = change.notices.map((n) => ({ ...n, id: newId('ntf') }));
    ctes.push(`cn AS (
      INSERT INTO notifications (id, "recipientId", "recipientKind", kind, locale, title, body, data, "dedupeKey", "createdAt")
      SELECT x.id, x."recipientId", 'beneficiary', x.kind, x.locale, x.title, x.body, x.data, x."dedupeKey", ${now}
      FROM jsonb_to_recordset(${p.json(rows)}) AS x(id text, "recipientId" text, kind text, locale text, title text, body text, data jsonb, "dedupeKey" text)
      WHERE EXISTS (SELECT 1 FROM ${gate})
      ON CONFLICT ("dedupeKey") DO NOTHING)`);
    // The same notice to every Telegram chat the beneficiary bound (M15), through the outbox.
    ctes.push(`ct AS (
      INSERT INTO outbox_messages (id, topic, payload, "dedupeKey", status, attempts, "availableAt", "createdAt")
      SELECT 'obx_' || md5(x."dedupeKey" || ':' || b."chatId"), 'telegram.send',
        jsonb_build_object('chatId', b."chatId", 'text', x.title || E'\n' || x.body), 'telegram:' || x."dedupeKey" || ':' || b."chatId",
        'pending', 0, ${now}, ${now}
      FROM jsonb_to_recordset(${p.json(rows)}) AS x(title text, body text, "recipientId" text, "dedupeKey" text)
      JOIN (SELECT DISTINCT "buyerId", "chatId" FROM chat_tokens WHERE channel = 'telegram' AND "chatId" IS NOT NULL) b ON b."buyerId" = x."recipientId"
      WHERE EXISTS (SELECT 1 FROM ${gate})
      ON CONFLICT ("dedupeKey") DO NOTHING)`);
  }
  if (change.callbacks.length > 0) {
    const rows = change.callbacks.map((c) => ({ ...c, id: newId('obx') }));
    ctes.push(`cc AS (
      INSERT INTO outbox_messages (id, topic, payload, "dedupeKey", status, attempts, "availableAt", "createdAt")
      SELECT x.id, x.topic, x.payload, x."dedupeKey", 'pending', 0, ${now}, ${now}
      FROM jsonb_to_recordset(${p.json(rows)}) AS x(id text, topic text, payload jsonb, "dedupeKey" text)
      WHERE EXISTS (SELECT 1 FROM ${gate})
      ON CONFLICT ("dedupeKey") DO NOTHING)`);
  }
  return ctes;
}

/** Which CTEs ledgerChangeCtes writes for a change (a statement's shape: shapedStatement). */
export function ledgerChangeShape(change: LedgerChange): string {
  return `e${change.entries.length > 0 ? 1 : 0}n${change.notices.length > 0 ? 1 : 0}c${change.callbacks.length > 0 ? 1 : 0}`;
}

/**
 * The same change inside the caller's Prisma transaction (the rare paths: cancel, agents): the very
 * statements the hot path inlines, run as one, so a rule about the ledger is written once.
 */
export async function applyLedgerChange(tx: Prisma.TransactionClient, change: LedgerChange, now = new Date()): Promise<void> {
  if (change.entries.length === 0 && change.notices.length === 0 && change.callbacks.length === 0) return;
  const p = new SqlParams();
  const ctes = ledgerChangeCtes(p, change, p.utc(now), 'gate');
  await tx.$executeRawUnsafe(`WITH gate AS (SELECT 1), ${ctes.join(',\n')} SELECT 1`, ...p.values);
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
