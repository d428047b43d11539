/**
 * One entry for every allocation method, from a method name and a table of asset returns: the estimates
 * (expected returns, covariance) as PyPortfolioOpt makes them by default, the method, and the performance of the
 * weights (expected annual return, volatility, Sharpe at rf).
 *
 * Defaults (PyPortfolioOpt's): μ = mean_historical_return (compounded, 252 periods), Σ = sample_cov (annualised,
 * ddof 1), rf = 0.02 for max Sharpe and the reported Sharpe, long-only bounds [0, 1]. Black-Litterman: the prior is
 * market-implied from caps (equal caps when none are given) with risk aversion δ (default 1, PyPortfolioOpt's
 * default for market_implied_prior_returns), views absolute or relative with confidences (Idzorek) or the default
 * Ω; weights by max Sharpe on the posterior (μ_BL, Σ_BL).
 */
import { UsageError } from '../../src/errors.ts';
import { assetBounds } from './mvo.ts';
import { blackLittermanMaxSharpe, marketImpliedPriorReturns, relativeView } from './black-litterman.ts';
import { ledoitWolf, sampleCov, expCov, type Matrix } from './covariance.ts';
import { hrp, hrpFromReturns } from './hrp.ts';
import { efficientReturn, efficientRisk, maxSharpe, minVolatility, portfolioPerformance, type Performance, type PortfolioConstraints } from './mvo.ts';
import { capmReturn, emaHistoricalReturn, meanHistoricalReturn } from './returns.ts';
import { equalWeight, inverseVolatility, riskParity } from './risk-parity.ts';


export type MethodSpec =
  | { kind: 'max_sharpe'; spec: string }
  | { kind: 'min_volatility'; spec: string }
  | { kind: 'efficient_return'; target: number; spec: string }
  | { kind: 'efficient_risk'; target: number; spec: string }
  | { kind: 'risk_parity'; spec: string }
  | { kind: 'hrp'; spec: string }
  | {
      kind: 'black_litterman';
      /** absolute views: symbol (or asset index as text) → expected annual return; none = the prior alone */
      views?: Readonly<Record<string, number>>;
      /** market caps by symbol (all symbols); default equal caps (prior = equal-weight market portfolio) */
      marketCaps?: Readonly<Record<string, number>>;
      /** δ; default 1 (PyPortfolioOpt's default) */
      riskAversion?: number;
      spec: string;
    }
  | { kind: 'equal'; spec: string }
  | { kind: 'inverse_vol'; spec: string };

export type MethodKind = MethodSpec['kind'];

export const METHOD_HELP =
  'max_sharpe | min_volatility | efficient_return:R (target annual return, e.g. 0.2) | efficient_risk:V (target annual volatility, e.g. 0.15) | risk_parity | hrp | black_litterman[:SYM=R;SYM=R…] (equal-cap prior, optional absolute views) | equal | inverse_vol';

const ALIASES: Record<string, MethodKind> = {
  max_sharpe: 'max_sharpe',
  maxsharpe: 'max_sharpe',
  sharpe: 'max_sharpe',
  min_volatility: 'min_volatility',
  min_vol: 'min_volatility',
  minvol: 'min_volatility',
  min_variance: 'min_volatility',
  efficient_return: 'efficient_return',
  efficient_risk: 'efficient_risk',
  risk_parity: 'risk_parity',
  erc: 'risk_parity',
  hrp: 'hrp',
  black_litterman: 'black_litterman',
  bl: 'black_litterman',
  equal: 'equal',
  equal_weight: 'equal',
  ew: 'equal',
  inverse_vol: 'inverse_vol',
  inverse_volatility: 'inverse_vol',
  inv_vol: 'inverse_vol',
};

function badMethod(spec: string, why: string): UsageError {
  return new UsageError(`bad --method '${spec}': ${why}; use ${METHOD_HELP}`);
}

/** a number, or a percentage ('20%' = 0.2) */
export function fraction(raw: string): number {
  const t = raw.trim();
  if (t === '') return NaN;
  if (t.endsWith('%')) return Number(t.slice(0, -1)) / 100;
  return Number(t);
}

