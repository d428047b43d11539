/**
 * Black-Litterman, following PyPortfolioOpt's black_litterman module (v1.5; He & Litterman 1999, Idzorek 2005,
 * Walters 2014 "The Black-Litterman model in detail"):
 *
 * - prior π = δ Σ w_mkt + rf with w_mkt = market caps / Σ caps and risk aversion δ (market_implied_prior_returns;
 *   rf default 0, as PyPortfolioOpt);
 * - δ from a market price series: (mean daily return × 252 − rf) / (daily variance × 252), ddof 1
 *   (market_implied_risk_aversion);
 * - views: P (k×n picking matrix: a row with a single 1 is an absolute view, a row like (1, −1) a relative one) and
 *   Q (k view returns, annual like μ); τ = 0.05 by default;
 * - view uncertainty Ω (diagonal), PyPortfolioOpt's options:
 *     'default'  Ω = diag(τ P Σ Pᵀ)  (He & Litterman: each view as uncertain as the prior on the view portfolio);
 *     'idzorek'  Ω_kk = τ · (1 − c_k)/c_k · p_k Σ p_kᵀ for confidences c_k ∈ [0, 1] (the closed form of Idzorek's
 *                method given by Walters; c = 1 → Ω_kk = 0, the view is imposed exactly; c = 0 → Ω_kk = 1e6);
 *     or a k×k matrix given directly;
 * - posterior returns  μ_BL = π + τΣPᵀ (PτΣPᵀ + Ω)⁻¹ (Q − Pπ),
 *   posterior covariance  Σ_BL = Σ + τΣ − τΣPᵀ (PτΣPᵀ + Ω)⁻¹ PτΣ  (bl_returns, bl_cov);
 *   the k×k system is solved with ml-matrix (LU; least squares through SVD if it is singular, as PyPortfolioOpt
 *   falls back to lstsq).
 * - weights: blackLittermanMaxSharpe runs mvo.ts maxSharpe on (μ_BL, Σ_BL) — the workflow of PyPortfolioOpt's docs;
 *   blWeights is PyPortfolioOpt's unconstrained bl_weights, w ∝ (δΣ)⁻¹ μ_BL normalised to sum 1.
 */
import { LuDecomposition, Matrix as MlMatrix, solve as mlSolve } from 'ml-matrix';
import { fromMl, toMl, type Matrix } from './covariance.ts';
import { maxSharpe, type PortfolioConstraints } from './mvo.ts';

type Vec = ArrayLike<number>;
type Mat = readonly ArrayLike<number>[];

/** π = δ Σ w_mkt + rf, w_mkt = caps / Σ caps. */
export function marketImpliedPriorReturns(marketCaps: Vec, riskAversion: number, cov: Mat, rf = 0): Float64Array {
  const n = marketCaps.length;
  if (cov.length !== n) throw new Error(`market caps for ${n} assets, covariance ${cov.length}×${cov.length}`);
  let total = 0;
  for (let i = 0; i < n; i++) total += marketCaps[i];
  if (!(total > 0)) throw new Error('market caps must sum to a positive number');
  return Float64Array.from({ length: n }, (_, i) => {
    let s = 0;
    for (let j = 0; j < n; j++) s += cov[i][j] * (marketCaps[j] / total);
    return riskAversion * s + rf;
  });
}

/** δ = (R − rf) / σ² with R = mean daily simple return × frequency, σ² = daily variance (ddof 1) × frequency. */
export function marketImpliedRiskAversion(marketPrices: Float64Array, o: { frequency?: number; rf?: number } = {}): number {
  const f = o.frequency ?? 252;
  const r: number[] = [];
  for (let t = 1; t < marketPrices.length; t++) {
    const x = marketPrices[t] / marketPrices[t - 1] - 1;
    if (Number.isFinite(x)) r.push(x);
  }
  if (r.length < 2) return NaN;
  const m = r.reduce((a, b) => a + b, 0) / r.length;
  const v = r.reduce((a, b) => a + (b - m) * (b - m), 0) / (r.length - 1);
  return (m * f - (o.rf ?? 0)) / (v * f);
}

export interface BlViews {
  /** k×n picking matrix (rows) */
  P: Matrix;
  /** k view returns */
  Q: Float64Array;
}

/** Absolute views {asset index → expected return} as P (unit rows) and Q, in the order given. */
export function absoluteViews(n: number, views: Readonly<Record<number, number>> | readonly (readonly [number, number])[]): BlViews {
  const entries: (readonly [number, number])[] = Array.isArray(views)
    ? [...(views as readonly (readonly [number, number])[])]
    : Object.entries(views).map(([k, v]) => [Number(k), v] as const);
  const P: Matrix = [];
  const Q = new Float64Array(entries.length);
  entries.forEach(([i, q], k) => {
    if (!(Number.isInteger(i) && i >= 0 && i < n)) throw new Error(`view on asset ${i}, which is not in the universe (0..${n - 1})`);
    const row = new Float64Array(n);
    row[i] = 1;
    P.push(row);
    Q[k] = q;
  });
  return { P, Q };
}

/** A relative view "asset `long` beats asset `short` by q": row with +1 and −1. */
export function relativeView(n: number, long: number, short: number): Float64Array {
  const row = new Float64Array(n);
  row[long] = 1;
  row[short] = -1;
  return row;
}

