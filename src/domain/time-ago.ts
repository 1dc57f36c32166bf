// "12 minutes ago" in the buyer's language: how the bot and the demo page name an order's payment
// time. Relative, so it needs no time zone (buyers have none on record, and UTC clock times confused).
import type { Locale } from './catalog.ts';

const MINUTE = 60_000;

export function timeAgo(at: Date, locale: Locale, now = Date.now()): string {
  const minutes = Math.max(0, Math.floor((now - at.getTime()) / MINUTE));
  const zh = locale === 'zh';
  if (minutes < 1) return zh ? '刚刚' : 'just now';
  if (minutes < 120) return zh ? `${minutes}分钟前` : `${minutes} min ago`;
  const hours = Math.floor(minutes / 60);
  if (hours < 48) return zh ? `${hours}小时前` : `${hours} h ago`;
  const days = Math.floor(hours / 24);
  return zh ? `${days}天前` : `${days} ${days === 1 ? 'day' : 'days'} ago`;
}
