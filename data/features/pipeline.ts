/**
 * The feature pipeline: named features (see data/indicators/index.ts for the naming) computed over a bar series.
 *
 *  - computeFeatures: batch, whole columns. Names are grouped by (spec, parameters) so each spec's batch runs once
 *    and every output it produces is used (bb_upper_20_2, bb_lower_20_2 … come from one BB computation). The groups
 *    run inside one batch scope (indicators/kernels.ts runBatchScope): the input's missing values are scanned once,
 *    and columns several specs read (log returns, rolling means / EMAs / extremes of the inputs, ATR, RSI …) are
 *    computed once into pooled buffers; every returned column is still a fresh array the caller owns.
 *  - FeatureStream: the same names, one bar at a time (live trading), built from the specs' incremental forms;
 *    it agrees with computeFeatures to 1e-9 (the indicator contract) and never looks ahead.
 *  - computeUniverse: many symbols, spread over worker threads (piscina; see feature-worker.mjs).
 *
 * Benchmark: features with `needs: ['benchmark']` read the benchmark's close aligned to the bars by timestamp (exact
 * match of bar start; NaN where the benchmark has no bar). Without a benchmark they get an all-NaN benchmark, so their
 * columns are NaN (the stream does the same when update() is given no benchmark).
 *
 * Precision: columns are Float64 unless `float32` is asked for (then each column is rounded to Float32 at the end;
 * the arithmetic is always done in Float64).
 */
import os from 'node:os';
import { Piscina } from 'piscina';
import { AlphaError } from '../../src/errors.ts';
import type { BarSeries } from '../../src/types.ts';
import { workerEntry } from '../../src/version.ts';
import { parseFeatureName, type ParsedFeature } from '../indicators/index.ts';
import { runBatchScope } from '../indicators/kernels.ts';
import type { FeatureInput, IndicatorSpec, IndicatorStream } from '../indicators/types.ts';

export type FeatureColumn = Float64Array | Float32Array;

export interface FeatureMatrix {
  /** Feature names, as requested (same order as `columns`). */
  names: string[];
  columns: FeatureColumn[];
  /** Bar start times (epoch ms UTC), one per row. */
  ts: Float64Array;
  /** Largest lookback over the features: rows before it hold NaN warm-up values for at least one feature. */
  warmup: number;
  rows: number;
}

export interface ComputeOptions {
  /** Benchmark series for cross-asset features (aligned by timestamp). */
  benchmark?: BarSeries;
  /** Return Float32Array columns (computed in Float64, rounded at the end). */
  float32?: boolean;
}

/** One (spec, parameters) computation and the columns it feeds. */
export interface PlanGroup {
  key: string;
  spec: IndicatorSpec;
  params: number[];
  /** [column index, output index] pairs */
  uses: [number, number][];
}

export interface FeaturePlan {
  names: string[];
  parsed: ParsedFeature[];
  groups: PlanGroup[];
  warmup: number;
  needsBenchmark: boolean;
  needsTs: boolean;
}

/** Parse and group names (throws UsageError on an unknown or malformed name). */
export function planFeatures(names: readonly string[]): FeaturePlan {
  const parsed = names.map((n) => parseFeatureName(n));
  const byKey = new Map<string, PlanGroup>();
  let warmup = 0;
  let needsBenchmark = false;
  let needsTs = false;
  parsed.forEach((f, col) => {
    let g = byKey.get(f.key);
    if (!g) {
      g = { key: f.key, spec: f.spec, params: f.params, uses: [] };
      byKey.set(f.key, g);
      warmup = Math.max(warmup, f.spec.lookback(f.params));
      if (f.spec.needs?.includes('benchmark')) needsBenchmark = true;
      if (f.spec.needs?.includes('ts')) needsTs = true;
    }
    g.uses.push([col, f.outputIndex]);
  });
  return { names: [...names], parsed, groups: [...byKey.values()], warmup, needsBenchmark, needsTs };
}

