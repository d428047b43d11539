/**
 * Walk-forward analysis (Pardo): the bars are cut into windows of `train` in-sample bars followed by `test`
 * out-of-sample bars; the test windows tile the data after the first training period (rolling: the training window
 * slides with them; anchored: it always starts at the first bar and grows). In each window the parameter grid is
 * swept on the training bars and the best combination by the objective is then traded on the test bars.
 *
 * Test windows are traded as the real thing would be: each starts flat with the strategy and its indicators warmed up
 * on the window's training bars (orders are accepted only from the first test bar: `tradeFrom`), and each starts with
 * the previous window's final equity, so the out-of-sample equity is one stitched curve and trade sizes follow it. A
 * position still open at the end of a test window is marked at that window's last close (as a backtest's open
 * trades are) and the next window starts flat.
 *
 * Walk-forward efficiency = annualised out-of-sample return / annualised in-sample return of the chosen
 * combinations (Pardo, "The Evaluation and Optimization of Trading Strategies", ch. 11): per window, and overall as
 * the stitched curve's CAGR over the mean of the windows' in-sample CAGRs. Null when the in-sample figure is ≤ 0
 * (the ratio then means nothing).
 */
import { UsageError } from '../src/errors.ts';
import type { BarSeries } from '../src/types.ts';
import { lowerBound } from '../src/types.ts';
import { mergeTimes, type BacktestResult } from './backtest.ts';
import { computeMetrics, periodsPerYear } from './metrics.ts';
import type { TradeRecord } from './portfolio.ts';
import { runStrategy } from './run.ts';
import type { Strategy } from './strategy.ts';
import { comboAt, type ComboResult, type ParamGrid } from './sweep.ts';
import { viewBars, type ComboOptions, type ComboRunner } from './sweep-pool.ts';

export interface WfWindowSpec {
  /** indices on the run's timeline, end exclusive */
  trainStart: number;
  trainEnd: number;
  testStart: number;
  testEnd: number;
}

/** The windows over `n` bars: test windows tile [train, n); the last one may be shorter (never empty). */
export function walkForwardWindows(n: number, train: number, test: number, anchored: boolean): WfWindowSpec[] {
  if (!(train >= 2 && Number.isInteger(train))) throw new UsageError(`--train must be a whole number of bars ≥ 2, got ${train}`);
  if (!(test >= 1 && Number.isInteger(test))) throw new UsageError(`--test must be a whole number of bars ≥ 1, got ${test}`);
  if (n < train + 1) throw new UsageError(`walk-forward needs more than --train ${train} bars; the data has ${n}`);
  const out: WfWindowSpec[] = [];
  for (let testStart = train; testStart < n; testStart += test) {
    out.push({ trainStart: anchored ? 0 : testStart - train, trainEnd: testStart, testStart, testEnd: Math.min(n, testStart + test) });
  }
  return out;
}

export interface WfWindow {
  index: number;
  train: { from: string; to: string; bars: number };
  test: { from: string; to: string; bars: number };
  /** the combination chosen in-sample (null when every combination failed) */
  params: Record<string, number | boolean | string> | null;
  /** the chosen combination's in-sample metrics (the sweep's set) */
  in_sample: Record<string, number | null>;
  /** the test window's metrics */
  out_of_sample: { total_return: number | null; cagr: number | null; sharpe: number | null; max_drawdown: number | null; num_trades: number; objective: number | null };
  efficiency: number | null;
  /** combinations that failed in-sample */
  errors: number;
}

export interface WalkForwardResult {
  strategy: Strategy;
  objective: string;
  anchored: boolean;
  train: number;
  test: number;
  combinations: number;
  windows: WfWindow[];
  /** the stitched out-of-sample run: timeline (from the bar before the first test bar, at the starting cash), equity,
   * trades and costs of every test window */
  ts: Float64Array;
  equity: Float64Array;
  gross: Float64Array;
  trades: TradeRecord[];
  commission: number;
  slippage: number;
  warnings: string[];
  efficiency: number | null;
  /** the last test window's result (its config is the run's) */
  last: BacktestResult | null;
  periods: number;
}

const iso = (t: number) => new Date(t).toISOString();
const fin = (x: number | undefined): number | null => (x !== undefined && Number.isFinite(x) ? x : null);

/** larger is better for every objective (drawdowns are negative fractions) */
export function pickBest(results: ComboResult[], objective: string): ComboResult | null {
  let best: ComboResult | null = null;
  let bs = -Infinity;
  for (const r of results) {
    if (r.error) continue;
    const v = r.metrics[objective];
    if (v === null || v === undefined || !(v > bs)) continue;
    bs = v;
    best = r;
  }
  return best;
}

