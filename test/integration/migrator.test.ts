import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { openDatabase, type Database } from '../../src/store/database.ts';
import { MIGRATIONS_DIR, MIGRATIONS_FINGERPRINT_KEY, listingFingerprint, migrate, readMigrations } from '../../src/store/migrator.ts';
import type { SqlRunner } from '../../src/store/sql-runner.ts';
import { createTestDatabase, postgresUp, type TestDatabase } from '../helpers/services.ts';

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

async function pglite(): Promise<Database> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'migrator-'));
  const db = await openDatabase({ kind: 'pglite', dataDir: dir });
  cleanups.push(async () => {
    await db.close();
    await fs.rm(dir, { recursive: true, force: true });
  });
  return db;
}

async function postgres(): Promise<{ db: Database; database: TestDatabase }> {
  const database = await createTestDatabase();
  const db = await openDatabase({ kind: 'postgres', url: database.url, poolSize: 4 });
  cleanups.push(async () => {
    await db.close();
    await database.drop();
  });
  return { db, database };
}

async function copyMigrations(): Promise<string> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'migrations-'));
  await fs.cp(MIGRATIONS_DIR, dir, { recursive: true });
  cleanups.push(() => fs.rm(dir, { recursive: true, force: true }));
  return dir;
}

async function tables(db: Database): Promise<string[]> {
  const rows = await db.sql.query<{ table_name: string }>(
    `SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' ORDER BY table_name`,
  );
  return rows.map((r) => r.table_name);
}

const all = (await readMigrations()).map((m) => m.name);