/**
 * The benchmark's close at each of `ts` (exact bar-start match; NaN where the benchmark has no bar). Both series
 * must be in ascending time order (a BarSeries always is).
 */
export function alignBenchmark(ts: Float64Array, benchmark: Pick<BarSeries, 'ts' | 'close'>): Float64Array {
  const out = new Float64Array(ts.length);
  const bts = benchmark.ts;
  const bc = benchmark.close;
  let j = 0;
  for (let i = 0; i < ts.length; i++) {
    const t = ts[i];
    while (j < bts.length && bts[j] < t) j++;
    out[i] = j < bts.length && bts[j] === t ? bc[j] : NaN;
  }
  return out;
}

function toFloat32(cols: FeatureColumn[]): Float32Array[] {
  const seen = new Map<FeatureColumn, Float32Array>();
  const out: Float32Array[] = new Array(cols.length);
  for (let i = 0; i < cols.length; i++) {
    const c = cols[i];
    let f = seen.get(c);
    if (!f) {
      f = c instanceof Float32Array ? c : new Float32Array(c);
      seen.set(c, f);
    }
    out[i] = f;
  }
  return out;
}

/**
 * Plans by name list (names joined by a separator no feature name contains). The plan is read-only once made;
 * planFeatures still returns a fresh one for callers that want their own.
 */
const planCache = new Map<string, FeaturePlan>();
const PLAN_CACHE_MAX = 256;

/** planFeatures, cached per name list (the same list → the same plan object). */
function cachedPlan(names: readonly string[]): FeaturePlan {
  const key = names.join('\u0000');
  let plan = planCache.get(key);
  if (!plan) {
    plan = planFeatures(names);
    if (planCache.size >= PLAN_CACHE_MAX) planCache.clear();
    planCache.set(key, plan);
  }
  return plan;
}

/** Compute named features over a bar series (see the module comment). */
export function computeFeatures(bars: BarSeries, names: readonly string[], opts: ComputeOptions = {}): FeatureMatrix {
  const plan = cachedPlan(names);
  const bench = plan.needsBenchmark && opts.benchmark ? alignBenchmark(bars.ts, opts.benchmark) : undefined;
  return computePlan(bars, plan, bench, opts.float32 ?? false);
}

function nanColumn(rows: number): Float64Array {
  return new Float64Array(rows).fill(NaN);
}

/** computeFeatures for a prepared plan and an already aligned benchmark close (or none). */
export function computePlan(bars: BarSeries, plan: FeaturePlan, benchmarkClose: Float64Array | undefined, float32: boolean): FeatureMatrix {
  const rows = bars.ts.length;
  if (benchmarkClose && benchmarkClose.length !== rows) throw new RangeError(`benchmark has ${benchmarkClose.length} values for ${rows} bars`);
  const input: FeatureInput = {
    open: bars.open,
    high: bars.high,
    low: bars.low,
    close: bars.close,
    volume: bars.volume,
    ts: bars.ts,
    tz: bars.tz,
  };
  // Without a benchmark, benchmark features are all NaN (module comment): fill them, don't run their batch.
  if (plan.needsBenchmark && benchmarkClose) input.benchmark = benchmarkClose;
  const columns: FeatureColumn[] = new Array(plan.names.length);
  // one batch scope for the whole plan: the specs share the missing-value scans and derived columns (log returns)
  runBatchScope(input, () => computeGroups(bars, plan, input, benchmarkClose, columns, rows));
  return { names: plan.names.slice(), columns: float32 ? toFloat32(columns) : columns, ts: bars.ts, warmup: plan.warmup, rows };
}

