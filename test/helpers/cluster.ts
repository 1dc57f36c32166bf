// Processes for the load-and-fault suite and the multi-instance benchmark: a throwaway PostgreSQL
// cluster (initdb, pg_ctl) and Redis server on spare loopback ports, so faults never touch the
// machine's shared services, and desk instances as real child processes (`refund-desk start`).
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { freePort } from './services.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const asRoot = process.getuid?.() === 0;

/** PostgreSQL refuses to run as root: as root, its tools run as the postgres user. */
function pgTool(name: string, args: string[]): string {
  const bin = path.join(execFileSync('pg_config', ['--bindir']).toString().trim(), name);
  return asRoot
    ? execFileSync('runuser', ['-u', 'postgres', '--', bin, ...args], { stdio: ['ignore', 'pipe', 'pipe'] }).toString()
    : execFileSync(bin, args, { stdio: ['ignore', 'pipe', 'pipe'] }).toString();
}

export interface ThrowawayPostgres {
  port: number;
  url(database?: string): string;
  /** SIGSTOP every server process for `ms`, then SIGCONT: the database hangs, connections stay. */
  pause(ms: number): Promise<void>;
  stop(): Promise<void>;
}

export async function startPostgres(): Promise<ThrowawayPostgres> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rd-pg-'));
  if (asRoot) {
    const [uid, gid] = ['-u', '-g'].map((flag) => Number(execFileSync('id', [flag, 'postgres']).toString().trim()));
    fs.chownSync(dir, uid!, gid!);
  }
  const data = path.join(dir, 'data');
  const port = await freePort();
  pgTool('initdb', ['-D', data, '-A', 'trust', '-U', 'postgres', '-E', 'UTF8', '--no-sync', '--locale=C']);
  const options = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=300`;
  pgTool('pg_ctl', ['-D', data, '-l', path.join(dir, 'server.log'), '-o', options, '-w', 'start']);
  const pids = () => {
    const main = Number(fs.readFileSync(path.join(data, 'postmaster.pid'), 'utf8').split('\n')[0]);
    let children: number[] = [];
    try {
      children = execFileSync('pgrep', ['-P', String(main)])
        .toString()
        .trim()
        .split('\n')
        .filter(Boolean)
        .map(Number);
    } catch {
      // No children listed.
    }
    return [main, ...children];
  };
  return {
    port,
    url: (database = 'postgres') => `postgresql://postgres@127.0.0.1:${port}/${database}`,
    async pause(ms) {
      const all = pids();
      for (const pid of all) process.kill(pid, 'SIGSTOP');
      await sleep(ms);
      for (const pid of all) process.kill(pid, 'SIGCONT');
    },
    async stop() {
      try {
        pgTool('pg_ctl', ['-D', data, '-m', 'immediate', '-w', 'stop']);
      } catch {
        // Already stopped.
      }
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

export interface ThrowawayRedis {
  port: number;
  url: string;
  /** Stops the server (its data is lost: no persistence) and starts a new one on the same port. */
  restart(downMs?: number): Promise<void>;
  stop(): Promise<void>;
}

export async function startRedis(): Promise<ThrowawayRedis> {
  const port = await freePort();
  let child: ChildProcess | null = null;
  const launch = async () => {
    child = spawn(
      'redis-server',
      ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--loglevel', 'warning'],
      { stdio: 'ignore' },
    );
    for (let i = 0; i < 100; i += 1) {
      try {
        execFileSync('redis-cli', ['-p', String(port), 'ping'], { stdio: 'ignore' });
        return;
      } catch {
        await sleep(50);
      }
    }
    throw new Error(`redis-server did not start on port ${port}`);
  };
  const halt = async () => {
    const c = child;
    if (!c || c.exitCode !== null) return;
    const exited = new Promise((resolve) => c.once('exit', resolve));
    c.kill('SIGKILL');
    await exited;
  };
  await launch();
  return {
    port,
    url: `redis://127.0.0.1:${port}`,
    async restart(downMs = 1_000) {
      await halt();
      await sleep(downMs);
      await launch();
    },
    stop: halt,
  };
}

export interface DeskProcess {
  name: string;
  port: number;
  url: string;
  /** Resolves once /readyz answers 200. */
  ready(timeoutMs?: number): Promise<void>;
  /** SIGKILL: the instance dies mid-whatever, as a crashed host would. */
  kill(): Promise<void>;
  /** SIGTERM and wait: a graceful stop. */
  stop(): Promise<void>;
  readonly alive: boolean;
}

/**
 * How an instance runs: `source` is src/ through tsx (scripts/refund-desk-dev.mjs, no build needed:
 * the fault suite checks the sources as they are); `compiled` is dist/ with plain node, as
 * production runs it (scripts/refund-desk.mjs; build first, as the benchmarks do).
 */
export type DeskLauncher = 'source' | 'compiled';

export const LAUNCHERS: Record<DeskLauncher, string> = {
  source: path.join(ROOT, 'scripts/refund-desk-dev.mjs'),
  compiled: path.join(ROOT, 'scripts/refund-desk.mjs'),
};

/** One `refund-desk start` process with these variables (plus PORT), logging to `logFile`. */
export async function startDeskProcess(
  name: string,
  env: Record<string, string>,
  logFile: string,
  launcher: DeskLauncher = 'source',
): Promise<DeskProcess> {
  const port = await freePort();
  const log = fs.openSync(logFile, 'a');
  const child = spawn(process.execPath, [LAUNCHERS[launcher], 'start'], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? os.tmpdir(), ...env, HOST: '127.0.0.1', PORT: String(port) },
    stdio: ['ignore', log, log],
  });
  let alive = true;
  const exited = new Promise<void>((resolve) =>
    child.once('exit', () => {
      alive = false;
      fs.closeSync(log);
      resolve();
    }),
  );
  const url = `http://127.0.0.1:${port}`;
  return {
    name,
    port,
    url,
    get alive() {
      return alive;
    },
    async ready(timeoutMs = 60_000) {
      const end = Date.now() + timeoutMs;
      while (Date.now() < end) {
        if (!alive) throw new Error(`${name} exited while starting; see ${logFile}`);
        const ok = await fetch(`${url}/readyz`, { signal: AbortSignal.timeout(1_000) })
          .then((r) => r.ok)
          .catch(() => false);
        if (ok) return;
        await sleep(200);
      }
      throw new Error(`${name} not ready within ${timeoutMs} ms; see ${logFile}`);
    },
    async kill() {
      if (!alive) return;
      child.kill('SIGKILL');
      await exited;
    },
    async stop() {
      if (!alive) return;
      child.kill('SIGTERM');
      await Promise.race([exited, sleep(15_000).then(() => child.kill('SIGKILL'))]);
      await exited;
    },
  };
}
