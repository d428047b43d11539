/**
 * Tree ensembles written as ONNX and run by onnxruntime-node: probabilities and regression outputs worked out by hand
 * on a two-tree model (splits, a missing value routed each way, the logistic of base + leaves).
 */
import { describe, expect, it } from 'vitest';
import { ensembleToOnnx, predictTreesF32, sigmoid, type OnnxEnsemble, type OnnxTree } from '../models/onnx.ts';

/** one split: x[f] ≤ t → leaf a, else leaf b; NaN goes left when missingLeft */
function stump(f: number, t: number, a: number, b: number, missingLeft: boolean): OnnxTree {
  return {
    isLeaf: Uint8Array.of(0, 1, 1),
    feature: Int32Array.of(f, 0, 0),
    threshold: Float64Array.of(t, 0, 0),
    left: Int32Array.of(1, 0, 0),
    right: Int32Array.of(2, 0, 0),
    missingLeft: Uint8Array.of(missingLeft ? 1 : 0, 0, 0),
    leaf: Float64Array.of(0, a, b),
  };
}

const model = (kind: 'binary' | 'regression'): OnnxEnsemble => ({ kind, nFeatures: 2, baseScore: -0.25, trees: [stump(0, 0.5, -1, 1, true), stump(1, 2, 0.5, -0.5, false)] });

async function run(bytes: Uint8Array, rows: number[][]) {
  const ort = await import('onnxruntime-node');
  const s = await ort.InferenceSession.create(bytes);
  const input = new ort.Tensor('float32', Float32Array.from(rows.flat()), [rows.length, 2]);
  return s.run({ input });
}

describe('ONNX tree ensembles', () => {
  // rows: x0 ≤ 0.5?  x1 ≤ 2?
  const rows = [
    [0.5, 2], // left, left: −0.25 − 1 + 0.5 = −0.75
    [0.6, 3], // right, right: −0.25 + 1 − 0.5 = 0.25
    [NaN, 3], // NaN → left in tree 0 (−1), right in tree 1 (−0.5): −1.75
    [1, NaN], // right (+1), NaN → right in tree 1 (−0.5): 0.25
  ];
  const margins = [-0.75, 0.25, -1.75, 0.25];

  it('a binary classifier: probabilities = [1 − σ(m), σ(m)] with m = base + Σ leaves', async () => {
    const out = await run(ensembleToOnnx(model('binary')), rows);
    const p = out.probabilities.data as Float32Array;
    margins.forEach((m, i) => {
      expect(p[i * 2 + 1]).toBeCloseTo(sigmoid(m), 6);
      expect(p[i * 2]).toBeCloseTo(1 - sigmoid(m), 6);
    });
    expect(Array.from(predictTreesF32(model('binary'), Float32Array.from(rows.flat())))).toEqual(margins);
  });

  it('a regressor: the margin itself', async () => {
    const out = await run(ensembleToOnnx(model('regression')), rows);
    const v = out.variable.data as Float32Array;
    margins.forEach((m, i) => expect(v[i]).toBeCloseTo(m, 6));
  });
});
