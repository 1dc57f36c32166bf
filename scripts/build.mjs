#!/usr/bin/env node
// npm run build: compiles src/ to dist/ with tsc (tsconfig.build.json: `.ts` import specifiers are
// rewritten to `.js`), copies what src/ holds besides TypeScript (the widget's browser script, read
// from beside the code that serves it), and records the sources' fingerprint in dist/build-info.json.
// Files outside src/ that the desk reads at run time (intents/, prisma/migrations/) are found from
// dist/ by the same relative paths as from src/, so they stay where they are.
//
//   node scripts/build.mjs             build (always)
//   node scripts/build.mjs --if-stale  build only when dist/ is missing or was built from other
//                                      sources (npm start's and npm run desk's pre-step)
//
// The build is written to a folder of its own and renamed into place, so dist/ is always a whole
// build (or absent), and a lock keeps two builds started together from trampling each other.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { buildState, DIST, ROOT, sourceFingerprint } from './build-state.mjs';

const ifStale = process.argv.includes('--if-stale');
const LOCK = path.join(ROOT, 'dist.lock');
const LOCK_WAIT_MS = 10 * 60_000;

const say = (line) => process.stderr.write(`${line}\n`);
const sleep = (ms) => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);

function alive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return error.code === 'EPERM';
  }
}

/** Takes the build lock; a lock left by a build that died is taken over. */
function lock() {
  const end = Date.now() + LOCK_WAIT_MS;
  let waiting = false;
  for (;;) {
    try {
      fs.mkdirSync(LOCK);
      fs.writeFileSync(path.join(LOCK, 'pid'), String(process.pid));
      return;
    } catch (error) {
      if (error.code !== 'EEXIST') throw error;
    }
    const holder = Number(fs.readFileSync(path.join(LOCK, 'pid'), { encoding: 'utf8', flag: 'a+' }) || NaN);
    if (Number.isInteger(holder) && !alive(holder)) {
      fs.rmSync(LOCK, { recursive: true, force: true });
      continue;
    }
    if (Date.now() > end) throw new Error(`another build (${LOCK}) did not finish within ${LOCK_WAIT_MS / 60_000} min`);
    if (!waiting) say('refund-desk build: waiting for another build to finish');
    waiting = true;
    sleep(200);
  }
}

const unlock = () => fs.rmSync(LOCK, { recursive: true, force: true });

function tscPath() {
  try {
    return createRequire(import.meta.url).resolve('typescript/bin/tsc');
  } catch {
    return null;
  }
}

function filesUnder(dir) {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    return entry.isDirectory() ? filesUnder(full) : entry.isFile() ? [full] : [];
  });
}

function build() {
  const tsc = tscPath();
  if (!tsc) {
    throw new Error(
      'TypeScript is not installed (an install without dev dependencies?): build where `npm ci` installed them (`npm run build`), then run or ship dist/',
    );
  }
  const started = Date.now();
  // Fingerprinted before compiling: a source edited during the build leaves the build marked stale.
  const sources = sourceFingerprint();
  // Under the lock no other build is running: any dist.tmp-* is what an interrupted one left.
  for (const name of fs.readdirSync(ROOT).filter((n) => n.startsWith('dist.tmp-')))
    fs.rmSync(path.join(ROOT, name), { recursive: true, force: true });
  const out = path.join(ROOT, `dist.tmp-${process.pid}`);
  try {
    const result = spawnSync(process.execPath, [tsc, '-p', path.join(ROOT, 'tsconfig.build.json'), '--outDir', out], {
      cwd: ROOT,
      stdio: 'inherit',
    });
    if (result.status !== 0) throw new Error(`tsc failed (exit ${result.status ?? result.signal}); dist/ is unchanged`);
    const src = path.join(ROOT, 'src');
    for (const file of filesUnder(src).filter((f) => !f.endsWith('.ts'))) {
      const target = path.join(out, path.relative(src, file));
      fs.mkdirSync(path.dirname(target), { recursive: true });
      fs.copyFileSync(file, target);
    }
    const typescript = JSON.parse(fs.readFileSync(path.join(path.dirname(tsc), '..', 'package.json'), 'utf8')).version;
    const info = { sources, builtAt: new Date().toISOString(), typescript, node: process.version };
    fs.writeFileSync(path.join(out, 'build-info.json'), `${JSON.stringify(info, null, 2)}\n`);
    fs.rmSync(DIST, { recursive: true, force: true });
    fs.renameSync(out, DIST);
  } finally {
    fs.rmSync(out, { recursive: true, force: true });
  }
  say(`refund-desk build: dist/ built from src/ in ${((Date.now() - started) / 1000).toFixed(1)} s`);
}

function main() {
  if (ifStale && !buildState().stale) return;
  lock();
  try {
    // Whoever held the lock may just have built these very sources.
    const state = buildState();
    if (ifStale && !state.stale) return;
    if (ifStale)
      say(
        `refund-desk build: ${state.built ? 'src/ changed since dist/ was built' : 'dist/ is not built yet'}; compiling (tsc, about half a minute)`,
      );
    build();
  } finally {
    unlock();
  }
}

try {
  main();
} catch (error) {
  say(`refund-desk build: ${error.message}`);
  process.exit(1);
}
