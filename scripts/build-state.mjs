// Whether dist/ holds a build of the sources as they are now: shared by the build (scripts/build.mjs,
// which records the fingerprint) and the `refund-desk` executable (which warns when it runs a build
// of other sources). Plain JavaScript: it runs before anything is compiled.
//
// The fingerprint hashes the contents (never the modification times) of every file under src/ and
// of the two tsconfig files, so a build copied to another host, or a checkout touched by git without
// changing a byte, is still the build of those sources.
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('..', import.meta.url));
export const DIST = path.join(ROOT, 'dist');
export const BUILD_INFO = path.join(DIST, 'build-info.json');
const INPUT_FILES = ['tsconfig.json', 'tsconfig.build.json'];

function filesUnder(dir) {
  const out = [];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) out.push(...filesUnder(full));
    else if (entry.isFile()) out.push(full);
  }
  return out;
}

/** The sources' fingerprint, or null when this checkout has no src/ (a shipped build alone). */
export function sourceFingerprint(root = ROOT) {
  const src = path.join(root, 'src');
  if (!fs.existsSync(src)) return null;
  const files = [...filesUnder(src), ...INPUT_FILES.map((f) => path.join(root, f)).filter((f) => fs.existsSync(f))]
    .map((f) => path.relative(root, f).split(path.sep).join('/'))
    .sort();
  const hash = createHash('sha256');
  for (const file of files) {
    hash.update(file).update('\0');
    hash.update(fs.readFileSync(path.join(root, file))).update('\0');
  }
  return `sha256:${hash.digest('hex')}`;
}

/** What dist/build-info.json says about the build, or null when there is no (finished) build. */
export function readBuildInfo(dist = DIST) {
  try {
    return JSON.parse(fs.readFileSync(path.join(dist, 'build-info.json'), 'utf8'));
  } catch {
    return null;
  }
}

/**
 * `built`: dist/ holds a finished build. `stale`: it was built from other sources than src/ holds now
 * (false when there is no src/ to compare with).
 */
export function buildState(root = ROOT) {
  const info = readBuildInfo(path.join(root, 'dist'));
  if (!info || !fs.existsSync(path.join(root, 'dist', 'cli.js'))) return { built: false, stale: true, info: null };
  const now = sourceFingerprint(root);
  return { built: true, stale: now !== null && now !== info.sources, info };
}
