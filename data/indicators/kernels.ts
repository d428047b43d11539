/**
 * Shared rolling kernels for indicators: batch functions over Float64Array columns, and incremental state classes
 * (`update(x)` per value) that reproduce the batch functions exactly — same arithmetic in the same order, so the two
 * agree bit for bit. Everything is O(1) per value (amortized): running sums, monotonic deques, ring buffers; no
 * per-value allocation.
 *
 * Missing values: a value is missing when it is NaN or ±Infinity (`x - x !== 0`).
 *  - Windowed kernels (rolling sum/mean/var/std/max/min/WMA/linear regression) output NaN while a missing value is
 *    inside their window, i.e. until `n` valid values have followed it; the running sums restart from zero after it,
 *    so a NaN never poisons them.
 *  - Recursive kernels (EMA, Wilder) skip a missing value: its output is NaN and the state is kept. The warm-up counts
 *    valid values only.
 *  - trueRange is NaN when high, low or the previous value's close is missing.
 *
 * Precision: running sums are recomputed exactly from the window every `n` values (when the ring buffer wraps, which is
 * also when the window is in chronological order in it), so rounding residue cannot accumulate; the variance and
 * regression kernels accumulate deviations from a shift value taken from inside the window (reset at each recompute),
 * which avoids the cancellation of raw sums of squares on high-priced series; a window of identical values gives a
 * variance (and slope) of exactly 0, and a window of zeros a sum of exactly 0.
 *
 * Exports here are used by trend.ts and volatility.ts and may be imported by other indicator files: keep them stable.
 */
import type { IndicatorSpec, IndicatorStream, InputField, Ohlcv, ParamSpec } from './types.ts';

// ---------------------------------------------------------------------------------------------------------------
// Plumbing shared by indicator specs
// ---------------------------------------------------------------------------------------------------------------

/** True for NaN and ±Infinity. */
export function isMissing(x: number): boolean {
  return x - x !== 0;
}

/** A Float64Array of length n filled with NaN. */
export function nanArray(n: number): Float64Array {
  return new Float64Array(n).fill(NaN);
}

/** Upper bound of period parameters (TA-Lib's). */
export const MAX_PERIOD = 100000;

/** An integer period parameter spec. */
export function periodParam(name: string, def: number, min = 2, max = MAX_PERIOD): ParamSpec {
  return { name, default: def, min, max, int: true };
}

/** Check and complete a parameter vector (missing entries take their defaults); throws RangeError on a bad value. */
export function resolveParams(name: string, specs: readonly ParamSpec[], p: readonly number[] | undefined): number[] {
  const q: number[] = [];
  for (let i = 0; i < specs.length; i++) {
    const s = specs[i];
    const v = p !== undefined && p[i] !== undefined ? p[i] : s.default;
    if (typeof v !== 'number' || !Number.isFinite(v)) throw new RangeError(`${name}: ${s.name} must be a finite number, got ${v}`);
    if (s.int && !Number.isInteger(v)) throw new RangeError(`${name}: ${s.name} must be an integer, got ${v}`);
    if (s.min !== undefined && v < s.min) throw new RangeError(`${name}: ${s.name} must be >= ${s.min}, got ${v}`);
    if (s.max !== undefined && v > s.max) throw new RangeError(`${name}: ${s.name} must be <= ${s.max}, got ${v}`);
    q.push(v);
  }
  return q;
}

const FIELD_BIT: Record<InputField, number> = { open: 1, high: 2, low: 4, close: 8, volume: 16 };

function fieldMask(fields: readonly InputField[]): number {
  let m = 0;
  for (const f of fields) m |= FIELD_BIT[f];
  return m;
}

/** Number of bars in the columns an indicator reads; throws RangeError if they differ in length. */
export function inputLength(input: Ohlcv, fields: readonly InputField[]): number {
  const len = input[fields[0]].length;
  for (const f of fields) {
    if (input[f].length !== len) throw new RangeError(`input columns differ in length (${fields[0]} ${len}, ${f} ${input[f].length})`);
  }
  return len;
}

/**
 * Bar-level missing values: a bar is missing for an indicator when any field it reads is missing. Returns the input
 * itself when no read field has a missing value (the common case: no copy), else copies of the read fields with every
 * read field of a missing bar set to NaN. Kernels then see the whole bar as missing.
 */
export function cleanInputs(input: Ohlcv, fields: readonly InputField[]): Ohlcv {
  const len = inputLength(input, fields);
  if (fields.length === 1) return input;
  const sc = scope;
  if (sc !== null && sc.input === input) {
    const m = fieldMask(fields);
    let hit = sc.clean.get(m);
    if (hit === undefined) {
      hit = scopeFieldsClean(sc, m) ? input : cleanInputsUncached(input, fields, len);
      sc.clean.set(m, hit);
    }
    return hit;
  }
  return cleanInputsUncached(input, fields, len);
}

function cleanInputsUncached(input: Ohlcv, fields: readonly InputField[], len: number): Ohlcv {
  let anyMissing = false;
  for (const f of fields) {
    const a = input[f];
    for (let i = 0; i < len; i++) {
      if (a[i] - a[i] !== 0) {
        anyMissing = true;
        break;
      }
    }
    if (anyMissing) break;
  }
  if (!anyMissing) return input;
  const out: Ohlcv = { ...input };
  for (const f of fields) out[f] = input[f].slice(0, len);
  for (let i = 0; i < len; i++) {
    let miss = false;
    for (const f of fields) {
      const x = input[f][i];
      if (x - x !== 0) {
        miss = true;
        break;
      }
    }
    if (miss) for (const f of fields) out[f][i] = NaN;
  }
  return out;
}

// ---------------------------------------------------------------------------------------------------------------
// Batch scope: work shared by the specs of one pipeline call
// ---------------------------------------------------------------------------------------------------------------

/**
 * While the pipeline computes a plan over one input (runBatchScope), the specs' batch forms share work that depends
 * on the input alone: which fields hold a missing value (scanned once per field), the cleaned inputs per field set,
 * and derived columns (e.g. 1-bar log returns, see sharedColumn). The input's arrays must not change during the scope
 * (the pipeline's computePlan is synchronous and never writes to them). Outside a scope nothing is shared.
 */
interface BatchScope {
  input: object;
  /** per field bit index: 0 not scanned, 1 no missing value, 2 has one */
  fieldState: Int8Array;
  clean: Map<number, Ohlcv>;
  /** derived columns by kind, then by source array */
  derived: Map<string, Map<Float64Array, Float64Array[]>>;
  /** pooled buffers handed out by sharedColumn in this scope */
  used: number;
}

