/**
 * Our histogram-based tree learner. There is no maintained LightGBM or XGBoost binding for Node (the npm packages are
 * abandoned native addons or WASM demos), so the learner is written here, for speed, on typed arrays:
 *
 * - features binned to ≤ 255 value bins plus a missing bin (binning.ts), a row-major Uint8 matrix;
 * - per leaf, gradient/hessian histograms (hist.ts), built for the smaller child only: the larger child's histogram
 *   is its parent's minus the smaller's (the sibling-subtraction trick), and built on worker threads;
 * - split finding over the histogram bins with L1/L2 regularisation: with T(G) = sign(G)·max(|G| − λ₁, 0),
 *   score(G, H) = T(G)² / (H + λ₂), gain = score(L) + score(R) − score(parent), leaf value −T(G) / (H + λ₂)
 *   (XGBoost's and LightGBM's formulas); a split needs gain > minGain, min data (estimated, as LightGBM does, from the
 *   hessian: count ≈ H · n_leaf / H_leaf) and min hessian in each child; missing values go to whichever side gains
 *   more (both are tried at every threshold), and when a leaf had none they follow the side with more hessian;
 * - feature subsampling per tree (boosting) or per node (forests), row subsampling (bagging) per tree, seeded.
 *
 * Growth policies: leaf-wise (LightGBM: split the leaf with the largest gain until num_leaves), depth-wise (XGBoost:
 * every splittable leaf of a level, to max_depth) and oblivious (CatBoost: one split per level shared by every leaf,
 * chosen by the summed gain). Ensembles: gradient boosting (binary log-loss with p = σ(F), g = p − y, h = p(1 − p); or
 * L2 regression, g = F − y, h = 1; initial score from the label mean; shrinkage; early stopping on a validation set)
 * or forests (random forest: bootstrap rows; extra trees: all rows and one random threshold per feature and node).
 * A forest's tree fits the label mean of its leaf (g = −y, h = 1, λ₂ = 0) and the forest averages the trees.
 */
import { Rng } from '../../src/rng.ts';
import { sharedI32 } from '../../src/types.ts';
import { binFeatures, binRows, chooseEdges, edgesFor, samplePositions, thresholdOf, type BinEdges, type BinnedMatrix } from './binning.ts';
import { HistBuilder, KernelMemory, type KernelPtrs } from './hist.ts';

export type Growth = 'leafwise' | 'depthwise' | 'oblivious';

export interface TreeParams {
  objective: 'binary' | 'regression';
  ensemble: 'boosting' | 'forest';
  growth: Growth;
  /** boosting rounds, or trees of a forest */
  rounds: number;
  learningRate: number;
  /** leaf-wise: maximum leaves per tree */
  numLeaves: number;
  /** maximum depth (≤ 0: none; depth-wise and oblivious need one) */
  maxDepth: number;
  minDataInLeaf: number;
  minSumHessian: number;
  minGain: number;
  lambdaL1: number;
  lambdaL2: number;
  /** share of features each tree may use (boosting) */
  featureFraction: number;
  /** share of features each node may use (forests: sqrt(F)/F by default) */
  featureFractionByNode: number;
  /** share of rows each tree uses (boosting bagging; 1 = all) */
  baggingFraction: number;
  /** forests: sample rows with replacement */
  bootstrap: boolean;
  /** one random threshold per feature and node (extra trees) */
  extraTrees: boolean;
  /** stop when the validation loss has not improved for this many rounds (0: off) */
  earlyStoppingRounds: number;
  seed: number;
  threads: number;
  /** histogram kernel: WebAssembly (default) or the JavaScript reference loop */
  kernel?: 'wasm' | 'js';
}

export const MODEL_KINDS = ['gbdt', 'gbdt_depthwise', 'gbdt_oblivious', 'random_forest', 'extra_trees'] as const;
export type TreeKind = (typeof MODEL_KINDS)[number];

/** Defaults of each family, after the library it follows (LightGBM, XGBoost, CatBoost, scikit-learn). */
export function defaultParams(kind: TreeKind, objective: 'binary' | 'regression' = 'binary'): TreeParams {
  const base: TreeParams = {
    objective,
    ensemble: 'boosting',
    growth: 'leafwise',
    rounds: 100,
    learningRate: 0.1,
    numLeaves: 31,
    maxDepth: -1,
    minDataInLeaf: 20,
    minSumHessian: 1e-3,
    minGain: 0,
    lambdaL1: 0,
    lambdaL2: 0,
    featureFraction: 1,
    featureFractionByNode: 1,
    baggingFraction: 1,
    bootstrap: false,
    extraTrees: false,
    earlyStoppingRounds: 0,
    seed: 42,
    threads: 1,
  };
  switch (kind) {
    case 'gbdt':
      return base;
    case 'gbdt_depthwise': // XGBoost: eta 0.3, max_depth 6, lambda 1, min_child_weight 1
      return { ...base, growth: 'depthwise', learningRate: 0.3, maxDepth: 6, numLeaves: 64, lambdaL2: 1, minSumHessian: 1, minDataInLeaf: 1 };
    case 'gbdt_oblivious': // CatBoost: depth 6, l2_leaf_reg 3
      return { ...base, growth: 'oblivious', maxDepth: 6, numLeaves: 64, lambdaL2: 3, minDataInLeaf: 1 };
    case 'random_forest':
      return { ...base, ensemble: 'forest', numLeaves: 255, minDataInLeaf: 5, bootstrap: true, featureFractionByNode: NaN };
    case 'extra_trees':
      return { ...base, ensemble: 'forest', numLeaves: 255, minDataInLeaf: 5, extraTrees: true, featureFractionByNode: NaN };
  }
}

