// The README's first command, as a newcomer runs it: the real CLI process on the embedded default
// (PGlite + in-process cache), with no configuration but a free port and a scratch data folder.
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/store/database.ts';
import { readMigrations } from '../../src/store/migrator.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const CLI = path.join(ROOT, 'scripts', 'refund-desk-dev.mjs');

interface Running {
  child: ChildProcess;
  url: string;
  output: () => string;
  exited: Promise<number | null>;
}

function cleanEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  // Nothing from the test runner's environment leaks in (DATABASE_URL, REDIS_URL, NODE_ENV...).
  return { PATH: process.env.PATH, HOME: process.env.HOME, ...extra };
}

function start(dataDir: string): Promise<Running> {
  const child = spawn(process.execPath, [CLI, 'start'], { cwd: ROOT, env: cleanEnv({ PORT: '0', DATA_DIR: dataDir }) });
  let out = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`desk did not start within 60 s:\n${out}`)), 60_000);
    const check = () => {
      const match = /Refund desk listening on (http:\/\/\S+)/.exec(out);
      if (match) {
        clearTimeout(timer);
        resolve({ child, url: match[1]!, output: () => out, exited });
      }
    };
    child.stdout!.on('data', check);
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`desk exited with ${code} before listening:\n${out}`));
    });
  });
}

async function counts(dataDir: string) {
  const db = await openDatabase({ kind: 'pglite', dataDir: path.join(dataDir, 'pglite') });
  try {
    const p = db.prisma;
    return {
      merchants: await p.merchant.count(),
      products: await p.product.count(),
      buyers: await p.buyer.count(),
      orders: await p.order.count(),
      usage: await p.usageEvent.count(),
      commissions: await p.commissionEntry.count(),
      events: await p.platformEvent.count(),
    };
  } finally {
    await db.close();
  }
}

const dirs: string[] = [];
afterAll(async () => {
  for (const dir of dirs) await fs.rm(dir, { recursive: true, force: true });
});

describe('refund-desk start on the embedded default', () => {
  it('comes up with no configuration, answers /healthz, seeds the demo once, and keeps its data across restarts', async () => {
    const dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'desk-e2e-'));
    dirs.push(dataDir);

    const first = await start(dataDir);
    expect((await fetch(`${first.url}/healthz`)).status).toBe(200);
    const ready = await fetch(`${first.url}/readyz`);
    expect(await ready.json()).toMatchObject({ status: 'ready', checks: { database: { kind: 'pglite' }, cache: { kind: 'memory' } } });
    expect(first.output()).toContain('Demo credentials');
    expect(first.output()).toContain('o_demo_m21');
    await expect.poll(() => first.output(), { timeout: 5_000 }).toContain('demo shop seeded');
    // What a person opening the printed address sees: the course page with its policy and the widget.
    const page = await fetch(`${first.url}/`);
    expect(page.url).toBe(`${first.url}/demo/products/p_demo_ppt_course`);
    const html = await page.text();
    expect(html).toContain('《PPT大师进阶课》');
    expect(html).toContain('付款后15分钟内，任何理由均可自助退款');
    expect(html).toMatch(/<script src="\/widget\.js" data-token="[\w-]{34}"/);
    expect((await fetch(`${first.url}/widget.js`)).headers.get('content-type')).toContain('javascript');
    first.child.kill('SIGTERM');
    expect(await first.exited).toBe(0);

    const seeded = await counts(dataDir);
    expect(seeded).toMatchObject({ merchants: 1, products: 4, buyers: 4 });
    expect(seeded.orders).toBeGreaterThanOrEqual(7);

    const second = await start(dataDir);
    expect((await fetch(`${second.url}/healthz`)).status).toBe(200);
    second.child.kill('SIGTERM');
    expect(await second.exited).toBe(0);
    expect(second.output()).not.toContain('demo shop seeded');
    expect(await counts(dataDir)).toEqual(seeded);
  }, 120_000);

  it('migrates and seeds from the CLI, each once', async () => {
    const dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'desk-cli-'));
    dirs.push(dataDir);
    const run = (...args: string[]) =>
      new Promise<{ code: number | null; out: string }>((resolve) => {
        const child = spawn(process.execPath, [CLI, ...args], { cwd: ROOT, env: cleanEnv({ DATA_DIR: dataDir }) });
        let out = '';
        child.stdout.on('data', (d) => (out += d));
        child.stderr.on('data', (d) => (out += d));
        child.once('exit', (code) => resolve({ code, out }));
      });
    const first = await run('migrate');
    expect(first).toMatchObject({ code: 0 });
    const migrations = (await readMigrations()).map((m) => m.name);
    expect(first.out).toContain(`Applied ${migrations.length} migration(s): ${migrations.join(', ')}`);
    expect((await run('migrate')).out).toContain(`Database is up to date (${migrations.length} migration(s) applied earlier)`);
    const seeded = await run('seed-demo');
    expect(seeded.out).toMatch(/Demo shop seeded \(\d+ events\)/);
    const again = await run('seed-demo', '--fresh-orders');
    expect(again.out).toMatch(/Demo shop was seeded at/);
    expect(again.out).toMatch(/Fresh scenario orders added with suffix _\d{14}/);
    const after = await counts(dataDir);
    expect(after.merchants).toBe(1);
    expect(after.orders).toBe(14);
  }, 120_000);

  it('refuses a bad variable with one line naming it', async () => {
    const child = spawn(process.execPath, [CLI, 'start'], { cwd: ROOT, env: cleanEnv({ PORT: 'abc' }) });
    let err = '';
    child.stderr.on('data', (d) => (err += d));
    const code = await new Promise((resolve) => child.once('exit', resolve));
    expect(code).toBe(2);
    expect(err.trim()).toBe('Configuration error: PORT must be a number');
  }, 60_000);
});
