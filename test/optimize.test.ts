/**
 * engine/optimize/*, against numbers worked out independently:
 * - H: by hand (the arithmetic is in the comments);
 * - P: properties every solution must satisfy (constraints, first-order conditions), incl. fast-check over random
 *   covariance matrices;
 * - E: expected values copied from PyPortfolioOpt's own test suite (robertmartin8/PyPortfolioOpt, tests/
 *   test_efficient_frontier.py and tests/test_hrp.py) on the same fixture, ../shared/data/pypfopt/stock_prices.csv.
 */
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import * as O from '../engine/optimize/index.ts';

const f64 = (xs: number[]) => new Float64Array(xs);
const mat = (rows: number[][]) => rows.map((r) => f64(r));
const sum = (w: ArrayLike<number>) => Array.from(w).reduce((a, b) => a + b, 0);

/** Two assets: σ1 = 0.2, σ2 = 0.3, ρ = 0.25 → σ12 = 0.25 × 0.2 × 0.3 = 0.015. */
const cov2 = mat([
  [0.04, 0.015],
  [0.015, 0.09],
]);
/** Three uncorrelated assets with variances 0.04, 0.09, 0.16 (σ = 0.2, 0.3, 0.4). */
const cov3 = mat([
  [0.04, 0, 0],
  [0, 0.09, 0],
  [0, 0, 0.16],
]);

describe('QP wrapper (qp.ts)', () => {
  it('H: the quadprog README example, 0-based', () => {
    // minimise −(0 5 0)·b + ½bᵀb s.t. Aᵀb ≥ (−8, 2, 0) with A's columns (−4,−3,0), (2,1,0), (0,−2,1):
    // R's solve.QP gives b = (0.4761905, 1.0476190, 2.0952381) (the package's documented answer: 10/21, 22/21, 44/21)
    const s = O.solveQp({
      D: mat([[1, 0, 0], [0, 1, 0], [0, 0, 1]]),
      d: f64([0, 5, 0]),
      ineq: [
        { a: f64([-4, -3, 0]), b: -8 },
        { a: f64([2, 1, 0]), b: 2 },
        { a: f64([0, -2, 1]), b: 0 },
      ],
    });
    expect(s.x[0]).toBeCloseTo(10 / 21, 12);
    expect(s.x[1]).toBeCloseTo(22 / 21, 12);
    expect(s.x[2]).toBeCloseTo(44 / 21, 12);
  });

  it('infeasible constraints throw QpError; a singular D is solved with a ridge', () => {
    expect(() => O.solveQp({ D: mat([[1]]), d: f64([0]), ineq: [{ a: f64([1]), b: 2 }, { a: f64([-1]), b: -1 }] })).toThrow(O.QpError);
    // two identical assets: Σ singular; min ½wᵀΣw s.t. w1 + w2 = 1 has many solutions, the ridge picks (½, ½)
    const s = O.solveQp({ D: mat([[1, 1], [1, 1]]), d: f64([0, 0]), eq: [{ a: f64([1, 1]), b: 1 }] });
    expect(s.ridge).toBeGreaterThan(0);
    expect(s.x[0]).toBeCloseTo(0.5, 6);
  });
});

