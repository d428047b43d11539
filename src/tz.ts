/**
 * Time-zone arithmetic on epoch milliseconds, through Intl (the IANA database Node ships). Offsets are cached per
 * zone and UTC hour, so converting millions of timestamps costs a Map lookup each rather than an Intl call.
 */
import { UsageError } from './errors.ts';

const HOUR = 3_600_000;
const formatters = new Map<string, Intl.DateTimeFormat>();
const offsetCache = new Map<string, Map<number, number>>();

export function checkTz(tz: string): string {
  if (tz === 'UTC') return tz;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    return tz;
  } catch {
    throw new UsageError(`unknown time zone "${tz}"`, 'use an IANA name such as UTC, America/New_York, Europe/Berlin');
  }
}

function fmt(tz: string): Intl.DateTimeFormat {
  let f = formatters.get(tz);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone: tz, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric',
    });
    formatters.set(tz, f);
  }
  return f;
}

/** Offset of `tz` from UTC at instant `utcMs`, in ms (e.g. -5h for New York in winter). */
export function tzOffset(utcMs: number, tz: string): number {
  if (tz === 'UTC' || tz === 'Etc/UTC') return 0;
  let cache = offsetCache.get(tz);
  if (!cache) {
    cache = new Map();
    offsetCache.set(tz, cache);
  }
  const key = Math.floor(utcMs / HOUR);
  const hit = cache.get(key);
  if (hit !== undefined) return hit;
  const parts = fmt(tz).formatToParts(new Date(key * HOUR));
  const get = (t: string) => Number(parts.find((p) => p.type === t)!.value);
  const asUtc = Date.UTC(get('year'), get('month') - 1, get('day'), get('hour'), get('minute'), get('second'));
  const off = asUtc - key * HOUR;
  cache.set(key, off);
  return off;
}

/** Convert a wall-clock time in `tz` (expressed as if it were UTC ms) to the real UTC instant. */
export function wallToUtc(wallMs: number, tz: string): number {
  if (tz === 'UTC' || tz === 'Etc/UTC') return wallMs;
  // Two passes handle DST transitions: guess with the offset at the wall time, then correct.
  let off = tzOffset(wallMs, tz);
  let utc = wallMs - off;
  const off2 = tzOffset(utc, tz);
  if (off2 !== off) utc = wallMs - off2;
  return utc;
}

/** The wall-clock time in `tz` of a UTC instant, expressed as UTC ms (so getUTC* give local fields). */
export function utcToWall(utcMs: number, tz: string): number {
  return utcMs + tzOffset(utcMs, tz);
}

/** Start of the local calendar day (in tz) containing utcMs, as a UTC instant. */
export function startOfLocalDay(utcMs: number, tz: string): number {
  const wall = utcToWall(utcMs, tz);
  const dayWall = Math.floor(wall / 86_400_000) * 86_400_000;
  return wallToUtc(dayWall, tz);
}

/** ISO-like text of an instant in tz: `YYYY-MM-DD` for midnight, else `YYYY-MM-DD HH:MM[:SS]`. */
export function formatTs(utcMs: number, tz = 'UTC', dateOnly = false): string {
  if (!Number.isFinite(utcMs)) return 'NaN';
  const w = new Date(utcToWall(utcMs, tz));
  const iso = w.toISOString();
  const date = iso.slice(0, 10);
  if (dateOnly) return date;
  const hms = iso.slice(11, 19);
  const ms = iso.slice(19, 23);
  if (hms === '00:00:00' && ms === '.000') return date;
  if (ms !== '.000') return `${date} ${hms}${ms}`;
  return `${date} ${hms.endsWith(':00') ? hms.slice(0, 5) : hms}`;
}
