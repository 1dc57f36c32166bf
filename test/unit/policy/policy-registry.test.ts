// Presets are versioned code: every version ever enforced stays resolvable, so a stored decision
// replays under the version it names. The pins below fail when a preset's content changes without
// a new version (bump it, move the old one to preset-history.ts, and add its pin here).
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { decide, PRESETS, PRESET_VERSIONS, presetVersion } from '../../../src/policy/index.ts';
import { facts } from './facts-builder.ts';

const PINS: Record<string, string> = {
  'course-default@1': '90aaef9414072180',
  'software-key-default@1': 'a36b3851097f5421',
  'membership-default@1': '9b0aaf8082282481',
  'template-default@1': '0614a6827086f502',
  'course-default@2': '7b9e093b70ad9f74',
  'software-key-default@2': 'dbbb63e974e22ee2',
  'membership-default@2': '27afcb0dfa079992',
  'template-default@2': '7038a8a88eccdcb5',
};

const canonical = (v: unknown): string =>
  Array.isArray(v)
    ? `[${v.map(canonical).join(',')}]`
    : v && typeof v === 'object'
      ? `{${Object.keys(v)
          .sort()
          .map((k) => `${JSON.stringify(k)}:${canonical((v as Record<string, unknown>)[k])}`)
          .join(',')}}`
      : JSON.stringify(v);
const fingerprint = (v: unknown) => createHash('sha256').update(canonical(v)).digest('hex').slice(0, 16);

describe('the registry of preset versions', () => {
  it('holds every version once, the current ones included, each with the content it was enforced with', () => {
    const keys = PRESET_VERSIONS.map((p) => `${p.id}@${p.version}`);
    expect(new Set(keys).size).toBe(keys.length);
    for (const preset of Object.values(PRESETS)) expect(presetVersion(preset.id, preset.version)).toBe(preset);
    expect(Object.fromEntries(PRESET_VERSIONS.map((p) => [`${p.id}@${p.version}`, fingerprint(p)]))).toEqual(PINS);
  });

  it('resolves an old version as it was, and nothing that never existed', () => {
    const v1 = presetVersion('course-default', 1)!;
    expect(v1.allowances.new).toEqual({ maxCount: 1, maxAmountMinor: 10_000 });
    expect(v1.allowances.restricted).toEqual({ maxCount: 0, maxAmountMinor: 0 });
    expect(presetVersion('course-default', 3)).toBeUndefined();
    expect(presetVersion('nope', 1)).toBeUndefined();
  });

  it("replays a version 1 decision under version 1: its allowance numbers, read by today's engine", () => {
    // Version 1's standard buyers had ¥500 in 30 days; version 2 keeps the same number.
    const v1 = presetVersion('course-default', 1)!;
    const used = { count: 0, amountMinor: 60_000 };
    expect(decide(v1, facts({ minutesAgo: 120, used })).outcome).toBe('review');
    expect(decide(v1, facts({ minutesAgo: 120, used: { count: 0, amountMinor: 0 } })).policy).toEqual({ id: 'course-default', version: 1 });
  });
});