describe('mean-variance (mvo.ts)', () => {
  it('H: two-asset minimum variance, w1 = (σ2² − σ12)/(σ1² + σ2² − 2σ12)', () => {
    // (0.09 − 0.015)/(0.04 + 0.09 − 0.03) = 0.075/0.10 = 0.75
    const w = O.minVolatility(cov2);
    expect(w[0]).toBeCloseTo(0.75, 10);
    expect(w[1]).toBeCloseTo(0.25, 10);
  });

  it('H: three uncorrelated assets: w ∝ 1/σ²; with a 50 % cap; with a sector cap', () => {
    // 1/σ² = 25, 100/9, 6.25; × 36 → 900 : 400 : 225, sum 1525
    const w = O.minVolatility(cov3);
    expect(w[0]).toBeCloseTo(900 / 1525, 10);
    expect(w[1]).toBeCloseTo(400 / 1525, 10);
    expect(w[2]).toBeCloseTo(225 / 1525, 10);
    // cap 0.5: asset 1 pinned at 0.5, the rest split 400 : 225 → 0.32, 0.18 (marginal variances 0.09·0.32 = 0.16·0.18)
    const capped = O.minVolatility(cov3, { bounds: [0, 0.5] });
    expect(Array.from(capped).map((x) => +x.toFixed(10))).toEqual([0.5, 0.32, 0.18]);
    // sector A = {0, 1} ≤ 0.7 (unconstrained it would hold 1300/1525 = 0.852): A = 0.7 split 900 : 400, B = 0.3
    const sect = O.minVolatility(cov3, { sectorMapper: ['A', 'A', 'B'], sectorUpper: { A: 0.7 } });
    expect(sect[0]).toBeCloseTo((0.7 * 900) / 1300, 10);
    expect(sect[1]).toBeCloseTo((0.7 * 400) / 1300, 10);
    expect(sect[2]).toBeCloseTo(0.3, 10);
    // a sector floor: B ≥ 0.4 → A = 0.6 split 900 : 400
    const floor = O.minVolatility(cov3, { sectorMapper: ['A', 'A', 'B'], sectorLower: { B: 0.4 } });
    expect(floor[2]).toBeCloseTo(0.4, 10);
    expect(floor[0]).toBeCloseTo((0.6 * 900) / 1300, 10);
  });

  it('H: max Sharpe on two uncorrelated assets, w ∝ Σ⁻¹(μ − rf)', () => {
    // μ = (0.10, 0.15), σ = (0.2, 0.3), rf = 0.02: Σ⁻¹(μ − rf) = (0.08/0.04, 0.13/0.09) = (2, 13/9) → (18, 13)/31
    const mu = f64([0.1, 0.15]);
    const S = mat([[0.04, 0], [0, 0.09]]);
    const w = O.maxSharpe(mu, S);
    expect(w[0]).toBeCloseTo(18 / 31, 10);
    expect(w[1]).toBeCloseTo(13 / 31, 10);
    // performance: return (18·0.10 + 13·0.15)/31 = 3.75/31; variance (18²·0.04 + 13²·0.09)/31² = 28.17/961
    const p = O.portfolioPerformance(w, mu, S);
    expect(p.expectedReturn).toBeCloseTo(3.75 / 31, 12);
    expect(p.volatility).toBeCloseTo(Math.sqrt(28.17 / 961), 12);
    expect(p.sharpe).toBeCloseTo((3.75 / 31 - 0.02) / Math.sqrt(28.17 / 961), 10);
  });

  it('P: max Sharpe, three correlated assets, interior: Σw ∝ (μ − rf); and rf default 0.02', () => {
    const mu = f64([0.08, 0.12, 0.1]);
    const S = mat([
      [0.04, 0.006, 0.01],
      [0.006, 0.09, 0.012],
      [0.01, 0.012, 0.0625],
    ]);
    const w = O.maxSharpe(mu, S);
    const Sw = [0, 1, 2].map((i) => S[i][0] * w[0] + S[i][1] * w[1] + S[i][2] * w[2]);
    const ratios = Sw.map((x, i) => x / (mu[i] - 0.02));
    expect(ratios[1]).toBeCloseTo(ratios[0], 10);
    expect(ratios[2]).toBeCloseTo(ratios[0], 10);
    expect(sum(w)).toBeCloseTo(1, 12);
    // the Sharpe ratio beats every single asset and a few mixes
    const best = O.portfolioPerformance(w, mu, S).sharpe;
    for (const v of [[1, 0, 0], [0, 1, 0], [0, 0, 1], [1 / 3, 1 / 3, 1 / 3], [0.2, 0.5, 0.3]]) {
      expect(O.portfolioPerformance(v, mu, S).sharpe).toBeLessThan(best);
    }
  });

  it('max Sharpe: bounds are respected and no asset above rf is an error', () => {
    const mu = f64([0.1, 0.15]);
    const S = mat([[0.04, 0], [0, 0.09]]);
    const w = O.maxSharpe(mu, S, { bounds: [0, 0.5] });
    expect(Array.from(w).map((x) => +x.toFixed(10))).toEqual([0.5, 0.5]);
    expect(() => O.maxSharpe(f64([0.01, 0.015]), S)).toThrow(/risk-free/);
    // with rf = 0 the formula gives Σ⁻¹μ = (2.5, 5/3) → (15, 10)/25 = (0.6, 0.4)
    const w0 = O.maxSharpe(mu, S, { rf: 0 });
    expect(w0[0]).toBeCloseTo(0.6, 10);
  });

  it('H: efficient return and efficient risk on two assets', () => {
    // μ = (0.10, 0.15) with cov2; the min-variance mix (0.75, 0.25) returns 0.1125 < 0.14, so μᵀw ≥ 0.14 binds:
    // w1 = (0.15 − 0.14)/(0.15 − 0.10) = 0.2
    const mu = f64([0.1, 0.15]);
    const w = O.efficientReturn(mu, cov2, 0.14);
    expect(w[0]).toBeCloseTo(0.2, 9);
    expect(w[1]).toBeCloseTo(0.8, 9);
    // below the min-variance return the constraint is slack: the min-variance portfolio
    expect(O.efficientReturn(mu, cov2, 0.05)[0]).toBeCloseTo(0.75, 9);
    expect(() => O.efficientReturn(mu, cov2, 0.2)).toThrow(/maximum achievable return/);
    // (0.2, 0.8) has variance 0.04·0.04 + 0.64·0.09 + 2·0.2·0.8·0.015 = 0.0016 + 0.0576 + 0.0048 = 0.064
    const wr = O.efficientRisk(mu, cov2, Math.sqrt(0.064));
    expect(wr[0]).toBeCloseTo(0.2, 7);
    expect(O.portfolioPerformance(wr, mu, cov2).volatility).toBeLessThanOrEqual(Math.sqrt(0.064) + 1e-12);
    // a target above the riskiest asset's 0.3: the max-return portfolio (0, 1)
    const all = O.efficientRisk(mu, cov2, 0.5);
    expect(all[1]).toBeCloseTo(1, 9);
    // below the minimum volatility √(0.75²·0.04 + 0.25²·0.09 + 2·0.75·0.25·0.015) = √0.028125
    expect(() => O.efficientRisk(mu, cov2, 0.1)).toThrow(/minimum volatility/);
    expect(O.maxReturn(mu, cov2)[1]).toBeCloseTo(1, 9);
  });

  it('H: max quadratic utility, two uncorrelated assets: w = Σ⁻¹(μ − γ1)/δ with γ from the budget', () => {
    // maximise μᵀw − (δ/2)wᵀΣw, 1ᵀw = 1, δ = 2: δΣw = μ − γ1 → w_i = (μ_i − γ)/(2σ_i²)
    // (0.1 − γ)/0.08 + (0.15 − γ)/0.18 = 1 → 0.18(0.1 − γ) + 0.08(0.15 − γ) = 0.0144 → 0.03 − 0.26γ = 0.0144 → γ = 0.06
    // w = (0.04/0.08, 0.09/0.18) = (0.5, 0.5)
    const w = O.maxQuadraticUtility(f64([0.1, 0.15]), mat([[0.04, 0], [0, 0.09]]), 2);
    expect(w[0]).toBeCloseTo(0.5, 10);
    expect(w[1]).toBeCloseTo(0.5, 10);
  });

  it('infeasible bounds and bad inputs are reported', () => {
    expect(() => O.minVolatility(cov3, { bounds: [0, 0.3] })).toThrow(/infeasible/);
    expect(() => O.minVolatility(cov3, { bounds: [[0, 1], [0, 1]] })).toThrow(/2 pairs for 3 assets/);
    expect(() => O.minVolatility(cov3, { sectorMapper: ['A', 'A', 'B'], sectorUpper: { C: 0.1 } })).toThrow(/no assets/);
  });
});