/** A trained tree: ONNX-ready node arrays (see models/onnx.ts) plus the split bins and statistics. */
export interface Tree {
  isLeaf: Uint8Array;
  feature: Int32Array;
  /** split bin t: bins 1..t go left */
  tbin: Int32Array;
  threshold: Float64Array;
  left: Int32Array;
  right: Int32Array;
  missingLeft: Uint8Array;
  /** leaf values, already scaled (learning rate, or 1/trees for forests) */
  leaf: Float64Array;
  gain: Float64Array;
  count: Int32Array;
}

export interface RoundInfo {
  round: number;
  rounds: number;
  train: number;
  valid: number | null;
  leaves: number;
}

export interface TreeModel {
  params: TreeParams;
  nFeatures: number;
  /** added to the sum of the leaves: log-odds (binary boosting), mean (regression), 0 (forests) */
  baseScore: number;
  trees: Tree[];
  /** 1-based round with the best validation loss (early stopping keeps the trees up to it) */
  bestIteration: number;
  history: { train: number[]; valid: number[] };
  importance: { split: Float64Array; gain: Float64Array };
  threads: number;
}

export interface FitOptions {
  valid?: { X: BinnedMatrix; y: ArrayLike<number> };
  onRound?: (info: RoundInfo) => void;
  /** polled between trees */
  shouldStop?: () => boolean;
}

interface Split {
  gain: number;
  f: number;
  t: number;
  missLeft: boolean;
  GL: number;
  HL: number;
}

interface Leaf {
  node: number;
  begin: number;
  end: number;
  G: number;
  H: number;
  depth: number;
  /** histogram slot (offset into the pool), −1 when none */
  slot: number;
  best: Split | null;
}

class TreeBuf {
  isLeaf: number[] = [1];
  feature: number[] = [0];
  tbin: number[] = [0];
  threshold: number[] = [0];
  left: number[] = [0];
  right: number[] = [0];
  missingLeft: number[] = [0];
  leaf: number[] = [0];
  gain: number[] = [0];
  count: number[] = [0];
  add(): number {
    for (const a of [this.feature, this.tbin, this.threshold, this.left, this.right, this.missingLeft, this.leaf, this.gain, this.count]) a.push(0);
    this.isLeaf.push(1);
    return this.isLeaf.length - 1;
  }
  freeze(): Tree {
    return {
      isLeaf: Uint8Array.from(this.isLeaf),
      feature: Int32Array.from(this.feature),
      tbin: Int32Array.from(this.tbin),
      threshold: Float64Array.from(this.threshold),
      left: Int32Array.from(this.left),
      right: Int32Array.from(this.right),
      missingLeft: Uint8Array.from(this.missingLeft),
      leaf: Float64Array.from(this.leaf),
      gain: Float64Array.from(this.gain),
      count: Int32Array.from(this.count),
    };
  }
}

const shared = (bytes: number, threads: number) => (threads > 1 ? new SharedArrayBuffer(bytes) : new ArrayBuffer(bytes));

/** Column-major copy of a row-major n × F byte matrix (blocked, so both sides stay in cache). */
function transpose(bins: Uint8Array, n: number, F: number): Uint8Array {
  const out = new Uint8Array(n * F);
  const B = 4096;
  for (let i0 = 0; i0 < n; i0 += B) {
    const i1 = Math.min(n, i0 + B);
    for (let f = 0; f < F; f++) {
      const o = f * n;
      for (let i = i0, q = i0 * F + f; i < i1; i++, q += F) out[o + i] = bins[q];
    }
  }
  return out;
}

/** Matrices smaller than this (rows × features) are fitted on one thread. */
export const MIN_CELLS_FOR_THREADS = 4_000_000;

/** Bytes of kernel memory to train on n rows × F features (histograms of histSize doubles, `slots` of them). */
function trainingBytes(n: number, F: number, histSize: number, slots: number): number {
  return n * F + 8 * histSize * slots + 20 * n + 4 * F + 8 * 64;
}

