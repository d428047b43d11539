/**
 * Mean-variance optimisation (Markowitz), following PyPortfolioOpt's EfficientFrontier (pypfopt/efficient_frontier,
 * v1.5), solved as quadratic programs by `quadprog` through engine/optimize/qp.ts:
 *
 * - μ: expected ANNUAL returns, Σ: ANNUAL covariance (returns.ts, covariance.ts); weights sum to 1 (fully invested);
 * - bounds: one [lo, hi] for every asset or one per asset; default [0, 1] (long only) — PyPortfolioOpt's
 *   weight_bounds; ±Infinity means unbounded on that side;
 * - sector constraints: a sector name per asset and optional lower / upper limits on each sector's total weight
 *   (PyPortfolioOpt add_sector_constraints(sector_mapper, sector_lower, sector_upper));
 * - risk-free rate rf = 0.02 (annual) for max Sharpe and portfolioPerformance by default, as PyPortfolioOpt;
 * - variances are minimised as ½wᵀΣw (PyPortfolioOpt minimises wᵀΣw: the same minimiser);
 * - weights within 1e-9 outside a bound (solver rounding) are snapped onto it.
 */
import { solveQp, QpError, type LinearConstraint } from './qp.ts';

export interface PortfolioConstraints {
  /** [lo, hi] for all assets, or one pair per asset; default [0, 1] */
  bounds?: readonly [number, number] | readonly (readonly [number, number])[];
  /** sector of each asset (length n), for sectorLower / sectorUpper */
  sectorMapper?: readonly string[];
  /** sector → minimum total weight */
  sectorLower?: Readonly<Record<string, number>>;
  /** sector → maximum total weight */
  sectorUpper?: Readonly<Record<string, number>>;
}

export interface Performance {
  /** wᵀμ */
  expectedReturn: number;
  /** √(wᵀΣw) */
  volatility: number;
  /** (wᵀμ − rf) / √(wᵀΣw) */
  sharpe: number;
}

type Vec = ArrayLike<number>;
type Mat = readonly ArrayLike<number>[];

/** Per-asset [lo, hi] from the constraints (default [0, 1]); checks lo ≤ hi and Σlo ≤ 1 ≤ Σhi. */
export function assetBounds(n: number, c: PortfolioConstraints = {}): { lo: Float64Array; hi: Float64Array } {
  const lo = new Float64Array(n);
  const hi = new Float64Array(n);
  const b = c.bounds ?? [0, 1];
  const perAsset = Array.isArray(b[0]);
  if (perAsset && b.length !== n) throw new Error(`bounds: ${b.length} pairs for ${n} assets`);
  for (let i = 0; i < n; i++) {
    const pair = (perAsset ? (b as readonly (readonly [number, number])[])[i] : b) as readonly [number, number];
    lo[i] = pair[0] ?? -Infinity;
    hi[i] = pair[1] ?? Infinity;
    if (!(lo[i] <= hi[i])) throw new Error(`bounds: asset ${i} has lower ${lo[i]} > upper ${hi[i]}`);
  }
  let slo = 0;
  let shi = 0;
  for (let i = 0; i < n; i++) {
    slo += lo[i];
    shi += hi[i];
  }
  if (slo > 1 + 1e-12 || shi < 1 - 1e-12) {
    throw new Error(`bounds are infeasible: weights must sum to 1 but the lower bounds sum to ${slo} and the upper to ${shi}`);
  }
  return { lo, hi };
}

/**
 * The constraint rows for "weights sum to 1, bounds, sectors": eq = [1ᵀw = 1], ineq = rows aᵀw ≥ b
 * (w_i ≥ lo_i; −w_i ≥ −hi_i; Σ_{i∈s} w_i ≥ L_s; −Σ_{i∈s} w_i ≥ −U_s), infinite bounds omitted.
 */
