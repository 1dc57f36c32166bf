// Calendar arithmetic in a merchant's time zone, with Intl only (no tz database of our own): the
// UTC instant of a local midnight, and a local date's parts.

/** How far `zone`'s wall clock is ahead of UTC at `at`, in ms. */
export function zoneOffsetMs(at: Date, zone: string): number {
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat('en-US', {
      timeZone: zone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    })
      .formatToParts(at)
      .map((p) => [p.type, p.value]),
  );
  const wall = Date.UTC(
    Number(parts.year),
    Number(parts.month) - 1,
    Number(parts.day),
    Number(parts.hour),
    Number(parts.minute),
    Number(parts.second),
  );
  return wall - Math.floor(at.getTime() / 1000) * 1000;
}

/** The local calendar date (y, m 1-12, d), weekday (0 Sunday) and hour at `at` in `zone`. */
export function localParts(at: Date, zone: string): { y: number; m: number; d: number; weekday: number; hour: number } {
  const shifted = new Date(at.getTime() + zoneOffsetMs(at, zone));
  return {
    y: shifted.getUTCFullYear(),
    m: shifted.getUTCMonth() + 1,
    d: shifted.getUTCDate(),
    weekday: shifted.getUTCDay(),
    hour: shifted.getUTCHours(),
  };
}

/** The UTC instant at which local midnight of (y, m, d) happens in `zone`. */
export function zonedMidnight(y: number, m: number, d: number, zone: string): Date {
  const guess = Date.UTC(y, m - 1, d);
  // Twice: the offset at the guess may differ from the offset at the answer around a DST change.
  let at = guess - zoneOffsetMs(new Date(guess), zone);
  at = guess - zoneOffsetMs(new Date(at), zone);
  return new Date(at);
}

export function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}
