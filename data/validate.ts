/**
 * The bar validator and the --on-error policy of market-data import.
 *
 * validateBars checks a parsed series row by row (timestamps, OHLC consistency, volume) and as a sequence (order,
 * spikes, split-like jumps, gaps, stale runs, spacing). It loops over the typed arrays once (twice when there are
 * enough returns for the spike statistics) and allocates nothing per row except the findings it reports.
 *
 * applyPolicy turns the findings into what the import does: fail, drop bad rows, or fix what has an honest fix.
 */
import { select } from '../src/select.ts';
import { DAY_MS, isIntraday, type Timeframe } from '../src/timeframe.ts';
import type { BarSeries } from '../src/types.ts';
import { formatTs, utcToWall } from '../src/tz.ts';
import { finding, type Finding, type RuleName } from './findings.ts';

export interface ValidateOptions {
  /** default 10: |log return| (from the median) beyond this many robust sigmas (MAD-based, over the whole series) is a price_spike */
  spikeSigma?: number;
  /** default 5: this many or more consecutive bars with identical O,H,L,C (and volume) -> stale_bars */
  staleRun?: number;
  /** default 1 day */
  futureToleranceMs?: number;
}

export interface ValidateInput {
  /** for findings */
  file: string;
  /** parsed values; NaN where a value was missing/unparseable */
  bars: BarSeries;
  /** 1-based source line of each row (same length as bars.ts) */
  lines: Int32Array;
  /**
   * Rows the loader already reported (missing/non-numeric/bad timestamp): non-zero = bad. They are skipped entirely:
   * no per-row rules, and they take no part in sequence rules (order, gaps, spikes, stale runs) or statistics.
   */
  badRows?: Uint8Array;
  /** false for close-only tables: skip volume rules entirely */
  volumeKnown: boolean;
  /** epoch ms, default Date.now() */
  now?: number;
  options?: ValidateOptions;
}

/** Per-bar mixed_timeframe findings beyond this many are summarised in one file-level finding. */
export const MIXED_TIMEFRAME_CAP = 50;
/** Fewer close-to-close returns than this: no price_spike statistics (a MAD over a handful of returns means nothing). */
export const MIN_SPIKE_RETURNS = 20;
const MAD_SCALE = 1.4826;
/** Mean absolute deviation -> sigma for a normal distribution (sqrt(pi/2)); fallback when the MAD is 0. */
const MEAN_AD_SCALE = 1.2533;
const SPLIT_RATIOS = [1 / 2, 1 / 3, 1 / 4, 2, 3, 4, 1 / 1.5, 1.5] as const;
const SPLIT_LABELS = ['1/2', '1/3', '1/4', '2', '3', '4', '1/1.5', '1.5'] as const;
const SPLIT_TOL = 0.03;

/** Every target is at most 1/1.5 or at least 1.5: ratios strictly between these bounds (almost all) are not split-like. */
const SPLIT_LO = (1 / 1.5) * (1 + SPLIT_TOL);
const SPLIT_HI = 1.5 * (1 - SPLIT_TOL);

/** Index into SPLIT_RATIOS of the ratio `r` is within 3% of, or -1. */
function splitLike(r: number): number {
  if (!(r > 0) || (r > SPLIT_LO && r < SPLIT_HI)) return -1;
  for (let k = 0; k < SPLIT_RATIOS.length; k++) if (Math.abs(r / SPLIT_RATIOS[k] - 1) <= SPLIT_TOL) return k;
  return -1;
}

function fmtDur(ms: number): string {
  if (!Number.isFinite(ms)) return String(ms);
  const neg = ms < 0;
  let x = Math.abs(ms);
  const parts: string[] = [];
  for (const [u, len] of [['d', DAY_MS], ['h', 3_600_000], ['m', 60_000], ['s', 1000]] as const) {
    if (x >= len) {
      parts.push(`${Math.floor(x / len)}${u}`);
      x %= len;
    }
  }
  if (x > 0 || parts.length === 0) parts.push(`${x}ms`);
  return (neg ? '-' : '') + parts.join(' ');
}

