/**
 * Value at Risk and Conditional VaR (expected shortfall) of a return series, or of a portfolio given weights and a
 * matrix of asset returns: historical, parametric normal, Cornish-Fisher and Monte Carlo.
 *
 * Conventions:
 * - inputs are simple period returns (daily unless the caller says otherwise); NaN = missing: a series skips its NaN
 *   values, a portfolio drops every row (period) in which any asset's return is NaN;
 * - `level` is the confidence level (default 0.95); the tail share is α = 1 − level (taken as round(1 − level, 12),
 *   so 1 − 0.95 is 0.05 and not 0.050000000000000044, as engine/metrics.ts does);
 * - results are POSITIVE loss fractions {var, cvar}: var = 0.02 means a 2 % loss is exceeded with probability α.
 *   (engine/metrics.ts keeps empyrical's sign — a negative return quantile —; these are the same numbers negated.)
 *   A "VaR" can come out negative when even the α-quantile is a gain (a strongly positive drift);
 * - moments: μ = arithmetic mean, σ = sample standard deviation (ddof = 1); skew S and EXCESS kurtosis K are the
 *   population (biased) moment ratios m3/m2^1.5 and m4/m2² − 3, as scipy.stats.skew / kurtosis default to (and as
 *   engine/metrics.ts computes them);
 * - horizon h (periods, default 1):
 *     historical      VaR_h = √h · VaR_1, CVaR_h = √h · CVaR_1 (square-root-of-time rule on the one-period figures;
 *                     it ignores the drift and assumes independent periods);
 *     parametric      the h-period sum of i.i.d. N(μ, σ²) returns: mean hμ, volatility √h·σ;
 *     Cornish-Fisher  cumulants of an h-period sum of i.i.d. returns: mean hμ, volatility √h·σ, skew S/√h, excess
 *                     kurtosis K/h;
 *     Monte Carlo     h simulated one-period returns are COMPOUNDED per path: R = Π(1 + r_t) − 1.
 *
 * Sources: empyrical (value_at_risk, conditional_value_at_risk); Jorion, "Value at Risk" (3rd ed.), ch. 5 and 12;
 * Cornish & Fisher (1937) as used by Zangari (1996) / Favre & Galeano (2002) for "modified VaR"; Wichura (1988),
 * algorithm AS 241, for Φ⁻¹.
 */
import { CholeskyDecomposition, Matrix } from 'ml-matrix';
import { Rng } from '../../src/rng.ts';
import { conditionalValueAtRisk as empCvar, quantile as empQuantile } from '../metrics.ts';

// ================================================================ types

export type VarMethod = 'historical' | 'parametric' | 'cornish-fisher' | 'monte-carlo';

/** Losses as positive fractions of value (0.02 = 2 %). */
export interface VarResult {
  var: number;
  cvar: number;
}

export interface VarOptions {
  /** confidence level in (0, 1); default 0.95 */
  level?: number;
  /** horizon in periods (≥ 1); default 1 — see the module comment for how each method scales */
  horizon?: number;
}

export interface MonteCarloOptions extends VarOptions {
  /** number of simulated paths; default 10,000 */
  paths?: number;
  /** seed for src/rng.ts; default 42 */
  seed?: number;
  /** 'normal': draw from N(μ, σ²) (a portfolio: N(μ, Σ) through a Cholesky factor of Σ); 'bootstrap': draw
   * historical periods (rows) uniformly with replacement. Default 'normal'. */
  sampling?: 'normal' | 'bootstrap';
}

// ================================================================ normal distribution

/** Standard normal density φ(x) = exp(−x²/2) / √(2π). */
export function normalPdf(x: number): number {
  return Math.exp(-0.5 * x * x) / Math.sqrt(2 * Math.PI);
}

// AS 241 (PPND16) coefficients, Wichura (1988): relative accuracy about 1e-16 over (0, 1).
const A = [3.387132872796366608, 133.14166789178437745, 1971.5909503065514427, 13731.693765509461125,
  45921.953931549871457, 67265.770927008700853, 33430.575583588128105, 2509.0809287301226727];
