/**
 * Regime features (group 'regime'): a volatility percentile, a moving-average trend state and the filtered
 * high-volatility probability of a 2-state Gaussian HMM. Built with defineFeature (stats.ts): batch drives the same
 * incremental kernel as the stream, so the two agree bit for bit and no output reads a later bar. Missing values as in
 * stats.ts / kernels.ts (windowed: NaN while a missing value is in the window; recursive (the HMM filter): a missing
 * return gives NaN and the filter state is kept).
 */
import { Rng } from '../../src/rng.ts';
import { RollingMean, RollingVar, meanOf, periodParam, sharedRetStd } from '../indicators/kernels.ts';
import type { IndicatorSpec } from '../indicators/types.ts';
import { LogReturn1, defineFeature, sharedLogReturns, type FeatureKernel } from './stats.ts';

// ---------------------------------------------------------------------------------------------------------------
// vol_regime
// ---------------------------------------------------------------------------------------------------------------

/** SortedWindow moves at most this many values with an inline loop, more with copyWithin. */
const SHIFT_INLINE_MAX = 24;

/**
 * The last m values kept sorted (ascending) in a Float64Array: rank queries by binary search, a new value replaces
 * the oldest by shifting the values between them by one (an inline loop for short moves, copyWithin for long ones).
 * O(log m) + a memmove per bar instead of an O(m) scan.
 */