const dayOfWeek = (day: number): number => (((day + 4) % 7) + 7) % 7; // day 0 = 1970-01-01, a Thursday; 0 = Sunday

/** Weekdays (Mon-Fri) among the day numbers a..b inclusive. */
function weekdaysIn(a: number, b: number): number {
  if (b < a) return 0;
  const total = b - a + 1;
  const full = Math.floor(total / 7);
  let count = full * 5;
  for (let d = a + full * 7; d <= b; d++) {
    const w = dayOfWeek(d);
    if (w !== 0 && w !== 6) count++;
  }
  return count;
}

const localDay = (t: number, tz: string): number => Math.floor(utcToWall(t, tz) / DAY_MS);


/** Median of a[0..m) (reorders a). */
function median(a: Float64Array, m: number): number {
  const k = m >> 1;
  const hi = select(a, 0, m - 1, k);
  if (m & 1) return hi;
  // Even count: the other middle value is the largest of the lower part, which select left in a[0..k).
  let lo = -Infinity;
  for (let i = 0; i < k; i++) if (a[i] > lo) lo = a[i];
  return (lo + hi) / 2;
}

/** Where findings go. The hot loops below are plain functions over locals (no closures), so V8 keeps them fast. */
interface Sink {
  file: string;
  lines: Int32Array;
  tz: string;
  out: Finding[];
}

function emit(s: Sink, rule: RuleName, i: number, message: string, field?: string): void {
  const f = finding(rule, s.file, message, { line: s.lines[i], row: i });
  if (field !== undefined) f.field = field;
  s.out.push(f);
}

const fmtT = (s: Sink, t: number): string => formatTs(t, s.tz);

function staleFinding(s: Sink, b: BarSeries, first: number, last: number, len: number, volumeKnown: boolean): void {
  const vol = volumeKnown ? ` and volume ${b.volume[first]}` : '';
  emit(s, 'stale_bars', first, `${len} consecutive bars (lines ${s.lines[first]}-${s.lines[last]}, ${fmtT(s, b.ts[first])} to ${fmtT(s, b.ts[last])}) have identical open/high/low/close ${b.open[first]}/${b.high[first]}/${b.low[first]}/${b.close[first]}${vol}: stale or forward-filled data?`);
}

/** The per-row rules of one good row. */
function rowRules(s: Sink, b: BarSeries, i: number, futureLimit: number, now: number, futureTol: number): void {
  const t = b.ts[i];
  const o = b.open[i];
  const h = b.high[i];
  const l = b.low[i];
  const c = b.close[i];
  if (t > futureLimit) emit(s, 'future_timestamp', i, `timestamp ${fmtT(s, t)} is in the future: ${fmtDur(t - now)} after now (${fmtT(s, now)}), tolerance ${fmtDur(futureTol)}`, 'ts');
  if (o <= 0) emit(s, 'non_positive_price', i, `open is ${o}: prices must be > 0`, 'open');
  if (h <= 0) emit(s, 'non_positive_price', i, `high is ${h}: prices must be > 0`, 'high');
  if (l <= 0) emit(s, 'non_positive_price', i, `low is ${l}: prices must be > 0`, 'low');
  if (c <= 0) emit(s, 'non_positive_price', i, `close is ${c}: prices must be > 0`, 'close');
  if (h < o || h < c) emit(s, 'high_below_open_close', i, `high ${h} is below ${o >= c ? `open ${o}` : `close ${c}`} (open ${o}, close ${c})`, 'high');
  if (l > o || l > c) emit(s, 'low_above_open_close', i, `low ${l} is above ${o <= c ? `open ${o}` : `close ${c}`} (open ${o}, close ${c})`, 'low');
  if (h < l) emit(s, 'high_below_low', i, `high ${h} is below low ${l}`, 'high');
}

