// Debian's Chromium for browser tests (never Playwright's download): its path, or null when missing.
import { execFileSync } from 'node:child_process';
import { chromium, type Browser } from 'playwright-core';
import { REQUIRE_SERVICES } from './services.ts';

function findChromium(): string | null {
  try {
    return execFileSync('sh', ['-c', 'command -v chromium || command -v chromium-browser'], { encoding: 'utf8' }).trim() || null;
  } catch {
    return null;
  }
}

export const chromiumPath = findChromium();
// CI installs Chromium (.ci/run); there, a missing browser is a failure, not a skip.
if (REQUIRE_SERVICES && !chromiumPath) throw new Error('Chromium is not installed (apt-get install chromium)');

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: chromiumPath!,
    headless: true,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--no-first-run',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

export const DOCS = new URL('../../docs/', import.meta.url);
