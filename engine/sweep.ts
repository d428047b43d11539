/**
 * Parameter sweeps: a grid (or N random points of it) of one strategy's parameters, each combination backtested
 * (vectorized when the strategy has that form, else event-driven), ranked by an objective, with two measures of how
 * much the best of N is worth:
 * - the deflated Sharpe ratio (Bailey & López de Prado 2014): the probability that the best combination's true
 *   Sharpe is above what the best of N unskilled trials would show, given the trials' Sharpe variance, the sample
 *   length, skewness and kurtosis;
 * - the probability of backtest overfitting by combinatorially symmetric cross-validation (Bailey, Borwein, López de
 *   Prado, Zhu 2017): the returns are cut into S blocks; for every half of them taken in-sample, the best in-sample
 *   combination's out-of-sample rank is recorded; PBO is the share of splits where it lands in the bottom half.
 * The CSCV needs only each combination's per-block sums of returns and squared returns, so a sweep keeps S × 3
 * numbers per combination, not its equity curve.
 */
import { UsageError } from '../src/errors.ts';
import { Rng } from '../src/rng.ts';
import type { BarSeries } from '../src/types.ts';
import { periodsPerYear } from './metrics.ts';
import { parseParamValue } from './params.ts';
import { runStrategy, type RunOptions } from './run.ts';
import type { Strategy } from './strategy.ts';

export type ParamGrid = { name: string; values: (number | boolean | string)[] }[];

/** `fast=5:50:5` (inclusive range), `fast=5,10,20` (list), `short=true,false`; every value checked against the declaration. */
export function parseGrid(s: Strategy, specs: readonly string[]): ParamGrid {
  const out: ParamGrid = [];
  for (const spec of specs) {
    const eq = spec.indexOf('=');
    if (eq <= 0) throw new UsageError(`--grid takes name=from:to:step or name=a,b,c, got '${spec}'`);
    const name = spec.slice(0, eq).trim();
    const body = spec.slice(eq + 1).trim();
    const decl = s.params[name];
    if (!decl) throw new UsageError(`${s.name} has no parameter '${name}'; its parameters: ${Object.keys(s.params).join(', ')}`);
    if (out.some((g) => g.name === name)) throw new UsageError(`--grid ${name} given twice`);
    let raw: (string | number)[];
    const range = /^(-?[\d.]+):(-?[\d.]+)(?::(-?[\d.]+))?$/.exec(body);
    if (range) {
      const a = Number(range[1]);
      const b = Number(range[2]);
      const step = range[3] !== undefined ? Number(range[3]) : decl.step ?? 1;
      if (!(step > 0)) throw new UsageError(`--grid ${name}: the step must be > 0`);
      if (b < a) throw new UsageError(`--grid ${name}: ${a}:${b} is empty (from > to)`);
      raw = [];
      for (let k = 0; ; k++) {
        const v = Number((a + k * step).toPrecision(12));
        if (v > b + 1e-9 * Math.abs(step)) break;
        raw.push(v);
        if (raw.length > 100_000) throw new UsageError(`--grid ${name}: more than 100,000 values`);
      }
    } else raw = body.split(',').map((x) => x.trim()).filter((x) => x !== '');
    if (raw.length === 0) throw new UsageError(`--grid ${name}: no values`);
    out.push({ name, values: raw.map((v) => parseParamValue(s.name, name, decl, v)) });
  }
  return out;
}

export function gridSize(g: ParamGrid): number {
  return g.reduce((a, x) => a * x.values.length, 1);
}

/** The combination with grid index k (the last parameter varies fastest: "grid order"). */
export function comboAt(g: ParamGrid, k: number): Record<string, number | boolean | string> {
  const out: Record<string, number | boolean | string> = {};
  for (let j = g.length - 1; j >= 0; j--) {
    const n = g[j].values.length;
    out[g[j].name] = g[j].values[k % n];
    k = Math.floor(k / n);
  }
  return Object.fromEntries(g.map((x) => [x.name, out[x.name]]));
}

