/**
 * Private building blocks for the momentum and volume indicators (momentum.ts, volume.ts).
 *
 * Every indicator is written once, as an incremental kernel (a class whose `update` takes one bar and returns its
 * outputs); `batch` simply drives a fresh kernel over the Float64Array columns. So the stream and the batch form are
 * the same arithmetic in the same order and agree bit for bit, and the batch form is O(n) with no per-bar
 * allocation: all state lives in fields and in ring buffers (Float64Array) allocated once, in the constructor.
 *
 * Missing values. An input value is missing when it is NaN or ±Infinity (tested as `x - x !== 0`). The rules:
 *  - windowed quantities (rolling sums/means, highest/lowest, n-bar lags, the 1-bar change) are NaN while any value
 *    they read is missing, i.e. while a missing value is inside their window (for a lag: at either end), and come
 *    back as soon as it has left the window;
 *  - recursive states (EMA, Wilder averages, running totals such as OBV/AD) skip a missing value: the bar's output is
 *    NaN and the state is kept as it was, so one NaN never poisons them. Their warm-up counts valid values only;
 *  - an indicator with several outputs emits all of them or none (NaN for all when any one is NaN).
 * On clean data this gives exactly TA-Lib's lookback: the first lookback(p) outputs are NaN, none after.
 */
import { periodParam, resolveParams, slidingExtreme, trueRangeOf as trueRange } from './kernels.ts';
import type { IndicatorSpec, IndicatorStream, InputField, Ohlcv, ParamSpec } from './types.ts';

/** True for NaN and ±Infinity (kernels.ts's isMissing). */
export { isMissing as bad } from './kernels.ts';

/**
 * TA-Lib's TRUE_RANGE of one bar: max(h - l, |h - prevClose|, |l - prevClose|), same comparison order (kernels.ts's
 * trueRangeOf; |pc - h| and |h - pc| are the same number).
 */
export { trueRangeOf as trueRange } from './kernels.ts';

/**
 * Sum of the last `w` pushed values, NaN until w values have been pushed or while a missing value is in the window.
 * O(1) per push (add the new value, subtract the leaving one); the sum is recomputed exactly from the ring every w
 * pushes (amortized O(1)) so rounding residue cannot accumulate, e.g. after a huge value has left the window.
 */
export class RollingSum {
  readonly w: number;
  private readonly buf: Float64Array;
  private pos = 0;
  private i = -1;
  private lastBad = -Infinity;
  private s = 0;
  private sinceExact = 0;

  constructor(w: number) {
    this.w = w;
    this.buf = new Float64Array(w);
  }

  push(x: number): number {
    const i = ++this.i;
    const w = this.w;
    if (x - x !== 0) {
      this.lastBad = i;
      x = 0;
    }
    const buf = this.buf;
    const old = buf[this.pos];
    buf[this.pos] = x;
    if (++this.pos === w) this.pos = 0;
    if (++this.sinceExact === w) {
      this.sinceExact = 0;
      let s = 0;
      for (let j = 0; j < w; j++) s += buf[j];
      this.s = s;
    } else {
      this.s += x - old;
    }
    if (i < w - 1 || i - this.lastBad < w) return NaN;
    return this.s;
  }
}

/**
 * Highest of the last `w` pushed values (monotonic deque, amortized O(1)); NaN until w values or while a missing
 * value is in the window. Ties go to the most recent bar (as TA-Lib's AROON: `>=`). For the lowest, push -x and
 * negate the result (ties then also go to the most recent bar, TA-Lib's `<=`).
 * After a push returning a number, `since` = how many bars ago (0 = this bar) that highest value was.
 */
export class RollingMax {
  readonly w: number;
  private readonly vals: Float64Array;
  private readonly idx: Float64Array;
  private head = 0;
  private size = 0;
  private i = -1;
  private lastBad = -Infinity;
  since = 0;

  constructor(w: number) {
    this.w = w;
    this.vals = new Float64Array(w);
    this.idx = new Float64Array(w);
  }