/** Spacing rules between good rows p and i (t > tp). Returns 1 when the spacing does not fit the timeframe. */
function spacingRules(s: Sink, tf: Timeframe, p: number, i: number, tp: number, t: number, mixedSoFar: number): number {
  const d = t - tp;
  const tfMs = tf.ms;
  const tz = s.tz;
  const lines = s.lines;
  if (isIntraday(tf)) {
    // Same local day, and more than one bar apart on the wall clock too (a DST fall-back hour is not a gap).
    if (d > tfMs && localDay(t, tz) === localDay(tp, tz) && utcToWall(t, tz) - utcToWall(tp, tz) > tfMs) {
      emit(s, 'gap', i, `no bars from ${fmtT(s, tp)} (line ${lines[p]}) to ${fmtT(s, t)}: ${fmtDur(d)} between ${tf.label} bars inside one trading day`, 'ts');
    }
  } else if (tf.unit === 'd') {
    if (d > 4 * DAY_MS) {
      const missing = weekdaysIn(localDay(tp, tz) + 1, localDay(t, tz) - 1) - (tf.n - 1);
      if (missing > 4) emit(s, 'gap', i, `no bars from ${fmtT(s, tp)} (line ${lines[p]}) to ${fmtT(s, t)}: ${missing} weekdays missing`, 'ts');
    }
  } else if ((tf.unit === 'w' || tf.unit === 'mo') && d > 2.5 * tfMs) {
    emit(s, 'gap', i, `no bars from ${fmtT(s, tp)} (line ${lines[p]}) to ${fmtT(s, t)}: ${fmtDur(d)}, more than 2.5 ${tf.label} periods`, 'ts');
  }
  // Spacing against the timeframe. A DST change makes daily (or 4h) spacing 23h/25h in UTC but whole in local time.
  if (tfMs > 0 && tf.unit !== 'mo' && tf.unit !== 'tick' && (d < tfMs || d % tfMs !== 0)) {
    const wd = utcToWall(t, tz) - utcToWall(tp, tz);
    if (wd < tfMs || wd % tfMs !== 0) {
      if (mixedSoFar < MIXED_TIMEFRAME_CAP) {
        emit(s, 'mixed_timeframe', i, `${fmtDur(d)} after line ${lines[p]} (${fmtT(s, tp)} to ${fmtT(s, t)}) is ${d < tfMs ? 'shorter than' : 'not a whole multiple of'} the ${tf.label} timeframe`, 'ts');
      }
      return 1;
    }
  }
  return 0;
}

interface ScanResult {
  /** number of close-to-close log returns written to `work` */
  m: number;
  volN: number;
  volZero: number;
  mixed: number;
}