export function constraintRows(n: number, c: PortfolioConstraints = {}): { eq: LinearConstraint[]; ineq: LinearConstraint[] } {
  const { lo, hi } = assetBounds(n, c);
  const eq: LinearConstraint[] = [{ a: new Float64Array(n).fill(1), b: 1 }];
  const ineq: LinearConstraint[] = [];
  for (let i = 0; i < n; i++) {
    if (Number.isFinite(lo[i])) {
      const a = new Float64Array(n);
      a[i] = 1;
      ineq.push({ a, b: lo[i] });
    }
    if (Number.isFinite(hi[i])) {
      const a = new Float64Array(n);
      a[i] = -1;
      ineq.push({ a, b: -hi[i] });
    }
  }
  if (c.sectorLower || c.sectorUpper) {
    const map = c.sectorMapper;
    if (!map || map.length !== n) throw new Error(`sector constraints need a sectorMapper with one sector per asset (${n})`);
    const members = (s: string) => {
      const a = new Float64Array(n);
      let k = 0;
      map.forEach((m, i) => {
        if (m === s) {
          a[i] = 1;
          k++;
        }
      });
      if (!k) throw new Error(`sector "${s}" has no assets in the sectorMapper`);
      return a;
    };
    for (const [s, L] of Object.entries(c.sectorLower ?? {})) ineq.push({ a: members(s), b: L });
    for (const [s, U] of Object.entries(c.sectorUpper ?? {})) ineq.push({ a: members(s).map((x) => -x), b: -U });
  }
  return { eq, ineq };
}

function checkInputs(n: number, cov: Mat, mu?: Vec): void {
  if (cov.length !== n) throw new Error(`covariance is ${cov.length}×${cov.length}, expected ${n}×${n}`);
  for (const row of cov) if (row.length !== n) throw new Error('covariance matrix is not square');
  if (mu && mu.length !== n) throw new Error(`expected returns have length ${mu.length}, expected ${n}`);
  for (const row of cov) for (let j = 0; j < n; j++) if (!Number.isFinite(row[j])) throw new Error('covariance has non-finite entries');
  if (mu) for (let i = 0; i < n; i++) if (!Number.isFinite(mu[i])) throw new Error(`expected return ${i} is not finite (${mu[i]})`);
}

function snap(w: Float64Array, c: PortfolioConstraints): Float64Array {
  const { lo, hi } = assetBounds(w.length, c);
  for (let i = 0; i < w.length; i++) {
    if (w[i] < lo[i] && lo[i] - w[i] < 1e-9) w[i] = lo[i];
    if (w[i] > hi[i] && w[i] - hi[i] < 1e-9) w[i] = hi[i];
    if (w[i] === 0) w[i] = 0; // no −0
  }
  return w;
}

function dot(a: Vec, b: Vec): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
}

/** wᵀΣw */
export function portfolioVariance(w: Vec, cov: Mat): number {
  let s = 0;
  for (let i = 0; i < w.length; i++) {
    let r = 0;
    for (let j = 0; j < w.length; j++) r += cov[i][j] * w[j];
    s += w[i] * r;
  }
  return s;
}

/**
 * PyPortfolioOpt portfolio_performance: expected return wᵀμ, volatility √(wᵀΣw) and Sharpe (wᵀμ − rf)/vol, all
 * annual when μ and Σ are (rf default 0.02).
 */
export function portfolioPerformance(w: Vec, mu: Vec, cov: Mat, rf = 0.02): Performance {
  const ret = dot(w, mu);
  const vol = Math.sqrt(Math.max(0, portfolioVariance(w, cov)));
  return { expectedReturn: ret, volatility: vol, sharpe: (ret - rf) / vol };
}

/** Minimum volatility: minimise ½wᵀΣw subject to 1ᵀw = 1, bounds and sectors (PyPortfolioOpt min_volatility). */
export function minVolatility(cov: Mat, c: PortfolioConstraints = {}): Float64Array {
  const n = cov.length;
  checkInputs(n, cov);
  const { eq, ineq } = constraintRows(n, c);
  return snap(solveWith(() => solveQp({ D: cov, d: new Float64Array(n), eq, ineq }), 'minimum volatility').x, c);
}

function solveWith<T>(f: () => T, what: string): T {
  try {
    return f();
  } catch (e) {
    if (e instanceof QpError) throw new Error(`${what}: no solution (${e.message})`);
    throw e;
  }
}