describe('risk parity and baselines (risk-parity.ts)', () => {
  it('H: uncorrelated assets: w ∝ 1/σ', () => {
    // σ = 0.1, 0.2, 0.4 → 1/σ = 10, 5, 2.5 → (4, 2, 1)/7
    const S = mat([[0.01, 0, 0], [0, 0.04, 0], [0, 0, 0.16]]);
    const w = O.riskParity(S);
    expect(w[0]).toBeCloseTo(4 / 7, 12);
    expect(w[1]).toBeCloseTo(2 / 7, 12);
    expect(w[2]).toBeCloseTo(1 / 7, 12);
    // inverse volatility is the same answer here
    const iv = O.inverseVolatility(S);
    for (let i = 0; i < 3; i++) expect(iv[i]).toBeCloseTo(w[i], 12);
  });

  it('H: any two assets, whatever the correlation: w ∝ 1/σ (RC equal ⇔ w1²σ1² + w1w2σ12 = w2²σ2² + w1w2σ12)', () => {
    const w = O.riskParity(cov2); // σ = 0.2, 0.3 → (0.3, 0.2)/0.5 = (0.6, 0.4)
    expect(w[0]).toBeCloseTo(0.6, 12);
    expect(w[1]).toBeCloseTo(0.4, 12);
  });

  it('P: correlated three assets: equal risk contributions; budgets are honoured', () => {
    const S = mat([
      [0.04, 0.006, 0.01],
      [0.006, 0.09, 0.012],
      [0.01, 0.012, 0.0625],
    ]);
    const rc = O.riskContributions(O.riskParity(S), S);
    for (const x of rc) expect(x).toBeCloseTo(1 / 3, 12);
    const rb = O.riskContributions(O.riskParity(S, { budgets: [0.5, 0.25, 0.25] }), S);
    expect(rb[0]).toBeCloseTo(0.5, 12);
    expect(rb[1]).toBeCloseTo(0.25, 12);
  });

  it('equal weight', () => {
    expect(Array.from(O.equalWeight(4))).toEqual([0.25, 0.25, 0.25, 0.25]);
  });
});

