/**
 * `portfolio optimize` on ../shared/data/pypfopt/stock_prices.csv read as it is, against the figures in
 * PyPortfolioOpt's own test suite (tests/test_efficient_frontier.py, tests/test_hrp.py), constraints checked on every
 * solution, Black-Litterman views, whole-share allocation, and stored symbols.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli } from './helpers/cli.ts';
import { ROOT, tmpDir } from './helpers/tmp.ts';

const PRICES = path.resolve(ROOT, '../shared/data/pypfopt/stock_prices.csv');
const opt = async (...args: string[]) => {
  const out = await cli(['portfolio', 'optimize', '--prices', PRICES, ...args, '--json']);
  expect(out.code, out.stderr).toBe(0);
  return out.json();
};
const sum = (w: Record<string, number>) => Object.values(w).reduce((a, b) => a + b, 0);

describe('portfolio optimize against PyPortfolioOpt’s test suite (arithmetic mean × 252, sample covariance)', () => {
  it('max Sharpe: 0.33035037 return, 0.21671277 volatility, Sharpe 1.43208164 (test_max_sharpe_long_only)', async () => {
    const j = await opt('--method', 'max_sharpe', '--expected', 'mean_arithmetic');
    expect(j.performance.expected_return).toBeCloseTo(0.33035037367760506, 6);
    expect(j.performance.volatility).toBeCloseTo(0.21671276571944567, 6);
    expect(j.performance.sharpe).toBeCloseTo(1.4320816434015786, 5);
    expect(sum(j.weights)).toBeCloseTo(1, 9);
    for (const w of Object.values(j.weights) as number[]) expect(w).toBeGreaterThanOrEqual(0);
  });

  it('min volatility 0.15915085 (test_min_volatility); efficient risk 0.19 → return 0.28577453 (test_efficient_risk)', async () => {
    expect((await opt('--method', 'min_volatility', '--expected', 'mean_arithmetic')).performance.volatility).toBeCloseTo(0.15915084514118694, 6);
    const er = await opt('--method', 'efficient_risk:0.19', '--expected', 'mean_arithmetic');
    expect(er.performance.expected_return).toBeCloseTo(0.28577452556155075, 5);
    expect(er.performance.volatility).toBeLessThanOrEqual(0.19 + 1e-6);
  });

  it('HRP: return 0.21353402, volatility 0.17844160 (test_hrp_portfolio)', async () => {
    const j = await opt('--method', 'hrp', '--expected', 'mean_arithmetic');
    expect(j.performance.expected_return).toBeCloseTo(0.21353402380950973, 8);
    expect(j.performance.volatility).toBeCloseTo(0.17844159743748936, 8);
  });
});

describe('constraints, allocation, views', () => {
  it('bounds and sector limits hold on the solution', async () => {
    const dir = tmpDir('at-pf-');
    const sectors = path.join(dir, 'sectors.json');
    fs.writeFileSync(sectors, JSON.stringify({ map: { GOOG: 'tech', AAPL: 'tech', FB: 'tech', AMZN: 'tech', MA: 'fin', JPM: 'fin', BAC: 'fin' }, upper: { tech: 0.3, fin: 0.2 } }));
    const j = await opt('--method', 'max_sharpe', '--bounds', '0,0.15', '--sectors', sectors);
    expect(sum(j.weights)).toBeCloseTo(1, 9);
    for (const w of Object.values(j.weights) as number[]) expect(w).toBeLessThanOrEqual(0.15 + 1e-9);
    const w = j.weights as Record<string, number>;
    expect(w.GOOG + w.AAPL + w.FB + w.AMZN).toBeLessThanOrEqual(0.3 + 1e-9);
    expect(w.MA + w.JPM + w.BAC).toBeLessThanOrEqual(0.2 + 1e-9);
  });

  it('whole shares for a capital: Σ shares × latest price + leftover = capital, leftover below the cheapest held price', async () => {
    const j = await opt('--method', 'min_volatility', '--capital', '100000');
    const al = j.allocation;
    const invested = Object.entries(al.shares as Record<string, number>).reduce((s, [k, q]) => s + q * al.prices[k], 0);
    expect(invested).toBeCloseTo(al.invested, 6);
    expect(invested + al.leftover).toBeCloseTo(100_000, 6);
    // greedy: it keeps buying the assets it holds while one more share of any of them is affordable
    const held = Object.keys(j.weights).filter((k) => j.weights[k] > 0);
    expect(al.leftover).toBeLessThan(Math.min(...held.map((k) => al.prices[k] as number)));
  });

  it('Black-Litterman: a view held with full confidence becomes that asset’s posterior return (Idzorek, c = 1)', async () => {
    const dir = tmpDir('at-pf-');
    const views = path.join(dir, 'views.json');
    fs.writeFileSync(views, JSON.stringify({ views: [{ asset: 'AAPL', return: 0.25, confidence: 1 }, { long: 'MA', short: 'XOM', return: 0.05, confidence: 0.5 }], risk_aversion: 2.5 }));
    const j = await opt('--method', 'black_litterman', '--views', views, '--only', 'AAPL,MA,XOM,JPM,PFE');
    expect(j.posterior_returns.AAPL).toBeCloseTo(0.25, 8);
    expect(sum(j.weights)).toBeCloseTo(1, 9);
    fs.writeFileSync(views, JSON.stringify({ views: [{ asset: 'AAPL', retrun: 0.25 }] }));
    const bad = await cli(['portfolio', 'optimize', '--prices', PRICES, '--method', 'black_litterman', '--views', views]);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain(views);
  });

  it('equal weights over stored symbols; an unknown method is a usage error listing the methods', async () => {
    const ws = tmpDir('at-pf-');
    expect((await cli(['--workspace', ws, 'data', 'import', path.join(ROOT, 'demo/data/orcl-1995-2014.txt'), path.join(ROOT, 'demo/data/nvda-1999-2014.txt'), '--tz', 'America/New_York'])).code).toBe(0);
    const out = await cli(['--workspace', ws, 'portfolio', 'optimize', '--symbols', 'ORCL,NVDA', '--method', 'equal', '--json']);
    expect(out.code, out.stderr).toBe(0);
    expect(Object.values(out.json().weights)).toEqual([0.5, 0.5]);
    const bad = await cli(['portfolio', 'optimize', '--prices', PRICES, '--method', 'magic']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/unknown method 'magic'[\s\S]*hrp/);
  });
});

describe('portfolio backtest', () => {
  it('rebalances monthly once the lookback exists, with weights summing to 1 each time, charged commission, stored', async () => {
    const ws = tmpDir('at-pfb-');
    const out = await cli(['--workspace', ws, 'portfolio', 'backtest', '--prices', PRICES, '--only', 'AAPL,XOM,PFE,JPM', '--method', 'min_volatility', '--rebalance', 'monthly', '--lookback', '126', '--from', '2010-01-01', '--to', '2012-12-31', '--commission', 'pct:0.001', '--json']);
    expect(out.code, out.stderr).toBe(0);
    const j = out.json();
    const ok = j.rebalances.filter((r: { error?: string }) => !r.error);
    // the first at the 126th bar (in July 2010), then the first bar of every month to December 2012: 29 more
    expect(ok[0].reason).toBe('initial');
    expect(ok[0].time.slice(0, 7)).toBe('2010-07');
    expect(ok.slice(1).every((r: { reason: string }) => r.reason === 'calendar')).toBe(true);
    expect(ok.length).toBe(30);
    for (const r of ok) expect(Object.values(r.weights as Record<string, number>).reduce((a, b) => a + b, 0)).toBeCloseTo(1, 9);
    expect(j.costs.commission).toBeGreaterThan(0);
    expect(j.run.id).toBeGreaterThan(0);
    expect((await cli(['--workspace', ws, 'runs', 'list', '--json'])).json().runs[0].strategy).toBe('rebalance');
  });

  it('a wide price file has no volume: the volume fill model is refused', async () => {
    const out = await cli(['portfolio', 'backtest', '--prices', PRICES, '--fill', 'volume:0.1', '--no-save']);
    expect(out.code).toBe(2);
    expect(out.stderr).toMatch(/no volume/);
  });
});