/**
 * Maximum quadratic utility: maximise wᵀμ − (δ/2) wᵀΣw (δ = riskAversion > 0, default 1), i.e. minimise
 * ½wᵀ(δΣ)w − μᵀw, under the same constraints (PyPortfolioOpt max_quadratic_utility).
 */
export function maxQuadraticUtility(mu: Vec, cov: Mat, riskAversion = 1, c: PortfolioConstraints = {}): Float64Array {
  const n = mu.length;
  checkInputs(n, cov, mu);
  if (!(riskAversion > 0)) throw new Error(`risk aversion must be > 0, got ${riskAversion}`);
  const D = cov.map((r) => Float64Array.from(r, (x) => x * riskAversion));
  const { eq, ineq } = constraintRows(n, c);
  return snap(solveWith(() => solveQp({ D, d: mu, eq, ineq }), 'max quadratic utility').x, c);
}

/**
 * Maximum Sharpe ratio (tangency portfolio), by the standard change of variables (Cornuéjols & Tütüncü 2006, as
 * PyPortfolioOpt max_sharpe): with y = k·w, k = 1ᵀy ≥ 0,
 *   minimise ½yᵀΣy   subject to (μ − rf)ᵀy = 1,  and every constraint aᵀw ≥ b rewritten as (a − b·1)ᵀy ≥ 0
 *   (bounds lo·k ≤ y_i ≤ hi·k, sector limits scaled by k), 1ᵀy ≥ 0;
 * then w = y / 1ᵀy. k is substituted by 1ᵀy so the QP has only y (quadprog needs a positive definite D).
 * Without constraints w ∝ Σ⁻¹(μ − rf). Throws when no asset's return exceeds rf (no positive Sharpe).
 */
export function maxSharpe(mu: Vec, cov: Mat, o: PortfolioConstraints & { rf?: number } = {}): Float64Array {
  const n = mu.length;
  checkInputs(n, cov, mu);
  const rf = o.rf ?? 0.02;
  const excess = Float64Array.from(mu, (x) => x - rf);
  if (!excess.some((x) => x > 0)) {
    throw new Error(`max Sharpe: at least one asset must have an expected return above the risk-free rate ${rf}`);
  }
  const { ineq } = constraintRows(n, o);
  const hom: LinearConstraint[] = ineq.map(({ a, b }) => ({ a: Float64Array.from(a, (x) => x - b), b: 0 }));
  hom.push({ a: new Float64Array(n).fill(1), b: 0 });
  const y = solveWith(() => solveQp({ D: cov, d: new Float64Array(n), eq: [{ a: excess, b: 1 }], ineq: hom }), 'max Sharpe').x;
  let k = 0;
  for (let i = 0; i < n; i++) k += y[i];
  if (!(k > 0)) throw new Error('max Sharpe: degenerate solution (weights sum to 0)');
  return snap(y.map((v) => v / k), o);
}

/**
 * Efficient return (Markowitz portfolio): minimise ½wᵀΣw subject to μᵀw ≥ target plus the constraints
 * (PyPortfolioOpt efficient_return). Throws when the target exceeds the largest achievable return.
 */
export function efficientReturn(mu: Vec, cov: Mat, targetReturn: number, c: PortfolioConstraints = {}): Float64Array {
  const n = mu.length;
  checkInputs(n, cov, mu);
  const { eq, ineq } = constraintRows(n, c);
  try {
    return snap(solveQp({ D: cov, d: new Float64Array(n), eq, ineq: [...ineq, { a: mu, b: targetReturn }] }).x, c);
  } catch (e) {
    if (!(e instanceof QpError)) throw e;
    const best = dot(maxReturn(mu, cov, c), mu);
    throw new Error(`efficient return: target ${targetReturn} is above the maximum achievable return ${best} (${e.message})`);
  }
}