/** Histogram slots a fit with these parameters may hold at once. */
function slotsFor(p: TreeParams): number {
  const growth = p.ensemble === 'forest' ? 'leafwise' : p.growth;
  const maxDepth = p.maxDepth > 0 ? p.maxDepth : growth === 'leafwise' ? 0 : 6;
  return growth === 'leafwise' ? Math.max(2, p.numLeaves) + 1 : 2 ** maxDepth + 2 ** (maxDepth - 1) + 1;
}

/**
 * Bin training rows straight into a WebAssembly memory sized for fitting them with parameters `p` (a fit then uses
 * the matrix in place: no copy, no second round of first-touch page faults on a matrix of hundreds of MB).
 */
export function binForTraining(cols: ArrayLike<number>[], rows: Int32Array | null, e: BinEdges, p: TreeParams): BinnedMatrix {
  const F = cols.length;
  const n = rows ? rows.length : F ? cols[0].length : 0;
  let histSize = 0;
  for (let f = 0; f < F; f++) histSize += 2 * e.nBins[f];
  const bytes = trainingBytes(n, F, histSize, slotsFor(p));
  if (p.kernel === 'js' || !KernelMemory.fits(bytes)) return binRows(cols, rows, e, p.threads > 1);
  const km = new KernelMemory(bytes);
  const [bins, ptr] = km.u8(n * F);
  const X = binRows(cols, rows, e, bins);
  return { ...X, kernel: { memory: km, ptr } };
}

/**
 * Choose edges and bin training rows for fitting with parameters `p`, on p.threads threads when the columns live in
 * SharedArrayBuffers and the matrix is large (each thread takes a range of features); otherwise as binForTraining.
 */
export async function prepareTraining(cols: Float64Array[], rows: Int32Array | null, p: TreeParams, o: { maxBin?: number; seed?: number; sampleRows?: number } = {}): Promise<BinnedMatrix> {
  const F = cols.length;
  const n = rows ? rows.length : F ? cols[0].length : 0;
  const maxBin = Math.min(255, Math.max(2, o.maxBin ?? 255));
  const threads = Math.max(1, Math.min(p.threads | 0, F));
  const sharedCols = cols.every((c) => c.buffer instanceof SharedArrayBuffer);
  // room for the largest histograms (≤ 256 bins and the missing bin per feature): edges are not known yet
  const bytes = trainingBytes(n, F, 2 * 257 * F, slotsFor(p));
  if (threads <= 1 || !sharedCols || n * F < MIN_CELLS_FOR_THREADS || p.kernel === 'js' || !KernelMemory.fits(bytes)) {
    const e = chooseEdges(cols, rows, { maxBin, seed: o.seed, sampleRows: o.sampleRows });
    return binForTraining(cols, rows, e, p);
  }
  const pos = sharedI32(samplePositions(n, Math.min(n, o.sampleRows ?? 200_000), o.seed ?? 1));
  const rowsS = rows ? sharedI32(rows) : null;
  const km = new KernelMemory(bytes);
  const [bins, ptr] = km.u8(n * F);
  const cuts = Array.from({ length: threads + 1 }, (_, k) => Math.round((k * F) / threads));
  const { Piscina } = await import('piscina');
  const { workerEntry } = await import('../../src/version.ts');
  const pool = new Piscina({ filename: workerEntry('bin-worker', 'models/trees/bin-worker.mjs').href, minThreads: threads - 1, maxThreads: threads - 1 });
  try {
    const view = (a: Uint8Array) => ({ buffer: a.buffer as SharedArrayBuffer, offset: a.byteOffset, length: a.length });
    const tasks = cuts.slice(1, -1).map((f0, k) => pool.run({ cols, rows: rowsS, pos, maxBin, bins: view(bins), all: null, F, f0, f1: cuts[k + 2] }) as Promise<Float64Array[]>);
    const edges: Float64Array[] = new Array(F);
    const mine = edgesFor(cols, rowsS, pos, maxBin, 0, cuts[1]);
    mine.forEach((e, f) => (edges[f] = e));
    binFeatures(cols, rowsS, edges, bins, null, F, 0, cuts[1]);
    (await Promise.all(tasks)).forEach((es, k) => es.forEach((e, j) => (edges[cuts[k + 1] + j] = e)));
    return { n, F, bins, edges, nBins: Int32Array.from(edges, (e) => e.length + 2), kernel: { memory: km, ptr } };
  } finally {
    await pool.destroy();
  }
}