  push(x: number): number {
    const i = ++this.i;
    const w = this.w;
    if (x - x !== 0) {
      this.lastBad = i;
      this.size = 0; // no later window that excludes this bar can contain anything older
      return NaN;
    }
    const vals = this.vals;
    const idx = this.idx;
    // expire the front
    while (this.size > 0 && idx[this.head] <= i - w) {
      if (++this.head === w) this.head = 0;
      this.size--;
    }
    // pop dominated values from the back (<=: ties go to the newest)
    while (this.size > 0) {
      let b = this.head + this.size - 1;
      if (b >= w) b -= w;
      if (vals[b] <= x) this.size--;
      else break;
    }
    let t = this.head + this.size;
    if (t >= w) t -= w;
    vals[t] = x;
    idx[t] = i;
    this.size++;
    if (i < w - 1 || i - this.lastBad < w) return NaN;
    this.since = i - idx[this.head];
    return vals[this.head];
  }
}

/** The value pushed `k` pushes ago (NaN before that, or if it was missing). k = 0 returns x itself. */
export class Lag {
  readonly k: number;
  private readonly buf: Float64Array;
  private pos = 0;

  constructor(k: number) {
    this.k = k;
    this.buf = new Float64Array(Math.max(k, 1)).fill(NaN);
  }

  push(x: number): number {
    if (x - x !== 0) x = NaN;
    if (this.k === 0) return x;
    const old = this.buf[this.pos];
    this.buf[this.pos] = x;
    if (++this.pos === this.k) this.pos = 0;
    return old;
  }
}

/**
 * TA-Lib's EMA (default compatibility): k = 2/(p+1), seeded with the simple mean of the first p values, then
 * prev = (x - prev)*k + prev. Missing values are skipped (state kept, NaN returned). `skip` discards the first
 * `skip` valid values before seeding (MACD uses it to end the fast EMA's seed window on the slow EMA's seed bar).
 */
export class Ema {
  readonly p: number;
  readonly k: number;
  private skip: number;
  private cnt = 0;
  private sum = 0;
  value = NaN;

  constructor(p: number, skip = 0) {
    this.p = p;
    this.k = 2 / (p + 1);
    this.skip = skip;
  }

  push(x: number): number {
    if (x - x !== 0) return NaN;
    if (this.cnt < this.p) {
      if (this.skip > 0) {
        this.skip--;
        return NaN;
      }
      this.sum += x;
      if (++this.cnt < this.p) return NaN;
      this.value = this.sum / this.p;
      return this.value;
    }
    this.value = (x - this.value) * this.k + this.value;
    return this.value;
  }
}

/**
 * Wilder-smoothed average gain and loss of a series' 1-bar changes, as TA-Lib's RSI/CMO: the first averages are the
 * simple means of the first n gains/losses, then avg = (avg*(n-1) + x)/n. `push` returns true when `gain`/`loss`
 * hold this bar's averages. A change is undefined on the first bar and around a missing value; those bars are
 * skipped (averages kept).
 */
export class WilderGainLoss {
  readonly n: number;
  private prev = NaN;
  private cnt = 0;
  gain = 0;
  loss = 0;

  constructor(n: number) {
    this.n = n;
  }

  push(x: number): boolean {
    if (x - x !== 0) {
      this.prev = NaN;
      return false;
    }
    const prev = this.prev;
    this.prev = x;
    if (prev !== prev) return false;
    const d = x - prev;
    const n = this.n;
    if (this.cnt < n) {
      if (d < 0) this.loss -= d;
      else this.gain += d;
      if (++this.cnt < n) return false;
      this.loss /= n;
      this.gain /= n;
      return true;
    }
    this.loss *= n - 1;
    this.gain *= n - 1;
    if (d < 0) this.loss -= d;
    else this.gain += d;
    this.loss /= n;
    this.gain /= n;
    return true;
  }
}

