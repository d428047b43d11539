/**
 * Hierarchical Risk Parity (López de Prado 2016, "Building diversified portfolios that outperform out of sample"),
 * as PyPortfolioOpt's HRPOpt.optimize(linkage_method="single") computes it:
 *
 * 1. distance d_ij = √(clip((1 − ρ_ij)/2, 0, 1)) from the correlation matrix (given, or cov_to_corr(Σ) rounded to
 *    6 decimals, as PyPortfolioOpt does when it only has a covariance matrix);
 * 2. single-linkage agglomerative clustering on that distance matrix (scipy.cluster.hierarchy.linkage on the
 *    condensed distances, "single"): implemented as scipy does it — a minimum spanning tree by Prim's algorithm from
 *    asset 0, edges stably sorted by distance, then union-find labelling (new cluster n + k; the child with the
 *    smaller id first) — so ties resolve as in scipy;
 * 3. quasi-diagonalisation: the leaves of the tree in pre-order, left child first (scipy to_tree(...).pre_order());
 * 4. recursive bisection of that ORDERED LIST (not of the tree): split each cluster into its first ⌊m/2⌋ and the
 *    rest; each half's variance is that of its inverse-variance portfolio, V = w̃ᵀΣw̃ with w̃ ∝ 1/diag(Σ);
 *    α = 1 − V₁/(V₁ + V₂); the first half's weights × α, the second's × (1 − α).
 *
 * Weights are long only and sum to 1; the scale of Σ does not matter (daily or annual give the same weights).
 * Clustering is O(n²) for the tree; the bisection O(n³) worst case — fine for hundreds of assets.
 */
import { covToCorr, zeros } from './covariance.ts';
import { pairwiseCorr, pairwiseCov, type Columns } from './returns.ts';

type Mat = readonly ArrayLike<number>[];

export interface HrpResult {
  weights: Float64Array;
  /** the quasi-diagonal order (asset indices) */
  order: number[];
  /** scipy-format linkage rows [left, right, distance, size] (cluster ids ≥ n are rows n..) */
  linkage: [number, number, number, number][];
}

/** Correlation distance √(clip((1 − ρ)/2, 0, 1)). */
export function correlationDistance(corr: Mat): Float64Array[] {
  const n = corr.length;
  return Array.from({ length: n }, (_, i) =>
    Float64Array.from({ length: n }, (_, j) => (i === j ? 0 : Math.sqrt(Math.min(1, Math.max(0, (1 - corr[i][j]) / 2))))),
  );
}

/** Single-linkage clustering, scipy's algorithm and output format (see step 2 above). */
export function singleLinkage(dist: Mat): [number, number, number, number][] {
  const n = dist.length;
  if (n < 2) return [];
  // Prim's MST (scipy _hierarchy.mst_single_linkage)
  const merged = new Uint8Array(n);
  const D = new Float64Array(n).fill(Infinity);
  const edges: [number, number, number][] = [];
  let x = 0;
  for (let k = 0; k < n - 1; k++) {
    let best = Infinity;
    let y = -1;
    merged[x] = 1;
    for (let i = 0; i < n; i++) {
      if (merged[i]) continue;
      const d = dist[x][i];
      if (D[i] > d) D[i] = d;
      if (D[i] < best || y < 0) {
        y = i;
        best = D[i];
      }
    }
    edges.push([x, y, best]);
    x = y;
  }
  edges.sort((a, b) => a[2] - b[2]); // stable, like numpy's mergesort
  // union-find labelling (scipy _hierarchy.label)
  const parent = Int32Array.from({ length: 2 * n - 1 }, (_, i) => i);
  const size = new Int32Array(2 * n - 1).fill(1);
  const find = (a: number) => {
    let r = a;
    while (parent[r] !== r) r = parent[r];
    while (parent[a] !== r) {
      const next = parent[a];
      parent[a] = r;
      a = next;
    }
    return r;
  };
  const out: [number, number, number, number][] = [];
  edges.forEach(([a, b, d], k) => {
    const ra = find(a);
    const rb = find(b);
    const id = n + k;
    parent[ra] = id;
    parent[rb] = id;
    size[id] = size[ra] + size[rb];
    out.push([Math.min(ra, rb), Math.max(ra, rb), d, size[id]]);
  });
  return out;
}

/** Leaves in pre-order, left child first (scipy to_tree(Z).pre_order()). */
export function quasiDiagOrder(linkage: readonly (readonly [number, number, number, number])[], n: number): number[] {
  if (n === 1) return [0];
  const order: number[] = [];
  const stack = [n + linkage.length - 1];
  while (stack.length) {
    const id = stack.pop()!;
    if (id < n) order.push(id);
    else {
      const [l, r] = linkage[id - n];
      stack.push(r, l); // left on top
    }
  }
  return order;
}

/** Variance of the inverse-variance portfolio of the assets `items`: w̃ ∝ 1/Σ_ii, V = w̃ᵀΣw̃. */
function clusterVariance(cov: Mat, items: readonly number[]): number {
  let s = 0;
  for (const i of items) s += 1 / cov[i][i];
  let v = 0;
  for (const i of items) {
    const wi = 1 / cov[i][i] / s;
    for (const j of items) v += wi * cov[i][j] * (1 / cov[j][j] / s);
  }
  return v;
}

/**
 * HRP weights (see the module comment) from a covariance matrix, with an optional correlation matrix (default:
 * cov_to_corr(cov) rounded to 6 decimals).
 */
export function hrp(cov: Mat, o: { corr?: Mat } = {}): HrpResult {
  const n = cov.length;
  if (n === 0) return { weights: new Float64Array(0), order: [], linkage: [] };
  for (let i = 0; i < n; i++) if (!(cov[i][i] > 0)) throw new Error(`HRP: asset ${i} has variance ${cov[i][i]} (must be > 0)`);
  const corr = o.corr ?? covToCorr(cov).map((r) => r.map((x) => Math.round(x * 1e6) / 1e6));
  const link = singleLinkage(correlationDistance(corr));
  const order = quasiDiagOrder(link, n);
  const w = new Float64Array(n).fill(1);
  let clusters: number[][] = [order];
  while (clusters.length) {
    const next: number[][] = [];
    for (const c of clusters) {
      if (c.length <= 1) continue;
      const h = c.length >> 1;
      next.push(c.slice(0, h), c.slice(h));
    }
    for (let k = 0; k < next.length; k += 2) {
      const v1 = clusterVariance(cov, next[k]);
      const v2 = clusterVariance(cov, next[k + 1]);
      const alpha = 1 - v1 / (v1 + v2);
      for (const i of next[k]) w[i] *= alpha;
      for (const i of next[k + 1]) w[i] *= 1 - alpha;
    }
    clusters = next;
  }
  return { weights: w, order, linkage: link };
}

/**
 * HRP from return columns, as PyPortfolioOpt's HRPOpt(returns): correlation and covariance are pandas'
 * returns.corr() and returns.cov() (pairwise-complete rows, ddof 1; not annualised — HRP weights do not depend on
 * the scale).
 */
export function hrpFromReturns(returns: Columns): HrpResult {
  const n = returns.length;
  const cov = zeros(n);
  const corr = zeros(n);
  for (let i = 0; i < n; i++) {
    for (let j = i; j < n; j++) {
      cov[i][j] = cov[j][i] = pairwiseCov(returns[i], returns[j]);
      corr[i][j] = corr[j][i] = i === j ? 1 : pairwiseCorr(returns[i], returns[j]);
    }
  }
  return hrp(cov, { corr });
}