export interface BlackLittermanInput {
  /** n×n (annual) covariance */
  cov: Mat;
  /** prior returns (e.g. marketImpliedPriorReturns) */
  pi: Vec;
  /** k×n picking matrix */
  P: Mat;
  /** k view returns */
  Q: Vec;
  /** weight on the prior's uncertainty; default 0.05 */
  tau?: number;
  /** 'default' (He-Litterman), 'idzorek' (needs confidences) or a k×k matrix; default 'default' */
  omega?: 'default' | 'idzorek' | Mat;
  /** view confidences in [0, 1] for omega = 'idzorek' */
  confidences?: Vec;
}

export interface BlackLittermanResult {
  posteriorReturns: Float64Array;
  posteriorCov: Matrix;
  omega: Matrix;
  prior: Float64Array;
}

/** Ω per PyPortfolioOpt (see the module comment). */
export function viewUncertainty(cov: Mat, P: Mat, tau: number, omega: BlackLittermanInput['omega'] = 'default', confidences?: Vec): Matrix {
  const k = P.length;
  const n = cov.length;
  if (typeof omega === 'object') {
    if (omega.length !== k || omega.some((r) => r.length !== k)) throw new Error(`omega must be ${k}×${k}`);
    return omega.map((r) => Float64Array.from(r));
  }
  const pSp = (row: ArrayLike<number>) => {
    let s = 0;
    for (let i = 0; i < n; i++) {
      if (row[i] === 0) continue;
      for (let j = 0; j < n; j++) s += row[i] * cov[i][j] * row[j];
    }
    return s;
  };
  const out: Matrix = Array.from({ length: k }, () => new Float64Array(k));
  for (let v = 0; v < k; v++) {
    if (omega === 'idzorek') {
      if (!confidences || confidences.length !== k) throw new Error(`Idzorek's method needs one confidence per view (${k})`);
      const c = confidences[v];
      if (!(c >= 0 && c <= 1)) throw new Error(`view confidences must be between 0 and 1 (view ${v}: ${c})`);
      out[v][v] = c === 0 ? 1e6 : tau * ((1 - c) / c) * pSp(P[v]);
    } else if (omega === 'default') out[v][v] = tau * pSp(P[v]);
    else throw new Error(`unknown omega "${omega as string}" (default | idzorek | a k×k matrix)`);
  }
  return out;
}

function solveSystem(A: MlMatrix, B: MlMatrix): MlMatrix {
  const lu = new LuDecomposition(A);
  return lu.isSingular() ? mlSolve(A, B, true) : lu.solve(B);
}

/** Posterior returns and covariance (see the module comment). */
export function blackLitterman(input: BlackLittermanInput): BlackLittermanResult {
  const n = input.cov.length;
  const k = input.P.length;
  const tau = input.tau ?? 0.05;
  if (!(tau > 0 && tau <= 1)) throw new Error(`tau should be in (0, 1], got ${tau}`);
  if (input.pi.length !== n) throw new Error(`prior has ${input.pi.length} returns for ${n} assets`);
  if (input.Q.length !== k) throw new Error(`${k} view rows in P but ${input.Q.length} values in Q`);
  for (const row of input.P) if (row.length !== n) throw new Error(`P rows must have ${n} entries`);
  const prior = Float64Array.from(input.pi);
  if (k === 0) return { posteriorReturns: prior.slice(), posteriorCov: input.cov.map((r, i) => Float64Array.from(r, (x, j) => x + tau * input.cov[i][j])), omega: [], prior };
  const S = toMl(input.cov);
  const P = toMl(input.P);
  const omega = viewUncertainty(input.cov, input.P, tau, input.omega, input.confidences);
  const tauSigmaPt = S.mmul(P.transpose()).mul(tau); // n×k
  const A = P.mmul(tauSigmaPt).add(toMl(omega)); // k×k
  const piCol = MlMatrix.columnVector(Array.from(prior));
  const b = MlMatrix.columnVector(Array.from(input.Q)).sub(P.mmul(piCol));
  const post = piCol.add(tauSigmaPt.mmul(solveSystem(A, b)));
  const M = S.clone().mul(tau).sub(tauSigmaPt.mmul(solveSystem(A, tauSigmaPt.transpose())));
  const postCov = fromMl(S.add(M));
  for (let i = 0; i < n; i++) for (let j = 0; j < i; j++) postCov[i][j] = postCov[j][i] = 0.5 * (postCov[i][j] + postCov[j][i]);
  return { posteriorReturns: Float64Array.from(post.getColumn(0)), posteriorCov: postCov, omega, prior };
}

/** PyPortfolioOpt bl_weights: w = (δΣ)⁻¹ μ_BL normalised to sum 1 (unconstrained; may short). */
export function blWeights(posteriorReturns: Vec, cov: Mat, riskAversion = 1): Float64Array {
  const A = toMl(cov).mul(riskAversion);
  const raw = solveSystem(A, MlMatrix.columnVector(Array.from(posteriorReturns))).getColumn(0);
  const s = raw.reduce((a, b) => a + b, 0);
  return Float64Array.from(raw, (x) => x / s);
}

/**
 * Black-Litterman then max Sharpe (mvo.ts) on the posterior returns, with the posterior covariance (default) or the
 * prior one (`usePosteriorCov: false`); rf default 0.02 as maxSharpe; constraints as in mvo.ts.
 */
export function blackLittermanMaxSharpe(
  input: BlackLittermanInput,
  o: PortfolioConstraints & { rf?: number; usePosteriorCov?: boolean } = {},
): BlackLittermanResult & { weights: Float64Array } {
  const bl = blackLitterman(input);
  const weights = maxSharpe(bl.posteriorReturns, o.usePosteriorCov === false ? input.cov : bl.posteriorCov, o);
  return { ...bl, weights };
}