let scope: BatchScope | null = null;
/**
 * Buffers for sharedColumn, reused from one scope to the next (never handed out of a scope): the default feature set
 * uses ~120 (~70 MiB at 72,000 bars). Reuse matters on machines where first-touching fresh memory is slow (page
 * faults), but a long series would pin too much: after a scope, buffers beyond SCOPE_POOL_KEEP_BYTES are dropped.
 */
const scopePool: Float64Array[] = [];
const SCOPE_POOL_KEEP_BYTES = 128 * 2 ** 20;

const FIELD_NAMES: readonly InputField[] = ['open', 'high', 'low', 'close', 'volume'];

/** True when no field of mask `m` has a missing value in the scope's input (each field scanned once per scope). */
function scopeFieldsClean(sc: BatchScope, m: number): boolean {
  const input = sc.input as Ohlcv;
  for (let j = 0; j < 5; j++) {
    if (!(m & (1 << j))) continue;
    let st = sc.fieldState[j];
    if (st === 0) {
      const a = input[FIELD_NAMES[j]];
      st = 1;
      for (let i = 0; i < a.length; i++) {
        if (a[i] - a[i] !== 0) {
          st = 2;
          break;
        }
      }
      sc.fieldState[j] = st;
    }
    if (st === 2) return false;
  }
  return true;
}

/** True when `input` is the input of the current batch scope and no field of mask `m` has a missing value. */
export function scopeInputClean(input: object, m: number): boolean {
  const sc = scope;
  return sc !== null && sc.input === input && scopeFieldsClean(sc, m);
}

/** Run `fn` (synchronous) with a batch scope over `input` (see BatchScope). Not re-entrant: a nested call runs unscoped. */
export function runBatchScope<T>(input: object, fn: () => T): T {
  if (scope !== null) return fn();
  scope = { input, fieldState: new Int8Array(5), clean: new Map(), derived: new Map(), used: 0 };
  try {
    return fn();
  } finally {
    scope = null;
    let bytes = 0;
    for (let k = 0; k < scopePool.length; k++) {
      bytes += scopePool[k].byteLength;
      if (bytes > SCOPE_POOL_KEEP_BYTES) {
        scopePool.length = k;
        break;
      }
    }
  }
}

/** True while a batch scope is open (runBatchScope). */
export function batchScopeActive(): boolean {
  return scope !== null;
}

/**
 * A derived column of `src` computed once per batch scope: `make(src, out)` fills `out` (length src.length). Inside a
 * scope the result is a pooled buffer shared by every caller with the same kind and source: READ ONLY, never returned
 * as an output, not valid after the scope. Outside a scope, make runs into a fresh array.
 */
export function sharedColumn(kind: string, src: Float64Array, make: (src: Float64Array, out: Float64Array) => Float64Array): Float64Array {
  return sharedColumns(kind, src, 1, (x, outs) => {
    outs[0] = make(x, outs[0]);
  })[0];
}

/** sharedColumn for `count` columns made together (`make` fills outs[0..count)). Same rules: read only, scope-bound. */
export function sharedColumns(kind: string, src: Float64Array, count: number, make: (src: Float64Array, outs: Float64Array[]) => void): Float64Array[] {
  const sc = scope;
  const len = src.length;
  if (sc === null) {
    const outs: Float64Array[] = [];
    for (let k = 0; k < count; k++) outs.push(new Float64Array(len));
    make(src, outs);
    return outs;
  }
  let byKind = sc.derived.get(kind);
  if (byKind === undefined) sc.derived.set(kind, (byKind = new Map()));
  let cols = byKind.get(src);
  if (cols === undefined) {
    cols = [];
    for (let c = 0; c < count; c++) {
      const k = sc.used++;
      let buf = scopePool[k];
      if (buf === undefined || buf.length < len) buf = scopePool[k] = new Float64Array(Math.max(len, 1024));
      cols.push(buf.length === len ? buf : buf.subarray(0, len));
    }
    make(src, cols);
    byKind.set(src, cols);
  }
  return cols;
}

/**
 * rollingMax (isMax) / rollingMin of src over n, computed once per batch scope: READ ONLY (see sharedColumn). Several
 * specs read the same extremes (stoch, willr, midprice and donchian all take the 14- or 20-bar high and low), and one
 * column is read over many windows (the high over 5, 7, 9, 14, 20, 26, 28, 52, 55 and 60 bars): inside a scope,
 * windows under SPARSE_MAX_WINDOW come from a sparse table of the column (level k = extremes over 2^k bars, built once
 * per column and scope; a window is two overlapping level-k blocks), which is exact (max/min round nothing) and gives
 * what slidingExtreme gives (NaN while a missing value is in the window). Not used for a column holding -0, where
 * Math.max/min would not keep slidingExtreme's "newest of equal values" rule.
 */
export function sharedExtreme(src: Float64Array, n: number, isMax: boolean): Float64Array {
  checkPeriod(n);
  return sharedColumn(isMax ? `max:${n}` : `min:${n}`, src, (x, out) => {
    const level0 = scope !== null && n < SPARSE_MAX_WINDOW ? sparseBase(x) : undefined;
    if (level0 === undefined) {
      slidingExtreme(x, n, x.length, isMax, out, undefined);
      return out;
    }
    const k = 31 - Math.clz32(n);
    return sparseQuery(sparseLevel(x, level0, k, isMax), n, k, isMax, out);
  });
}

// The loops live in top-level functions, not in the per-call closures above: V8 keeps one optimized version of a
// top-level function, while a closure created anew on each call would be re-optimized (run slowly until then) each time.

/** out[i] = extreme of the window of n ending at i, from level k (2^k ≤ n < 2^(k+1)) of a sparse table. */
function sparseQuery(t: Float64Array, n: number, k: number, isMax: boolean, out: Float64Array): Float64Array {
  const off = n - (1 << k);
  const len = out.length;
  const head = n - 1 < len ? n - 1 : len;
  for (let i = 0; i < head; i++) out[i] = NaN;
  if (isMax) for (let i = n - 1; i < len; i++) out[i] = Math.max(t[i - n + 1], t[i - n + 1 + off]);
  else for (let i = n - 1; i < len; i++) out[i] = Math.min(t[i - n + 1], t[i - n + 1 + off]);
  return out;
}

/** t[j] = extreme of prev[j], prev[j + h] (NaN where j + h is past the end): one sparse-table level from the last. */
function sparseStep(prev: Float64Array, h: number, isMax: boolean, t: Float64Array): Float64Array {
  const len = t.length;
  const lim = len - h > 0 ? len - h : 0;
  if (isMax) for (let j = 0; j < lim; j++) t[j] = Math.max(prev[j], prev[j + h]);
  else for (let j = 0; j < lim; j++) t[j] = Math.min(prev[j], prev[j + h]);
  for (let j = lim; j < len; j++) t[j] = NaN;
  return t;
}