/** Grid indices to run: all of them, or `random` distinct ones drawn with a seeded generator, in grid order. */
export function sweepIndices(g: ParamGrid, random?: number, seed = 1): number[] {
  const total = gridSize(g);
  if (!random || random >= total) return Array.from({ length: total }, (_, i) => i);
  const rng = new Rng(seed);
  const picked = new Set<number>();
  while (picked.size < random) picked.add(Math.floor(rng.next() * total));
  return [...picked].sort((a, b) => a - b);
}

export const CSCV_BLOCKS = 16;

export interface ComboResult {
  index: number;
  params: Record<string, number | boolean | string>;
  metrics: Record<string, number | null>;
  final_equity: number;
  /** per CSCV block: sum of returns, sum of squares, count (S × 3) */
  blocks: number[];
  error?: string;
}

/** Run one combination (worker side and in-process). */
/** The metrics a sweep ranks and reports by (the full set is one `backtest` away): each O(n), no sorting. */
export const SWEEP_METRICS = ['total_return', 'cagr', 'annual_volatility', 'sharpe', 'sortino', 'max_drawdown', 'calmar', 'skew', 'kurtosis', 'num_periods', 'periods_per_year', 'num_trades', 'win_rate', 'profit_factor'] as const;

export function runCombo(o: Omit<RunOptions, 'params'> & { periods?: number }, params: Record<string, number | boolean | string>, index: number): ComboResult {
  try {
    // the equity column is read here and then dropped: one per thread is reused (see BacktestConfig.equityBuffer)
    const bars = o.series.length === 1 ? o.series[0].ts.length : -1;
    if (bars >= 0 && equityBuffer.length !== bars) equityBuffer = new Float64Array(bars);
    const r = runStrategy({ ...o, params, recordFills: false, equityBuffer: bars >= 0 ? equityBuffer : undefined });
    const P = o.periods ?? periodsPerYear(r.ts);
    const blocks = new Array<number>(CSCV_BLOCKS * 3).fill(0);
    const f = fusedStats(r.equity, blocks);
    const ts = r.closedStats();
    const m: Record<string, number> = {
      total_return: f.total,
      cagr: f.n > 0 ? (1 + f.total) ** (P / f.n) - 1 : NaN,
      annual_volatility: f.std * Math.sqrt(P),
      sharpe: f.std > 0 ? (f.mean / f.std) * Math.sqrt(P) : NaN,
      sortino: f.downside > 0 ? (f.mean * P) / (f.downside * Math.sqrt(P)) : f.mean > 0 ? Infinity : NaN,
      max_drawdown: f.n > 0 ? f.maxDd : NaN,
      calmar: f.maxDd < 0 && f.n > 0 ? ((1 + f.total) ** (P / f.n) - 1) / -f.maxDd : NaN,
      skew: f.skew,
      kurtosis: f.kurt,
      num_periods: f.n,
      periods_per_year: P,
      num_trades: ts.n,
      win_rate: ts.n ? ts.wins / ts.n : NaN,
      profit_factor: ts.grossLoss > 0 ? ts.grossWin / ts.grossLoss : ts.grossWin > 0 ? Infinity : NaN,
    };
    const metrics: Record<string, number | null> = {};
    for (const k of SWEEP_METRICS) metrics[k] = Number.isFinite(m[k]) ? m[k] : null;
    return { index, params, metrics, final_equity: r.finalEquity, blocks };
  } catch (e) {
    return { index, params, metrics: {}, final_equity: NaN, blocks: [], error: (e as Error).message };
  }
}

/**
 * One pass over an equity curve's simple returns for everything a sweep reports — the same formulas as
 * engine/metrics.ts (sample std, empyrical's downside deviation, population skew and excess kurtosis, drawdown on
 * compounded equity), fused because a sweep evaluates them for thousands of combinations (test/sweep.test.ts holds
 * them equal to the metrics module). Also fills the CSCV block sums.
 */