class SortedWindow {
  readonly a: Float64Array;
  size = 0;
  constructor(m: number) {
    this.a = new Float64Array(m);
  }
  /** number of values < x */
  below(x: number): number {
    const a = this.a;
    let lo = 0;
    let hi = this.size;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (a[mid] < x) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
  /** number of values <= x */
  notAbove(x: number): number {
    const a = this.a;
    let lo = 0;
    let hi = this.size;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (a[mid] <= x) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
  insert(x: number): void {
    const a = this.a;
    const j = this.notAbove(x);
    for (let k = this.size; k > j; k--) a[k] = a[k - 1];
    a[j] = x;
    this.size++;
  }
  /**
   * Replace one instance of `old` (present) by x, then rank(x): two binary searches and one shift (ties with x are
   * counted by a scan down from x's slot, O(#ties)).
   */
  replaceRank(old: number, x: number): number {
    const a = this.a;
    const i = this.below(old);
    let j = this.notAbove(x);
    // long moves by copyWithin (a memmove), short ones inline (a call costs more than a few moves)
    if (x >= old) {
      if (j - 1 - i > SHIFT_INLINE_MAX) a.copyWithin(i, i + 1, j);
      else for (let k = i; k < j - 1; k++) a[k] = a[k + 1];
      a[j - 1] = x;
    } else {
      if (i - j > SHIFT_INLINE_MAX) a.copyWithin(j + 1, j, i);
      else for (let k = i; k > j; k--) a[k] = a[k - 1];
      a[j] = x;
      j++;
    }
    // now a[0..j) <= x < a[j..size): count the equal ones at the top of a[0..j)
    let less = j - 1;
    while (less > 0 && a[less - 1] === x) less--;
    return (less + (j - less - 1) / 2) / (this.size - 1);
  }
  /** (L + (E - 1)/2) / (m - 1) for a value x in the window */
  rank(x: number): number {
    const less = this.below(x);
    const eq = this.notAbove(x) - less;
    return (less + (eq - 1) / 2) / (this.size - 1);
  }
}

/**
 * rank = (L + (E - 1)/2) / (m - 1), where among the last m volatility values (the current one included) L are strictly
 * below the current value and E equal to it (the current one included): 0 at the window's minimum, 1 at its maximum,
 * ties take the mid rank. The window is kept sorted (SortedWindow): O(log m) + a memmove per bar.
 */
class VolRegimeKernel implements FeatureKernel {
  private readonly r = new LogReturn1();
  private readonly v: RollingVar;
  private readonly buf: Float64Array;
  private readonly sorted: SortedWindow;
  private pos = 0;
  private valid = 0; // consecutive valid volatility values (capped at m)
  constructor(vp: number, private readonly m: number, private readonly out: Float64Array) {
    this.v = new RollingVar(vp, 1);
    this.buf = new Float64Array(m);
    this.sorted = new SortedWindow(m);
  }
  update(_o: number, _h: number, _l: number, c: number): void {
    const s = Math.sqrt(this.v.update(this.r.update(c)));
    const m = this.m;
    if (s !== s) {
      this.valid = 0;
      this.sorted.size = 0;
      this.out[0] = NaN;
      return;
    }
    if (this.valid < m) {
      this.sorted.insert(s);
      this.valid++;
    } else {
      this.out[0] = this.sorted.replaceRank(this.buf[this.pos], s);
      this.buf[this.pos] = s;
      if (++this.pos === m) this.pos = 0;
      return;
    }
    this.buf[this.pos] = s;
    if (++this.pos === m) this.pos = 0;
    this.out[0] = this.valid < m ? NaN : this.sorted.rank(s);
  }
}

/** Batch vol_regime: the vol column, then the sorted window over it (the column is the window's ring). */
function volRegimeColumn(close: Float64Array, vp: number, m: number): Float64Array {
  const vol = sharedRetStd(close, vp); // read only (shared with ret_std / vol_cc)
  const len = vol.length;
  const out = new Float64Array(len);
  const w = new SortedWindow(m);
  let valid = 0;
  for (let i = 0; i < len; i++) {
    const s = vol[i];
    if (s !== s) {
      valid = 0;
      w.size = 0;
      out[i] = NaN;
      continue;
    }
    if (valid < m) {
      w.insert(s);
      valid++;
      out[i] = valid < m ? NaN : w.rank(s);
    } else {
      out[i] = w.replaceRank(vol[i - m], s);
    }
  }
  return out;
}

export const VOL_REGIME: IndicatorSpec = defineFeature({
  name: 'vol_regime',
  description: 'Percentile rank (0..1) of the current n-bar return volatility among its last m values',
  group: 'regime',
  inputs: ['close'],
  params: [periodParam('vol_period', 20, 2), periodParam('window', 250, 2)],
  outputs: ['vol_regime'],
  note:
    'vol = sample std (ddof 1) of the last vol_period 1-bar log returns (as ret_std); rank = (#below + (#equal-1)/2)/(m-1) ' +
    'over the last m vols including the current: causal, 0 = lowest, 1 = highest. O(log m) per bar (a sorted window).',
  lookback: ([vp, m]) => vp + m - 1,
  make: ([vp, m], out) => new VolRegimeKernel(vp, m, out),
  batch: ({ close }, [vp, m]) => [volRegimeColumn(close, vp, m)],
});

// ---------------------------------------------------------------------------------------------------------------
// trend_regime
// ---------------------------------------------------------------------------------------------------------------

class TrendRegimeKernel implements FeatureKernel {
  private readonly f: RollingMean;
  private readonly s: RollingMean;
  constructor(fast: number, slow: number, private readonly out: Float64Array) {
    this.f = new RollingMean(fast);
    this.s = new RollingMean(slow);
  }
  update(_o: number, _h: number, _l: number, c: number): void {
    const f = this.f.update(c);
    const s = this.s.update(c);
    if (f !== f || s !== s) this.out[0] = NaN;
    else if (f > s && c > s) this.out[0] = 1;
    else if (f < s && c < s) this.out[0] = -1;
    else this.out[0] = 0;
  }
}

export const TREND_REGIME: IndicatorSpec = defineFeature({
  name: 'trend_regime',
  description: '+1 if SMA_fast > SMA_slow and close > SMA_slow, -1 if both below, else 0',
  group: 'regime',
  inputs: ['close'],
  params: [periodParam('fast', 50, 1), periodParam('slow', 200, 1)],
  outputs: ['trend_regime'],
  note: 'Strict comparisons (equality gives 0). fast < slow is expected but not required.',
  lookback: ([f, s]) => Math.max(f, s) - 1,
  make: ([f, s], out) => new TrendRegimeKernel(f, s, out),
  batch: ({ close: c, len }, [fast, slow]) => {
    const f = meanOf(c, fast, 0); // read only (shared with sma / bb / zscore in a batch scope)
    const sm = meanOf(c, slow, 1);
    const out = new Float64Array(len);
    for (let i = 0; i < len; i++) {
      const fi = f[i];
      const si = sm[i];
      const ci = c[i];
      out[i] = fi !== fi || si !== si ? NaN : fi > si && ci > si ? 1 : fi < si && ci < si ? -1 : 0;
    }
    return [out];
  },
});

// ---------------------------------------------------------------------------------------------------------------
// 2-state Gaussian HMM
// ---------------------------------------------------------------------------------------------------------------

/**
 * A fitted 2-state Gaussian HMM. State 0 is the low-volatility state, state 1 the high (sigma1 ≥ sigma0; states are
 * relabelled after the fit). All fields NaN when no model could be fitted (fewer than 2 returns, or all equal).
 */
export interface Hmm2 {
  mu0: number;
  mu1: number;
  sigma0: number;
  sigma1: number;
  /** P(state_t = 1 | state_{t-1} = 0) */
  p01: number;
  /** P(state_t = 0 | state_{t-1} = 1) */
  p10: number;
  /** ergodic (stationary) probability of the high state p01/(p01+p10): the filter's starting point */
  pi1: number;
  /** log-likelihood of the returns under the final parameters */
  loglik: number;
  /** log-likelihood at the start of each EM iteration and after the last (length iters + 1) */
  trace: Float64Array;
}

/** Bounds on the transition probabilities (no absorbing state, no state that lasts no time). */
const P_MIN = 1e-6;
const P_MAX = 1 - 1e-6;
/** Variance floor relative to the sample variance of the fitted returns (a state cannot collapse onto a point). */
const VAR_FLOOR = 1e-4;
const HALF_LOG_2PI = 0.5 * Math.log(2 * Math.PI);

function clampP(p: number): number {
  return p < P_MIN ? P_MIN : p > P_MAX ? P_MAX : p;
}

function nanModel(iters: number): Hmm2 {
  return { mu0: NaN, mu1: NaN, sigma0: NaN, sigma1: NaN, p01: NaN, p10: NaN, pi1: NaN, loglik: NaN, trace: new Float64Array(iters + 1).fill(NaN) };
}

/**
 * Fit a 2-state Gaussian HMM to `returns` (all finite) by Baum-Welch (EM) with a fixed number of iterations.
 *
 * Model (Hamilton's regime-switching form): state s_t ∈ {0, 1} a Markov chain with P(0→1) = p01, P(1→0) = p10; the
 * chain starts from its ergodic distribution π1 = p01/(p01+p10) (not a free parameter: with one sequence it is not
 * identifiable); r_t | s_t = k ~ N(mu_k, sigma_k²).
 *
 * Deterministic initialisation from quantiles: with m the sample mean, the returns are split at the median of
 * |r - m|; sigma0 and sigma1 start at the root mean square deviation of the inner and outer halves (each scaled by a
 * factor in [0.95, 1.05) drawn from Rng(seed), so a seed picks a reproducible start), mu0 = mu1 = m, p01 = p10 = 0.05.
 *
 * Each iteration: E-step by the scaled forward-backward recursions (Rabiner), emission densities taken relative to
 * the larger of the two at each t so an outlier cannot underflow both; M-step: mu_k, sigma_k² = γ-weighted mean and
 * variance (floored at 1e-4 × the sample variance), p01 = Σ ξ_t(0,1) / Σ_{t<T-1} γ_t(0), likewise p10, both kept in
 * [1e-6, 1 - 1e-6]. π follows A (not an EM update), so the log-likelihood trace is EM-monotone up to that O(1/T) term.
 * O(T·iters); allocates its work arrays once per call.
 */
export function fitHmm2(returns: Float64Array, iters = 20, seed = 7): Hmm2 {
  const T = returns.length;
  if (!Number.isInteger(iters) || iters < 0) throw new RangeError(`fitHmm2: iters must be an integer >= 0, got ${iters}`);
  for (let t = 0; t < T; t++) {
    const x = returns[t];
    if (x - x !== 0) throw new RangeError(`fitHmm2: returns must be finite (index ${t} is ${x})`);
  }
  if (T < 2) return nanModel(iters);
  let mean = 0;
  for (let t = 0; t < T; t++) mean += returns[t];
  mean /= T;
  let v = 0;
  for (let t = 0; t < T; t++) {
    const d = returns[t] - mean;
    v += d * d;
  }
  v /= T;
  if (!(v > 0)) return nanModel(iters);
  const floor = v * VAR_FLOOR;

  // --- initialisation from quantiles of |r - mean|
  const dev = new Float64Array(T);
  for (let t = 0; t < T; t++) dev[t] = Math.abs(returns[t] - mean);
  dev.sort();
  const half = T >> 1;
  let lo = 0;
  for (let t = 0; t < half; t++) lo += dev[t] * dev[t];
  let hi = 0;
  for (let t = half; t < T; t++) hi += dev[t] * dev[t];
  lo = half > 0 ? lo / half : 0;
  hi /= T - half;
  const rng = new Rng(seed);
  const j0 = 0.95 + 0.1 * rng.next();
  const j1 = 0.95 + 0.1 * rng.next();
  let var0 = Math.max(lo, floor) * j0 * j0;
  let var1 = Math.max(hi, floor) * j1 * j1;
  let mu0 = mean;
  let mu1 = mean;
  let p01 = 0.05;
  let p10 = 0.05;

  const a0 = new Float64Array(T);
  const a1 = new Float64Array(T);
  const b0 = new Float64Array(T);
  const b1 = new Float64Array(T);
  const cs = new Float64Array(T);
  const trace = new Float64Array(iters + 1);

  // forward pass with the current parameters; returns the log-likelihood, leaves α̂, b, c for the backward pass
  const forward = (): number => {
    const ls0 = Math.log(var0) / 2;
    const ls1 = Math.log(var1) / 2;
    const pi1 = p01 / (p01 + p10);
    let ll = 0;
    let q0 = 1 - pi1; // filtered probabilities at t-1 (the ergodic distribution before the first return)
    let q1 = pi1;
    for (let t = 0; t < T; t++) {
      const r = returns[t];
      const z0 = r - mu0;
      const z1 = r - mu1;
      const l0 = -ls0 - (z0 * z0) / (2 * var0);
      const l1 = -ls1 - (z1 * z1) / (2 * var1);
      const mx = l0 > l1 ? l0 : l1;
      const e0 = Math.exp(l0 - mx);
      const e1 = Math.exp(l1 - mx);
      b0[t] = e0;
      b1[t] = e1;
      const f0 = (q0 * (1 - p01) + q1 * p10) * e0;
      const f1 = (q0 * p01 + q1 * (1 - p10)) * e1;
      const c = f0 + f1;
      cs[t] = c;
      q0 = f0 / c;
      q1 = f1 / c;
      a0[t] = q0;
      a1[t] = q1;
      ll += Math.log(c) + mx - HALF_LOG_2PI;
    }
    return ll;
  };

  for (let it = 0; it < iters; it++) {
    trace[it] = forward();
    // backward pass fused with the M-step sums; β̂_{T-1} = 1
    let be0 = 1;
    let be1 = 1;
    let g0 = a0[T - 1];
    let g1 = a1[T - 1];
    let gr0 = g0 * returns[T - 1];
    let gr1 = g1 * returns[T - 1];
    let x01 = 0;
    let x10 = 0;
    let gp0 = 0; // Σ_{t<T-1} γ_t(0)
    let gp1 = 0;
    for (let t = T - 2; t >= 0; t--) {
      const c = cs[t + 1];
      const u0 = (b0[t + 1] * be0) / c;
      const u1 = (b1[t + 1] * be1) / c;
      // ξ_t(j,k) = α̂_t(j)·a_jk·b_k(t+1)·β̂_{t+1}(k)/c_{t+1}
      x01 += a0[t] * p01 * u1;
      x10 += a1[t] * p10 * u0;
      be0 = (1 - p01) * u0 + p01 * u1;
      be1 = p10 * u0 + (1 - p10) * u1;
      const gg0 = a0[t] * be0;
      const gg1 = a1[t] * be1;
      const gs = gg0 + gg1; // 1 up to rounding
      const y0 = gg0 / gs;
      const y1 = gg1 / gs;
      g0 += y0;
      g1 += y1;
      gp0 += y0;
      gp1 += y1;
      gr0 += y0 * returns[t];
      gr1 += y1 * returns[t];
      // keep γ for the variance pass (α̂ is recomputed by the next forward pass anyway)
      a0[t] = y0;
      a1[t] = y1;
    }
    if (g0 > 0) mu0 = gr0 / g0;
    if (g1 > 0) mu1 = gr1 / g1;
    let s0 = 0;
    let s1 = 0;
    for (let t = 0; t < T; t++) {
      const d0 = returns[t] - mu0;
      const d1 = returns[t] - mu1;
      s0 += a0[t] * d0 * d0;
      s1 += a1[t] * d1 * d1;
    }
    if (g0 > 0) var0 = Math.max(s0 / g0, floor);
    if (g1 > 0) var1 = Math.max(s1 / g1, floor);
    if (gp0 > 0) p01 = clampP(x01 / gp0);
    if (gp1 > 0) p10 = clampP(x10 / gp1);
  }
  const ll = forward();
  trace[iters] = ll;
  const m: Hmm2 = {
    mu0,
    mu1,
    sigma0: Math.sqrt(var0),
    sigma1: Math.sqrt(var1),
    p01,
    p10,
    pi1: p01 / (p01 + p10),
    loglik: ll,
    trace,
  };
  if (m.sigma0 > m.sigma1) {
    m.mu0 = mu1;
    m.mu1 = mu0;
    m.sigma0 = Math.sqrt(var1);
    m.sigma1 = Math.sqrt(var0);
    m.p01 = p10;
    m.p10 = p01;
    m.pi1 = p10 / (p01 + p10);
  }
  return m;
}

/**
 * One step of the forward (Hamilton) filter: from P(high at t-1 | r_..t-1) = `pHigh` and the return r_t, the filtered
 * P(high at t | r_..t). Start with pHigh = m.pi1 (the ergodic probability) before the first return. Computed in logs
 * (no underflow on outliers). NaN when r or the model is NaN; does not allocate.
 */
export function forwardStep(pHigh: number, r: number, m: Hmm2): number {
  const pred1 = (1 - pHigh) * m.p01 + pHigh * (1 - m.p10);
  const pred0 = (1 - pHigh) * (1 - m.p01) + pHigh * m.p10;
  const z0 = (r - m.mu0) / m.sigma0;
  const z1 = (r - m.mu1) / m.sigma1;
  const l0 = Math.log(pred0) - Math.log(m.sigma0) - 0.5 * z0 * z0;
  const l1 = Math.log(pred1) - Math.log(m.sigma1) - 0.5 * z1 * z1;
  return 1 / (1 + Math.exp(l0 - l1));
}

/** forwardStep with ln σ0, ln σ1 precomputed (ls0, ls1): the same operations in the same order, so the same bits. */
function forwardStepL(pHigh: number, r: number, m: Hmm2, ls0: number, ls1: number): number {
  const pred1 = (1 - pHigh) * m.p01 + pHigh * (1 - m.p10);
  const pred0 = (1 - pHigh) * (1 - m.p01) + pHigh * m.p10;
  const z0 = (r - m.mu0) / m.sigma0;
  const z1 = (r - m.mu1) / m.sigma1;
  const l0 = Math.log(pred0) - ls0 - 0.5 * z0 * z0;
  const l1 = Math.log(pred1) - ls1 - 0.5 * z1 * z1;
  return 1 / (1 + Math.exp(l0 - l1));
}

/** Batch hmm_state: HmmKernel's steps over the return column. */
function hmmColumn(close: Float64Array, period: number, seed: number): Float64Array {
  const r = sharedLogReturns(close);
  const len = r.length;
  const out = new Float64Array(len);
  const warm = new Float64Array(period);
  let nWarm = 0;
  let i = 0;
  for (; i < len; i++) {
    const x = r[i];
    out[i] = NaN;
    if (x !== x) continue;
    warm[nWarm++] = x;
    if (nWarm === period) break;
  }
  if (i >= len) return out;
  const m = fitHmm2(warm, HMM_ITERS, seed);
  const ls0 = Math.log(m.sigma0);
  const ls1 = Math.log(m.sigma1);
  let p = m.pi1;
  for (let k = 0; k < period; k++) p = forwardStepL(p, warm[k], m, ls0, ls1);
  out[i] = p;
  for (i++; i < len; i++) {
    const x = r[i];
    if (x !== x) {
      out[i] = NaN;
      continue;
    }
    p = forwardStepL(p, x, m, ls0, ls1);
    out[i] = p;
  }
  return out;
}

/** Baum-Welch iterations hmm_state runs (fixed, not a parameter). */
export const HMM_ITERS = 20;

class HmmKernel implements FeatureKernel {
  private readonly r = new LogReturn1();
  private readonly warm: Float64Array;
  private nWarm = 0;
  private model: Hmm2 | null = null;
  private ls0 = NaN;
  private ls1 = NaN;
  private p = NaN;
  constructor(private readonly period: number, private readonly seed: number, private readonly out: Float64Array) {
    this.warm = new Float64Array(period);
  }
  update(_o: number, _h: number, _l: number, c: number): void {
    const r = this.r.update(c);
    if (r !== r) {
      this.out[0] = NaN; // missing return: no output, filter state kept
      return;
    }
    const m = this.model;
    if (m !== null) {
      this.p = forwardStepL(this.p, r, m, this.ls0, this.ls1);
      this.out[0] = this.p;
      return;
    }
    this.warm[this.nWarm++] = r;
    if (this.nWarm < this.period) {
      this.out[0] = NaN;
      return;
    }
    // the period-th valid return: fit on the warm-up returns only, then filter them causally
    const fit = fitHmm2(this.warm, HMM_ITERS, this.seed);
    this.model = fit;
    this.ls0 = Math.log(fit.sigma0);
    this.ls1 = Math.log(fit.sigma1);
    let p = fit.pi1;
    for (let i = 0; i < this.period; i++) p = forwardStepL(p, this.warm[i], fit, this.ls0, this.ls1);
    this.p = p;
    this.out[0] = p;
  }
}

export const HMM_STATE: IndicatorSpec = defineFeature({
  name: 'hmm_state',
  description: 'Filtered probability of the high-volatility state of a 2-state Gaussian HMM on 1-bar log returns',
  group: 'regime',
  inputs: ['close'],
  params: [periodParam('period', 250, 10), { name: 'seed', default: 7, min: 0, max: 4294967295, int: true }],
  outputs: ['hmm_p_high'],
  note:
    'Parameters are fitted once, by 20 Baum-Welch iterations on the first `period` valid returns only (the warm-up), ' +
    'so no later data leaks into them; then the forward (Hamilton) filter runs causally: the value at t is ' +
    'P(high-vol state at t | returns up to t), never the smoothed posterior. NaN until `period` returns exist; a ' +
    'missing return gives NaN and keeps the filter state. No expanding refit.',
  lookback: ([n]) => n,
  make: ([n, seed], out) => new HmmKernel(n, seed, out),
  batch: ({ close }, [n, seed]) => [hmmColumn(close, n, seed)],
});

/** Every regime feature. */
export const REGIME_FEATURES: IndicatorSpec[] = [VOL_REGIME, TREND_REGIME, HMM_STATE];