describe('HRP (hrp.ts)', () => {
  it('H: block-diagonal correlation, assets interleaved', () => {
    // Assets (input order) 0 = A, 1 = C, 2 = B, 3 = D. Blocks {A, B} with ρ = 0.8 and {C, D} with ρ = 0.6; ρ = 0
    // across blocks. σ: A 0.1, B 0.2, C 0.15, D 0.3.
    // Distances √((1 − ρ)/2): d(A,B) = √0.1 = 0.316, d(C,D) = √0.2 = 0.447, across √0.5 = 0.707.
    // Single linkage: (A,B) first → cluster 4 = [0, 2]; (C,D) → cluster 5 = [1, 3]; then (4, 5).
    // Pre-order: 0, 2, 1, 3 = A, B, C, D. Bisection: [A, B] | [C, D].
    //   [A, B]: inverse variance weights ∝ (1/0.01, 1/0.04) = (0.8, 0.2); σ_AB = 0.8·0.1·0.2 = 0.016;
    //           V = 0.64·0.01 + 0.04·0.04 + 2·0.8·0.2·0.016 = 0.0064 + 0.0016 + 0.00512 = 0.01312
    //   [C, D]: ∝ (1/0.0225, 1/0.09) = (0.8, 0.2); σ_CD = 0.6·0.15·0.3 = 0.027;
    //           V = 0.64·0.0225 + 0.04·0.09 + 2·0.16·0.027 = 0.0144 + 0.0036 + 0.00864 = 0.02664
    //   α = 1 − 0.01312/0.03976 = 0.02664/0.03976 = 333/497 for [A, B], 164/497 for [C, D].
    // Then [A] | [B]: α = 1 − 0.01/0.05 = 0.8; [C] | [D]: α = 1 − 0.0225/0.1125 = 0.8.
    // A = 0.8·333/497, B = 0.2·333/497, C = 0.8·164/497, D = 0.2·164/497.
    const vol = [0.1, 0.15, 0.2, 0.3]; // A, C, B, D
    const corr = mat([
      [1, 0, 0.8, 0],
      [0, 1, 0, 0.6],
      [0.8, 0, 1, 0],
      [0, 0.6, 0, 1],
    ]);
    const S = O.corrToCov(corr, vol);
    const r = O.hrp(S);
    expect(r.order).toEqual([0, 2, 1, 3]);
    expect(r.linkage.map((l) => [l[0], l[1], l[3]])).toEqual([[0, 2, 2], [1, 3, 2], [4, 5, 4]]);
    expect(r.linkage[0][2]).toBeCloseTo(Math.sqrt(0.1), 12);
    expect(r.weights[0]).toBeCloseTo((0.8 * 333) / 497, 12);
    expect(r.weights[2]).toBeCloseTo((0.2 * 333) / 497, 12);
    expect(r.weights[1]).toBeCloseTo((0.8 * 164) / 497, 12);
    expect(r.weights[3]).toBeCloseTo((0.2 * 164) / 497, 12);
    expect(sum(r.weights)).toBeCloseTo(1, 14);
  });

  it('H: uncorrelated assets: inverse-variance weights within every bisection', () => {
    // all distances equal (√0.5): the tree is a chain, but with ρ = 0 every split's cluster variance is 1/Σ(1/σ²)
    // and the result is w ∝ 1/σ²: variances 1, 2, 4, 4 → (4, 2, 1, 1)/8
    const S = mat([[1, 0, 0, 0], [0, 2, 0, 0], [0, 0, 4, 0], [0, 0, 0, 4]]);
    const w = O.hrp(S).weights;
    expect(Array.from(w).map((x) => +x.toFixed(12))).toEqual([0.5, 0.25, 0.125, 0.125]);
  });
});

describe('Black-Litterman (black-litterman.ts)', () => {
  it('H: market-implied prior, one absolute view, default Ω and Idzorek confidences', () => {
    // Σ = diag(0.04, 0.09), equal caps, δ = 2: π = 2·Σ·(0.5, 0.5) = (0.04, 0.09)
    const S = mat([[0.04, 0], [0, 0.09]]);
    const pi = O.marketImpliedPriorReturns([1, 1], 2, S);
    expect(pi[0]).toBeCloseTo(0.04, 14);
    expect(pi[1]).toBeCloseTo(0.09, 14);
    // view: asset 0 returns 0.10; τ = 0.05; Ω = τ·0.04 = 0.002; τΣPᵀ = (0.002, 0);
    // μ_BL = π + (0.002, 0)·(0.06)/(0.002 + 0.002) = (0.04 + 0.03, 0.09) = (0.07, 0.09)
    const v = O.absoluteViews(2, { 0: 0.1 });
    const bl = O.blackLitterman({ cov: S, pi, ...v });
    expect(bl.posteriorReturns[0]).toBeCloseTo(0.07, 14);
    expect(bl.posteriorReturns[1]).toBeCloseTo(0.09, 14);
    expect(bl.omega[0][0]).toBeCloseTo(0.002, 15);
    // Σ_BL = Σ + τΣ − (0.002, 0)(0.002, 0)ᵀ/0.004 = diag(0.04 + 0.002 − 0.001, 0.09 + 0.0045)
    expect(bl.posteriorCov[0][0]).toBeCloseTo(0.041, 14);
    expect(bl.posteriorCov[1][1]).toBeCloseTo(0.0945, 14);
    expect(bl.posteriorCov[0][1]).toBeCloseTo(0, 14);
    // Idzorek: Ω = τ(1 − c)/c·0.04 → the posterior moves 0.002/(0.002 + Ω) of the way: c = 1 → all (0.10),
    // c = 0.5 → Ω = 0.002 → half (0.07), c = 0.8 → Ω = 0.0005 → 0.8 of the way (0.04 + 0.048 = 0.088)
    for (const [c, want] of [[1, 0.1], [0.5, 0.07], [0.8, 0.088]]) {
      const r = O.blackLitterman({ cov: S, pi, ...v, omega: 'idzorek', confidences: [c] });
      expect(r.posteriorReturns[0]).toBeCloseTo(want, 12);
    }
    // confidence 0: Ω = 1e6, the view is ignored
    expect(O.blackLitterman({ cov: S, pi, ...v, omega: 'idzorek', confidences: [0] }).posteriorReturns[0]).toBeCloseTo(0.04, 8);
  });

  it('H: a relative view with correlated assets', () => {
    // Σ = [[0.04, 0.012], [0.012, 0.09]], caps equal, δ = 2: π = 2·(0.026, 0.051) = (0.052, 0.102)
    // view "0 beats 1 by 0.02": P = (1, −1), Pπ = −0.05; PΣPᵀ = 0.04 + 0.09 − 0.024 = 0.106; τPΣPᵀ = Ω = 0.0053
    // τΣPᵀ = 0.05·(0.028, −0.078) = (0.0014, −0.0039); μ_BL = π + (0.0014, −0.0039)·0.07/0.0106
    const S = mat([[0.04, 0.012], [0.012, 0.09]]);
    const pi = O.marketImpliedPriorReturns([1, 1], 2, S);
    const bl = O.blackLitterman({ cov: S, pi, P: [O.relativeView(2, 0, 1)], Q: [0.02] });
    expect(bl.posteriorReturns[0]).toBeCloseTo(0.052 + (0.0014 * 0.07) / 0.0106, 13);
    expect(bl.posteriorReturns[1]).toBeCloseTo(0.102 - (0.0039 * 0.07) / 0.0106, 13);
    // with Ω = τPΣPᵀ the view spread lands halfway: (−0.05 + 0.02)/2 = −0.015
    expect(bl.posteriorReturns[0] - bl.posteriorReturns[1]).toBeCloseTo(-0.015, 13);
    // BL + max Sharpe: a valid long-only portfolio
    const r = O.blackLittermanMaxSharpe({ cov: S, pi, P: [O.relativeView(2, 0, 1)], Q: [0.02] });
    expect(sum(r.weights)).toBeCloseTo(1, 12);
    // unconstrained bl_weights: (δΣ)⁻¹μ_BL normalised (2×2 inverse by hand: det = 0.04·0.09 − 0.012² = 0.003456)
    const m = bl.posteriorReturns;
    const raw = [(0.09 * m[0] - 0.012 * m[1]) / 0.003456, (-0.012 * m[0] + 0.04 * m[1]) / 0.003456];
    const wb = O.blWeights(m, S, 2);
    expect(wb[0]).toBeCloseTo(raw[0] / (raw[0] + raw[1]), 12);
  });

  it('H: market-implied risk aversion from prices', () => {
    // prices 100, 101, 100.99: returns 0.01, −0.0000990099…; δ = (mean·252 − rf)/(var·252)
    const p = f64([100, 101, 99.99, 101.0]);
    const r = [0.01, 99.99 / 101 - 1, 101 / 99.99 - 1];
    const m = (r[0] + r[1] + r[2]) / 3;
    const v = r.reduce((a, x) => a + (x - m) ** 2, 0) / 2;
    expect(O.marketImpliedRiskAversion(p, { rf: 0.02 })).toBeCloseTo((m * 252 - 0.02) / (v * 252), 10);
  });
});

