import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import type { FeatureInput, IndicatorSpec } from '../data/indicators/types.ts';
import { Rng } from '../src/rng.ts';
import { STAT_FEATURES, RollingMoments, hurstRS, hurstSizes } from '../data/features/stats.ts';
import { CALENDAR_FEATURES } from '../data/features/calendar.ts';
import { REGIME_FEATURES, fitHmm2, forwardStep, HMM_ITERS, type Hmm2 } from '../data/features/regimes.ts';

const ALL: IndicatorSpec[] = [...STAT_FEATURES, ...CALENDAR_FEATURES, ...REGIME_FEATURES];
const byName = new Map(ALL.map((s) => [s.name, s]));
const spec = (name: string): IndicatorSpec => {
  const s = byName.get(name);
  if (!s) throw new Error(`no feature ${name}`);
  return s;
};

const N = NaN;

// ------------------------------------------------------------------ helpers

interface Cols {
  c: number[];
  h?: number[];
  l?: number[];
  ts?: number[];
  tz?: string;
  bench?: number[];
}

function mk(cols: Cols): FeatureInput {
  const n = cols.c.length;
  const f = (x: number[] | undefined, fb: number[]) => Float64Array.from(x ?? fb);
  const input: FeatureInput = {
    open: f(undefined, cols.c),
    high: f(cols.h, cols.c),
    low: f(cols.l, cols.c),
    close: f(cols.c, cols.c),
    volume: new Float64Array(n).fill(1000),
    ts: f(cols.ts, Array.from({ length: n }, (_, i) => Date.UTC(2024, 0, 1) + i * 86_400_000)),
    tz: cols.tz ?? 'UTC',
  };
  if (cols.bench) input.benchmark = Float64Array.from(cols.bench);
  return input;
}

function run(name: string, cols: Cols | FeatureInput, p: number[] = []): number[][] {
  const input = 'close' in cols && cols.close instanceof Float64Array ? (cols as FeatureInput) : mk(cols as Cols);
  return spec(name).batch(input, p).map((a) => Array.from(a));
}

/** closes 100·exp(cumsum(returns)): the 1-bar log returns are `returns` up to rounding (~1e-16). */
function fromReturns(returns: number[], start = 100): number[] {
  const c = [start];
  let x = Math.log(start);
  for (const r of returns) {
    x += r;
    c.push(Math.exp(x));
  }
  return c;
}

function same(a: number, b: number, rel = 1e-9): boolean {
  if (a === b) return true;
  if (Number.isNaN(a) || Number.isNaN(b)) return Number.isNaN(a) && Number.isNaN(b);
  return Math.abs(a - b) <= rel * Math.max(1, Math.abs(a), Math.abs(b));
}

function assertSeries(got: ArrayLike<number>, want: ArrayLike<number>, label: string, rel = 1e-9): void {
  if (got.length !== want.length) throw new Error(`${label}: length ${got.length} != ${want.length}`);
  for (let i = 0; i < got.length; i++) {
    if (!same(got[i], want[i], rel)) throw new Error(`${label}[${i}]: got ${got[i]}, want ${want[i]}`);
  }
}

function expectValues(got: number[], want: number[], tol = 1e-9): void {
  expect(got.length).toBe(want.length);
  for (let i = 0; i < want.length; i++) {
    if (Number.isNaN(want[i])) expect(got[i], `index ${i}`).toBeNaN();
    else expect(Math.abs(got[i] - want[i]), `index ${i}: got ${got[i]}, want ${want[i]}`).toBeLessThanOrEqual(tol * Math.max(1, Math.abs(want[i])));
  }
}

// ------------------------------------------------------------------ random inputs (prices, ts, benchmark)

const ZONES = ['UTC', 'America/New_York', 'Europe/Berlin', 'Asia/Kolkata', 'Australia/Sydney'];

interface RawBar {
  ret: number;
  up: number;
  dn: number;
  step: number;
  bret: number;
}
const rawBar: fc.Arbitrary<RawBar> = fc.record({
  ret: fc.oneof(fc.integer({ min: -40, max: 40 }).map((k) => k * 0.001), fc.double({ min: -0.06, max: 0.06, noNaN: true })),
  up: fc.double({ min: 0, max: 0.03, noNaN: true }),
  dn: fc.double({ min: 0, max: 0.03, noNaN: true }),
  step: fc.constantFrom(60_000, 300_000, 3_600_000, 86_400_000, 7 * 3_600_000 + 17 * 60_000),
  bret: fc.double({ min: -0.05, max: 0.05, noNaN: true }),
});

function toInput(start: number, t0: number, tz: string, tick: number, bars: RawBar[]): FeatureInput {
  const n = bars.length;
  const q = (x: number) => (tick > 0 ? Math.max(tick, Math.round(x / tick) * tick) : x);
  const out: FeatureInput = {
    open: new Float64Array(n),
    high: new Float64Array(n),
    low: new Float64Array(n),
    close: new Float64Array(n),
    volume: new Float64Array(n).fill(100),
    ts: new Float64Array(n),
    tz,
    benchmark: new Float64Array(n),
  };
  let prev = start;
  let b = 50;
  let t = t0;
  for (let i = 0; i < n; i++) {
    const r = bars[i];
    const o = q(prev);
    const c = q(Math.max(1, prev * Math.exp(r.ret)));
    out.open[i] = o;
    out.close[i] = c;
    out.high[i] = Math.max(o, c, q(Math.max(o, c) * (1 + r.up)));
    out.low[i] = Math.min(o, c, q(Math.min(o, c) * (1 - r.dn)));
    b = b * Math.exp(r.bret + 0.5 * r.ret);
    out.benchmark![i] = b;
    out.ts[i] = t;
    t += r.step;
    prev = c;
  }
  return out;
}

const cleanInput = (minLength: number, maxLength: number): fc.Arbitrary<FeatureInput> =>
  fc
    .tuple(
      fc.double({ min: 5, max: 500, noNaN: true }),
      fc.integer({ min: Date.UTC(2000, 0, 1), max: Date.UTC(2030, 0, 1) }),
      fc.constantFrom(...ZONES),
      fc.constantFrom(0, 0, 0.01, 0.25),
      fc.array(rawBar, { minLength, maxLength, size: 'max' }),
    )
    .map(([s, t0, tz, tick, bars]) => toInput(s, t0, tz, tick, bars));

