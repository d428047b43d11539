/**
 * engine/risk/var.ts, against numbers worked out independently:
 * - T: the standard normal table (z_0.95 = 1.644854, φ(1.644854) = 0.103136, z_0.975 = 1.959964, …);
 * - H: by hand on tiny series (order statistics and interpolation in the comments);
 * - F: a formula written out independently in the test (Cornish-Fisher, numerical integration of the tail);
 * - S: statistical agreement on large simulated samples (drawn with Rng.normal, Marsaglia's polar method — not the
 *   Box–Muller sampler under test).
 */
import { describe, expect, it } from 'vitest';
import * as R from '../engine/risk/index.ts';
import { Rng } from '../src/rng.ts';

const f64 = (xs: number[]) => new Float64Array(xs);
const normalSample = (n: number, mu: number, sigma: number, seed: number) => {
  const rng = new Rng(seed);
  return Float64Array.from({ length: n }, () => mu + sigma * rng.normal());
};

describe('normal distribution helpers', () => {
  it('T: Φ⁻¹ at table points, both tails and the far tail', () => {
    expect(R.normalQuantile(0.05)).toBeCloseTo(-1.644854, 6);
    expect(R.normalQuantile(0.975)).toBeCloseTo(1.959964, 6);
    expect(R.normalQuantile(0.01)).toBeCloseTo(-2.326348, 6);
    expect(R.normalQuantile(0.5)).toBe(0);
    expect(R.normalQuantile(1e-12)).toBeCloseTo(-7.034484, 5); // r = √(−ln p) > 5: the third branch
    expect(R.normalQuantile(0)).toBe(-Infinity);
    expect(R.normalQuantile(1)).toBe(Infinity);
    expect(R.normalPdf(0)).toBeCloseTo(0.398942, 6);
    expect(R.normalPdf(1.644854)).toBeCloseTo(0.103136, 6);
  });

  it('S: Box–Muller on the seeded Rng: mean 0, variance 1, deterministic; fill = repeated next', () => {
    const a = new R.BoxMuller(new Rng(7));
    const z = a.fill(new Float64Array(200_001));
    let s = 0;
    let s2 = 0;
    for (const x of z) {
      s += x;
      s2 += x * x;
    }
    expect(Math.abs(s / z.length)).toBeLessThan(0.01); // sd of the mean ≈ 0.0022
    expect(s2 / z.length).toBeCloseTo(1, 1);
    const b = new R.BoxMuller(new Rng(7));
    for (let i = 0; i < 11; i++) expect(b.next()).toBe(z[i]);
  });
});

describe('historical VaR (empyrical conventions)', () => {
  // sorted: −0.05, −0.03, −0.01, 0, 0.01, 0.02, 0.03, 0.04, 0.05, 0.06 (n = 10), given shuffled with a NaN
  const r = f64([0.03, -0.01, 0.06, NaN, -0.05, 0.0, 0.05, 0.02, -0.03, 0.04, 0.01]);

  it('H: linear-interpolation quantile and the mean of the k + 1 worst', () => {
    // level 0.9: α = 0.1, pos = 0.1·9 = 0.9 → −0.05 + 0.9·(−0.03 + 0.05) = −0.032; k = ⌊0.9⌋ = 0 → CVaR 0.05
    const a = R.historicalVar(r, { level: 0.9 });
    expect(a.var).toBeCloseTo(0.032, 14);
    expect(a.cvar).toBeCloseTo(0.05, 14);
    // level 0.8: pos = 1.8 → −0.03 + 0.8·0.02 = −0.014; k = 1 → mean(−0.05, −0.03) = −0.04
    const b = R.historicalVar(r, { level: 0.8 });
    expect(b.var).toBeCloseTo(0.014, 14);
    expect(b.cvar).toBeCloseTo(0.04, 14);
    // horizon 4: × √4
    const c = R.historicalVar(r, { level: 0.8, horizon: 4 });
    expect(c.var).toBeCloseTo(0.028, 14);
    expect(c.cvar).toBeCloseTo(0.08, 14);
    expect(R.valueAtRisk(r, 'historical', { level: 0.8 }).var).toBeCloseTo(0.014, 14);
  });

  it('bad levels and horizons throw', () => {
    expect(() => R.historicalVar(r, { level: 1 })).toThrow(/level/);
    expect(() => R.parametricVar(r, { horizon: 0 })).toThrow(/horizon/);
    expect(() => R.valueAtRisk(r, 'nope' as R.VarMethod)).toThrow(/unknown VaR method/);
  });
});

