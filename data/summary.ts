/**
 * Summaries of stored bars for lists and charts: last close, change over the last bar/day, a tail for sparklines,
 * and a range of closes thinned to a width. Computed here (data layer) so that views only render.
 */
import { DAY_MS, isIntraday } from '../src/timeframe.ts';
import { lowerBound, type BarSeries } from '../src/types.ts';
import { startOfLocalDay } from '../src/tz.ts';

export interface SymbolSummary {
  symbol: string;
  timeframe: string;
  bars: number;
  firstTs: number | null;
  lastTs: number | null;
  lastClose: number | null;
  /** Change of the last close against the previous day's last close (intraday) or the previous bar's close. */
  dayChange: number | null;
  /** Last `sparkN` closes. */
  spark: number[];
}

export function summarize(bars: BarSeries, sparkN = 30): SymbolSummary {
  const n = bars.ts.length;
  const last = n ? bars.close[n - 1] : NaN;
  let prev = NaN;
  if (n > 1) {
    if (isIntraday(bars.timeframe)) {
      const dayStart = startOfLocalDay(bars.ts[n - 1], bars.tz);
      const i = lowerBound(bars.ts, dayStart);
      prev = i > 0 ? bars.close[i - 1] : NaN;
    } else prev = bars.close[n - 2];
  }
  const spark: number[] = [];
  for (let i = Math.max(0, n - sparkN); i < n; i++) spark.push(bars.close[i]);
  return {
    symbol: bars.symbol,
    timeframe: bars.timeframe.label,
    bars: n,
    firstTs: n ? bars.ts[0] : null,
    lastTs: n ? bars.ts[n - 1] : null,
    lastClose: Number.isFinite(last) ? last : null,
    dayChange: Number.isFinite(prev) && Number.isFinite(last) && prev !== 0 ? last / prev - 1 : null,
    spark,
  };
}

export const RANGES = ['1d', '1w', '1m', '3m', '6m', '1y', '5y', 'all'] as const;
export type RangeName = (typeof RANGES)[number];

export function rangeStart(lastTs: number, range: RangeName): number {
  const d = { '1d': 1, '1w': 7, '1m': 30, '3m': 91, '6m': 182, '1y': 365, '5y': 1826, all: Infinity }[range];
  return d === Infinity ? -Infinity : lastTs - d * DAY_MS;
}

/** Indices [from, to) of the bars inside `range` ending at the last bar. */
export function rangeIndices(bars: BarSeries, range: RangeName): [number, number] {
  const n = bars.ts.length;
  if (n === 0) return [0, 0];
  const start = rangeStart(bars.ts[n - 1], range);
  return [start === -Infinity ? 0 : lowerBound(bars.ts, start), n];
}
