/**
 * The histogram tree learner: splits and leaf values worked out by hand, the best split found by brute force over
 * raw rows (which checks the histograms, including the sibling-subtracted ones), missing-value routing, growth
 * policies' shapes, forests, early stopping, thread-count independence, and onnxruntime agreeing with our predictor
 * to 1e-6 on every row for every family.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { auc } from '../models/evaluate.ts';
import { binOf, binRows, chooseEdges, edgesOf, thresholdOf } from '../models/trees/binning.ts';
import { defaultParams, fitTrees, leafOfBinned, MODEL_KINDS, predictRaw, predictTrees, treeModelToOnnx, type TreeParams } from '../models/trees/learner.ts';
import { fitLogReg, predictLogReg } from '../models/logreg.ts';
import { Rng } from '../src/rng.ts';

const sigmoid = (z: number) => 1 / (1 + Math.exp(-z));

/** column-major features from row arrays */
const colsOf = (rows: number[][]) => rows[0].map((_, f) => Float64Array.from(rows, (r) => r[f]));

function fit(cols: Float64Array[], y: number[], p: Partial<TreeParams>, kind: (typeof MODEL_KINDS)[number] = 'gbdt') {
  const e = chooseEdges(cols, null, {});
  const X = binRows(cols, null, e, (p.threads ?? 1) > 1);
  return { X, m: fitTrees(X, y, { ...defaultParams(kind, p.objective ?? 'binary'), ...p }) };
}

function xorData(n: number, seed: number, F = 6) {
  const rng = new Rng(seed);
  const cols = Array.from({ length: F }, () => new Float64Array(n));
  const y: number[] = [];
  for (let i = 0; i < n; i++) {
    for (let f = 0; f < F; f++) cols[f][i] = rng.normal();
    if (i % 13 === 0) cols[2][i] = NaN;
    y.push((cols[0][i] * cols[1][i] > 0) !== rng.next() < 0.1 ? 1 : 0);
  }
  return { cols, y };
}

describe('binning', () => {
  it('few distinct values: one bin each, edges at the midpoints; bin 0 is missing', () => {
    const e = edgesOf(Float64Array.of(3, 1, 2, 2, 4), 255);
    expect(Array.from(e)).toEqual([1.5, 2.5, 3.5]);
    expect([1, 2, 2.5, 3, 4, 10].map((x) => binOf(e, x))).toEqual([1, 2, 2, 3, 4, 4]);
    const X = binRows([Float64Array.of(1, NaN, 4)], null, { edges: [e], nBins: Int32Array.of(5) });
    expect(Array.from(X.bins)).toEqual([1, 0, 4]);
  });

  it('many values: at most maxBin bins of about equal count', () => {
    const rng = new Rng(5);
    const v = Float64Array.from({ length: 10_000 }, () => Math.fround(rng.normal()));
    const e = edgesOf(v, 16);
    expect(e.length).toBe(15);
    const counts = new Array(17).fill(0);
    for (const x of v) counts[binOf(e, x)]++;
    const used = counts.slice(1);
    expect(Math.min(...used)).toBeGreaterThan(10_000 / 16 / 2);
    expect(Math.max(...used)).toBeLessThan((10_000 / 16) * 2);
  });

  it('property: bin(x) ≤ t exactly when x ≤ threshold(t), for float32 x', () => {
    const e = edgesOf(Float64Array.from([-3, -1, 0, 0.25, 0.5, 2, 7, 7, 100].map(Math.fround)), 255);
    fc.assert(
      fc.property(fc.float({ noNaN: true, noDefaultInfinity: true }), fc.integer({ min: 0, max: e.length + 1 }), (x, t) => {
        expect(binOf(e, Math.fround(x)) <= t).toBe(Math.fround(x) <= thresholdOf(e, t));
      }),
    );
  });
});