export function fusedStats(eq: Float64Array, blocks: number[]): { n: number; mean: number; std: number; downside: number; total: number; maxDd: number; skew: number; kurt: number } {
  const len = Math.max(0, eq.length - 1);
  let n = 0;
  let s1 = 0;
  let s2 = 0;
  let s3 = 0;
  let s4 = 0;
  let dn = 0;
  let g = 1;
  let peak = 1;
  let maxDd = 0;
  // the drawdown test as a product: g/peak − 1 < maxDd ⟺ g < peak·(1 + maxDd) (peak > 0), divided only on a new low
  let floor = 1;
  // CSCV blocks: block b covers returns [⌊b·len/S⌋, ⌊(b+1)·len/S⌋), sums kept in locals and written once per block
  for (let b = 0; b < CSCV_BLOCKS; b++) {
    const from = Math.floor((b * len) / CSCV_BLOCKS);
    const to = b === CSCV_BLOCKS - 1 ? len : Math.floor(((b + 1) * len) / CSCV_BLOCKS);
    let bs = 0;
    let bs2 = 0;
    let bs3 = 0;
    let bs4 = 0;
    let bn = 0;
    for (let i = from; i < to; i++) {
      const e0 = eq[i];
      const e1 = eq[i + 1];
      // flat stretches (no position) repeat the equity exactly: no division there
      const x = e1 === e0 ? 0 : e1 / e0 - 1;
      if (!(x === x)) continue;
      bn++;
      bs += x;
      const x2 = x * x;
      bs2 += x2;
      bs3 += x2 * x;
      bs4 += x2 * x2;
      if (x < 0) dn += x2;
      g *= 1 + x;
      if (g > peak) {
        peak = g;
        floor = peak * (1 + maxDd);
      } else if (g < floor) {
        maxDd = g / peak - 1;
        floor = peak * (1 + maxDd);
      }
    }
    blocks[b * 3] += bs;
    blocks[b * 3 + 1] += bs2;
    blocks[b * 3 + 2] += bn;
    n += bn;
    s1 += bs;
    s2 += bs2;
    s3 += bs3;
    s4 += bs4;
  }
  const mean = n ? s1 / n : NaN;
  // central moments from the raw power sums (one pass): period returns are small (|mean| ≪ sd), so the
  // cancellation in m2 = Σx² − n·mean² and the like costs a few ulps (test/sweep.test.ts holds them to 1e-9 of the
  // metrics module's two-pass values)
  const m2 = s2 - n * mean * mean;
  const m3 = s3 - 3 * mean * s2 + 2 * n * mean * mean * mean;
  const m4 = s4 - 4 * mean * s3 + 6 * mean * mean * s2 - 3 * n * mean * mean * mean * mean;
  const std = n > 1 ? Math.sqrt(m2 / (n - 1)) : NaN;
  const p2 = m2 / n;
  return { n, mean, std, downside: n ? Math.sqrt(dn / n) : NaN, total: g - 1, maxDd, skew: p2 > 0 ? m3 / n / p2 ** 1.5 : NaN, kurt: p2 > 0 ? m4 / n / (p2 * p2) - 3 : NaN };
}

let equityBuffer = new Float64Array(0);

// ------------------------------------------------------------------ statistics

/** Standard normal CDF (Abramowitz–Stegun 7.1.26 via erf, |error| < 1.5e-7). */
export function normCdf(x: number): number {
  const z = Math.abs(x) / Math.SQRT2;
  const t = 1 / (1 + 0.3275911 * z);
  const erf = 1 - ((((1.061405429 * t - 1.453152027) * t + 1.421413741) * t - 0.284496736) * t + 0.254829592) * t * Math.exp(-z * z);
  return x >= 0 ? 0.5 * (1 + erf) : 0.5 * (1 - erf);
}