/** Fit a tree ensemble on binned rows X with labels y (0/1 for binary). */
export function fitTrees(X: BinnedMatrix, y: ArrayLike<number>, p: TreeParams, o: FitOptions = {}): TreeModel {
  const { n, F, nBins, edges } = X;
  if (n === 0) throw new Error('trees: no training rows');
  const forest = p.ensemble === 'forest';
  // worker threads pay off only on large matrices (a worker takes ~0.1–0.5 s to start)
  const threads = X.n * X.F >= MIN_CELLS_FOR_THREADS ? Math.max(1, p.threads | 0) : 1;
  const lambda = forest ? 0 : p.lambdaL2;
  const l1 = forest ? 0 : p.lambdaL1;
  const growth: Growth = forest ? 'leafwise' : p.growth;
  const maxDepth = p.maxDepth > 0 ? p.maxDepth : growth === 'leafwise' ? 0 : 6;
  const numLeaves = growth === 'leafwise' ? Math.max(2, p.numLeaves) : 2 ** maxDepth;
  // histogram layout: feature f's bins at off[f] (interleaved g, h)
  const off = new Int32Array(F + 1);
  for (let f = 0; f < F; f++) off[f + 1] = off[f] + 2 * nBins[f];
  const histSize = off[F];
  const slots = slotsFor(p);
  const freeSlots: number[] = [];
  for (let k = slots - 1; k >= 0; k--) freeSlots.push(k * histSize);
  // the kernel's arrays: in a shared WebAssembly memory (the wasm kernel), or in shared buffers (JavaScript kernel)
  const useWasm = p.kernel !== 'js' && KernelMemory.fits(trainingBytes(n, F, histSize, slots));
  let bins: Uint8Array;
  let grad: Float64Array;
  let hess: Float64Array;
  let idx: Int32Array;
  let hist: Float64Array;
  let wasm: KernelPtrs | undefined;
  if (useWasm) {
    let km: KernelMemory;
    let pb: number;
    if (X.kernel && X.kernel.memory instanceof KernelMemory && X.kernel.memory.free >= trainingBytes(0, F, histSize, slots) + 20 * n) {
      km = X.kernel.memory;
      pb = X.kernel.ptr;
      bins = X.bins;
    } else {
      km = new KernelMemory(trainingBytes(n, F, histSize, slots));
      [bins, pb] = km.u8(n * F);
      bins.set(X.bins);
    }
    const [g, pg] = km.f64(n);
    const [h, ph] = km.f64(n);
    const [ix, pi] = km.i32(n);
    const [hs, phs] = km.f64(histSize * slots);
    const [ob, pob] = km.i32(F);
    for (let f = 0; f < F; f++) ob[f] = off[f] * 8;
    [grad, hess, idx, hist] = [g, h, ix, hs];
    wasm = { memory: km.memory, bins: pb, idx: pi, grad: pg, hess: ph, hist: phs, offB: pob };
    km.reset(pb + n * F); // the training arrays are scratch: a later fit on the same matrix reuses the space
  } else {
    if (threads > 1 && !(X.bins.buffer instanceof SharedArrayBuffer)) throw new Error('trees: threads > 1 needs a shared bin matrix (binRows(..., shared = true))');
    bins = X.bins;
    hist = new Float64Array(shared(8 * histSize * slots, threads));
    grad = new Float64Array(shared(8 * n, threads));
    hess = new Float64Array(shared(8 * n, threads));
    idx = new Int32Array(shared(4 * n, threads));
  }
  const tmp = new Int32Array(n);
  const builder = new HistBuilder({ bins, F, idx, grad, hess, hist, off, wasm }, threads);
  const rng = new Rng(p.seed);

  const yv = Float64Array.from(y as ArrayLike<number>);
  let baseScore = 0;
  if (!forest) {
    let s = 0;
    for (let i = 0; i < n; i++) s += yv[i];
    const m = s / n;
    baseScore = p.objective === 'binary' ? Math.log(Math.max(1e-15, m) / Math.max(1e-15, 1 - m)) : m;
  }
  const score = new Float64Array(n).fill(baseScore);
  const valid = o.valid;
  const vScore = valid ? new Float64Array(valid.X.n).fill(baseScore) : null;
  const vy = valid ? Float64Array.from(valid.y as ArrayLike<number>) : null;

  const T = (G: number) => (l1 > 0 ? (G > l1 ? G - l1 : G < -l1 ? G + l1 : 0) : G);
  const sc = (G: number, H: number) => {
    const t = T(G);
    return H + lambda > 0 ? (t * t) / (H + lambda) : 0;
  };
  const leafValue = (G: number, H: number) => (H + lambda > 0 ? -T(G) / (H + lambda) : 0);

  const featMask = new Uint8Array(F);
  const nodeMask = new Uint8Array(F);
  const byNode = forest ? (Number.isNaN(p.featureFractionByNode) ? Math.sqrt(F) / F : p.featureFractionByNode) : p.featureFractionByNode;
  const pickFeatures = (mask: Uint8Array, frac: number, from: Uint8Array | null) => {
    const cand: number[] = [];
    for (let f = 0; f < F; f++) if (!from || from[f]) cand.push(f);
    const k = Math.max(1, Math.min(cand.length, Math.round(frac * cand.length)));
    mask.fill(0);
    if (k === cand.length) {
      for (const f of cand) mask[f] = 1;
      return;
    }
    for (let i = 0; i < k; i++) {
      const j = i + Math.floor(rng.next() * (cand.length - i));
      const t = cand[i];
      cand[i] = cand[j];
      cand[j] = t;
      mask[cand[i]] = 1;
    }
  };

  /** Best split of a leaf over the allowed features (null when none is allowed by the constraints). */
  const findBest = (L: Leaf): Split | null => {
    const cnt = L.end - L.begin;
    if (cnt < 2 * p.minDataInLeaf || (maxDepth > 0 && L.depth >= maxDepth)) return null;
    let mask = featMask;
    if (byNode < 1) {
      pickFeatures(nodeMask, byNode, featMask);
      mask = nodeMask;
    }
    const cf = L.H > 0 ? cnt / L.H : 0;
    const parent = sc(L.G, L.H);
    const minH = p.minSumHessian;
    const minD = p.minDataInLeaf;
    let best: Split | null = null;
    let bestGain = p.minGain;
    const b = L.slot;
    for (let f = 0; f < F; f++) {
      if (!mask[f]) continue;
      const o = b + off[f];
      const nb = nBins[f];
      if (nb < 3 && !(hist[o + 1] > 0)) continue; // one value bin and no missing: nothing to split
      const h0 = hist[o + 1];
      const g0 = hist[o];
      const hasMissing = h0 > 1e-12 * L.H;
      let tr = -1; // extra trees: the one threshold tried
      if (p.extraTrees) {
        // one random threshold among the value bins this leaf has
        let lo = 1;
        while (lo < nb && !(hist[o + 2 * lo + 1] > 0)) lo++;
        let hi = nb - 1;
        while (hi > lo && !(hist[o + 2 * hi + 1] > 0)) hi--;
        if (hi <= lo) continue;
        tr = lo + Math.floor(rng.next() * (hi - lo));
      }
      for (let dir = 0; dir < 2; dir++) {
        const missLeft = dir === 1;
        if (missLeft && !hasMissing) break;
        let GL = missLeft ? g0 : 0;
        let HL = missLeft ? h0 : 0;
        // missing right: t = 1..nb−1 (t = nb−1: every value left, missing right); missing left: t = 0..nb−2
        let t0 = missLeft ? 0 : 1;
        let t1 = missLeft ? nb - 2 : hasMissing ? nb - 1 : nb - 2;
        if (tr >= 0) {
          for (let t = 1; t < tr; t++) {
            GL += hist[o + 2 * t];
            HL += hist[o + 2 * t + 1];
          }
          t0 = t1 = tr;
        }
        for (let t = t0; t <= t1; t++) {
          if (t >= 1) {
            GL += hist[o + 2 * t];
            HL += hist[o + 2 * t + 1];
          }
          const HR = L.H - HL;
          if (HL < minH || HR < minH) continue;
          const cL = HL * cf;
          if (cL + 0.5 < minD || cnt - cL + 0.5 < minD) continue;
          const GR = L.G - GL;
          const gain = sc(GL, HL) + sc(GR, HR) - parent;
          if (gain > bestGain) {
            bestGain = gain;
            best = { gain, f, t, missLeft, GL, HL };
          }
        }
      }
    }
    return best;
  };

  const goesLeft = (r: number, f: number, t: number, missLeft: boolean) => {
    const b = bins[r * F + f];
    return b === 0 ? missLeft : b <= t;
  };

  /**
   * Stable partition of a leaf's rows (they stay in ascending order); returns the first position of the right child.
   * With the column-major copy of the bins, a feature's bins of ascending rows are read nearly in sequence.
   */
  // the column-major copy: made here once per matrix (not while binning: it is a fitting optimisation, and on a
  // large matrix it costs a transposition and the first-touch page faults of as many bytes again)
  if (!X.colBins && n * F >= MIN_CELLS_FOR_THREADS) X.colBins = transpose(X.bins, n, F);
  const colB = X.colBins;
  const partition = (L: Leaf, f: number, t: number, missLeft: boolean): number => {
    let w = L.begin;
    let k = 0;
    const ml = missLeft ? 1 : 0;
    if (colB) {
      const base = f * n;
      for (let i = L.begin; i < L.end; i++) {
        const r = idx[i];
        const b = colB[base + r];
        if (b === 0 ? ml : b <= t) idx[w++] = r;
        else tmp[k++] = r;
      }
    } else
      for (let i = L.begin; i < L.end; i++) {
        const r = idx[i];
        const b = bins[r * F + f];
        if (b === 0 ? ml : b <= t) idx[w++] = r;
        else tmp[k++] = r;
      }
    idx.set(tmp.subarray(0, k), w);
    return w;
  };

  const takeSlot = () => {
    const s = freeSlots.pop();
    if (s === undefined) throw new Error('trees: histogram pool exhausted');
    return s;
  };
  const releaseSlot = (L: Leaf) => {
    if (L.slot >= 0) freeSlots.push(L.slot);
    L.slot = -1;
  };

  /**
   * Split leaf L by (f, t, missLeft) into two leaves with histograms (the smaller built, the larger by subtraction
   * in the parent's slot) when `withHist`; the tree gets an internal node.
   */
  const splitLeaf = (tb: TreeBuf, L: Leaf, f: number, t: number, missLeft: boolean, gain: number, withHist: boolean): [Leaf, Leaf] => {
    const mid = partition(L, f, t, missLeft);
    let GL = 0;
    let HL = 0;
    for (let i = L.begin; i < mid; i++) {
      const r = idx[i];
      GL += grad[r];
      HL += hess[r];
    }
    const ln = tb.add();
    const rn = tb.add();
    const k = L.node;
    tb.isLeaf[k] = 0;
    tb.feature[k] = f;
    tb.tbin[k] = t;
    tb.threshold[k] = thresholdOf(edges[f], t);
    tb.left[k] = ln;
    tb.right[k] = rn;
    tb.gain[k] = gain;
    tb.count[k] = L.end - L.begin;
    tb.count[ln] = mid - L.begin;
    tb.count[rn] = L.end - mid;
    // where a missing value goes: the learned side, or with more hessian when this leaf had none
    const o = L.slot >= 0 ? L.slot + off[f] : -1;
    const hadMissing = o >= 0 && hist[o + 1] > 1e-12 * L.H;
    tb.missingLeft[k] = hadMissing ? (missLeft ? 1 : 0) : HL >= L.H - HL ? 1 : 0;
    const A: Leaf = { node: ln, begin: L.begin, end: mid, G: GL, H: HL, depth: L.depth + 1, slot: -1, best: null };
    const B: Leaf = { node: rn, begin: mid, end: L.end, G: L.G - GL, H: L.H - HL, depth: L.depth + 1, slot: -1, best: null };
    const splittable = (K: Leaf) => K.end - K.begin >= 2 * p.minDataInLeaf && (maxDepth <= 0 || K.depth < maxDepth);
    if (withHist && L.slot >= 0 && (splittable(A) || splittable(B))) {
      const [small, large] = A.end - A.begin <= B.end - B.begin ? [A, B] : [B, A];
      small.slot = takeSlot();
      builder.build(small.begin, small.end, small.slot);
      large.slot = L.slot;
      L.slot = -1;
      const s = small.slot;
      const g = large.slot;
      for (let i = 0; i < histSize; i++) hist[g + i] -= hist[s + i];
    } else releaseSlot(L);
    return [A, B];
  };

  const history = { train: [] as number[], valid: [] as number[] };
  const trees: Tree[] = [];
  const splitCount = new Float64Array(F);
  const splitGain = new Float64Array(F);
  let bestIter = 0;
  let bestValid = Infinity;
  const lossOf = (s: Float64Array, yy: Float64Array, rows: number) => {
    let l = 0;
    if (p.objective === 'binary') {
      for (let i = 0; i < rows; i++) {
        const z = s[i];
        // log(1 + e^{−z}) for y = 1, log(1 + e^{z}) for y = 0, computed stably
        const m = yy[i] > 0.5 ? -z : z;
        l += m > 0 ? m + Math.log1p(Math.exp(-m)) : Math.log1p(Math.exp(m));
      }
    } else for (let i = 0; i < rows; i++) l += (s[i] - yy[i]) ** 2;
    return l / rows;
  };

  try {
    for (let round = 0; round < p.rounds; round++) {
      if (o.shouldStop?.()) break;
      // gradients
      if (forest) {
        if (round === 0)
          for (let i = 0; i < n; i++) {
            grad[i] = -yv[i];
            hess[i] = 1;
          }
      } else if (p.objective === 'binary') {
        for (let i = 0; i < n; i++) {
          const q = 1 / (1 + Math.exp(-score[i]));
          grad[i] = q - yv[i];
          hess[i] = q * (1 - q);
        }
      } else
        for (let i = 0; i < n; i++) {
          grad[i] = score[i] - yv[i];
          hess[i] = 1;
        }
      // rows of this tree
      let m = n;
      if (forest && p.bootstrap) for (let i = 0; i < n; i++) idx[i] = Math.floor(rng.next() * n);
      else if (!forest && p.baggingFraction < 1) {
        m = 0;
        for (let i = 0; i < n; i++) if (rng.next() < p.baggingFraction) idx[m++] = i;
      } else for (let i = 0; i < n; i++) idx[i] = i;
      if (forest && p.bootstrap) idx.subarray(0, n).sort();
      pickFeatures(featMask, forest ? 1 : p.featureFraction, null);

      const tb = new TreeBuf();
      let G = 0;
      let H = 0;
      for (let i = 0; i < m; i++) {
        G += grad[idx[i]];
        H += hess[idx[i]];
      }
      const root: Leaf = { node: 0, begin: 0, end: m, G, H, depth: 0, slot: takeSlot(), best: null };
      builder.build(0, m, root.slot);
      tb.count[0] = m;
      const done: Leaf[] = [];
      if (growth === 'leafwise') {
        root.best = findBest(root);
        const open: Leaf[] = [root];
        let leaves = 1;
        while (leaves < numLeaves) {
          let bi = -1;
          for (let i = 0; i < open.length; i++) if (open[i].best && (bi < 0 || open[i].best!.gain > open[bi].best!.gain)) bi = i;
          if (bi < 0) break;
          const L = open[bi];
          open.splice(bi, 1);
          const s = L.best!;
          splitCount[s.f]++;
          splitGain[s.f] += s.gain;
          const kids = splitLeaf(tb, L, s.f, s.t, s.missLeft, s.gain, leaves + 1 < numLeaves);
          leaves++;
          for (const K of kids) {
            K.best = K.slot >= 0 ? findBest(K) : null;
            if (K.best) open.push(K);
            else {
              releaseSlot(K);
              done.push(K);
            }
          }
        }
        for (const L of open) {
          releaseSlot(L);
          done.push(L);
        }
      } else if (growth === 'depthwise') {
        root.best = findBest(root);
        let level: Leaf[] = [root];
        for (let d = 0; d < maxDepth && level.length; d++) {
          const next: Leaf[] = [];
          for (const L of level) {
            const s = L.best;
            if (!s) {
              releaseSlot(L);
              done.push(L);
              continue;
            }
            splitCount[s.f]++;
            splitGain[s.f] += s.gain;
            for (const K of splitLeaf(tb, L, s.f, s.t, s.missLeft, s.gain, d + 1 < maxDepth)) {
              K.best = K.slot >= 0 ? findBest(K) : null;
              next.push(K);
            }
          }
          level = next;
        }
        for (const L of level) {
          releaseSlot(L);
          done.push(L);
        }
      } else {
        // oblivious: one (feature, threshold, missing side) per level, by the gain summed over the level's leaves
        let level: Leaf[] = [root];
        const acc = new Float64Array(histSize); // per (feature, bin, side): summed gain
        for (let d = 0; d < maxDepth; d++) {
          acc.fill(0);
          for (const L of level) {
            const parent = sc(L.G, L.H);
            for (let f = 0; f < F; f++) {
              if (!featMask[f]) continue;
              const o = L.slot + off[f];
              const a = off[f];
              const nb = nBins[f];
              for (let dir = 0; dir < 2; dir++) {
                let GL = dir ? hist[o] : 0;
                let HL = dir ? hist[o + 1] : 0;
                for (let t = 1; t < nb - 1; t++) {
                  GL += hist[o + 2 * t];
                  HL += hist[o + 2 * t + 1];
                  const HR = L.H - HL;
                  if (HL < p.minSumHessian && HR < p.minSumHessian) continue;
                  acc[a + 2 * t + dir] += sc(GL, HL) + sc(L.G - GL, HR) - parent;
                }
              }
            }
          }
          let best = -1;
          let bestGain = p.minGain;
          for (let f = 0; f < F; f++) {
            if (!featMask[f]) continue;
            for (let t = 1; t < nBins[f] - 1; t++)
              for (let dir = 0; dir < 2; dir++) {
                const g = acc[off[f] + 2 * t + dir];
                if (g > bestGain + 1e-12) {
                  bestGain = g;
                  best = off[f] + 2 * t + dir;
                }
              }
          }
          if (best < 0) break;
          let f = 0;
          while (off[f + 1] <= best) f++;
          const t = (best - off[f]) >> 1;
          const missLeft = ((best - off[f]) & 1) === 1;
          splitCount[f]++;
          splitGain[f] += bestGain;
          const next: Leaf[] = [];
          for (const L of level) {
            const kids = splitLeaf(tb, L, f, t, missLeft, bestGain / level.length, d + 1 < maxDepth);
            tb.missingLeft[L.node] = missLeft ? 1 : 0; // the same rule at every node of the level
            next.push(...kids);
          }
          level = next;
        }
        for (const L of level) {
          releaseSlot(L);
          done.push(L);
        }
      }
      // leaf values; training scores move by them
      const scale = forest ? 1 : p.learningRate;
      for (const L of done) {
        const v = leafValue(L.G, L.H) * scale;
        tb.leaf[L.node] = v;
        if (!forest) for (let i = L.begin; i < L.end; i++) score[idx[i]] += v;
      }
      const tree = tb.freeze();
      trees.push(tree);
      if (!forest && m < n) {
        // rows left out of this tree's bag: by traversal
        const inBag = new Uint8Array(n);
        for (let i = 0; i < m; i++) inBag[idx[i]] = 1;
        for (let r = 0; r < n; r++) if (!inBag[r]) score[r] += leafOfBinned(tree, bins, F, r);
      }
      let vLoss: number | null = null;
      if (vScore && valid && vy) {
        for (let r = 0; r < valid.X.n; r++) vScore[r] += leafOfBinned(tree, valid.X.bins, F, r);
        // a forest's validation loss is that of the mean of its trees so far
        vLoss = forest ? probLoss(vScore, 1 / (round + 1), vy, valid.X.n, p.objective) : lossOf(vScore, vy, valid.X.n);
        {
          history.valid.push(vLoss);
          if (vLoss < bestValid - 1e-12) {
            bestValid = vLoss;
            bestIter = round + 1;
          }
        }
      }
      let tLoss = NaN;
      if (!forest) tLoss = lossOf(score, yv, n);
      else {
        // in-sample loss of the forest so far, on the training rows (by traversal)
        for (let r = 0; r < n; r++) score[r] += leafOfBinned(tree, bins, F, r);
        tLoss = probLoss(score, 1 / (round + 1), yv, n, p.objective);
      }
      history.train.push(tLoss);
      o.onRound?.({ round: round + 1, rounds: p.rounds, train: tLoss, valid: vLoss, leaves: done.length });
      if (p.earlyStoppingRounds > 0 && vLoss !== null && round + 1 - bestIter >= p.earlyStoppingRounds) break;
    }
  } finally {
    builder.close();
  }
  let kept = trees;
  if (!forest && p.earlyStoppingRounds > 0 && bestIter > 0) kept = trees.slice(0, bestIter);
  if (forest) for (const t of kept) for (let k = 0; k < t.leaf.length; k++) t.leaf[k] /= kept.length;
  return {
    params: p,
    nFeatures: F,
    baseScore,
    trees: kept,
    bestIteration: bestIter || kept.length,
    history,
    importance: { split: splitCount, gain: splitGain },
    threads: builder.threads,
  };
}