describe('tree learner: by hand', () => {
  it('L2 regression stump: splits a step at the midpoint and recovers both levels exactly', () => {
    const x = Float64Array.of(1, 2, 3, 4, 5, 6);
    const y = [1, 1, 1, 5, 5, 5];
    // base 3; g = 3 − y = ±2, h = 1; split x ≤ 3.5: gain 6²/3 + 6²/3 = 24; leaves −(6)/3 = −2 and +2
    const { m } = fit([x], y, { objective: 'regression', rounds: 1, learningRate: 1, numLeaves: 2, minDataInLeaf: 1 });
    expect(m.baseScore).toBe(3);
    const t = m.trees[0];
    expect(t.threshold[0]).toBe(3.5);
    expect(t.gain[0]).toBeCloseTo(24, 12);
    expect(Array.from(predictRaw(m, [x]))).toEqual(y);
  });

  it('binary log-loss, λ₂ = 1, learning rate 0.5: leaf values −G/(H + λ) from p̄ = 5/8', () => {
    const x = Float64Array.of(0, 0, 0, 1, 1, 1, 1, 1);
    const y = [0, 0, 1, 1, 1, 1, 1, 0];
    const { m } = fit([x], y, { rounds: 1, learningRate: 0.5, numLeaves: 2, minDataInLeaf: 1, minSumHessian: 0, lambdaL2: 1 });
    const pbar = 5 / 8;
    const h = pbar * (1 - pbar);
    const GL = 3 * pbar - 1; // rows 0, 0, 1 at x = 0
    const GR = 5 * pbar - 4;
    const vL = (-GL / (3 * h + 1)) * 0.5;
    const vR = (-GR / (5 * h + 1)) * 0.5;
    expect(m.baseScore).toBeCloseTo(Math.log(5 / 3), 12);
    const p = predictTrees(m, [Float64Array.of(0, 1)]);
    // float32 leaves and base (onnxruntime's arithmetic): agreement to ~1e-7
    expect(p[0]).toBeCloseTo(sigmoid(Math.log(5 / 3) + vL), 6);
    expect(p[1]).toBeCloseTo(sigmoid(Math.log(5 / 3) + vR), 6);
  });

  it('L1 shrinks the leaf gradient sum by λ₁ before dividing', () => {
    const x = Float64Array.of(1, 2, 3, 4, 5, 6);
    const y = [1, 1, 1, 5, 5, 5];
    // G_left = 6 → T(G) = 6 − 1.5 = 4.5 → leaf −4.5/3 = −1.5
    const { m } = fit([x], y, { objective: 'regression', rounds: 1, learningRate: 1, numLeaves: 2, minDataInLeaf: 1, lambdaL1: 1.5 });
    expect(Array.from(predictRaw(m, [Float64Array.of(1, 6)]))).toEqual([1.5, 4.5]);
  });

  it('missing values go to the side that gains more; unseen missing values follow the heavier side', () => {
    const x = Float64Array.of(1, 2, 3, NaN, NaN, 4);
    const { m } = fit([x], [0, 0, 0, 10, 10, 0], { objective: 'regression', rounds: 1, learningRate: 1, numLeaves: 2, minDataInLeaf: 1 });
    const p = predictRaw(m, [Float64Array.of(NaN, 2.5, 100)]); // float32 base + leaf, as onnxruntime adds them
    expect([p[0], p[1], p[2]]).toEqual([expect.closeTo(10, 6), expect.closeTo(0, 6), expect.closeTo(0, 6)]);
    // no missing value in training: x ≤ 4.5 has 4 rows (more hessian) → NaN goes left, to −1.6 + 1.6 = 0
    const { m: m2 } = fit([Float64Array.of(1, 2, 3, 4, 5)], [0, 0, 0, 0, 8], { objective: 'regression', rounds: 1, learningRate: 1, numLeaves: 2, minDataInLeaf: 1 });
    expect(m2.trees[0].missingLeft[0]).toBe(1);
    const p2 = predictRaw(m2, [Float64Array.of(NaN, 5)]);
    expect([p2[0], p2[1]]).toEqual([expect.closeTo(0, 6), expect.closeTo(8, 6)]);
  });
});