describe('expected returns and covariance (returns.ts, covariance.ts)', () => {
  // prices 100 → 110 → 99: returns 0.10, −0.10
  const prices = [f64([100, 110, 99]), f64([NaN, 50, 55])];

  it('H: returns from prices: pct_change without fill, all-NaN rows dropped', () => {
    const { returns, rows } = O.returnsFromPricesWithRows(prices);
    expect(Array.from(rows)).toEqual([1, 2]);
    expect(returns[0][0]).toBeCloseTo(0.1, 14);
    expect(returns[0][1]).toBeCloseTo(-0.1, 14);
    expect(returns[1][0]).toBeNaN();
    expect(returns[1][1]).toBeCloseTo(0.1, 14);
  });

  it('H: mean historical return (geometric default, arithmetic), EMA return', () => {
    const r = O.returnsFromPrices(prices);
    // geometric: (1.1 × 0.9)^(252/2) − 1 = 0.99^126 − 1; asset 2 has one return: 1.1^252 − 1
    const g = O.meanHistoricalReturn(r);
    expect(g[0]).toBeCloseTo(0.99 ** 126 - 1, 12);
    expect(g[1] / (1.1 ** 252 - 1)).toBeCloseTo(1, 12);
    expect(O.meanHistoricalReturn(r, { compounding: false })[0]).toBeCloseTo(0, 12);
    // EMA span 2: α = 2/3, weights (1/3, 1) → (0.1/3 − 0.1)/(4/3) = −0.05; compounding (0.95)^252 − 1
    expect(O.ewmLast(r[0], 2)).toBeCloseTo(-0.05, 14);
    expect(O.emaHistoricalReturn(r, { span: 2 })[0]).toBeCloseTo(0.95 ** 252 - 1, 12);
    expect(O.emaHistoricalReturn(r, { span: 2, compounding: false })[0]).toBeCloseTo(-0.05 * 252, 12);
    // ewm with a gap: [1, NaN, 3], span 3 (α = 0.5): weights by position 0.25 and 1 → (0.25 + 3)/1.25 = 2.6
    expect(O.ewmLast(f64([1, NaN, 3]), 3)).toBeCloseTo(2.6, 14);
  });

  it('H: CAPM with the equal-weighted market (a = 2m, b = 0 → β = 2, 0) and with a given market', () => {
    // assets a, b with returns a_t = 2m_t, b_t = 0 → the equal-weighted "market" is (a + b)/2 = m_t,
    // β_a = cov(2m, m)/var(m) = 2, β_b = 0; R_m = geometric annual mean of m.
    const m = [0.01, -0.02, 0.015, 0.005];
    const a = f64(m.map((x) => 2 * x));
    const b = f64([0, 0, 0, 0]);
    const Rm = (1.01 * 0.98 * 1.015 * 1.005) ** (252 / 4) - 1;
    const c = O.capmReturn([a, b]);
    expect(c[0]).toBeCloseTo(0.02 + 2 * (Rm - 0.02), 12);
    expect(c[1]).toBeCloseTo(0.02, 14);
    // a given benchmark, rf = 0: β_a = 2 against m
    const c2 = O.capmReturn([a], { market: f64(m), rf: 0 });
    expect(c2[0]).toBeCloseTo(2 * Rm, 12);
  });

  it('H: sample covariance (pairwise complete, ddof 1, × 252) and exponential covariance', () => {
    // x = (0.01, 0.03, 0.02), y = (0.02, NaN, 0.00): var x = ((−0.01)² + 0.01² + 0)/2 = 1e-4;
    // pair rows 0 and 2: x̄ = 0.015, ȳ = 0.01 → cov = ((−0.005)(0.01) + (0.005)(−0.01))/1 = −1e-4; var y = 2e-4
    const x = f64([0.01, 0.03, 0.02]);
    const y = f64([0.02, NaN, 0.0]);
    const S = O.sampleCov([x, y], { frequency: 1 });
    expect(S[0][0]).toBeCloseTo(1e-4, 16);
    expect(S[0][1]).toBeCloseTo(-1e-4, 16);
    expect(S[1][1]).toBeCloseTo(2e-4, 16);
    // exp_cov of x with itself, span 3 (α = ½): deviations² (1e-4, 1e-4, 0), weights (¼, ½, 1) → 0.75e-4/1.75
    const E = O.expCov([x], { span: 3, frequency: 1 });
    expect(E[0][0]).toBeCloseTo(0.75e-4 / 1.75, 16);
  });

  it('H: Ledoit-Wolf (sklearn formula) on a 4 × 2 sample', () => {
    // x1 = (2, 0, −2, 0) + 0.1, x2 = (1, 1, −1, −1) + 0.05 → centred X = [[2,1],[0,1],[−2,−1],[0,−1]], n = 4, p = 2
    // S = XᵀX/4 = [[8, 4], [4, 4]]/4 = [[2, 1], [1, 1]];  μ = tr S / 2 = 1.5
    // X∘X = [[4,1],[0,1],[4,1],[0,1]] → (X∘X)ᵀ(X∘X) = [[32, 8], [8, 4]], Σ = 52
    // Σ (XᵀX)² = 64 + 16 + 16 + 16 = 112 → /n² = 7
    // β = (52/4 − 7)/(2·4) = 0.75;  δ = (7 − 2·1.5·3 + 2·1.5²)/2 = 1.25 (= ‖S − μI‖²_F / p = (0.25 + 0.25 + 2)/2)
    // shrinkage = 0.75/1.25 = 0.6;  Σ̂ = 0.4·S + 0.6·1.5·I = [[1.7, 0.4], [0.4, 1.3]]
    const x1 = f64([2.1, 0.1, -1.9, 0.1]);
    const x2 = f64([1.05, 1.05, -0.95, -0.95]);
    const { cov, shrinkage } = O.ledoitWolf([x1, x2], { frequency: 1 });
    expect(shrinkage).toBeCloseTo(0.6, 12);
    expect(cov[0][0]).toBeCloseTo(1.7, 12);
    expect(cov[0][1]).toBeCloseTo(0.4, 12);
    expect(cov[1][1]).toBeCloseTo(1.3, 12);
    // annualised by default
    expect(O.ledoitWolf([x1, x2]).cov[0][0]).toBeCloseTo(1.7 * 252, 9);
  });

  it('fixNonPositiveSemidefinite clips negative eigenvalues', () => {
    // [[1, 2], [2, 1]] has eigenvalues 3 (v = (1,1)/√2) and −1: clipped → 3·vvᵀ = [[1.5, 1.5], [1.5, 1.5]]
    const r = O.fixNonPositiveSemidefinite(mat([[1, 2], [2, 1]]));
    expect(r.fixed).toBe(true);
    expect(r.matrix[0][0]).toBeCloseTo(1.5, 12);
    expect(r.matrix[0][1]).toBeCloseTo(1.5, 12);
    expect(O.fixNonPositiveSemidefinite(cov2).fixed).toBe(false);
  });
});