/** sqrt of every element, in place. */
function sqrtAll(a: Float64Array): Float64Array {
  for (let i = 0; i < a.length; i++) a[i] = Math.sqrt(a[i]);
  return a;
}

/** Windows at least this long use slidingExtreme (a sparse table up to 2^7 levels costs more than it saves). */
const SPARSE_MAX_WINDOW = 128;

/**
 * Level 0 of a column's sparse tables (once per scope): the column itself, or a copy with ±Infinity as NaN (missing,
 * so that Math.max/min make the windows holding it NaN); undefined when the column holds a -0 (see sharedExtreme).
 */
function sparseBase(src: Float64Array): Float64Array | undefined {
  const sc = scope!;
  let byKind = sc.derived.get('sparse0');
  if (byKind === undefined) sc.derived.set('sparse0', (byKind = new Map()));
  let hit = byKind.get(src);
  if (hit === undefined) {
    let inf = false;
    let negZero = false;
    for (let i = 0; i < src.length; i++) {
      const x = src[i];
      if (x === 0) {
        if (1 / x < 0) negZero = true;
      } else if (x - x !== 0 && x === x) inf = true;
    }
    if (negZero) hit = [];
    else if (!inf) hit = [src];
    else {
      const k = sc.used++;
      let buf = scopePool[k];
      if (buf === undefined || buf.length < src.length) buf = scopePool[k] = new Float64Array(Math.max(src.length, 1024));
      const c = buf.length === src.length ? buf : buf.subarray(0, src.length);
      for (let i = 0; i < src.length; i++) {
        const x = src[i];
        c[i] = x - x !== 0 ? NaN : x;
      }
      hit = [c];
    }
    byKind.set(src, hit);
  }
  return hit[0];
}

/** Level k of the sparse table over `src` (t[j] = extreme of level0[j .. j + 2^k), NaN past the end), once per scope. */
function sparseLevel(src: Float64Array, level0: Float64Array, k: number, isMax: boolean): Float64Array {
  if (k === 0) return level0;
  return sharedColumn(`${isMax ? 'sparseMax' : 'sparseMin'}:${k}`, src, (_x, t) => sparseStep(sparseLevel(src, level0, k - 1, isMax), 1 << (k - 1), isMax, t));
}

/** sharedExtreme plus `since` (bars since the extreme, ties to the newest; see slidingExtreme): [values, since]. */
export function sharedExtremeSince(src: Float64Array, n: number, isMax: boolean): Float64Array[] {
  checkPeriod(n);
  return sharedColumns(isMax ? `maxs:${n}` : `mins:${n}`, src, 2, (x, outs) => slidingExtreme(x, n, x.length, isMax, outs[0], outs[1]));
}

/**
 * rollingMean(src, n) for a batch form: in a batch scope computed once per (src, n) and shared, READ ONLY (sma, bb,
 * zscore and trend_regime read the same 20/50/200-bar means of close); outside one, into tmpCol(slot). Only for input
 * columns (the share is keyed by the array).
 */
export function meanOf(src: Float64Array, n: number, slot: number): Float64Array {
  checkPeriod(n);
  return scope !== null ? sharedColumn(`mean:${n}`, src, (x, out) => rollingMean(x, n, out)) : rollingMean(src, n, tmpCol(slot, src.length));
}

/** rollingSum(src, n) for a batch form, as meanOf (vwma and vwap read the same volume sums). READ ONLY. */
export function sumOf(src: Float64Array, n: number, slot: number): Float64Array {
  checkPeriod(n);
  return scope !== null ? sharedColumn(`sum:${n}`, src, (x, out) => rollingSum(x, n, out)) : rollingSum(src, n, tmpCol(slot, src.length));
}

/** meanOf as a fresh column the caller owns (an output). */
export function meanOwned(src: Float64Array, n: number): Float64Array {
  return scope !== null ? new Float64Array(meanOf(src, n, 0)) : rollingMean(src, n);
}

/** ema(src, n) for a batch form, as meanOf (ema, dema, tema and keltner read the same EMA of close). READ ONLY. */
export function emaOf(src: Float64Array, n: number, slot: number): Float64Array {
  return scope !== null ? sharedColumn(`ema:${n}`, src, (x, out) => ema(x, n, out)) : ema(src, n, tmpCol(slot, src.length));
}

/** emaOf as a fresh column the caller owns (an output). */
export function emaOwned(src: Float64Array, n: number): Float64Array {
  return scope !== null ? new Float64Array(emaOf(src, n, 0)) : ema(src, n);
}

/**
 * trueRange(high, low, close) (a column) for a batch form, as meanOf: shared READ ONLY in a batch scope (keyed by `high`: in a
 * scope the three columns of one high column always come from one input), else into tmpCol(slot).
 */
export function trueRangeColOf(high: Float64Array, low: Float64Array, close: Float64Array, slot: number): Float64Array {
  if (scope === null || low.length !== high.length || close.length !== high.length) return trueRange(high, low, close, tmpCol(slot, high.length));
  return sharedColumn('trueRange', high, (h, out) => trueRange(h, low, close, out));
}

/**
 * TA-Lib's ATR (wilder of trueRange) for a batch form, as trueRangeColOf: shared READ ONLY in a batch scope (atr, natr,
 * keltner and supertrend read it), else in tmpCol(slot + 1) (the true range in tmpCol(slot)).
 */
export function atrOf(high: Float64Array, low: Float64Array, close: Float64Array, n: number, slot: number): Float64Array {
  if (scope === null || low.length !== high.length || close.length !== high.length) {
    return wilder(trueRange(high, low, close, tmpCol(slot, high.length)), n, tmpCol(slot + 1, high.length));
  }
  return sharedColumn(`atr:${n}`, high, (h, out) => wilder(trueRangeColOf(h, low, close, slot), n, out));
}

/** 1-bar log returns ln(c_t / c_{t-1}) of a column into `out`: NaN at 0 and wherever the result is not finite. */
export function logReturnsInto(c: Float64Array, out: Float64Array): Float64Array {
  const len = c.length;
  if (len > 0) out[0] = NaN;
  let pc = len > 0 ? c[0] : NaN;
  for (let i = 1; i < len; i++) {
    const x = c[i];
    const r = Math.log(x / pc);
    pc = x;
    out[i] = r - r !== 0 ? NaN : r;
  }
  return out;
}

