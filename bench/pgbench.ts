// The refund path's anchor: pgbench's TPC-B-like transaction (its built-in default: three UPDATEs, a
// SELECT and an INSERT per transaction) with 16 clients on the same PostgreSQL server as the desk's
// database, run right after each refund-path measurement for the same duration, so the two figures
// share the machine's state of the moment. A scratch database is initialised once per bench run (scale
// 16: one branch row per client, so the clients do not all queue on one row) and dropped at the end.
import { execFile, execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';

const run = promisify(execFile);

export const PGBENCH_CLIENTS = 16;
const SCALE = 16;

export interface PgbenchRun {
  tps: number;
  seconds: number;
  clients: number;
}

export interface ScratchPgbench {
  readonly version: string;
  /** One TPC-B run of `seconds` (whole seconds, at least 2). */
  run(seconds: number): Promise<PgbenchRun>;
  drop(): Promise<void>;
}

/** pgbench from PATH, else from PostgreSQL's bindir; null when the machine has none. */
function pgbenchBinary(): string | null {
  for (const candidate of [process.env.PGBENCH, 'pgbench', '/usr/bin/pgbench']) {
    if (!candidate) continue;
    try {
      execFileSync(candidate, ['--version'], { stdio: 'ignore' });
      return candidate;
    } catch {
      // Try the next one.
    }
  }
  try {
    const bin = path.join(execFileSync('pg_config', ['--bindir']).toString().trim(), 'pgbench');
    return fs.existsSync(bin) ? bin : null;
  } catch {
    return null;
  }
}

/** Parses pgbench's summary: "tps = 1234.56 (without initial connection time)". */
export function parseTps(output: string): number {
  const match = /^tps = ([\d.]+)/m.exec(output);
  if (!match) throw new Error(`pgbench printed no tps:\n${output}`);
  return Number(match[1]);
}

export async function scratchPgbench(adminUrl: string): Promise<ScratchPgbench> {
  const bin = pgbenchBinary();
  if (!bin) throw new Error('pgbench not found (PATH, /usr/bin, pg_config --bindir); set PGBENCH');
  const version = execFileSync(bin, ['--version']).toString().trim();
  const url = new URL(adminUrl);
  const name = `rd_pgbench_${randomBytes(4).toString('hex')}`;
  const connection = ['-h', url.hostname || '127.0.0.1', '-p', url.port || '5432', '-U', decodeURIComponent(url.username || 'postgres')];
  const env = { ...process.env, ...(url.password ? { PGPASSWORD: decodeURIComponent(url.password) } : {}) };
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE "${name}"`);
  } finally {
    await admin.end();
  }
  const drop = async () => {
    const c = new pg.Client({ connectionString: adminUrl });
    await c.connect();
    try {
      await c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
    } finally {
      await c.end();
    }
  };
  try {
    await run(bin, ['-i', '-q', '-s', String(SCALE), ...connection, name], { env, maxBuffer: 16 * 1024 * 1024 });
  } catch (error) {
    await drop();
    throw error;
  }
  return {
    version,
    async run(seconds) {
      const whole = Math.max(2, Math.round(seconds));
      const threads = Math.min(PGBENCH_CLIENTS, os.cpus().length);
      const { stdout } = await run(bin, ['-c', String(PGBENCH_CLIENTS), '-j', String(threads), '-T', String(whole), ...connection, name], {
        env,
        maxBuffer: 16 * 1024 * 1024,
      });
      return { tps: parseTps(stdout), seconds: whole, clients: PGBENCH_CLIENTS };
    },
    drop,
  };
}