const B = [1, 42.313330701600911252, 687.1870074920579083, 5394.1960214247511077, 21213.794301586595867,
  39307.89580009271061, 28729.085735721942674, 5226.495278852854561];
const C = [1.42343711074968357734, 4.6303378461565452959, 5.7694972214606914055, 3.64784832476320460504,
  1.27045825245236838258, 0.24178072517745061177, 0.0227238449892691845833, 7.7454501427834140764e-4];
const D = [1, 2.05319162663775882187, 1.6763848301838038494, 0.68976733498510000455, 0.14810397642748007459,
  0.0151986665636164571966, 5.475938084995344946e-4, 1.05075007164441684324e-9];
const E = [6.6579046435011037772, 5.4637849111641143699, 1.7848265399172913358, 0.29656057182850489123,
  0.026532189526576123093, 0.0012426609473880784386, 2.71155556874348757815e-5, 2.01033439929228813265e-7];
const F = [1, 0.59983220655588793769, 0.13692988092273580531, 0.0148753612908506148525, 7.868691311456132591e-4,
  1.8463183175100546818e-5, 1.4215117583164458887e-7, 2.04426310338993978564e-15];

function horner(c: number[], x: number): number {
  let v = c[c.length - 1];
  for (let i = c.length - 2; i >= 0; i--) v = v * x + c[i];
  return v;
}

/**
 * Standard normal quantile Φ⁻¹(p), Wichura's AS 241 rational approximations (|relative error| ≈ 1e-16).
 * Hand-written: no numerical library among our dependencies has it, and it is 20 lines of published coefficients.
 * p ≤ 0 → −Infinity, p ≥ 1 → +Infinity, NaN → NaN.
 */
export function normalQuantile(p: number): number {
  if (Number.isNaN(p)) return NaN;
  if (p <= 0) return -Infinity;
  if (p >= 1) return Infinity;
  const q = p - 0.5;
  if (Math.abs(q) <= 0.425) {
    const r = 0.180625 - q * q;
    return (q * horner(A, r)) / horner(B, r);
  }
  let r = Math.sqrt(-Math.log(q < 0 ? p : 1 - p));
  let v: number;
  if (r <= 5) {
    r -= 1.6;
    v = horner(C, r) / horner(D, r);
  } else {
    r -= 5;
    v = horner(E, r) / horner(F, r);
  }
  return q < 0 ? -v : v;
}

/**
 * Box–Muller standard normals on top of the seeded Rng (src/rng.ts): from u1, u2 uniform in [0, 1),
 * z0 = √(−2 ln(1 − u1)) cos(2π u2), z1 = √(−2 ln(1 − u1)) sin(2π u2) (1 − u1 ∈ (0, 1], so the log is finite).
 * `next()` returns z0 and keeps z1 for the following call; `fill()` writes pairs straight into an array (no
 * allocation per draw: Monte Carlo draws millions of them).
 */
export class BoxMuller {
  private spare = 0;
  private hasSpare = false;
  constructor(readonly rng: Rng) {}

  next(): number {
    if (this.hasSpare) {
      this.hasSpare = false;
      return this.spare;
    }
    const m = Math.sqrt(-2 * Math.log(1 - this.rng.next()));
    const t = 2 * Math.PI * this.rng.next();
    this.spare = m * Math.sin(t);
    this.hasSpare = true;
    return m * Math.cos(t);
  }

  /** Fill `out` with independent standard normals. */
  fill(out: Float64Array): Float64Array {
    const n = out.length;
    let i = 0;
    if (this.hasSpare && n > 0) {
      out[i++] = this.spare;
      this.hasSpare = false;
    }
    for (; i + 1 < n; i += 2) {
      const m = Math.sqrt(-2 * Math.log(1 - this.rng.next()));
      const t = 2 * Math.PI * this.rng.next();
      out[i] = m * Math.cos(t);
      out[i + 1] = m * Math.sin(t);
    }
    if (i < n) out[i] = this.next();
    return out;
  }
}

// ================================================================ helpers

/** α = 1 − level, rounded to 12 decimals (see the module comment). Throws outside (0, 1). */
export function tailShare(level: number): number {
  if (!(level > 0 && level < 1)) throw new Error(`VaR level must be in (0, 1), got ${level}`);
  return +(1 - level).toFixed(12);
}

