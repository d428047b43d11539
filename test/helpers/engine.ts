/** Small fixtures for engine tests: hand-made bars, a scripted strategy, and null/simple execution models. */
import { runBacktest, type BacktestConfig, type BacktestResult } from '../../engine/backtest.ts';
import { defineStrategy, type Strategy, type StrategyContext } from '../../engine/strategy.ts';
import type { CommissionModel, FillModelSpec, SlippageModel, Sizer } from '../../engine/types.ts';
import { parseTimeframe } from '../../src/timeframe.ts';
import type { BarSeries } from '../../src/types.ts';

export const DAY = 86_400_000;
export const T0 = Date.UTC(2024, 0, 1);

/** rows of [open, high, low, close, volume?], one day apart from 2024-01-01 UTC */
export function bars(rows: number[][], symbol = 'X', t0 = T0, step = DAY): BarSeries {
  const n = rows.length;
  const f = () => new Float64Array(n);
  const s: BarSeries = { symbol, timeframe: parseTimeframe(step >= DAY ? '1d' : '1m'), tz: 'UTC', ts: f(), open: f(), high: f(), low: f(), close: f(), volume: f() };
  rows.forEach((r, i) => {
    s.ts[i] = t0 + i * step;
    s.open[i] = r[0];
    s.high[i] = r[1];
    s.low[i] = r[2];
    s.close[i] = r[3];
    s.volume[i] = r[4] ?? 1e6;
  });
  return s;
}

/** A strategy whose onBar calls `fn(ctx, step)` (step counts onBar calls from 0). */
export function scripted(fn: (ctx: StrategyContext, step: number) => void, universe: Strategy['universe'] = 'single'): Strategy {
  return defineStrategy({
    name: 'scripted',
    description: 'test script',
    universe,
    params: {},
    init() {
      let step = 0;
      return { onBar: (ctx) => fn(ctx, step++) };
    },
  });
}

export const noSlippage: SlippageModel = { spec: 'none', price: (_side, _q, ref) => ref };
export const noCommission: CommissionModel = { spec: 'none', fee: () => 0, rate: () => 0 };
export function pctCommission(r: number): CommissionModel {
  return { spec: `pct:${r}`, fee: (f) => f.qty * f.price * r, rate: () => r };
}
export function fixedSizer(n: number): Sizer {
  return { spec: `fixed:${n}`, qty: () => n };
}
/** all-in from cash at the price incl. the commission rate, never overdrawing */
export const allInSizer: Sizer = {
  spec: 'all_in',
  qty: (x) => {
    const r = x.commission.rate(1, x.price, x.side);
    let q = Math.floor(x.cash / (x.price * (1 + r)));
    while (q > 0 && q * x.price + x.commission.fee({ side: x.side, qty: q, price: x.price, orderFilledBefore: 0, orderFeeBefore: 0, ts: x.ts }) > x.cash) q--;
    return Math.max(0, q);
  },
};
export const FILL: Record<string, FillModelSpec> = {
  next_open: { kind: 'next_open', spec: 'next_open' },
  close: { kind: 'close', spec: 'close' },
  vwap: { kind: 'vwap', spec: 'vwap' },
};

export function run(strategy: Strategy, series: BarSeries | BarSeries[], over: Partial<BacktestConfig> = {}): BacktestResult {
  return runBacktest({
    strategy,
    params: {},
    series: Array.isArray(series) ? series : [series],
    cash: 10_000,
    commission: noCommission,
    slippage: noSlippage,
    fill: FILL.next_open,
    sizer: fixedSizer(100),
    leverage: 1,
    weightSizer: () => allInSizer,
    ...over,
  });
}
