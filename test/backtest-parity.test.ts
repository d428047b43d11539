/**
 * Event form vs vectorized form of every built-in strategy that has one: on real daily and hourly data, long-only
 * and with shorts, an all-in sizer and a percent commission, with the next_open, close and vwap fill models, both
 * engines must give the same trades (every field) and the same equity at every bar. Each case also asserts a minimum
 * number of trades, so a strategy that never trades cannot pass vacuously.
 */
import { describe, expect, it } from 'vitest';
import { loadFile } from '../data/loader.ts';
import { runBacktest } from '../engine/backtest.ts';
import { buildConfig } from '../engine/run.ts';
import { BUILTIN_STRATEGIES } from '../engine/strategies/index.ts';
import { runVectorized } from '../engine/vectorized.ts';
import type { BarSeries } from '../src/types.ts';

const load = (file: string, symbol: string, tz: string): BarSeries => loadFile(file, { tz, symbol }).series[0].bars;
const DATA: [string, BarSeries][] = [
  ['ORCL daily', load('demo/data/orcl-1995-2014.txt', 'ORCL', 'America/New_York')],
  ['NVDA daily', load('demo/data/nvda-1999-2014.txt', 'NVDA', 'America/New_York')],
  ['EURUSD hourly', load('demo/data/EURUSD.csv', 'EURUSD', 'UTC')],
];

/** fewest trades a case must produce (long-only, with shorts): sized for the slowest strategies on 4–5k bars */
const MIN_TRADES: Record<string, [number, number]> = {
  sma_cross: [20, 40],
  ema_cross: [20, 40],
  macd: [40, 80],
  breakout: [15, 30],
  trend_following: [5, 10],
  ts_momentum: [3, 6],
  mean_reversion: [15, 30],
  rsi_reversion: [5, 5],
};

const VECTORIZED = BUILTIN_STRATEGIES.filter((s) => s.vectorized);

describe('event and vectorized forms agree', () => {
  it('every single-symbol built-in has a vectorized form, and the others do not', () => {
    for (const s of BUILTIN_STRATEGIES) expect(!!s.vectorized, s.name).toBe(s.universe === 'single');
    expect(VECTORIZED.map((s) => s.name).sort()).toEqual(Object.keys(MIN_TRADES).sort());
  });

  for (const strategy of VECTORIZED) {
    describe(strategy.name, () => {
      for (const [label, S] of DATA) {
        for (const short of [false, true]) {
          for (const fill of ['next_open', 'close', 'vwap']) {
            it(`${label}, short=${short}, fill ${fill}`, () => {
              const cfg = buildConfig({ strategy, params: { short }, series: [S], cash: 100_000, commission: 'pct:0.001', sizer: 'all_in', fill });
              const ev = runBacktest(cfg);
              const vec = runVectorized(cfg);
              expect(ev.trades.length).toBeGreaterThanOrEqual(MIN_TRADES[strategy.name][short ? 1 : 0]);
              if (short) expect(ev.trades.some((t) => t.side === 'short')).toBe(true);
              else expect(ev.trades.every((t) => t.side === 'long')).toBe(true);
              expect(vec.trades).toEqual(ev.trades);
              expect(vec.fills.length).toBe(ev.fills.length);
              expect(vec.equity.length).toBe(ev.equity.length);
              let worst = 0;
              for (let i = 0; i < ev.equity.length; i++) {
                const d = Math.abs(vec.equity[i] - ev.equity[i]) / Math.max(1, Math.abs(ev.equity[i]));
                if (d > worst) worst = d;
              }
              expect(worst).toBeLessThanOrEqual(1e-9);
              expect(vec.finalEquity).toBeCloseTo(ev.finalEquity, 6);
              expect(vec.flags).toEqual(ev.flags);
            });
          }
        }
      }
    });
  }

  // non-default parameters (shorter windows, other thresholds), so the rules are held to parity away from the defaults
  const OTHER: Record<string, Record<string, number | boolean>> = {
    sma_cross: { fast: 5, slow: 20 },
    ema_cross: { fast: 5, slow: 20 },
    macd: { fast: 5, slow: 35, signal: 5 },
    breakout: { entry: 55, exit: 20 },
    trend_following: { fast: 10, slow: 30, adx_min: 20, atr_mult: 2 },
    ts_momentum: { lookback: 63, rebalance: 5 },
    mean_reversion: { n: 10, entry: 1.5, exit: 0 },
    rsi_reversion: { period: 5, lower: 20, upper: 80, exit: 55 },
  };
  for (const strategy of VECTORIZED) {
    for (const short of [false, true]) {
      it(`${strategy.name} with ${JSON.stringify(OTHER[strategy.name])}, short=${short}`, () => {
        const S = DATA[0][1];
        const cfg = buildConfig({ strategy, params: { ...OTHER[strategy.name], short }, series: [S], commission: 'pct:0.0005', sizer: 'all_in', fill: 'next_open' });
        const ev = runBacktest(cfg);
        const vec = runVectorized(cfg);
        expect(ev.trades.length).toBeGreaterThanOrEqual(10);
        expect(vec.trades).toEqual(ev.trades);
        for (let i = 0; i < ev.equity.length; i++) expect(Math.abs(vec.equity[i] - ev.equity[i])).toBeLessThanOrEqual(1e-9 * Math.abs(ev.equity[i]));
      });
    }
  }
});