/** Mean log-loss (binary) or squared error of predictions s·scale (probabilities clipped to [1e-15, 1 − 1e-15]). */
function probLoss(s: Float64Array, scale: number, y: Float64Array, rows: number, objective: 'binary' | 'regression'): number {
  let l = 0;
  for (let i = 0; i < rows; i++) {
    const q = s[i] * scale;
    if (objective === 'binary') {
      const c = Math.min(1 - 1e-15, Math.max(1e-15, q));
      l -= y[i] > 0.5 ? Math.log(c) : Math.log(1 - c);
    } else l += (q - y[i]) ** 2;
  }
  return l / rows;
}

/** The (scaled) leaf value a binned row reaches in a tree. */
export function leafOfBinned(t: Tree, bins: Uint8Array, F: number, r: number): number {
  let k = 0;
  while (!t.isLeaf[k]) {
    const b = bins[r * F + t.feature[k]];
    k = (b === 0 ? t.missingLeft[k] === 1 : b <= t.tbin[k]) ? t.left[k] : t.right[k];
  }
  return t.leaf[k];
}

/**
 * Raw scores (margins; probabilities for forests) of rows `rows` of column-major features, with onnxruntime's
 * arithmetic: inputs, thresholds and leaves in float32, x ≤ threshold goes left, NaN by the node's missing side.
 */