/** Clean input with holes: NaN/Infinity in single OHLCV fields or whole bars, in the benchmark and in ts. */
const dirtyInput: fc.Arbitrary<FeatureInput> = fc
  .tuple(
    cleanInput(0, 160),
    fc.array(
      fc.record({
        at: fc.nat(),
        field: fc.constantFrom('open', 'high', 'low', 'close', 'volume', 'all', 'benchmark', 'benchmark', 'ts'),
        value: fc.constantFrom(NaN, NaN, Infinity, -Infinity),
      }),
      { maxLength: 6 },
    ),
  )
  .map(([s, holes]) => {
    const n = s.close.length;
    for (const h of holes) {
      if (n === 0) break;
      const i = h.at % n;
      if (h.field === 'all') for (const f of ['open', 'high', 'low', 'close', 'volume'] as const) s[f][i] = NaN;
      else if (h.field === 'benchmark') s.benchmark![i] = h.value;
      else if (h.field === 'ts') s.ts[i] = NaN;
      else s[h.field][i] = h.value;
    }
    return s;
  });

/** Random in-range parameters, capped so that series of ~100 bars produce outputs. */
function paramsArb(s: IndicatorSpec): fc.Arbitrary<number[]> {
  if (s.params.length === 0) return fc.constant([]);
  return fc.tuple(
    ...s.params.map((p) => {
      if (p.name === 'seed') return fc.integer({ min: 0, max: 1000 });
      const lo = p.min ?? 1;
      return fc.integer({ min: lo, max: lo + 14 });
    }),
  );
}

function slice(input: FeatureInput, from: number, to: number): FeatureInput {
  return {
    open: input.open.slice(from, to),
    high: input.high.slice(from, to),
    low: input.low.slice(from, to),
    close: input.close.slice(from, to),
    volume: input.volume.slice(from, to),
    ts: input.ts.slice(from, to),
    tz: input.tz,
    benchmark: input.benchmark?.slice(from, to),
  };
}

/** A long clean random-walk input from a seeded generator (for lookback and statistical checks). */
function walk(n: number, seed: number, vol = 0.01): FeatureInput {
  const rng = new Rng(seed);
  const bars: RawBar[] = [];
  for (let i = 0; i < n; i++) {
    bars.push({ ret: vol * rng.normal(), up: 0.005 * rng.next(), dn: 0.005 * rng.next(), step: 3_600_000, bret: vol * rng.normal() });
  }
  return toInput(100, Date.UTC(2020, 0, 1), 'America/New_York', 0, bars);
}

// ------------------------------------------------------------------ contract

describe('feature specs: contract', () => {
  it('names are unique and every array is populated', () => {
    expect(new Set(ALL.map((s) => s.name)).size).toBe(ALL.length);
    expect(STAT_FEATURES.map((s) => s.name)).toEqual([
      'log_return', 'ret_mean', 'ret_std', 'ret_skew', 'ret_kurt', 'zscore', 'autocorr', 'corr_bench', 'beta_bench', 'hurst', 'drawdown', 'dist_high', 'dist_low',
    ]);
    expect(CALENDAR_FEATURES.flatMap((s) => s.outputs)).toEqual(['hour_sin', 'hour_cos', 'weekday_sin', 'weekday_cos']);
    expect(REGIME_FEATURES.map((s) => s.outputs[0])).toEqual(['vol_regime', 'trend_regime', 'hmm_p_high']);
    for (const s of ALL) {
      expect(s.description.length).toBeGreaterThan(5);
      for (const p of s.params) expect(p.min === undefined || p.default >= p.min).toBe(true);
    }
  });

  it('declares needs and groups', () => {
    expect(spec('corr_bench').needs).toEqual(['benchmark']);
    expect(spec('beta_bench').needs).toEqual(['benchmark']);
    for (const s of CALENDAR_FEATURES) {
      expect(s.needs).toEqual(['ts']);
      expect(s.params).toEqual([]);
      expect(s.group).toBe('calendar');
      expect(s.lookback([])).toBe(0);
    }
    for (const s of STAT_FEATURES) expect(s.group).toBe('statistical');
    for (const s of REGIME_FEATURES) expect(s.group).toBe('regime');
  });

  it('default parameters and lookbacks', () => {
    const defaults = (name: string) => spec(name).params.map((p) => p.default);
    expect(defaults('log_return')).toEqual([1]);
    expect(defaults('ret_skew')).toEqual([20]);
    expect(defaults('zscore')).toEqual([20]);
    expect(defaults('autocorr')).toEqual([20, 1]);
    expect(defaults('corr_bench')).toEqual([60]);
    expect(defaults('hurst')).toEqual([100]);
    expect(defaults('drawdown')).toEqual([60]);
    expect(defaults('dist_low')).toEqual([20]);
    expect(defaults('vol_regime')).toEqual([20, 250]);
    expect(defaults('trend_regime')).toEqual([50, 200]);
    expect(defaults('hmm_state')).toEqual([250, 7]);
    expect(spec('log_return').lookback([60])).toBe(60);
    expect(spec('ret_kurt').lookback([])).toBe(20);
    expect(spec('zscore').lookback([])).toBe(19);
    expect(spec('autocorr').lookback([20, 3])).toBe(23);
    expect(spec('beta_bench').lookback([])).toBe(60);
    expect(spec('hurst').lookback([])).toBe(100);
    expect(spec('drawdown').lookback([])).toBe(59);
    expect(spec('vol_regime').lookback([])).toBe(269);
    expect(spec('trend_regime').lookback([])).toBe(199);
    expect(spec('hmm_state').lookback([])).toBe(250);
  });

  it('rejects bad parameters and missing extra inputs', () => {
    expect(() => spec('ret_kurt').batch(mk({ c: [1, 2, 3] }), [3])).toThrow(RangeError);
    expect(() => spec('log_return').batch(mk({ c: [1, 2, 3] }), [1.5])).toThrow(RangeError);
    expect(() => spec('corr_bench').batch(mk({ c: [1, 2, 3] }), [3])).toThrow(/benchmark/);
    const noTs = { open: new Float64Array(2), high: new Float64Array(2), low: new Float64Array(2), close: new Float64Array(2), volume: new Float64Array(2) };
    expect(() => spec('hour').batch(noTs, [])).toThrow(/ts/);
    expect(() => spec('hour').stream([])).toThrow(/time zone/);
    expect(() => spec('weekday').stream([], 'Mars/Olympus_Mons')).toThrow(/time zone/);
    expect(() => spec('corr_bench').batch(mk({ c: [1, 2, 3], bench: [1, 2] }), [3])).toThrow(RangeError);
  });
});

// ------------------------------------------------------------------ properties over every spec

