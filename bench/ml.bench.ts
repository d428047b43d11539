/**
 * Issue 8's speed figures: binning and GBDT (200 rounds, 31 leaves) on 1,000,000 rows × 167 features, and ONNX
 * inference through onnxruntime-node. The rows are the feature pipeline's 167 default features on seeded synthetic
 * 1-minute bars (data/synthetic.ts), labelled direction over 5 bars: real feature distributions (heavy tails,
 * warm-up gaps, near-constant calendar columns), not random normals.
 */
import { computeFeatures } from '../data/features/pipeline.ts';
import { DEFAULT_FEATURE_NAMES } from '../data/features/default-set.ts';
import { direction } from '../data/features/labels.ts';
import { generateUniverse } from '../data/synthetic.ts';
import { parseTimeframe } from '../src/timeframe.ts';
import { defaultParams, fitTrees, prepareTraining, treeModelToOnnx } from '../models/trees/index.ts';
import type { Bench, BenchResult } from './run.ts';

function matrix(rows: number) {
  const [s] = generateUniverse({ symbols: 1, bars: rows + 400, timeframe: parseTimeframe('1m'), seed: 23 });
  const fm = computeFeatures(s, DEFAULT_FEATURE_NAMES);
  const lab = direction(s.close, 5, 0);
  // rows after the longest warm-up, with a label; missing feature values stay NaN (the learner routes them)
  const keep: number[] = [];
  for (let i = 300; i < s.ts.length && keep.length < rows; i++) if (lab.values[i] === lab.values[i] && lab.values[i] !== 0) keep.push(i);
  const cols = fm.columns.map((c) => {
    const a = new Float64Array(new SharedArrayBuffer(8 * keep.length));
    keep.forEach((r, k) => (a[k] = c[r]));
    return a;
  });
  const y = Float64Array.from(keep, (r) => (lab.values[r] > 0 ? 1 : 0));
  return { cols, y, n: keep.length };
}

/** Rows [r0, r1) of column-major features into a row-major float32 buffer, in blocks (both sides stay in cache). */
function packRows(cols: Float64Array[], r0: number, r1: number, buf: Float32Array): void {
  const F = cols.length;
  for (let b = r0; b < r1; b += 512) {
    const e = Math.min(r1, b + 512);
    for (let f = 0; f < F; f++) {
      const c = cols[f];
      for (let r = b, q = (b - r0) * F + f; r < e; r++, q += F) buf[q] = c[r];
    }
  }
}

export const ML_BENCHES: Bench[] = [
  {
    name: 'ml',
    async run({ quick }) {
      const n = quick ? 200_000 : 1_000_000;
      const rounds = quick ? 50 : 200;
      const { cols, y } = matrix(n);
      const out: BenchResult[] = [];
      for (const threads of [1, 2]) {
        const p = { ...defaultParams('gbdt'), rounds, threads };
        const t0 = performance.now();
        const X = await prepareTraining(cols, null, p);
        const bin = (performance.now() - t0) / 1000;
        out.push({ name: `ml binning ${n / 1e6}M×${cols.length}, ${threads} thr`, value: bin, unit: 's', target: n === 1e6 ? '≤ 2 s' : undefined, note: 'edges (200k-row sample) + Uint8 matrix' });
        if (threads === 1 && !quick) continue; // the fit itself on one thread takes minutes: timed on 2
        const t1 = performance.now();
        const m = fitTrees(X, y, p);
        const fit = (performance.now() - t1) / 1000;
        out.push({ name: `ml gbdt ${rounds}×31 leaves, ${n / 1e6}M×${cols.length}, ${threads} thr`, value: fit, unit: 's', target: n === 1e6 && rounds === 200 ? '≤ 25 s' : undefined, note: `${((fit * 1000) / rounds).toFixed(0)} ms/tree, binning excluded` });
        if (threads === 2) {
          // inference through onnxruntime on every row, in batches (packing rows into float32 included)
          const ort = await import('onnxruntime-node');
          const s = await ort.InferenceSession.create(await treeModelToOnnx(m), { intraOpNumThreads: 2 });
          const F = cols.length;
          const batch = 100_000;
          const buf = new Float32Array(batch * F);
          let sum = 0;
          const t2 = performance.now();
          for (let b0 = 0; b0 < n; b0 += batch) {
            const b1 = Math.min(n, b0 + batch);
            packRows(cols, b0, b1, buf);
            const res = await s.run({ input: new ort.Tensor('float32', buf.subarray(0, (b1 - b0) * F), [b1 - b0, F]) });
            const pr = res.probabilities.data as Float32Array;
            for (let r = b0; r < b1; r++) sum += pr[2 * (r - b0) + 1];
          }
          const inf = (performance.now() - t2) / 1000;
          if (!(sum > 0)) throw new Error('inference returned no probabilities');
          out.push({ name: `ml onnx inference, ${rounds} trees`, value: n / inf / 1e6, unit: 'M rows/s', target: '≥ 1 M rows/s', note: `batches of ${batch.toLocaleString('en-US')}, row packing included` });
        }
      }
      return out;
    },
  },
];