describe('discrete allocation (discrete.ts)', () => {
  it('H: first round only', () => {
    // 0.5·1000/100 = 5, 0.3·1000/30 = 10, 0.2·1000/7.5 = 26.67 → 26 (195): spent 995, leftover 5 < 7.5
    const a = O.greedyAllocation([0.5, 0.3, 0.2], [100, 30, 7.5], 1000);
    expect(Array.from(a.shares)).toEqual([5, 10, 26]);
    expect(a.leftover).toBeCloseTo(5, 12);
  });

  it('H: second round, PyPortfolioOpt stop vs filling the cash', () => {
    // w = (0.4, 0.35, 0.25), p = (45, 27, 13), 500: first round 4 (180), 6 (162), 9 (117) → 459 spent, 41 left.
    // value weights 180/459 = 0.392, 162/459 = 0.353, 117/459 = 0.255 → deficits +0.0078, −0.0029, −0.0049.
    // Asset 0 costs 45 > 41; the best affordable deficit (asset 1) is negative → PyPortfolioOpt stops: 41 left.
    const py = O.greedyAllocation([0.4, 0.35, 0.25], [45, 27, 13], 500, { fillCash: false });
    expect(Array.from(py.shares)).toEqual([4, 6, 9]);
    expect(py.leftover).toBeCloseTo(41, 12);
    // Filling: buy asset 1 (−0.0029 is the largest affordable) → 14 left; values 180, 189, 117 (486) → deficits
    // 0.4 − 0.370 = +0.030 (45 > 14, unaffordable), 0.35 − 0.389 = −0.039, 0.25 − 0.241 = +0.0093 → asset 2 → 1 left.
    const fill = O.greedyAllocation([0.4, 0.35, 0.25], [45, 27, 13], 500);
    expect(Array.from(fill.shares)).toEqual([4, 7, 10]);
    expect(fill.leftover).toBeCloseTo(1, 12);
  });

  it('P: when the greedy loop finishes, the leftover is below the cheapest price (fast-check)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.double({ min: 0.01, max: 1, noNaN: true }), { minLength: 1, maxLength: 8 }),
        fc.array(fc.double({ min: 1, max: 500, noNaN: true }), { minLength: 8, maxLength: 8 }),
        fc.double({ min: 600, max: 1e6, noNaN: true }),
        (raw, px, capital) => {
          const s = sum(raw);
          const w = raw.map((x) => x / s);
          const prices = px.slice(0, w.length);
          const a = O.greedyAllocation(w, prices, capital);
          expect(a.leftover).toBeGreaterThanOrEqual(-1e-6);
          expect(a.leftover).toBeLessThan(Math.min(...prices) + 1e-9);
          expect(a.invested + a.leftover).toBeCloseTo(capital, 6);
        },
      ),
      { numRuns: 200 },
    );
  });

  it('a weight sum below 1 keeps that share of the capital as cash', () => {
    const a = O.greedyAllocation([0.5, 0.3], [10, 10], 1000);
    expect(a.reserved).toBeCloseTo(200, 9);
    expect(Array.from(a.shares)).toEqual([50, 30]);
    expect(() => O.greedyAllocation([-0.1, 1.1], [10, 10], 1000)).toThrow(/long/);
  });
});