/** Pass 1: per-row rules, order, spacing, split-like jumps, stale runs; collects the log returns into `work`. */
function scan(s: Sink, b: BarSeries, bad: Uint8Array, volumeKnown: boolean, staleRun: number, now: number, futureTol: number, work: Float64Array): ScanResult {
  const { ts, open: O, high: H, low: L, close: C, volume: V, timeframe: tf } = b;
  const n = ts.length;
  const lines = s.lines;
  const futureLimit = now + futureTol;
  const tfMs = tf.ms;
  // Spacings that need no closer look: exactly one bar (fixed timeframes) - anything else goes to spacingRules.
  const checkSpacing = tf.unit !== 'tick';
  let m = 0;
  let volN = 0;
  let volZero = 0;
  let mixed = 0;
  let p = -1; // previous good row
  let runStart = -1;
  let runLen = 0;
  for (let i = 0; i < n; i++) {
    if (bad[i] !== 0) continue;
    const t = ts[i];
    if (t !== t) continue; // NaN timestamp: the loader reports it
    const o = O[i];
    const h = H[i];
    const l = L[i];
    const c = C[i];
    // Per-row rules, in one cheap test for the clean case (low > 0 and low <= open, close <= high make all positive).
    if (!(t <= futureLimit && l > 0 && h >= o && h >= c && l <= o && l <= c)) rowRules(s, b, i, futureLimit, now, futureTol);
    if (volumeKnown) {
      const v = V[i];
      if (v === v) {
        volN++;
        if (v === 0) volZero++;
        else if (v < 0) emit(s, 'negative_volume', i, `volume is ${v}: volume cannot be negative`, 'volume');
      }
    }
    if (p < 0) {
      runStart = i;
      runLen = 1;
      p = i;
      continue;
    }
    const tp = ts[p];
    const d = t - tp;
    if (d < 0) emit(s, 'unsorted_timestamp', i, `timestamp ${fmtT(s, t)} is before ${fmtT(s, tp)} on line ${lines[p]}: rows are not in time order`, 'ts');
    else if (d === 0) emit(s, 'duplicate_timestamp', i, `timestamp ${fmtT(s, t)} repeats line ${lines[p]}`, 'ts');
    else if (checkSpacing && d !== tfMs) mixed += spacingRules(s, tf, p, i, tp, t, mixed);
    const cp = C[p];
    if (c > 0 && cp > 0) work[m++] = Math.log(c / cp);
    if (o > 0 && cp > 0) {
      const r = o / cp;
      if (r <= SPLIT_LO || r >= SPLIT_HI) {
        const k = splitLike(r);
        if (k >= 0) emit(s, 'split_like_jump', i, `open ${o} is ${SPLIT_LABELS[k]}× the previous close ${cp} (line ${lines[p]}): a stock split or reverse split? Pass --adjust with an adjusted-close column, or adjust the prices for the split`, 'open');
      }
    }
    if (o === O[p] && h === H[p] && l === L[p] && c === cp && (!volumeKnown || V[i] === V[p])) runLen++;
    else {
      if (runLen >= staleRun) staleFinding(s, b, runStart, p, runLen, volumeKnown);
      runStart = i;
      runLen = 1;
    }
    p = i;
  }
  if (p >= 0 && runLen >= staleRun) staleFinding(s, b, runStart, p, runLen, volumeKnown);
  return { m, volN, volZero, mixed };
}

/** Pass 2: price spikes against the robust sigma, and zero volumes on a series that is not all-zero. */
function scan2(s: Sink, b: BarSeries, bad: Uint8Array, med: number, sigma: number, limit: number, spikeSigma: number, zeroRows: boolean): void {
  const { ts, open: O, close: C, volume: V } = b;
  const n = ts.length;
  const lines = s.lines;
  const spikes = limit < Infinity;
  // Slightly inside the exact bounds, so rounding never hides a spike; the exact test follows.
  const hiRatio = Math.exp(med + limit) * (1 - 1e-9);
  const loRatio = Math.exp(med - limit) * (1 + 1e-9);
  let p = -1;
  for (let i = 0; i < n; i++) {
    if (bad[i] !== 0) continue;
    const t = ts[i];
    if (t !== t) continue;
    if (zeroRows && V[i] === 0) emit(s, 'zero_volume', i, 'volume is 0', 'volume');
    if (spikes && p >= 0) {
      const c = C[i];
      const cp = C[p];
      // |log(c/cp) - med| > limit, without a log per row: compare the ratio with exp(med ± limit).
      const q = c / cp;
      if (c > 0 && cp > 0 && (q > hiRatio || q < loRatio)) {
        const r = Math.log(q);
        const dev = Math.abs(r - med);
        // A split-like jump is reported as such, not again as a spike.
        if (dev > limit && !(O[i] > 0 && splitLike(O[i] / cp) >= 0)) {
          emit(s, 'price_spike', i, `close ${c} after ${cp} on line ${lines[p]}: log return ${r.toFixed(4)} is ${(dev / sigma).toFixed(1)} robust sigmas (sigma ${sigma.toPrecision(3)}, limit ${spikeSigma})`, 'close');
        }
      }
    }
    p = i;
  }
}

