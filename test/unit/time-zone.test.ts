import { describe, expect, it } from 'vitest';
import { isTimeZone, localParts, zonedMidnight } from '../../src/domain/time-zone.ts';

describe('time zones', () => {
  it('finds local midnight in Shanghai (UTC+8), New York across DST, and UTC', () => {
    expect(zonedMidnight(2026, 11, 25, 'Asia/Shanghai').toISOString()).toBe('2026-11-24T16:00:00.000Z');
    expect(zonedMidnight(2026, 11, 25, 'America/New_York').toISOString()).toBe('2026-11-25T05:00:00.000Z');
    expect(zonedMidnight(2026, 7, 1, 'America/New_York').toISOString()).toBe('2026-07-01T04:00:00.000Z');
    expect(zonedMidnight(2026, 3, 8, 'America/New_York').toISOString()).toBe('2026-03-08T05:00:00.000Z'); // DST starts at 2:00 that day
    expect(zonedMidnight(2026, 11, 25, 'UTC').toISOString()).toBe('2026-11-25T00:00:00.000Z');
  });

  it('reads the local date, weekday and hour', () => {
    expect(localParts(new Date('2026-11-24T17:30:00Z'), 'Asia/Shanghai')).toEqual({ y: 2026, m: 11, d: 25, weekday: 3, hour: 1 });
    expect(isTimeZone('Asia/Shanghai')).toBe(true);
    expect(isTimeZone('Mars/Olympus')).toBe(false);
  });
});
