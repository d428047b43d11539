/**
 * A backtest result as plain data for the CLI's JSON, the console and reports: times in ISO 8601, non-finite
 * numbers as null, metrics from engine/metrics.ts (one module used everywhere).
 */
import type { BacktestResult } from './backtest.ts';
import { computeMetrics } from './metrics.ts';
import type { WfWindow } from './walkforward.ts';

export interface TradeJson {
  symbol: string;
  side: 'long' | 'short';
  qty: number;
  entry_time: string;
  entry_price: number;
  /** null while the trade is open at the end of the data */
  exit_time: string | null;
  exit_price: number | null;
  /** gross price P&L (unrealized for an open trade) */
  pnl: number;
  commission: number;
  /** pnl − commission */
  pnl_net: number;
  bars: number;
  open: boolean;
  tag?: string;
}

export interface RunSummary {
  strategy: string;
  params: Record<string, number | boolean | string>;
  mode: 'event' | 'vectorized';
  symbols: string[];
  period: { from: string | null; to: string | null; bars: number };
  initial_cash: number;
  final_equity: number;
  metrics: Record<string, number | null>;
  trades: TradeJson[];
  open_trades: number;
  costs: { commission: number; slippage: number };
  flags: string[];
  warnings: string[];
  rejections: { count: number; first: RejectionJson[]; /** the last 20 (runs with --risk) */ last?: RejectionJson[]; by_rule?: Record<string, number> };
  /** the risk manager's account (runs with --risk): limits (value at the end, peak), breakers and their trips, exposure */
  risk?: {
    limits: { rule: string; limit: number; value: number; peak: number; where?: string }[];
    breakers: { name: string; limit: number | null; value: number; tripped: boolean; trips: { time: string; value: number }[] }[];
    exposure: { bySymbol: { symbol: string; value: number; pct: number }[]; bySector: { sector: string; value: number; pct: number }[] };
  };
  config: BacktestResult['config'];
  elapsed_ms: number;
  equity?: { time: string[]; equity: number[] };
  /** the equity curve in at most N points for charts (`--curve N`): see `equityCurvePoints` */
  curve?: CurvePoints;
  /** a sweep's results (the run itself is the best combination's backtest) */
  sweep?: SweepSection;
  /** a walk-forward's windows (the run itself is the stitched out-of-sample curve) */
  walkforward?: WalkForwardSection;
}

export interface RejectionJson {
  time: string;
  symbol: string;
  reason: string;
  detail: string;
  rule?: string;
  limit?: number;
  value?: number;
}

export interface SweepSection {
  objective: string;
  combinations: number;
  grid: { name: string; values: (number | boolean | string)[] }[];
  /** every combination in grid order: its grid index, parameters and the sweep's metrics */
  results: { index: number; params: Record<string, number | boolean | string>; metrics: Record<string, number | null>; error?: string }[];
  /** grid index of the best combination by the objective */
  best_index: number | null;
  deflated_sharpe: { sharpe_per_period: number; sr0: number; dsr: number; trials: number } | null;
  pbo: { pbo: number; splits: number; blocks: number } | null;
  errors: number;
}

export interface WalkForwardSection {
  objective: string;
  train: number;
  test: number;
  anchored: boolean;
  combinations: number;
  grid: { name: string; values: (number | boolean | string)[] }[];
  windows: WfWindow[];
  /** annualised out-of-sample return / mean annualised in-sample return of the chosen combinations */
  efficiency: number | null;
}

export interface CurvePoints {
  /** time of each point (the last step of its bucket) */
  time: string[];
  /** equity at the last step of each bucket */
  equity: number[];
  /** the lowest drawdown from the running peak within each bucket (a fraction ≤ 0) */
  drawdown: number[];
}

/**
 * An equity curve for a chart `points` wide: the steps cut into ≤ `points` equal buckets, each drawn by its last
 * equity and by its deepest drawdown (so a drawdown inside a bucket is not lost to the sampling).
 */
