import { describe, expect, it } from 'vitest';
import { timeAgo } from '../../src/domain/time-ago.ts';

describe('timeAgo', () => {
  const now = Date.UTC(2026, 10, 25, 12, 0, 0);
  const ago = (ms: number) => new Date(now - ms);
  it.each([
    [20_000, '刚刚', 'just now'],
    [12 * 60_000, '12分钟前', '12 min ago'],
    [119 * 60_000, '119分钟前', '119 min ago'],
    [2 * 3_600_000, '2小时前', '2 h ago'],
    [47 * 3_600_000, '47小时前', '47 h ago'],
    [3 * 86_400_000, '3天前', '3 days ago'],
    [-5 * 60_000, '刚刚', 'just now'], // a clock a little ahead never says "in 5 minutes"
  ])('%i ms → %s / %s', (ms, zh, en) => {
    expect(timeAgo(ago(ms), 'zh', now)).toBe(zh);
    expect(timeAgo(ago(ms), 'en', now)).toBe(en);
  });
});