/**
 * Parse an optimisation method (case-insensitive; '-' = '_'). Throws UsageError listing the methods.
 * `black_litterman:AAPL=0.10;MSFT=0.05` gives absolute views (',' also separates); market caps only through the API.
 */
export function parseMethod(spec: string): MethodSpec {
  const raw = spec.trim();
  const colon = raw.indexOf(':');
  const head = (colon < 0 ? raw : raw.slice(0, colon)).trim().toLowerCase().replace(/-/g, '_');
  const arg = colon < 0 ? undefined : raw.slice(colon + 1).trim();
  const kind = ALIASES[head];
  if (!kind) throw badMethod(spec, `unknown method '${head}'`);
  switch (kind) {
    case 'efficient_return':
    case 'efficient_risk': {
      if (arg === undefined || arg === '') throw badMethod(spec, `${kind} needs a target, e.g. ${kind}:${kind === 'efficient_return' ? '0.2' : '0.15'}`);
      const x = fraction(arg);
      if (!Number.isFinite(x)) throw badMethod(spec, `the target must be a number, got '${arg}'`);
      if (kind === 'efficient_risk' && !(x > 0)) throw badMethod(spec, `the target volatility must be > 0, got ${x}`);
      return { kind, target: x, spec: `${kind}:${x}` };
    }
    case 'black_litterman': {
      if (arg === undefined || arg === '') return { kind, spec: kind };
      const views: Record<string, number> = {};
      for (const part of arg.split(/[;,]/)) {
        if (part.trim() === '') continue;
        const eq = part.indexOf('=');
        if (eq <= 0) throw badMethod(spec, `views are SYMBOL=RETURN (annual, e.g. AAPL=0.1), got '${part.trim()}'`);
        const sym = part.slice(0, eq).trim();
        const v = fraction(part.slice(eq + 1));
        if (!Number.isFinite(v)) throw badMethod(spec, `the view on ${sym} must be a number, got '${part.slice(eq + 1).trim()}'`);
        views[sym] = v;
      }
      const keys = Object.keys(views);
      if (keys.length === 0) return { kind, spec: kind };
      return { kind, views, spec: `${kind}:${keys.map((k) => `${k}=${views[k]}`).join(';')}` };
    }
    default:
      if (arg !== undefined) throw badMethod(spec, `${kind} takes no argument`);
      return { kind, spec: kind } as MethodSpec;
  }
}

// ------------------------------------------------------------------ schedules

/**
 * Weights moved into [lo, hi] with Σw = 1, keeping their proportions where no bound binds: w_i = clip(λ·w_i, lo, hi)
 * with the scale λ that makes them sum to 1 (found by bisection; the sum is continuous and non-decreasing in λ).
 * For the methods that do not take bounds themselves (risk parity, HRP, equal, inverse volatility). Weights ≤ 0 are
 * treated as a tiny positive weight. Infeasible bounds (n·lo > 1 or n·hi < 1) throw.
 */
export function fitBounds(w: Float64Array, lo: number, hi: number): Float64Array {
  const n = w.length;
  assetBounds(n, { bounds: [lo, hi] });
  let inside = true;
  let total = 0;
  for (let i = 0; i < n; i++) {
    total += w[i];
    if (!(w[i] >= lo && w[i] <= hi)) inside = false;
  }
  if (inside && Math.abs(total - 1) < 1e-12) return Float64Array.from(w);
  const base = Float64Array.from(w, (x) => (x > 1e-12 ? x : 1e-12));
  const at = (lam: number, out?: Float64Array): number => {
    let s = 0;
    for (let i = 0; i < n; i++) {
      const x = Math.min(hi, Math.max(lo, lam * base[i]));
      if (out) out[i] = x;
      s += x;
    }
    return s;
  };
  let a = 0;
  let b = 1;
  while (at(b) < 1 && b < 1e300) b *= 2;
  for (let k = 0; k < 200 && b - a > 1e-15 * b; k++) {
    const mid = 0.5 * (a + b);
    if (at(mid) < 1) a = mid;
    else b = mid;
  }
  const out = new Float64Array(n);
  const s = at(b, out);
  // spread the last rounding over the weights strictly inside their bounds
  let free = 0;
  for (let i = 0; i < n; i++) if (out[i] > lo && out[i] < hi) free += out[i];
  if (free > 0) for (let i = 0; i < n; i++) if (out[i] > lo && out[i] < hi) out[i] *= 1 + (1 - s) / free;
  return out;
}