/**
 * The highest-return portfolio under the constraints (the LP max μᵀw), ties broken by least variance.
 * quadprog has no LP mode, and a QP with a large linear term (½wᵀΣw − λμᵀw, λ → ∞) loses precision in the dual
 * method, so the maximum return r* is found by BISECTION ON FEASIBILITY: efficientReturn(t) (μᵀw ≥ t, min variance)
 * is feasible exactly for t ≤ r*. The bracket starts at [return of the min-volatility portfolio, U] with
 * U = Σ_i max(lo_i μ_i, hi_i μ_i) (an upper bound of μᵀw for finite bounds; with an infinite bound U is found by
 * doubling, and an unbounded problem is an error); if t = U is feasible it is the answer at once (e.g. long only:
 * all in the best asset), otherwise ≤ 60 halvings or a bracket < 1e-13. Returns the efficientReturn portfolio at the
 * best feasible t (its return is within 1e-13 of r*).
 */
export function maxReturn(mu: Vec, cov: Mat, c: PortfolioConstraints = {}): Float64Array {
  const n = mu.length;
  checkInputs(n, cov, mu);
  const { eq, ineq } = constraintRows(n, c);
  const { lo: blo, hi: bhi } = assetBounds(n, c);
  const attempt = (t: number): Float64Array | null => {
    try {
      return solveQp({ D: cov, d: new Float64Array(n), eq, ineq: [...ineq, { a: mu, b: t }] }).x;
    } catch (e) {
      if (e instanceof QpError) return null;
      throw e;
    }
  };
  let best = minVolatility(cov, c);
  let lo = dot(best, mu);
  let hi = 0;
  for (let i = 0; i < n; i++) hi += Math.max(blo[i] * mu[i], bhi[i] * mu[i]);
  if (!Number.isFinite(hi)) {
    let step = 1;
    for (let k = 0; ; k++) {
      if (k === 60) throw new Error('max return: unbounded (the bounds allow unlimited leverage)');
      const w = attempt(lo + step);
      if (!w) {
        hi = lo + step;
        break;
      }
      best = w;
      step *= 2;
    }
    lo = dot(best, mu);
  }
  const top = attempt(hi);
  if (top) return snap(top, c);
  for (let k = 0; k < 60 && hi - lo > 1e-13 * Math.max(1, Math.abs(hi)); k++) {
    const mid = 0.5 * (lo + hi);
    const w = attempt(mid);
    if (w) {
      lo = mid;
      best = w;
    } else hi = mid;
  }
  return snap(best, c);
}

/**
 * Efficient risk: the highest-return portfolio whose volatility is ≤ targetVolatility (PyPortfolioOpt
 * efficient_risk, which solves max μᵀw s.t. wᵀΣw ≤ σ*² as a conic program). quadprog has no quadratic constraints,
 * so this BISECTS ON THE RETURN TARGET: σ(t) = volatility of efficientReturn(t) is non-decreasing in t on
 * [return of the min-volatility portfolio, max return]; bisection (≤ 100 steps, until the bracket is < 1e-12) finds
 * the largest t with σ(t) ≤ σ*, and the portfolio for that t is returned (its volatility is σ* to ~1e-10).
 * If even the max-return portfolio has σ ≤ σ*, that portfolio is returned. Throws when σ* is below the minimum
 * volatility under the constraints.
 */
export function efficientRisk(mu: Vec, cov: Mat, targetVolatility: number, c: PortfolioConstraints = {}): Float64Array {
  const n = mu.length;
  checkInputs(n, cov, mu);
  if (!(targetVolatility >= 0)) throw new Error(`target volatility must be ≥ 0, got ${targetVolatility}`);
  const target2 = targetVolatility * targetVolatility;
  const wMin = minVolatility(cov, c);
  const vMin = portfolioVariance(wMin, cov);
  if (target2 < vMin * (1 - 1e-12)) {
    throw new Error(`efficient risk: the minimum volatility is ${Math.sqrt(vMin)}; use a higher target than ${targetVolatility}`);
  }
  const wMax = maxReturn(mu, cov, c);
  if (portfolioVariance(wMax, cov) <= target2) return wMax;
  let lo = dot(wMin, mu);
  let hi = dot(wMax, mu);
  let best = wMin;
  for (let it = 0; it < 100 && hi - lo > 1e-12 * Math.max(1, Math.abs(hi)); it++) {
    const mid = 0.5 * (lo + hi);
    const w = efficientReturn(mu, cov, mid, c);
    if (portfolioVariance(w, cov) <= target2) {
      lo = mid;
      best = w;
    } else hi = mid;
  }
  return best;
}