/**
 * Wilder sums of +DM, -DM and true range, exactly as TA-Lib's PLUS_DI/MINUS_DI/ADX: the first n-1 bar-to-bar
 * values are summed, then sum = sum - sum/n + value. `push` returns true when `plusDM`/`minusDM`/`tr` are valid
 * (from the n-th change on). Bars whose change is undefined (first bar, around a missing value) are skipped.
 */
export class WilderDM {
  readonly n: number;
  private ph = NaN;
  private pl = NaN;
  private pc = NaN;
  private cnt = 0;
  plusDM = 0;
  minusDM = 0;
  tr = 0;

  constructor(n: number) {
    this.n = n;
  }

  push(h: number, l: number, c: number): boolean {
    if (h - h !== 0 || l - l !== 0 || c - c !== 0) {
      this.ph = this.pl = this.pc = NaN;
      return false;
    }
    const ph = this.ph;
    const pl = this.pl;
    const pc = this.pc;
    this.ph = h;
    this.pl = l;
    this.pc = c;
    if (ph !== ph) return false;
    const diffP = h - ph;
    const diffM = pl - l;
    const tr = trueRange(h, l, pc);
    const n = this.n;
    if (this.cnt < n - 1) {
      if (diffM > 0 && diffP < diffM) this.minusDM += diffM;
      else if (diffP > 0 && diffP > diffM) this.plusDM += diffP;
      this.tr += tr;
      this.cnt++;
      return false;
    }
    this.minusDM -= this.minusDM / n;
    this.plusDM -= this.plusDM / n;
    if (diffM > 0 && diffP < diffM) this.minusDM += diffM;
    else if (diffP > 0 && diffP > diffM) this.plusDM += diffP;
    this.tr = this.tr - this.tr / n + tr;
    this.cnt++;
    return true;
  }
}

/** A kernel: the incremental form of one indicator; `update` returns its (reused) output array. */
export interface Kernel extends IndicatorStream {
  update(open: number, high: number, low: number, close: number, volume: number): Float64Array;
}

/** Drive a kernel over whole columns. The length is that of the first column the indicator reads. */
export function runBatch(input: Ohlcv, inputs: InputField[], k: Kernel, nOut: number): Float64Array[] {
  const n = input[inputs[0]].length;
  const outs: Float64Array[] = [];
  for (let j = 0; j < nOut; j++) outs.push(new Float64Array(n));
  const { open, high, low, close, volume } = input;
  if (nOut === 1) {
    const o0 = outs[0];
    for (let i = 0; i < n; i++) o0[i] = k.update(open[i], high[i], low[i], close[i], volume[i])[0];
  } else {
    for (let i = 0; i < n; i++) {
      const r = k.update(open[i], high[i], low[i], close[i], volume[i]);
      for (let j = 0; j < nOut; j++) outs[j][i] = r[j];
    }
  }
  return outs;
}

export { resolveParams, MAX_PERIOD } from './kernels.ts';

/** An integer period parameter. */
export function period(name: string, def: number, min = 2): ParamSpec {
  return periodParam(name, def, min);
}

export interface IndicatorDef {
  name: string;
  description: string;
  group: IndicatorSpec['group'];
  inputs: InputField[];
  params: ParamSpec[];
  outputs: string[];
  note?: string;
  /** Lookback for resolved (validated, defaulted) parameters. */
  lookback(q: number[]): number;
  /** A fresh kernel for resolved parameters. */
  make(q: number[]): Kernel;
  /**
   * Dedicated batch form for resolved parameters over `len` bars (the length of the first input column): a tight loop
   * over the columns that must reproduce `make`'s kernel exactly (same arithmetic in the same order). When absent,
   * batch drives the kernel (runBatch).
   */
  batch?(input: Ohlcv, q: number[], len: number): Float64Array[];
}

