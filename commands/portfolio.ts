/**
 * `portfolio optimize`: weights for a set of assets by mean-variance (max Sharpe, min volatility, efficient return or
 * risk), risk parity, HRP, Black-Litterman, equal weight or inverse volatility, from a wide price file or stored
 * symbols; their expected return, volatility and Sharpe; whole shares for a capital (`--capital`).
 */
import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import type { BlView, OptimizeResult } from '../engine/optimize/methods.ts';
import type { PriceTable } from '../engine/optimize/returns.ts';
import { UsageError } from '../src/errors.ts';
import { readJsonFile } from '../src/json-file.ts';
import { lowerBound } from '../src/types.ts';
import { storeOf } from './data.ts';
import { num, table } from './format.ts';
import { defineCommand, type CommandContext } from './registry.ts';
import { clipRange } from '../data/provider.ts';
import { runSummary, type RunSummary } from '../engine/report.ts';
import { runStrategy } from '../engine/run.ts';
import type { BarSeries } from '../src/types.ts';
import { recordRun, renderRun } from './backtest.ts';

/** The assets' prices: a wide CSV (date, then a column per symbol) or stored symbols' closes on the union of dates. */
export function loadPriceTable(ctx: CommandContext, a: { prices?: string; symbols?: string; timeframe?: string }, read: (file: string) => PriceTable): { table: PriceTable; source: string; ts?: Float64Array } {
  if (!a.prices === !a.symbols) throw new UsageError(a.prices ? 'give --prices or --symbols, not both' : 'give --prices FILE (date, then one column per symbol) or --symbols A,B,…');
  if (a.prices) {
    const file = path.resolve(ctx.cwd, a.prices);
    if (!fs.existsSync(file)) throw new UsageError(`no such file: ${file}`);
    return { table: read(file), source: path.relative(ctx.cwd, file) || file };
  }
  const store = storeOf(ctx);
  const syms = a.symbols!.split(',').map((s) => s.trim()).filter(Boolean);
  const series = syms.map((s) => {
    const info = store.info(s, a.timeframe ?? undefined);
    return store.load(info.symbol, info.timeframe);
  });
  const all = new Set<number>();
  for (const s of series) for (const t of s.ts) all.add(t);
  const ts = Float64Array.from([...all].sort((x, y) => x - y));
  const prices = series.map((s) => {
    const col = new Float64Array(ts.length).fill(NaN);
    for (let i = 0; i < s.ts.length; i++) col[lowerBound(ts, s.ts[i])] = s.close[i];
    return col;
  });
  return { table: { dates: Array.from(ts, (t) => new Date(t).toISOString().slice(0, 10)), symbols: series.map((s) => s.symbol), prices }, source: `${syms.join(',')} (workspace)`, ts };
}

/** A views file: {"views": [{"asset", "return", "confidence"?} | {"long", "short", "return", "confidence"?}], "market_caps"?, "risk_aversion"?, "tau"?}. */
const viewsSchema = () =>
  z
  .object({
    views: z.array(z.object({ asset: z.string().optional(), long: z.string().optional(), short: z.string().optional(), return: z.number(), confidence: z.number().min(0).max(1).optional() }).strict()).default([]),
    market_caps: z.record(z.string(), z.number().positive()).optional(),
    risk_aversion: z.number().positive().optional(),
    tau: z.number().positive().optional(),
  })
  .strict();

/** A sectors file: {"map": {"SYM": "sector"}, "lower": {"sector": 0.1}, "upper": {"sector": 0.4}}. */
const sectorsSchema = () => z.object({ map: z.record(z.string(), z.string()), lower: z.record(z.string(), z.number()).default({}), upper: z.record(z.string(), z.number()).default({}) }).strict();

export interface OptimizeOutput {
  method: string;
  source: string;
  period: { from: string; to: string; rows: number };
  weights: Record<string, number>;
  performance: { expected_return: number; volatility: number; sharpe: number };
  rf: number;
  notes: string[];
  allocation?: { capital: number; shares: Record<string, number>; invested: number; leftover: number; prices: Record<string, number> };
  posterior_returns?: Record<string, number>;
}

