// Plays the realistic mix of refund requests of test/helpers/decision-mix.ts through a desk on a
// throwaway database and prints the share closed with no person beside the share the article's
// policy allows (issue 17, M30). Usage: npx tsx scripts/decision-mix.ts [--seed 17] [--ordinary 110] [--list]
// Runs on embedded PGlite in a temporary folder, or on a throwaway PostgreSQL database when
// DATABASE_URL names a server it may create databases on.
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { loadConfig } from '../src/config.ts';
import { createDesk } from '../src/desk.ts';
import { describeFigures, figures, generateMix, playMix } from '../test/helpers/decision-mix.ts';

const { values } = parseArgs({
  options: {
    seed: { type: 'string', default: '17' },
    ordinary: { type: 'string', default: '110' },
    list: { type: 'boolean', default: false },
  },
});
const seed = Number(values.seed);
const ordinary = Number(values.ordinary);
if (!Number.isInteger(seed) || !Number.isInteger(ordinary) || ordinary < 1) {
  console.error('--seed and --ordinary must be whole numbers (--ordinary at least 1)');
  process.exit(2);
}

const dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'refund-desk-mix-'));
let database: { url: string; drop(): Promise<void> } | null = null;
if (process.env.DATABASE_URL) {
  const admin = process.env.DATABASE_URL;
  const name = `rd_mix_${Date.now().toString(36)}`;
  const client = new pg.Client({ connectionString: admin });
  await client.connect();
  await client.query(`CREATE DATABASE "${name}"`);
  await client.end();
  const url = new URL(admin);
  url.pathname = `/${name}`;
  database = {
    url: url.toString(),
    async drop() {
      const c = new pg.Client({ connectionString: admin });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      await c.end();
    },
  };
}
const desk = await createDesk(
  loadConfig({
    NODE_ENV: 'test',
    PORT: '0',
    DATA_DIR: dataDir,
    DEMO_SEED: 'off',
    LOG_LEVEL: 'silent',
    ...(database ? { DATABASE_URL: database.url } : {}),
  }),
  { defaultMetrics: false },
);
try {
  const mix = generateMix(seed, ordinary);
  const results = await playMix(desk, mix, Date.now().toString(36));
  console.log(describeFigures(figures(results)));
  if (values.list) {
    for (const r of results) {
      const q = r.request;
      // The first rule that failed: what refused it or sent it to a person.
      const decided =
        r.desk === 'approved' ? '' : (r.view.rules.find((rule) => rule.result === 'fail' && rule.id !== 'window.unconditional')?.id ?? '');
      console.log(
        `${r.article === r.desk ? ' ' : '≠'} ${q.profile.padEnd(10)} ${q.category.padEnd(12)} ${String(Math.round(q.minutesAgo)).padStart(5)} min  ${q.reason.padEnd(12)} article ${r.article.padEnd(12)} desk ${r.desk.padEnd(12)} ${decided}`,
      );
    }
  }
} finally {
  // Each step on its own, so a failing close still drops the throwaway database and folder.
  await desk.close().catch((error: unknown) => console.error('closing the desk failed:', error));
  await database?.drop().catch((error: unknown) => console.error('dropping the throwaway database failed:', error));
  await fs.rm(dataDir, { recursive: true, force: true });
}