describe('tree learner: histograms and split search', () => {
  /** best gain over every feature, threshold bin and missing side, by scanning the rows themselves */
  function bruteBest(X: ReturnType<typeof binRows>, rows: number[], g: Float64Array, h: Float64Array, lambda: number, minData: number) {
    const sc = (G: number, H: number) => (G * G) / (H + lambda);
    let G = 0;
    let H = 0;
    for (const r of rows) {
      G += g[r];
      H += h[r];
    }
    let best = { gain: 0, f: -1, t: -1, missLeft: false };
    for (let f = 0; f < X.F; f++)
      for (let t = 0; t < X.nBins[f]; t++)
        for (const missLeft of [false, true]) {
          let GL = 0;
          let HL = 0;
          let c = 0;
          for (const r of rows) {
            const b = X.bins[r * X.F + f];
            if (b === 0 ? missLeft : b <= t) {
              GL += g[r];
              HL += h[r];
              c++;
            }
          }
          if (c < minData || rows.length - c < minData) continue;
          const gain = sc(GL, HL) + sc(G - GL, H - HL) - sc(G, H);
          if (gain > best.gain + 1e-9) best = { gain, f, t, missLeft };
        }
    return best;
  }

  it('the root split and the next split (one child by subtraction) equal a brute-force search', () => {
    const { cols, y } = xorData(600, 11, 4);
    const { X, m } = fit(cols, y, { objective: 'regression', rounds: 1, learningRate: 1, numLeaves: 3, minDataInLeaf: 30, lambdaL2: 0.5 });
    const t = m.trees[0];
    const base = y.reduce((a, b) => a + b, 0) / y.length;
    const g = Float64Array.from(y, (v) => base - v);
    const h = new Float64Array(y.length).fill(1);
    const all = y.map((_, i) => i);
    const root = bruteBest(X, all, g, h, 0.5, 30);
    expect([t.feature[0], t.gain[0]]).toEqual([root.f, expect.closeTo(root.gain, 8)]);
    expect(t.tbin[0]).toBe(root.t);
    // children's rows by the root rule; the second split goes to the child with the larger best gain
    const goLeft = (r: number) => {
      const b = X.bins[r * X.F + t.feature[0]];
      return b === 0 ? t.missingLeft[0] === 1 : b <= t.tbin[0];
    };
    const L = bruteBest(X, all.filter(goLeft), g, h, 0.5, 30);
    const R = bruteBest(X, all.filter((r) => !goLeft(r)), g, h, 0.5, 30);
    const second = L.gain >= R.gain ? { node: t.left[0], b: L } : { node: t.right[0], b: R };
    expect(t.isLeaf[second.node]).toBe(0);
    expect(t.feature[second.node]).toBe(second.b.f);
    expect(t.tbin[second.node]).toBe(second.b.t);
    expect(t.gain[second.node]).toBeCloseTo(second.b.gain, 8);
  });

  it('every leaf holds at least min_data rows, and its stored count is the rows that reach it', () => {
    const { cols, y } = xorData(3000, 4);
    const { X, m } = fit(cols, y, { rounds: 3, numLeaves: 31, minDataInLeaf: 40 });
    for (const t of m.trees) {
      const reach = new Map<number, number>();
      for (let r = 0; r < X.n; r++) {
        let k = 0;
        while (!t.isLeaf[k]) {
          const b = X.bins[r * X.F + t.feature[k]];
          k = (b === 0 ? t.missingLeft[k] === 1 : b <= t.tbin[k]) ? t.left[k] : t.right[k];
        }
        reach.set(k, (reach.get(k) ?? 0) + 1);
      }
      for (const [k, c] of reach) {
        expect(c).toBe(t.count[k]);
        expect(c).toBeGreaterThanOrEqual(40);
      }
      expect(reach.size).toBeLessThanOrEqual(31);
    }
  });

  it('the WebAssembly kernel builds the same trees as the JavaScript reference loop', () => {
    const { cols, y } = xorData(5000, 12, 8);
    const a = fit(cols, y, { rounds: 5, kernel: 'js' }).m;
    const b = fit(cols, y, { rounds: 5, kernel: 'wasm' }).m;
    for (let k = 0; k < 5; k++) {
      expect(Array.from(b.trees[k].feature)).toEqual(Array.from(a.trees[k].feature));
      expect(Array.from(b.trees[k].tbin)).toEqual(Array.from(a.trees[k].tbin));
      expect(Array.from(b.trees[k].leaf)).toEqual(Array.from(a.trees[k].leaf));
    }
  });

  it('parallel binning (worker threads, each a range of features) gives the one-thread matrix', async () => {
    const { prepareTraining } = await import('../models/trees/learner.ts');
    const rng = new Rng(31);
    const n = 30_000;
    const F = 140; // 4.2 M cells: over the threads threshold
    const cols = Array.from({ length: F }, (_, f) => {
      const c = new Float64Array(new SharedArrayBuffer(8 * n));
      for (let i = 0; i < n; i++) c[i] = f % 7 === 0 ? Math.floor(rng.next() * 5) : i % 97 === 0 ? NaN : rng.normal();
      return c;
    });
    const rows = Int32Array.from({ length: 29_000 }, (_, i) => i + 1_000); // 29,000 × 140 ≥ MIN_CELLS_FOR_THREADS
    const p = defaultParams('gbdt');
    const one = await prepareTraining(cols, rows, { ...p, threads: 1 });
    const two = await prepareTraining(cols, rows, { ...p, threads: 2 });
    expect(two.n).toBe(29_000);
    expect(two.kernel).toBeDefined(); // the parallel path binned straight into kernel memory
    expect(Array.from(two.nBins)).toEqual(Array.from(one.nBins));
    two.edges.forEach((e, f) => expect(Array.from(e)).toEqual(Array.from(one.edges[f])));
    expect(Buffer.compare(Buffer.from(two.bins), Buffer.from(one.bins))).toBe(0);
  });

  it('two threads build the same trees as one (histograms split by feature, same row order)', () => {
    const { cols, y } = xorData(400_000, 8, 12); // ≥ MIN_CELLS_FOR_THREADS cells
    const a = fit(cols, y, { rounds: 3, threads: 1 }).m;
    const b = fit(cols, y, { rounds: 3, threads: 2 }).m;
    expect(b.threads).toBe(2);
    for (let k = 0; k < 3; k++) {
      expect(Array.from(b.trees[k].feature)).toEqual(Array.from(a.trees[k].feature));
      expect(Array.from(b.trees[k].leaf)).toEqual(Array.from(a.trees[k].leaf));
    }
  });
});