function horizonOf(o: VarOptions): number {
  const h = o.horizon ?? 1;
  if (!(h >= 1) || !Number.isFinite(h)) throw new Error(`VaR horizon must be ≥ 1 period, got ${h}`);
  return h;
}

/** Sample moments of the finite values: n, mean, sd (ddof 1), population skew and excess kurtosis. */
export function sampleMoments(r: Float64Array): { n: number; mean: number; sd: number; skew: number; kurt: number } {
  let n = 0;
  let s = 0;
  for (let i = 0; i < r.length; i++) {
    const x = r[i];
    if (x === x) {
      n++;
      s += x;
    }
  }
  if (n === 0) return { n, mean: NaN, sd: NaN, skew: NaN, kurt: NaN };
  const mean = s / n;
  let m2 = 0;
  let m3 = 0;
  let m4 = 0;
  for (let i = 0; i < r.length; i++) {
    const x = r[i];
    if (x !== x) continue;
    const d = x - mean;
    const d2 = d * d;
    m2 += d2;
    m3 += d2 * d;
    m4 += d2 * d2;
  }
  const sd = n > 1 ? Math.sqrt(m2 / (n - 1)) : NaN;
  m2 /= n;
  m3 /= n;
  m4 /= n;
  return { n, mean, sd, skew: m2 > 0 ? m3 / m2 ** 1.5 : NaN, kurt: m2 > 0 ? m4 / (m2 * m2) - 3 : NaN };
}

// ================================================================ historical

/**
 * Historical VaR/CVaR, empyrical's conventions (engine/metrics.ts quantile / conditionalValueAtRisk):
 *   VaR  = −percentile(r, 100 α) with numpy's default linear interpolation between order statistics,
 *          i.e. with sorted x₀ ≤ … ≤ x_{n−1}, pos = α(n − 1): −(x_⌊pos⌋ + (pos − ⌊pos⌋)(x_⌊pos⌋+1 − x_⌊pos⌋));
 *   CVaR = −mean of the k + 1 smallest returns, k = ⌊(n − 1) α⌋ (empyrical's conditional_value_at_risk: the returns
 *          at or below the VaR quantile, ties aside).
 * Horizon h: both × √h.
 */
export function historicalVar(r: Float64Array, o: VarOptions = {}): VarResult {
  const a = tailShare(o.level ?? 0.95);
  const s = Math.sqrt(horizonOf(o));
  return { var: -empQuantile(r, a) * s, cvar: -empCvar(r, 1 - a) * s };
}

// ================================================================ parametric normal

/**
 * Normal VaR/CVaR from a mean μ and volatility σ of one-period returns: with z = Φ⁻¹(α) (negative),
 *   VaR  = −(μ_h + z σ_h),   CVaR = −(μ_h − σ_h φ(z) / α),   μ_h = hμ, σ_h = √h σ.
 * E.g. μ = 0, σ = 1 %, level 95 %: z = −1.644854, VaR = 1.6449 %, CVaR = 1 % × 0.103136 / 0.05 = 2.0627 %.
 */
export function parametricVarFromMoments(mu: number, sigma: number, o: VarOptions = {}): VarResult {
  const a = tailShare(o.level ?? 0.95);
  const h = horizonOf(o);
  const m = h * mu;
  const s = Math.sqrt(h) * sigma;
  const z = normalQuantile(a);
  return { var: -(m + z * s), cvar: -(m - (s * normalPdf(z)) / a) };
}

/** Parametric normal VaR/CVaR of a series: μ = mean, σ = sample sd (ddof 1); see parametricVarFromMoments. */
export function parametricVar(r: Float64Array, o: VarOptions = {}): VarResult {
  const m = sampleMoments(r);
  return parametricVarFromMoments(m.mean, m.sd, o);
}

// ================================================================ Cornish-Fisher