function computeGroups(bars: BarSeries, plan: FeaturePlan, input: FeatureInput, benchmarkClose: Float64Array | undefined, columns: FeatureColumn[], rows: number): void {
  const groups = plan.groups;
  for (let gi = 0; gi < groups.length; gi++) {
    const g = groups[gi];
    const uses = g.uses;
    if (!benchmarkClose && g.spec.needs?.includes('benchmark')) {
      const made: (Float64Array | undefined)[] = [];
      for (let k = 0; k < uses.length; k++) columns[uses[k][0]] = made[uses[k][1]] ??= nanColumn(rows);
      continue;
    }
    const outs = g.spec.batch(input, g.params);
    for (let k = 0; k < uses.length; k++) {
      const col = uses[k][0];
      const out = uses[k][1];
      let c = outs[out];
      if (!c || c.length !== rows) throw new Error(`${g.key}: batch returned ${c ? c.length : 'no'} values for output ${g.spec.outputs[out]} over ${rows} bars`);
      // never hand out the caller's own arrays
      if (c === bars.open || c === bars.high || c === bars.low || c === bars.close || c === bars.volume || c === bars.ts || c === benchmarkClose) c = c.slice();
      columns[col] = c;
    }
  }
}

/**
 * Incremental features for live trading: `update` takes one bar and returns one value per name (a Float64Array
 * reused between calls: copy it to keep it). Same names, same values as computeFeatures over the bars so far.
 */
export class FeatureStream {
  readonly names: string[];
  readonly warmup: number;
  /** Bars seen so far. */
  bars = 0;
  private readonly streams: IndicatorStream[];
  /** all groups' uses, flat: [col, out, col, out, ...]; group g's are [useStart[g], useStart[g + 1]) */
  private readonly uses: Int32Array;
  private readonly useStart: Int32Array;
  private readonly out: Float64Array;
  /** the current bar's values, in a generic (tagged-element) array: see update */
  private readonly args: unknown[] = [null, null, null, null, null, null, null];

  constructor(names: readonly string[], tz = 'UTC') {
    const plan = cachedPlan(names);
    this.names = plan.names.slice();
    this.warmup = plan.warmup;
    this.streams = plan.groups.map((g) => g.spec.stream(g.params, tz));
    const flat: number[] = [];
    const start: number[] = [0];
    for (const g of plan.groups) {
      for (const [col, out] of g.uses) flat.push(col, out);
      start.push(flat.length);
    }
    this.uses = Int32Array.from(flat);
    this.useStart = Int32Array.from(start);
    this.out = new Float64Array(plan.names.length).fill(NaN);
  }

