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
import { blackLittermanMaxSharpe, marketImpliedPriorReturns, relativeView } from './black-litterman.ts';
import { ledoitWolf, sampleCov, expCov, type Matrix } from './covariance.ts';
import { hrp, hrpFromReturns } from './hrp.ts';
import { efficientReturn, efficientRisk, maxSharpe, minVolatility, portfolioPerformance, type Performance, type PortfolioConstraints } from './mvo.ts';
import { capmReturn, emaHistoricalReturn, meanHistoricalReturn } from './returns.ts';
import { equalWeight, inverseVolatility, riskParity } from './risk-parity.ts';

export const METHOD_NAMES = ['max_sharpe', 'min_volatility', 'efficient_return:R', 'efficient_risk:V', 'risk_parity', 'hrp', 'black_litterman', 'equal', 'inverse_vol'] as const;

export type Method =
  | { kind: 'max_sharpe' | 'min_volatility' | 'risk_parity' | 'hrp' | 'black_litterman' | 'equal' | 'inverse_vol' }
  | { kind: 'efficient_return' | 'efficient_risk'; target: number };

export function parseMethod(spec: string): Method {
  const s = spec.trim().toLowerCase().replace(/-/g, '_');
  const m = /^(efficient_return|efficient_risk):(-?[\d.]+%?)$/.exec(s);
  if (m) {
    let t = Number(m[2].replace('%', ''));
    if (m[2].endsWith('%')) t /= 100;
    if (!Number.isFinite(t)) throw new UsageError(`--method ${spec}: the target must be a number`);
    return { kind: m[1] as 'efficient_return' | 'efficient_risk', target: t };
  }
  const plain = ['max_sharpe', 'min_volatility', 'risk_parity', 'hrp', 'black_litterman', 'equal', 'inverse_vol'] as const;
  const k = plain.find((x) => x === s || (x === 'inverse_vol' && s === 'inverse_volatility') || (x === 'min_volatility' && s === 'min_vol'));
  if (!k) throw new UsageError(`unknown method '${spec}'`, `methods: ${METHOD_NAMES.join(', ')} (R and V are annual fractions, e.g. efficient_return:0.2)`);
  return { kind: k };
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
  method: Method;
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

export function optimizePortfolio(inp: OptimizeInput): OptimizeResult {
  const n = inp.symbols.length;
  if (n < 2) throw new UsageError('an allocation needs at least two assets');
  const freq = inp.frequency ?? 252;
  const rf = inp.rf ?? 0.02;
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
      weights = riskParity(cov);
      break;
    case 'hrp':
      // PyPortfolioOpt's HRPOpt(returns): correlations and covariances pairwise from the returns; else the given Σ
      weights = (inp.covariance ?? 'sample') === 'sample' ? hrpFromReturns(inp.returns).weights : hrp(cov).weights;
      break;
    case 'equal':
      weights = equalWeight(n);
      break;
    case 'inverse_vol':
      weights = inverseVolatility(cov);
      break;
    case 'black_litterman': {
      const idx = (s: string) => {
        const i = inp.symbols.findIndex((x) => x.toUpperCase() === s.toUpperCase());
        if (i < 0) throw new UsageError(`a view names ${s}, which is not among the assets (${inp.symbols.join(', ')})`);
        return i;
      };
      const caps = inp.symbols.map((s) => inp.marketCaps?.[s] ?? inp.marketCaps?.[s.toUpperCase()] ?? (inp.marketCaps ? NaN : 1));
      if (caps.some((x) => !(x > 0))) throw new UsageError(`market caps are missing for ${inp.symbols.filter((_, i) => !(caps[i] > 0)).join(', ')}`);
      const delta = inp.riskAversion ?? 1;
      prior = marketImpliedPriorReturns(caps, delta, cov);
      const views = inp.views ?? [];
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
