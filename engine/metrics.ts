/**
 * Performance metrics, one module used everywhere (backtest JSON, the Backtest pane, reports, `alphatrade metrics`).
 *
 * Conventions follow empyrical (Quantopian) and PerformanceAnalytics:
 * - returns are simple period returns r_t = E_t / E_{t−1} − 1 of the equity curve;
 * - annualisation factor `periods` (252 for daily equities; scaled by bars per day for intraday; 365 for 24/7
 *   markets; or given);
 * - standard deviations are sample (ddof = 1), as empyrical's `annual_volatility` (np.nanstd(ddof=1));
 * - drawdowns on compounded equity; max_drawdown is reported as a NEGATIVE fraction (−0.25 = 25 % below the peak),
 *   like empyrical;
 * - VaR and CVaR (historical, 95 %) are the 5th-percentile period return and the mean of returns at or below it,
 *   reported as they are (negative numbers = losses), like empyrical's value_at_risk / conditional_value_at_risk.
 * Non-finite results are NaN here and null in JSON.
 */
import { DAY_MS } from '../src/timeframe.ts';
import type { TradeRecord } from './portfolio.ts';

export interface MetricsInput {
  /** equity at each step (or give `returns`) */
  equity?: Float64Array;
  /** simple period returns (returns[0] is the first period's return) */
  returns?: Float64Array;
  /** step times (bar start, epoch ms), aligned with equity (or with returns) */
  ts?: Float64Array;
  /** periods per year; default from the step spacing (see periodsPerYear) */
  periods?: number;
  /** annual risk-free rate (default 0) */
  rf?: number;
  /** benchmark simple returns aligned with the returns */
  benchmark?: Float64Array;
  trades?: readonly TradeRecord[];
  /** gross exposure per step (for exposure time and turnover) */
  gross?: Float64Array;
  commission?: number;
  slippage?: number;
}

/**
 * Periods per year from bar spacing: daily bars 252 (equities) or 365 when weekends trade (24/7: crypto, some FX
 * files); intraday bars 252 × (median bars per trading day) or 365 × … for 24/7; weekly 52; monthly 12.
 */
export function periodsPerYear(ts: Float64Array | undefined): number {
  if (!ts || ts.length < 3) return 252;
  const n = ts.length;
  const gaps: number[] = [];
  const step = Math.max(1, Math.floor(n / 2000));
  for (let i = step; i < n; i += step) gaps.push(ts[i] - ts[i - step]);
  gaps.sort((a, b) => a - b);
  const g = gaps[gaps.length >> 1] / step;
  // any bar on a Saturday or Sunday (UTC) means a 24/7 market
  let weekend = false;
  for (let i = 0; i < n && !weekend; i += Math.max(1, Math.floor(n / 500))) {
    const d = new Date(ts[i]).getUTCDay();
    if (d === 0 || d === 6) weekend = true;
  }
  const days = weekend ? 365 : 252;
  if (g >= 25 * DAY_MS) return 12;
  if (g >= 5 * DAY_MS) return 52;
  if (g >= 0.9 * DAY_MS) return days;
  // intraday: bars per trading day = median count of bars per UTC day
  const perDay = new Map<number, number>();
  for (let i = 0; i < n; i++) {
    const d = Math.floor(ts[i] / DAY_MS);
    perDay.set(d, (perDay.get(d) ?? 0) + 1);
  }
  const counts = [...perDay.values()].sort((a, b) => a - b);
  return days * counts[counts.length >> 1];
}

export function returnsFromEquity(eq: Float64Array): Float64Array {
  const n = Math.max(0, eq.length - 1);
  const r = new Float64Array(n);
  for (let i = 0; i < n; i++) r[i] = eq[i + 1] / eq[i] - 1;
  return r;
}

function finite(r: Float64Array): Float64Array {
  let k = 0;
  for (let i = 0; i < r.length; i++) if (r[i] === r[i]) k++;
  if (k === r.length) return r;
  const out = new Float64Array(k);
  k = 0;
  for (let i = 0; i < r.length; i++) if (r[i] === r[i]) out[k++] = r[i];
  return out;
}

export function mean(r: Float64Array): number {
  if (r.length === 0) return NaN;
  let s = 0;
  for (let i = 0; i < r.length; i++) s += r[i];
  return s / r.length;
}

/** sample standard deviation (ddof 1) */
export function std(r: Float64Array): number {
  const n = r.length;
  if (n < 2) return NaN;
  const m = mean(r);
  let v = 0;
  for (let i = 0; i < n; i++) v += (r[i] - m) ** 2;
  return Math.sqrt(v / (n - 1));
}

/** Π(1 + r) − 1 */
export function totalReturn(r: Float64Array): number {
  let g = 1;
  for (let i = 0; i < r.length; i++) g *= 1 + r[i];
  return g - 1;
}

/** (1 + total)^(periods / n) − 1 (empyrical annual_return) */
export function cagr(r: Float64Array, periods: number): number {
  if (r.length === 0) return NaN;
  return (1 + totalReturn(r)) ** (periods / r.length) - 1;
}

/** std(r, ddof 1) × √periods */
export function annualVolatility(r: Float64Array, periods: number): number {
  return std(r) * Math.sqrt(periods);
}