export function validateBars(input: ValidateInput): Finding[] {
  const { file, bars, lines, volumeKnown } = input;
  const opts = input.options ?? {};
  const spikeSigma = opts.spikeSigma ?? 10;
  const staleRun = opts.staleRun ?? 5;
  const now = input.now ?? Date.now();
  const futureTol = opts.futureToleranceMs ?? DAY_MS;
  const n = bars.ts.length;
  if (lines.length !== n) throw new Error(`validateBars: ${lines.length} lines for ${n} bars`);
  const bad = input.badRows ?? new Uint8Array(n);
  if (bad.length !== n) throw new Error(`validateBars: badRows has ${bad.length} entries for ${n} bars`);
  const sink: Sink = { file, lines, tz: bars.tz, out: [] };
  const tf = bars.timeframe;

  const work = new Float64Array(n); // close-to-close log returns, for the spike statistics
  const { m, volN, volZero, mixed } = scan(sink, bars, bad, volumeKnown, staleRun, now, futureTol, work);

  if (mixed > MIXED_TIMEFRAME_CAP) {
    sink.out.push(finding('mixed_timeframe', file, `${mixed} bars in total have a spacing that does not fit the ${tf.label} timeframe (the first ${MIXED_TIMEFRAME_CAP} are listed): is the timeframe right, or are bars of several timeframes mixed?`, { field: 'ts' }));
  }
  const allZero = volumeKnown && volN > 0 && volZero === volN;
  if (allZero) sink.out.push(finding('zero_volume', file, `volume is 0 on all ${volN} bars: an index or a source without volume? Volume-based rules and indicators mean nothing here`, { field: 'volume' }));

  // Robust sigma of the log returns: MAD * 1.4826 (mean absolute deviation * 1.2533 when more than half are equal).
  let limit = Infinity;
  let med = 0;
  let sigma = 0;
  if (m >= MIN_SPIKE_RETURNS) {
    med = median(work, m);
    let sum = 0;
    for (let k = 0; k < m; k++) {
      const a = Math.abs(work[k] - med);
      work[k] = a;
      sum += a;
    }
    sigma = median(work, m) * MAD_SCALE;
    if (!(sigma > 0)) sigma = (sum / m) * MEAN_AD_SCALE;
    if (sigma > 0) limit = spikeSigma * sigma;
  }
  const zeroRows = volumeKnown && volZero > 0 && !allZero;
  if (limit < Infinity || zeroRows) scan2(sink, bars, bad, med, sigma, limit, spikeSigma, zeroRows);

  // Report in file order; whole-file findings first.
  const out = sink.out;
  if (out.length > 1) out.sort((a, b) => (a.line ?? -1) - (b.line ?? -1));
  return out;
}

// ---------------------------------------------------------------------------------------------------------------
// --on-error policy

export type OnError = 'fail' | 'drop' | 'fix';

export interface PolicyResult {
  bars: BarSeries;
  lines: Int32Array;
  findings: Finding[];
  dropped: number;
  fixed: number;
  failed: boolean;
}

/**
 * Finds the row a finding is about. A finding is about a row when it has `row`; its `line` (when set) is the
 * authority on which row, since rows can shift between the loader's row numbering and the series (blank lines).
 * Returns -1 for file-level findings and for row findings that cannot be placed in this series.
 */
