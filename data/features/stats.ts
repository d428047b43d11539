/**
 * Statistical features (group 'statistical'): multi-bar log returns, rolling moments of 1-bar log returns, z-score,
 * autocorrelation, correlation / beta against a benchmark, the R/S Hurst exponent, drawdown and distance to the
 * rolling high / low. Also the plumbing (`defineFeature`) that calendar.ts and regimes.ts use.
 *
 * How every feature is built. Each feature is written once, as an incremental kernel (a class whose `update` takes
 * one bar and writes its outputs into a Float64Array given at construction). `batch` is a fast column form (FeatureDef
 * .batch: single passes over typed arrays using the column twins of the state classes, e.g. kernels.ts rollingVar for
 * RollingVar) doing the same arithmetic in the same order, so batch and stream agree bit for bit; a feature without
 * one has its kernel driven over the columns. Batch is O(n) (Hurst O(n·Σsizes), vol_regime O(n log m)) with no per-bar
 * allocation, and no feature reads ahead: the output at bar t depends on bars up to t only. The rolling quantities reuse the kernels.ts
 * state classes (RollingMean, RollingVar, RollingMax, RollingMin); the only new rolling sums here are the power sums
 * of RollingMoments (skew, kurtosis) and the cross-product sum of RollingCov, both built like RollingVar.
 *
 * Returns. r_t = ln(c_t / c_{t-1}), natural log, per bar (not annualised). Logs of non-positive prices are missing.
 *
 * Missing values follow kernels.ts:
 *  - a value is missing when it is NaN or ±Infinity; a bar is missing when any OHLCV field the feature reads is missing
 *    (then every read field is NaN, as cleanInputs / guardStream do);
 *  - a 1-bar return is missing when either close is; an n-bar log return when either end is;
 *  - windowed quantities are NaN while a missing value is inside their window (so a missing close makes a window of
 *    returns NaN until n valid returns have followed it);
 *  - the benchmark is not part of the bar-level rule: a missing benchmark close only makes the benchmark features NaN
 *    (while it is inside their window).
 * On clean data the first lookback(p) outputs are NaN and none after (outputs that are undefined for the data, e.g. a
 * correlation over a flat window, are NaN as documented per feature).
 */
import {
  RollingMax,
  RollingMean,
  RollingMin,
  RollingVar,
  inputLength,
  nanArray,
  periodParam,
  resolveParams,
  rollingMean,
  rollingVar,
  batchScopeActive,
  logReturnsInto,
  meanOf,
  scopeInputClean,
  sharedColumns,
  sharedExtreme,
  sharedLogReturns,
  sharedRetStd,
  tmpCol,
} from '../indicators/kernels.ts';
import type { FeatureInput, IndicatorSpec, IndicatorStream, InputField, Ohlcv, ParamSpec } from '../indicators/types.ts';

// ---------------------------------------------------------------------------------------------------------------
// Plumbing: kernels that also see ts and the benchmark
// ---------------------------------------------------------------------------------------------------------------

/**
 * The incremental form of one feature. `update` receives one bar (every read OHLCV field NaN for a missing bar; `ts`
 * and `bench` NaN when absent) and writes the bar's outputs into the array the kernel was made with.
 */
export interface FeatureKernel {
  update(open: number, high: number, low: number, close: number, volume: number, ts: number, bench: number): void;
}

/** What a feature file writes; defineFeature turns it into an IndicatorSpec. */
export interface FeatureDef {
  name: string;
  description: string;
  group: IndicatorSpec['group'];
  needs?: ('ts' | 'benchmark')[];
  inputs: InputField[];
  params: ParamSpec[];
  outputs: string[];
  note?: string;
  /** Lookback for resolved (checked, defaulted) parameters. */
  lookback(q: number[]): number;
  /** A fresh kernel writing into `out` (length outputs.length). `tz` is the series' zone ('' when not needed). */
  make(q: number[], out: Float64Array, tz: string): FeatureKernel;
  /**
   * Optional fast batch: single passes over the columns (no per-bar kernel calls) that must give what driving `make`
   * over the bars gives, to 1e-9 (the features here give the same arithmetic, so bit for bit). Without it, batch
   * drives the kernel.
   */
  batch?(c: BatchColumns, q: number[]): Float64Array[];
}

/**
 * What a fast batch receives: the OHLCV fields the feature reads, copied with the missing-bar rule applied (on a bar
 * where any read field is NaN or ±Infinity, every read field is NaN); fields it does not read are empty arrays. `ts`
 * and `bench` as given (present when the feature needs them). Inside a pipeline call (a batch scope, kernels.ts) read
 * fields without any missing value are the caller's arrays themselves, not copies: a fast batch must never write to
 * its columns.
 */
export interface BatchColumns {
  len: number;
  open: Float64Array;
  high: Float64Array;
  low: Float64Array;
  close: Float64Array;
  volume: Float64Array;
  ts: Float64Array;
  bench: Float64Array;
  tz: string;
}

const EMPTY = new Float64Array(0);

function batchColumns(input: Ohlcv, mask: number, len: number, ts: Float64Array | undefined, bench: Float64Array | undefined, tz: string): BatchColumns {
  const src = [input.open, input.high, input.low, input.close, input.volume];
  if (scopeInputClean(input, mask)) {
    // inside a pipeline call, read fields without a missing value are passed as they are (fast batches never write
    // to their columns): no copy
    const f = (j: number) => (mask & (1 << j) ? src[j] : EMPTY);
    return { len, open: f(0), high: f(1), low: f(2), close: f(3), volume: f(4), ts: ts ?? EMPTY, bench: bench ?? EMPTY, tz };
  }
  const cols: Float64Array[] = [];
  const read: Float64Array[] = [];
  for (let j = 0; j < 5; j++) {
    if (mask & (1 << j)) {
      const a = src[j].slice(0, len);
      cols.push(a);
      read.push(a);
    } else {
      cols.push(EMPTY);
    }
  }
  if (read.length === 1) {
    const a = read[0];
    for (let i = 0; i < len; i++) if (a[i] - a[i] !== 0) a[i] = NaN;
  } else if (read.length > 1) {
    for (let i = 0; i < len; i++) {
      let miss = false;
      for (let j = 0; j < read.length; j++) {
        const x = read[j][i];
        if (x - x !== 0) {
          miss = true;
          break;
        }
      }
      if (miss) for (let j = 0; j < read.length; j++) read[j][i] = NaN;
    }
  }
  return { len, open: cols[0], high: cols[1], low: cols[2], close: cols[3], volume: cols[4], ts: ts ?? EMPTY, bench: bench ?? EMPTY, tz };
}

const FIELD_BIT: Record<InputField, number> = { open: 1, high: 2, low: 4, close: 8, volume: 16 };

/**
 * Build an IndicatorSpec whose batch form drives the same kernel as its stream form. Batch checks that the columns it
 * reads (OHLCV fields, `ts`, `benchmark`) exist and have one length; a feature that needs `ts` reads the zone from
 * `input.tz` in batch and from the `tz` argument of `stream` (both required: a RangeError otherwise); a feature that
 * needs the benchmark throws a RangeError in batch when `input.benchmark` is absent (the stream treats an absent
 * benchmark value as missing).
 */