describe('vectorized cash and gross columns', () => {
  it('equal the event engine’s at every bar (cash exactly, gross to 1e-9 relative)', async () => {
    const { loadFile } = await import('../data/loader.ts');
    const { runStrategy } = await import('../engine/run.ts');
    const { requireBuiltin } = await import('../engine/strategies/index.ts');
    const S = loadFile('demo/data/orcl-1995-2014.txt', { tz: 'America/New_York', symbol: 'ORCL' }).series[0].bars;
    for (const short of [false, true]) {
      const o = { strategy: requireBuiltin('sma_cross'), series: [S], commission: 'pct:0.001', params: { short } };
      const a = runStrategy(o);
      const b = runStrategy({ ...o, mode: 'vectorized' });
      expect(Array.from(b.cash)).toEqual(Array.from(a.cash));
      for (let i = 0; i < a.gross.length; i++) expect(Math.abs(b.gross[i] - a.gross[i])).toBeLessThanOrEqual(1e-9 * Math.max(1, a.gross[i]));
      expect(Math.max(...a.gross)).toBeGreaterThan(0);
    }
  });
});

describe('warm-up bars (tradeFrom): trading starts flat at a given bar', () => {
  // the walk-forward test windows run this way: earlier bars only warm the indicators up
  const S = DATA[0][1];
  const from = S.ts[2500];
  for (const strategy of VECTORIZED) {
    for (const short of [false, true]) {
      it(`${strategy.name}, short=${short}: both engines agree, flat before the start, fills on the full run's decision bars`, () => {
        const cfg = buildConfig({ strategy, params: { short }, series: [S], commission: 'pct:0.001', sizer: 'all_in', fill: 'next_open', tradeFrom: from });
        const ev = runBacktest(cfg);
        const vec = runVectorized(cfg);
        expect(vec.trades).toEqual(ev.trades);
        for (let i = 0; i < ev.equity.length; i++) expect(Math.abs(vec.equity[i] - ev.equity[i])).toBeLessThanOrEqual(1e-9 * Math.abs(ev.equity[i]));
        // flat (equity = cash) through the warm-up, and the first fill is on a bar after the start's decision
        for (let i = 0; i <= 2500; i++) expect(ev.equity[i]).toBe(100_000);
        expect(ev.fills.length).toBeGreaterThan(0);
        expect(ev.fills[0].ts).toBeGreaterThan(from);
        // the same decisions as the unrestricted run: every fill of the restricted run falls on a bar where the full run
        // also traded (unless the full run went bust: short all-in sizing can, and then it stops trading)
        const full = runBacktest(buildConfig({ strategy, params: { short }, series: [S], commission: 'pct:0.001', sizer: 'all_in', fill: 'next_open' }));
        if (full.warnings.some((w) => w.startsWith('equity fell'))) return;
        const fullTimes = new Set(full.fills.map((f) => f.ts));
        for (const f of ev.fills) expect(fullTimes.has(f.ts)).toBe(true);
      });
    }
  }
});
