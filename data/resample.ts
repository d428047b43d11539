/**
 * Resampling bars to a coarser timeframe: open = first, high = max, low = min, close = last, volume = sum.
 *
 * Buckets are read on the local wall clock of the series' zone (`bars.tz`):
 *  - intraday targets (s, m, h) are aligned to local midnight and never cross a local day boundary; a bucket is a
 *    wall-clock range [k·len, (k+1)·len) of the local day. On a DST "fall back" night the repeated hour's bars have
 *    the same wall-clock times as the first pass; they form separate buckets when the bucket is shorter than the
 *    repeated hour and merge into one when it covers it (a 1h bucket at 01:00 then holds two real hours).
 *  - daily targets group by local calendar day (label = local midnight as a UTC instant); nd buckets are aligned on
 *    days since 1970-01-01;
 *  - weekly targets start Monday 00:00 local (nw buckets aligned on weeks since Monday 1970-01-05);
 *  - monthly targets start on the 1st, 00:00 local (nmo buckets aligned on months since January of year 0).
 * Labels are bucket STARTS. When the start's wall time does not exist (a DST gap), the label is the bucket's first
 * bar. Only existing bars are aggregated: an empty bucket gives no bar.
 *
 * NaN (missing) values inside a bucket are skipped: open is the first non-NaN open, close the last non-NaN close,
 * high/low/volume ignore NaN; a field that is NaN on every bar of the bucket stays NaN. Bars with a NaN timestamp
 * are dropped. Input must be in ascending time order.
 *
 * Hot path: a single pass over the typed arrays, no per-bar allocation; the zone offset is looked up once per UTC
 * hour.
 */
import { UsageError } from '../src/errors.ts';
import { DAY_MS, isIntraday, type Timeframe } from '../src/timeframe.ts';
import { allocBars, sliceBars, type BarSeries } from '../src/types.ts';
import { tzOffset, wallToUtc } from '../src/tz.ts';

const HOUR = 3_600_000;
/** 1970-01-05, the first Monday after the epoch, as a day number. */
const MONDAY_EPOCH_DAY = 4;

/** Bucket kinds. */
const Mode = { Intraday: 0, Day: 1, Week: 2, Month: 3 } as const;

/** Throws UsageError when bars of timeframe `from` cannot be aggregated into `to`. */
export function checkResample(from: Timeframe, to: Timeframe): void {
  const bad = (why: string, hint?: string): never => {
    throw new UsageError(`cannot resample ${from.label} bars to ${to.label}: ${why}`, hint);
  };
  if (to.unit === 'tick') bad('tick is not a fixed timeframe', 'choose a target such as 1m, 5m, 1h, 1d');
  if (from.unit === 'tick') return; // ticks aggregate into any fixed timeframe
  const finer = () => bad(`${to.label} is not coarser than ${from.label}`, 'resampling only aggregates to a coarser timeframe');
  if (isIntraday(to)) {
    if (!isIntraday(from) || to.ms <= from.ms) finer();
    if (to.ms % from.ms !== 0) bad(`${to.label} is not a whole multiple of ${from.label}`);
    if (to.ms > DAY_MS) bad('intraday buckets cannot be longer than a day', 'use 1d or a multiple of days');
    return;
  }
  // Intraday bars never span a local day boundary, so they nest in any calendar bucket.
  if (isIntraday(from)) return;
  switch (to.unit) {
    case 'd':
      if (from.unit !== 'd' || to.n <= from.n) finer();
      if (to.n % from.n !== 0) bad(`${to.label} is not a whole multiple of ${from.label}`);
      return;
    case 'w':
      if (from.unit === 'd') {
        if ((7 * to.n) % from.n !== 0 || MONDAY_EPOCH_DAY % from.n !== 0) bad(`${from.label} bars do not nest in ${to.label} weeks`);
        if (from.n >= 7 * to.n) finer();
        return;
      }
      if (from.unit !== 'w' || to.n <= from.n) finer();
      if (to.n % from.n !== 0) bad(`${to.label} is not a whole multiple of ${from.label}`);
      return;
    case 'mo':
      if (from.unit === 'd' && from.n === 1) return;
      if (from.unit === 'd' || from.unit === 'w') bad(`${from.label} bars do not nest in calendar months`, 'resample from 1d or intraday bars');
      if (to.n <= from.n) finer();
      if (to.n % from.n !== 0) bad(`${to.label} is not a whole multiple of ${from.label}`);
      return;
  }
}