export function defineFeature(d: FeatureDef): IndicatorSpec {
  const nOut = d.outputs.length;
  let mask = 0;
  for (const f of d.inputs) mask |= FIELD_BIT[f];
  const needTs = d.needs?.includes('ts') ?? false;
  const needBench = d.needs?.includes('benchmark') ?? false;
  const spec: IndicatorSpec = {
    name: d.name,
    description: d.description,
    group: d.group,
    inputs: d.inputs,
    params: d.params,
    outputs: d.outputs,
    lookback: (p) => d.lookback(resolveParams(d.name, d.params, p)),
    batch: (input: Ohlcv | FeatureInput, p: number[]): Float64Array[] => {
      const q = resolveParams(d.name, d.params, p);
      const fi = input as Partial<FeatureInput> & Ohlcv;
      let len = d.inputs.length > 0 ? inputLength(input, d.inputs) : -1;
      let tz = '';
      let ts: Float64Array | undefined;
      let bench: Float64Array | undefined;
      if (needTs) {
        if (!(fi.ts instanceof Float64Array) || typeof fi.tz !== 'string') throw new RangeError(`${d.name}: needs bar times (ts) and a time zone (tz)`);
        ts = fi.ts;
        tz = fi.tz;
        if (len < 0) len = ts.length;
        if (ts.length !== len) throw new RangeError(`${d.name}: ts has ${ts.length} values for ${len} bars`);
      }
      if (needBench) {
        if (!(fi.benchmark instanceof Float64Array)) throw new RangeError(`${d.name}: needs a benchmark close aligned to the bars`);
        bench = fi.benchmark;
        if (len < 0) len = bench.length;
        if (bench.length !== len) throw new RangeError(`${d.name}: benchmark has ${bench.length} values for ${len} bars`);
      }
      if (len < 0) len = 0;
      if (d.batch !== undefined) return d.batch(batchColumns(input, mask, len, ts, bench, tz), q);
      const out = nanArray(nOut);
      const k = d.make(q, out, tz);
      const cols: Float64Array[] = [];
      for (let j = 0; j < nOut; j++) cols.push(new Float64Array(len));
      const { open, high, low, close, volume } = input;
      for (let i = 0; i < len; i++) {
        let o = mask & 1 ? open[i] : NaN;
        let h = mask & 2 ? high[i] : NaN;
        let l = mask & 4 ? low[i] : NaN;
        let c = mask & 8 ? close[i] : NaN;
        let v = mask & 16 ? volume[i] : NaN;
        // a missing read field makes the whole bar missing (fields not read are NaN already)
        if ((mask & 1 && o - o !== 0) || (mask & 2 && h - h !== 0) || (mask & 4 && l - l !== 0) || (mask & 8 && c - c !== 0) || (mask & 16 && v - v !== 0)) {
          o = h = l = c = v = NaN;
        }
        k.update(o, h, l, c, v, ts !== undefined ? ts[i] : NaN, bench !== undefined ? bench[i] : NaN);
        for (let j = 0; j < nOut; j++) cols[j][i] = out[j];
      }
      return cols;
    },
    stream: (p: number[], tz?: string): IndicatorStream => {
      const q = resolveParams(d.name, d.params, p);
      if (needTs && typeof tz !== 'string') throw new RangeError(`${d.name}: the stream needs the series' time zone`);
      const out = nanArray(nOut);
      const k = d.make(q, out, tz ?? '');
      return {
        update(o: number, h: number, l: number, c: number, v: number, ts?: number, bench?: number): Float64Array {
          if (!(mask & 1)) o = NaN;
          if (!(mask & 2)) h = NaN;
          if (!(mask & 4)) l = NaN;
          if (!(mask & 8)) c = NaN;
          if (!(mask & 16)) v = NaN;
          if ((mask & 1 && o - o !== 0) || (mask & 2 && h - h !== 0) || (mask & 4 && l - l !== 0) || (mask & 8 && c - c !== 0) || (mask & 16 && v - v !== 0)) {
            o = h = l = c = v = NaN;
          }
          k.update(o, h, l, c, v, ts === undefined ? NaN : ts, bench === undefined ? NaN : bench);
          return out;
        },
      };
    },
  };
  if (d.needs !== undefined) spec.needs = d.needs;
  if (d.note !== undefined) spec.note = d.note;
  return spec;
}

// ---------------------------------------------------------------------------------------------------------------
// Small state classes
// ---------------------------------------------------------------------------------------------------------------

/** Incremental 1-bar log return ln(c_t / c_{t-1}); NaN (never ±Infinity) when either close is missing or ≤ 0. */
export class LogReturn1 {
  private pc = NaN;
  update(c: number): number {
    const r = Math.log(c / this.pc);
    this.pc = c;
    return r - r !== 0 ? NaN : r;
  }
}

/** ln(c_t / c_{t-n}) over a ring of the last n closes; NaN when either end is missing (or ≤ 0). */
class LogReturnN {
  private readonly buf: Float64Array;
  private pos = 0;
  private cnt = 0;
  constructor(private readonly n: number) {
    this.buf = nanArray(n);
  }
  update(c: number): number {
    const old = this.buf[this.pos];
    this.buf[this.pos] = c;
    if (++this.pos === this.n) this.pos = 0;
    if (this.cnt < this.n) {
      this.cnt++;
      return NaN;
    }
    const r = Math.log(c / old);
    return r - r !== 0 ? NaN : r;
  }
}

/** The value pushed k updates ago (NaN until then). */
export class Lag {
  private readonly buf: Float64Array;
  private pos = 0;
  constructor(private readonly k: number) {
    this.buf = nanArray(k);
  }
  update(x: number): number {
    const old = this.buf[this.pos];
    this.buf[this.pos] = x;
    if (++this.pos === this.k) this.pos = 0;
    return old;
  }
}

/**
 * Rolling central moments of the last n values, built like kernels.ts' RollingVar: shifted power sums
 * s_k = Σ (x - c)^k, k = 1..4, with the shift c = the first value after a reset and then the newest value at each exact
 * recompute (every n values, when the ring wraps), so neither cancellation nor rounding residue builds up. After
 * `update` returns true, m2, m3, m4 hold the population central moments (1/n)·Σ(x - mean)^k and `flat` whether the
 * window's values are all equal. NaN-window rule as RollingVar (invalid until n valid values follow a missing one).
 */
export class RollingMoments {
  readonly n: number;
  private readonly buf: Float64Array;
  private pos = 0;
  private cnt = 0;
  private c = 0;
  private s1 = 0;
  private s2 = 0;
  private s3 = 0;
  private s4 = 0;
  private same = 0;
  private last = NaN;
  m2 = NaN;
  m3 = NaN;
  m4 = NaN;
  flat = false;

  constructor(n: number) {
    this.n = n;
    this.buf = new Float64Array(n);
  }

  private reset(): void {
    this.pos = 0;
    this.cnt = 0;
    this.s1 = this.s2 = this.s3 = this.s4 = 0;
    this.same = 0;
    this.last = NaN;
  }