export function predictRaw(m: TreeModel, cols: ArrayLike<number>[], rows?: ArrayLike<number>): Float64Array {
  const n = rows ? rows.length : cols[0]?.length ?? 0;
  const out = new Float64Array(n).fill(Math.fround(m.baseScore));
  for (const t of m.trees) {
    const thr = Float64Array.from(t.threshold, (v) => Math.fround(v));
    for (let i = 0; i < n; i++) {
      const r = rows ? rows[i] : i;
      let k = 0;
      while (!t.isLeaf[k]) {
        const x = cols[t.feature[k]][r];
        k = x !== x ? (t.missingLeft[k] ? t.left[k] : t.right[k]) : Math.fround(x) <= thr[k] ? t.left[k] : t.right[k];
      }
      out[i] += Math.fround(t.leaf[k]);
    }
  }
  return out;
}

/** Probabilities (binary) or values (regression) for rows of column-major features. */
export function predictTrees(m: TreeModel, cols: ArrayLike<number>[], rows?: ArrayLike<number>): Float64Array {
  const raw = predictRaw(m, cols, rows);
  if (m.params.objective === 'binary' && m.params.ensemble === 'boosting') for (let i = 0; i < raw.length; i++) raw[i] = 1 / (1 + Math.exp(-raw[i]));
  return raw;
}

/** The ONNX bytes of a trained ensemble (see models/onnx.ts): classifier for binary, regressor otherwise. */
export async function treeModelToOnnx(m: TreeModel, featureNames?: string[], doc?: string): Promise<Uint8Array> {
  const { ensembleToOnnx } = await import('../onnx.ts');
  return ensembleToOnnx({
    kind: m.params.objective,
    nFeatures: m.nFeatures,
    trees: m.trees,
    baseScore: m.baseScore,
    featureNames,
    doc,
    output: m.params.ensemble === 'forest' ? 'probability' : 'margin',
  });
}
