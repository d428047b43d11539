/**
 * Risk parity (equal risk contribution, ERC) and risk budgeting, long only, plus the two baselines (equal weight,
 * inverse volatility).
 *
 * Risk contribution of asset i: RC_i = w_i (Σw)_i; they sum to wᵀΣw. ERC wants RC_i = b_i · wᵀΣw with budgets b
 * (default b_i = 1/n). Spinu (2013), "An algorithm for computing risk parity weights": the solution is w = x / 1ᵀx
 * where x > 0 minimises the strictly convex
 *   F(x) = ½ xᵀΣx − Σ_i b_i ln x_i,      ∇F = 0  ⇔  x_i (Σx)_i = b_i for all i.
 * Solved by cyclical coordinate descent (Griveau-Billion, Richard & Roncalli 2013): each coordinate is minimised
 * exactly, i.e. x_i is the positive root of Σ_ii x_i² + c_i x_i − b_i = 0 with c_i = Σ_{j≠i} Σ_ij x_j:
 *   x_i = (−c_i + √(c_i² + 4 Σ_ii b_i)) / (2 Σ_ii).
 * Hand-written (no QP: the problem is not a QP) — each sweep is O(n²), (Σx) is updated incrementally.
 * Stops when max_i |x_i (Σx)_i − b_i| ≤ tol · max b (default tol 1e-12) or after maxIter sweeps (default 10,000).
 * For uncorrelated assets x_i = √(b_i/Σ_ii), so w ∝ 1/σ_i; for any two assets w ∝ 1/σ_i too.
 */
type Mat = readonly ArrayLike<number>[];

export interface RiskParityOptions {
  /** risk budgets b (positive; normalised to sum 1); default equal */
  budgets?: ArrayLike<number>;
  /** tolerance on max |x_i(Σx)_i − b_i| / max b; default 1e-12 */
  tol?: number;
  /** maximum coordinate-descent sweeps; default 10,000 */
  maxIter?: number;
}

/** Risk parity weights (see the module comment). Throws for a non-positive variance or non-positive budget. */
export function riskParity(cov: Mat, o: RiskParityOptions = {}): Float64Array {
  const n = cov.length;
  if (n === 0) return new Float64Array(0);
  const b = new Float64Array(n);
  let bs = 0;
  for (let i = 0; i < n; i++) {
    b[i] = o.budgets ? o.budgets[i] : 1;
    if (!(b[i] > 0)) throw new Error(`risk parity: budget ${i} must be > 0 (got ${b[i]})`);
    bs += b[i];
  }
  let bmax = 0;
  for (let i = 0; i < n; i++) {
    b[i] /= bs;
    bmax = Math.max(bmax, b[i]);
  }
  for (let i = 0; i < n; i++) if (!(cov[i][i] > 0)) throw new Error(`risk parity: asset ${i} has variance ${cov[i][i]} (must be > 0)`);
  // start at inverse volatility, x_i = √(b_i / Σ_ii) (the exact answer without correlation)
  const x = Float64Array.from({ length: n }, (_, i) => Math.sqrt(b[i] / cov[i][i]));
  const sx = new Float64Array(n); // Σx
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let j = 0; j < n; j++) s += cov[i][j] * x[j];
    sx[i] = s;
  }
  const tol = (o.tol ?? 1e-12) * bmax;
  const maxIter = o.maxIter ?? 10_000;
  for (let it = 0; it < maxIter; it++) {
    for (let i = 0; i < n; i++) {
      const sii = cov[i][i];
      const c = sx[i] - sii * x[i];
      const xi = (-c + Math.sqrt(c * c + 4 * sii * b[i])) / (2 * sii);
      const d = xi - x[i];
      if (d !== 0) {
        for (let j = 0; j < n; j++) sx[j] += cov[j][i] * d;
        x[i] = xi;
      }
    }
    let err = 0;
    for (let i = 0; i < n; i++) err = Math.max(err, Math.abs(x[i] * sx[i] - b[i]));
    if (err <= tol) break;
  }
  let s = 0;
  for (let i = 0; i < n; i++) s += x[i];
  return x.map((v) => v / s);
}

/** Risk contributions as shares of the variance: RC_i / wᵀΣw = w_i (Σw)_i / wᵀΣw (they sum to 1). */
export function riskContributions(w: ArrayLike<number>, cov: Mat): Float64Array {
  const n = w.length;
  const rc = new Float64Array(n);
  let total = 0;
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let j = 0; j < n; j++) s += cov[i][j] * w[j];
    rc[i] = w[i] * s;
    total += rc[i];
  }
  return rc.map((v) => v / total);
}

/** Equal weights 1/n. */
export function equalWeight(n: number): Float64Array {
  return new Float64Array(n).fill(1 / n);
}

/** Inverse volatility: w_i ∝ 1/σ_i = 1/√Σ_ii (normalised to sum 1). */
export function inverseVolatility(cov: Mat): Float64Array {
  const n = cov.length;
  const w = Float64Array.from({ length: n }, (_, i) => 1 / Math.sqrt(cov[i][i]));
  let s = 0;
  for (let i = 0; i < n; i++) s += w[i];
  return w.map((v) => v / s);
}
