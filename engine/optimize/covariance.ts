/**
 * Covariance estimators, following PyPortfolioOpt (pypfopt/risk_models.py, v1.5) and scikit-learn:
 *
 * - input: daily simple returns as columns (engine/optimize/returns.ts: one Float64Array per asset, NaN = missing);
 * - output: ANNUALISED covariance matrices (× frequency, default 252) as rows: `Matrix` = Float64Array[] (n rows of n);
 * - sample and exponentially weighted covariances use pairwise-complete rows (pandas' rule); Ledoit-Wolf replaces
 *   NaN by 0 first, exactly as PyPortfolioOpt does before calling sklearn (`np.nan_to_num(X)`);
 * - like PyPortfolioOpt, a sample or exponential estimate that is not positive semi-definite (possible with
 *   pairwise-complete rows) is repaired by spectral clipping of negative eigenvalues (fixNonPositiveSemidefinite).
 *
 * Linear algebra (eigen-decomposition, Cholesky) is ml-matrix's.
 */
import { CholeskyDecomposition, EigenvalueDecomposition, Matrix as MlMatrix } from 'ml-matrix';
import { ewmLast, pairwiseCov, type Columns } from './returns.ts';

/** A square matrix as rows. */
export type Matrix = Float64Array[];

export interface CovOptions {
  /** periods per year; default 252 */
  frequency?: number;
}

/** ml-matrix ↔ rows */
export function toMl(m: readonly ArrayLike<number>[]): MlMatrix {
  return new MlMatrix(m.map((r) => Array.from(r)));
}
export function fromMl(m: MlMatrix): Matrix {
  const out: Matrix = [];
  for (let i = 0; i < m.rows; i++) out.push(Float64Array.from(m.getRow(i)));
  return out;
}

/** An n×n matrix of zeros. */
export function zeros(n: number): Matrix {
  return Array.from({ length: n }, () => new Float64Array(n));
}

/**
 * PyPortfolioOpt's test: the matrix is treated as positive semi-definite when a Cholesky factorisation of
 * M + 1e-16·I succeeds.
 */
export function isPositiveSemidefinite(m: readonly ArrayLike<number>[]): boolean {
  const a = toMl(m);
  for (let i = 0; i < a.rows; i++) a.set(i, i, a.get(i, i) + 1e-16);
  for (let i = 0; i < a.rows; i++) for (let j = 0; j < a.rows; j++) if (!Number.isFinite(a.get(i, j))) return false;
  return new CholeskyDecomposition(a).isPositiveDefinite();
}

/**
 * PyPortfolioOpt fix_nonpositive_semidefinite(fix_method="spectral"): if M is not PSD (test above), write
 * M = V diag(q) Vᵀ and return V diag(max(q, 0)) Vᵀ. `fixed` says whether anything was changed.
 */
export function fixNonPositiveSemidefinite(m: Matrix): { matrix: Matrix; fixed: boolean } {
  if (isPositiveSemidefinite(m)) return { matrix: m, fixed: false };
  const e = new EigenvalueDecomposition(toMl(m), { assumeSymmetric: true });
  const q = e.realEigenvalues.map((x) => (x > 0 ? x : 0));
  const V = e.eigenvectorMatrix;
  const fixedM = V.mmul(MlMatrix.diag(q)).mmul(V.transpose());
  const out = fromMl(fixedM);
  // symmetrise away rounding
  for (let i = 0; i < out.length; i++) for (let j = 0; j < i; j++) out[i][j] = out[j][i] = 0.5 * (out[i][j] + out[j][i]);
  return { matrix: out, fixed: true };
}

/**
 * Annualised sample covariance (PyPortfolioOpt sample_cov): S_ij = pairwiseCov(r_i, r_j) × 252 (pairwise-complete
 * rows, ddof 1), then fixNonPositiveSemidefinite.
 */
export function sampleCov(returns: Columns, o: CovOptions = {}): Matrix {
  const f = o.frequency ?? 252;
  const n = returns.length;
  const S = zeros(n);
  for (let i = 0; i < n; i++) {
    for (let j = i; j < n; j++) S[i][j] = S[j][i] = pairwiseCov(returns[i], returns[j]) * f;
  }
  return fixNonPositiveSemidefinite(S).matrix;
}

/**
 * Annualised exponentially weighted covariance (PyPortfolioOpt exp_cov, span 180 by default): for each pair,
 *   S_ij = ewmLast((r_i − r̄_i)(r_j − r̄_j), span) × 252,
 * with r̄ each asset's mean over its own finite returns and the EWM of pandas (adjust=True, absolute positions; see
 * returns.ts ewmLast); then fixNonPositiveSemidefinite.
 */
