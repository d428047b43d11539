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

// Offsets for the hours 1900..2100 are kept in one Int32Array per zone (seconds; a sentinel marks "not yet
// computed"): a lookup is index arithmetic, which matters because imports and resampling convert every bar.
const BASE_HOUR = Math.floor(Date.UTC(1900, 0, 1) / HOUR);
const SPAN_HOURS = Math.floor(Date.UTC(2100, 0, 1) / HOUR) - BASE_HOUR;
const UNSET = -2147483648;
const tables = new Map<string, Int32Array>();

function computeOffset(key: number, tz: string): number {
  const parts = fmt(tz).formatToParts(new Date(key * HOUR));
  const get = (t: string) => Number(parts.find((p) => p.type === t)!.value);
  const asUtc = Date.UTC(get('year'), get('month') - 1, get('day'), get('hour'), get('minute'), get('second'));
  return asUtc - key * HOUR;
}

/** Offset of `tz` from UTC at instant `utcMs`, in ms (e.g. -5h for New York in winter). */
export function tzOffset(utcMs: number, tz: string): number {
  if (tz === 'UTC' || tz === 'Etc/UTC') return 0;
  const key = Math.floor(utcMs / HOUR);
  const idx = key - BASE_HOUR;
  if (idx >= 0 && idx < SPAN_HOURS) {
    let t = tables.get(tz);
    if (!t) {
      t = new Int32Array(SPAN_HOURS).fill(UNSET);
      tables.set(tz, t);
    }
    const v = t[idx];
    if (v !== UNSET) return v * 1000;
    // Fill the whole UTC day at once when its first and last hour agree (no transition inside): one Intl call
    // pair per day instead of one per hour.
    const d0 = idx - (idx % 24);
    const a = computeOffset(BASE_HOUR + d0, tz);
    const b = computeOffset(BASE_HOUR + d0 + 23, tz);
    if (a === b) t.fill(a / 1000, d0, Math.min(SPAN_HOURS, d0 + 24));
    else for (let h = d0; h < Math.min(SPAN_HOURS, d0 + 24); h++) t[h] = computeOffset(BASE_HOUR + h, tz) / 1000;
    return t[idx] * 1000;
  }
  let cache = offsetCache.get(tz);
  if (!cache) {
    cache = new Map();
    offsetCache.set(tz, cache);
  }
  const hit = cache.get(key);
  if (hit !== undefined) return hit;
  const off = computeOffset(key, tz);
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