/** mean(r − rf_p) / std(r − rf_p, ddof 1) × √periods, rf_p = (1 + rf)^(1/periods) − 1 */
export function sharpe(r: Float64Array, periods: number, rf = 0): number {
  const rp = (1 + rf) ** (1 / periods) - 1;
  const x = r.map((v) => v - rp);
  const s = std(x);
  return s > 0 ? (mean(x) / s) * Math.sqrt(periods) : NaN;
}

/**
 * empyrical sortino_ratio: mean(r − t) × periods / downside_risk, downside_risk = √(mean(min(r − t, 0)²)) × √periods
 * (the mean over ALL periods, not only the negative ones), t = required return per period.
 */
export function sortino(r: Float64Array, periods: number, target = 0): number {
  if (r.length === 0) return NaN;
  let dd = 0;
  let m = 0;
  for (let i = 0; i < r.length; i++) {
    const x = r[i] - target;
    m += x;
    if (x < 0) dd += x * x;
  }
  const down = Math.sqrt(dd / r.length) * Math.sqrt(periods);
  return down > 0 ? ((m / r.length) * periods) / down : NaN;
}

/** drawdown series of compounded equity (≤ 0) */
export function drawdowns(r: Float64Array): Float64Array {
  const out = new Float64Array(r.length);
  let g = 1;
  let peak = 1;
  for (let i = 0; i < r.length; i++) {
    g *= 1 + r[i];
    if (g > peak) peak = g;
    out[i] = g / peak - 1;
  }
  return out;
}

/** min drawdown (negative fraction), empyrical max_drawdown */
export function maxDrawdown(r: Float64Array): number {
  if (r.length === 0) return NaN;
  const d = drawdowns(r);
  let m = 0;
  for (let i = 0; i < d.length; i++) if (d[i] < m) m = d[i];
  return m;
}

/** longest stretch of periods below a previous peak */
export function maxDrawdownDuration(r: Float64Array): number {
  const d = drawdowns(r);
  let best = 0;
  let cur = 0;
  for (let i = 0; i < d.length; i++) {
    cur = d[i] < 0 ? cur + 1 : 0;
    if (cur > best) best = cur;
  }
  return best;
}

/** CAGR / |max drawdown| */
export function calmar(r: Float64Array, periods: number): number {
  const md = maxDrawdown(r);
  return md < 0 ? cagr(r, periods) / -md : NaN;
}

/** historical VaR: the (1 − level) quantile of period returns (linear interpolation, numpy's default) */
export function valueAtRisk(r: Float64Array, level = 0.95): number {
  return quantile(r, 1 - level);
}

/** historical CVaR: mean of the returns at or below the VaR */
export function conditionalVaR(r: Float64Array, level = 0.95): number {
  const v = valueAtRisk(r, level);
  let s = 0;
  let k = 0;
  for (let i = 0; i < r.length; i++) if (r[i] <= v) {
    s += r[i];
    k++;
  }
  return k ? s / k : NaN;
}

export function quantile(r: Float64Array, q: number): number {
  if (r.length === 0) return NaN;
  const s = Float64Array.from(r).sort();
  const pos = q * (s.length - 1);
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return s[lo] + (s[hi] - s[lo]) * (pos - lo);
}

export function computeMetrics(inp: MetricsInput): Record<string, number> {
  const r = finite(inp.returns ?? (inp.equity ? returnsFromEquity(inp.equity) : new Float64Array(0)));
  const periods = inp.periods ?? periodsPerYear(inp.ts);
  const out: Record<string, number> = {
    periods_per_year: periods,
    total_return: r.length ? totalReturn(r) : 0,
    cagr: cagr(r, periods),
    annual_volatility: annualVolatility(r, periods),
    sharpe: sharpe(r, periods, inp.rf ?? 0),
    sortino: sortino(r, periods),
    max_drawdown: maxDrawdown(r),
    max_drawdown_duration: maxDrawdownDuration(r),
    calmar: calmar(r, periods),
    var_95: valueAtRisk(r),
    cvar_95: conditionalVaR(r),
  };
  const trades = (inp.trades ?? []).filter((t) => !t.open);
  out.num_trades = trades.length;
  if (trades.length) {
    const net = trades.map((t) => t.pnl - t.commission);
    const wins = net.filter((x) => x > 0);
    const losses = net.filter((x) => x < 0);
    const gw = wins.reduce((a, b) => a + b, 0);
    const gl = -losses.reduce((a, b) => a + b, 0);
    out.win_rate = wins.length / trades.length;
    out.profit_factor = gl > 0 ? gw / gl : gw > 0 ? Infinity : NaN;
    out.expectancy = net.reduce((a, b) => a + b, 0) / trades.length;
    out.avg_holding_bars = trades.reduce((a, t) => a + t.bars, 0) / trades.length;
  } else {
    out.win_rate = NaN;
    out.profit_factor = NaN;
    out.expectancy = NaN;
    out.avg_holding_bars = NaN;
  }
  if (inp.gross && inp.gross.length) {
    let k = 0;
    for (let i = 0; i < inp.gross.length; i++) if (inp.gross[i] > 0) k++;
    out.exposure_time = k / inp.gross.length;
  }
  out.commission_paid = inp.commission ?? 0;
  out.slippage_paid = inp.slippage ?? 0;
  return out;
}
