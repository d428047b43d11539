/**
 * Calendar features (group 'calendar', `needs: ['ts']`): time of day and day of week of the bar's START time, read in
 * the series' time zone (src/tz.ts utcToWall, so DST is followed), encoded on the unit circle so that 23:59 is next to
 * 00:00 and Sunday next to Monday.
 *
 *   hour      → hour_sin, hour_cos       angle = 2π·(hour + minute/60)/24   (seconds are ignored)
 *   weekday   → weekday_sin, weekday_cos angle = 2π·d/7, d = 0 for Monday … 6 for Sunday
 *
 * No parameters: the feature names are the output names (hour_sin, …). Lookback 0. A bar whose ts is missing (NaN or
 * ±Infinity) gets NaN; OHLCV values are not read, so a missing price does not make a calendar feature NaN. An unknown
 * zone is rejected (src/tz.ts checkTz: UsageError) when the batch or stream is set up.
 */
import { checkTz, tzOffset, utcToWall } from '../../src/tz.ts';
import type { IndicatorSpec } from '../indicators/types.ts';
import { defineFeature, type BatchColumns, type FeatureKernel } from './stats.ts';

const DAY_MS = 86_400_000;
const MINUTE_MS = 60_000;
const TWO_PI = 2 * Math.PI;

/** Minutes since local midnight (0..1439) of a UTC instant in `tz`. */
export function minuteOfDay(utcMs: number, tz: string): number {
  const wall = utcToWall(utcMs, tz);
  let ms = wall % DAY_MS;
  if (ms < 0) ms += DAY_MS;
  return Math.floor(ms / MINUTE_MS);
}

/** Local weekday of a UTC instant in `tz`: Monday 0 … Sunday 6 (1970-01-01 was a Thursday, 3). */
export function weekdayMon0(utcMs: number, tz: string): number {
  const days = Math.floor(utcToWall(utcMs, tz) / DAY_MS);
  let d = (days + 3) % 7;
  if (d < 0) d += 7;
  return d;
}

const HOUR_MS = 3_600_000;

/** Zones checkTz accepted (checkTz builds an Intl.DateTimeFormat, ~1 ms; a zone that passed once always passes). */
const checkedZones = new Set<string>();
function checkTzOnce(tz: string): string {
  if (!checkedZones.has(tz)) {
    checkTz(tz);
    checkedZones.add(tz);
  }
  return tz;
}

// sin/cos of every minute of the day and every weekday, each the exact expression the features define (so a table
// lookup gives the same bits as computing it)
const HOUR_SIN = new Float64Array(1440);
const HOUR_COS = new Float64Array(1440);
for (let m = 0; m < 1440; m++) {
  const a = (TWO_PI * m) / 1440; // (hour + minute/60)/24 = minutes/1440
  HOUR_SIN[m] = Math.sin(a);
  HOUR_COS[m] = Math.cos(a);
}
const WEEKDAY_SIN = new Float64Array(7);
const WEEKDAY_COS = new Float64Array(7);
for (let d = 0; d < 7; d++) {
  const a = (TWO_PI * d) / 7;
  WEEKDAY_SIN[d] = Math.sin(a);
  WEEKDAY_COS[d] = Math.cos(a);
}

/**
 * The zone offset, looked up once per UTC hour (src/tz.ts's offsets are a function of the UTC hour, so this is the
 * same offset utcToWall uses).
 */
class OffsetCache {
  private hour = NaN;
  private off = 0;
  constructor(private readonly tz: string) {}
  wall(ts: number): number {
    const h = Math.floor(ts / HOUR_MS);
    if (h !== this.hour) {
      this.hour = h;
      this.off = tzOffset(ts, this.tz);
    }
    return ts + this.off;
  }
}

/** minuteOfDay of a wall time */
function wallMinute(wall: number): number {
  let ms = wall % DAY_MS;
  if (ms < 0) ms += DAY_MS;
  return Math.floor(ms / MINUTE_MS);
}

/** weekdayMon0 of a wall time */
function wallWeekday(wall: number): number {
  let d = (Math.floor(wall / DAY_MS) + 3) % 7;
  if (d < 0) d += 7;
  return d;
}

/** Stream of hour (weekday false) or weekday sin/cos: the same lookups as calendarColumns, one bar at a time. */
class CalendarKernel implements FeatureKernel {
  private readonly off: OffsetCache;
  constructor(tz: string, private readonly weekday: boolean, private readonly out: Float64Array) {
    this.off = new OffsetCache(tz);
  }
  update(_o: number, _h: number, _l: number, _c: number, _v: number, ts: number): void {
    if (ts - ts !== 0) {
      this.out[0] = this.out[1] = NaN;
      return;
    }
    const w = this.off.wall(ts);
    const k = this.weekday ? wallWeekday(w) : wallMinute(w);
    this.out[0] = (this.weekday ? WEEKDAY_SIN : HOUR_SIN)[k];
    this.out[1] = (this.weekday ? WEEKDAY_COS : HOUR_COS)[k];
  }
}

/** Batch of hour (weekday false) or weekday: one pass, the offset looked up once per UTC hour, table lookups. */
function calendarColumns({ ts, len, tz }: BatchColumns, weekday: boolean): Float64Array[] {
  const off = new OffsetCache(checkTzOnce(tz));
  const sin = new Float64Array(len);
  const cos = new Float64Array(len);
  const ts_ = weekday ? WEEKDAY_SIN : HOUR_SIN;
  const tc = weekday ? WEEKDAY_COS : HOUR_COS;
  for (let i = 0; i < len; i++) {
    const t = ts[i];
    if (t - t !== 0) {
      sin[i] = cos[i] = NaN;
      continue;
    }
    const w = off.wall(t);
    const k = weekday ? wallWeekday(w) : wallMinute(w);
    sin[i] = ts_[k];
    cos[i] = tc[k];
  }
  return [sin, cos];
}

export const HOUR: IndicatorSpec = defineFeature({
  name: 'hour',
  description: 'Time of day of the bar start in the series time zone, as sin/cos of a 24-hour cycle',
  group: 'calendar',
  needs: ['ts'],
  inputs: [],
  params: [],
  outputs: ['hour_sin', 'hour_cos'],
  note: 'angle = 2π·(hour + minute/60)/24 in the series tz (DST followed); seconds ignored.',
  lookback: () => 0,
  make: (_q, out, tz) => new CalendarKernel(checkTzOnce(tz), false, out),
  batch: (c) => calendarColumns(c, false),
});

export const WEEKDAY: IndicatorSpec = defineFeature({
  name: 'weekday',
  description: 'Day of week of the bar start in the series time zone (Mon=0..Sun=6), as sin/cos of a 7-day cycle',
  group: 'calendar',
  needs: ['ts'],
  inputs: [],
  params: [],
  outputs: ['weekday_sin', 'weekday_cos'],
  note: 'angle = 2π·d/7 with d = 0 for Monday … 6 for Sunday, local to the series tz.',
  lookback: () => 0,
  make: (_q, out, tz) => new CalendarKernel(checkTzOnce(tz), true, out),
  batch: (c) => calendarColumns(c, true),
});

/** Every calendar feature. */
export const CALENDAR_FEATURES: IndicatorSpec[] = [HOUR, WEEKDAY];