export async function walkForward(o: {
  strategy: Strategy;
  series: BarSeries[];
  grid: ParamGrid;
  indices: number[];
  train: number;
  test: number;
  anchored: boolean;
  objective: string;
  options: ComboOptions & { cash: number };
  runner: ComboRunner;
  progress?: (done: number, total: number) => void;
  signal?: AbortSignal;
}): Promise<WalkForwardResult> {
  const times = mergeTimes(o.series);
  const specs = walkForwardWindows(times.length, o.train, o.test, o.anchored);
  const periods = o.options.periods ?? periodsPerYear(times);
  const options = { ...o.options, periods };
  // each series' bars in [t0, t1) as views (a window of the merged timeline)
  const slice = (from: number, to: number) =>
    o.series.map((s) => viewBars(s, lowerBound(s.ts, times[from]), to < times.length ? lowerBound(s.ts, times[to]) : s.ts.length));
  const total = specs.length * o.indices.length;
  let done = 0;
  // in-sample sweeps of every window at once: the pool interleaves their chunks
  const insample = await Promise.all(
    specs.map((w) =>
      o.runner.run(slice(w.trainStart, w.trainEnd), options, o.grid, o.indices, (k) => {
        done += k;
        o.progress?.(done, total);
      }),
    ),
  );
  // the stitched curve starts with the starting cash at the close of the bar before the first test bar
  const nOut = times.length - specs[0].testStart;
  const ts = times.slice(specs[0].testStart - 1);
  const equity = new Float64Array(nOut + 1);
  const gross = new Float64Array(nOut + 1);
  equity[0] = o.options.cash;
  const trades: TradeRecord[] = [];
  const warnings: string[] = [];
  const windows: WfWindow[] = [];
  let cash = o.options.cash;
  let commission = 0;
  let slippage = 0;
  let last: BacktestResult | null = null;
  let pos = 1;
  for (let k = 0; k < specs.length; k++) {
    if (o.signal?.aborted) throw new Error('walk-forward canceled');
    const w = specs[k];
    const res = insample[k];
    const best = pickBest(res, o.objective);
    const nTest = w.testEnd - w.testStart;
    const startCash = cash;
    let oos: WfWindow['out_of_sample'] = { total_return: null, cagr: null, sharpe: null, max_drawdown: null, num_trades: 0, objective: null };
    if (best) {
      const r = runStrategy({ ...options, strategy: o.strategy, params: best.params, series: slice(w.trainStart, w.testEnd), cash: startCash, tradeFrom: times[w.testStart], signal: o.signal });
      const off = r.ts.length - nTest;
      equity.set(r.equity.subarray(off), pos);
      gross.set(r.gross.subarray(off), pos);
      cash = r.equity[r.equity.length - 1];
      commission += r.commission;
      slippage += r.slippage;
      const wt = r.trades;
      for (const t of wt) trades.push(t);
      for (const x of r.warnings) warnings.push(`window ${k + 1}: ${x}`);
      last = r;
      // the window's own curve: its starting equity, then its test bars
      const eq = new Float64Array(nTest + 1);
      eq[0] = startCash;
      eq.set(r.equity.subarray(off), 1);
      const wts = new Float64Array(nTest + 1);
      wts[0] = times[w.testStart - 1];
      wts.set(times.subarray(w.testStart, w.testEnd), 1);
      const m = computeMetrics({ equity: eq, ts: wts, periods, trades: wt });
      const mm = m as unknown as Record<string, number>;
      oos = { total_return: fin(m.total_return), cagr: fin(m.cagr), sharpe: fin(m.sharpe), max_drawdown: fin(m.max_drawdown), num_trades: wt.length, objective: fin(mm[o.objective]) };
    } else {
      equity.fill(cash, pos, pos + nTest);
      warnings.push(`window ${k + 1}: every combination failed in-sample; flat out of sample`);
    }
    pos += nTest;
    const isCagr = best?.metrics.cagr ?? null;
    windows.push({
      index: k + 1,
      train: { from: iso(times[w.trainStart]), to: iso(times[w.trainEnd - 1]), bars: w.trainEnd - w.trainStart },
      test: { from: iso(times[w.testStart]), to: iso(times[w.testEnd - 1]), bars: nTest },
      params: best ? comboAt(o.grid, best.index) : null,
      in_sample: best ? best.metrics : {},
      out_of_sample: oos,
      efficiency: isCagr !== null && isCagr > 0 && oos.cagr !== null ? oos.cagr / isCagr : null,
      errors: res.filter((r) => r.error).length,
    });
  }
  const isCagrs = windows.map((w) => w.in_sample.cagr).filter((x): x is number => x !== null && x !== undefined);
  const meanIs = isCagrs.length ? isCagrs.reduce((a, b) => a + b, 0) / isCagrs.length : NaN;
  // CAGR as engine/metrics.ts computes it: (final / start)^(P / number of returns) − 1
  const oosCagr = (equity[nOut] / o.options.cash) ** (periods / nOut) - 1;
  return {
    strategy: o.strategy,
    objective: o.objective,
    anchored: o.anchored,
    train: o.train,
    test: o.test,
    combinations: o.indices.length,
    windows,
    ts,
    equity,
    gross,
    trades,
    commission,
    slippage,
    warnings,
    efficiency: meanIs > 0 && Number.isFinite(oosCagr) ? oosCagr / meanIs : null,
    last,
    periods,
  };
}

/** The stitched out-of-sample run as a backtest result (for the summary, the metrics, reports and run history). */
export function walkForwardAsResult(wf: WalkForwardResult, cash: number): BacktestResult {
  const closed = wf.trades.filter((t) => !t.open);
  const config = wf.last?.config ?? { commission: '', slippage: '', fill: '', sizer: '', leverage: 1, cash };
  return {
    mode: wf.last?.mode ?? 'event',
    strategy: wf.strategy.name,
    params: {},
    symbols: wf.last?.symbols ?? [],
    ts: wf.ts,
    equity: wf.equity,
    get cash(): Float64Array {
      throw new Error('a walk-forward keeps no cash column');
    },
    gross: wf.gross,
    initialCash: cash,
    finalEquity: wf.equity[wf.equity.length - 1],
    trades: wf.trades,
    fills: [],
    orders: [],
    rejections: [],
    commission: wf.commission,
    slippage: wf.slippage,
    flags: [...new Set(wf.windows.length && wf.last ? wf.last.flags : [])],
    logs: [],
    warnings: wf.warnings,
    config: { ...config, cash },
    closedStats: () => {
      let wins = 0;
      let grossWin = 0;
      let grossLoss = 0;
      for (const t of closed) {
        const net = t.pnl - t.commission;
        if (net > 0) {
          wins++;
          grossWin += net;
        } else grossLoss -= net;
      }
      return { n: closed.length, wins, grossWin, grossLoss };
    },
  };
}