/** Inverse standard normal CDF (Acklam's rational approximation, relative error < 1.2e-9). */
export function normInv(p: number): number {
  if (!(p > 0 && p < 1)) return p === 0 ? -Infinity : p === 1 ? Infinity : NaN;
  const a = [-3.969683028665376e1, 2.209460984245205e2, -2.759285104469687e2, 1.38357751867269e2, -3.066479806614716e1, 2.506628277459239];
  const b = [-5.447609879822406e1, 1.615858368580409e2, -1.556989798598866e2, 6.680131188771972e1, -1.328068155288572e1];
  const c = [-7.784894002430293e-3, -3.223964580411365e-1, -2.400758277161838, -2.549732539343734, 4.374664141464968, 2.938163982698783];
  const d = [7.784695709041462e-3, 3.224671290700398e-1, 2.445134137142996, 3.754408661907416];
  const pl = 0.02425;
  if (p < pl) {
    const q = Math.sqrt(-2 * Math.log(p));
    return (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) / ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
  }
  if (p > 1 - pl) return -normInv(1 - p);
  const q = p - 0.5;
  const r = q * q;
  return ((((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q) / (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1);
}

const EULER_GAMMA = 0.5772156649015329;

/**
 * Deflated Sharpe ratio (Bailey & López de Prado 2014, eq. 6–7), all Sharpe ratios per period (not annualised):
 * SR₀ = √V · ((1 − γ) Φ⁻¹(1 − 1/N) + γ Φ⁻¹(1 − 1/(N e))), DSR = Φ((SR − SR₀) √(T − 1) / √(1 − γ₃ SR + (γ₄ − 1)/4 SR²)),
 * with V the variance of the N trials' Sharpe ratios, T the number of returns, γ₃ skewness and γ₄ (non-excess)
 * kurtosis of the selected strategy's returns.
 */
export function deflatedSharpe(sr: number, trials: number, srVariance: number, T: number, skew: number, kurtosis: number): { dsr: number; sr0: number } {
  const sr0 = trials > 1 ? Math.sqrt(srVariance) * ((1 - EULER_GAMMA) * normInv(1 - 1 / trials) + EULER_GAMMA * normInv(1 - 1 / (trials * Math.E))) : 0;
  const den = Math.sqrt(Math.max(1e-12, 1 - skew * sr + ((kurtosis - 1) / 4) * sr * sr));
  return { dsr: normCdf(((sr - sr0) * Math.sqrt(T - 1)) / den), sr0 };
}

/**
 * Probability of backtest overfitting by CSCV over per-block sums (see the module comment): for every choice of
 * S/2 of the S blocks as in-sample, the combination with the best in-sample Sharpe is ranked out of sample;
 * ω = rank / (N + 1), λ = ln(ω / (1 − ω)); PBO = share of splits with λ ≤ 0.
 */
export function pboCscv(blocks: number[][], S = CSCV_BLOCKS, masks: [number, number] = [0, 1 << S]): { pbo: number; splits: number; logits: number[] } {
  const N = blocks.length;
  if (N < 2) return { pbo: NaN, splits: 0, logits: [] };
  const half = S / 2;
  // Meet in the middle: the sums over every subset of the first 8 blocks and of the last 8, for every combination,
  // so a split's in-sample sums are two lookups instead of 8 additions — this runs C(16,8) = 12,870 splits × N
  // combinations. Laid out [half][subset][combination][3] so that a split reads two contiguous runs of memory.
  if (S !== 16) throw new Error('pboCscv: 16 blocks');
  const sub = new Float64Array(2 * 256 * N * 3);
  const tot = new Float64Array(N * 3);
  for (let j = 0; j < N; j++) {
    const bj = blocks[j];
    for (let h = 0; h < 2; h++) {
      for (let m = 1; m < 256; m++) {
        const low = 31 - Math.clz32(m & -m); // lowest set bit
        const prev = m & (m - 1);
        const o = ((h * 256 + m) * N + j) * 3;
        const p = ((h * 256 + prev) * N + j) * 3;
        const k = (h * 8 + low) * 3;
        sub[o] = sub[p] + (bj[k] ?? 0);
        sub[o + 1] = sub[p + 1] + (bj[k + 1] ?? 0);
        sub[o + 2] = sub[p + 2] + (bj[k + 2] ?? 0);
      }
    }
    for (let k = 0; k < S; k++) {
      tot[j * 3] += bj[k * 3] ?? 0;
      tot[j * 3 + 1] += bj[k * 3 + 1] ?? 0;
      tot[j * 3 + 2] += bj[k * 3 + 2] ?? 0;
    }
  }
  // Sharpe ratios are only compared, so each is kept as the monotone sign(m)·m²/v (no square root); the ranking is
  // that of m/√v. NaN (fewer than 2 returns, or no variance) never wins and never counts as below.
  // Sharpe ratios are only compared, so each is kept as the monotone key sign(m)·m²/v for the mean m = s/n and the
  // variance v = (s2 − s²/n)/(n − 1) of its n returns: key = num / den with num = s·|s|·(n − 1), den = n·(n·s2 − s²);
  // keys are compared by cross-multiplication (num_j · den_best > num_best · den_j), so a split costs no division.
  // An invalid key (n < 2 or no variance) never wins and never ranks below.
  const logits: number[] = [];
  for (let mask = masks[0]; mask < masks[1]; mask++) {
    if (popcount(mask) !== half) continue;
    const a0 = (mask & 255) * N * 3;
    const b0 = (256 + (mask >> 8)) * N * 3;
    let best = -1;
    let bNum = 0;
    let bDen = 1;
    for (let j = 0, a = a0, b = b0; j < N; j++, a += 3, b += 3) {
      const s = sub[a] + sub[b];
      const s2 = sub[a + 1] + sub[b + 1];
      const n = sub[a + 2] + sub[b + 2];
      const den = n * (n * s2 - s * s);
      if (!(n >= 2 && den > 0)) continue;
      const num = s * Math.abs(s) * (n - 1);
      if (best < 0 || num * bDen > bNum * den) {
        best = j;
        bNum = num;
        bDen = den;
      }
    }
    if (best < 0) continue;
    // out of sample = the whole series minus the in-sample blocks
    const oosOf = (j: number): [number, number] => {
      const a = a0 + j * 3;
      const b = b0 + j * 3;
      const t = j * 3;
      const s = tot[t] - sub[a] - sub[b];
      const s2 = tot[t + 1] - sub[a + 1] - sub[b + 1];
      const n = tot[t + 2] - sub[a + 2] - sub[b + 2];
      return [s * Math.abs(s) * (n - 1), n >= 2 ? n * (n * s2 - s * s) : NaN];
    };
    const [oNum, oDen] = oosOf(best);
    if (!(oDen > 0)) continue;
    // rank of the chosen one out of sample: 1 = worst … N = best (ties share the lower rank)
    let rank = 1;
    for (let j = 0, a = a0, b = b0, t = 0; j < N; j++, a += 3, b += 3, t += 3) {
      const s = tot[t] - sub[a] - sub[b];
      const s2 = tot[t + 1] - sub[a + 1] - sub[b + 1];
      const n = tot[t + 2] - sub[a + 2] - sub[b + 2];
      const den = n * (n * s2 - s * s);
      if (n >= 2 && den > 0 && s * Math.abs(s) * (n - 1) * oDen < oNum * den) rank++;
    }
    const w = rank / (N + 1);
    logits.push(Math.log(w / (1 - w)));
  }
  const bad = logits.filter((l) => l <= 0).length;
  return { pbo: logits.length ? bad / logits.length : NaN, splits: logits.length, logits };
}

function popcount(x: number): number {
  let c = 0;
  while (x) {
    x &= x - 1;
    c++;
  }
  return c;
}

/** The combinations PBO ranks: those that ran and have the objective (summarizeSweep's `ok`). */
export function pboInputs(results: ComboResult[], objective: string): number[][] {
  return results.filter((r) => !r.error && r.metrics[objective] !== undefined).map((r) => r.blocks);
}

/** PBO from the logits of disjoint mask ranges (split across threads). */
export function pboFromLogits(parts: number[][]): { pbo: number; splits: number } {
  const all = parts.flat();
  const bad = all.filter((l) => l <= 0).length;
  return { pbo: all.length ? bad / all.length : NaN, splits: all.length };
}

export interface SweepSummary {
  strategy: string;
  objective: string;
  combinations: number;
  grid: ParamGrid;
  results: ComboResult[];
  best: ComboResult[];
  deflated_sharpe: { sharpe_per_period: number; sr0: number; dsr: number; trials: number } | null;
  pbo: { pbo: number; splits: number; blocks: number } | null;
  errors: number;
}

/** Rank results (grid order kept in `results`), and compute DSR of the best and PBO over all. */
export function summarizeSweep(strategy: Strategy, grid: ParamGrid, results: ComboResult[], objective: string, top = 10, pbo?: { pbo: number; splits: number }): SweepSummary {
  const ok = results.filter((r) => !r.error && r.metrics[objective] !== undefined);
  const score = (r: ComboResult) => {
    const v = r.metrics[objective];
    return v === null || v === undefined ? -Infinity : objective === 'max_drawdown' ? v : v; // drawdowns are negative: larger is better too
  };
  const ranked = [...ok].sort((a, b) => score(b) - score(a) || a.index - b.index);
  let dsr: SweepSummary['deflated_sharpe'] = null;
  const best = ranked[0];
  if (best && ok.length > 1) {
    const srs = ok.map((r) => (r.metrics.sharpe ?? NaN) / Math.sqrt(r.metrics.periods_per_year ?? 252)).filter((x) => Number.isFinite(x));
    const m = srs.reduce((a, b) => a + b, 0) / srs.length;
    const v = srs.reduce((a, b) => a + (b - m) ** 2, 0) / Math.max(1, srs.length - 1);
    const sr = (best.metrics.sharpe ?? NaN) / Math.sqrt(best.metrics.periods_per_year ?? 252);
    const T = best.metrics.num_periods ?? 0;
    const d = deflatedSharpe(sr, srs.length, v, T, best.metrics.skew ?? 0, (best.metrics.kurtosis ?? 0) + 3);
    dsr = { sharpe_per_period: sr, sr0: d.sr0, dsr: d.dsr, trials: srs.length };
  }
  const p = pbo ?? (ok.length > 1 ? pboCscv(ok.map((r) => r.blocks)) : null);
  return {
    strategy: strategy.name,
    objective,
    combinations: results.length,
    grid,
    results,
    best: ranked.slice(0, top),
    deflated_sharpe: dsr,
    pbo: p ? { pbo: p.pbo, splits: p.splits, blocks: CSCV_BLOCKS } : null,
    errors: results.length - ok.length,
  };
}

/** Sweep in this thread (tests, small grids); the command spreads chunks over worker threads. */
export function sweepLocal(o: Omit<RunOptions, 'params'> & { grid: ParamGrid; indices: number[]; periods?: number }): ComboResult[] {
  return o.indices.map((k) => runCombo(o, comboAt(o.grid, k), k));
}

export type { BarSeries };

export interface ObjectiveGrid {
  x: { name: string; values: (number | boolean | string)[] };
  /** null for a one-parameter sweep (one row) */
  y: { name: string; values: (number | boolean | string)[] } | null;
  /** cells[row][col]: the objective of the best combination with those two values (null: none ran or all failed) */
  cells: (number | null)[][];
  /** the grid index of the combination each cell shows */
  index: (number | null)[][];
  min: number;
  max: number;
}

/**
 * The objective over two parameters of a sweep (x = the first --grid, y = the second; with more parameters each cell
 * shows the best over the others), for heatmaps in reports and the console.
 */
export function objectiveGrid(sec: { grid: { name: string; values: (number | boolean | string)[] }[]; results: { index: number; params: Record<string, number | boolean | string>; metrics: Record<string, number | null>; error?: string }[] }, objective: string): ObjectiveGrid {
  const [gx, gy] = sec.grid;
  const ny = gy ? gy.values.length : 1;
  const cells: (number | null)[][] = Array.from({ length: ny }, () => new Array(gx.values.length).fill(null));
  const index: (number | null)[][] = Array.from({ length: ny }, () => new Array(gx.values.length).fill(null));
  const xi = new Map(gx.values.map((v, i) => [String(v), i]));
  const yi = gy ? new Map(gy.values.map((v, i) => [String(v), i])) : null;
  let min = Infinity;
  let max = -Infinity;
  for (const r of sec.results) {
    const v = r.metrics[objective];
    if (r.error || v === null || v === undefined || !Number.isFinite(v)) continue;
    const c = xi.get(String(r.params[gx.name]));
    const w = yi ? yi.get(String(r.params[gy.name])) : 0;
    if (c === undefined || w === undefined) continue;
    const cur = cells[w][c];
    if (cur === null || v > cur) {
      cells[w][c] = v;
      index[w][c] = r.index;
    }
    if (v < min) min = v;
    if (v > max) max = v;
  }
  return { x: gx, y: gy ?? null, cells, index, min, max };
}