describe('feature specs: properties', () => {
  it('batch and stream agree to 1e-9 on dirty data (ts and benchmark passed to update)', () => {
    for (const s of ALL) {
      fc.assert(
        fc.property(dirtyInput, paramsArb(s), (input, p) => {
          const batch = s.batch(input, p);
          const st = s.stream(p, input.tz);
          const n = input.close.length;
          const streamed = s.outputs.map(() => new Float64Array(n));
          for (let i = 0; i < n; i++) {
            const r = st.update(input.open[i], input.high[i], input.low[i], input.close[i], input.volume[i], input.ts[i], input.benchmark![i]);
            for (let j = 0; j < s.outputs.length; j++) streamed[j][i] = r[j];
          }
          for (let j = 0; j < s.outputs.length; j++) assertSeries(streamed[j], batch[j], `${s.name}.${s.outputs[j]}(${p})`);
        }),
        { numRuns: 40 },
      );
    }
  });

  it('no look-ahead: truncating at k leaves the outputs before k unchanged', () => {
    for (const s of ALL) {
      fc.assert(
        fc.property(dirtyInput, paramsArb(s), fc.nat(), (input, p, kk) => {
          const n = input.close.length;
          const k = n === 0 ? 0 : kk % (n + 1);
          const full = s.batch(input, p);
          const part = s.batch(slice(input, 0, k), p);
          for (let j = 0; j < full.length; j++) {
            expect(part[j].length).toBe(k);
            assertSeries(part[j], full[j].subarray(0, k), `${s.name}.${s.outputs[j]}(${p}) k=${k}`, 0);
          }
        }),
        { numRuns: 40 },
      );
    }
  });

  it('on clean data, exactly the first lookback(p) outputs are NaN', () => {
    const input = walk(600, 11);
    for (const s of ALL) {
      const p = s.params.map((q) => (q.name === 'seed' ? 3 : Math.min(q.default, q.name === 'window' ? 120 : 100)));
      const lb = s.lookback(p);
      for (const col of s.batch(input, p)) {
        for (let i = 0; i < lb; i++) expect(col[i], `${s.name}(${p})[${i}]`).toBeNaN();
        for (let i = lb; i < col.length; i++) expect(Number.isNaN(col[i]), `${s.name}(${p})[${i}]`).toBe(false);
      }
    }
  });

  it('value ranges', () => {
    fc.assert(
      fc.property(cleanInput(30, 150), (input) => {
        const within = (name: string, p: number[], lo: number, hi: number) => {
          for (const col of spec(name).batch(input, p)) for (const v of col) if (v === v && (v < lo - 1e-12 || v > hi + 1e-12)) throw new Error(`${name} ${v}`);
        };
        within('drawdown', [10], -1, 0);
        within('dist_high', [10], -1, 0);
        within('dist_low', [10], 0, Infinity);
        within('autocorr', [5, 2], -1, 1);
        within('corr_bench', [5], -1, 1);
        within('vol_regime', [5, 10], 0, 1);
        within('hmm_state', [20, 7], 0, 1);
        within('hour', [], -1, 1);
        for (const v of spec('trend_regime').batch(input, [3, 7])[0]) if (v === v) expect([-1, 0, 1]).toContain(v);
      }),
      { numRuns: 60 },
    );
  });
});

// ------------------------------------------------------------------ naive reference implementations (clean data)

type Arr = number[];
const nans = (n: number): Arr => new Array<number>(n).fill(NaN);
const rets = (c: Arr): Arr => c.map((x, i) => (i === 0 ? NaN : Math.log(x / c[i - 1])));
const win = (x: Arr, i: number, n: number): Arr => x.slice(i - n + 1, i + 1);
const meanOf = (w: Arr) => w.reduce((a, b) => a + b, 0) / w.length;
function sampleVar(w: Arr): number {
  const m = meanOf(w);
  return w.reduce((a, b) => a + (b - m) * (b - m), 0) / (w.length - 1);
}
/** pandas Series.skew(): n/((n-1)(n-2)) · Σ((x-m)/s)³ with s the sample std (written differently from the kernel). */
function rSkew(w: Arr): number {
  const n = w.length;
  if (w.every((v) => v === w[0])) return 0;
  const m = meanOf(w);
  const m2 = w.reduce((a, b) => a + (b - m) ** 2, 0) / n;
  if (m2 <= 1e-14) return NaN;
  const s = Math.sqrt(sampleVar(w));
  return (n / ((n - 1) * (n - 2))) * w.reduce((a, b) => a + ((b - m) / s) ** 3, 0);
}
/** pandas Series.kurt(): n(n+1)/((n-1)(n-2)(n-3)) · Σ((x-m)/s)⁴ - 3(n-1)²/((n-2)(n-3)). */
function rKurt(w: Arr): number {
  const n = w.length;
  if (w.every((v) => v === w[0])) return -3;
  const m = meanOf(w);
  const m2 = w.reduce((a, b) => a + (b - m) ** 2, 0) / n;
  if (m2 <= 1e-14) return NaN;
  const s = Math.sqrt(sampleVar(w));
  return ((n * (n + 1)) / ((n - 1) * (n - 2) * (n - 3))) * w.reduce((a, b) => a + ((b - m) / s) ** 4, 0) - (3 * (n - 1) ** 2) / ((n - 2) * (n - 3));
}
function rCorr(x: Arr, y: Arr): { corr: number; beta: number } {
  const mx = meanOf(x);
  const my = meanOf(y);
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  for (let i = 0; i < x.length; i++) {
    sxy += (x[i] - mx) * (y[i] - my);
    sxx += (x[i] - mx) ** 2;
    syy += (y[i] - my) ** 2;
  }
  return { corr: sxx > 0 && syy > 0 ? sxy / Math.sqrt(sxx * syy) : NaN, beta: syy > 0 ? sxy / syy : NaN };
}
function rolling(x: Arr, n: number, first: number, f: (w: Arr, i: number) => number): Arr {
  const out = nans(x.length);
  for (let i = first; i < x.length; i++) out[i] = f(win(x, i, n), i);
  return out;
}

/**
 * The running-sum kernels (kernels.ts RollingVar and RollingMoments here) have absolute errors of order
 * ε·n·(range of the last 2n values)²: on a window whose variance is tiny next to that (e.g. rounding-level returns right
 * after a move) a ratio such as a z-score or a correlation is rounding noise, in pandas too. The references are only
 * compared on well-conditioned windows: sample variance ≥ ratio × (range of the last 2n values)² (1e-4; 1e-2 for the
 * third and fourth moments, whose errors grow as (range²/variance)^1.5 and ^2) and std ≥ 1e-6 × the values'
 * magnitude (the z-score's mean of prices is only good to ε·n·price), or all values equal.
 */