function rowResolver(lines: Int32Array): (f: Finding) => number {
  const n = lines.length;
  let ascending: boolean | undefined;
  let lineIndex: Map<number, number> | undefined;
  return (f) => {
    if (f.row === undefined) return -1;
    const r = f.row;
    if (f.line === undefined) return r >= 0 && r < n ? r : -1;
    if (r >= 0 && r < n && lines[r] === f.line) return r;
    if (ascending === undefined) {
      ascending = true;
      for (let k = 1; k < n; k++) if (lines[k] <= lines[k - 1]) { ascending = false; break; }
    }
    if (ascending) {
      let lo = 0;
      let hi = n;
      while (lo < hi) {
        const mid = (lo + hi) >>> 1;
        if (lines[mid] < f.line) lo = mid + 1;
        else hi = mid;
      }
      return lo < n && lines[lo] === f.line ? lo : -1;
    }
    if (!lineIndex) {
      lineIndex = new Map();
      for (let k = 0; k < n; k++) lineIndex.set(lines[k], k);
    }
    return lineIndex.get(f.line) ?? -1;
  };
}

function compact(bars: BarSeries, lines: Int32Array, order: ArrayLike<number>, count: number, high?: Float64Array, low?: Float64Array): { bars: BarSeries; lines: Int32Array } {
  const nb: BarSeries = {
    symbol: bars.symbol, timeframe: bars.timeframe, tz: bars.tz,
    ts: new Float64Array(count), open: new Float64Array(count), high: new Float64Array(count),
    low: new Float64Array(count), close: new Float64Array(count), volume: new Float64Array(count),
  };
  const nl = new Int32Array(count);
  const h = high ?? bars.high;
  const l = low ?? bars.low;
  for (let k = 0; k < count; k++) {
    const r = order[k];
    nb.ts[k] = bars.ts[r];
    nb.open[k] = bars.open[r];
    nb.high[k] = h[r];
    nb.low[k] = l[r];
    nb.close[k] = bars.close[r];
    nb.volume[k] = bars.volume[r];
    nl[k] = lines[r];
  }
  return { bars: nb, lines: nl };
}

const byLine = (a: Finding, b: Finding) => (a.line ?? -1) - (b.line ?? -1);

/**
 * Apply the --on-error policy. findings = loader findings + validator findings (each error with `row` set where it is
 * about a row). The input findings are not modified; the returned ones are copies with `action` set, in line order,
 * plus a finding for every row that fix/drop mode changed or dropped without one already explaining it.
 *
 * - fail: any error -> failed (errors get action 'failed'); bars unchanged.
 * - drop: rows with an error are dropped; then any remaining row not later than the last kept one is dropped too, so
 *   the result is strictly increasing in time. File-level errors -> failed.
 * - fix: high/low inconsistencies are repaired, rows are stably sorted by time, of rows sharing a timestamp the last
 *   is kept, every other row with an error is dropped. File-level errors -> failed.
 * Warnings and infos are kept (an action the loader already set on them, like a dropped blank line, stays).
 * When nothing changes, the input bars and lines are returned as they are. `file` names the file in findings this adds
 * (default: the file of the first finding).
 */
