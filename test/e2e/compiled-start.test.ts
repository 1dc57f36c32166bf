// `npm start` as a newcomer and an operator run it: the compiled desk (dist/, built by `npm run build`
// or by npm start's pre-step when missing or stale) with plain node, on the embedded default with no
// configuration. Every process of the run reports each module it resolves, so the test sees that no
// TypeScript and no tsx is loaded, and that the files the desk reads from outside its code (intents/,
// prisma/migrations/, the widget's script) are found from dist/ too.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readBuildInfo, sourceFingerprint } from '../../scripts/build-state.mjs';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const run = promisify(execFile);
const dirs: string[] = [];

afterAll(async () => {
  for (const dir of dirs) await fs.rm(dir, { recursive: true, force: true });
});

const scratch = async (prefix: string) => {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), prefix));
  dirs.push(dir);
  return dir;
};

/**
 * A preloaded module (`--import`, through NODE_OPTIONS so npm's children get it too) that writes one
 * JSON line per process (its argv and execArgv) and one per module URL the process resolves.
 */
async function moduleProbe(dir: string): Promise<{ nodeOptions: string; read: () => Promise<Array<Record<string, unknown>>> }> {
  const log = path.join(dir, 'modules.jsonl');
  const hooks = path.join(dir, 'hooks.mjs');
  const preload = path.join(dir, 'preload.mjs');
  await fs.writeFile(
    hooks,
    `import { appendFileSync } from 'node:fs';
let log;
export function initialize(data) { log = data.log; }
export async function resolve(specifier, context, next) {
  const result = await next(specifier, context);
  appendFileSync(log, JSON.stringify({ pid: process.pid, url: result.url }) + '\\n');
  return result;
}
`,
  );
  await fs.writeFile(
    preload,
    `import { appendFileSync } from 'node:fs';
import { register } from 'node:module';
const log = ${JSON.stringify(log)};
appendFileSync(log, JSON.stringify({ pid: process.pid, argv: process.argv, execArgv: process.execArgv }) + '\\n');
register(${JSON.stringify(pathToFileURL(hooks).href)}, { data: { log } });
`,
  );
  return {
    nodeOptions: `--import=${pathToFileURL(preload).href}`,
    read: async () =>
      (await fs.readFile(log, 'utf8'))
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line) as Record<string, unknown>),
  };
}

interface Started {
  child: ChildProcess;
  url: string;
  output: () => string;
  exited: Promise<number | null>;
}

/** `npm start` in its own process group (npm, its shell and the desk), with only these variables. */
function npmStart(env: Record<string, string>): Promise<Started> {
  const child = spawn('npm', ['start', '--silent'], {
    cwd: ROOT,
    env: { PATH: process.env.PATH!, HOME: process.env.HOME!, npm_config_update_notifier: 'false', ...env },
    detached: true,
  });
  let out = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`npm start did not listen within 120 s:\n${out}`)), 120_000);
    child.stdout!.on('data', () => {
      const match = /Refund desk listening on (http:\/\/\S+)/.exec(out);
      if (match) {
        clearTimeout(timer);
        resolve({ child, url: match[1]!, output: () => out, exited });
      }
    });
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`npm start exited with ${code} before listening:\n${out}`));
    });
  });
}