function conditioned(x: Arr, i: number, n: number, ratio = 1e-4): boolean {
  const w = win(x, i, n);
  if (w.every((v) => v === w[0])) return true;
  let lo = Infinity;
  let hi = -Infinity;
  for (let j = Math.max(0, i - 2 * n + 1); j <= i; j++) {
    const v = x[j];
    if (Number.isNaN(v)) continue;
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  // and the spread must be well above the rounding of the values themselves (a mean of prices 1 ulp apart is off
  // by about as much as their std)
  const scale = Math.max(...w.map(Math.abs));
  const v = sampleVar(w);
  return v >= ratio * (hi - lo) ** 2 && Math.sqrt(v) >= 1e-6 * scale;
}

const coverage = { compared: 0, skipped: 0 };

/** Compare where the reference is defined and every listed series is well conditioned at i (NaN: both NaN). */
function assertClose(got: ArrayLike<number>, want: Arr, label: string, tol: number, cond: { x: Arr; n: number; ratio?: number }[] = []): void {
  for (let i = 0; i < want.length; i++) {
    const a = got[i];
    const b = want[i];
    if (Number.isNaN(b) && Number.isNaN(a)) continue;
    if (!Number.isNaN(b) && !cond.every((c) => conditioned(c.x, i, c.n, c.ratio))) {
      coverage.skipped++;
      continue;
    }
    if (!Number.isNaN(b)) coverage.compared++;
    if (Number.isNaN(a) !== Number.isNaN(b) || Math.abs(a - b) > tol * Math.max(1, Math.abs(b))) throw new Error(`${label}[${i}]: got ${a}, want ${b}`);
  }
}

describe('statistical features match straightforward formulas (pandas definitions)', () => {
  it('log_return, ret_mean/std/skew/kurt, zscore, autocorr, corr/beta, drawdown, dist_high/low', () => {
    fc.assert(
      fc.property(cleanInput(0, 120), fc.integer({ min: 4, max: 12 }), fc.integer({ min: 1, max: 4 }), (input, n, k) => {
        const c = Array.from(input.close);
        const h = Array.from(input.high);
        const l = Array.from(input.low);
        const r = rets(c);
        const rb = rets(Array.from(input.benchmark!));
        const b = (name: string, p: number[]) => spec(name).batch(input, p)[0];
        const lagged = r.map((_, i) => (i < k ? NaN : r[i - k]));
        const onR = [{ x: r, n }];
        assertClose(b('log_return', [k]), c.map((x, i) => (i < k ? NaN : Math.log(x / c[i - k]))), 'log_return', 1e-12);
        assertClose(b('ret_mean', [n]), rolling(r, n, n, meanOf), 'ret_mean', 1e-12);
        assertClose(b('ret_std', [n]), rolling(r, n, n, (w) => Math.sqrt(sampleVar(w))), 'ret_std', 1e-10, onR);
        const onR4 = [{ x: r, n, ratio: 1e-2 }];
        assertClose(b('ret_skew', [n]), rolling(r, n, n, rSkew), 'ret_skew', 1e-8, onR4);
        assertClose(b('ret_kurt', [n]), rolling(r, n, n, rKurt), 'ret_kurt', 1e-8, onR4);
        assertClose(
          b('zscore', [n]),
          rolling(c, n, n - 1, (w, i) => {
            if (w.every((v) => v === w[0])) return 0; // flat (the mean of equal values can be off by an ulp)
            const s = Math.sqrt(sampleVar(w));
            return s === 0 ? 0 : (c[i] - meanOf(w)) / s;
          }),
          'zscore',
          1e-8,
          [{ x: c, n }],
        );
        assertClose(b('autocorr', [n, k]), rolling(r, n, n + k, (w, i) => rCorr(w, win(lagged, i, n)).corr), 'autocorr', 1e-8, [
          { x: r, n },
          { x: lagged, n },
        ]);
        const withBench = [{ x: r, n }, { x: rb, n }];
        assertClose(b('corr_bench', [n]), rolling(r, n, n, (w, i) => rCorr(w, win(rb, i, n)).corr), 'corr_bench', 1e-8, withBench);
        assertClose(b('beta_bench', [n]), rolling(r, n, n, (w, i) => rCorr(w, win(rb, i, n)).beta), 'beta_bench', 1e-8, withBench);
        assertClose(b('drawdown', [n]), rolling(c, n, n - 1, (w, i) => c[i] / Math.max(...w) - 1), 'drawdown', 1e-12);
        assertClose(b('dist_high', [n]), rolling(h, n, n - 1, (w, i) => c[i] / Math.max(...w) - 1), 'dist_high', 1e-12);
        assertClose(b('dist_low', [n]), rolling(l, n, n - 1, (w, i) => c[i] / Math.min(...w) - 1), 'dist_low', 1e-12);
      }),
      { numRuns: 1000 },
    );
    // the conditioning filter leaves most values compared
    expect(coverage.compared).toBeGreaterThan(20 * coverage.skipped);
  });

  it('RollingMoments keeps its precision on a high-level series over many windows', () => {
    // values around 1e6 with unit noise: raw power sums would lose everything to cancellation
    const rng = new Rng(5);
    const n = 30;
    const m = new RollingMoments(n);
    const xs: number[] = [];
    for (let i = 0; i < 2000; i++) {
      const x = 1e6 + rng.normal();
      xs.push(x);
      m.update(x);
      if (i >= n - 1) {
        const w = xs.slice(i - n + 1);
        const mu = meanOf(w);
        const c2 = w.reduce((a, b) => a + (b - mu) ** 2, 0) / n;
        const c3 = w.reduce((a, b) => a + (b - mu) ** 3, 0) / n;
        const c4 = w.reduce((a, b) => a + (b - mu) ** 4, 0) / n;
        expect(Math.abs(m.m2 - c2)).toBeLessThan(1e-6 * c2);
        expect(Math.abs(m.m3 - c3)).toBeLessThan(1e-5 * c2 ** 1.5);
        expect(Math.abs(m.m4 - c4)).toBeLessThan(1e-5 * c4);
      }
    }
  });
});

// ------------------------------------------------------------------ hand-computed cases

describe('statistical features: hand-computed', () => {
  it('log_return: ln(c_t / c_{t-n}), NaN when either end is missing', () => {
    const c = [100, 110, 121, N, 133.1];
    // n=1: ln(110/100) = ln 1.1, ln(121/110) = ln 1.1, NaN (c3 missing), NaN (c3 is the previous close)
    expectValues(run('log_return', { c }, [1])[0], [N, Math.log(1.1), Math.log(1.1), N, N]);
    // n=2: ln(121/100) = ln 1.21 at 2; NaN at 3 (c3 missing); ln(133.1/121) = ln 1.1 at 4 (c2, c4 both present)
    expectValues(run('log_return', { c }, [2])[0], [N, N, Math.log(1.21), N, Math.log(1.1)]);
    // a non-positive close gives NaN, never -Infinity
    expectValues(run('log_return', { c: [1, 0, 1] }, [1])[0], [N, N, N]);
  });

  it('ret_mean / ret_std / ret_skew / ret_kurt over n = 4 returns', () => {
    // returns (×0.01) 1, 2, -3, 4, 5. Window at bar 4 = {1, 2, -3, 4}: mean 1, deviations 0, 1, -4, 3
    //   m2 = (0+1+16+9)/4 = 6.5, m3 = (0+1-64+27)/4 = -9, m4 = (0+1+256+81)/4 = 84.5
    //   mean = 0.01; std = sqrt(26/3)·0.01 = 0.0294392029
    //   skew G1 = sqrt(4·3)/(4-2) · m3/m2^1.5 = 1.7320508 · (-9/16.5718134) = -0.9406609207 (scale-free)
    //   kurt G2 = ((16-1)·84.5/6.5² - 3·3²)/((4-2)(4-3)) = (15·2 - 27)/2 = 1.5
    // Window at bar 5 = {2, -3, 4, 5}: mean 2, deviations 0, -5, 2, 3
    //   m2 = 38/4 = 9.5, m3 = (-125+8+27)/4 = -22.5, m4 = (625+16+81)/4 = 180.5
    //   mean = 0.02; std = sqrt(38/3)·0.01 = 0.0355902608; skew = 1.7320508·(-22.5/9.5^1.5) = -1.3309377322
    //   kurt = (15·180.5/90.25 - 27)/2 = (30 - 27)/2 = 1.5
    const c = fromReturns([0.01, 0.02, -0.03, 0.04, 0.05]);
    expectValues(run('ret_mean', { c }, [4])[0], [N, N, N, N, 0.01, 0.02], 1e-12);
    expectValues(run('ret_std', { c }, [4])[0], [N, N, N, N, 0.0294392028877595, 0.0355902608401044], 1e-10);
    expectValues(run('ret_skew', { c }, [4])[0], [N, N, N, N, -0.9406609206739718, -1.3309377322476705], 1e-9);
    expectValues(run('ret_kurt', { c }, [4])[0], [N, N, N, N, 1.5, 1.5], 1e-9);
  });

  it('moments of a flat window: mean 0, std 0, skew 0, kurt -3 (as pandas)', () => {
    const c = [5, 5, 5, 5, 5, 5];
    expectValues(run('ret_mean', { c }, [4])[0], [N, N, N, N, 0, 0]);
    expectValues(run('ret_std', { c }, [4])[0], [N, N, N, N, 0, 0]);
    expectValues(run('ret_skew', { c }, [4])[0], [N, N, N, N, 0, 0]);
    expectValues(run('ret_kurt', { c }, [4])[0], [N, N, N, N, -3, -3]);
  });

  it('zscore (n = 3, ddof 1)', () => {
    // bar 2: {1,2,3}: mean 2, std = sqrt((1+0+1)/2) = 1 → (3-2)/1 = 1
    // bar 3: {2,3,5}: mean 10/3, var = ((4/3)² + (1/3)² + (5/3)²)/2 = 42/18 = 7/3 → (5/3)/sqrt(7/3) = 1.0910894512
    // bars 4, 5: {3,5,4}: mean 4, std 1 → 0; {5,4,4}: mean 13/3, var = ((2/3)²+(1/3)²+(1/3)²)/2 = 1/3 → (-1/3)/0.57735 = -0.5773502692
    expectValues(run('zscore', { c: [1, 2, 3, 5, 4, 4] }, [3])[0], [N, N, 1, 1.0910894511799618, 0, -0.5773502691896258]);
    // flat window: 0 (not 0/0)
    expectValues(run('zscore', { c: [4, 4, 4, 4] }, [3])[0], [N, N, 0, 0]);
  });

  it('autocorr (n = 3, lag 1)', () => {
    // returns r1..r4 = 0.01, 0.02, 0.04, 0.03. At bar 4 the pairs (r_j, r_{j-1}), j = 2..4 are
    // x = (2, 4, 3), y = (1, 2, 4) (×0.01): means 3 and 7/3, dx = (-1, 1, 0), dy = (-4/3, -1/3, 5/3)
    // Σdxdy = 4/3 - 1/3 + 0 = 1, Σdx² = 2, Σdy² = 42/9 → corr = 1/sqrt(2·42/9) = 1/sqrt(28/3) = 0.3273268354
    const c = fromReturns([0.01, 0.02, 0.04, 0.03]);
    expectValues(run('autocorr', { c }, [3, 1])[0], [N, N, N, N, 0.32732683535398854], 1e-9);
    // a flat side gives NaN: returns all 0.01·k with the lagged side constant
    expectValues(run('autocorr', { c: [1, 1, 1, 1, 1, 1] }, [3, 1])[0], [N, N, N, N, N, N]);
  });

  it('corr_bench / beta_bench (n = 3), NaN while a missing benchmark close is in the window', () => {
    // asset returns x = 1, 2, 3 (×0.01), benchmark returns y = 1, 3, 2 (×0.01)
    // dx = (-1, 0, 1), dy = (-1, 1, 0): Σdxdy = 1, Σdx² = 2, Σdy² = 2
    // corr = 1/sqrt(2·2) = 0.5; beta = cov/var(y) = (1/2)/(2/2) = 0.5
    const c = fromReturns([0.01, 0.02, 0.03]);
    const bench = fromReturns([0.01, 0.03, 0.02], 50);
    expectValues(run('corr_bench', { c, bench }, [3])[0], [N, N, N, 0.5], 1e-9);
    expectValues(run('beta_bench', { c, bench }, [3])[0], [N, N, N, 0.5], 1e-9);
    // beta of 2× the benchmark's returns is 2, its correlation 1
    const b2 = fromReturns([0.005, 0.01, 0.015, -0.01, 0.002], 50);
    const c2 = fromReturns([0.01, 0.02, 0.03, -0.02, 0.004]);
    expectValues(run('beta_bench', { c: c2, bench: b2 }, [3])[0], [N, N, N, 2, 2, 2], 1e-9);
    expectValues(run('corr_bench', { c: c2, bench: b2 }, [3])[0], [N, N, N, 1, 1, 1], 1e-9);
    // benchmark missing at bar 2: returns at bars 2 and 3 are missing → NaN until 3 valid returns (bars 4, 5, 6)
    const c3 = fromReturns([0.01, -0.02, 0.03, 0.01, -0.01, 0.02, 0.01, 0.0]);
    const b3 = fromReturns([0.02, -0.01, 0.01, 0.03, -0.02, 0.01, 0.02, 0.01], 50);
    b3[2] = NaN;
    const got = run('corr_bench', { c: c3, bench: b3 }, [3])[0];
    expect(got.slice(0, 6).every(Number.isNaN)).toBe(true);
    expect(Number.isNaN(got[6])).toBe(false);
    // the asset's own series as benchmark: corr exactly 1
    const self = run('corr_bench', { c: c3, bench: c3 }, [3])[0];
    for (const v of self.slice(3)) expect(v).toBeCloseTo(1, 14);
  });

  it('hurst (n = 16: sizes 16 and 8)', () => {
    // returns (×0.01) 1,3,1,3,1,3,1,3, -1,-3,-1,-3,-1,-3,-1,-3
    // size 16: mean 0, cumulative deviations 1,4,5,8,…,16, then back down to 0 → R = 16; S = sqrt(mean x²) = sqrt(5)
    //          → R/S = 16/√5
    // size 8: chunk 1 mean 2, deviations ∓1 → cumsum -1,0,-1,0,… → R = 1, S = 1; chunk 2 likewise → mean R/S = 1
    // H = (ln(16/√5) - ln 1)/(ln 16 - ln 8) = (4 ln 2 - ½ ln 5)/ln 2 = 4 - ½·log2(5) = 2.8390359526
    const x = [1, 3, 1, 3, 1, 3, 1, 3, -1, -3, -1, -3, -1, -3, -1, -3].map((v) => v * 0.01);
    const c = fromReturns(x);
    const got = run('hurst', { c }, [16])[0];
    expect(got.slice(0, 16).every(Number.isNaN)).toBe(true);
    expect(got[16]).toBeCloseTo(2.839035952556319, 9);
    expect(Array.from(hurstSizes(100))).toEqual([100, 50, 25, 12]);
    // alternating ±1: every chunk has R = 1, S = 1 → R/S = 1 at every size → H = 0 (anti-persistent)
    const alt = Float64Array.from({ length: 32 }, (_, i) => (i % 2 ? -1 : 1));
    expect(hurstRS(alt, 32, hurstSizes(32))).toBeCloseTo(0, 12);
  });

  it('hurst of white noise is near 0.5 (classic R/S, slightly above)', () => {
    const h = spec('hurst').batch(walk(4000, 21), [100])[0];
    let s = 0;
    let k = 0;
    for (const v of h) if (v === v) (s += v), k++;
    expect(s / k).toBeGreaterThan(0.45);
    expect(s / k).toBeLessThan(0.65);
  });

  it('drawdown (n = 3)', () => {
    // bar 2: 9/max(10,12,9) - 1 = 9/12 - 1 = -0.25; bar 3: 11/12 - 1 = -0.0833333; bar 4: 8/max(9,11,8) - 1 = 8/11 - 1 = -0.2727273
    expectValues(run('drawdown', { c: [10, 12, 9, 11, 8, 13] }, [3])[0], [N, N, -0.25, 11 / 12 - 1, 8 / 11 - 1, 0]);
  });

  it('dist_high / dist_low (n = 2)', () => {
    const bars = { h: [11, 13, 10], l: [9, 10, 8], c: [10, 12, 9] };
    // bar 1: 12/max(11,13) - 1 = -0.0769231; bar 2: 9/max(13,10) - 1 = -0.3076923
    expectValues(run('dist_high', bars, [2])[0], [N, 12 / 13 - 1, 9 / 13 - 1]);
    // bar 1: 12/min(9,10) - 1 = 0.3333333; bar 2: 9/min(10,8) - 1 = 0.125
    expectValues(run('dist_low', bars, [2])[0], [N, 12 / 9 - 1, 0.125]);
  });
});

describe('calendar features: hand-computed', () => {
  const at = (iso: string) => Date.parse(iso);

  it('hour and weekday in UTC', () => {
    // 2024-01-01 00:00 UTC is a Monday: hour 0 → (sin, cos) = (0, 1); weekday 0 → (0, 1)
    // 2024-01-03 18:30 UTC is a Wednesday: hour 18.5 → angle 2π·18.5/24: sin = -0.9914449, cos = 0.1305262
    //                                      weekday 2 → angle 4π/7: sin = 0.9749279, cos = -0.2225209
    const ts = [at('2024-01-01T00:00:00Z'), at('2024-01-03T18:30:00Z')];
    const input = mk({ c: [1, 1], ts, tz: 'UTC' });
    const [hs, hc] = run('hour', input);
    const [ws, wc] = run('weekday', input);
    expectValues(hs, [0, -0.9914448613738105]);
    expectValues(hc, [1, 0.13052619222005127]);
    expectValues(ws, [0, 0.9749279121818236]);
    expectValues(wc, [1, -0.22252093395631434]);
  });

  it('reads the series time zone, including DST', () => {
    // 2024-01-01 03:00 UTC = 2023-12-31 22:00 EST (Sunday): hour 22 → sin(2π·22/24) = -0.5, cos = 0.8660254
    //                                                      Sunday 6 → sin(12π/7) = -0.7818315, cos = 0.6234898
    // 2024-07-01 12:00 UTC = 08:00 EDT (Monday): hour 8 → sin(2π/3) = 0.8660254, cos = -0.5; weekday (0, 1)
    // a missing ts gives NaN; prices are not read
    const ts = [at('2024-01-01T03:00:00Z'), at('2024-07-01T12:00:00Z'), NaN];
    const input = mk({ c: [N, 1, 1], ts, tz: 'America/New_York' });
    const [hs, hc] = run('hour', input);
    const [ws, wc] = run('weekday', input);
    expectValues(hs, [-0.5, Math.sqrt(3) / 2, N]);
    expectValues(hc, [Math.sqrt(3) / 2, -0.5, N]);
    expectValues(ws, [-0.7818314824680299, 0, N]);
    expectValues(wc, [0.6234898018587334, 1, N]);
  });

  it('every minute of a week maps to its own point on the circle', () => {
    const ts: number[] = [];
    for (let m = 0; m < 7 * 1440; m += 37) ts.push(Date.UTC(2024, 0, 1) + m * 60_000);
    const input = mk({ c: ts.map(() => 1), ts, tz: 'UTC' });
    const [hs, hc] = run('hour', input);
    const [ws, wc] = run('weekday', input);
    for (let i = 0; i < ts.length; i++) {
      const minute = ((ts[i] - Date.UTC(2024, 0, 1)) / 60_000) % 1440;
      const day = Math.floor((ts[i] - Date.UTC(2024, 0, 1)) / 86_400_000);
      expect(Math.atan2(hs[i], hc[i])).toBeCloseTo(((minute / 1440) * 2 * Math.PI + Math.PI) % (2 * Math.PI) - Math.PI, 9);
      expect(Math.atan2(ws[i], wc[i])).toBeCloseTo(((day / 7) * 2 * Math.PI + Math.PI) % (2 * Math.PI) - Math.PI, 9);
    }
  });
});

describe('regime features: hand-computed', () => {
  it('vol_regime (vol period 2, window 3)', () => {
    // returns r1..r6 = 0, 0.01, 0.03, 0.03, 0, 0.02; vol over 2 returns = |r_t - r_{t-1}|/√2:
    //   bar 2: 0.01/√2, bar 3: 0.02/√2, bar 4: 0, bar 5: 0.03/√2, bar 6: 0.02/√2
    // bar 4: {0.01, 0.02, 0}/√2, current 0 is the lowest → 0
    // bar 5: {0.02, 0, 0.03}/√2, current 0.03 the highest → 1
    // bar 6: {0, 0.03, 0.02}/√2, current 0.02 is above one of two others → 1/2
    const c = fromReturns([0, 0.01, 0.03, 0.03, 0, 0.02]);
    expectValues(run('vol_regime', { c }, [2, 3])[0], [N, N, N, N, 0, 1, 0.5]);
    // ties take the mid rank: a flat series has vol 0 everywhere → (0 + (3-1)/2)/2 = 0.5
    expectValues(run('vol_regime', { c: [7, 7, 7, 7, 7, 7] }, [2, 3])[0], [N, N, N, N, 0.5, 0.5]);
  });

  it('trend_regime (fast 2, slow 3)', () => {
    // bar 2: fast (2+3)/2 = 2.5 > slow 2 and close 3 > 2 → +1
    // bar 3: fast 3.5 > slow 3, close 4 > 3 → +1
    // bar 4: fast 3.5 > slow 10/3, close 3 < 10/3 → 0
    // bar 5: fast 2 < slow 8/3, close 1 < 8/3 → -1
    // bar 6: fast 1.5 < slow 2, close 2 = slow (not below) → 0
    expectValues(run('trend_regime', { c: [1, 2, 3, 4, 3, 1, 2] }, [2, 3])[0], [N, N, 1, 1, 0, -1, 0]);
  });

  it('forwardStep: one step of the filter by hand', () => {
    // mu = 0 in both states, sigma0 = 1, sigma1 = 2, p01 = 0.1, p10 = 0.2, previous P(high) = 0.5
    // prediction: P(high) = 0.5·0.1 + 0.5·0.8 = 0.45, P(low) = 0.5·0.9 + 0.5·0.2 = 0.55
    // r = 0: densities ∝ 1/σ → 1 and 0.5 → 0.45·0.5/(0.55·1 + 0.45·0.5) = 0.225/0.775 = 0.2903226
    // r = 2: ∝ e^{-2} and 0.5·e^{-0.5} → 0.225·0.6065307/(0.55·0.1353353 + 0.225·0.6065307) = 0.6470694
    const m: Hmm2 = { mu0: 0, mu1: 0, sigma0: 1, sigma1: 2, p01: 0.1, p10: 0.2, pi1: 1 / 3, loglik: NaN, trace: new Float64Array(0) };
    expect(forwardStep(0.5, 0, m)).toBeCloseTo(0.2903225806451613, 12);
    expect(forwardStep(0.5, 2, m)).toBeCloseTo(0.647069401820331, 12);
    // an extreme outlier does not underflow: it is (almost) surely the high state
    expect(forwardStep(0.5, 60, m)).toBeCloseTo(1, 12);
    // the ergodic probability is a fixed point of the prediction (1/3·0.8 + 2/3·0.1 = 1/3)
    expect((1 - m.pi1) * m.p01 + m.pi1 * (1 - m.p10)).toBeCloseTo(m.pi1, 15);
  });
});

// ------------------------------------------------------------------ HMM on simulated data

/** Simulate a 2-state Markov-switching Gaussian series with known parameters. */
function simulate(T: number, seed: number, p: { s0: number; s1: number; p01: number; p10: number }): { r: Float64Array; state: Int8Array } {
  const rng = new Rng(seed);
  const r = new Float64Array(T);
  const state = new Int8Array(T);
  let s = 0;
  for (let t = 0; t < T; t++) {
    if (t > 0) {
      const u = rng.next();
      if (s === 0 && u < p.p01) s = 1;
      else if (s === 1 && u < p.p10) s = 0;
    }
    state[t] = s;
    r[t] = (s ? p.s1 : p.s0) * rng.normal();
  }
  return { r, state };
}

describe('2-state HMM', () => {
  const truth = { s0: 0.005, s1: 0.02, p01: 0.02, p10: 0.05 };

  it('fitHmm2 recovers the two sigmas and the transition probabilities', () => {
    for (const seed of [1, 2, 3]) {
      const { r } = simulate(3000, seed, truth);
      const m = fitHmm2(r, HMM_ITERS, 7);
      expect(m.sigma0).toBeGreaterThan(truth.s0 * 0.85);
      expect(m.sigma0).toBeLessThan(truth.s0 * 1.15);
      expect(m.sigma1).toBeGreaterThan(truth.s1 * 0.85);
      expect(m.sigma1).toBeLessThan(truth.s1 * 1.15);
      expect(m.p01).toBeGreaterThan(0.005);
      expect(m.p01).toBeLessThan(0.06);
      expect(m.p10).toBeGreaterThan(0.015);
      expect(m.p10).toBeLessThan(0.15);
      expect(m.pi1).toBeCloseTo(m.p01 / (m.p01 + m.p10), 12);
      // EM: the likelihood does not go down (up to the O(1/T) term of the ergodic start)
      for (let i = 1; i < m.trace.length; i++) expect(m.trace[i]).toBeGreaterThanOrEqual(m.trace[i - 1] - 1e-9 * Math.abs(m.trace[i - 1]));
      expect(m.loglik).toBe(m.trace[HMM_ITERS]);
    }
  });

  it('the filtered probability is high in the simulated high-vol segments and low elsewhere', () => {
    const { r, state } = simulate(3000, 4, truth);
    const m = fitHmm2(r, HMM_ITERS, 7);
    let p = m.pi1;
    let hi = 0;
    let nh = 0;
    let lo = 0;
    let nl = 0;
    let right = 0;
    for (let t = 0; t < r.length; t++) {
      p = forwardStep(p, r[t], m);
      if (state[t]) (hi += p), nh++;
      else (lo += p), nl++;
      if ((p > 0.5 ? 1 : 0) === state[t]) right++;
    }
    expect(hi / nh).toBeGreaterThan(0.75);
    expect(lo / nl).toBeLessThan(0.15);
    expect(right / r.length).toBeGreaterThan(0.9);
  });

  it('is deterministic, labels state 1 as the high-vol one, and handles degenerate input', () => {
    const { r } = simulate(500, 9, truth);
    const a = fitHmm2(r, 20, 7);
    const b = fitHmm2(r, 20, 7);
    expect(a).toEqual(b);
    expect(a.sigma1).toBeGreaterThan(a.sigma0);
    // a different seed changes the start a little but lands on the same optimum
    const c = fitHmm2(r, 50, 123);
    expect(c.sigma1 / a.sigma1).toBeGreaterThan(0.9);
    expect(c.sigma1 / a.sigma1).toBeLessThan(1.1);
    expect(Number.isNaN(fitHmm2(new Float64Array(10), 20).sigma0)).toBe(true); // all equal: no model
    expect(Number.isNaN(fitHmm2(new Float64Array(1), 20).sigma0)).toBe(true);
    expect(() => fitHmm2(Float64Array.from([0, NaN, 1]), 20)).toThrow(RangeError);
    expect(Number.isNaN(forwardStep(0.5, 0.01, fitHmm2(new Float64Array(10), 5)))).toBe(true);
  });

  it('hmm_state = fit on the first `period` returns only, then the causal forward filter', () => {
    const { r, state } = simulate(1200, 5, truth);
    const c = fromReturns(Array.from(r));
    const period = 250;
    const out = spec('hmm_state').batch(mk({ c }), [period, 7])[0];
    // NaN before `period` returns exist (bar index period has the period-th return)
    for (let i = 0; i < period; i++) expect(out[i]).toBeNaN();
    // reproduce by hand: returns of the closes (as the kernel computes them), fit on the warm-up, filter
    const rr = Float64Array.from({ length: c.length - 1 }, (_, i) => Math.log(c[i + 1] / c[i]));
    const m = fitHmm2(rr.subarray(0, period), HMM_ITERS, 7);
    let p = m.pi1;
    for (let t = 0; t < rr.length; t++) {
      p = forwardStep(p, rr[t], m);
      if (t + 1 >= period) expect(out[t + 1]).toBe(p);
    }
    // and it tracks the simulated regimes after the warm-up
    let right = 0;
    for (let t = period; t < r.length; t++) if ((out[t + 1] > 0.5 ? 1 : 0) === state[t]) right++;
    expect(right / (r.length - period)).toBeGreaterThan(0.85);
  });

  it('hmm_state: a missing close gives NaN and keeps the filter state; warm-up counts valid returns', () => {
    const { r } = simulate(80, 6, truth);
    const c = fromReturns(Array.from(r));
    const holed = c.slice();
    holed[5] = NaN; // returns at bars 5 and 6 are missing
    const a = spec('hmm_state').batch(mk({ c: holed }), [20, 7])[0];
    // 20 valid returns are reached at bar 22 (returns 1..4 and 7..22)
    for (let i = 0; i < 22; i++) expect(a[i]).toBeNaN();
    expect(Number.isNaN(a[22])).toBe(false);
    const valid = [] as number[];
    for (let i = 1; i < holed.length; i++) {
      const x = Math.log(holed[i] / holed[i - 1]);
      if (Number.isFinite(x)) valid.push(x);
    }
    const m = fitHmm2(Float64Array.from(valid.slice(0, 20)), HMM_ITERS, 7);
    let p = m.pi1;
    for (let k = 0; k < valid.length; k++) {
      p = forwardStep(p, valid[k], m);
      if (k === valid.length - 1) expect(a[a.length - 1]).toBe(p);
    }
  });
});

describe('fast batches equal their kernels and the naive definitions', () => {
  it('vol_regime (sorted window) equals an O(m) scan, with ties and missing closes', () => {
    const rng = new Rng(5);
    // closes on a coarse grid so vols tie often; a few missing closes
    const c: number[] = [100];
    for (let i = 1; i < 900; i++) c.push(Math.max(1, c[i - 1] + (rng.next() < 0.5 ? -1 : 1) * (rng.next() < 0.3 ? 0 : 1)));
    for (const k of [150, 151, 500]) c[k] = NaN;
    const vp = 3;
    const m = 12;
    const got = run('vol_regime', { c }, [vp, m])[0];
    const vol = run('ret_std', { c }, [vp])[0];
    for (let i = 0; i < c.length; i++) {
      const w = vol.slice(Math.max(0, i - m + 1), i + 1);
      if (i < m - 1 || w.some((v) => Number.isNaN(v))) {
        expect(got[i], `bar ${i}`).toBeNaN();
        continue;
      }
      const s = vol[i];
      const less = w.filter((v) => v < s).length;
      const eq = w.filter((v) => v === s).length;
      expect(got[i], `bar ${i}`).toBe((less + (eq - 1) / 2) / (m - 1));
    }
  });

  it('hurst (chunk reuse) equals hurstRS over each window, and the stream equals the batch', () => {
    const rng = new Rng(9);
    const r = Array.from({ length: 400 }, () => (rng.next() - 0.5) * 0.02);
    r[200] = 0; // flat stretch of returns
    for (let i = 201; i < 230; i++) r[i] = 0;
    const c = fromReturns(r);
    c[300] = NaN;
    const n = 40;
    const got = run('hurst', { c }, [n])[0];
    const lr = run('log_return', { c }, [1])[0];
    for (let i = 0; i < c.length; i++) {
      const w = lr.slice(i - n + 1, i + 1);
      if (i < n || w.some((v) => Number.isNaN(v))) expect(got[i], `bar ${i}`).toBeNaN();
      else expect(same(got[i], hurstRS(Float64Array.from(w), n, hurstSizes(n)), 0), `bar ${i}`).toBe(true);
    }
    const st = spec('hurst').stream([n]);
    const s = c.map((x) => st.update(x, x, x, x, 1)[0]);
    assertSeries(s, got, 'hurst stream', 0);
  });
});
