// Prisma client factory: PostgreSQL through @prisma/adapter-pg when DATABASE_URL is set, otherwise
// PGlite (PostgreSQL compiled to WebAssembly, in process) stored in DATA_DIR. Each driver is
// imported when its kind of database is opened, so a process holds only the one it uses.
import fs from 'node:fs/promises';
import type { PGlite } from '@electric-sql/pglite';
import type pg from 'pg';
import type { Config } from '../config.ts';
import { PrismaClient } from '../generated/prisma/client.ts';
import type { SqlRunner } from './sql-runner.ts';

export type { PrismaClient };
export type DatabaseKind = 'postgres' | 'pglite';

export interface Database {
  kind: DatabaseKind;
  prisma: PrismaClient;
  sql: SqlRunner;
  /** Throws when the database does not answer. */
  ping(): Promise<void>;
  close(): Promise<void>;
}

export async function openDatabase(config: Config['database']): Promise<Database> {
  return config.kind === 'postgres' ? openPostgres(config.url, config.poolSize) : openPglite(config.dataDir);
}

function pgRunner(pool: pg.Pool | pg.PoolClient): SqlRunner {
  const runner: SqlRunner = {
    async query<T>(sql: string, params: unknown[] = [], name?: string) {
      const result = await pool.query(name ? { name, text: sql, values: params } : { text: sql, values: params });
      return result.rows as T[];
    },
    async exec(script) {
      await pool.query(script);
    },
    async transaction(fn) {
      const client = 'release' in pool ? pool : await pool.connect();
      try {
        await client.query('BEGIN');
        const result = await fn(pgRunner(client));
        await client.query('COMMIT');
        return result;
      } catch (error) {
        await client.query('ROLLBACK').catch(() => undefined);
        throw error;
      } finally {
        if (client !== pool) (client as pg.PoolClient).release();
      }
    },
    async withLock(key, fn) {
      const client = 'release' in pool ? pool : await pool.connect();
      try {
        await client.query('SELECT pg_advisory_lock($1)', [key]);
        try {
          return await fn();
        } finally {
          await client.query('SELECT pg_advisory_unlock($1)', [key]);
        }
      } finally {
        if (client !== pool) (client as pg.PoolClient).release();
      }
    },
  };
  return runner;
}

/**
 * The desk's sessions run without PostgreSQL's JIT (any `options` in DATABASE_URL kept). JIT compiles a
 * query whose estimated cost passes jit_above_cost, on every execution; the hot path's batched context
 * read is estimated at 100 requests (jsonb_to_recordset's default) whatever it carries, so on some
 * statistics its generic plan passed the threshold and each read spent ~250 ms in LLVM for 1 ms of work
 * (the refund bench fell to 3 requests a second). Short OLTP statements never gain from JIT.
 */
function sessionOptions(url: string): string {
  let given = '';
  try {
    given = new URL(url).searchParams.get('options') ?? '';
  } catch {
    // Not a URL pg can read either: pg reports it.
  }
  return [given, '-c jit=off'].filter(Boolean).join(' ');
}

async function openPostgres(url: string, poolSize: number): Promise<Database> {
  const [{ default: pgDriver }, { PrismaPg }] = await Promise.all([import('pg'), import('@prisma/adapter-pg')]);
  const pool = new pgDriver.Pool({ connectionString: url, max: poolSize, connectionTimeoutMillis: 5_000, options: sessionOptions(url) });
  // An idle client losing its server (restart, failover) must not crash the process.
  pool.on('error', () => undefined);
  const prisma = new PrismaClient({ adapter: new PrismaPg(pool) });
  return {
    kind: 'postgres',
    prisma,
    sql: pgRunner(pool),
    async ping() {
      await pool.query('SELECT 1');
    },
    async close() {
      await prisma.$disconnect();
      await pool.end().catch(() => undefined);
    },
  };
}

function pgliteRunner(db: Pick<PGlite, 'query' | 'exec' | 'transaction'>): SqlRunner {
  return {
    // PGlite runs in process and caches nothing per name: the name is only a hint for servers.
    async query<T>(sql: string, params: unknown[] = []) {
      const result = await db.query<T>(sql, params);
      return result.rows;
    },
    async exec(script) {
      await db.exec(script);
    },
    async transaction(fn) {
      return db.transaction((tx) => fn(pgliteRunner(tx as unknown as PGlite)));
    },
    // One process owns a PGlite folder; its connection runs one statement at a time anyway.
    async withLock(_key, fn) {
      return fn();
    },
  };
}

/** PGlite's buffer pool (see openPglite). */
export const PGLITE_SHARED_BUFFERS = '16MB';

async function openPglite(dataDir: string): Promise<Database> {
  await fs.mkdir(dataDir, { recursive: true });
  const [{ PGlite }, { PrismaPGlite }] = await Promise.all([import('@electric-sql/pglite'), import('pglite-prisma-adapter')]);
  // PostgreSQL's default shared_buffers (128 MB) is resident once touched, and the embedded desk's
  // data is a shop's, not a server's: 16 MB keeps idle RSS ~110 MB lower (measured on the demo data).
  const client = await PGlite.create({
    dataDir,
    startParams: [...PGlite.defaultStartParams, '-c', `shared_buffers=${PGLITE_SHARED_BUFFERS}`],
  });
  const prisma = new PrismaClient({ adapter: new PrismaPGlite(client) });
  return {
    kind: 'pglite',
    prisma,
    sql: pgliteRunner(client),
    async ping() {
      await client.query('SELECT 1');
    },
    async close() {
      await prisma.$disconnect();
      if (!client.closed) await client.close();
    },
  };
}

/** True for a unique-constraint violation, from Prisma or from raw SQL on either driver. */
export function isUniqueViolation(error: unknown): boolean {
  const e = error as { code?: string; cause?: unknown; meta?: { driverAdapterError?: { cause?: { kind?: string } } } };
  if (!e || typeof e !== 'object') return false;
  if (e.code === 'P2002' || e.code === '23505') return true;
  if (e.meta?.driverAdapterError?.cause?.kind === 'UniqueConstraintViolation') return true;
  return e.cause !== undefined && e.cause !== error && isUniqueViolation(e.cause);
}