  /** Feed one bar (in time order); `ts` is the bar start (epoch ms UTC), `benchmark` the benchmark's close for it. */
  update(open: number, high: number, low: number, close: number, volume: number, ts = NaN, benchmark = NaN): Float64Array {
    const out = this.out;
    const streams = this.streams;
    const uses = this.uses;
    const useStart = this.useStart;
    // Pass the bar to the streams as values boxed once: when this method is inlined into a caller holding raw doubles
    // (e.g. read from Float64Arrays), each of the ~150 calls below would otherwise box all seven arguments again
    // (kilobytes of garbage per bar). Storing them into a generic (tagged) array boxes each once.
    const a = this.args;
    a[0] = open;
    a[1] = high;
    a[2] = low;
    a[3] = close;
    a[4] = volume;
    a[5] = ts;
    a[6] = benchmark;
    const o = a[0] as number;
    const h = a[1] as number;
    const l = a[2] as number;
    const c = a[3] as number;
    const v = a[4] as number;
    const t = a[5] as number;
    const b = a[6] as number;
    let k = 0;
    for (let g = 0; g < streams.length; g++) {
      const r = streams[g].update(o, h, l, c, v, t, b);
      const end = useStart[g + 1];
      for (; k < end; k += 2) out[uses[k]] = r[uses[k + 1]];
    }
    this.bars++;
    return out;
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Many symbols: worker threads
// ---------------------------------------------------------------------------------------------------------------

export interface UniverseOptions extends ComputeOptions {
  /**
   * Worker threads. Default: available parallelism, used only when the work is big enough to repay thread start-up
   * (~0.3-1 s each); an explicit number > 1 always uses a pool; 1 computes in this thread.
   */
  threads?: number;
  signal?: AbortSignal;
  /** Called after each symbol. */
  onProgress?: (done: number, total: number) => void;
}

/** What a worker receives: plain columns (copied by structured clone). */
export interface FeatureTask {
  names: string[];
  symbol: string;
  tz: string;
  ts: Float64Array;
  open: Float64Array;
  high: Float64Array;
  low: Float64Array;
  close: Float64Array;
  volume: Float64Array;
  benchmark?: Float64Array;
  float32: boolean;
}

/** What a worker returns; its column buffers are transferred, not copied. */
export interface FeatureTaskResult {
  columns: FeatureColumn[];
  warmup: number;
  rows: number;
}

/** Worker side (feature-worker.mjs): compute one symbol. Returns columns whose buffers the caller may transfer. */
export function runFeatureTask(t: FeatureTask): FeatureTaskResult {
  const bars = { symbol: t.symbol, tz: t.tz, ts: t.ts, open: t.open, high: t.high, low: t.low, close: t.close, volume: t.volume } as BarSeries;
  const m = computePlan(bars, cachedPlan(t.names), t.benchmark, t.float32);
  return { columns: m.columns, warmup: m.warmup, rows: m.rows };
}

/** Distinct ArrayBuffers behind a result's arrays (a transfer list must not repeat one). */
export function transferablesOf(r: FeatureTaskResult): ArrayBuffer[] {
  const set = new Set<ArrayBuffer>();
  for (const c of r.columns) set.add(c.buffer as ArrayBuffer);
  return [...set];
}

/** Below this many bar-features in total, threads cost more (start-up ~0.3 s each) than they save. */
const PARALLEL_MIN_WORK = 20_000_000;

/**
 * Features for many series (one matrix per series, same order). With threads > 1 and enough work, symbols are spread
 * over a piscina pool; otherwise computed here. Names are checked before any work starts.
 */
export async function computeUniverse(seriesList: readonly BarSeries[], names: readonly string[], opts: UniverseOptions = {}): Promise<FeatureMatrix[]> {
  const plan = cachedPlan(names);
  const float32 = opts.float32 ?? false;
  const bench = (s: BarSeries) => (plan.needsBenchmark && opts.benchmark ? alignBenchmark(s.ts, opts.benchmark) : undefined);
  const total = seriesList.length;
  const work = seriesList.reduce((a, s) => a + s.ts.length, 0) * plan.names.length;
  const threads = Math.max(1, Math.min(opts.threads ?? os.availableParallelism(), total));
  const out: FeatureMatrix[] = new Array(total);
  let done = 0;
  if (threads === 1 || (opts.threads === undefined && work < PARALLEL_MIN_WORK)) {
    for (let i = 0; i < total; i++) {
      if (opts.signal?.aborted) throw opts.signal.reason ?? new AlphaError('feature computation cancelled');
      out[i] = computePlan(seriesList[i], plan, bench(seriesList[i]), float32);
      opts.onProgress?.(++done, total);
      if (total > 1) await new Promise((r) => setImmediate(r));
    }
    return out;
  }
  const pool = new Piscina({ filename: workerEntry('feature-worker', 'data/features/feature-worker.mjs').href, maxThreads: threads, minThreads: threads, idleTimeout: 1000 });
  try {
    await Promise.all(
      seriesList.map(async (s, i) => {
        const task: FeatureTask = {
          names: plan.names, symbol: s.symbol, tz: s.tz, ts: s.ts, open: s.open, high: s.high, low: s.low, close: s.close, volume: s.volume, benchmark: bench(s), float32,
        };
        const r = (await pool.run(task, opts.signal ? { signal: opts.signal } : {})) as FeatureTaskResult;
        out[i] = { names: plan.names, columns: r.columns, ts: s.ts, warmup: r.warmup, rows: r.rows };
        opts.onProgress?.(++done, total);
      }),
    );
  } finally {
    await pool.destroy();
  }
  return out;
}
