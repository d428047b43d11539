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
import { checkTz, utcToWall } from '../../src/tz.ts';
import type { IndicatorSpec } from '../indicators/types.ts';
import { defineFeature, type FeatureKernel } from './stats.ts';

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

class HourKernel implements FeatureKernel {
  constructor(private readonly tz: string, private readonly out: Float64Array) {}
  update(_o: number, _h: number, _l: number, _c: number, _v: number, ts: number): void {
    if (ts - ts !== 0) {
      this.out[0] = this.out[1] = NaN;
      return;
    }
    const a = (TWO_PI * minuteOfDay(ts, this.tz)) / 1440; // (hour + minute/60)/24 = minutes/1440
    this.out[0] = Math.sin(a);
    this.out[1] = Math.cos(a);
  }
}

class WeekdayKernel implements FeatureKernel {
  constructor(private readonly tz: string, private readonly out: Float64Array) {}
  update(_o: number, _h: number, _l: number, _c: number, _v: number, ts: number): void {
    if (ts - ts !== 0) {
      this.out[0] = this.out[1] = NaN;
      return;
    }
    const a = (TWO_PI * weekdayMon0(ts, this.tz)) / 7;
    this.out[0] = Math.sin(a);
    this.out[1] = Math.cos(a);
  }
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
  make: (_q, out, tz) => new HourKernel(checkTz(tz), out),
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
  make: (_q, out, tz) => new WeekdayKernel(checkTz(tz), out),
});

/** Every calendar feature. */
export const CALENDAR_FEATURES: IndicatorSpec[] = [HOUR, WEEKDAY];