export const portfolioOptimize = defineCommand({
  name: 'portfolio optimize',
  summary: 'portfolio weights: max Sharpe, min volatility, efficient return/risk, risk parity, HRP, Black-Litterman, equal, inverse volatility',
  description:
    'Conventions (PyPortfolioOpt): daily simple returns from the prices, 252 periods a year; expected returns = compounded mean historical return (--expected mean_arithmetic: mean × 252, ema, capm); covariance = sample (--covariance ledoit_wolf, exp); rf = 0.02 for max Sharpe and the reported Sharpe; long only (--bounds lo,hi to change).\n' +
    'Methods: max_sharpe, min_volatility, efficient_return:R (the least risk for annual return R), efficient_risk:V (the most return for annual volatility V), risk_parity (equal risk contributions), hrp (hierarchical risk parity: correlation distance, single linkage, recursive bisection), black_litterman (--views FILE), equal, inverse_vol.\n' +
    '--views FILE (JSON): {"views": [{"asset": "AAPL", "return": 0.12, "confidence": 0.6}, {"long": "AAPL", "short": "XOM", "return": 0.03}], "market_caps": {"AAPL": 2.1e12, …}, "risk_aversion": 2.5, "tau": 0.05}. --sectors FILE: {"map": {"AAPL": "tech", …}, "lower": {"tech": 0.1}, "upper": {"tech": 0.4}}.',
  args: () => z.object({
    prices: z.string().optional().describe('wide CSV of prices: date, then one column per symbol (empty cells: missing)'),
    symbols: z.string().optional().describe('stored symbols A,B,… (their closes)'),
    timeframe: z.string().optional().describe('timeframe of stored symbols (default: the finest stored)'),
    method: z.string().default('max_sharpe').describe('max_sharpe | min_volatility | efficient_return:R | efficient_risk:V | risk_parity | hrp | black_litterman | equal | inverse_vol'),
    expected: z.enum(['mean', 'mean_arithmetic', 'ema', 'capm']).default('mean').describe('expected returns estimator'),
    covariance: z.enum(['sample', 'ledoit_wolf', 'exp']).default('sample').describe('covariance estimator'),
    rf: z.number().default(0.02).describe('annual risk-free rate'),
    bounds: z.string().optional().describe('lo,hi weight bounds for every asset (default 0,1)'),
    views: z.string().optional().describe('Black-Litterman views (JSON)'),
    sectors: z.string().optional().describe('sector map and sector weight bounds (JSON)'),
    capital: z.number().positive().optional().describe('also turn the weights into whole shares at the latest prices'),
    only: z.string().optional().describe('use only these columns of --prices: A,B,…'),
  }),
  examples: [
    'alphatrade portfolio optimize --prices ../shared/data/pypfopt/stock_prices.csv --method max_sharpe',
    'alphatrade portfolio optimize --prices prices.csv --method efficient_risk:0.15 --covariance ledoit_wolf --capital 100000 --json',
    'alphatrade portfolio optimize --symbols AAPL,MSFT,XOM --method hrp',
  ],
  async run(ctx, a): Promise<OptimizeOutput> {
    // the optimisers (quadprog, ml-matrix) load with the command, not with the program
    const O = await import('../engine/optimize/index.ts');
    const method = O.parseMethod(a.method);
    let { table: t, source } = loadPriceTable(ctx, a, O.readPricesCsv);
    if (a.only) t = pickColumns(t, a.only, source);
    const returns = O.returnsFromPrices(t.prices);
    const bounds = a.bounds ? parseBounds(a.bounds) : undefined;
    let sectorMapper: string[] | undefined;
    let sectorLower: Record<string, number> | undefined;
    let sectorUpper: Record<string, number> | undefined;
    if (a.sectors) {
      const file = path.resolve(ctx.cwd, a.sectors);
      const sc = readJsonFile(file, sectorsSchema(), '--sectors');
      sectorMapper = t.symbols.map((s) => sc.map[s] ?? sc.map[s.toUpperCase()] ?? '(none)');
      sectorLower = sc.lower;
      sectorUpper = sc.upper;
    }
    const v = a.views ? readJsonFile(path.resolve(ctx.cwd, a.views), viewsSchema(), '--views') : undefined;
    if (v && method.kind !== 'black_litterman') throw new UsageError('--views is for --method black_litterman');
    const res: OptimizeResult = O.optimizePortfolio({
      symbols: t.symbols,
      returns,
      method,
      rf: a.rf,
      expected: a.expected,
      covariance: a.covariance,
      constraints: { bounds, sectorMapper, sectorLower, sectorUpper },
      views: v?.views as BlView[] | undefined,
      marketCaps: v?.market_caps,
      riskAversion: v?.risk_aversion,
      tau: v?.tau,
    });
    const out: OptimizeOutput = {
      method: a.method,
      source,
      period: { from: t.dates[0], to: t.dates[t.dates.length - 1], rows: t.dates.length },
      weights: Object.fromEntries(t.symbols.map((s, i) => [s, clean(res.weights[i])])),
      performance: { expected_return: res.performance.expectedReturn, volatility: res.performance.volatility, sharpe: res.performance.sharpe },
      rf: a.rf,
      notes: res.notes,
    };
    if (res.posterior) out.posterior_returns = Object.fromEntries(t.symbols.map((s, i) => [s, res.posterior![i]]));
    if (a.capital) {
      const latest = O.latestPrices(t.prices);
      const al = O.greedyAllocation(res.weights.map(clean), latest, a.capital);
      out.allocation = { capital: a.capital, shares: Object.fromEntries(t.symbols.map((s, i) => [s, al.shares[i]]).filter(([, q]) => (q as number) > 0)), invested: al.invested, leftover: al.leftover, prices: Object.fromEntries(t.symbols.map((s, i) => [s, latest[i]])) };
    }
    return out;
  },
  render: (r: OptimizeOutput) => {
    const rows = Object.entries(r.weights)
      .filter(([, w]) => w !== 0)
      .sort((x, y) => y[1] - x[1])
      .map(([s, w]) => [s, `${(w * 100).toFixed(2)}%`, ...(r.allocation ? [String(r.allocation.shares[s] ?? 0)] : [])]);
    const out = [`${r.method} · ${Object.keys(r.weights).length} assets from ${r.source} · ${r.period.from} → ${r.period.to}`, ''];
    out.push(table(['symbol', 'weight', ...(r.allocation ? ['shares'] : [])], rows));
    const zero = Object.values(r.weights).filter((w) => w === 0).length;
    if (zero) out.push(`(${zero} asset${zero === 1 ? '' : 's'} at 0%)`);
    out.push('');
    out.push(`expected annual return ${(r.performance.expected_return * 100).toFixed(2)}% · volatility ${(r.performance.volatility * 100).toFixed(2)}% · Sharpe ${num(r.performance.sharpe, 2)} (rf ${(r.rf * 100).toFixed(1)}%)`);
    if (r.allocation) out.push(`${r.allocation.capital.toLocaleString('en-US')} → invested ${num(r.allocation.invested, 2)}, leftover ${num(r.allocation.leftover, 2)} (latest prices)`);
    out.push(...r.notes.map((n) => `note: ${n}`));
    return out.join('\n');
  },
});