/** logReturnsInto computed once per batch scope: READ ONLY (see sharedColumn). */
export function sharedLogReturns(c: Float64Array): Float64Array {
  return sharedColumn('logReturns', c, logReturnsInto);
}

/**
 * The sample std (ddof 1) of the last n 1-bar log returns of `close` (rollingVar then sqrt), once per batch scope:
 * READ ONLY (see sharedColumn). ret_std, vol_cc and vol_regime all read it (ret_std_20 = vol_cc_20 = vol_regime's vol).
 */
export function sharedRetStd(close: Float64Array, n: number): Float64Array {
  return sharedColumn(`retStd:${n}`, close, (c, out) => sqrtAll(rollingVar(sharedLogReturns(c), n, 1, out)));
}

/** One bar of an incremental indicator: write the outputs for these inputs into the stream's output array. */
export type StreamStep = (open: number, high: number, low: number, close: number, volume: number) => void;

/**
 * Wrap an incremental step with the bar-level missing rule of cleanInputs: when any read field is missing, the step
 * sees NaN in every field. Returns `out` (reused between calls).
 */
export function guardStream(fields: readonly InputField[], out: Float64Array, step: StreamStep): IndicatorStream {
  const m = fieldMask(fields);
  return {
    update(o: number, h: number, l: number, c: number, v: number): Float64Array {
      if (
        (m & 1 && o - o !== 0) ||
        (m & 2 && h - h !== 0) ||
        (m & 4 && l - l !== 0) ||
        (m & 8 && c - c !== 0) ||
        (m & 16 && v - v !== 0)
      ) {
        o = h = l = c = v = NaN;
      }
      step(o, h, l, c, v);
      return out;
    },
  };
}

/** What an indicator file writes; makeSpec turns it into an IndicatorSpec (parameter checks, missing-bar rule). */
export interface SpecDef {
  name: string;
  description: string;
  group: IndicatorSpec['group'];
  inputs: InputField[];
  params: ParamSpec[];
  outputs: string[];
  note?: string;
  /** Lookback for resolved (checked, defaulted) parameters. */
  lookback(q: number[]): number;
  /** Batch form over inputs already passed through cleanInputs; returns one column per output. */
  batch(input: Ohlcv, q: number[]): Float64Array[];
  /** Incremental form: returns a step writing this bar's outputs into `out` (NaN in every field = missing bar). */
  step(q: number[], out: Float64Array): StreamStep;
}

/** Build an IndicatorSpec from a SpecDef. */
export function makeSpec(d: SpecDef): IndicatorSpec {
  const spec: IndicatorSpec = {
    name: d.name,
    description: d.description,
    group: d.group,
    inputs: d.inputs,
    params: d.params,
    outputs: d.outputs,
    lookback: (p) => d.lookback(resolveParams(d.name, d.params, p)),
    batch: (input, p) => d.batch(cleanInputs(input, d.inputs), resolveParams(d.name, d.params, p)),
    stream: (p) => {
      const q = resolveParams(d.name, d.params, p);
      const out = nanArray(d.outputs.length);
      return guardStream(d.inputs, out, d.step(q, out));
    },
  };
  if (d.note !== undefined) spec.note = d.note;
  return spec;
}

/**
 * TA-Lib's single output start for multi-output indicators: at each bar where any of the columns listed in `keys` is
 * NaN, set every column to NaN.
 */
export function maskRows(cols: Float64Array[], keys: readonly number[]): Float64Array[] {
  const len = cols[0].length;
  for (let i = 0; i < len; i++) {
    let miss = false;
    for (const k of keys) {
      const v = cols[k][i];
      if (v !== v) {
        miss = true;
        break;
      }
    }
    if (miss) for (const col of cols) col[i] = NaN;
  }
  return cols;
}

function checkPeriod(n: number, min = 1): void {
  if (!Number.isInteger(n) || n < min) throw new RangeError(`period must be an integer >= ${min}, got ${n}`);
}

// ---------------------------------------------------------------------------------------------------------------
// Rolling sum / mean
// ---------------------------------------------------------------------------------------------------------------

// ---------------------------------------------------------------------------------------------------------------
// Scratch columns for batch forms
// ---------------------------------------------------------------------------------------------------------------

const tmpPool: Float64Array[] = [];

/**
 * A reusable temporary column (slot 0..7) of exactly `len` values (a view of a pooled buffer), contents unspecified.
 * Batch forms in trend.ts/volatility.ts use these for intermediate columns so that a call touches no fresh memory
 * but its outputs. Never return one, and never hold one across a call that uses the same slot (batch forms are
 * synchronous). Separate from kernels-b.ts's `scratch` pool.
 */
export function tmpCol(slot: number, len: number): Float64Array {
  let a = tmpPool[slot];
  if (a === undefined || a.length < len) a = tmpPool[slot] = new Float64Array(Math.max(len, 1024));
  return a.length === len ? a : a.subarray(0, len);
}

/** Sum of the last n values; NaN until n valid values have followed the start or the last missing value. */
export function rollingSum(src: Float64Array, n: number, out: Float64Array = new Float64Array(src.length)): Float64Array {
  return rollingSumDiv(src, n, out, 1);
}

/** rollingSum with each output divided by `div` (div 1: the sum itself; div n: the mean) in the same pass. */
function rollingSumDiv(src: Float64Array, n: number, out: Float64Array, div: number): Float64Array {
  checkPeriod(n);
  const len = src.length;
  let sum = 0;
  let cnt = 0; // valid values in the window (capped at n)
  let phase = 0; // ring-buffer write position of the incremental form
  let zeroRun = 0;
  for (let i = 0; i < len; i++) {
    const x = src[i];
    if (x - x !== 0) {
      sum = 0;
      cnt = 0;
      phase = 0;
      zeroRun = 0;
      out[i] = NaN;
      continue;
    }
    zeroRun = x === 0 ? zeroRun + 1 : 0;
    if (cnt < n) {
      sum += x;
      cnt++;
      if (++phase === n) phase = 0;
    } else {
      sum += x - src[i - n];
      if (++phase === n) {
        phase = 0;
        let s = 0;
        for (let j = i - n + 1; j <= i; j++) s += src[j];
        sum = s;
      }
    }
    if (zeroRun >= n) sum = 0;
    if (cnt === n) out[i] = div === 1 ? sum : sum / div;
    else out[i] = NaN;
  }
  return out;
}

/** Incremental rollingSum. */
export class RollingSum {
  readonly n: number;
  private readonly buf: Float64Array;
  private pos = 0;
  private cnt = 0;
  private sum = 0;
  private zeroRun = 0;