export function applyPolicy(bars: BarSeries, lines: Int32Array, findings: Finding[], mode: OnError, file?: string): PolicyResult {
  const n = bars.ts.length;
  const out = findings.map((f) => ({ ...f }));
  for (const f of out) if (f.severity !== 'error' && f.action === undefined) f.action = 'kept';

  if (mode === 'fail') {
    let failed = false;
    for (const f of out) if (f.severity === 'error') {
      f.action = 'failed';
      failed = true;
    }
    return { bars, lines, findings: out.sort(byLine), dropped: 0, fixed: 0, failed };
  }

  const resolve = rowResolver(lines);
  const errRow = new Int32Array(out.length).fill(-1);
  const DROP = 1;
  const HIGH = 2;
  const LOW = 4;
  const flags = new Uint8Array(n);
  let failed = false;
  for (let k = 0; k < out.length; k++) {
    const f = out[k];
    if (f.severity !== 'error') continue;
    const r = resolve(f);
    if (r < 0) {
      f.action = 'failed';
      failed = true;
      continue;
    }
    errRow[k] = r;
    if (mode === 'drop') flags[r] |= DROP;
    else if (f.rule === 'high_below_open_close' || f.rule === 'high_below_low') flags[r] |= HIGH;
    else if (f.rule === 'low_above_open_close') flags[r] |= LOW;
    else if (f.rule !== 'unsorted_timestamp' && f.rule !== 'duplicate_timestamp') flags[r] |= DROP;
  }
  const ts = bars.ts;
  file ??= out[0]?.file ?? ''; // for findings about rows changed without one: findings of one import share the file
  const added: Finding[] = [];
  const addRow = (rule: RuleName, r: number, message: string, action: 'dropped' | 'fixed', fixedTo?: string) => {
    const f = finding(rule, file, message, { line: lines[r], row: r, field: 'ts', action });
    if (fixedTo !== undefined) f.fixedTo = fixedTo;
    added.push(f);
  };
  const fmt = (t: number) => formatTs(t, bars.tz);

  if (mode === 'drop') {
    // Keep the rows without errors, and of those only ones strictly after the last kept one.
    const keep = new Int32Array(n);
    let kept = 0;
    let last = -1;
    for (let r = 0; r < n; r++) {
      if (flags[r]) continue;
      if (last >= 0 && ts[r] <= ts[last]) {
        flags[r] = DROP;
        const same = ts[r] === ts[last];
        addRow(same ? 'duplicate_timestamp' : 'unsorted_timestamp', r, `timestamp ${fmt(ts[r])} is ${same ? 'the same as' : 'before'} ${fmt(ts[last])} on line ${lines[last]} (kept): dropped to keep the series in time order`, 'dropped');
        continue;
      }
      keep[kept++] = r;
      last = r;
    }
    for (let k = 0; k < out.length; k++) if (errRow[k] >= 0) out[k].action = 'dropped';
    const dropped = n - kept;
    const res = dropped === 0 ? { bars, lines } : compact(bars, lines, keep, kept);
    return { ...res, findings: [...out, ...added].sort(byLine), dropped, fixed: 0, failed };
  }

  // ---- fix ----
  // 1. Repair high/low on rows that are otherwise fine: high = max(O,H,L,C), low = min(O,H,L,C) (NaNs ignored).
  let newHigh: Float64Array | undefined;
  let newLow: Float64Array | undefined;
  const changed = new Uint8Array(n);
  for (let r = 0; r < n; r++) {
    const fl = flags[r];
    if (!(fl & (HIGH | LOW)) || fl & DROP) continue;
    const vals = [bars.open[r], bars.high[r], bars.low[r], bars.close[r]].filter((v) => v === v);
    if (vals.length === 0) {
      flags[r] |= DROP;
      continue;
    }
    if (fl & HIGH) (newHigh ??= bars.high.slice())[r] = Math.max(...vals);
    if (fl & LOW) (newLow ??= bars.low.slice())[r] = Math.min(...vals);
    changed[r] = 1;
  }
  // 2. The surviving rows, stably sorted by time (NaN times last).
  let order = new Int32Array(n);
  let cnt = 0;
  let sorted = true;
  for (let r = 0; r < n; r++) {
    if (flags[r] & DROP) continue;
    if (cnt > 0 && ts[r] < ts[order[cnt - 1]]) sorted = false;
    order[cnt++] = r;
  }
  order = order.subarray(0, cnt);
  if (!sorted) {
    order.sort((a, b) => {
      const x = ts[a];
      const y = ts[b];
      if (x < y) return -1;
      if (x > y) return 1;
      if (x !== x && y === y) return 1;
      if (y !== y && x === x) return -1;
      return a - b;
    });
  }
  // 3. Of rows sharing a timestamp keep the last (in file order, which the stable sort preserved).
  const keptFor = new Map<number, number>(); // dropped duplicate row -> the row kept for its timestamp
  const final = new Int32Array(cnt);
  let fc = 0;
  for (let k = 0; k < cnt; k++) {
    const r = order[k];
    if (k + 1 < cnt && ts[order[k + 1]] === ts[r]) {
      flags[r] |= DROP;
      continue;
    }
    final[fc++] = r;
    for (let j = k - 1; j >= 0 && ts[order[j]] === ts[r]; j--) keptFor.set(order[j], r);
  }
  // 4. Which rows moved: all but a longest run of survivors already in order (processed from the end, so that of
  //    equally long choices the earlier rows stay and the later ones move, as the validator reports them).
  const movedRows: number[] = [];
  let moved: Uint8Array | undefined;
  let prevInFinal: Int32Array | undefined;
  if (!sorted) {
    moved = new Uint8Array(n);
    prevInFinal = new Int32Array(n).fill(-1);
    const rank = new Int32Array(n);
    for (let k = 0; k < fc; k++) {
      rank[final[k]] = k;
      prevInFinal[final[k]] = k > 0 ? final[k - 1] : -1;
    }
    const tailVal = new Int32Array(fc);
    const tailRow = new Int32Array(fc);
    const link = new Int32Array(n).fill(-1);
    const inRun = new Uint8Array(n);
    let len = 0;
    for (let r = n - 1; r >= 0; r--) {
      if (flags[r] & DROP) continue;
      const v = -rank[r];
      let lo = 0;
      let hi = len;
      while (lo < hi) {
        const mid = (lo + hi) >>> 1;
        if (tailVal[mid] < v) lo = mid + 1;
        else hi = mid;
      }
      tailVal[lo] = v;
      tailRow[lo] = r;
      link[r] = lo > 0 ? tailRow[lo - 1] : -1;
      if (lo === len) len++;
    }
    for (let r = len > 0 ? tailRow[len - 1] : -1; r >= 0; r = link[r]) inRun[r] = 1;
    for (let r = 0; r < n; r++) {
      if (flags[r] & DROP || inRun[r]) continue;
      moved[r] = changed[r] = 1;
      movedRows.push(r);
    }
  }
  const movedTo = (r: number): string => {
    const q = prevInFinal![r];
    return q < 0 ? 'moved to the start' : `moved after line ${lines[q]} (${fmt(ts[q])})`;
  };

  // 5. Actions on the error findings, and findings for changed rows nothing explained yet.
  const hasRule = new Set<string>();
  for (let k = 0; k < out.length; k++) {
    const r = errRow[k];
    if (r < 0) continue;
    const f = out[k];
    hasRule.add(`${f.rule}:${r}`);
    if (flags[r] & DROP) {
      f.action = 'dropped';
      continue;
    }
    f.action = 'fixed';
    if (f.rule === 'high_below_open_close' || f.rule === 'high_below_low') f.fixedTo = String(newHigh![r]);
    else if (f.rule === 'low_above_open_close') f.fixedTo = String(newLow![r]);
    else if (f.rule === 'unsorted_timestamp') f.fixedTo = moved?.[r] ? movedTo(r) : 'in time order after sorting';
    else if (f.rule === 'duplicate_timestamp') f.fixedTo = 'this row kept: the last row for its timestamp';
  }
  for (const [r, q] of keptFor) {
    if (!hasRule.has(`duplicate_timestamp:${r}`)) addRow('duplicate_timestamp', r, `timestamp ${fmt(ts[r])} also on line ${lines[q]}: the last row for a timestamp is kept`, 'dropped');
  }
  for (const r of movedRows) {
    if (!hasRule.has(`unsorted_timestamp:${r}`)) addRow('unsorted_timestamp', r, `timestamp ${fmt(ts[r])} is out of time order`, 'fixed', movedTo(r));
  }

  let dropped = 0;
  let fixed = 0;
  for (let r = 0; r < n; r++) {
    if (flags[r] & DROP) dropped++;
    else if (changed[r]) fixed++;
  }
  const res = dropped === 0 && fixed === 0 ? { bars, lines } : compact(bars, lines, final, fc, newHigh, newLow);
  return { ...res, findings: [...out, ...added].sort(byLine), dropped, fixed, failed };
}
