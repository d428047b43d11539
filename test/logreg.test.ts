/**
 * Logistic regression: the fitted parameters make the penalised log-loss gradient vanish (checked from the formula
 * here), true coefficients are recovered on a large simulated sample, and onnxruntime gives the same probabilities.
 */
import { describe, expect, it } from 'vitest';
import { fitLogReg, logRegToOnnx, predictLogReg } from '../models/logreg.ts';
import { Rng } from '../src/rng.ts';

function simulate(n: number, seed: number) {
  const rng = new Rng(seed);
  const x1 = new Float64Array(n);
  const x2 = new Float64Array(n);
  const y = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    x1[i] = rng.normal() * 2 + 1;
    x2[i] = rng.normal() * 0.5 - 3;
    const p = 1 / (1 + Math.exp(-(1.5 * x1[i] - 2 * x2[i] + 0.5 - 6)));
    y[i] = rng.next() < p ? 1 : 0;
  }
  return { cols: [x1, x2], y };
}

describe('logreg', () => {
  const { cols, y } = simulate(40_000, 11);
  const m = fitLogReg(cols, y, { lambda: 1e-6 });

  it('the gradient of mean log-loss + λ/2·|w|² is zero at the fit', () => {
    const n = y.length;
    const g = [0, 0, 0];
    for (let i = 0; i < n; i++) {
      const z = [(cols[0][i] - m.mean[0]) / m.sd[0], (cols[1][i] - m.mean[1]) / m.sd[1]];
      const p = 1 / (1 + Math.exp(-(m.b + m.w[0] * z[0] + m.w[1] * z[1])));
      g[0] += (p - y[i]) * z[0];
      g[1] += (p - y[i]) * z[1];
      g[2] += p - y[i];
    }
    expect(Math.abs(g[0] / n + 1e-6 * m.w[0])).toBeLessThan(1e-5);
    expect(Math.abs(g[1] / n + 1e-6 * m.w[1])).toBeLessThan(1e-5);
    expect(Math.abs(g[2] / n)).toBeLessThan(1e-5);
  });

  it('recovers the simulated coefficients (1.5, −2, intercept −5.5) on the raw scale', () => {
    const w1 = m.w[0] / m.sd[0];
    const w2 = m.w[1] / m.sd[1];
    const b = m.b - m.w[0] * (m.mean[0] / m.sd[0]) - m.w[1] * (m.mean[1] / m.sd[1]);
    expect(w1).toBeCloseTo(1.5, 1);
    expect(w2).toBeCloseTo(-2, 1);
    expect(b).toBeCloseTo(-5.5, 0);
  });

  it('onnxruntime gives the same class-1 probabilities, a missing value taking the training mean', async () => {
    const rows = [
      [1, -3],
      [NaN, -2.5],
      [4, NaN],
      [-2, -4],
    ];
    const ort = await import('onnxruntime-node');
    const s = await ort.InferenceSession.create(logRegToOnnx(m));
    const out = await s.run({ input: new ort.Tensor('float32', Float32Array.from(rows.flat()), [4, 2]) });
    const p = out.probabilities.data as Float32Array;
    const ours = predictLogReg(m, [Float64Array.from(rows, (r) => r[0]), Float64Array.from(rows, (r) => r[1])]);
    for (let i = 0; i < 4; i++) {
      expect(p[i * 2 + 1]).toBeCloseTo(ours[i], 6);
      expect(p[i * 2] + p[i * 2 + 1]).toBeCloseTo(1, 6);
    }
  });
});