export interface BlView {
  /** an absolute view: the asset's annual return */
  asset?: string;
  /** a relative view: `long` beats `short` by `return` */
  long?: string;
  short?: string;
  return: number;
  /** 0–1 (Idzorek); all views need one, or none */
  confidence?: number;
}

export interface OptimizeInput {
  symbols: string[];
  /** one column of simple period returns per symbol (NaN = missing) */
  returns: Float64Array[];
  method: MethodSpec;
  rf?: number;
  frequency?: number;
  /** mean: compounded (PyPortfolioOpt's default); mean_arithmetic: mean × frequency */
  expected?: 'mean' | 'mean_arithmetic' | 'ema' | 'capm';
  covariance?: 'sample' | 'ledoit_wolf' | 'exp';
  constraints?: PortfolioConstraints;
  /** Black-Litterman */
  views?: BlView[];
  marketCaps?: Record<string, number>;
  riskAversion?: number;
  tau?: number;
}

export interface OptimizeResult {
  weights: Float64Array;
  performance: Performance;
  mu: Float64Array;
  cov: Matrix;
  /** what was used, for the output: estimator names and, for Black-Litterman, the prior and posterior returns */
  notes: string[];
  prior?: Float64Array;
  posterior?: Float64Array;
}

/** risk parity, HRP, equal and inverse volatility take no bounds themselves: their weights are fitted into one [lo, hi] */
function fitBoundsOf(w: Float64Array, c: PortfolioConstraints | undefined): Float64Array {
  const b = c?.bounds;
  return b && typeof b[0] === 'number' ? fitBounds(w, b[0] as number, b[1] as number) : w;
}