export function expCov(returns: Columns, o: CovOptions & { span?: number } = {}): Matrix {
  const f = o.frequency ?? 252;
  const span = o.span ?? 180;
  const n = returns.length;
  const means = returns.map((r) => {
    let s = 0;
    let k = 0;
    for (let t = 0; t < r.length; t++) if (r[t] === r[t]) (s += r[t]), k++;
    return k ? s / k : NaN;
  });
  const S = zeros(n);
  for (let i = 0; i < n; i++) {
    for (let j = i; j < n; j++) {
      const a = returns[i];
      const b = returns[j];
      const T = Math.min(a.length, b.length);
      const c = new Float64Array(T);
      for (let t = 0; t < T; t++) c[t] = (a[t] - means[i]) * (b[t] - means[j]);
      S[i][j] = S[j][i] = ewmLast(c, span) * f;
    }
  }
  return fixNonPositiveSemidefinite(S).matrix;
}

/**
 * Ledoit-Wolf shrinkage towards a constant-variance target, as sklearn.covariance.ledoit_wolf (which
 * PyPortfolioOpt's CovarianceShrinkage.ledoit_wolf() calls for its default shrinkage_target="constant_variance"):
 *
 *   X = returns with NaN → 0, centred per column;  n rows (periods), p columns (assets)
 *   S = XᵀX / n (biased empirical covariance),  μ = tr(S) / p,  target F = μ I
 *   β̂ = [Σ_ij ((X∘X)ᵀ(X∘X))_ij / n − Σ_ij (XᵀX)²_ij / n²] / (p n)      (sklearn's "beta")
 *   δ̂ = ‖S − μI‖²_F / p = [Σ_ij (XᵀX)²_ij / n² − 2μ tr(S) + p μ²] / p  (sklearn's "delta")
 *   shrinkage s = min(β̂, δ̂) / δ̂  (0 when β̂ = 0),  Σ̂ = (1 − s) S + s μ I,  annualised × 252.
 * One asset: s = 0. Ledoit & Wolf (2004), "A well-conditioned estimator for large-dimensional covariance matrices".
 */
export function ledoitWolf(returns: Columns, o: CovOptions = {}): { cov: Matrix; shrinkage: number } {
  const f = o.frequency ?? 252;
  const p = returns.length;
  const n = p ? returns[0].length : 0;
  if (p === 0 || n === 0) throw new Error('ledoitWolf: no data');
  // centred columns, NaN → 0
  const X = returns.map((r) => {
    const x = new Float64Array(n);
    let s = 0;
    for (let t = 0; t < n; t++) {
      x[t] = r[t] === r[t] ? r[t] : 0;
      s += x[t];
    }
    const m = s / n;
    for (let t = 0; t < n; t++) x[t] -= m;
    return x;
  });
  const XtX = zeros(p);
  let betaSum = 0; // Σ_ij Σ_t X_ti² X_tj²
  for (let i = 0; i < p; i++) {
    for (let j = i; j < p; j++) {
      let s = 0;
      let s2 = 0;
      const a = X[i];
      const b = X[j];
      for (let t = 0; t < n; t++) {
        const ab = a[t] * b[t];
        s += ab;
        s2 += ab * ab;
      }
      XtX[i][j] = XtX[j][i] = s;
      betaSum += i === j ? s2 : 2 * s2;
    }
  }
  let trace = 0;
  let sq = 0; // Σ_ij (XᵀX)²_ij
  for (let i = 0; i < p; i++) {
    trace += XtX[i][i] / n;
    for (let j = 0; j < p; j++) sq += XtX[i][j] * XtX[i][j];
  }
  const mu = trace / p;
  let shrinkage = 0;
  if (p > 1) {
    const deltaRaw = sq / (n * n);
    let beta = (betaSum / n - deltaRaw) / (p * n);
    const delta = (deltaRaw - 2 * mu * trace + p * mu * mu) / p;
    beta = Math.min(beta, delta);
    shrinkage = beta === 0 ? 0 : beta / delta;
  }
  const cov = zeros(p);
  for (let i = 0; i < p; i++) {
    for (let j = 0; j < p; j++) cov[i][j] = ((1 - shrinkage) * (XtX[i][j] / n) + (i === j ? shrinkage * mu : 0)) * f;
  }
  return { cov, shrinkage };
}

/** Correlation from covariance: ρ_ij = Σ_ij / √(Σ_ii Σ_jj) (PyPortfolioOpt cov_to_corr). */
export function covToCorr(cov: readonly ArrayLike<number>[]): Matrix {
  const n = cov.length;
  const sd = Float64Array.from({ length: n }, (_, i) => Math.sqrt(cov[i][i]));
  const out = zeros(n);
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) out[i][j] = cov[i][j] / (sd[i] * sd[j]);
  return out;
}

/** Covariance from correlations and volatilities: Σ_ij = ρ_ij σ_i σ_j. */
export function corrToCov(corr: readonly ArrayLike<number>[], vols: ArrayLike<number>): Matrix {
  const n = corr.length;
  const out = zeros(n);
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) out[i][j] = corr[i][j] * vols[i] * vols[j];
  return out;
}