  update(x: number): boolean {
    if (x - x !== 0) {
      this.reset();
      this.m2 = this.m3 = this.m4 = NaN;
      return false;
    }
    const n = this.n;
    const buf = this.buf;
    this.same = x === this.last ? this.same + 1 : 1;
    this.last = x;
    if (this.cnt < n) {
      if (this.cnt === 0) this.c = x;
      const d = x - this.c;
      const d2 = d * d;
      this.s1 += d;
      this.s2 += d2;
      this.s3 += d2 * d;
      this.s4 += d2 * d2;
      this.cnt++;
      buf[this.pos] = x;
      if (++this.pos === n) this.pos = 0;
    } else {
      const d = x - this.c;
      const e = buf[this.pos] - this.c;
      const d2 = d * d;
      const e2 = e * e;
      this.s1 += d - e;
      this.s2 += d2 - e2;
      this.s3 += d2 * d - e2 * e;
      this.s4 += d2 * d2 - e2 * e2;
      buf[this.pos] = x;
      if (++this.pos === n) {
        this.pos = 0;
        this.c = x;
        let a = 0;
        let b = 0;
        let g = 0;
        let h = 0;
        for (let j = 0; j < n; j++) {
          const dj = buf[j] - x;
          const dj2 = dj * dj;
          a += dj;
          b += dj2;
          g += dj2 * dj;
          h += dj2 * dj2;
        }
        this.s1 = a;
        this.s2 = b;
        this.s3 = g;
        this.s4 = h;
      }
    }
    if (this.cnt < n) {
      this.m2 = this.m3 = this.m4 = NaN;
      return false;
    }
    this.flat = this.same >= n;
    if (this.flat) {
      this.m2 = this.m3 = this.m4 = 0;
      return true;
    }
    const a = this.s1 / n; // mean - c
    const e2 = this.s2 / n;
    const e3 = this.s3 / n;
    const e4 = this.s4 / n;
    const a2 = a * a;
    let m2 = e2 - a2;
    if (m2 < 0) m2 = 0;
    this.m2 = m2;
    this.m3 = e3 - 3 * a * e2 + 2 * a2 * a;
    let m4 = e4 - 4 * a * e3 + 6 * a2 * e2 - 3 * a2 * a2;
    if (m4 < 0) m4 = 0;
    this.m4 = m4;
    return true;
  }
}

/**
 * Rolling sample covariance (ddof 1) of the last n pairs (x, y), built like kernels.ts' RollingVar: shifted sums
 * Sx = Σ(x - cx), Sy = Σ(y - cy), Sxy = Σ(x - cx)(y - cy) with the shifts (cx, cy) = the first pair after a reset, then
 * the newest pair at each exact recompute (every n pairs, when the ring wraps); cov = (Sxy - Sx·Sy/n)/(n - 1).
 * NaN until n valid pairs have followed a pair with a missing side. Absolute error of order ε·n·Rx·Ry with R the
 * range of the last 2n values: a cross-product sum, not the polarization identity (var(x+y) - var(x) - var(y))/2, whose
 * error scales with var(x) + var(y) and swamps the covariance of two series of very different scales.
 */
export class RollingCov {
  readonly n: number;
  private readonly bx: Float64Array;
  private readonly by: Float64Array;
  private pos = 0;
  private cnt = 0;
  private cx = 0;
  private cy = 0;
  private sx = 0;
  private sy = 0;
  private sxy = 0;

  constructor(n: number) {
    this.n = n;
    this.bx = new Float64Array(n);
    this.by = new Float64Array(n);
  }

  update(x: number, y: number): number {
    if (x - x !== 0 || y - y !== 0) {
      this.pos = 0;
      this.cnt = 0;
      this.sx = this.sy = this.sxy = 0;
      return NaN;
    }
    const n = this.n;
    const bx = this.bx;
    const by = this.by;
    if (this.cnt < n) {
      if (this.cnt === 0) {
        this.cx = x;
        this.cy = y;
      }
      const dx = x - this.cx;
      const dy = y - this.cy;
      this.sx += dx;
      this.sy += dy;
      this.sxy += dx * dy;
      this.cnt++;
    } else {
      const dx = x - this.cx;
      const dy = y - this.cy;
      const ex = bx[this.pos] - this.cx;
      const ey = by[this.pos] - this.cy;
      this.sx += dx - ex;
      this.sy += dy - ey;
      this.sxy += dx * dy - ex * ey;
    }
    bx[this.pos] = x;
    by[this.pos] = y;
    if (++this.pos === n) {
      this.pos = 0;
      if (this.cnt === n) {
        // exact recompute around the newest pair
        this.cx = x;
        this.cy = y;
        let a = 0;
        let b = 0;
        let c = 0;
        for (let j = 0; j < n; j++) {
          const dx = bx[j] - x;
          const dy = by[j] - y;
          a += dx;
          b += dy;
          c += dx * dy;
        }
        this.sx = a;
        this.sy = b;
        this.sxy = c;
      }
    }
    if (this.cnt < n) return NaN;
    return (this.sxy - (this.sx * this.sy) / n) / (n - 1);
  }
}

/**
 * Rolling correlation and beta of x on y: corr = cov(x, y)/sqrt(var x · var y), beta = cov(x, y)/var y,
 * over the last n pairs; cov from RollingCov, the variances from kernels.ts RollingVar (ddof 1 everywhere, so the ddof
 * cancels). NaN while either series has a missing value in the window; corr NaN when either side is flat (variance
 * exactly 0), beta NaN when y is flat. corr is clamped to [-1, 1] (the three sums round independently).
 */
class RollingCorr {
  private readonly vx: RollingVar;
  private readonly vy: RollingVar;
  private readonly cv: RollingCov;
  corr = NaN;
  beta = NaN;

  constructor(n: number) {
    this.vx = new RollingVar(n, 1);
    this.vy = new RollingVar(n, 1);
    this.cv = new RollingCov(n);
  }

