// The raw-SQL rule (src/store/sql-runner.ts): hand-written SQL lives in `*-store.ts` files and in
// store/ itself. Files that still hold raw SQL outside a store are listed here as known exceptions
// (issue 19 moved the refund writes; these reads remain); the list may only shrink.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

const SRC = new URL('../../src/', import.meta.url).pathname;

/** Known exceptions: raw SQL outside a `*-store.ts`, still to be moved into their module's store. */
const KNOWN = new Set(['conversation/conversation-log.ts', 'outbox/outbox.ts', 'risk/refund-monitor.ts']);

/** Calls that run hand-written SQL: the runner's query/exec, Prisma's raw escape hatches. */
const RAW =
  /\b(?:sql|tx|db|this\.sql)\.(?:query|exec)\s*[<(]|\$(?:queryRaw|executeRaw)(?:Unsafe)?\b|\b(?:INSERT INTO|UPDATE\s+\w+\s+SET|DELETE FROM)\b/;

function holdsRawSql(text: string): boolean {
  return RAW.test(text);
}

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? (name === 'generated' ? [] : files(path)) : name.endsWith('.ts') ? [path] : [];
  });
}

describe('raw SQL only in stores', () => {
  it('recognises the runner, Prisma raw calls and SQL writes, and not plain Prisma calls', () => {
    expect(holdsRawSql('await this.sql.query<Row>(`SELECT 1`)')).toBe(true);
    expect(holdsRawSql('await tx.$queryRaw`SELECT id FROM x FOR UPDATE`')).toBe(true);
    expect(holdsRawSql('await db.$executeRawUnsafe(text)')).toBe(true);
    expect(holdsRawSql('const s = `UPDATE refunds SET status = 1`')).toBe(true);
    expect(holdsRawSql('await prisma.refund.update({ where: { id } })')).toBe(false);
  });

  it('finds raw SQL in no file but stores, store/ and the known exceptions', () => {
    const offenders = files(SRC)
      .map((path) => relative(SRC, path))
      .filter((rel) => !rel.startsWith('store/') && !rel.endsWith('-store.ts') && !KNOWN.has(rel))
      .filter((rel) => holdsRawSql(readFileSync(join(SRC, rel), 'utf8')));
    expect(offenders).toEqual([]);
  });

  it('lists no exception that has been cleaned up (the list only shrinks)', () => {
    const stale = [...KNOWN].filter((rel) => !holdsRawSql(readFileSync(join(SRC, rel), 'utf8')));
    expect(stale).toEqual([]);
  });
});