/** Build an IndicatorSpec whose batch form drives the same kernel as its stream form. */
export function defineIndicator(d: IndicatorDef): IndicatorSpec {
  const nOut = d.outputs.length;
  const spec: IndicatorSpec = {
    name: d.name,
    description: d.description,
    group: d.group,
    inputs: d.inputs,
    params: d.params,
    outputs: d.outputs,
    lookback: (p) => d.lookback(resolveParams(d.name, d.params, p)),
    batch: d.batch
      ? (input, p) => d.batch!(input, resolveParams(d.name, d.params, p), input[d.inputs[0]].length)
      : (input, p) => runBatch(input, d.inputs, d.make(resolveParams(d.name, d.params, p)), nOut),
    stream: (p) => d.make(resolveParams(d.name, d.params, p)),
  };
  if (d.note !== undefined) spec.note = d.note;
  return spec;
}

// ---------------------------------------------------------------------------------------------------------------
// Column forms of the kernels above, for the batch paths: each reproduces its class's `push` exactly (same
// arithmetic, same order, same missing-value rule) as a tight loop over a Float64Array, with no per-bar calls.
// ---------------------------------------------------------------------------------------------------------------

const scratchF: Float64Array[] = [];
let scratchU: Uint8Array = new Uint8Array(0);

/**
 * A reusable temporary column (slot 0..7) of at least `len` values, contents unspecified. Batch forms use these for
 * intermediate columns so that a call touches no fresh memory but its outputs (first writes to a fresh large array
 * page-fault, which costs more than the arithmetic). Never return a scratch column, and never hold one across a call
 * that may use the same slot: the batch forms are synchronous and use distinct slots (dmCols uses 5..7).
 */
export function scratch(slot: number, len: number): Float64Array {
  let a = scratchF[slot];
  if (a === undefined || a.length < len) a = scratchF[slot] = new Float64Array(Math.max(len, 1024));
  return a;
}

function scratchBytes(len: number): Uint8Array {
  if (scratchU.length < len) scratchU = new Uint8Array(Math.max(len, 1024));
  return scratchU;
}

/** RollingSum over a column: out[i] = what the i-th push of a fresh RollingSum(w) returns. `out` must not be `src`. */
export function sumCol(src: Float64Array, w: number, len: number, out: Float64Array = new Float64Array(len)): Float64Array {
  let s = 0;
  let since = 0;
  let lastBad = -Infinity;
  for (let i = 0; i < len; i++) {
    let x = src[i];
    if (x - x !== 0) {
      lastBad = i;
      x = 0;
    }
    if (++since === w) {
      // exact recompute: the ring buffer is then in chronological order
      since = 0;
      let t = 0;
      for (let j = i - w + 1; j <= i; j++) {
        const y = src[j];
        t += y - y === 0 ? y : 0;
      }
      s = t;
    } else {
      let old = 0;
      if (i >= w) {
        old = src[i - w];
        if (old - old !== 0) old = 0;
      }
      s += x - old;
    }
    out[i] = i < w - 1 || i - lastBad < w ? NaN : s;
  }
  return out;
}

/**
 * RollingMax (isMin false) or the negated RollingMax of -x (isMin true: the lowest) over a column. When `since` is
 * given, since[i] = bars since the extreme wherever out[i] is a number (RollingMax.since).
 */
export function extCol(src: Float64Array, w: number, len: number, isMin: boolean, out: Float64Array = new Float64Array(len), since?: Float64Array): Float64Array {
  slidingExtreme(src, w, len, !isMin, out, since);
  return out;
}

/** Ema(p, skip) over a column. */
export function emaCol(src: Float64Array, p: number, skip: number, len: number, out: Float64Array = new Float64Array(len)): Float64Array {
  const k = 2 / (p + 1);
  let cnt = 0;
  let sum = 0;
  let value = NaN;
  let i = 0;
  // warm-up (skip, then the seed window)
  for (; i < len && cnt < p; i++) {
    const x = src[i];
    out[i] = NaN;
    if (x - x !== 0) continue;
    if (skip > 0) {
      skip--;
      continue;
    }
    sum += x;
    if (++cnt === p) {
      value = sum / p;
      out[i] = value;
    }
  }
  for (; i < len; i++) {
    const x = src[i];
    if (x - x !== 0) {
      out[i] = NaN;
      continue;
    }
    value = (x - value) * k + value;
    out[i] = value;
  }
  return out;
}