describe('parametric normal VaR', () => {
  it('T: μ = 0, σ = 0.01, level 0.95 → VaR 0.016449, CVaR 0.01·φ(1.644854)/0.05 = 0.020627', () => {
    const v = R.parametricVarFromMoments(0, 0.01, { level: 0.95 });
    expect(v.var).toBeCloseTo(0.016449, 5);
    expect(v.var).toBeCloseTo(0.01644854, 8);
    expect(v.cvar).toBeCloseTo((0.01 * 0.103136) / 0.05, 6);
    // horizon 4: μ_h = 0, σ_h = 0.02 → 0.032897
    expect(R.parametricVarFromMoments(0, 0.01, { horizon: 4 }).var).toBeCloseTo(0.0328971, 7);
    // a drift: μ = 0.001 → VaR = 0.016449 − 0.001
    expect(R.parametricVarFromMoments(0.001, 0.01).var).toBeCloseTo(0.01544854, 8);
    // level 0.99: 2.326348 σ
    expect(R.parametricVarFromMoments(0, 0.02, { level: 0.99 }).var).toBeCloseTo(0.04652696, 7);
  });

  it('H: from a series uses the mean and the sample sd (ddof 1)', () => {
    // (0.01, −0.01, 0.03, −0.03): mean 0, Σx² = 0.002, sd = √(0.002/3)
    const v = R.parametricVar(f64([0.01, -0.01, 0.03, -0.03]));
    expect(v.var).toBeCloseTo(1.6448536269514722 * Math.sqrt(0.002 / 3), 12);
  });
});

describe('Cornish-Fisher VaR', () => {
  it('F: no skew, no excess kurtosis = normal; with S = −0.5, K = 3 the modified z by hand', () => {
    const n = R.parametricVarFromMoments(0.0002, 0.01);
    const c = R.cornishFisherVarFromMoments(0.0002, 0.01, 0, 0);
    expect(c.var).toBeCloseTo(n.var, 14);
    expect(c.cvar).toBeCloseTo(n.cvar, 14);
    // z = −1.6448536, z² = 2.7055435, z³ = −4.4502230:
    //   (z² − 1)S/6 = 1.7055435·(−0.5)/6 = −0.1421286
    //   (z³ − 3z)K/24 = (−4.4502230 + 4.9345609)·3/24 = 0.0605422
    //   −(2z³ − 5z)S²/36 = −(−8.9004460 + 8.2242681)·0.25/36 = +0.0046957
    //   z_cf = −1.6448536 − 0.1421286 + 0.0605422 + 0.0046957 = −1.7217443 → VaR = 0.017217443 (σ = 0.01, μ = 0)
    const v = R.cornishFisherVarFromMoments(0, 0.01, -0.5, 3);
    expect(v.var).toBeCloseTo(0.017217443, 8);
  });

  it('F: the CVaR equals the tail mean of the Cornish-Fisher quantile function (numerical integral)', () => {
    const [mu, sigma, S, K, level] = [0.0003, 0.012, -0.4, 2.5, 0.95];
    const a = 0.05;
    const q = (u: number) => {
      const z = R.normalQuantile(u);
      return mu + sigma * (z + ((z * z - 1) * S) / 6 + ((z ** 3 - 3 * z) * K) / 24 - ((2 * z ** 3 - 5 * z) * S * S) / 36);
    };
    // midpoint rule on a substitution u = a·t² (dense near 0, where q → −∞): ∫₀^a q(u) du = ∫₀¹ q(a t²)·2a t dt
    const N = 200_000;
    let s = 0;
    for (let i = 0; i < N; i++) {
      const t = (i + 0.5) / N;
      s += q(a * t * t) * 2 * a * t;
    }
    const tailMean = s / N / a;
    const v = R.cornishFisherVarFromMoments(mu, sigma, S, K, { level });
    expect(v.cvar).toBeCloseTo(-tailMean, 6);
    expect(v.cvar).toBeGreaterThan(v.var);
  });

  it('H: a horizon scales the cumulants (S/√h, K/h)', () => {
    const one = R.cornishFisherVarFromMoments(0, 0.01 * Math.sqrt(4), -0.5 / 2, 3 / 4);
    const four = R.cornishFisherVarFromMoments(0, 0.01, -0.5, 3, { horizon: 4 });
    expect(four.var).toBeCloseTo(one.var, 14);
  });
});