describe('growth policies and ensembles', () => {
  const depthOf = (t: { isLeaf: Uint8Array; left: Int32Array; right: Int32Array }) => {
    const d = new Int32Array(t.isLeaf.length);
    for (let k = 0; k < t.isLeaf.length; k++)
      if (!t.isLeaf[k]) {
        d[t.left[k]] = d[k] + 1;
        d[t.right[k]] = d[k] + 1;
      }
    return d;
  };

  it('depth-wise trees stop at max_depth; oblivious trees use one split per level on every node', () => {
    const { cols, y } = xorData(4000, 9);
    const dw = fit(cols, y, { rounds: 3, maxDepth: 4 }, 'gbdt_depthwise').m;
    for (const t of dw.trees) expect(Math.max(...depthOf(t))).toBeLessThanOrEqual(4);
    const ob = fit(cols, y, { rounds: 3, maxDepth: 4 }, 'gbdt_oblivious').m;
    for (const t of ob.trees) {
      const d = depthOf(t);
      const levels = new Map<number, string>();
      for (let k = 0; k < t.isLeaf.length; k++) {
        if (t.isLeaf[k]) continue;
        const rule = `${t.feature[k]}:${t.tbin[k]}:${t.missingLeft[k]}`;
        expect(levels.get(d[k]) ?? rule).toBe(rule);
        levels.set(d[k], rule);
      }
      const leaves = Array.from(t.isLeaf).filter(Boolean).length;
      expect(leaves).toBe(2 ** levels.size); // a complete symmetric tree
    }
  });

  it('a forest averages its trees: one unbagged tree with one-row leaves reproduces the training labels', () => {
    const rng = new Rng(2);
    const x = Float64Array.from({ length: 64 }, (_, i) => i);
    const y = Array.from({ length: 64 }, () => (rng.next() < 0.5 ? 1 : 0));
    const one = fit([x], y, { rounds: 1, bootstrap: false, minDataInLeaf: 1, numLeaves: 64, featureFractionByNode: 1 }, 'random_forest').m;
    expect(Array.from(predictRaw(one, [x]))).toEqual(y);
    // three bootstrapped trees: the prediction is the mean of the trees' leaf means (leaves hold mean / 3)
    const three = fit([x], y, { rounds: 3, minDataInLeaf: 4, numLeaves: 8, featureFractionByNode: 1 }, 'random_forest').m;
    expect(three.trees).toHaveLength(3);
    const X = binRows([x], null, chooseEdges([x], null));
    for (let r = 0; r < 64; r += 7) {
      const mean = three.trees.reduce((s, t) => s + leafOfBinned(t, X.bins, 1, r), 0);
      expect(predictRaw(three, [x], [r])[0]).toBeCloseTo(mean, 6);
      expect(mean).toBeGreaterThanOrEqual(0);
      expect(mean).toBeLessThanOrEqual(1);
    }
  });

  it('trees learn XOR, which a linear model cannot (held-out AUC)', () => {
    const { cols, y } = xorData(6000, 21);
    const tr = Int32Array.from({ length: 4000 }, (_, i) => i);
    const te = Int32Array.from({ length: 2000 }, (_, i) => 4000 + i);
    const yte = Array.from(te, (r) => y[r]);
    const e = chooseEdges(cols, tr);
    const X = binRows(cols, tr, e);
    for (const kind of MODEL_KINDS) {
      const m = fitTrees(X, Array.from(tr, (r) => y[r]), { ...defaultParams(kind), rounds: 60 });
      // labels flipped with probability 0.1: the best possible AUC is about 0.9
      expect(auc(predictTrees(m, cols, te), yte), kind).toBeGreaterThan(0.8);
    }
    const lr = fitLogReg(cols, y, { rows: tr });
    expect(auc(predictLogReg(lr, cols, te), yte)).toBeLessThan(0.6);
  });

  it('early stopping keeps the trees up to the best validation round', () => {
    const rng = new Rng(13);
    const cols = [Float64Array.from({ length: 3000 }, () => rng.normal()), Float64Array.from({ length: 3000 }, () => rng.normal())];
    const y = Array.from({ length: 3000 }, () => (rng.next() < 0.5 ? 1 : 0)); // pure noise: validation loss soon rises
    const e = chooseEdges(cols, null);
    const X = binRows(cols, Int32Array.from({ length: 2000 }, (_, i) => i), e);
    const V = binRows(cols, Int32Array.from({ length: 1000 }, (_, i) => 2000 + i), e);
    const m = fitTrees(X, y.slice(0, 2000), { ...defaultParams('gbdt'), rounds: 200, earlyStoppingRounds: 10 }, { valid: { X: V, y: y.slice(2000) } });
    const v = m.history.valid;
    const argmin = v.indexOf(Math.min(...v)) + 1;
    expect(m.bestIteration).toBe(argmin);
    expect(m.trees).toHaveLength(argmin);
    expect(v.length).toBe(argmin + 10);
    expect(v.length).toBeLessThan(200);
  });
});