describe('the compiled desk (npm start)', () => {
  beforeAll(async () => {
    // What npm start's pre-step does: build dist/ unless it already holds a build of these sources.
    await run(process.execPath, [path.join(ROOT, 'scripts/build.mjs'), '--if-stale'], { cwd: ROOT });
  }, 300_000);

  it('is a build of the sources as they are', () => {
    expect(readBuildInfo()?.sources).toBe(sourceFingerprint());
  });

  it('runs dist/ with plain node on the embedded default: /readyz, a refund classified from its words, the widget; no TypeScript loaded', async () => {
    const dataDir = await scratch('desk-compiled-');
    const probe = await moduleProbe(dataDir);
    const desk = await npmStart({ PORT: '0', DATA_DIR: dataDir, NODE_OPTIONS: probe.nodeOptions });
    try {
      const ready = await fetch(`${desk.url}/readyz`);
      expect(ready.status).toBe(200);
      expect(await ready.json()).toMatchObject({ status: 'ready', checks: { database: { kind: 'pglite' }, cache: { kind: 'memory' } } });

      // No reason code: the NLU classifies the buyer's words with the model trained from intents/.
      const refund = await fetch(`${desk.url}/v1/refund-requests`, {
        method: 'POST',
        headers: { authorization: 'Bearer demo-api-key-change-me', 'content-type': 'application/json' },
        body: JSON.stringify({ orderId: 'o_demo_m21', buyerId: 'b_demo_buyer', reasonText: '刚买的，冲动消费了，不想要了' }),
      });
      expect(refund.status).toBe(201);
      expect(await refund.json()).toMatchObject({
        outcome: 'approved',
        status: 'refunded',
        reasonCode: 'changed_mind',
        refund: { amountMinor: 9900, status: 'succeeded' },
      });

      // Bad input gets the same clear answer from the compiled validation.
      const bad = await fetch(`${desk.url}/v1/refund-requests`, {
        method: 'POST',
        headers: { authorization: 'Bearer demo-api-key-change-me', 'content-type': 'application/json' },
        body: JSON.stringify({ buyerId: 'b_demo_buyer', reasonCode: 'changed_mind' }),
      });
      expect(bad.status).toBe(400);

      // The browser script is served from beside the compiled route that serves it.
      const widget = await fetch(`${desk.url}/widget.js`);
      expect(widget.status).toBe(200);
      expect(await widget.text()).toBe(await fs.readFile(path.join(ROOT, 'src/channels/widget/widget.js'), 'utf8'));
    } finally {
      process.kill(-desk.child.pid!, 'SIGTERM');
      await desk.exited;
    }
    expect(desk.output()).toContain('demo shop seeded');
    // At the default level (info) a request writes no access lines of fastify's own; an error answer
    // writes one line, a success none (the metrics count it): the refund wrote only its decision.
    const logged = desk
      .output()
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as { msg?: string; status?: number; route?: string });
    expect(logged.filter((l) => l.msg === 'incoming request' || l.msg === 'request completed')).toEqual([]);
    expect(logged.filter((l) => l.msg === 'request answered').map((l) => [l.route, l.status])).toEqual([['/v1/refund-requests', 400]]);
    expect(logged.filter((l) => l.msg === 'refund request decided')).toHaveLength(1);

    const lines = await probe.read();
    const processes = lines.filter((l) => 'argv' in l) as Array<{ pid: number; argv: string[]; execArgv: string[] }>;
    const deskProcess = processes.find(
      (p) => p.argv.some((a) => a.endsWith(path.join('scripts', 'refund-desk.mjs'))) && p.argv.includes('start'),
    );
    expect(deskProcess, `no desk process among ${JSON.stringify(processes)}`).toBeDefined();
    // Plain node: nothing but the probe itself is preloaded.
    expect(deskProcess!.execArgv).toEqual([]);
    const modules = lines.filter((l) => l.pid === deskProcess!.pid && 'url' in l).map((l) => l.url as string);
    expect(modules).toContain(pathToFileURL(path.join(ROOT, 'dist/cli.js')).href);
    expect(modules).toContain(pathToFileURL(path.join(ROOT, 'dist/desk.js')).href);
    // In every process of the run (npm, the pre-step, the desk): no TypeScript source, no tsx.
    const everyModule = lines.filter((l) => 'url' in l).map((l) => l.url as string);
    expect(
      everyModule.filter(
        (u) => /\.[mc]?tsx?$/.test(u) || u.includes('/node_modules/tsx/') || u.startsWith(pathToFileURL(path.join(ROOT, 'src')).href),
      ),
    ).toEqual([]);
  }, 180_000);
});

describe('the refund-desk executable', () => {
  /** A checkout of just the executable, with dist/ as given: what it does without, or with another, build. */
  async function checkout(dist: Record<string, string> | null): Promise<string> {
    const root = await scratch('desk-bin-');
    await fs.mkdir(path.join(root, 'scripts'));
    for (const file of ['refund-desk.mjs', 'build-state.mjs'])
      await fs.copyFile(path.join(ROOT, 'scripts', file), path.join(root, 'scripts', file));
    await fs.mkdir(path.join(root, 'src'));
    await fs.writeFile(path.join(root, 'src', 'cli.ts'), 'console.log("source");\n');
    if (dist) {
      await fs.mkdir(path.join(root, 'dist'));
      for (const [name, text] of Object.entries(dist)) await fs.writeFile(path.join(root, 'dist', name), text);
    }
    return root;
  }
  const bin = (root: string) =>
    run(process.execPath, [path.join(root, 'scripts', 'refund-desk.mjs'), 'start'], { cwd: root }).then(
      ({ stdout, stderr }) => ({ code: 0, stdout, stderr }),
      (error: { code: number; stdout: string; stderr: string }) => ({ code: error.code, stdout: error.stdout, stderr: error.stderr }),
    );

  it('refuses to run without a build, saying how to make one', async () => {
    const result = await bin(await checkout(null));
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr.trim()).toBe('refund-desk: dist/ is not built: run `npm run build` (`npm start` builds it when needed)');
  });

  it('runs a build of other sources, with a warning line', async () => {
    const root = await checkout({
      'cli.js': 'console.log("compiled");\n',
      'build-info.json': JSON.stringify({ sources: 'sha256:other', builtAt: '2026-12-01T00:00:00.000Z', typescript: '5.9.3', node: 'v20' }),
    });
    const result = await bin(root);
    expect(result).toMatchObject({ code: 0, stdout: 'compiled\n' });
    expect(result.stderr).toMatch(/^refund-desk: warning: dist\/ \(built 2026-12-01T00:00:00.000Z\) is not a build of src\/ as it is now/);
  });

  it('runs a build of these sources silently, wherever it was copied (contents count, not times)', async () => {
    const root = await checkout({ 'cli.js': 'console.log("compiled");\n' });
    await fs.writeFile(path.join(root, 'dist', 'build-info.json'), JSON.stringify({ sources: sourceFingerprint(root), builtAt: 'now' }));
    const later = new Date(Date.now() + 60_000);
    await fs.utimes(path.join(root, 'src', 'cli.ts'), later, later);
    expect(await bin(root)).toEqual({ code: 0, stdout: 'compiled\n', stderr: '' });
    await fs.appendFile(path.join(root, 'src', 'cli.ts'), '// changed\n');
    expect((await bin(root)).stderr).toContain('is not a build of src/ as it is now');
  });
});
