// Builds parameter lists for hand-written SQL: each value is pushed once and stands in the text as
// `$n::type`, so placeholders and casts cannot drift apart. Every parameter carries an explicit type,
// which PostgreSQL needs for expressions such as `$1::text IS NOT NULL`.
import { createHash } from 'node:crypto';
export class SqlParams {
  readonly values: unknown[] = [];

  /** A parameter of the given SQL type (an enum's quoted name, text, int, jsonb, ...). */
  add(value: unknown, type: string): string {
    this.values.push(value === undefined ? null : value);
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

const names = new Map<string, string>();

/**
 * A stable name per distinct statement text, so PostgreSQL keeps it prepared on each connection
 * (parsed and planned once). Remembered per text: the hot path's statements are built per request.
 */
export function statementName(text: string): string {
  let name = names.get(text);
  if (!name) {
    name = `rd_${createHash('sha1').update(text).digest('hex').slice(0, 16)}`;
    // A statement built from a value instead of a parameter would grow this without end: keep it bounded.
    if (names.size >= 1_000) names.clear();
    names.set(text, name);
  }
  return name;
}

const byShape = new Map<string, { text: string; name: string }>();

/**
 * A statement whose text follows from its shape alone (which optional parts it has; every value is a
 * parameter): the text and name first built for the shape. The builder still runs for the values, but
 * its long text is dropped unread, so it is not copied, hashed or compared again per request. A
 * text of another length under the same shape is a builder bug, and throws.
 */
export function shapedStatement(shape: string, text: string): { text: string; name: string } {
  const known = byShape.get(shape);
  if (known) {
    if (known.text.length !== text.length) throw new Error(`statement shape ${shape} built two different texts`);
    return known;
  }
  const entry = { text, name: statementName(text) };
  byShape.set(shape, entry);
  return entry;
}