/**
 * Cornish-Fisher ("modified") VaR from mean μ, volatility σ, skew S and EXCESS kurtosis K of one-period returns:
 *   z_cf = z + (z² − 1) S/6 + (z³ − 3z) K/24 − (2z³ − 5z) S²/36,   z = Φ⁻¹(α),
 *   VaR  = −(μ_h + z_cf σ_h)   (horizon: μ_h = hμ, σ_h = √h σ, S_h = S/√h, K_h = K/h).
 * CVaR: the tail mean of the Cornish-Fisher quantile function, (1/α) ∫₀^α q_cf(u) du with
 * q_cf(u) = μ_h + σ_h z_cf(Φ⁻¹(u)); substituting Z ~ N(0, 1) it is μ_h + σ_h E[z_cf(Z) | Z ≤ z], in closed form from
 * the truncated normal moments  E[Z | Z ≤ z] = −φ(z)/α,  E[Z² | ·] = 1 − zφ(z)/α,  E[Z³ | ·] = −(z² + 2)φ(z)/α:
 *   CVaR = −(μ_h + σ_h [m₁ + (m₂ − 1) S/6 + (m₃ − 3m₁) K/24 − (2m₃ − 5m₁) S²/36]).
 * This is exact for the distribution the expansion defines (while z_cf is increasing over the tail) and equals the
 * normal CVaR when S = K = 0. It is NOT PerformanceAnalytics' Edgeworth-based "modified ES" (Boudt et al. 2008).
 */
export function cornishFisherVarFromMoments(mu: number, sigma: number, skew: number, exKurt: number, o: VarOptions = {}): VarResult {
  const a = tailShare(o.level ?? 0.95);
  const h = horizonOf(o);
  const m = h * mu;
  const s = Math.sqrt(h) * sigma;
  const S = skew / Math.sqrt(h);
  const K = exKurt / h;
  const z = normalQuantile(a);
  const cf = (x: number) => x + ((x * x - 1) * S) / 6 + ((x ** 3 - 3 * x) * K) / 24 - ((2 * x ** 3 - 5 * x) * S * S) / 36;
  const ph = normalPdf(z) / a;
  const m1 = -ph;
  const m2 = 1 - z * ph;
  const m3 = -(z * z + 2) * ph;
  const tail = m1 + ((m2 - 1) * S) / 6 + ((m3 - 3 * m1) * K) / 24 - ((2 * m3 - 5 * m1) * S * S) / 36;
  return { var: -(m + cf(z) * s), cvar: -(m + s * tail) };
}

/** Cornish-Fisher VaR/CVaR of a series from its sample moments (module comment); see cornishFisherVarFromMoments. */
export function cornishFisherVar(r: Float64Array, o: VarOptions = {}): VarResult {
  const m = sampleMoments(r);
  return cornishFisherVarFromMoments(m.mean, m.sd, m.skew, m.kurt, o);
}

// ================================================================ Monte Carlo

/** VaR/CVaR of simulated h-period returns (reorders `sim`): the historical rule, without √h scaling. */
function tailOfSimulated(sim: Float64Array, a: number): VarResult {
  return { var: -empQuantile(sim, a), cvar: -empCvar(sim, 1 - a) };
}

/**
 * Monte Carlo VaR/CVaR of a series: N paths (default 10,000) of h one-period returns, each path compounded,
 * R = Π(1 + r_t) − 1; then VaR/CVaR of the N simulated R by the historical rule above (no √h: the horizon is in the
 * simulation). 'normal' draws r_t = μ + σ z (μ, σ sample mean and sd, z from BoxMuller); 'bootstrap' draws r_t
 * uniformly from the finite historical returns. Seeded (default 42): the same inputs give the same numbers.
 */
export function monteCarloVar(r: Float64Array, o: MonteCarloOptions = {}): VarResult {
  const a = tailShare(o.level ?? 0.95);
  const h = Math.round(horizonOf(o));
  const paths = o.paths ?? 10_000;
  if (!(paths >= 1)) throw new Error(`Monte Carlo VaR needs at least 1 path, got ${paths}`);
  const rng = new Rng(o.seed ?? 42);
  const sim = new Float64Array(paths);
  if ((o.sampling ?? 'normal') === 'bootstrap') {
    const hist = finiteValues(r);
    const n = hist.length;
    if (n === 0) return { var: NaN, cvar: NaN };
    for (let p = 0; p < paths; p++) {
      let g = 1;
      for (let t = 0; t < h; t++) g *= 1 + hist[Math.floor(rng.next() * n)];
      sim[p] = g - 1;
    }
  } else {
    const m = sampleMoments(r);
    if (!(m.sd >= 0)) return { var: NaN, cvar: NaN };
    const bm = new BoxMuller(rng);
    for (let p = 0; p < paths; p++) {
      let g = 1;
      for (let t = 0; t < h; t++) g *= 1 + m.mean + m.sd * bm.next();
      sim[p] = g - 1;
    }
  }
  return tailOfSimulated(sim, a);
}

