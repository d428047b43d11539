/**
 * The truncation test (Freqtrade's lookahead-analysis, built in): a strategy's decisions up to a time t must not
 * change when the bars after t change. Run once on the real bars; then, for several cut points t, replace every bar
 * after t with a seeded random walk from the last close before the cut (so the future is different but plausible),
 * run again, and compare every order placed at or before t (symbol, side, type, quantity, prices, tag) and the equity
 * at every step up to t. The first bar where anything differs is reported with what differed.
 */
import { Rng } from '../src/rng.ts';
import { lowerBound, type BarSeries } from '../src/types.ts';
import type { BacktestResult, OrderLogEntry } from './backtest.ts';
import { runStrategy, type RunOptions } from './run.ts';

export interface LookaheadOptions extends Omit<RunOptions, 'series'> {
  series: BarSeries[];
  /** number of cut points (default 10) */
  cuts?: number;
  seed?: number;
}

export interface LookaheadFailure {
  /** the bar where a decision changed (ISO time) and its index in the run's timeline */
  time: string;
  index: number;
  /** the cut whose changed future caused it */
  cut: string;
  what: 'order' | 'equity';
  detail: string;
}

export interface LookaheadResult {
  strategy: string;
  ok: boolean;
  cuts: { time: string; index: number; ok: boolean }[];
  /** orders placed up to the cuts that were compared (the test is vacuous without any) */
  ordersCompared: number;
  first?: LookaheadFailure;
  error?: string;
}

/** bars after index k replaced by a seeded random walk starting from close[k] */
export function perturbAfter(S: BarSeries, k: number, rng: Rng): BarSeries {
  const n = S.ts.length;
  const out: BarSeries = { ...S, open: S.open.slice(), high: S.high.slice(), low: S.low.slice(), close: S.close.slice(), volume: S.volume.slice() };
  let prev = k >= 0 ? S.close[k] : S.open[0];
  if (!(prev > 0)) prev = 1;
  for (let i = k + 1; i < n; i++) {
    const o = prev * Math.exp(0.01 * rng.normal());
    const c = o * Math.exp(0.03 * rng.normal());
    out.open[i] = o;
    out.close[i] = c;
    out.high[i] = Math.max(o, c) * (1 + 0.01 * Math.abs(rng.normal()));
    out.low[i] = Math.min(o, c) * (1 - 0.01 * Math.abs(rng.normal()));
    out.volume[i] = (S.volume[i] === S.volume[i] ? S.volume[i] : 1e6) * (0.25 + 1.5 * rng.next());
    prev = c;
  }
  return out;
}

const key = (o: OrderLogEntry) => JSON.stringify([o.placedAt, o.symbol, o.side, o.type, o.qty, o.limitPrice ?? null, o.stopPrice ?? null, o.tag ?? null]);

export function checkLookahead(opts: LookaheadOptions): LookaheadResult {
  const name = opts.strategy.name;
  let full: BacktestResult;
  try {
    full = runStrategy({ ...opts, mode: 'event' });
  } catch (e) {
    return { strategy: name, ok: false, cuts: [], ordersCompared: 0, error: `the strategy fails on the real bars: ${(e as Error).message}` };
  }
  const steps = full.ts.length;
  const nCuts = Math.max(1, Math.min(opts.cuts ?? 10, steps - 2));
  const cuts: LookaheadResult['cuts'] = [];
  let first: LookaheadFailure | undefined;
  let compared = 0;
  const fullOrders = full.orders;
  for (let c = 0; c < nCuts; c++) {
    // cut points spread over the middle 10 %–95 % of the timeline (after most warm-ups, before the end)
    const k = Math.floor(steps * (0.1 + (0.85 * (c + 0.5)) / nCuts));
    const t = full.ts[k];
    const rng = new Rng((opts.seed ?? 7) * 1000 + c);
    const series = opts.series.map((S) => {
      let kk = -1;
      for (let i = 0; i < S.ts.length && S.ts[i] <= t; i++) kk = i;
      return perturbAfter(S, kk, rng);
    });
    let bad: BacktestResult;
    try {
      bad = runStrategy({ ...opts, series, mode: 'event' });
    } catch (e) {
      return { strategy: name, ok: false, cuts, ordersCompared: compared, first, error: `the strategy fails when the bars after ${new Date(t).toISOString()} change: ${(e as Error).message}` };
    }
    let failure: LookaheadFailure | undefined;
    // orders placed up to t, in placement order
    const a = fullOrders.filter((o) => o.placedAt <= t);
    const b = bad.orders.filter((o) => o.placedAt <= t);
    compared += a.length;
    const m = Math.max(a.length, b.length);
    for (let j = 0; j < m; j++) {
      if (a[j] && b[j] && key(a[j]) === key(b[j])) continue;
      const at = Math.min(a[j]?.placedAt ?? Infinity, b[j]?.placedAt ?? Infinity);
      const desc = (o?: OrderLogEntry) => (o ? `${o.side} ${o.qty ?? 'sized'} ${o.symbol} ${o.type}${o.limitPrice !== undefined ? ` limit ${o.limitPrice}` : ''}${o.stopPrice !== undefined ? ` stop ${o.stopPrice}` : ''}` : 'no order');
      failure = { time: new Date(at).toISOString(), index: lowerBound(full.ts, at), cut: new Date(t).toISOString(), what: 'order', detail: `with the real future: ${desc(a[j])}; with another future: ${desc(b[j])}` };
      break;
    }
    // equity up to t
    for (let i = 0; i <= k; i++) {
      if (full.equity[i] === bad.equity[i]) continue;
      if (!failure || full.ts[i] < Date.parse(failure.time)) {
        failure = { time: new Date(full.ts[i]).toISOString(), index: i, cut: new Date(t).toISOString(), what: 'equity', detail: `equity ${full.equity[i]} with the real future, ${bad.equity[i]} with another` };
      }
      break;
    }
    cuts.push({ time: new Date(t).toISOString(), index: k, ok: !failure });
    if (failure && (!first || failure.index < first.index)) first = failure;
  }
  return { strategy: name, ok: !first, cuts, ordersCompared: compared, first };
}