describe('migrator', () => {
  it('applies every migration to an empty PGlite, and re-applying is a no-op', async () => {
    const db = await pglite();
    expect(await migrate(db.sql)).toEqual({ applied: all, alreadyApplied: [] });
    const before = await tables(db);
    expect(before).toEqual(expect.arrayContaining(['_prisma_migrations', 'orders', 'refund_requests', 'outbox_messages']));
    expect(await migrate(db.sql)).toEqual({ applied: [], alreadyApplied: all });
    expect(await tables(db)).toEqual(before);
    expect(await db.prisma.order.count()).toBe(0);
  });

  it.skipIf(!postgresUp)('applies to an empty PostgreSQL, records Prisma-compatible rows, and re-applies as a no-op', async () => {
    const { db } = await postgres();
    expect((await migrate(db.sql)).applied).toEqual(all);
    const rows = await db.sql.query<{ migration_name: string; checksum: string; finished_at: Date | null; applied_steps_count: number }>(
      'SELECT migration_name, checksum, finished_at, applied_steps_count FROM "_prisma_migrations" ORDER BY migration_name',
    );
    const files = await readMigrations();
    expect(rows.map((r) => r.migration_name)).toEqual(all);
    expect(rows.map((r) => r.checksum)).toEqual(files.map((f) => f.checksum));
    expect(rows.every((r) => r.finished_at !== null && r.applied_steps_count === 1)).toBe(true);
    expect((await migrate(db.sql)).applied).toEqual([]);
  });

  it.skipIf(!postgresUp)('lets one of several concurrent migrators apply, the others wait and find it done', async () => {
    const { db, database } = await postgres();
    const others = await Promise.all([1, 2].map(() => openDatabase({ kind: 'postgres', url: database.url, poolSize: 2 })));
    cleanups.push(async () => {
      for (const o of others) await o.close();
    });
    const results = await Promise.all([db, ...others].map((d) => migrate(d.sql)));
    expect(results.map((r) => r.applied.length).sort()).toEqual([0, 0, all.length]);
  });

  it("fills refund_requests.productId from each request's order for data written before the column existed", async () => {
    const db = await pglite();
    const dir = await copyMigrations();
    const target = all.find((m) => m.endsWith('_refund_requests_product'))!;
    const later = all.filter((m) => m >= target);
    const parked = await fs.mkdtemp(path.join(os.tmpdir(), 'parked-'));
    cleanups.push(() => fs.rm(parked, { recursive: true, force: true }));
    for (const m of later) await fs.rename(path.join(dir, m), path.join(parked, m));
    await migrate(db.sql, dir);
    await db.sql.exec(`
      INSERT INTO merchants (id, name, "updatedAt") VALUES ('m', 'M', now());
      INSERT INTO products (id, "merchantId", title, category, "priceMinor", currency, "updatedAt") VALUES ('p', 'm', 'T', 'course', 9900, 'CNY', now());
      INSERT INTO buyers (id, "registeredAt", "updatedAt") VALUES ('b', now(), now());
      INSERT INTO orders (id, "buyerId", "productId", "amountMinor", currency, "paidAt", "paymentMethod", "paymentTransactionId")
        VALUES ('o', 'b', 'p', 9900, 'CNY', now(), 'wechat', 'tx');
      INSERT INTO refund_requests (id, "orderId", "buyerId", status, channel, "updatedAt") VALUES ('rr_old', 'o', 'b', 'rejected', 'shop', now());`);
    for (const m of later) await fs.rename(path.join(parked, m), path.join(dir, m));
    expect((await migrate(db.sql, dir)).applied).toEqual(later);
    expect(await db.sql.query(`SELECT "productId" FROM refund_requests WHERE id = 'rr_old'`)).toEqual([{ productId: 'p' }]);
  });

  it('refuses a migration edited after it was applied', async () => {
    const db = await pglite();
    const dir = await copyMigrations();
    await migrate(db.sql, dir);
    const file = path.join(dir, all[0]!, 'migration.sql');
    await fs.appendFile(file, '\n-- edited\n');
    await expect(migrate(db.sql, dir)).rejects.toThrow(/was changed after it was applied/);
  }, 120_000);

  it('rolls a failing migration back whole and says which one failed', async () => {
    const db = await pglite();
    const dir = await copyMigrations();
    await migrate(db.sql, dir);
    const bad = path.join(dir, '29991231000000_broken');
    await fs.mkdir(bad);
    await fs.writeFile(path.join(bad, 'migration.sql'), 'CREATE TABLE half_done (id int);\nSELECT * FROM no_such_table;\n');
    await expect(migrate(db.sql, dir)).rejects.toThrow(/29991231000000_broken failed/);
    expect(await tables(db)).not.toContain('half_done');
    const recorded = await db.sql.query(`SELECT 1 FROM "_prisma_migrations" WHERE migration_name = '29991231000000_broken'`);
    expect(recorded).toHaveLength(0);
    await fs.writeFile(path.join(bad, 'migration.sql'), 'CREATE TABLE half_done (id int);\n');
    expect((await migrate(db.sql, dir)).applied).toEqual(['29991231000000_broken']);
  });

  describe('start-up fast path (nothing changed: no SQL read, no lock)', () => {
    /** The runner with its lock and multi-statement scripts counted: the full path takes the lock. */
    function counting(sql: SqlRunner) {
      const counts = { locks: 0, execs: 0 };
      const runner: SqlRunner = {
        query: (text, params, name) => sql.query(text, params, name),
        exec: (script) => ((counts.execs += 1), sql.exec(script)),
        transaction: (fn) => sql.transaction(fn),
        withLock: (key, fn) => ((counts.locks += 1), sql.withLock(key, fn)),
      };
      return { runner, counts };
    }

    it("stores the folder listing's fingerprint and, unchanged, answers without the lock or reading a file", async () => {
      const db = await pglite();
      const dir = await copyMigrations();
      await migrate(db.sql, dir);
      const stored = await db.sql.query<{ value: string }>('SELECT value FROM app_meta WHERE key = $1', [MIGRATIONS_FINGERPRINT_KEY]);
      expect(stored[0]!.value.startsWith(`${await listingFingerprint(dir)} `)).toBe(true);
      const reads = vi.spyOn(fs, 'readFile');
      const { runner, counts } = counting(db.sql);
      try {
        expect(await migrate(runner, dir)).toEqual({ applied: [], alreadyApplied: all });
        expect(reads).not.toHaveBeenCalled();
      } finally {
        reads.mockRestore();
      }
      expect(counts).toEqual({ locks: 0, execs: 0 });
    }, 120_000);

    it('takes the full path when a file is touched, a migration is added, or the applied rows change', async () => {
      const db = await pglite();
      const dir = await copyMigrations();
      await migrate(db.sql, dir);
      // Touched (same content): the full path runs, finds everything applied, and stores the new listing.
      const first = path.join(dir, all[0]!, 'migration.sql');
      const later = new Date(Date.now() + 5_000);
      await fs.utimes(first, later, later);
      let probe = counting(db.sql);
      expect(await migrate(probe.runner, dir)).toEqual({ applied: [], alreadyApplied: all });
      expect(probe.counts.locks).toBe(1);
      probe = counting(db.sql);
      await migrate(probe.runner, dir);
      expect(probe.counts.locks).toBe(0);
      // A row marked rolled back by hand (prisma migrate resolve): the migration is run again, not
      // skipped (here it fails, its tables being there: the point is that it was tried).
      const init = all[0]!;
      await db.sql.query(`UPDATE "_prisma_migrations" SET rolled_back_at = now() WHERE migration_name = $1`, [init]);
      probe = counting(db.sql);
      await expect(migrate(probe.runner, dir)).rejects.toThrow(new RegExp(`${init} failed`));
      expect(probe.counts.locks).toBe(1);
    }, 120_000);

    it('takes the full path for a new migration and for an unfinished one', async () => {
      const db = await pglite();
      const dir = await copyMigrations();
      await migrate(db.sql, dir);
      const added = path.join(dir, '29991231000000_added');
      await fs.mkdir(added);
      await fs.writeFile(path.join(added, 'migration.sql'), 'CREATE TABLE added_later (id int);\n');
      expect((await migrate(db.sql, dir)).applied).toEqual(['29991231000000_added']);
      expect(await tables(db)).toContain('added_later');
      await db.sql.query(`UPDATE "_prisma_migrations" SET finished_at = NULL WHERE migration_name = '29991231000000_added'`);
      await expect(migrate(db.sql, dir)).rejects.toThrow(/did not finish/);
    }, 120_000);
  });
});