export function equityCurvePoints(ts: ArrayLike<number>, equity: ArrayLike<number>, points: number): CurvePoints {
  const n = equity.length;
  const m = Math.min(n, Math.max(1, Math.floor(points)));
  const out: CurvePoints = { time: [], equity: [], drawdown: [] };
  let peak = -Infinity;
  let k = 0;
  for (let b = 0; b < m; b++) {
    const end = Math.floor(((b + 1) * n) / m) - 1;
    let dd = 0;
    for (; k <= end; k++) {
      const e = equity[k];
      if (e > peak) peak = e;
      const d = peak > 0 ? e / peak - 1 : 0;
      if (d < dd) dd = d;
    }
    out.time.push(iso(ts[end]));
    out.equity.push(equity[end]);
    out.drawdown.push(dd);
  }
  return out;
}

export const iso = (t: number): string => new Date(t).toISOString();

function rejectionJson(x: BacktestResult['rejections'][number]): RejectionJson {
  return { time: iso(x.ts), symbol: x.symbol, reason: x.reason, detail: x.detail, ...(x.rule ? { rule: x.rule, limit: x.limit, value: x.value } : {}) };
}

function countBy(xs: string[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const x of xs) out[x] = (out[x] ?? 0) + 1;
  return out;
}
const fin = (x: number): number | null => (Number.isFinite(x) ? x : null);

export function tradesJson(r: BacktestResult): TradeJson[] {
  return r.trades.map((t) => {
    const j: TradeJson = {
      symbol: t.symbol,
      side: t.side,
      qty: t.qty,
      entry_time: iso(t.entryTime),
      entry_price: t.entryPrice,
      exit_time: t.open ? null : iso(t.exitTime),
      exit_price: t.open ? null : t.exitPrice,
      pnl: t.pnl,
      commission: t.commission,
      pnl_net: t.pnl - t.commission,
      bars: t.bars,
      open: t.open,
    };
    if (t.tag !== undefined) j.tag = t.tag;
    return j;
  });
}

export function runSummary(r: BacktestResult, opts: { equityCurve?: boolean; curvePoints?: number; elapsedMs?: number; periods?: number } = {}): RunSummary {
  const n = r.ts.length;
  const m = computeMetrics({
    equity: r.equity,
    ts: r.ts,
    periods: opts.periods,
    trades: r.trades,
    gross: r.gross,
    commission: r.commission,
    slippage: r.slippage,
  });
  const metrics: Record<string, number | null> = {};
  for (const [k, v] of Object.entries(m)) if (typeof v === 'number') metrics[k] = fin(v);
  const out: RunSummary = {
    strategy: r.strategy,
    params: r.params,
    mode: r.mode,
    symbols: r.symbols,
    period: { from: n ? iso(r.ts[0]) : null, to: n ? iso(r.ts[n - 1]) : null, bars: n },
    initial_cash: r.initialCash,
    final_equity: r.finalEquity,
    metrics,
    trades: tradesJson(r),
    open_trades: r.trades.filter((t) => t.open).length,
    costs: { commission: r.commission, slippage: r.slippage },
    flags: r.flags,
    warnings: r.warnings,
    rejections: {
      count: r.rejections.length,
      first: r.rejections.slice(0, 20).map(rejectionJson),
      ...(r.risk ? { last: r.rejections.slice(-20).map(rejectionJson), by_rule: countBy(r.rejections.filter((x) => x.rule).map((x) => x.rule!)) } : {}),
    },
    ...(r.risk
      ? {
          risk: {
            limits: r.risk.limits,
            breakers: r.risk.breakers.map((b) => ({ ...b, trips: b.trips.map((t) => ({ time: iso(t.ts), value: t.value })) })),
            exposure: r.risk.exposure,
          },
        }
      : {}),
    config: r.config,
    elapsed_ms: Math.round((opts.elapsedMs ?? 0) * 10) / 10,
  };
  if (opts.equityCurve) out.equity = { time: Array.from(r.ts, iso), equity: Array.from(r.equity) };
  if (opts.curvePoints) out.curve = equityCurvePoints(r.ts, r.equity, opts.curvePoints);
  return out;
}