describe('constraints on every solution (P, fast-check over random covariance matrices)', () => {
  /** Σ = AAᵀ/n + 0.01·I from a random A: symmetric positive definite. */
  const covArb = fc.integer({ min: 2, max: 6 }).chain((n) =>
    fc.tuple(
      fc.constant(n),
      fc.array(fc.double({ min: -1, max: 1, noNaN: true }), { minLength: n * n, maxLength: n * n }),
      fc.array(fc.double({ min: 0.03, max: 0.3, noNaN: true }), { minLength: n, maxLength: n }),
      fc.double({ min: 0.25, max: 1, noNaN: true }),
      fc.double({ min: 0.2, max: 0.8, noNaN: true }),
    ),
  );
  const build = (n: number, a: number[]) => {
    const S: Float64Array[] = Array.from({ length: n }, () => new Float64Array(n));
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < n; j++) {
        let s = 0;
        for (let k = 0; k < n; k++) s += a[i * n + k] * a[j * n + k];
        S[i][j] = s / n / 10 + (i === j ? 0.01 : 0);
      }
    }
    return S;
  };
  const check = (w: Float64Array, lo: number, hi: number, sectors?: { map: string[]; upper: number }) => {
    expect(sum(w)).toBeCloseTo(1, 8);
    for (const x of w) {
      expect(x).toBeGreaterThanOrEqual(lo - 1e-9);
      expect(x).toBeLessThanOrEqual(hi + 1e-9);
    }
    if (sectors) {
      let s = 0;
      sectors.map.forEach((m, i) => {
        if (m === 'S0') s += w[i];
      });
      expect(s).toBeLessThanOrEqual(sectors.upper + 1e-9);
    }
  };

  it('min volatility, max Sharpe, efficient return / risk, risk parity, HRP', () => {
    fc.assert(
      fc.property(covArb, ([n, a, mu, hiRaw, secUpper]) => {
        const S = build(n, a);
        const m = f64(mu);
        const hi = Math.max(hiRaw, 1 / n + 0.05); // Σ hi ≥ 1
        const c = { bounds: [0, hi] as [number, number] };
        check(O.minVolatility(S, c), 0, hi);
        check(O.maxSharpe(m, S, c), 0, hi);
        const wMin = O.minVolatility(S, c);
        const rMin = O.portfolioPerformance(wMin, m, S).expectedReturn;
        const rMax = O.portfolioPerformance(O.maxReturn(m, S, c), m, S).expectedReturn;
        const target = rMin + 0.5 * (rMax - rMin);
        const we = O.efficientReturn(m, S, target, c);
        check(we, 0, hi);
        expect(O.portfolioPerformance(we, m, S).expectedReturn).toBeGreaterThanOrEqual(target - 1e-9);
        const vMin = O.portfolioPerformance(wMin, m, S).volatility;
        const wr = O.efficientRisk(m, S, vMin * 1.1, c);
        check(wr, 0, hi);
        expect(O.portfolioPerformance(wr, m, S).volatility).toBeLessThanOrEqual(vMin * 1.1 + 1e-9);
        // min volatility really is minimal: no feasible random mix has lower variance
        expect(O.portfolioVariance(wMin, S)).toBeLessThanOrEqual(O.portfolioVariance(O.equalWeight(n), S) + 1e-12);
        // sectors: the first half of the assets is sector S0 with a cap (the rest can always absorb 1 − cap)
        const map = Array.from({ length: n }, (_, i) => (i < n / 2 ? 'S0' : 'S1'));
        const sc = { sectorMapper: map, sectorUpper: { S0: secUpper } };
        check(O.minVolatility(S, sc), 0, 1, { map, upper: secUpper });
        check(O.maxSharpe(m, S, sc), 0, 1, { map, upper: secUpper });
        check(O.riskParity(S), 0, 1);
        check(O.hrp(S).weights, 0, 1);
        check(O.inverseVolatility(S), 0, 1);
        const rc = O.riskContributions(O.riskParity(S), S);
        for (const x of rc) expect(x).toBeCloseTo(1 / n, 8);
      }),
      { numRuns: 60 },
    );
  });
});