export function optimizePortfolio(inp: OptimizeInput): OptimizeResult {
  const n = inp.symbols.length;
  if (n < 2) throw new UsageError('an allocation needs at least two assets');
  const freq = inp.frequency ?? 252;
  const rf = inp.rf ?? 0.02;
  // equal weights need no estimates (a rebalance of new listings may have none yet): they are made only when used
  if (inp.method.kind === 'equal' && inp.returns.every((r) => r.length < 2)) {
    const w = fitBoundsOf(equalWeight(n), inp.constraints);
    const nan = { expectedReturn: NaN, volatility: NaN, sharpe: NaN };
    return { weights: w, performance: nan, mu: new Float64Array(n).fill(NaN), cov: [], notes: ['equal weights: no estimates'] };
  }
  const cov = inp.covariance === 'ledoit_wolf' ? ledoitWolf(inp.returns, { frequency: freq }).cov : inp.covariance === 'exp' ? expCov(inp.returns, { frequency: freq }) : sampleCov(inp.returns, { frequency: freq });
  let mu =
    inp.expected === 'ema'
      ? emaHistoricalReturn(inp.returns, { frequency: freq })
      : inp.expected === 'capm'
        ? capmReturn(inp.returns, { frequency: freq, rf })
        : meanHistoricalReturn(inp.returns, { frequency: freq, compounding: inp.expected !== 'mean_arithmetic' });
  const c = inp.constraints ?? {};
  const notes = [`expected returns: ${inp.expected ?? 'mean'} historical (×${freq})`, `covariance: ${inp.covariance ?? 'sample'}`];
  const m = inp.method;
  const heuristic = (w: Float64Array) => fitBoundsOf(w, c);
  let weights: Float64Array;
  let prior: Float64Array | undefined;
  let posterior: Float64Array | undefined;
  let perfCov: Matrix = cov;
  switch (m.kind) {
    case 'max_sharpe':
      weights = maxSharpe(mu, cov, { ...c, rf });
      break;
    case 'min_volatility':
      weights = minVolatility(cov, c);
      break;
    case 'efficient_return':
      weights = efficientReturn(mu, cov, m.target, c);
      break;
    case 'efficient_risk':
      weights = efficientRisk(mu, cov, m.target, c);
      break;
    case 'risk_parity':
      weights = heuristic(riskParity(cov));
      break;
    case 'hrp':
      // PyPortfolioOpt's HRPOpt(returns): correlations and covariances pairwise from the returns; else the given Σ
      weights = heuristic((inp.covariance ?? 'sample') === 'sample' ? hrpFromReturns(inp.returns).weights : hrp(cov).weights);
      break;
    case 'equal':
      weights = heuristic(equalWeight(n));
      break;
    case 'inverse_vol':
      weights = heuristic(inverseVolatility(cov));
      break;
    case 'black_litterman': {
      const idx = (s: string) => {
        let i = inp.symbols.findIndex((x) => x.toUpperCase() === s.toUpperCase());
        if (i < 0 && /^\d+$/.test(s) && Number(s) < n) i = Number(s);
        if (i < 0) throw new UsageError(`a view names ${s}, which is not among the assets (${inp.symbols.join(', ')})`);
        return i;
      };
      const capsIn = inp.marketCaps ?? m.marketCaps;
      const caps = inp.symbols.map((s) => capsIn?.[s] ?? capsIn?.[s.toUpperCase()] ?? (capsIn ? NaN : 1));
      if (caps.some((x) => !(x > 0))) throw new UsageError(`market caps are missing or not positive for ${inp.symbols.filter((_, i) => !(caps[i] > 0)).join(', ')}`);
      const delta = inp.riskAversion ?? m.riskAversion ?? 1;
      // π = δ Σ w_mkt + rf (PyPortfolioOpt's market_implied_prior_returns with risk_free_rate): with no views, max Sharpe
      // at rf gives back the market portfolio
      prior = marketImpliedPriorReturns(caps, delta, cov, rf);
      const views: BlView[] = [...Object.entries(m.views ?? {}).map(([asset, r]) => ({ asset, return: r })), ...(inp.views ?? [])];
      const P = views.map((v) => {
        if (v.asset !== undefined) {
          const row = new Float64Array(n);
          row[idx(v.asset)] = 1;
          return row;
        }
        if (v.long === undefined || v.short === undefined) throw new UsageError('a view has "asset", or "long" and "short"');
        return relativeView(n, idx(v.long), idx(v.short));
      });
      const conf = views.map((v) => v.confidence);
      const idzorek = conf.length > 0 && conf.every((x) => x !== undefined);
      if (!idzorek && conf.some((x) => x !== undefined)) throw new UsageError('give a confidence for every view, or for none');
      if (views.length === 0) {
        // no views: the posterior is the prior
        weights = maxSharpe(prior, cov, { ...c, rf });
        posterior = prior;
      } else {
        const bl = blackLittermanMaxSharpe({ cov, pi: prior, P, Q: Float64Array.from(views, (v) => v.return), tau: inp.tau ?? 0.05, omega: idzorek ? 'idzorek' : 'default', confidences: idzorek ? (conf as number[]) : undefined }, { ...c, rf });
        weights = bl.weights;
        posterior = bl.posteriorReturns;
        perfCov = bl.posteriorCov;
      }
      mu = posterior;
      notes.push(`Black-Litterman: prior from ${inp.marketCaps ? 'market caps' : 'equal caps'}, δ = ${delta}, τ = ${inp.tau ?? 0.05}, ${views.length} view(s), Ω ${idzorek ? 'Idzorek (confidences)' : 'default (τ P Σ Pᵀ)'}`);
      break;
    }
  }
  return { weights, performance: portfolioPerformance(weights, mu, perfCov, rf), mu, cov: perfCov, notes, prior, posterior };
}
