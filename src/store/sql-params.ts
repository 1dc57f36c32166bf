// Builds parameter lists for hand-written SQL: each value is pushed once and stands in the text as
// `$n::type`, so placeholders and casts cannot drift apart. Every parameter carries an explicit type,
// which PostgreSQL needs for expressions such as `$1::text IS NOT NULL`.
import { createHash } from 'node:crypto';
export class SqlParams {
  readonly values: unknown[] = [];
  /** Each parameter's SQL type, in order (what batchedSelect declares them as). */
  readonly types: string[] = [];

  /** A parameter of the given SQL type (an enum's quoted name, text, int, jsonb, ...). */
  add(value: unknown, type: string): string {
    this.values.push(value === undefined ? null : value);
    this.types.push(type);
    return `$${this.values.length}::${type}`;
  }

  /** A JSON value stored as jsonb. */
  json(value: unknown): string {
    return this.add(value === null || value === undefined ? null : JSON.stringify(value), 'jsonb');
  }

  /**
   * A UTC instant for a `timestamp(3)` (without time zone) column, the way Prisma stores DateTime:
   * converted in SQL, so the session's time zone never shifts it.
   */
  utc(date: Date | null): string {
    return `(${this.add(date ? date.toISOString() : null, 'timestamptz')} AT TIME ZONE 'UTC')`;
  }
}

type Shaped = { text: string; name: string };

/** A stable name for a statement's text, so PostgreSQL keeps it prepared per connection. */
const statementName = (text: string) => `rd_${createHash('sha1').update(text).digest('hex').slice(0, 16)}`;

const byName = new Map<string, Shaped>();
const byOwner = new WeakMap<object, Shaped>();

/**
 * A statement whose text follows from its shape alone (every value a parameter), with a stable name
 * so PostgreSQL keeps it prepared on each connection. The shape is a name for which optional parts
 * the statement has, or the object whose SQL fragment fixes the text (a risk assessor for the refund
 * request's context read). The first text built for a shape is kept: the builder still runs for the
 * values, but its long text is dropped unread, so it is not copied, hashed or compared again per
 * request. A text of another length under the same shape is a builder bug, and throws.
 */
export function shapedStatement(shape: string | object, text: string): Shaped {
  const known = typeof shape === 'string' ? byName.get(shape) : byOwner.get(shape);
  if (known) {
    if (known.text.length !== text.length) throw new Error(`statement shape ${String(shape)} built two different texts`);
    return known;
  }
  const entry = { text, name: statementName(text) };
  if (typeof shape === 'string') byName.set(shape, entry);
  else byOwner.set(shape, entry);
  return entry;
}

/**
 * batchedSelect's texts by the single statement's text (the same string each time: shapedStatement
 * keeps it, so the lookup reuses its hash) and the limit; few, the hot path's reads.
 */
const batchedTexts = new Map<string, Map<number, Shaped>>();

/**
 * A SELECT built with SqlParams run for several items in one statement: the items' parameters become
 * the columns of a jsonb row set (`$n::type` turns into `k.pn::type`), and the SELECT runs once per
 * item as a LATERAL subquery with a LIMIT (never flattened into a join, so each item is looked up
 * by the indexes it was written for). Each row carries `item`, its item's position. The text follows
 * from the single statement's text and types alone, so it is the same for any number of items, and
 * is built (and named) once per single text.
 */
export function batchedSelect(
  single: { text: string; types: string[] },
  items: unknown[][],
  limitPerItem: number,
): { text: string; name: string; values: unknown[] } {
  let byLimit = batchedTexts.get(single.text);
  if (!byLimit) {
    byLimit = new Map();
    batchedTexts.set(single.text, byLimit);
  }
  let shaped = byLimit.get(limitPerItem);
  if (!shaped) {
    // Every value a parameter (the SqlParams form), so `$n::` appears nowhere but in placeholders.
    if (single.types.includes('json')) throw new Error('batchedSelect takes jsonb parameters, not json');
    const columns = single.types.map((type, i) => `p${i + 1} ${type}`).join(', ');
    const body = single.text.replace(/\$(\d+)::/g, 'k.p$1::');
    const text = `SELECT k.item, b.* FROM jsonb_to_recordset($1::jsonb) AS k(item int, ${columns})
    CROSS JOIN LATERAL (${body}
    LIMIT ${limitPerItem}) b`;
    shaped = { text, name: statementName(text) };
    byLimit.set(limitPerItem, shaped);
  }
  const rows = items.map((values, item) => {
    const row: Record<string, unknown> = { item };
    values.forEach((value, i) => {
      // A jsonb parameter was passed as JSON text; in the row set it is the JSON value itself.
      row[`p${i + 1}`] = single.types[i] === 'jsonb' && typeof value === 'string' ? JSON.parse(value) : value;
    });
    return row;
  });
  return { ...shaped, values: [JSON.stringify(rows)] };
}