function finiteValues(r: Float64Array): Float64Array {
  let k = 0;
  for (let i = 0; i < r.length; i++) if (r[i] === r[i]) k++;
  const out = new Float64Array(k);
  let j = 0;
  for (let i = 0; i < r.length; i++) if (r[i] === r[i]) out[j++] = r[i];
  return out;
}

// ================================================================ portfolios

function checkAssets(weights: ArrayLike<number>, assetReturns: readonly Float64Array[]): number {
  const n = weights.length;
  if (assetReturns.length !== n) throw new Error(`${n} weights but ${assetReturns.length} asset return columns`);
  const T = n ? assetReturns[0].length : 0;
  for (let i = 1; i < n; i++) {
    if (assetReturns[i].length !== T) throw new Error(`asset return columns differ in length (${T} vs ${assetReturns[i].length})`);
  }
  return T;
}

/** Indices of the rows (periods) where every asset's return is finite. */
function completeRows(assetReturns: readonly Float64Array[], T: number): Int32Array {
  const keep = new Int32Array(T);
  let k = 0;
  for (let t = 0; t < T; t++) {
    let ok = true;
    for (const col of assetReturns) if (!Number.isFinite(col[t])) ok = false;
    if (ok) keep[k++] = t;
  }
  return keep.subarray(0, k);
}

/**
 * Portfolio period returns r_p,t = Σ_i w_i r_i,t with constant weights (rebalanced every period), over the rows in
 * which every asset has a return (others dropped). `assetReturns` holds one column (Float64Array of length T) per
 * asset, in the order of `weights`.
 */
export function portfolioReturns(weights: ArrayLike<number>, assetReturns: readonly Float64Array[]): Float64Array {
  const T = checkAssets(weights, assetReturns);
  const rows = completeRows(assetReturns, T);
  const out = new Float64Array(rows.length);
  for (let k = 0; k < rows.length; k++) {
    const t = rows[k];
    let s = 0;
    for (let i = 0; i < weights.length; i++) s += weights[i] * assetReturns[i][t];
    out[k] = s;
  }
  return out;
}

/**
 * Monte Carlo VaR/CVaR of a portfolio (weights w, asset return columns). 'normal': each period's asset returns are
 * drawn from N(μ, Σ) (sample means and sample covariance, ddof 1, over the complete rows) as r = μ + L z with L the
 * Cholesky factor of Σ (ml-matrix), so the portfolio's period return is w'μ + (Lᵀw)'z — Lᵀw is computed once and
 * each period costs n normals and one dot product. 'bootstrap': whole historical rows are drawn with replacement (the
 * cross-sectional dependence is kept). Paths are compounded over h periods as for a series.
 */