  update(x: number, y: number): void {
    const vx = this.vx.update(x);
    const vy = this.vy.update(y);
    const cov = this.cv.update(x, y);
    if (cov !== cov || vx !== vx || vy !== vy) {
      this.corr = this.beta = NaN;
      return;
    }
    this.beta = vy > 0 ? cov / vy : NaN;
    if (vx > 0 && vy > 0) {
      const r = cov / Math.sqrt(vx * vy);
      this.corr = r > 1 ? 1 : r < -1 ? -1 : r;
    } else {
      this.corr = NaN;
    }
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Column forms of the state classes (the fast batches). Each is the same arithmetic, in the same order, as its
// incremental class above, so a batch built from them equals the kernel driven bar by bar.
// ---------------------------------------------------------------------------------------------------------------

/** 1-bar log returns of a close column (LogReturn1 over the column): out[0] = NaN. */
export function logReturns(c: Float64Array, out: Float64Array = new Float64Array(c.length)): Float64Array {
  return logReturnsInto(c, out);
}

export { sharedLogReturns };

/** sqrt of every element, in place. */
export function sqrtInPlace(a: Float64Array): Float64Array {
  for (let i = 0; i < a.length; i++) a[i] = Math.sqrt(a[i]);
  return a;
}

/** c / d - 1 elementwise, into a new column (d may be a shared, read-only column). */
function ratioMinus1(c: Float64Array, d: Float64Array): Float64Array {
  const out = new Float64Array(d.length);
  for (let i = 0; i < d.length; i++) out[i] = c[i] / d[i] - 1;
  return out;
}

/** Values of a column lagged by k (Lag over the column): NaN for the first k. */
function lagged(x: Float64Array, k: number, out: Float64Array = new Float64Array(x.length)): Float64Array {
  const len = x.length;
  for (let i = 0; i < len; i++) out[i] = i < k ? NaN : x[i - k];
  return out;
}

/** RollingCov over two columns (ddof 1). */
function rollingCov(xs: Float64Array, ys: Float64Array, n: number, out: Float64Array = new Float64Array(xs.length)): Float64Array {
  const len = xs.length;
  let pos = 0;
  let cnt = 0;
  let cx = 0;
  let cy = 0;
  let sx = 0;
  let sy = 0;
  let sxy = 0;
  for (let i = 0; i < len; i++) {
    const x = xs[i];
    const y = ys[i];
    if (x - x !== 0 || y - y !== 0) {
      pos = 0;
      cnt = 0;
      sx = sy = sxy = 0;
      out[i] = NaN;
      continue;
    }
    if (cnt < n) {
      if (cnt === 0) {
        cx = x;
        cy = y;
      }
      const dx = x - cx;
      const dy = y - cy;
      sx += dx;
      sy += dy;
      sxy += dx * dy;
      cnt++;
    } else {
      const dx = x - cx;
      const dy = y - cy;
      const ex = xs[i - n] - cx;
      const ey = ys[i - n] - cy;
      sx += dx - ex;
      sy += dy - ey;
      sxy += dx * dy - ex * ey;
    }
    if (++pos === n) {
      pos = 0;
      if (cnt === n) {
        cx = x;
        cy = y;
        let a = 0;
        let b = 0;
        let c = 0;
        for (let j = i - n + 1; j <= i; j++) {
          const dx = xs[j] - x;
          const dy = ys[j] - y;
          a += dx;
          b += dy;
          c += dx * dy;
        }
        sx = a;
        sy = b;
        sxy = c;
      }
    }
    out[i] = cnt < n ? NaN : (sxy - (sx * sy) / n) / (n - 1);
  }
  return out;
}

/** RollingCorr over two columns: corr (or beta when `beta`) per bar. */
function rollingCorr(xs: Float64Array, ys: Float64Array, n: number, beta: boolean): Float64Array {
  const len = xs.length;
  // scratch (kernels.ts tmpCol slots 1, 2): only the correlation below is returned
  const vx = rollingVar(xs, n, 1, tmpCol(1, len));
  const vy = rollingVar(ys, n, 1, tmpCol(2, len));
  const out = rollingCov(xs, ys, n);
  for (let i = 0; i < len; i++) {
    const cov = out[i];
    const a = vx[i];
    const b = vy[i];
    if (cov !== cov || a !== a || b !== b) {
      out[i] = NaN;
    } else if (beta) {
      out[i] = b > 0 ? cov / b : NaN;
    } else if (a > 0 && b > 0) {
      const r = cov / Math.sqrt(a * b);
      out[i] = r > 1 ? 1 : r < -1 ? -1 : r;
    } else {
      out[i] = NaN;
    }
  }
  return out;
}

/**
 * RollingMoments over a column, finished as skewness and excess kurtosis at once (pandas' rolling skew/kurt).
 */
function rollingSkewKurt2(src: Float64Array, n: number, skewOut: Float64Array, kurtOut: Float64Array): void {
  const len = src.length;
  let pos = 0;
  let cnt = 0;
  let c = 0;
  let s1 = 0;
  let s2 = 0;
  let s3 = 0;
  let s4 = 0;
  let same = 0;
  let last = NaN;
  for (let i = 0; i < len; i++) {
    const x = src[i];
    if (x - x !== 0) {
      pos = 0;
      cnt = 0;
      s1 = s2 = s3 = s4 = 0;
      same = 0;
      last = NaN;
      skewOut[i] = kurtOut[i] = NaN;
      continue;
    }
    same = x === last ? same + 1 : 1;
    last = x;
    if (cnt < n) {
      if (cnt === 0) c = x;
      const d = x - c;
      const d2 = d * d;
      s1 += d;
      s2 += d2;
      s3 += d2 * d;
      s4 += d2 * d2;
      cnt++;
      if (++pos === n) pos = 0;
    } else {
      const d = x - c;
      const e = src[i - n] - c;
      const d2 = d * d;
      const e2 = e * e;
      s1 += d - e;
      s2 += d2 - e2;
      s3 += d2 * d - e2 * e;
      s4 += d2 * d2 - e2 * e2;
      if (++pos === n) {
        pos = 0;
        c = x;
        let a = 0;
        let b = 0;
        let g = 0;
        let h = 0;
        for (let j = i - n + 1; j <= i; j++) {
          const dj = src[j] - x;
          const dj2 = dj * dj;
          a += dj;
          b += dj2;
          g += dj2 * dj;
          h += dj2 * dj2;
        }
        s1 = a;
        s2 = b;
        s3 = g;
        s4 = h;
      }
    }
    if (cnt < n) {
      skewOut[i] = kurtOut[i] = NaN;
      continue;
    }
    if (same >= n) {
      kurtOut[i] = kurtOf(n, true, 0, 0);
      skewOut[i] = skewOf(n, true, 0, 0);
      continue;
    }
    const a = s1 / n;
    const e2 = s2 / n;
    const e3 = s3 / n;
    const e4 = s4 / n;
    const a2 = a * a;
    let m2 = e2 - a2;
    if (m2 < 0) m2 = 0;
    let m4 = e4 - 4 * a * e3 + 6 * a2 * e2 - 3 * a2 * a2;
    if (m4 < 0) m4 = 0;
    // kurtOf / skewOf (flat = false) written out, each value stored in its branch: merging their NaN / number returns
    // would make V8 box a double per bar
    if (m2 <= PANDAS_VAR_EPS) {
      kurtOut[i] = NaN;
      skewOut[i] = NaN;
    } else {
      const k = ((n * n - 1) * m4) / (m2 * m2) - 3 * (n - 1) * (n - 1);
      kurtOut[i] = k / ((n - 2) * (n - 3));
      const m3 = e3 - 3 * a * e2 + 2 * a2 * a;
      const r = Math.sqrt(m2);
      skewOut[i] = (Math.sqrt(n * (n - 1)) * m3) / ((n - 2) * r * r * r);
    }
  }
}


/**
 * ret_skew / ret_kurt of a close column: in a batch scope both come from one pass (rollingSkewKurt2) shared by the
 * two specs of one period; the result is a fresh column.
 */
function skewKurtColumn(close: Float64Array, n: number, kurt: boolean): Float64Array {
  const r = sharedLogReturns(close);
  if (!batchScopeActive()) {
    // one feature alone: the shared pass with the other output thrown away
    const out = new Float64Array(r.length);
    const other = new Float64Array(r.length);
    rollingSkewKurt2(r, n, kurt ? other : out, kurt ? out : other);
    return out;
  }
  const both = sharedColumns(`skewKurt:${n}`, r, 2, (x, o) => rollingSkewKurt2(x, n, o[0], o[1]));
  return new Float64Array(both[kurt ? 1 : 0]);
}

// ---------------------------------------------------------------------------------------------------------------
// log_return
// ---------------------------------------------------------------------------------------------------------------

class LogReturnKernel implements FeatureKernel {
  private readonly lr: LogReturnN;
  constructor(n: number, private readonly out: Float64Array) {
    this.lr = new LogReturnN(n);
  }
  update(_o: number, _h: number, _l: number, c: number): void {
    this.out[0] = this.lr.update(c);
  }
}

export const LOG_RETURN: IndicatorSpec = defineFeature({
  name: 'log_return',
  description: 'n-bar log return ln(close / close n bars ago)',
  group: 'statistical',
  inputs: ['close'],
  params: [periodParam('period', 1, 1)],
  outputs: ['log_return'],
  note: 'Natural log, per bar. NaN when either close is missing or not positive.',
  lookback: ([n]) => n,
  make: ([n], out) => new LogReturnKernel(n, out),
  batch: ({ close: c, len }, [n]) => {
    // n = 1 is the shared 1-bar return column (logReturnsInto: the same expression) in a batch scope
    if (n === 1 && batchScopeActive() && c.length === len) return [new Float64Array(sharedLogReturns(c))];
    const out = new Float64Array(len);
    for (let i = 0; i < len; i++) {
      if (i < n) {
        out[i] = NaN;
        continue;
      }
      const r = Math.log(c[i] / c[i - n]);
      out[i] = r - r !== 0 ? NaN : r;
    }
    return [out];
  },
});

// ---------------------------------------------------------------------------------------------------------------
// Rolling moments of 1-bar log returns
// ---------------------------------------------------------------------------------------------------------------

class RetMeanKernel implements FeatureKernel {
  private readonly r = new LogReturn1();
  private readonly m: RollingMean;
  constructor(n: number, private readonly out: Float64Array) {
    this.m = new RollingMean(n);
  }
  update(_o: number, _h: number, _l: number, c: number): void {
    this.out[0] = this.m.update(this.r.update(c));
  }
}

class RetStdKernel implements FeatureKernel {
  private readonly r = new LogReturn1();
  private readonly v: RollingVar;
  constructor(n: number, private readonly out: Float64Array) {
    this.v = new RollingVar(n, 1);
  }
  update(_o: number, _h: number, _l: number, c: number): void {
    this.out[0] = Math.sqrt(this.v.update(this.r.update(c)));
  }
}

/** pandas' guard: a population variance at or below this is treated as rounding noise (skew, kurt → NaN). */
const PANDAS_VAR_EPS = 1e-14;

/** Adjusted Fisher-Pearson skewness G1 from population moments (pandas rolling skew). */
function skewOf(n: number, flat: boolean, m2: number, m3: number): number {
  if (flat) return 0;
  if (m2 <= PANDAS_VAR_EPS) return NaN;
  const r = Math.sqrt(m2);
  return (Math.sqrt(n * (n - 1)) * m3) / ((n - 2) * r * r * r);
}

/** Excess kurtosis G2 from population moments (pandas rolling kurt). */
function kurtOf(n: number, flat: boolean, m2: number, m4: number): number {
  if (flat) return -3;
  if (m2 <= PANDAS_VAR_EPS) return NaN;
  const k = ((n * n - 1) * m4) / (m2 * m2) - 3 * (n - 1) * (n - 1);
  return k / ((n - 2) * (n - 3));
}

class RetMomentKernel implements FeatureKernel {
  private readonly r = new LogReturn1();
  private readonly m: RollingMoments;
  constructor(private readonly n: number, private readonly kurt: boolean, private readonly out: Float64Array) {
    this.m = new RollingMoments(n);
  }
  update(_o: number, _h: number, _l: number, c: number): void {
    if (!this.m.update(this.r.update(c))) this.out[0] = NaN;
    else {
      const m = this.m;
      this.out[0] = this.kurt ? kurtOf(this.n, m.flat, m.m2, m.m4) : skewOf(this.n, m.flat, m.m2, m.m3);
    }
  }
}

export const RET_MEAN: IndicatorSpec = defineFeature({
  name: 'ret_mean',
  description: 'Rolling mean of 1-bar log returns over n bars',
  group: 'statistical',
  inputs: ['close'],
  params: [periodParam('period', 20, 1)],
  outputs: ['ret_mean'],
  note: 'mean = (1/n)·Σ r_i over the last n returns r_i = ln(c_i/c_{i-1}) (pandas rolling(n).mean()).',
  lookback: ([n]) => n,
  make: ([n], out) => new RetMeanKernel(n, out),
  batch: ({ close }, [n]) => [rollingMean(sharedLogReturns(close), n)],
});

export const RET_STD: IndicatorSpec = defineFeature({
  name: 'ret_std',
  description: 'Rolling sample standard deviation (ddof 1) of 1-bar log returns over n bars',
  group: 'statistical',
  inputs: ['close'],
  params: [periodParam('period', 20, 2)],
  outputs: ['ret_std'],
  note: 'std = sqrt(Σ(r_i - mean)² / (n - 1)) (pandas rolling(n).std()); exactly 0 for a flat window. Same numbers as vol_cc.',
  lookback: ([n]) => n,
  make: ([n], out) => new RetStdKernel(n, out),
  batch: ({ close }, [n]) => [new Float64Array(sharedRetStd(close, n))],
});

export const RET_SKEW: IndicatorSpec = defineFeature({
  name: 'ret_skew',
  description: 'Rolling skewness (adjusted Fisher-Pearson, as pandas) of 1-bar log returns over n bars',
  group: 'statistical',
  inputs: ['close'],
  params: [periodParam('period', 20, 3)],
  outputs: ['ret_skew'],
  note:
    'G1 = sqrt(n(n-1))/(n-2) · m3/m2^1.5 with m_k = (1/n)·Σ(r_i - mean)^k (pandas rolling(n).skew()). As pandas: 0 for a ' +
    'window of identical returns, NaN when m2 <= 1e-14.',
  lookback: ([n]) => n,
  make: ([n], out) => new RetMomentKernel(n, false, out),
  batch: ({ close }, [n]) => [skewKurtColumn(close, n, false)],
});

export const RET_KURT: IndicatorSpec = defineFeature({
  name: 'ret_kurt',
  description: 'Rolling excess kurtosis (as pandas) of 1-bar log returns over n bars',
  group: 'statistical',
  inputs: ['close'],
  params: [periodParam('period', 20, 4)],
  outputs: ['ret_kurt'],
  note:
    'G2 = ((n²-1)·m4/m2² - 3(n-1)²) / ((n-2)(n-3)) with m_k = (1/n)·Σ(r_i - mean)^k (pandas rolling(n).kurt(), Fisher, ' +
    'bias-corrected). As pandas: -3 for a window of identical returns, NaN when m2 <= 1e-14.',
  lookback: ([n]) => n,
  make: ([n], out) => new RetMomentKernel(n, true, out),
  batch: ({ close }, [n]) => [skewKurtColumn(close, n, true)],
});

// ---------------------------------------------------------------------------------------------------------------
// zscore
// ---------------------------------------------------------------------------------------------------------------

class ZscoreKernel implements FeatureKernel {
  private readonly m: RollingMean;
  private readonly v: RollingVar;
  constructor(n: number, private readonly out: Float64Array) {
    this.m = new RollingMean(n);
    this.v = new RollingVar(n, 1);
  }
  update(_o: number, _h: number, _l: number, c: number): void {
    const m = this.m.update(c);
    const v = this.v.update(c);
    this.out[0] = m !== m || v !== v ? NaN : v === 0 ? 0 : (c - m) / Math.sqrt(v);
  }
}

export const ZSCORE: IndicatorSpec = defineFeature({
  name: 'zscore',
  description: 'Z-score of close: (close - SMA_n) / rolling sample std_n (ddof 1)',
  group: 'statistical',
  inputs: ['close'],
  params: [periodParam('period', 20, 2)],
  outputs: ['zscore'],
  note: 'std with ddof 1 (pandas default), over the same n closes as the SMA (current close included). 0 for a flat window.',
  lookback: ([n]) => n - 1,
  make: ([n], out) => new ZscoreKernel(n, out),
  batch: ({ close: c, len }, [n]) => {
    const m = meanOf(c, n, 0); // read only (shared with sma / bb in a batch scope)
    const out = rollingVar(c, n, 1);
    for (let i = 0; i < len; i++) {
      const mi = m[i];
      const v = out[i];
      out[i] = mi !== mi || v !== v ? NaN : v === 0 ? 0 : (c[i] - mi) / Math.sqrt(v);
    }
    return [out];
  },
});

// ---------------------------------------------------------------------------------------------------------------
// autocorr
// ---------------------------------------------------------------------------------------------------------------

class AutocorrKernel implements FeatureKernel {
  private readonly r = new LogReturn1();
  private readonly lag: Lag;
  private readonly c: RollingCorr;
  constructor(n: number, k: number, private readonly out: Float64Array) {
    this.lag = new Lag(k);
    this.c = new RollingCorr(n);
  }
  update(_o: number, _h: number, _l: number, c: number): void {
    const r = this.r.update(c);
    this.c.update(r, this.lag.update(r));
    this.out[0] = this.c.corr;
  }
}

export const AUTOCORR: IndicatorSpec = defineFeature({
  name: 'autocorr',
  description: 'Rolling Pearson correlation of 1-bar log returns with their lag-k values over n bars',
  group: 'statistical',
  inputs: ['close'],
  params: [periodParam('period', 20, 3), periodParam('lag', 1, 1)],
  outputs: ['autocorr'],
  note:
    'corr over the n pairs (r_j, r_{j-k}), j = t-n+1..t, each side with its own window mean (pandas ' +
    'r.rolling(n).corr(r.shift(k))), not the single-mean ACF estimator. NaN when either side is flat.',
  lookback: ([n, k]) => n + k,
  make: ([n, k], out) => new AutocorrKernel(n, k, out),
  batch: ({ close }, [n, k]) => {
    const r = sharedLogReturns(close);
    return [rollingCorr(r, lagged(r, k, tmpCol(0, r.length)), n, false)];
  },
});

// ---------------------------------------------------------------------------------------------------------------
// corr_bench, beta_bench
// ---------------------------------------------------------------------------------------------------------------

class BenchKernel implements FeatureKernel {
  private readonly r = new LogReturn1();
  private readonly rb = new LogReturn1();
  private readonly c: RollingCorr;
  constructor(n: number, private readonly beta: boolean, private readonly out: Float64Array) {
    this.c = new RollingCorr(n);
  }
  update(_o: number, _h: number, _l: number, c: number, _v: number, _ts: number, bench: number): void {
    this.c.update(this.r.update(c), this.rb.update(bench));
    this.out[0] = this.beta ? this.c.beta : this.c.corr;
  }
}

export const CORR_BENCH: IndicatorSpec = defineFeature({
  name: 'corr_bench',
  description: "Rolling correlation of 1-bar log returns with the benchmark's over n bars",
  group: 'statistical',
  needs: ['benchmark'],
  inputs: ['close'],
  params: [periodParam('period', 60, 3)],
  outputs: ['corr_bench'],
  note:
    'Pearson correlation of the last n pairs (r_t, rb_t) of log returns. NaN while a missing benchmark (or asset) close ' +
    'is among the n+1 closes the window reads, and when either side is flat.',
  lookback: ([n]) => n,
  make: ([n], out) => new BenchKernel(n, false, out),
  batch: ({ close, bench }, [n]) => [rollingCorr(sharedLogReturns(close), sharedLogReturns(bench), n, false)],
});

export const BETA_BENCH: IndicatorSpec = defineFeature({
  name: 'beta_bench',
  description: 'Rolling beta of 1-bar log returns on the benchmark: cov(r, rb) / var(rb) over n bars',
  group: 'statistical',
  needs: ['benchmark'],
  inputs: ['close'],
  params: [periodParam('period', 60, 2)],
  outputs: ['beta_bench'],
  note: 'cov and var both with ddof 1 (the ddof cancels). NaN while a missing close is in the window or when the benchmark is flat.',
  lookback: ([n]) => n,
  make: ([n], out) => new BenchKernel(n, true, out),
  batch: ({ close, bench }, [n]) => [rollingCorr(sharedLogReturns(close), sharedLogReturns(bench), n, true)],
});

// ---------------------------------------------------------------------------------------------------------------
// hurst
// ---------------------------------------------------------------------------------------------------------------

/** Smallest sub-window size the R/S analysis uses. */
export const HURST_MIN_SIZE = 8;

/** Sub-window sizes for a window of n: n, ⌊n/2⌋, ⌊n/4⌋, … while ≥ HURST_MIN_SIZE. */
export function hurstSizes(n: number): Int32Array {
  const s: number[] = [];
  for (let m = n; m >= HURST_MIN_SIZE; m = Math.floor(m / 2)) s.push(m);
  return Int32Array.from(s);
}

/**
 * Rescaled-range Hurst exponent of x[0..n) (chronological). For each size s in `sizes`, the window is cut into
 * ⌊n/s⌋ non-overlapping chunks aligned to the window's END (the oldest n mod s values are left out); per chunk with
 * mean m: Y_k = Σ_{i≤k}(x_i - m), R = max(0, Y_1..Y_s) - min(0, Y_1..Y_s), S = sqrt((1/s)·Σ(x_i - m)²) (population),
 * and RS(s) = mean of R/S over the chunks with S > 0. H = OLS slope of ln RS(s) on ln s over the sizes with an RS
 * (NaN if fewer than two). Classic (uncorrected, no Anis-Lloyd) R/S: on short windows H of white noise is biased
 * above 0.5 (≈0.55-0.6 for n = 100). O(n · sizes.length). The feature (HURST) gives the same numbers in O(Σ sizes)
 * per bar by reusing the chunks between bars (see hurstInto).
 */
export function hurstRS(x: Float64Array, n: number, sizes: Int32Array): number {
  let sx = 0;
  let sy = 0;
  let sxx = 0;
  let sxy = 0;
  let m = 0;
  for (let q = 0; q < sizes.length; q++) {
    const s = sizes[q];
    const chunks = Math.floor(n / s);
    let rsSum = 0;
    let rsCnt = 0;
    for (let c = 0; c < chunks; c++) {
      const rs = chunkRS(x, n - c * s, s);
      if (rs >= 0) {
        rsSum += rs;
        rsCnt++;
      }
    }
    if (rsCnt === 0) continue;
    const rs = rsSum / rsCnt;
    if (!(rs > 0)) continue;
    const lx = Math.log(s);
    const ly = Math.log(rs);
    sx += lx;
    sy += ly;
    sxx += lx * lx;
    sxy += lx * ly;
    m++;
  }
  if (m < 2) return NaN;
  const den = m * sxx - sx * sx;
  return den > 0 ? (m * sxy - sx * sy) / den : NaN;
}

/** R/S of the chunk x[end-s .. end) as hurstRS defines it; -1 when S = 0 (the chunk is left out). One allocation-free pass for the mean, one for R and S. */
function chunkRS(x: Float64Array, end: number, s: number): number {
  const start = end - s;
  let mean = 0;
  for (let i = start; i < end; i++) mean += x[i];
  mean /= s;
  let y = 0;
  let ymax = 0;
  let ymin = 0;
  let ss = 0;
  for (let i = start; i < end; i++) {
    const d = x[i] - mean;
    ss += d * d;
    y += d;
    if (y > ymax) ymax = y;
    else if (y < ymin) ymin = y;
  }
  const sd = Math.sqrt(ss / s);
  return sd > 0 ? (ymax - ymin) / sd : -1;
}

/**
 * Reuse across bars. The chunks are aligned to the window's end, so at bar t the chunks of size s are exactly the
 * trailing s-windows ending at t, t-s, t-2s, …: each one's R/S is a function of its end bar alone. So the R/S of the
 * trailing s-window is computed once per bar and size (O(Σ sizes) ≈ 2n per bar) and kept in a row per size; hurstRS's
 * per-size means and OLS are then assembled from the stored values, in hurstRS's order (newest chunk first), so the
 * result is hurstRS's bit for bit.
 *
 * `rows` holds one row of `rowLen` per size; the chunk of size sizes[q] ending at bar e is at rows[q·rowLen + e mod
 * rowLen], `pos` is the current bar's slot (needs rowLen ≥ n). The result goes to dst[at] (a store per branch: returning
 * the double from a non-inlined call would make V8 box it every bar).
 */
function hurstInto(dst: Float64Array, at: number, rows: Float64Array, rowLen: number, pos: number, n: number, sizes: Int32Array, logSizes: Float64Array): void {
  let sx = 0;
  let sy = 0;
  let sxx = 0;
  let sxy = 0;
  let m = 0;
  for (let q = 0; q < sizes.length; q++) {
    const s = sizes[q];
    const chunks = Math.floor(n / s);
    const base = q * rowLen;
    let rsSum = 0;
    let rsCnt = 0;
    for (let c = 0; c < chunks; c++) {
      let k = pos - c * s;
      if (k < 0) k += rowLen;
      const rs = rows[base + k];
      if (rs >= 0) {
        rsSum += rs;
        rsCnt++;
      }
    }
    if (rsCnt === 0) continue;
    const rs = rsSum / rsCnt;
    if (!(rs > 0)) continue;
    const lx = logSizes[q];
    const ly = Math.log(rs);
    sx += lx;
    sy += ly;
    sxx += lx * lx;
    sxy += lx * ly;
    m++;
  }
  if (m < 2) {
    dst[at] = NaN;
    return;
  }
  const den = m * sxx - sx * sx;
  if (den > 0) dst[at] = (m * sxy - sx * sy) / den;
  else dst[at] = NaN;
}

function logsOf(sizes: Int32Array): Float64Array {
  const l = new Float64Array(sizes.length);
  for (let q = 0; q < sizes.length; q++) l[q] = Math.log(sizes[q]);
  return l;
}

/**
 * chunkRS for the four chunks of size s ending (exclusive) at e0, e0+1, e0+2, e0+3, into rs[e0-1 .. e0+2] (slot =
 * the chunk's last bar). Each chunk's arithmetic is chunkRS's, in the same order (so the same bits); interleaving
 * four independent chunks only lets their dependency chains overlap.
 */
function chunkRS4(x: Float64Array, e0: number, s: number, rs: Float64Array): void {
  const st = e0 - s;
  let a0 = 0;
  let a1 = 0;
  let a2 = 0;
  let a3 = 0;
  for (let t = st; t < e0; t++) {
    a0 += x[t];
    a1 += x[t + 1];
    a2 += x[t + 2];
    a3 += x[t + 3];
  }
  const m0 = a0 / s;
  const m1 = a1 / s;
  const m2 = a2 / s;
  const m3 = a3 / s;
  let y0 = 0, y1 = 0, y2 = 0, y3 = 0; // prettier-ignore
  let h0 = 0, h1 = 0, h2 = 0, h3 = 0; // prettier-ignore
  let l0 = 0, l1 = 0, l2 = 0, l3 = 0; // prettier-ignore
  let q0 = 0, q1 = 0, q2 = 0, q3 = 0; // prettier-ignore
  for (let t = st; t < e0; t++) {
    const d0 = x[t] - m0;
    const d1 = x[t + 1] - m1;
    const d2 = x[t + 2] - m2;
    const d3 = x[t + 3] - m3;
    q0 += d0 * d0;
    q1 += d1 * d1;
    q2 += d2 * d2;
    q3 += d3 * d3;
    y0 += d0;
    y1 += d1;
    y2 += d2;
    y3 += d3;
    if (y0 > h0) h0 = y0;
    else if (y0 < l0) l0 = y0;
    if (y1 > h1) h1 = y1;
    else if (y1 < l1) l1 = y1;
    if (y2 > h2) h2 = y2;
    else if (y2 < l2) l2 = y2;
    if (y3 > h3) h3 = y3;
    else if (y3 < l3) l3 = y3;
  }
  let sd = Math.sqrt(q0 / s);
  rs[e0 - 1] = sd > 0 ? (h0 - l0) / sd : -1;
  sd = Math.sqrt(q1 / s);
  rs[e0] = sd > 0 ? (h1 - l1) / sd : -1;
  sd = Math.sqrt(q2 / s);
  rs[e0 + 1] = sd > 0 ? (h2 - l2) / sd : -1;
  sd = Math.sqrt(q3 / s);
  rs[e0 + 2] = sd > 0 ? (h3 - l3) / sd : -1;
}

/**
 * Batch Hurst over a return column: the R/S of the trailing chunk of every size at every bar (rows of the column's
 * length; a chunk containing a missing return is never read, since the window that would read it is NaN), then the
 * per-bar assembly. Same numbers as HurstKernel, bit for bit.
 */
function hurstColumn(r: Float64Array, n: number): Float64Array {
  const len = r.length;
  const sizes = hurstSizes(n);
  const logSizes = logsOf(sizes);
  const nS = sizes.length;
  const out = new Float64Array(len);
  if (len <= n) return out.fill(NaN);
  const rows = tmpCol(0, nS * len); // scratch (every slot read is written first)
  for (let q = 0; q < nS; q++) {
    const s = sizes[q];
    const row = rows.subarray(q * len, (q + 1) * len);
    let e = s + 1; // r[0] is always NaN: the first chunk that can be read ends at bar s
    for (; e + 3 <= len; e += 4) chunkRS4(r, e, s, row);
    for (; e <= len; e++) row[e - 1] = chunkRS(r, e, s);
  }
  let valid = 0;
  for (let i = 0; i < len; i++) {
    const x = r[i];
    if (x !== x) {
      valid = 0;
      out[i] = NaN;
      continue;
    }
    if (valid < n) valid++;
    if (valid < n) out[i] = NaN;
    else hurstInto(out, i, rows, len, i, n, sizes, logSizes);
  }
  return out;
}

class HurstKernel implements FeatureKernel {
  private readonly r = new LogReturn1();
  /** the last n returns twice over (buf[p] = buf[p + n]), so the trailing s ending at slot p are contiguous */
  private readonly buf: Float64Array;
  private readonly rows: Float64Array;
  private readonly sizes: Int32Array;
  private readonly logSizes: Float64Array;
  private pos = 0;
  private valid = 0; // consecutive valid returns
  constructor(private readonly n: number, private readonly out: Float64Array) {
    this.buf = new Float64Array(2 * n);
    this.sizes = hurstSizes(n);
    this.logSizes = logsOf(this.sizes);
    this.rows = new Float64Array(this.sizes.length * n);
  }
  update(_o: number, _h: number, _l: number, c: number): void {
    const r = this.r.update(c);
    const n = this.n;
    const p = this.pos;
    if (++this.pos === n) this.pos = 0;
    if (r !== r) {
      this.valid = 0;
      this.out[0] = NaN;
      return;
    }
    this.buf[p] = r;
    this.buf[p + n] = r;
    if (this.valid < n) this.valid++;
    const sizes = this.sizes;
    for (let q = 0; q < sizes.length; q++) {
      const s = sizes[q];
      if (this.valid >= s) this.rows[q * n + p] = chunkRS(this.buf, p + n + 1, s);
    }
    if (this.valid < n) this.out[0] = NaN;
    else hurstInto(this.out, 0, this.rows, n, p, n, sizes, this.logSizes);
  }
}

export const HURST: IndicatorSpec = defineFeature({
  name: 'hurst',
  description: 'Rescaled-range (R/S) Hurst exponent of 1-bar log returns over n bars',
  group: 'statistical',
  inputs: ['close'],
  params: [periodParam('period', 100, 16)],
  outputs: ['hurst'],
  note:
    'Sub-window sizes n, n/2, n/4, … ≥ 8 (floored), chunks aligned to the window end; H = log-log OLS slope of the mean ' +
    'R/S on size. Classic R/S without small-sample correction (white noise gives ≈0.55-0.6 at n = 100). ' +
    'O(2n) per bar: each chunk\'s R/S is computed once, when it completes, and reused by the later windows that contain it.',
  lookback: ([n]) => n,
  make: ([n], out) => new HurstKernel(n, out),
  batch: ({ close }, [n]) => [hurstColumn(sharedLogReturns(close), n)],
});

// ---------------------------------------------------------------------------------------------------------------
// drawdown, dist_high, dist_low
// ---------------------------------------------------------------------------------------------------------------

class DrawdownKernel implements FeatureKernel {
  private readonly mx: RollingMax;
  constructor(n: number, private readonly out: Float64Array) {
    this.mx = new RollingMax(n);
  }
  update(_o: number, _h: number, _l: number, c: number): void {
    this.out[0] = c / this.mx.update(c) - 1;
  }
}

class DistKernel implements FeatureKernel {
  private readonly ext: RollingMax | RollingMin;
  constructor(n: number, private readonly high: boolean, private readonly out: Float64Array) {
    this.ext = high ? new RollingMax(n) : new RollingMin(n);
  }
  update(_o: number, h: number, l: number, c: number): void {
    this.out[0] = c / this.ext.update(this.high ? h : l) - 1;
  }
}

export const DRAWDOWN: IndicatorSpec = defineFeature({
  name: 'drawdown',
  description: 'Drawdown from the rolling high close: close / max(close over n bars) - 1 (≤ 0)',
  group: 'statistical',
  inputs: ['close'],
  params: [periodParam('period', 60, 1)],
  outputs: ['drawdown'],
  note: 'The window includes the current close, so the value is ≤ 0 and 0 at a new n-bar high.',
  lookback: ([n]) => n - 1,
  make: ([n], out) => new DrawdownKernel(n, out),
  batch: ({ close }, [n]) => [ratioMinus1(close, sharedExtreme(close, n, true))],
});

export const DIST_HIGH: IndicatorSpec = defineFeature({
  name: 'dist_high',
  description: 'Distance to the rolling high: close / max(high over n bars) - 1',
  group: 'statistical',
  inputs: ['high', 'close'],
  params: [periodParam('period', 20, 1)],
  outputs: ['dist_high'],
  note: 'The window includes the current bar (≤ 0 when close ≤ high).',
  lookback: ([n]) => n - 1,
  make: ([n], out) => new DistKernel(n, true, out),
  batch: ({ high, close }, [n]) => [ratioMinus1(close, sharedExtreme(high, n, true))],
});

export const DIST_LOW: IndicatorSpec = defineFeature({
  name: 'dist_low',
  description: 'Distance to the rolling low: close / min(low over n bars) - 1',
  group: 'statistical',
  inputs: ['low', 'close'],
  params: [periodParam('period', 20, 1)],
  outputs: ['dist_low'],
  note: 'The window includes the current bar (≥ 0 when close ≥ low).',
  lookback: ([n]) => n - 1,
  make: ([n], out) => new DistKernel(n, false, out),
  batch: ({ low, close }, [n]) => [ratioMinus1(close, sharedExtreme(low, n, false))],
});

/** Every statistical feature, in `features list` order. */
export const STAT_FEATURES: IndicatorSpec[] = [
  LOG_RETURN,
  RET_MEAN,
  RET_STD,
  RET_SKEW,
  RET_KURT,
  ZSCORE,
  AUTOCORR,
  CORR_BENCH,
  BETA_BENCH,
  HURST,
  DRAWDOWN,
  DIST_HIGH,
  DIST_LOW,
];

/** The log-return horizons the default pipeline computes (log_return_1 … log_return_60). */
export const DEFAULT_LOG_RETURN_PERIODS: readonly number[] = [1, 2, 5, 10, 20, 60];