/** weights below 1e-10 in magnitude are solver noise: shown and used as 0 */
const clean = (w: number) => (Math.abs(w) < 1e-10 ? 0 : w);

export interface PortfolioBacktestOutput extends RunSummary {
  source: string;
  rebalances: { time: string; reason: string; drift?: number; weights: Record<string, number>; error?: string }[];
  run: { id: number | null };
  report?: string;
}

export const portfolioBacktest = defineCommand({
  name: 'portfolio backtest',
  summary: 'backtest a rebalanced portfolio: an optimiser on a calendar or drift schedule, with costs',
  description:
    'At each rebalance the method (as portfolio optimize) runs on the trailing --lookback bars of returns up to that bar only, and target-weight orders fill at the next bar (next open by default) with the commission and slippage given. Schedules: weekly | monthly | quarterly (the first bar of each period) | threshold:0.05 (any weight drifts more than 5 points from its target) | monthly+threshold:0.05.\n' +
    'Before --lookback bars exist the portfolio holds cash. A wide price file (--prices) has one price per day: open = high = low = close, so fills are at the next day\'s price; volume is unknown (no volume fill or impact slippage).',
  args: () => z.object({
    prices: z.string().optional().describe('wide CSV of prices: date, then one column per symbol'),
    symbols: z.string().optional().describe('stored symbols A,B,…'),
    timeframe: z.string().optional().describe('timeframe of stored symbols (default: the finest stored)'),
    only: z.string().optional().describe('use only these columns of --prices: A,B,…'),
    method: z.string().default('hrp').describe('as portfolio optimize --method'),
    rebalance: z.string().default('monthly').describe('weekly | monthly | quarterly | threshold:X | monthly+threshold:X'),
    lookback: z.number().int().min(2).default(252).describe('bars of history the estimates use'),
    covariance: z.enum(['sample', 'ledoit_wolf']).default('sample').describe('covariance estimator'),
    rf: z.number().default(0.02).describe('annual risk-free rate'),
    bounds: z.string().optional().describe('lo,hi weight bounds for every asset (default 0,1)'),
    cash: z.number().positive().default(100_000).describe('starting cash'),
    commission: z.string().default('none').describe('commission model (backtest --help)'),
    slippage: z.string().default('none').describe('slippage model'),
    fill: z.string().default('next_open').describe('next_open | close | vwap'),
    from: z.string().optional().describe('first date YYYY-MM-DD'),
    to: z.string().optional().describe('last date (inclusive)'),
    curve: z.number().int().positive().optional().describe('include the equity curve in at most N points in --json output'),
    save: z.boolean().default(true).describe('store the run in the run history (--no-save to skip)'),
    report: z.string().optional().describe('write a report: out.html or out.json'),
  }),
  examples: [
    'alphatrade portfolio backtest --prices ../shared/data/pypfopt/stock_prices.csv --method hrp --rebalance monthly --commission pct:0.001',
    'alphatrade portfolio backtest --symbols ORCL,NVDA,YHOO --method min_volatility --rebalance threshold:0.05 --json',
  ],
  async run(ctx, a, progress): Promise<PortfolioBacktestOutput> {
    const O = await import('../engine/optimize/index.ts');
    const { rebalanceStrategy, seriesFromWidePrices } = await import('../engine/rebalance.ts');
    const { table: t0, source } = loadPriceTable(ctx, a, O.readPricesCsv);
    let t = t0;
    if (a.only) t = pickColumns(t, a.only, source);
    let series: BarSeries[];
    let adjusted: (boolean | null)[];
    if (a.prices) {
      series = seriesFromWidePrices(t);
      adjusted = series.map(() => null);
      if (/^volume/.test(a.fill) || /^impact/.test(a.slippage)) throw new UsageError('a wide price file has no volume: use --fill next_open|close|vwap and a slippage model without impact');
    } else {
      const store = storeOf(ctx);
      const infos = t.symbols.map((s) => store.info(s, a.timeframe ?? undefined));
      series = infos.map((i) => store.load(i.symbol, i.timeframe));
      adjusted = infos.map((i) => i.adjusted);
    }
    if (a.from || a.to) {
      const from = a.from ? Date.parse(`${a.from}T00:00:00Z`) : undefined;
      const to = a.to ? Date.parse(`${a.to}T00:00:00Z`) + 86_400_000 : undefined;
      if ((a.from && !Number.isFinite(from)) || (a.to && !Number.isFinite(to))) throw new UsageError('--from and --to take YYYY-MM-DD');
      series = series.map((s) => clipRange(s, { from, to })).filter((s) => s.ts.length > 0);
      if (series.length < 2) throw new UsageError('fewer than two symbols have bars in that range');
    }
    let bounds: [number, number] | undefined;
    if (a.bounds) bounds = parseBounds(a.bounds);
    const strategy = rebalanceStrategy({ method: a.method, rebalance: a.rebalance, lookback: a.lookback, covariance: a.covariance, rf: a.rf, bounds, tz: series[0].tz });
    const t1 = performance.now();
    const r = runStrategy({ strategy, series, cash: a.cash, commission: a.commission, slippage: a.slippage, fill: a.fill, signal: ctx.signal, progress: (done, total) => progress({ job: 'portfolio backtest', phase: 'bars', done, total }) });
    const summary = runSummary(r, { curvePoints: a.curve, elapsedMs: performance.now() - t1 });
    const h = strategy.history;
    const rebalances = h.records.map((x) => ({ time: x.time, reason: x.reason, ...(x.drift !== undefined ? { drift: x.drift } : {}), weights: Object.fromEntries(h.symbols.map((s, i) => [s, x.weights[i]]).filter(([, w]) => (w as number) !== 0)), ...(x.error ? { error: x.error } : {}) }));
    const config = { ...r.config, mode: 'event', strategy: 'rebalance', params: r.params, method: a.method, rebalance: a.rebalance, lookback: a.lookback, from: a.from ?? null, to: a.to ?? null, source };
    const rec = recordRun(ctx, { kind: 'backtest', save: a.save, report: a.report, summary, config, ts: r.ts, equity: r.equity, series, source, adjusted });
    return { ...summary, source, rebalances, run: { id: rec.id }, ...(rec.report ? { report: rec.report } : {}) };
  },
  render: (r: PortfolioBacktestOutput) => {
    const ok = r.rebalances.filter((x) => !x.error);
    const last = ok[ok.length - 1];
    const failed = r.rebalances.length - ok.length;
    return [
      renderRun(r, 0),
      '',
      `${ok.length} rebalances (${countReasons(ok)})${failed ? `, ${failed} failed (holdings kept; first: ${r.rebalances.find((x) => x.error)!.error})` : ''}`,
      last ? `last, ${last.time}: ${Object.entries(last.weights).sort((x, y) => y[1] - x[1]).map(([s, w]) => `${s} ${(w * 100).toFixed(1)}%`).join(', ')}` : 'no rebalance (fewer bars than --lookback?)',
      r.run.id !== null ? `stored as run ${r.run.id}` : '',
    ].filter((x) => x !== '').join('\n');
  },
});

function countReasons(xs: { reason: string }[]): string {
  const m = new Map<string, number>();
  for (const x of xs) m.set(x.reason, (m.get(x.reason) ?? 0) + 1);
  return [...m].map(([k, v]) => `${v} ${k}`).join(', ');
}

function parseBounds(spec: string): [number, number] {
  const b = spec.split(',').map(Number);
  if (b.length !== 2 || !b.every(Number.isFinite) || b[0] > b[1]) throw new UsageError(`--bounds takes lo,hi, got '${spec}'`);
  return [b[0], b[1]];
}

function pickColumns(t: PriceTable, only: string, source: string): PriceTable {
  const want = only.split(',').map((s) => s.trim().toUpperCase());
  const idx = want.map((w) => {
    const i = t.symbols.findIndex((s) => s.toUpperCase() === w);
    if (i < 0) throw new UsageError(`${w} is not a column of ${source}`, `columns: ${t.symbols.join(', ')}`);
    return i;
  });
  return { dates: t.dates, symbols: idx.map((i) => t.symbols[i]), prices: idx.map((i) => t.prices[i]) };
}

export const PORTFOLIO_COMMANDS = [portfolioOptimize, portfolioBacktest];
