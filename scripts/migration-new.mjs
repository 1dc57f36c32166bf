#!/usr/bin/env node
// Writes prisma/migrations/<stamp>_<name>/migration.sql: the SQL that takes the database from the
// schema at a git revision (default HEAD) to the working prisma/schema.prisma.
//
//   npm run migration:new -- add_refund_notes [--from <git rev>]
//
// Why not `prisma migrate dev`? Prisma 7's CLI downloads a native schema engine that is unreachable on
// our machines. Prisma 6.19 ships a WebAssembly schema engine (`engine: "js"` with a driver adapter)
// that can diff two schema files; it still connects to a PostgreSQL server (DATABASE_URL, default the
// local one). It is installed into a scratch folder on first use, so its `prisma` binary never
// shadows Prisma 7's in node_modules/.bin.
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const args = process.argv.slice(2);
const name = args.find((a) => !a.startsWith('--') && args[args.indexOf(a) - 1] !== '--from');
const from = args.includes('--from') ? args[args.indexOf('--from') + 1] : 'HEAD';
if (!name || !/^[a-z0-9_]+$/.test(name)) {
  console.error('usage: npm run migration:new -- <snake_case_name> [--from <git rev>]');
  process.exit(2);
}

const tool = path.join(os.homedir(), '.cache', 'refund-desk', 'prisma6');
if (!fs.existsSync(path.join(tool, 'node_modules', 'prisma', 'build', 'index.js'))) {
  fs.mkdirSync(tool, { recursive: true });
  fs.writeFileSync(path.join(tool, 'package.json'), '{"name":"prisma6-diff","private":true,"type":"module"}\n');
  console.error('Installing Prisma 6.19 (WebAssembly schema engine) into', tool);
  execFileSync('npm', ['install', '--no-audit', '--no-fund', '--ignore-scripts', 'prisma@6.19', '@prisma/adapter-pg@6.19', 'pg'], {
    cwd: tool,
    stdio: 'inherit',
  });
}

// Prisma 6 wants a datasource url in the schema; the adapter below is what it really uses.
const withUrl = (schema) => schema.replace(/datasource db \{([^}]*)\}/, 'datasource db {$1  url = env("DATABASE_URL")\n}');
const current = fs.readFileSync(path.join(root, 'prisma', 'schema.prisma'), 'utf8');
let previous;
try {
  previous = execFileSync('git', ['show', `${from}:prisma/schema.prisma`], { cwd: root, encoding: 'utf8' });
} catch {
  previous = null; // No schema at that revision: diff from an empty database.
}
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'migration-new-'));
fs.writeFileSync(path.join(work, 'to.prisma'), withUrl(current));
if (previous) fs.writeFileSync(path.join(work, 'from.prisma'), withUrl(previous));
const databaseUrl = process.env.DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres';
fs.writeFileSync(
  path.join(work, 'prisma.config.mjs'),
  `import { PrismaPg } from '${path.join(tool, 'node_modules', '@prisma', 'adapter-pg', 'dist', 'index.mjs')}';
export default {
  experimental: { adapter: true },
  engine: 'js',
  schema: 'to.prisma',
  async adapter() { return new PrismaPg({ connectionString: ${JSON.stringify(databaseUrl)} }); },
};
`,
);
const diff = spawnSync(
  process.execPath,
  [
    path.join(tool, 'node_modules', 'prisma', 'build', 'index.js'),
    'migrate',
    'diff',
    '--config',
    'prisma.config.mjs',
    ...(previous ? ['--from-schema-datamodel', 'from.prisma'] : ['--from-empty']),
    '--to-schema-datamodel',
    'to.prisma',
    '--script',
  ],
  {
    cwd: work,
    encoding: 'utf8',
    // The JS engine never runs these native files; naming existing ones stops the download attempt.
    env: {
      ...process.env,
      DATABASE_URL: databaseUrl,
      PRISMA_QUERY_ENGINE_LIBRARY: process.execPath,
      PRISMA_SCHEMA_ENGINE_BINARY: process.execPath,
      PRISMA_HIDE_UPDATE_MESSAGE: '1',
    },
  },
);
fs.rmSync(work, { recursive: true, force: true });
if (diff.status !== 0) {
  console.error(diff.stderr || diff.stdout);
  process.exit(diff.status ?? 1);
}
const sql = diff.stdout.trim();
if (!sql || /^-- This is an empty migration\.?$/.test(sql)) {
  console.log(`No changes between ${from}:prisma/schema.prisma and the working schema.`);
  process.exit(0);
}
const stamp = new Date().toISOString().replace(/\D/g, '').slice(0, 14);
const dir = path.join(root, 'prisma', 'migrations', `${stamp}_${name}`);
fs.mkdirSync(dir, { recursive: true });
fs.writeFileSync(path.join(dir, 'migration.sql'), `${sql}\n`);
console.log(`Wrote ${path.relative(root, dir)}/migration.sql — review it, then run npm test (the drift test checks it).`);