/** Month index (year·12 + month0) of a day number (days since 1970-01-01), without allocating (Hinnant's civil). */
function monthIndexOfDay(dayNum: number): number {
  const z = dayNum + 719468;
  const era = Math.floor(z / 146097);
  const doe = z - era * 146097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const m = mp < 10 ? mp + 3 : mp - 9; // 1..12
  const y = yoe + era * 400 + (m <= 2 ? 1 : 0);
  return y * 12 + (m - 1);
}

/** Aggregate `bars` into `to` buckets on the local calendar of `bars.tz`. See the module comment for the rules. */
export function resample(bars: BarSeries, to: Timeframe): BarSeries {
  checkResample(bars.timeframe, to);
  const tz = bars.tz;
  const mode = isIntraday(to) ? Mode.Intraday : to.unit === 'd' ? Mode.Day : to.unit === 'w' ? Mode.Week : Mode.Month;
  const len = to.ms;
  const nDays = mode === Mode.Day ? to.n : 7 * to.n;
  const nMonths = to.n;

  const { ts, open, high, low, close, volume } = bars;
  const n = ts.length;
  const out = allocBars(bars.symbol, to, tz, n);
  const oTs = out.ts;
  const oOpen = out.open;
  const oHigh = out.high;
  const oLow = out.low;
  const oClose = out.close;
  const oVol = out.volume;

  let k = -1; // index of the current output bar
  let curKey = NaN;
  let curHour = NaN;
  let off = 0;
  let lastDay = NaN;
  let lastMonthKey = 0;

  for (let i = 0; i < n; i++) {
    const t = ts[i];
    if (t !== t) continue;
    const hk = Math.floor(t / HOUR);
    if (hk !== curHour) {
      curHour = hk;
      off = tzOffset(t, tz);
    }
    const wall = t + off;
    const dayNum = Math.floor(wall / DAY_MS);
    let key: number;
    if (mode === Mode.Intraday) {
      const dayWall = dayNum * DAY_MS;
      key = dayWall + Math.floor((wall - dayWall) / len) * len;
    } else if (mode === Mode.Day) {
      key = Math.floor(dayNum / nDays) * nDays * DAY_MS;
    } else if (mode === Mode.Week) {
      key = (MONDAY_EPOCH_DAY + Math.floor((dayNum - MONDAY_EPOCH_DAY) / nDays) * nDays) * DAY_MS;
    } else {
      if (dayNum !== lastDay) {
        lastDay = dayNum;
        const mi = Math.floor(monthIndexOfDay(dayNum) / nMonths) * nMonths;
        lastMonthKey = Date.UTC(Math.floor(mi / 12), mi % 12, 1);
      }
      key = lastMonthKey;
    }

    if (key !== curKey) {
      curKey = key;
      k++;
      // Label: the UTC instant of the bucket's wall-clock start. Try the first bar's offset (right on a repeated
      // hour), then the zone's usual reading; a start that does not exist (DST gap) is labelled by its first bar.
      let lab = key - off;
      if (lab + tzOffset(lab, tz) !== key) {
        lab = wallToUtc(key, tz);
        if (lab + tzOffset(lab, tz) !== key) lab = t;
      }
      if (lab > t || (k > 0 && lab <= oTs[k - 1])) lab = t;
      oTs[k] = lab;
    }

    const o = open[i];
    if (o === o && oOpen[k] !== oOpen[k]) oOpen[k] = o;
    const h = high[i];
    if (h === h && !(oHigh[k] >= h)) oHigh[k] = h;
    const l = low[i];
    if (l === l && !(oLow[k] <= l)) oLow[k] = l;
    const c = close[i];
    if (c === c) oClose[k] = c;
    const v = volume[i];
    if (v === v) oVol[k] = oVol[k] === oVol[k] ? oVol[k] + v : v;
  }
  return sliceBars(out, 0, k + 1);
}
