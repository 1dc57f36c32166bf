// npm run bench -- --startup [--root <checkout>]... [--runs N] [--settle S]
//
// Start-up time and idle memory of `refund-desk start`, for one or several checkouts measured in one
// sitting (before and after a change, side by side), each on the embedded default (PGlite, in-process
// cache, no configuration) and on PostgreSQL + Redis (production settings, a scratch database and key
// prefix per checkout). Each checkout runs its own executable, `node <root>/scripts/refund-desk.mjs
// start`, as it would in production (a checkout with scripts/build.mjs is built first, untimed).
//
// How each figure is taken: one priming start per checkout and mode (creates the PGlite data or
// applies the migrations, seeds the demo), then N warm starts, the checkouts and modes taking turns;
//   start: from spawning the process to the first 200 of GET /readyz (polled every 25 ms);
//   idle RSS: VmRSS of the process and its descendants, `settle` seconds after that, no traffic;
// each reported as the median of the N runs, with the range.
import { execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import { int, median, ratio, type Row } from './table.ts';

export type StartMode = 'embedded' | 'postgres';

export interface Checkout {
  root: string;
  label: string;
  /** How its executable runs the desk: compiled JavaScript, or src/ through tsx. */
  runs: string;
}

export interface StartupSample {
  root: string;
  mode: StartMode;
  startMs: number;
  rssMb: number;
}

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

/** The checkout's commit (and whether it has uncommitted changes), its executable and how it runs. */
export function describeCheckout(root: string): Checkout {
  const bin = path.join(root, 'scripts', 'refund-desk.mjs');
  if (!fs.existsSync(bin)) throw new Error(`${root} has no scripts/refund-desk.mjs: not a refund desk checkout`);
  let label = `${path.basename(root)} (not a git checkout)`;
  try {
    const git = (...args: string[]) =>
      execFileSync('git', ['-C', root, ...args], { stdio: ['ignore', 'pipe', 'ignore'] })
        .toString()
        .trim();
    label = `${path.basename(root)} @ ${git('rev-parse', '--short', 'HEAD')}${git('status', '--porcelain', '--untracked-files=no') ? '+changes' : ''}`;
  } catch {
    // Not a git checkout: the path alone names it.
  }
  const text = fs.readFileSync(bin, 'utf8');
  return { root, label, runs: /from 'tsx\//.test(text) ? 'src/ through tsx' : 'dist/, plain node' };
}

/** A checkout that builds (scripts/build.mjs) is built before it is measured, as npm start would. */
function buildIfNeeded(root: string): void {
  const build = path.join(root, 'scripts', 'build.mjs');
  if (fs.existsSync(build)) execFileSync(process.execPath, [build, '--if-stale'], { cwd: root, stdio: ['ignore', 'ignore', 'inherit'] });
}

/** Resident memory of a process and all its descendants, in MB (Linux /proc). */
function treeRssMb(pid: number): number {
  let kb = 0;
  const visit = (p: number) => {
    try {
      const status = fs.readFileSync(`/proc/${p}/status`, 'utf8');
      kb += Number(/^VmRSS:\s+(\d+)/m.exec(status)?.[1] ?? 0);
      for (const task of fs.readdirSync(`/proc/${p}/task`)) {
        const children = fs.readFileSync(`/proc/${p}/task/${task}/children`, 'utf8').trim();
        for (const child of children ? children.split(/\s+/) : []) visit(Number(child));
      }
    } catch {
      // The process ended meanwhile.
    }
  };
  visit(pid);
  return kb / 1024;
}

interface Environment {
  env: Record<string, string>;
  cleanup(): Promise<void>;
}

async function environmentFor(mode: StartMode, adminUrl: string, redisUrl: string): Promise<Environment> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'rd-startup-'));
  const base = { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? os.tmpdir(), DATA_DIR: dataDir };
  if (mode === 'embedded') {
    return { env: base, cleanup: async () => fs.rmSync(dataDir, { recursive: true, force: true }) };
  }
  const name = `rd_bench_start_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE "${name}"`);
  await admin.end();
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return {
    env: {
      ...base,
      NODE_ENV: 'production',
      DATABASE_URL: url.toString(),
      REDIS_URL: redisUrl,
      REDIS_KEY_PREFIX: `rd-bench-start:${randomBytes(4).toString('hex')}:`,
      PLATFORM_WEBHOOK_SECRET: 'bench-webhook-secret-0123',
      PLATFORM_API_KEY: 'bench-api-key-0123456789',
      CHAT_TOKEN_SECRET: 'bench-chat-token-secret-0123',
      SANDBOX_PAYMENTS: 'on',
    },
    cleanup: async () => {
      const c = new pg.Client({ connectionString: adminUrl });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      await c.end();
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** One start of the checkout's executable: time to /readyz 200, then the idle RSS, then SIGTERM. */
async function startOnce(
  root: string,
  env: Record<string, string>,
  settleMs: number,
  logFile: string,
): Promise<{ startMs: number; rssMb: number }> {
  const port = await freePort();
  const log = fs.openSync(logFile, 'a');
  const started = performance.now();
  const child = spawn(process.execPath, [path.join(root, 'scripts', 'refund-desk.mjs'), 'start'], {
    cwd: root,
    env: { ...env, HOST: '127.0.0.1', PORT: String(port) },
    stdio: ['ignore', log, log],
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  let alive = true;
  void exited.then(() => (alive = false));
  try {
    let startMs = NaN;
    const deadline = started + 180_000;
    while (Number.isNaN(startMs)) {
      if (!alive) throw new Error(`the desk in ${root} exited while starting; see ${logFile}`);
      if (performance.now() > deadline) throw new Error(`the desk in ${root} was not ready within 180 s; see ${logFile}`);
      const ok = await fetch(`http://127.0.0.1:${port}/readyz`, { signal: AbortSignal.timeout(2_000) })
        .then((r) => r.status === 200)
        .catch(() => false);
      if (ok) startMs = performance.now() - started;
      else await sleep(25);
    }
    await sleep(settleMs);
    return { startMs, rssMb: treeRssMb(child.pid!) };
  } finally {
    child.kill('SIGTERM');
    const forced = setTimeout(() => child.kill('SIGKILL'), 15_000);
    await exited;
    clearTimeout(forced);
    fs.closeSync(log);
  }
}

export interface StartupOptions {
  roots: string[];
  runs: number;
  settleMs: number;
  modes: StartMode[];
  adminUrl: string;
  redisUrl: string;
  log?: (line: string) => void;
}

export async function benchStartup(options: StartupOptions): Promise<{ checkouts: Checkout[]; samples: StartupSample[]; rows: Row[] }> {
  const say = options.log ?? (() => undefined);
  const checkouts = options.roots.map((r) => describeCheckout(path.resolve(r)));
  for (const c of checkouts) buildIfNeeded(c.root);
  const logs = fs.mkdtempSync(path.join(os.tmpdir(), 'rd-startup-logs-'));
  const environments = new Map<string, Environment>();
  const key = (root: string, mode: StartMode) => `${mode} ${root}`;
  const samples: StartupSample[] = [];
  try {
    for (const c of checkouts) {
      for (const mode of options.modes) {
        const environment = await environmentFor(mode, options.adminUrl, options.redisUrl);
        environments.set(key(c.root, mode), environment);
        say(`priming ${c.label} (${mode})`);
        await startOnce(c.root, environment.env, 0, path.join(logs, `${path.basename(c.root)}-${mode}.log`));
      }
    }
    for (let run = 0; run < options.runs; run += 1) {
      for (const mode of options.modes) {
        for (const c of checkouts) {
          const s = await startOnce(
            c.root,
            environments.get(key(c.root, mode))!.env,
            options.settleMs,
            path.join(logs, `${path.basename(c.root)}-${mode}.log`),
          );
          samples.push({ root: c.root, mode, ...s });
          say(`run ${run + 1}/${options.runs} ${c.label} (${mode}): ready in ${int(s.startMs)} ms, idle RSS ${s.rssMb.toFixed(0)} MB`);
        }
      }
    }
  } finally {
    for (const e of environments.values()) await e.cleanup().catch(() => undefined);
  }
  fs.rmSync(logs, { recursive: true, force: true });
  return { checkouts, samples, rows: startupRows(checkouts, samples, options) };
}

const MODE_LABEL: Record<StartMode, string> = { embedded: 'embedded default (PGlite)', postgres: 'PostgreSQL + Redis' };

/** One row per checkout and mode; with several checkouts, each figure also ÷ the first checkout's. */
export function startupRows(
  checkouts: Checkout[],
  samples: StartupSample[],
  options: Pick<StartupOptions, 'runs' | 'settleMs' | 'modes'>,
): Row[] {
  const rows: Row[] = [];
  for (const mode of options.modes) {
    const first = samples.filter((s) => s.mode === mode && s.root === checkouts[0]!.root);
    for (const c of checkouts) {
      const mine = samples.filter((s) => s.mode === mode && s.root === c.root);
      const start = mine.map((s) => s.startMs);
      const rss = mine.map((s) => s.rssMb);
      const row: Row = {
        checkout: c.label,
        runs: c.runs,
        mode: MODE_LABEL[mode],
        'start to /readyz 200 ms (median)': int(median(start)),
        'start range ms': `${int(Math.min(...start))}–${int(Math.max(...start))}`,
        'idle RSS MB (median)': int(median(rss)),
        'RSS range MB': `${int(Math.min(...rss))}–${int(Math.max(...rss))}`,
      };
      if (checkouts.length > 1) {
        row[`start ÷ ${checkouts[0]!.label}`] = ratio(median(start) / median(first.map((s) => s.startMs)));
        row[`RSS ÷ ${checkouts[0]!.label}`] = ratio(median(rss) / median(first.map((s) => s.rssMb)));
      }
      rows.push(row);
    }
  }
  return rows;
}

export const STARTUP_METHOD = (runs: number, settleMs: number) =>
  `warm starts (after one priming start per checkout and mode), ${runs} runs each, checkouts and modes taking turns, median and range; ` +
  `start = spawn of \`node <root>/scripts/refund-desk.mjs start\` to the first 200 of /readyz (polled every 25 ms); ` +
  `idle RSS = VmRSS of the process tree ${settleMs / 1000} s after that, no traffic`;
