// `refund-desk start` with NODE_ENV=production, as an operator runs it: a demo or published secret, a
// weak one, a missing one or DEMO_SEED=on stops the process before it touches anything, with exit
// code 2 and one line that names the variable and never shows its value.
import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { DEMO_SECRETS } from '../../src/config.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const CLI = path.join(ROOT, 'scripts', 'refund-desk-dev.mjs');

// Nothing from the runner's environment leaks in; the database is never reached (nothing listens on port 9).
const PRODUCTION = {
  NODE_ENV: 'production',
  DATABASE_URL: 'postgres://postgres@127.0.0.1:9/desk',
  PLATFORM_WEBHOOK_SECRET: '3f9c2b7e8a1d4c6b9e0f5a2d7c1b8e4f',
  PLATFORM_API_KEY: 'Zq7R-mK2pX9vL4tB8nW1cY6hJ3sD0fGa',
  CHAT_TOKEN_SECRET: 'c8d1e6f3a9b2475e8c0d3f6a1b9e2c7d',
};

function start(env: Record<string, string>, command = 'start'): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [CLI, command], {
      cwd: ROOT,
      env: { PATH: process.env.PATH, HOME: process.env.HOME, PORT: '0', ...env },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.once('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('refund-desk start in production', () => {
  it.each([
    // Each start is a whole process; test/unit/config.test.ts covers every other value and variable.
    ['PLATFORM_API_KEY', DEMO_SECRETS.platformApiKey, 'is a published example value'],
    ['CHAT_TOKEN_SECRET', 'x'.repeat(48), 'is too weak for production'],
    ['DEMO_SEED', 'on', 'must not be on when NODE_ENV=production'],
  ])(
    'refuses %s=%s: exit 2, one line naming it',
    async (name, value, why) => {
      const run = await start({ ...PRODUCTION, [name]: value });
      expect(run.code).toBe(2);
      expect(run.stdout).toBe('');
      const line = run.stderr.trim();
      expect(line).not.toContain('\n');
      expect(line).toMatch(new RegExp(`^Configuration error: ${name} ${why}`));
      if (value.length > 2) expect(line).not.toContain(value);
    },
    60_000,
  );
});

describe('refund-desk seed-demo in production', () => {
  it('is refused before it opens the database: exit 2, one line', async () => {
    const run = await start(PRODUCTION, 'seed-demo');
    expect(run.code).toBe(2);
    expect(run.stderr.trim()).toMatch(/^seed-demo is refused when NODE_ENV=production/);
  }, 60_000);
});