describe('ONNX export of every family', () => {
  it('onnxruntime and our predictor agree to 1e-6 on every row, missing values included', async () => {
    const ort = await import('onnxruntime-node');
    const { cols, y } = xorData(3000, 17);
    const te = Array.from({ length: 500 }, (_, i) => 2500 + i);
    cols[3][2600] = NaN;
    cols[0][2601] = Infinity;
    for (const kind of MODEL_KINDS) {
      const { m } = fit(cols, y, { rounds: 15 }, kind);
      const s = await ort.InferenceSession.create(await treeModelToOnnx(m));
      const F = cols.length;
      const rows = new Float32Array(te.length * F);
      te.forEach((r, i) => cols.forEach((c, f) => (rows[i * F + f] = c[r])));
      const out = await s.run({ input: new ort.Tensor('float32', rows, [te.length, F]) });
      const p = out.probabilities.data as Float32Array;
      const ours = predictTrees(m, cols, te);
      let worst = 0;
      for (let i = 0; i < te.length; i++) worst = Math.max(worst, Math.abs(p[2 * i + 1] - ours[i]));
      expect(worst, kind).toBeLessThan(1e-6);
      expect(new Set(Array.from(p.filter((_, i) => i % 2 === 1), (v) => v.toFixed(4))).size, kind).toBeGreaterThan(3);
    }
  });
});