  constructor(n: number) {
    checkPeriod(n);
    this.n = n;
    this.buf = new Float64Array(n);
  }

  reset(): void {
    this.pos = 0;
    this.cnt = 0;
    this.sum = 0;
    this.zeroRun = 0;
  }

  update(x: number): number {
    if (x - x !== 0) {
      this.reset();
      return NaN;
    }
    const n = this.n;
    const buf = this.buf;
    this.zeroRun = x === 0 ? this.zeroRun + 1 : 0;
    if (this.cnt < n) {
      this.sum += x;
      this.cnt++;
      buf[this.pos] = x;
      if (++this.pos === n) this.pos = 0;
    } else {
      this.sum += x - buf[this.pos];
      buf[this.pos] = x;
      if (++this.pos === n) {
        this.pos = 0;
        let s = 0;
        for (let j = 0; j < n; j++) s += buf[j];
        this.sum = s;
      }
    }
    if (this.zeroRun >= n) this.sum = 0;
    return this.cnt === n ? this.sum : NaN;
  }
}

/** Simple moving average (sum / n), TA-Lib's SMA. */
export function rollingMean(src: Float64Array, n: number, out: Float64Array = new Float64Array(src.length)): Float64Array {
  return rollingSumDiv(src, n, out, n);
}

/** Incremental rollingMean. */
export class RollingMean {
  private readonly s: RollingSum;
  constructor(readonly n: number) {
    this.s = new RollingSum(n);
  }
  update(x: number): number {
    return this.s.update(x) / this.n;
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Rolling variance / standard deviation
// ---------------------------------------------------------------------------------------------------------------

/**
 * Rolling variance with `ddof` (0: population, TA-Lib's STDDEV/BBANDS; 1: sample). Accumulates s1 = Σ(x-c) and
 * s2 = Σ(x-c)² with the shift c = the first value after a reset, then the newest value at each exact recompute;
 * variance = (s2 - s1²/n)/(n - ddof), clamped at 0; exactly 0 when the window's values are all equal.
 */
export function rollingVar(src: Float64Array, n: number, ddof = 0, out: Float64Array = new Float64Array(src.length)): Float64Array {
  checkPeriod(n);
  const len = src.length;
  let c = 0;
  let s1 = 0;
  let s2 = 0;
  let cnt = 0;
  let phase = 0;
  let same = 0;
  let last = NaN;
  const div = n - ddof;
  for (let i = 0; i < len; i++) {
    const x = src[i];
    if (x - x !== 0) {
      s1 = s2 = 0;
      cnt = 0;
      phase = 0;
      same = 0;
      last = NaN;
      out[i] = NaN;
      continue;
    }
    same = x === last ? same + 1 : 1;
    last = x;
    if (cnt < n) {
      if (cnt === 0) c = x;
      const d = x - c;
      s1 += d;
      s2 += d * d;
      cnt++;
      if (++phase === n) phase = 0;
    } else {
      const d = x - c;
      const e = src[i - n] - c;
      s1 += d - e;
      s2 += d * d - e * e;
      if (++phase === n) {
        phase = 0;
        c = x;
        let a = 0;
        let b = 0;
        for (let j = i - n + 1; j <= i; j++) {
          const dj = src[j] - c;
          a += dj;
          b += dj * dj;
        }
        s1 = a;
        s2 = b;
      }
    }
    if (cnt < n) {
      out[i] = NaN;
    } else if (same >= n) {
      out[i] = 0;
    } else {
      let m2 = s2 - (s1 * s1) / n;
      if (m2 < 0) m2 = 0;
      out[i] = m2 / div;
    }
  }
  return out;
}

/** Rolling standard deviation: sqrt(rollingVar). */
export function rollingStd(src: Float64Array, n: number, ddof = 0, out?: Float64Array): Float64Array {
  const o = rollingVar(src, n, ddof, out);
  for (let i = 0; i < o.length; i++) o[i] = Math.sqrt(o[i]);
  return o;
}

/** Incremental rollingVar; `update` returns the variance. */
export class RollingVar {
  readonly n: number;
  readonly ddof: number;
  private readonly buf: Float64Array;
  private pos = 0;
  private cnt = 0;
  private c = 0;
  private s1 = 0;
  private s2 = 0;
  private same = 0;
  private last = NaN;

  constructor(n: number, ddof = 0) {
    checkPeriod(n);
    this.n = n;
    this.ddof = ddof;
    this.buf = new Float64Array(n);
  }

  reset(): void {
    this.pos = 0;
    this.cnt = 0;
    this.s1 = this.s2 = 0;
    this.same = 0;
    this.last = NaN;
  }

  update(x: number): number {
    if (x - x !== 0) {
      this.reset();
      return NaN;
    }
    const n = this.n;
    const buf = this.buf;
    this.same = x === this.last ? this.same + 1 : 1;
    this.last = x;
    if (this.cnt < n) {
      if (this.cnt === 0) this.c = x;
      const d = x - this.c;
      this.s1 += d;
      this.s2 += d * d;
      this.cnt++;
      buf[this.pos] = x;
      if (++this.pos === n) this.pos = 0;
    } else {
      const c = this.c;
      const d = x - c;
      const e = buf[this.pos] - c;
      this.s1 += d - e;
      this.s2 += d * d - e * e;
      buf[this.pos] = x;
      if (++this.pos === n) {
        this.pos = 0;
        this.c = x;
        let a = 0;
        let b = 0;
        for (let j = 0; j < n; j++) {
          const dj = buf[j] - x;
          a += dj;
          b += dj * dj;
        }
        this.s1 = a;
        this.s2 = b;
      }
    }
    if (this.cnt < n) return NaN;
    if (this.same >= n) return 0;
    let m2 = this.s2 - (this.s1 * this.s1) / n;
    if (m2 < 0) m2 = 0;
    return m2 / (n - this.ddof);
  }
}

/** Incremental rollingStd. */
export class RollingStd {
  private readonly v: RollingVar;
  constructor(n: number, ddof = 0) {
    this.v = new RollingVar(n, ddof);
  }
  update(x: number): number {
    return Math.sqrt(this.v.update(x));
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Rolling max / min (monotonic deque)
// ---------------------------------------------------------------------------------------------------------------

function rollingExtreme(src: Float64Array, n: number, out: Float64Array, isMax: boolean): Float64Array {
  checkPeriod(n);
  slidingExtreme(src, n, src.length, isMax, out, undefined);
  return out;
}

let extSuf: Float64Array = new Float64Array(0);
let extSufI: Int32Array = new Int32Array(0);

/**
 * Sliding-window highest (isMax) or lowest of src[0..len) over windows of n, for the batch forms: out[i] = the extreme
 * of src[i-n+1..i], NaN while i < n-1 or a missing value (NaN, ±Infinity) is in that window; where out[i] is a
 * number and `since` is given, since[i] = i - (index of the extreme), ties going to the most recent bar. Exactly the
 * value (and index) a monotonic deque with "pop while back <= x" (max) / ">= x" (min) gives, incremental forms'
 * rule: among equal extremes the newest wins (which matters only for ±0 and for `since`).
 *
 * van Herk / Gil-Werman: the series is cut into blocks of n; a backward pass stores each position's extreme up to
 * its block's end (suffix), a forward pass keeps the extreme from its block's start (prefix); the window ending at i
 * is suffix[i-n+1] ∪ prefix[i] (both inside the window). Two predictable passes instead of the deque's
 * data-dependent pops.
 */
export function slidingExtreme(src: Float64Array, n: number, len: number, isMax: boolean, out: Float64Array, since: Float64Array | undefined): void {
  if (extSuf.length < len) {
    extSuf = new Float64Array(Math.max(len, 1024));
    extSufI = new Int32Array(Math.max(len, 1024));
  }
  const suf = extSuf;
  const sufI = extSufI;
  const wantIdx = since !== undefined;
  // backward pass: suffix extremes within each block; missing values compare false and are skipped (a window that
  // contains one is never read)
  for (let b = 0; b < len; b += n) {
    const e = b + n < len ? b + n : len;
    let v = isMax ? -Infinity : Infinity;
    let vi = e - 1;
    if (isMax) {
      for (let i = e - 1; i >= b; i--) {
        const x = src[i];
        if (x > v) {
          v = x;
          vi = i;
        }
        suf[i] = v;
        if (wantIdx) sufI[i] = vi;
      }
    } else {
      for (let i = e - 1; i >= b; i--) {
        const x = src[i];
        if (x < v) {
          v = x;
          vi = i;
        }
        suf[i] = v;
        if (wantIdx) sufI[i] = vi;
      }
    }
  }
  // forward pass: prefix extremes (ties to the newer value), combined with the suffix at the window's start
  let lastBad = -1 - n;
  let p = 0;
  let pi = 0;
  let k = 0; // position in the current block
  if (isMax) {
    for (let i = 0; i < len; i++) {
      const x = src[i];
      if (k === 0) {
        p = -Infinity;
        pi = i;
      }
      if (++k === n) k = 0;
      if (x - x !== 0) {
        lastBad = i;
        out[i] = NaN;
        continue;
      }
      if (x >= p) {
        p = x;
        pi = i;
      }
      if (i - lastBad < n || i < n - 1) {
        out[i] = NaN;
        continue;
      }
      const j = i - n + 1;
      const sv = suf[j];
      if (p >= sv) {
        out[i] = p;
        if (wantIdx) since![i] = i - pi;
      } else {
        out[i] = sv;
        if (wantIdx) since![i] = i - sufI[j];
      }
    }
  } else {
    for (let i = 0; i < len; i++) {
      const x = src[i];
      if (k === 0) {
        p = Infinity;
        pi = i;
      }
      if (++k === n) k = 0;
      if (x - x !== 0) {
        lastBad = i;
        out[i] = NaN;
        continue;
      }
      if (x <= p) {
        p = x;
        pi = i;
      }
      if (i - lastBad < n || i < n - 1) {
        out[i] = NaN;
        continue;
      }
      const j = i - n + 1;
      const sv = suf[j];
      if (p <= sv) {
        out[i] = p;
        if (wantIdx) since![i] = i - pi;
      } else {
        out[i] = sv;
        if (wantIdx) since![i] = i - sufI[j];
      }
    }
  }
}

/** Highest of the last n values (TA-Lib's MAX); NaN while a missing value is in the window. */
export function rollingMax(src: Float64Array, n: number, out: Float64Array = new Float64Array(src.length)): Float64Array {
  return rollingExtreme(src, n, out, true);
}

/** Lowest of the last n values (TA-Lib's MIN); NaN while a missing value is in the window. */
export function rollingMin(src: Float64Array, n: number, out: Float64Array = new Float64Array(src.length)): Float64Array {
  return rollingExtreme(src, n, out, false);
}

class RollingExtreme {
  readonly n: number;
  private readonly vals: Float64Array;
  private readonly seqs: Float64Array;
  private head = 0;
  private size = 0;
  private seq = 0;
  private cnt = 0;

  constructor(n: number, private readonly isMax: boolean) {
    checkPeriod(n);
    this.n = n;
    this.vals = new Float64Array(n);
    this.seqs = new Float64Array(n);
  }

  reset(): void {
    this.size = 0;
    this.cnt = 0;
  }

  update(x: number): number {
    if (x - x !== 0) {
      this.reset();
      return NaN;
    }
    const n = this.n;
    const vals = this.vals;
    const seqs = this.seqs;
    const t = ++this.seq;
    if (this.cnt < n) this.cnt++;
    // expire the front (window for this value: seq t-n+1..t); afterwards at most n-1 entries remain
    if (this.size > 0 && seqs[this.head] <= t - n) {
      if (++this.head === n) this.head = 0;
      this.size--;
    }
    // pop dominated values from the back
    while (this.size > 0) {
      let b = this.head + this.size - 1;
      if (b >= n) b -= n;
      if (this.isMax ? vals[b] <= x : vals[b] >= x) this.size--;
      else break;
    }
    let k = this.head + this.size;
    if (k >= n) k -= n;
    vals[k] = x;
    seqs[k] = t;
    this.size++;
    return this.cnt === n ? vals[this.head] : NaN;
  }
}

/** Incremental rollingMax. */
export class RollingMax extends RollingExtreme {
  constructor(n: number) {
    super(n, true);
  }
}

/** Incremental rollingMin. */
export class RollingMin extends RollingExtreme {
  constructor(n: number) {
    super(n, false);
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Weighted moving average (TA-Lib's WMA: weights 1..n, newest n, divided by n(n+1)/2)
// ---------------------------------------------------------------------------------------------------------------

/** TA-Lib's WMA; NaN while a missing value is in the window. */
export function rollingWma(src: Float64Array, n: number, out: Float64Array = new Float64Array(src.length)): Float64Array {
  checkPeriod(n);
  const len = src.length;
  const divider = (n * (n + 1)) / 2;
  let s = 0; // Σ x over the window
  let w = 0; // Σ weight·x
  let cnt = 0;
  let phase = 0;
  for (let i = 0; i < len; i++) {
    const x = src[i];
    if (x - x !== 0) {
      s = w = 0;
      cnt = 0;
      phase = 0;
      out[i] = NaN;
      continue;
    }
    if (cnt < n) {
      cnt++;
      s += x;
      w += cnt * x;
      if (++phase === n) phase = 0;
    } else {
      w += n * x - s;
      s += x - src[i - n];
      if (++phase === n) {
        phase = 0;
        let a = 0;
        let b = 0;
        for (let k = 0; k < n; k++) {
          const v = src[i - n + 1 + k];
          a += v;
          b += (k + 1) * v;
        }
        s = a;
        w = b;
      }
    }
    out[i] = cnt === n ? w / divider : NaN;
  }
  return out;
}

/** Incremental rollingWma. */
export class RollingWma {
  readonly n: number;
  private readonly buf: Float64Array;
  private readonly divider: number;
  private pos = 0;
  private cnt = 0;
  private s = 0;
  private w = 0;

  constructor(n: number) {
    checkPeriod(n);
    this.n = n;
    this.buf = new Float64Array(n);
    this.divider = (n * (n + 1)) / 2;
  }

  reset(): void {
    this.pos = 0;
    this.cnt = 0;
    this.s = this.w = 0;
  }

  update(x: number): number {
    if (x - x !== 0) {
      this.reset();
      return NaN;
    }
    const n = this.n;
    const buf = this.buf;
    if (this.cnt < n) {
      this.cnt++;
      this.s += x;
      this.w += this.cnt * x;
      buf[this.pos] = x;
      if (++this.pos === n) this.pos = 0;
    } else {
      this.w += n * x - this.s;
      this.s += x - buf[this.pos];
      buf[this.pos] = x;
      if (++this.pos === n) {
        this.pos = 0;
        let a = 0;
        let b = 0;
        for (let k = 0; k < n; k++) {
          const v = buf[k];
          a += v;
          b += (k + 1) * v;
        }
        this.s = a;
        this.w = b;
      }
    }
    return this.cnt === n ? this.w / this.divider : NaN;
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Rolling least-squares line over the last n values (x = 0 for the oldest, n-1 for the newest)
// ---------------------------------------------------------------------------------------------------------------

/** Rolling linear regression of the values on their bar position; see rollingLinreg. */
export interface LinregColumns {
  /** Slope per bar (TA-Lib's LINEARREG_SLOPE). */
  slope: Float64Array;
  /** Fitted value at the window's oldest bar (TA-Lib's LINEARREG_INTERCEPT). */
  intercept: Float64Array;
  /** Coefficient of determination R² of the fit, in [0, 1]; NaN for a flat window (undefined). */
  r2: Float64Array;
}

const linregScratch = { slope: NaN, intercept: NaN, r2: NaN };

/** From shifted sums (values y - c): s1 = Σ y', s2 = Σ y'², w = Σ (t+1)·y' for t = 0..n-1. Writes linregScratch. */
function linregFromSums(n: number, c: number, s1: number, s2: number, w: number, flat: boolean, last: number): void {
  if (flat) {
    linregScratch.slope = 0;
    linregScratch.intercept = last;
    linregScratch.r2 = NaN;
    return;
  }
  const sx = (n * (n - 1)) / 2;
  const denX = (n * n * (n * n - 1)) / 12; // n·Σt² - (Σt)²
  const sty = w - s1; // Σ t·y'
  const num = n * sty - sx * s1;
  const slope = num / denX;
  linregScratch.slope = slope;
  linregScratch.intercept = c + (s1 - slope * sx) / n;
  const denY = n * s2 - s1 * s1;
  if (denY > 0) {
    const r2 = (num * num) / (denX * denY);
    linregScratch.r2 = r2 > 1 ? 1 : r2;
  } else {
    linregScratch.r2 = NaN;
  }
}

/**
 * Rolling least-squares line of the last n values against their position (0 = oldest). Same numbers as TA-Lib's
 * LINEARREG_SLOPE / LINEARREG_INTERCEPT (computed in O(1) per bar from running sums rather than TA-Lib's O(n) loop).
 */
export function rollingLinreg(
  src: Float64Array,
  n: number,
  slope: Float64Array = new Float64Array(src.length),
  intercept: Float64Array = new Float64Array(src.length),
  r2: Float64Array = new Float64Array(src.length),
): LinregColumns {
  checkPeriod(n, 2);
  const len = src.length;
  const sx = (n * (n - 1)) / 2;
  const denX = (n * n * (n * n - 1)) / 12;
  let c = 0;
  let s1 = 0;
  let s2 = 0;
  let w = 0;
  let cnt = 0;
  let phase = 0;
  let same = 0;
  let last = NaN;
  for (let i = 0; i < len; i++) {
    const x = src[i];
    if (x - x !== 0) {
      s1 = s2 = w = 0;
      cnt = 0;
      phase = 0;
      same = 0;
      last = NaN;
      slope[i] = intercept[i] = r2[i] = NaN;
      continue;
    }
    same = x === last ? same + 1 : 1;
    last = x;
    if (cnt < n) {
      if (cnt === 0) c = x;
      cnt++;
      const d = x - c;
      s1 += d;
      s2 += d * d;
      w += cnt * d;
      if (++phase === n) phase = 0;
    } else {
      const d = x - c;
      const e = src[i - n] - c;
      w += n * d - s1;
      s1 += d - e;
      s2 += d * d - e * e;
      if (++phase === n) {
        phase = 0;
        c = x;
        let a = 0;
        let b = 0;
        let ww = 0;
        for (let k = 0; k < n; k++) {
          const dk = src[i - n + 1 + k] - c;
          a += dk;
          b += dk * dk;
          ww += (k + 1) * dk;
        }
        s1 = a;
        s2 = b;
        w = ww;
      }
    }
    if (cnt < n) {
      slope[i] = intercept[i] = r2[i] = NaN;
    } else if (same >= n) {
      // linregFromSums, inlined (same arithmetic)
      slope[i] = 0;
      intercept[i] = x;
      r2[i] = NaN;
    } else {
      const sty = w - s1;
      const num = n * sty - sx * s1;
      const sl = num / denX;
      slope[i] = sl;
      intercept[i] = c + (s1 - sl * sx) / n;
      const denY = n * s2 - s1 * s1;
      if (denY > 0) {
        const q = (num * num) / (denX * denY);
        r2[i] = q > 1 ? 1 : q;
      } else {
        r2[i] = NaN;
      }
    }
  }
  return { slope, intercept, r2 };
}

/** Incremental rollingLinreg: after `update`, read `slope`, `intercept`, `r2` (NaN during warm-up). */
export class RollingLinreg {
  readonly n: number;
  private readonly buf: Float64Array;
  private pos = 0;
  private cnt = 0;
  private c = 0;
  private s1 = 0;
  private s2 = 0;
  private w = 0;
  private same = 0;
  private last = NaN;
  slope = NaN;
  intercept = NaN;
  r2 = NaN;

  constructor(n: number) {
    checkPeriod(n, 2);
    this.n = n;
    this.buf = new Float64Array(n);
  }

  reset(): void {
    this.pos = 0;
    this.cnt = 0;
    this.s1 = this.s2 = this.w = 0;
    this.same = 0;
    this.last = NaN;
    this.slope = this.intercept = this.r2 = NaN;
  }

  /** Returns true when the outputs are valid for this value. */
  update(x: number): boolean {
    if (x - x !== 0) {
      this.reset();
      return false;
    }
    const n = this.n;
    const buf = this.buf;
    this.same = x === this.last ? this.same + 1 : 1;
    this.last = x;
    if (this.cnt < n) {
      if (this.cnt === 0) this.c = x;
      this.cnt++;
      const d = x - this.c;
      this.s1 += d;
      this.s2 += d * d;
      this.w += this.cnt * d;
      buf[this.pos] = x;
      if (++this.pos === n) this.pos = 0;
    } else {
      const c = this.c;
      const d = x - c;
      const e = buf[this.pos] - c;
      this.w += n * d - this.s1;
      this.s1 += d - e;
      this.s2 += d * d - e * e;
      buf[this.pos] = x;
      if (++this.pos === n) {
        this.pos = 0;
        this.c = x;
        let a = 0;
        let b = 0;
        let ww = 0;
        for (let k = 0; k < n; k++) {
          const dk = buf[k] - x;
          a += dk;
          b += dk * dk;
          ww += (k + 1) * dk;
        }
        this.s1 = a;
        this.s2 = b;
        this.w = ww;
      }
    }
    if (this.cnt < n) {
      this.slope = this.intercept = this.r2 = NaN;
      return false;
    }
    linregFromSums(n, this.c, this.s1, this.s2, this.w, this.same >= n, x);
    this.slope = linregScratch.slope;
    this.intercept = linregScratch.intercept;
    this.r2 = linregScratch.r2;
    return true;
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Recursive averages (skip missing values)
// ---------------------------------------------------------------------------------------------------------------

function emaCore(src: Float64Array, n: number, k: number, wilder: boolean, out: Float64Array): Float64Array {
  checkPeriod(n);
  const len = src.length;
  let cnt = 0;
  let sum = 0;
  let prev = NaN;
  for (let i = 0; i < len; i++) {
    const x = src[i];
    if (x - x !== 0) {
      out[i] = NaN;
      continue;
    }
    if (cnt < n) {
      sum += x;
      if (++cnt < n) {
        out[i] = NaN;
        continue;
      }
      prev = sum / n;
    } else if (wilder) {
      prev = (prev * (n - 1) + x) / n;
    } else {
      prev = (x - prev) * k + prev;
    }
    out[i] = prev;
  }
  return out;
}

/**
 * TA-Lib's EMA: seeded with the simple mean of the first n valid values (output at that value), then
 * prev = (x - prev)·k + prev with k = 2/(n+1). Missing values are skipped (NaN out, state kept).
 */
export function ema(src: Float64Array, n: number, out: Float64Array = new Float64Array(src.length)): Float64Array {
  return emaCore(src, n, 2 / (n + 1), false, out);
}

/** As ema, with an explicit smoothing factor k. */
export function emaK(src: Float64Array, n: number, k: number, out: Float64Array = new Float64Array(src.length)): Float64Array {
  return emaCore(src, n, k, false, out);
}

/**
 * Wilder's smoothing as in TA-Lib's ATR: seeded with the simple mean of the first n valid values, then
 * prev = (prev·(n-1) + x)/n. Missing values are skipped.
 */
export function wilder(src: Float64Array, n: number, out: Float64Array = new Float64Array(src.length)): Float64Array {
  return emaCore(src, n, 1 / n, true, out);
}

/** Incremental ema / emaK. */
export class Ema {
  readonly n: number;
  readonly k: number;
  private cnt = 0;
  private sum = 0;
  value = NaN;

  constructor(n: number, k = 2 / (n + 1)) {
    checkPeriod(n);
    this.n = n;
    this.k = k;
  }

  update(x: number): number {
    if (x - x !== 0) return NaN;
    const n = this.n;
    if (this.cnt < n) {
      this.sum += x;
      if (++this.cnt < n) return NaN;
      this.value = this.sum / n;
      return this.value;
    }
    this.value = (x - this.value) * this.k + this.value;
    return this.value;
  }
}

/** Incremental wilder. */
export class Wilder {
  readonly n: number;
  private cnt = 0;
  private sum = 0;
  value = NaN;

  constructor(n: number) {
    checkPeriod(n);
    this.n = n;
  }

  update(x: number): number {
    if (x - x !== 0) return NaN;
    const n = this.n;
    if (this.cnt < n) {
      this.sum += x;
      if (++this.cnt < n) return NaN;
      this.value = this.sum / n;
      return this.value;
    }
    this.value = (this.value * (n - 1) + x) / n;
    return this.value;
  }
}

// ---------------------------------------------------------------------------------------------------------------
// True range
// ---------------------------------------------------------------------------------------------------------------

/** TA-Lib's true range of one bar: max(h - l, |pc - h|, |pc - l|), same comparison order. */
export function trueRangeOf(h: number, l: number, pc: number): number {
  let g = h - l;
  const a = Math.abs(pc - h);
  if (a > g) g = a;
  const b = Math.abs(pc - l);
  if (b > g) g = b;
  return g;
}

/** TA-Lib's TRANGE: NaN on the first bar and wherever high, low or the previous close is missing. */
export function trueRange(high: Float64Array, low: Float64Array, close: Float64Array, out: Float64Array = new Float64Array(high.length)): Float64Array {
  const len = high.length;
  if (len > 0) out[0] = NaN;
  for (let i = 1; i < len; i++) {
    const h = high[i];
    const l = low[i];
    const pc = close[i - 1];
    out[i] = h - h !== 0 || l - l !== 0 || pc - pc !== 0 ? NaN : trueRangeOf(h, l, pc);
  }
  return out;
}

/** Incremental trueRange. */
export class TrueRange {
  private pc = NaN;

  update(h: number, l: number, c: number): number {
    const pc = this.pc;
    this.pc = c;
    if (h - h !== 0 || l - l !== 0 || pc - pc !== 0) return NaN;
    return trueRangeOf(h, l, pc);
  }
}
