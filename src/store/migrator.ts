// Applies prisma/migrations/<stamp>_<name>/migration.sql in order, recording each in a
// Prisma-compatible `_prisma_migrations` table, so `prisma migrate deploy` agrees wherever Prisma's
// schema engine can be downloaded. We need our own because that engine cannot be fetched here and
// because PGlite has no server for the CLI to talk to. Unlike the CLI, each migration runs in one
// transaction: a failure leaves no half-applied schema behind.
//
// Start-up fast path: after every successful run the migrator stores, in app_meta, a fingerprint of
// the migrations folder as listed (each migration's name, and its file's size and modification time:
// read with stat, not opened) beside a digest of the applied rows of _prisma_migrations. A start that
// finds both unchanged has nothing to apply and no file that could have been edited since, and
// returns after one query without reading any SQL or taking the lock. Anything else (a new, edited or
// touched file, a row added, removed or rolled back, a migration left unfinished, a fresh database)
// takes the full path below, which reads, compares and applies as before.
import { createHash, randomUUID } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { SqlRunner } from './sql-runner.ts';

export const MIGRATIONS_DIR = fileURLToPath(new URL('../../prisma/migrations', import.meta.url));

/** The advisory lock key Prisma's own migrate uses, so the CLI and the desk never migrate at once. */
const MIGRATION_LOCK_KEY = 72707369;

export interface Migration {
  name: string;
  sql: string;
  checksum: string;
}

export interface MigrationResult {
  applied: string[];
  alreadyApplied: string[];
}

export class MigrationError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'MigrationError';
  }
}

const CREATE_TABLE = `CREATE TABLE IF NOT EXISTS "_prisma_migrations" (
  "id"                  VARCHAR(36) PRIMARY KEY NOT NULL,
  "checksum"            VARCHAR(64) NOT NULL,
  "finished_at"         TIMESTAMPTZ,
  "migration_name"      VARCHAR(255) NOT NULL,
  "logs"                TEXT,
  "rolled_back_at"      TIMESTAMPTZ,
  "started_at"          TIMESTAMPTZ NOT NULL DEFAULT now(),
  "applied_steps_count" INTEGER NOT NULL DEFAULT 0
)`;

/** The key in app_meta under which the fingerprint of the last successful run is kept. */
export const MIGRATIONS_FINGERPRINT_KEY = 'migrations.fingerprint';

async function migrationNames(dir: string): Promise<string[]> {
  const entries = await fs.readdir(dir, { withFileTypes: true });
  return entries
    .filter((e) => e.isDirectory() && /^\d{14}_[\w-]+$/.test(e.name))
    .map((e) => e.name)
    .sort();
}

/** The folder as listed: names, sizes and modification times of the migration files (nothing read). */
export async function listingFingerprint(dir = MIGRATIONS_DIR): Promise<string> {
  const names = await migrationNames(dir);
  const hash = createHash('sha256');
  for (const name of names) {
    const stat = await fs.stat(path.join(dir, name, 'migration.sql'));
    hash.update(`${name}\t${stat.size}\t${stat.mtimeMs}\n`);
  }
  return hash.digest('hex');
}

/**
 * One statement: the stored fingerprint, a digest of the applied rows, and whether a run is unfinished.
 * Fails on a database without the tables (fresh), which the caller reads as "take the full path".
 */
const STATE_QUERY = `SELECT
  (SELECT value FROM "app_meta" WHERE key = $1) AS stored,
  (SELECT md5(coalesce(string_agg(migration_name || ':' || checksum, ',' ORDER BY migration_name), ''))
     FROM "_prisma_migrations" WHERE finished_at IS NOT NULL AND rolled_back_at IS NULL) AS applied,
  (SELECT count(*)::int FROM "_prisma_migrations" WHERE finished_at IS NULL AND rolled_back_at IS NULL) AS unfinished`;

interface StateRow {
  stored: string | null;
  applied: string;
  unfinished: number;
}

async function databaseState(sql: SqlRunner): Promise<StateRow | null> {
  try {
    return (await sql.query<StateRow>(STATE_QUERY, [MIGRATIONS_FINGERPRINT_KEY]))[0] ?? null;
  } catch {
    return null; // no app_meta or _prisma_migrations yet
  }
}

export async function readMigrations(dir = MIGRATIONS_DIR): Promise<Migration[]> {
  const names = await migrationNames(dir);
  return Promise.all(
    names.map(async (name) => {
      const sql = await fs.readFile(path.join(dir, name, 'migration.sql'), 'utf8');
      return { name, sql, checksum: createHash('sha256').update(sql).digest('hex') };
    }),
  );
}

interface AppliedRow {
  migration_name: string;
  checksum: string;
  finished_at: Date | null;
  rolled_back_at: Date | null;
}

export async function migrate(sql: SqlRunner, dir = MIGRATIONS_DIR): Promise<MigrationResult> {
  const listing = await listingFingerprint(dir);
  const state = await databaseState(sql);
  if (state && state.unfinished === 0 && state.stored === `${listing} ${state.applied}`) {
    return { applied: [], alreadyApplied: await migrationNames(dir) };
  }
  const migrations = await readMigrations(dir);
  const result = await sql.withLock(MIGRATION_LOCK_KEY, async () => {
    await sql.exec(CREATE_TABLE);
    const rows = await sql.query<AppliedRow>('SELECT migration_name, checksum, finished_at, rolled_back_at FROM "_prisma_migrations"');
    const done = new Map(rows.filter((r) => r.finished_at && !r.rolled_back_at).map((r) => [r.migration_name, r]));
    const failed = rows.find((r) => !r.finished_at && !r.rolled_back_at);
    if (failed) {
      throw new MigrationError(
        `Migration ${failed.migration_name} started earlier and did not finish; ` +
          'inspect the database, then mark it rolled back (prisma migrate resolve) before retrying',
      );
    }
    const result: MigrationResult = { applied: [], alreadyApplied: [] };
    for (const migration of migrations) {
      const previous = done.get(migration.name);
      if (previous) {
        if (previous.checksum !== migration.checksum) {
          throw new MigrationError(`Migration ${migration.name} was changed after it was applied; write a new migration instead`);
        }
        result.alreadyApplied.push(migration.name);
        continue;
      }
      try {
        await sql.transaction(async (tx) => {
          const id = randomUUID();
          await tx.query('INSERT INTO "_prisma_migrations" (id, checksum, migration_name, started_at) VALUES ($1, $2, $3, now())', [
            id,
            migration.checksum,
            migration.name,
          ]);
          await tx.exec(migration.sql);
          await tx.query('UPDATE "_prisma_migrations" SET finished_at = now(), applied_steps_count = 1 WHERE id = $1', [id]);
        });
      } catch (error) {
        throw new MigrationError(`Migration ${migration.name} failed: ${(error as Error).message}`, { cause: error });
      }
      result.applied.push(migration.name);
    }
    return result;
  });
  await rememberRun(sql, listing);
  return result;
}

/** Stores the fingerprint of a successful run (the folder as listed, the applied rows as they now are). */
async function rememberRun(sql: SqlRunner, listing: string): Promise<void> {
  const state = await databaseState(sql);
  // A folder whose migrations do not create app_meta (tests' own folders) just keeps the full path.
  if (!state) return;
  await sql
    .query(
      `INSERT INTO "app_meta" (key, value, "updatedAt") VALUES ($1, $2, now())
       ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value, "updatedAt" = EXCLUDED."updatedAt"`,
      [MIGRATIONS_FINGERPRINT_KEY, `${listing} ${state.applied}`],
    )
    .catch(() => undefined);
}