describe('Monte Carlo VaR', () => {
  it('S: historical ≈ parametric ≈ Cornish-Fisher ≈ Monte Carlo on a large normal sample', () => {
    // μ = 0.0005, σ = 0.01: VaR = 0.01·1.644854 − 0.0005 = 0.0159485; CVaR = 0.01·2.062713 − 0.0005 = 0.0201271
    const r = normalSample(200_000, 0.0005, 0.01, 11);
    const methods: R.VarMethod[] = ['historical', 'parametric', 'cornish-fisher', 'monte-carlo'];
    for (const m of methods) {
      const v = R.valueAtRisk(r, m, { paths: 100_000 });
      expect(Math.abs(v.var / 0.0159485 - 1)).toBeLessThan(0.02);
      expect(Math.abs(v.cvar / 0.0201271 - 1)).toBeLessThan(0.02);
    }
    const boot = R.monteCarloVar(r, { paths: 100_000, sampling: 'bootstrap' });
    expect(Math.abs(boot.var / 0.0159485 - 1)).toBeLessThan(0.02);
  });

  it('S: the Monte Carlo error shrinks as paths grow (≈ 1/√N)', () => {
    const r = normalSample(5_000, 0, 0.01, 3);
    const exact = R.parametricVar(r).var; // MC 'normal' samples N(mean, sd) of the same series
    const rmse = (paths: number) => {
      let s = 0;
      for (let seed = 1; seed <= 12; seed++) s += (R.monteCarloVar(r, { paths, seed }).var - exact) ** 2;
      return Math.sqrt(s / 12);
    };
    const e1 = rmse(500);
    const e2 = rmse(5_000);
    const e3 = rmse(50_000);
    expect(e2).toBeLessThan(e1 * 0.6); // ideal ratio 1/√10 ≈ 0.32
    expect(e3).toBeLessThan(e2 * 0.6);
    expect(e3 / exact).toBeLessThan(0.01);
  });

  it('seeded: the same seed gives the same numbers; the horizon compounds daily draws', () => {
    const r = normalSample(2_000, 0.0003, 0.01, 5);
    expect(R.monteCarloVar(r, { seed: 9, paths: 2_000 })).toEqual(R.monteCarloVar(r, { seed: 9, paths: 2_000 }));
    // 10 days of N(μ, σ²) compounded ≈ N(10μ, 10σ²) for small σ: within a few % of the parametric h = 10 figure
    const mc = R.monteCarloVar(r, { horizon: 10, paths: 50_000 });
    const pa = R.parametricVar(r, { horizon: 10 });
    expect(Math.abs(mc.var / pa.var - 1)).toBeLessThan(0.04);
  });
});

describe('portfolio VaR', () => {
  it('H: portfolio returns drop rows with a missing asset', () => {
    const a = f64([0.01, NaN, 0.02, -0.01]);
    const b = f64([0.03, 0.01, -0.02, 0.01]);
    // rows 0, 2, 3: 0.5·0.01 + 0.5·0.03 = 0.02; 0.5·0.02 − 0.5·0.02 = 0; −0.005 + 0.005 = 0
    expect(Array.from(R.portfolioReturns([0.5, 0.5], [a, b])).map((x) => +x.toFixed(12))).toEqual([0.02, 0, 0]);
    expect(() => R.portfolioReturns([1], [a, b])).toThrow(/1 weights but 2/);
  });

  it('S: multivariate normal Monte Carlo (Cholesky) ≈ parametric √(wᵀΣw); bootstrap ≈ historical', () => {
    // two correlated assets: x = 0.01 z1, y = 0.02 (0.5 z1 + √0.75 z2), ρ = 0.5
    const rng = new Rng(21);
    const T = 100_000;
    const x = new Float64Array(T);
    const y = new Float64Array(T);
    for (let t = 0; t < T; t++) {
      const z1 = rng.normal();
      const z2 = rng.normal();
      x[t] = 0.01 * z1;
      y[t] = 0.02 * (0.5 * z1 + Math.sqrt(0.75) * z2);
    }
    const w = [0.6, 0.4];
    // wᵀΣw = 0.36·1e-4 + 0.16·4e-4 + 2·0.6·0.4·(0.5·0.01·0.02) = 0.36e-4 + 0.64e-4 + 0.48e-4 = 1.48e-4
    const exact = 1.6448536 * Math.sqrt(1.48e-4);
    const pa = R.portfolioValueAtRisk(w, [x, y], 'parametric');
    expect(Math.abs(pa.var / exact - 1)).toBeLessThan(0.01);
    const mc = R.portfolioValueAtRisk(w, [x, y], 'monte-carlo', { paths: 100_000 });
    expect(Math.abs(mc.var / exact - 1)).toBeLessThan(0.02);
    const hist = R.portfolioValueAtRisk(w, [x, y], 'historical');
    const boot = R.portfolioMonteCarloVar(w, [x, y], { paths: 100_000, sampling: 'bootstrap' });
    expect(Math.abs(boot.var / hist.var - 1)).toBeLessThan(0.02);
    expect(Math.abs(R.portfolioValueAtRisk(w, [x, y], 'cornish-fisher').var / exact - 1)).toBeLessThan(0.02);
  });

  it('a singular covariance (two identical assets) still simulates', () => {
    const r = normalSample(1_000, 0, 0.01, 2);
    const v = R.portfolioMonteCarloVar([0.5, 0.5], [r, r], { paths: 20_000 });
    expect(Math.abs(v.var / R.parametricVar(r).var - 1)).toBeLessThan(0.05);
  });
});
