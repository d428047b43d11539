import { UsageError } from './errors.ts';

/**
 * A bar timeframe. Fixed-length ones (seconds to weeks) have `ms`; months are calendar months (`ms` is the
 * nominal 30 days, used only for inference); `tick` is irregular (ms = 0).
 */
export interface Timeframe {
  /** Canonical label: tick, 1s, 1m, 5m, 15m, 30m, 1h, 4h, 1d, 2d, 1w, 2w, 1mo. */
  label: string;
  unit: 'tick' | 's' | 'm' | 'h' | 'd' | 'w' | 'mo';
  n: number;
  ms: number;
}

const UNIT_MS = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 7 * 86_400_000, mo: 30 * 86_400_000 } as const;
export const DAY_MS = 86_400_000;

export const COMMON_TIMEFRAMES = ['1m', '5m', '15m', '30m', '1h', '4h', '1d', '1w', '1mo'] as const;

export function parseTimeframe(s: string): Timeframe {
  const t = s.trim().toLowerCase();
  if (t === 'tick') return { label: 'tick', unit: 'tick', n: 0, ms: 0 };
  const m = /^(\d+)\s*(s|sec|m|min|h|hr|d|day|w|wk|mo|mon|month)$/.exec(t);
  if (!m) throw new UsageError(`invalid timeframe "${s}"`, 'use e.g. 1m, 5m, 15m, 1h, 1d, 1w, 1mo');
  const n = Number(m[1]);
  if (!(n > 0)) throw new UsageError(`invalid timeframe "${s}": the count must be positive`);
  const raw = m[2];
  const unit = (raw === 'sec' ? 's' : raw === 'min' ? 'm' : raw === 'hr' ? 'h' : raw === 'day' ? 'd' : raw === 'wk' ? 'w' : raw.startsWith('mo') ? 'mo' : raw) as Timeframe['unit'];
  // Normalise 60m -> 1h, 24h -> 1d.
  if (unit === 'm' && n % 60 === 0) return parseTimeframe(`${n / 60}h`);
  if (unit === 'h' && n % 24 === 0) return parseTimeframe(`${n / 24}d`);
  if (unit === 's' && n % 60 === 0) return parseTimeframe(`${n / 60}m`);
  return { label: `${n}${unit}`, unit, n, ms: n * UNIT_MS[unit as keyof typeof UNIT_MS] };
}

export function isIntraday(tf: Timeframe): boolean {
  return tf.unit === 's' || tf.unit === 'm' || tf.unit === 'h';
}

/**
 * Infer the timeframe from bar spacing. Uses the most common spacing (mode) over consecutive bars, which ignores
 * weekends, holidays and overnight gaps; calendar units (days, weeks, months) are recognised by their ranges.
 */
export function inferTimeframe(ts: Float64Array): { tf: Timeframe; confidence: number; note: string } {
  const n = ts.length;
  if (n < 2) return { tf: parseTimeframe('1d'), confidence: 0, note: 'fewer than 2 bars: assumed 1d' };
  const counts = new Map<number, number>();
  let valid = 0;
  for (let i = 1; i < n; i++) {
    const d = ts[i] - ts[i - 1];
    if (!(d > 0)) continue;
    valid++;
    counts.set(d, (counts.get(d) ?? 0) + 1);
  }
  if (valid === 0) return { tf: parseTimeframe('1d'), confidence: 0, note: 'no increasing timestamps: assumed 1d' };
  let mode = 0;
  let modeCount = 0;
  for (const [d, c] of counts) if (c > modeCount || (c === modeCount && d < mode)) [mode, modeCount] = [d, c];
  const share = modeCount / valid;
  // Calendar spacing: monthly bars spread over 28..31 days; weekly 7; daily 1 (with 3-day weekends).
  const days = mode / DAY_MS;
  let monthLike = 0;
  for (const [d, c] of counts) if (d >= 27 * DAY_MS && d <= 32 * DAY_MS) monthLike += c;
  if (monthLike / valid > 0.6) return { tf: parseTimeframe('1mo'), confidence: monthLike / valid, note: `spacing of 28-31 days on ${pct(monthLike / valid)} of bars` };
  if (share < 0.3 && mode < 60_000) {
    return { tf: parseTimeframe('tick'), confidence: 1 - share, note: `irregular spacing under a minute (most common ${mode} ms on ${pct(share)}): ticks` };
  }
  let tf: Timeframe;
  if (mode % DAY_MS === 0) tf = parseTimeframe(days % 7 === 0 ? `${days / 7}w` : `${days}d`);
  else if (mode % 3_600_000 === 0) tf = parseTimeframe(`${mode / 3_600_000}h`);
  else if (mode % 60_000 === 0) tf = parseTimeframe(`${mode / 60_000}m`);
  else if (mode % 1000 === 0) tf = parseTimeframe(`${mode / 1000}s`);
  else tf = parseTimeframe('tick');
  // 2-day bars from a trading calendar look like a mix of 2, 3 and 4 day gaps: keep the mode.
  return { tf, confidence: share, note: `most common spacing ${tf.label} on ${pct(share)} of bars` };
}

function pct(x: number): string {
  return `${(x * 100).toFixed(0)}%`;
}