describe('prices CSV (returns.ts readPricesCsv)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'alphatrade-opt-'));

  it('reads dates, symbols, empty cells as NaN', () => {
    const f = join(dir, 'ok.csv');
    writeFileSync(f, 'date,AAA,BBB\r\n2020-01-01,1.5,\r\n2020-01-02,2,3e1\r\n\r\n');
    const t = O.readPricesCsv(f);
    expect(t.symbols).toEqual(['AAA', 'BBB']);
    expect(t.dates).toEqual(['2020-01-01', '2020-01-02']);
    expect(Array.from(t.prices[0])).toEqual([1.5, 2]);
    expect(t.prices[1][0]).toBeNaN();
    expect(t.prices[1][1]).toBe(30);
  });

  it('reports file, line and column of a malformed number, and a wrong field count', () => {
    const f = join(dir, 'bad.csv');
    writeFileSync(f, 'date,AAA,BBB\n2020-01-01,1.5,2\n2020-01-02,2,3x\n');
    expect(() => O.readPricesCsv(f)).toThrow(`${f}:3:3: malformed number "3x" in column BBB`);
    const g = join(dir, 'short.csv');
    writeFileSync(g, 'date,AAA,BBB\n2020-01-01,1.5\n');
    expect(() => O.readPricesCsv(g)).toThrow(`${g}:2: expected 3 fields`);
  });

  const fixture = join(__dirname, '../../shared/data/pypfopt/stock_prices.csv');
  it.skipIf(!existsSync(fixture))('E: PyPortfolioOpt test-suite values on stock_prices.csv', () => {
    const t = O.readPricesCsv(fixture);
    expect(t.symbols.slice(0, 3)).toEqual(['GOOG', 'AAPL', 'FB']);
    expect(t.dates.length).toBe(7126);
    const r = O.returnsFromPrices(t.prices);
    // tests/test_efficient_frontier.py: setup_efficient_frontier = arithmetic mean_historical_return, sample_cov
    const mu = O.meanHistoricalReturn(r, { compounding: false });
    const S = O.sampleCov(r);
    const ms = O.portfolioPerformance(O.maxSharpe(mu, S), mu, S);
    expect(ms.expectedReturn).toBeCloseTo(0.33035037367760506, 7); // test_max_sharpe_long_only
    expect(ms.volatility).toBeCloseTo(0.21671276571944567, 7);
    expect(ms.sharpe).toBeCloseTo(1.4320816434015786, 6);
    const mv = O.portfolioPerformance(O.minVolatility(S), mu, S);
    expect(mv.volatility).toBeCloseTo(0.15915084514118694, 7); // test_min_volatility
    const er = O.portfolioPerformance(O.efficientRisk(mu, S, 0.19), mu, S);
    expect(er.expectedReturn).toBeCloseTo(0.28577452556155075, 6); // test_efficient_risk (atol 1e-6)
    expect(er.volatility).toBeCloseTo(0.19, 9);
    // tests/test_hrp.py: HRPOpt(returns) performance with returns.mean()·252, returns.cov()·252; quasi-diag order
    const h = O.hrpFromReturns(r);
    expect(h.order.slice(0, 5)).toEqual([12, 6, 15, 14, 2]);
    const hp = O.portfolioPerformance(h.weights, mu, S);
    expect(hp.expectedReturn).toBeCloseTo(0.21353402380950973, 10);
    expect(hp.volatility).toBeCloseTo(0.17844159743748936, 10);
    // test_pass_cov_matrix: HRP on the Ledoit-Wolf covariance, volatility 0.10002783894982334
    const lw = O.ledoitWolf(r).cov;
    expect(Math.sqrt(O.portfolioVariance(O.hrp(lw).weights, lw))).toBeCloseTo(0.10002783894982334, 10);
  });
});
