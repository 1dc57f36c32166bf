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

/**
 * Raw SQL on a pool, or on one client (a transaction, a lock). `prepared` is where named statements
 * run outside a transaction (openPostgres): connections that plan each of them once.
 */
function pgRunner(pool: pg.Pool | pg.PoolClient, prepared: pg.Pool | pg.PoolClient = pool): SqlRunner {
  const runner: SqlRunner = {
    async query<T>(sql: string, params: unknown[] = [], name?: string) {
      const result = name ? await prepared.query({ name, text: sql, values: params }) : await pool.query({ text: sql, values: params });
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

/** The smallest pool that is split (see openPostgres): two connections for named statements, two for the rest. */
export const MIN_SPLIT_POOL_SIZE = 4;

async function openPostgres(url: string, poolSize: number): Promise<Database> {
  const [{ default: pgDriver }, { PrismaPg }] = await Promise.all([import('pg'), import('@prisma/adapter-pg')]);
  // The instance's connections are two pools (from MIN_SPLIT_POOL_SIZE up; below it, one). Named
  // statements (the hot path's: SqlRunner.query with a name) have half of them, connections that
  // plan each statement once for any parameters (plan_cache_mode = force_generic_plan), as a name
  // promises: by default PostgreSQL plans a prepared statement afresh for its first five runs on
  // every connection, and the refund request's context statement costs ~3 ms to plan, so each new
  // connection stalled the requests behind it. Prisma and unnamed SQL keep PostgreSQL's default (a
  // plan for the values at hand) on the rest, at least two: the migrator holds one for its lock.
  const split = poolSize >= MIN_SPLIT_POOL_SIZE;
  const preparedSize = split ? Math.floor(poolSize / 2) : 0;
  const pool = new pgDriver.Pool({ connectionString: url, max: poolSize - preparedSize, connectionTimeoutMillis: 5_000 });
  const prepared = split
    ? new pgDriver.Pool({
        connectionString: url,
        max: preparedSize,
        connectionTimeoutMillis: 5_000,
        // A SET on each new connection before its first use, not a startup option: connection poolers
        // (PgBouncer) refuse unknown startup parameters.
        onConnect: async (client: pg.ClientBase) => {
          await client.query('SET plan_cache_mode = force_generic_plan');
        },
      })
    : pool;
  // An idle client losing its server (restart, failover) must not crash the process.
  pool.on('error', () => undefined);
  if (prepared !== pool) prepared.on('error', () => undefined);
  const prisma = new PrismaClient({ adapter: new PrismaPg(pool) });
  return {
    kind: 'postgres',
    prisma,
    sql: pgRunner(pool, prepared),
    async ping() {
      await Promise.all([pool.query('SELECT 1'), prepared !== pool && prepared.query('SELECT 1')]);
    },
    async close() {
      await prisma.$disconnect();
      await Promise.all([pool.end().catch(() => undefined), prepared !== pool && prepared.end().catch(() => undefined)]);
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