/** Lag(k) over a column: out[i] = src[i - k] (NaN before that or when it is missing). */
export function lagAt(src: Float64Array, i: number, k: number): number {
  if (i < k) return NaN;
  const x = src[i - k];
  return x - x !== 0 ? NaN : x;
}

/**
 * WilderGainLoss over a column, then per bar where it returns true: mode 0 → RSI 100·gain/(gain+loss), mode 1 →
 * CMO 100·(gain-loss)/(gain+loss) (0 when gain+loss is 0); NaN elsewhere.
 */
export function gainLossCol(c: Float64Array, n: number, len: number, mode: 0 | 1, out: Float64Array = new Float64Array(len)): Float64Array {
  let prev = NaN;
  let cnt = 0;
  let gain = 0;
  let loss = 0;
  for (let i = 0; i < len; i++) {
    const x = c[i];
    if (x - x !== 0) {
      prev = NaN;
      out[i] = NaN;
      continue;
    }
    const pv = prev;
    prev = x;
    if (pv !== pv) {
      out[i] = NaN;
      continue;
    }
    const d = x - pv;
    if (cnt < n) {
      if (d < 0) loss -= d;
      else gain += d;
      if (++cnt < n) {
        out[i] = NaN;
        continue;
      }
      loss /= n;
      gain /= n;
    } else {
      loss *= n - 1;
      gain *= n - 1;
      if (d < 0) loss -= d;
      else gain += d;
      loss /= n;
      gain /= n;
    }
    const s = gain + loss;
    if (s !== 0) out[i] = mode === 0 ? 100 * (gain / s) : 100 * ((gain - loss) / s);
    else out[i] = 0;
  }
  return out;
}

/**
 * WilderDM over columns: where ok[i] is 1, plus/minus/tr hold the bar's Wilder sums (WilderDM.push true). The
 * columns are scratch (slots 5..7; valid for i < len only, until the next dmCols call).
 */
export interface DmCols {
  plus: Float64Array;
  minus: Float64Array;
  tr: Float64Array;
  /** 1 where the bar has Wilder sums, else 0 (a Float64Array when shared in a batch scope) */
  ok: Uint8Array | Float64Array;
}

export function dmCols(high: Float64Array, low: Float64Array, close: Float64Array, n: number, len: number): DmCols {
  const plus = scratch(5, len);
  const minus = scratch(6, len);
  const trs = scratch(7, len);
  const ok = scratchBytes(len);
  let ph = NaN;
  let pl = NaN;
  let pc = NaN;
  let cnt = 0;
  let pdm = 0;
  let mdm = 0;
  let str = 0;
  for (let i = 0; i < len; i++) {
    const h = high[i];
    const l = low[i];
    const c = close[i];
    ok[i] = 0;
    if (h - h !== 0 || l - l !== 0 || c - c !== 0) {
      ph = pl = pc = NaN;
      continue;
    }
    const h0 = ph;
    const l0 = pl;
    const c0 = pc;
    ph = h;
    pl = l;
    pc = c;
    if (h0 !== h0) continue;
    const diffP = h - h0;
    const diffM = l0 - l;
    const tr = trueRange(h, l, c0);
    if (cnt < n - 1) {
      if (diffM > 0 && diffP < diffM) mdm += diffM;
      else if (diffP > 0 && diffP > diffM) pdm += diffP;
      str += tr;
      cnt++;
      continue; // ok[i] stays 0
    }
    mdm -= mdm / n;
    pdm -= pdm / n;
    if (diffM > 0 && diffP < diffM) mdm += diffM;
    else if (diffP > 0 && diffP > diffM) pdm += diffP;
    str = str - str / n + tr;
    cnt++;
    plus[i] = pdm;
    minus[i] = mdm;
    trs[i] = str;
    ok[i] = 1;
  }
  return { plus, minus, tr: trs, ok };
}
