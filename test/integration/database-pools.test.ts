// The PostgreSQL connections of one instance (src/store/database.ts): named statements (the hot
// path's) run on connections that plan each statement once for any parameters, so a new connection
// does not stall the requests behind it re-planning the refund request's context statement; Prisma
// and unnamed SQL keep PostgreSQL's default. Both pools together stay within DATABASE_POOL_SIZE.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MIN_SPLIT_POOL_SIZE, openDatabase, type Database } from '../../src/store/database.ts';
import { createTestDatabase, postgresUp, type TestDatabase } from '../helpers/services.ts';

describe.skipIf(!postgresUp)('PostgreSQL pools', () => {
  let database: TestDatabase;
  let db: Database;
  beforeAll(async () => {
    database = await createTestDatabase();
    db = await openDatabase({ kind: 'postgres', url: database.url, poolSize: 4 });
  });
  afterAll(async () => {
    await db?.close();
    await database?.drop();
  });

  const mode = async (named: boolean) =>
    (await db.sql.query<{ plan_cache_mode: string }>('SHOW plan_cache_mode', [], named ? 'rd_test_show_plan_mode' : undefined))[0]!
      .plan_cache_mode;

  it('plans named statements once, generically, from their first run; everything else as PostgreSQL does by default', async () => {
    // Every connection the pool opens is set, not only the first: several at once.
    expect(await Promise.all([1, 2, 3].map(() => mode(true)))).toEqual(['force_generic_plan', 'force_generic_plan', 'force_generic_plan']);
    expect(await mode(false)).toBe('auto');
    const [prisma] = await db.prisma.$queryRawUnsafe<Array<{ plan_cache_mode: string }>>('SHOW plan_cache_mode');
    expect(prisma!.plan_cache_mode).toBe('auto');
    // A transaction keeps to its one connection, named statements included.
    expect(
      await db.sql.transaction(
        async (tx) =>
          (await tx.query<{ plan_cache_mode: string }>('SHOW plan_cache_mode', [], 'rd_test_show_plan_mode'))[0]!.plan_cache_mode,
      ),
    ).toBe('auto');
  });

  it('keeps one pool below MIN_SPLIT_POOL_SIZE, where the migrator still gets a connection beside its lock', async () => {
    const small = await openDatabase({ kind: 'postgres', url: database.url, poolSize: MIN_SPLIT_POOL_SIZE - 1 });
    try {
      const [row] = await small.sql.query<{ plan_cache_mode: string }>('SHOW plan_cache_mode', [], 'rd_test_show_plan_mode');
      expect(row!.plan_cache_mode).toBe('auto');
      expect(await small.sql.withLock(42, async () => (await small.sql.query<{ one: number }>('SELECT 1 AS one'))[0]!.one)).toBe(1);
    } finally {
      await small.close();
    }
  });

  it('opens no more connections than the pool size, however many statements are in flight', async () => {
    const sleepers = Array.from({ length: 12 }, (_, i) =>
      i % 2 === 0 ? db.sql.query('SELECT pg_sleep(0.2)', [], 'rd_test_sleep') : db.sql.query('SELECT pg_sleep(0.2)'),
    );
    await new Promise((resolve) => setTimeout(resolve, 100));
    const [row] = await db.prisma.$queryRawUnsafe<Array<{ n: number }>>(
      'SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND backend_type = $1',
      'client backend',
    );
    await Promise.all(sleepers);
    expect(row!.n).toBeLessThanOrEqual(4);
    expect(row!.n).toBeGreaterThanOrEqual(2);
  });
});