export function portfolioMonteCarloVar(weights: ArrayLike<number>, assetReturns: readonly Float64Array[], o: MonteCarloOptions = {}): VarResult {
  const a = tailShare(o.level ?? 0.95);
  const h = Math.round(horizonOf(o));
  const paths = o.paths ?? 10_000;
  if (!(paths >= 1)) throw new Error(`Monte Carlo VaR needs at least 1 path, got ${paths}`);
  const n = weights.length;
  const T = checkAssets(weights, assetReturns);
  const rows = completeRows(assetReturns, T);
  const m = rows.length;
  if (m < 2) return { var: NaN, cvar: NaN };
  const rng = new Rng(o.seed ?? 42);
  const sim = new Float64Array(paths);
  if ((o.sampling ?? 'normal') === 'bootstrap') {
    const rp = portfolioReturns(weights, assetReturns); // one value per complete row
    for (let p = 0; p < paths; p++) {
      let g = 1;
      for (let t = 0; t < h; t++) g *= 1 + rp[Math.floor(rng.next() * m)];
      sim[p] = g - 1;
    }
    return tailOfSimulated(sim, a);
  }
  // sample mean and covariance over the complete rows
  const mu = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let k = 0; k < m; k++) s += assetReturns[i][rows[k]];
    mu[i] = s / m;
  }
  const cov = Matrix.zeros(n, n);
  for (let i = 0; i < n; i++) {
    for (let j = i; j < n; j++) {
      let s = 0;
      for (let k = 0; k < m; k++) s += (assetReturns[i][rows[k]] - mu[i]) * (assetReturns[j][rows[k]] - mu[j]);
      cov.set(i, j, s / (m - 1));
      cov.set(j, i, s / (m - 1));
    }
  }
  const L = choleskyLower(cov);
  // v = Lᵀ w: v_j = Σ_i L_ij w_i
  const v = new Float64Array(n);
  for (let j = 0; j < n; j++) {
    let s = 0;
    for (let i = j; i < n; i++) s += L.get(i, j) * weights[i];
    v[j] = s;
  }
  let wmu = 0;
  for (let i = 0; i < n; i++) wmu += weights[i] * mu[i];
  const bm = new BoxMuller(rng);
  const z = new Float64Array(n);
  for (let p = 0; p < paths; p++) {
    let g = 1;
    for (let t = 0; t < h; t++) {
      bm.fill(z);
      let s = wmu;
      for (let j = 0; j < n; j++) s += v[j] * z[j];
      g *= 1 + s;
    }
    sim[p] = g - 1;
  }
  return tailOfSimulated(sim, a);
}

/**
 * Lower Cholesky factor of a covariance matrix. A singular (PSD but not PD) matrix — e.g. two identical assets — has
 * no Cholesky factor in ml-matrix, so it is retried with a ridge of 1e-12 × mean variance on the diagonal (a change
 * far below any return's precision).
 */
export function choleskyLower(cov: Matrix): Matrix {
  let c = new CholeskyDecomposition(cov);
  if (c.isPositiveDefinite()) return c.lowerTriangularMatrix;
  const n = cov.rows;
  let tr = 0;
  for (let i = 0; i < n; i++) tr += cov.get(i, i);
  const ridged = cov.clone();
  const eps = (1e-12 * tr) / Math.max(1, n) || 1e-300;
  for (let i = 0; i < n; i++) ridged.set(i, i, ridged.get(i, i) + eps);
  c = new CholeskyDecomposition(ridged);
  if (!c.isPositiveDefinite()) throw new Error('covariance matrix is not positive semi-definite (Cholesky failed)');
  return c.lowerTriangularMatrix;
}

// ================================================================ one entry point

/** VaR/CVaR of a return series by `method` (see each function for its formula and horizon rule). */
export function valueAtRisk(r: Float64Array, method: VarMethod = 'historical', o: MonteCarloOptions = {}): VarResult {
  switch (method) {
    case 'historical':
      return historicalVar(r, o);
    case 'parametric':
      return parametricVar(r, o);
    case 'cornish-fisher':
      return cornishFisherVar(r, o);
    case 'monte-carlo':
      return monteCarloVar(r, o);
    default:
      throw new Error(`unknown VaR method "${method as string}" (historical | parametric | cornish-fisher | monte-carlo)`);
  }
}

/**
 * VaR/CVaR of a portfolio with weights `weights` over asset return columns: 'monte-carlo' simulates the assets
 * (portfolioMonteCarloVar); the other methods apply to the portfolio's historical return series (portfolioReturns),
 * for which the parametric μ_p and σ_p equal w'μ and √(w'Σw) with the sample mean and covariance of the same rows.
 */
export function portfolioValueAtRisk(
  weights: ArrayLike<number>,
  assetReturns: readonly Float64Array[],
  method: VarMethod = 'historical',
  o: MonteCarloOptions = {},
): VarResult {
  if (method === 'monte-carlo') return portfolioMonteCarloVar(weights, assetReturns, o);
  return valueAtRisk(portfolioReturns(weights, assetReturns), method, o);
}
