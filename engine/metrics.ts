/**
 * Performance metrics, one module used everywhere (backtest JSON, the Backtest pane, reports, `alphatrade metrics`).
 *
 * Conventions (empyrical / pyfolio and PerformanceAnalytics):
 * - returns are simple period returns r_t = E_t / E_{t−1} − 1 (given, or computed from an equity curve);
 * - NaN returns are missing values: every function skips them (the period does not count, e.g. in n for the
 *   annual return); `computeMetrics` compacts them out first (benchmark and timestamps stay aligned);
 * - P = periods per year, the annualisation factor: see `periodsPerYear` (252 daily equities, 252 × bars per day
 *   intraday, 365 for 24/7 markets, 52 weekly, 12 monthly; or given);
 * - the risk-free rate is annual; per period rf_p = (1 + rf)^(1/P) − 1 (how empyrical converts an annual required
 *   return); Sharpe, Sortino, Omega and alpha are computed on r − rf_p (with the default rf = 0 the Omega and Sortino
 *   thresholds are 0 per period);
 * - standard deviations are sample (ddof = 1); skew and kurtosis are the population (biased) moment ratios, as
 *   scipy.stats.skew / scipy.stats.kurtosis with their defaults (kurtosis is EXCESS kurtosis: 0 for a normal);
 * - drawdowns are on compounded equity Π(1 + r); drawdowns are NEGATIVE fractions (−0.25 = 25 % below the running
 *   peak): `max_drawdown` and `avg_drawdown` are ≤ 0, like empyrical's max_drawdown;
 * - VaR and CVaR (historical, 95 %) keep empyrical's sign: they are return quantiles, so a loss is NEGATIVE
 *   (var_95 = −0.02 means a 2 % loss in the worst 5 % of periods);
 * - undefined results are NaN (Sharpe with zero volatility, Calmar without a drawdown, anything on too few points);
 *   a ratio whose denominator is zero while its numerator is positive is +Infinity where empyrical gives inf
 *   (Sortino with no downside, profit factor / payoff ratio with no losing trade, tail ratio with a zero 5th
 *   percentile). In JSON every non-finite number is null (see `metricsJson`).
 * - trade metrics use CLOSED trades only (`open: true` trades, still running at the end of the data, are excluded)
 *   and their P&L net of commission (pnl − commission), ordered by exit time.
 *
 * Time stamps: epoch ms, one per return (the time of the bar the return belongs to). With an equity curve, `ts` is
 * aligned with the equity and return i (E_i → E_{i+1}) belongs to ts[i+1]. Calendar months are UTC months.
 *
 * `computeMetrics` computes everything in a handful of tight passes (branch-free sums; compounding and drawdowns; the
 * log-equity regression; calendar months; central moments; the two 5 % tails picked out with a sampled threshold and
 * selected exactly): ~30 ms for 1,000,000 returns on the 2-core CI machine (bench/metrics.bench.ts). The
 * single-metric functions are straightforward versions of the same formulas (a test checks they agree).
 */
import { select } from '../src/select.ts';
import { DAY_MS, parseTimeframe, type Timeframe } from '../src/timeframe.ts';
import type { TradeRecord } from './portfolio.ts';

// ================================================================ input, keys

export type Calendar = 'equity' | '24x7';

export interface MetricsInput {
  /** equity at each step (or give `returns`) */
  equity?: Float64Array;
  /** simple period returns (returns[0] is the first period's return); NaN = missing */
  returns?: Float64Array;
  /** epoch ms: aligned with `returns` (one per return), or with `equity` when the equity is given */
  ts?: Float64Array;
  /** periods per year; default from `ts` (see periodsPerYear) */
  periods?: number;
  /** bar timeframe (e.g. "1d", "15m") for periodsPerYear when `periods` is not given */
  timeframe?: string | Timeframe;
  /** trading calendar for periodsPerYear (default: detected from weekend bars) */
  calendar?: Calendar;
  /** annual risk-free rate as a fraction (default 0) */
  rf?: number;
  /** benchmark simple returns aligned with the returns (same length; NaN = missing, that pair is skipped) */
  benchmark?: Float64Array;
  /** trades (closed ones are used) */
  trades?: readonly TradeRecord[];
  /** gross exposure per step (currency), aligned with `equity` */
  gross?: Float64Array;
  /** total commission paid (currency) */
  commission?: number;
  /** total slippage paid (currency) */
  slippage?: number;
}

/** The keys `computeMetrics` returns, grouped for display (lower snake case: the JSON keys). */
export const METRIC_GROUPS = {
  returns: [
    'num_periods', 'periods_per_year', 'total_return', 'annual_return', 'cagr', 'annual_volatility', 'sharpe', 'sortino',
    'downside_risk', 'calmar', 'omega', 'stability', 'best_period', 'worst_period', 'positive_periods_share',
    'positive_months_share', 'skew', 'kurtosis', 'tail_ratio', 'var_95', 'cvar_95',
  ],
  drawdowns: ['max_drawdown', 'max_drawdown_duration', 'max_drawdown_duration_days', 'avg_drawdown', 'ulcer_index', 'recovery_factor'],
  benchmark: ['alpha', 'beta', 'correlation', 'information_ratio', 'tracking_error', 'benchmark_total_return'],
  trades: [
    'num_trades', 'win_rate', 'profit_factor', 'payoff_ratio', 'expectancy', 'avg_holding_bars', 'avg_holding_days',
    'max_consecutive_wins', 'max_consecutive_losses', 'sqn', 'kelly_fraction',
  ],
  exposure: ['exposure_time', 'avg_exposure', 'turnover', 'commission_paid', 'slippage_paid'],
} as const;

/** Every key `computeMetrics` returns, in display order. */
export const METRIC_KEYS = [
  ...METRIC_GROUPS.returns, ...METRIC_GROUPS.drawdowns, ...METRIC_GROUPS.benchmark, ...METRIC_GROUPS.trades, ...METRIC_GROUPS.exposure,
] as const;

export type MetricKey = (typeof METRIC_KEYS)[number];
export type Metrics = Record<MetricKey, number>;

/** Metrics as JSON-safe data: non-finite numbers (NaN, ±Infinity) become null. */
export function metricsJson(m: Metrics): Record<MetricKey, number | null> {
  const out = {} as Record<MetricKey, number | null>;
  for (const k of METRIC_KEYS) out[k] = Number.isFinite(m[k]) ? m[k] : null;
  return out;
}

// ================================================================ periods per year

export interface PeriodsInfo {
  periods: number;
  /** the bar spacing used (a timeframe label, e.g. "1d", "15m") */
  timeframe: string;
  calendar: Calendar;
  /** how the number was reached, for people */
  rule: string;
}

/** Default regular session for equity intraday bars without timestamps: 6.5 h (NYSE 09:30–16:00). */
const EQUITY_SESSION_MS = 6.5 * 3_600_000;

/**
 * Share of bars on a Saturday or Sunday (UTC), sampled: > 10 % means a market that trades every day (a 7-day market
 * has 2/7 ≈ 29 %; an FX feed's Sunday-evening open is ~2 %).
 */
function weekendShare(ts: Float64Array): number {
  const n = ts.length;
  const step = Math.max(1, Math.floor(n / 2000));
  let k = 0;
  let w = 0;
  for (let i = 0; i < n; i += step) {
    const t = ts[i];
    if (t !== t) continue;
    // 1970-01-01 was a Thursday: day index 0 → Thursday; (d + 4) % 7 → 0 = Sunday … 6 = Saturday.
    const d = (((Math.floor(t / DAY_MS) + 4) % 7) + 7) % 7;
    if (d === 0 || d === 6) w++;
    k++;
  }
  return k ? w / k : 0;
}

/** Median spacing of consecutive timestamps (sampled; gaps ≤ 0 ignored). */
function medianSpacing(ts: Float64Array): number {
  const n = ts.length;
  const step = Math.max(1, Math.floor(n / 4000));
  const gaps: number[] = [];
  for (let i = 1; i < n; i += step) {
    const g = ts[i] - ts[i - 1];
    if (g > 0) gaps.push(g);
  }
  if (!gaps.length) return NaN;
  gaps.sort((a, b) => a - b);
  return gaps[gaps.length >> 1];
}

/** First index i in [lo, hi) with ts[i] ≥ t (ts ascending). */
function lowerBound(ts: Float64Array, t: number, lo: number, hi: number): number {
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (ts[mid] < t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Median number of bars per UTC calendar day (ts ascending), over up to 1,001 days sampled evenly. */
function medianBarsPerDay(ts: Float64Array): number {
  const n = ts.length;
  const samples = Math.min(n, 1001);
  const counts: number[] = [];
  for (let s = 0; s < samples; s++) {
    const i = Math.floor((s * (n - 1)) / Math.max(1, samples - 1));
    const d0 = Math.floor(ts[i] / DAY_MS) * DAY_MS;
    counts.push(lowerBound(ts, d0 + DAY_MS, i, n) - lowerBound(ts, d0, 0, i + 1));
  }
  if (!counts.length) return NaN;
  counts.sort((a, b) => a - b);
  return counts[counts.length >> 1];
}

/**
 * The annualisation factor P and how it was reached.
 *
 * Rule:
 * 1. Calendar: `calendar` if given; otherwise '24x7' when more than 10 % of the bars fall on a Saturday or Sunday
 *    (UTC), else 'equity'. Days per year D = 252 (equity) or 365 (24x7).
 * 2. Bar spacing: `timeframe` if given; otherwise the median spacing of `ts`: ≥ 25 days → monthly, ≥ 5 days →
 *    weekly, ≥ 0.9 day → daily, else intraday with that spacing.
 * 3. P = 12 / n for n-month bars, 52 / n for n-week bars, D / n for n-day bars; intraday: 24x7 → D × (24 h / bar);
 *    equity → D × (median number of bars per UTC day in `ts`, over ≤ 1,001 days sampled evenly), or D × round(6.5 h / bar) without timestamps
 *    (NYSE regular session).
 * 4. Fewer than 3 timestamps and no timeframe: 252 (or 365 for '24x7').
 */
export function inferPeriods(ts?: Float64Array, timeframe?: string | Timeframe, calendar?: Calendar): PeriodsInfo {
  const tf: Timeframe | undefined = typeof timeframe === 'string' ? parseTimeframe(timeframe) : timeframe;
  const haveTs = !!ts && ts.length >= 3;
  let cal: Calendar;
  let calNote: string;
  if (calendar) {
    cal = calendar;
    calNote = `${calendar} calendar (given)`;
  } else if (haveTs) {
    const w = weekendShare(ts!);
    cal = w > 0.1 ? '24x7' : 'equity';
    calNote = cal === '24x7' ? `24x7 calendar (${(w * 100).toFixed(0)} % of bars on weekends)` : 'equity calendar (no weekend trading)';
  } else {
    cal = 'equity';
    calNote = 'equity calendar (assumed)';
  }
  const D = cal === '24x7' ? 365 : 252;
  let unit: Timeframe['unit'];
  let n: number;
  let ms: number;
  let label: string;
  if (tf && tf.unit !== 'tick') {
    unit = tf.unit;
    n = tf.n;
    ms = tf.ms;
    label = tf.label;
  } else if (haveTs) {
    const g = medianSpacing(ts!);
    if (!(g > 0)) return { periods: D, timeframe: '1d', calendar: cal, rule: `no increasing timestamps: ${D} per year (${calNote})` };
    if (g >= 25 * DAY_MS) [unit, n, ms, label] = ['mo', 1, 30 * DAY_MS, '1mo'];
    else if (g >= 5 * DAY_MS) [unit, n, ms, label] = ['w', 1, 7 * DAY_MS, '1w'];
    else if (g >= 0.9 * DAY_MS) [unit, n, ms, label] = ['d', 1, DAY_MS, '1d'];
    else {
      unit = 'm';
      n = g / 60_000;
      ms = g;
      label = g % 3_600_000 === 0 ? `${g / 3_600_000}h` : g % 60_000 === 0 ? `${g / 60_000}m` : `${g / 1000}s`;
    }
  } else {
    return { periods: D, timeframe: '1d', calendar: cal, rule: `too few timestamps: daily assumed, ${D} per year (${calNote})` };
  }
  if (unit === 'mo') return { periods: 12 / n, timeframe: label, calendar: cal, rule: `${label} bars: 12${n > 1 ? ` / ${n}` : ''} per year` };
  if (unit === 'w') return { periods: 52 / n, timeframe: label, calendar: cal, rule: `${label} bars: 52${n > 1 ? ` / ${n}` : ''} per year` };
  if (unit === 'd') return { periods: D / n, timeframe: label, calendar: cal, rule: `${label} bars, ${calNote}: ${D}${n > 1 ? ` / ${n}` : ''} per year` };
  // intraday
  if (cal === '24x7') {
    const perDay = DAY_MS / ms;
    return { periods: D * perDay, timeframe: label, calendar: cal, rule: `${label} bars, ${calNote}: ${D} × ${+perDay.toFixed(4)} bars per day` };
  }
  if (haveTs) {
    const perDay = medianBarsPerDay(ts!);
    return { periods: D * perDay, timeframe: label, calendar: cal, rule: `${label} bars, ${calNote}: ${D} × ${perDay} bars per trading day (median per UTC day)` };
  }
  const perDay = Math.max(1, Math.round(EQUITY_SESSION_MS / ms));
  return { periods: D * perDay, timeframe: label, calendar: cal, rule: `${label} bars, ${calNote}: ${D} × ${perDay} bars per 6.5 h session` };
}

/** The annualisation factor P: see `inferPeriods` for the rule. */
export function periodsPerYear(ts?: Float64Array, timeframe?: string | Timeframe, calendar?: Calendar): number {
  return inferPeriods(ts, timeframe, calendar).periods;
}

/** Per-period risk-free rate from an annual one: (1 + rf)^(1/P) − 1. */
export function rfPerPeriod(rf: number, periods: number): number {
  return rf === 0 ? 0 : (1 + rf) ** (1 / periods) - 1;
}

// ================================================================ basics

/** r_i = E_{i+1} / E_i − 1 (length n − 1). */
export function returnsFromEquity(eq: Float64Array): Float64Array {
  const n = Math.max(0, eq.length - 1);
  const r = new Float64Array(n);
  for (let i = 0; i < n; i++) r[i] = eq[i + 1] / eq[i] - 1;
  return r;
}

/** Number of non-NaN values. */
export function countFinite(r: Float64Array): number {
  let k = 0;
  for (let i = 0; i < r.length; i++) if (r[i] === r[i]) k++;
  return k;
}

/** mean of the non-NaN values (NaN when none) */
export function mean(r: Float64Array): number {
  let s = 0;
  let k = 0;
  for (let i = 0; i < r.length; i++) {
    const x = r[i];
    if (x !== x) continue;
    s += x;
    k++;
  }
  return k ? s / k : NaN;
}

/** sample standard deviation (ddof 1) of the non-NaN values: √(Σ(r − r̄)² / (n − 1)); NaN for n < 2 */
export function std(r: Float64Array): number {
  const m = mean(r);
  let v = 0;
  let k = 0;
  for (let i = 0; i < r.length; i++) {
    const x = r[i];
    if (x !== x) continue;
    v += (x - m) * (x - m);
    k++;
  }
  return k >= 2 ? Math.sqrt(v / (k - 1)) : NaN;
}

// ================================================================ return metrics

/** total_return = Π(1 + r) − 1 (0 for an empty series: nothing compounded). */
export function totalReturn(r: Float64Array): number {
  let g = 1;
  for (let i = 0; i < r.length; i++) if (r[i] === r[i]) g *= 1 + r[i];
  return g - 1;
}

/**
 * annual_return = (1 + total_return)^(P / n) − 1, n = number of (non-missing) periods: empyrical's annual_return
 * (and its cagr, which is the same number). NaN for n = 0.
 */
export function annualReturn(r: Float64Array, periods: number): number {
  const n = countFinite(r);
  if (n === 0) return NaN;
  return (1 + totalReturn(r)) ** (periods / n) - 1;
}

/** cagr: the same as annual_return (empyrical's cagr = annual_return on period returns). */
export const cagr = annualReturn;

/** annual_volatility = std(r, ddof 1) × √P (empyrical annual_volatility). */
export function annualVolatility(r: Float64Array, periods: number): number {
  return std(r) * Math.sqrt(periods);
}

/**
 * sharpe = mean(r − rf_p) / std(r − rf_p, ddof 1) × √P, rf_p = (1 + rf)^(1/P) − 1 (empyrical sharpe_ratio with a
 * constant per-period risk-free rate). NaN when the volatility is zero or n < 2.
 */
export function sharpe(r: Float64Array, periods: number, rf = 0): number {
  const s = std(r);
  if (!(s > 0)) return NaN;
  return ((mean(r) - rfPerPeriod(rf, periods)) / s) * Math.sqrt(periods);
}

/**
 * downside_risk = √(mean(min(r − t, 0)²)) × √P, the mean over ALL periods (empyrical downside_risk), t = target
 * return per period (default 0). NaN for an empty series.
 */
export function downsideRisk(r: Float64Array, periods: number, target = 0): number {
  let s = 0;
  let k = 0;
  for (let i = 0; i < r.length; i++) {
    const x = r[i];
    if (x !== x) continue;
    const d = x - target;
    if (d < 0) s += d * d;
    k++;
  }
  return k ? Math.sqrt(s / k) * Math.sqrt(periods) : NaN;
}

/**
 * sortino = mean(r − t) × P / downside_risk(r, t) (empyrical sortino_ratio), t = target per period (default 0;
 * computeMetrics uses rf_p). +Infinity when the mean is positive and no period is below the target (as empyrical);
 * NaN for n < 2.
 */
export function sortino(r: Float64Array, periods: number, target = 0): number {
  if (countFinite(r) < 2) return NaN;
  const dr = downsideRisk(r, periods, target);
  return ((mean(r) - target) * periods) / dr;
}

/**
 * omega = Σ max(r − θ, 0) / Σ max(θ − r, 0) with θ the threshold per period (default 0; empyrical omega_ratio with
 * risk_free + required return folded into θ). NaN when no period is below θ.
 */
export function omega(r: Float64Array, threshold = 0): number {
  let up = 0;
  let down = 0;
  for (let i = 0; i < r.length; i++) {
    const x = r[i];
    if (x !== x) continue;
    const d = x - threshold;
    if (d > 0) up += d;
    else down -= d;
  }
  return down > 0 ? up / down : NaN;
}

/** best_period = max(r) (NaN when empty). */
export function bestPeriod(r: Float64Array): number {
  let m = -Infinity;
  for (let i = 0; i < r.length; i++) if (r[i] > m) m = r[i];
  return m === -Infinity ? NaN : m;
}

/** worst_period = min(r) (NaN when empty). */
export function worstPeriod(r: Float64Array): number {
  let m = Infinity;
  for (let i = 0; i < r.length; i++) if (r[i] < m) m = r[i];
  return m === Infinity ? NaN : m;
}

/** positive_periods_share = #(r > 0) / n. */
export function positivePeriodsShare(r: Float64Array): number {
  let p = 0;
  let k = 0;
  for (let i = 0; i < r.length; i++) {
    const x = r[i];
    if (x !== x) continue;
    if (x > 0) p++;
    k++;
  }
  return k ? p / k : NaN;
}

function nextMonthStart(t: number): number {
  const d = new Date(t);
  return Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1);
}
function monthStart(t: number): number {
  const d = new Date(t);
  return Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1);
}

/**
 * positive_months_share = share of calendar months (UTC, by each return's time stamp; partial first and last months
 * count) whose compounded return Π(1 + r) − 1 is > 0. `ts` aligned with `r`, ascending.
 */
export function positiveMonthsShare(r: Float64Array, ts: Float64Array): number {
  let months = 0;
  let pos = 0;
  let lo = Infinity;
  let hi = -Infinity;
  let g = 1;
  for (let i = 0; i < r.length; i++) {
    const x = r[i];
    if (x !== x) continue;
    const t = ts[i];
    if (t >= hi || t < lo) {
      if (hi !== -Infinity) {
        months++;
        if (g > 1) pos++;
      }
      lo = monthStart(t);
      hi = nextMonthStart(t);
      g = 1;
    }
    g *= 1 + x;
  }
  if (hi !== -Infinity) {
    months++;
    if (g > 1) pos++;
  }
  return months ? pos / months : NaN;
}

/** Third and fourth standardised central moments (population), NaN when the variance is 0 or n < 2 (skew) / 2. */
function moments(r: Float64Array): { skew: number; kurt: number } {
  const m = mean(r);
  let m2 = 0;
  let m3 = 0;
  let m4 = 0;
  let k = 0;
  for (let i = 0; i < r.length; i++) {
    const x = r[i];
    if (x !== x) continue;
    const d = x - m;
    const d2 = d * d;
    m2 += d2;
    m3 += d2 * d;
    m4 += d2 * d2;
    k++;
  }
  if (k < 2 || !(m2 > 0)) return { skew: NaN, kurt: NaN };
  m2 /= k;
  return { skew: m3 / k / m2 ** 1.5, kurt: m4 / k / (m2 * m2) - 3 };
}

/** skew = m3 / m2^1.5 with population central moments m_k = mean((r − r̄)^k) (scipy.stats.skew, bias=True). */
export function skew(r: Float64Array): number {
  return moments(r).skew;
}

/** kurtosis = m4 / m2² − 3: EXCESS kurtosis (0 for a normal), population moments (scipy.stats.kurtosis defaults). */
export function kurtosis(r: Float64Array): number {
  return moments(r).kurt;
}

/** Finite values copied out (a scratch array the quantile functions may reorder). */
function finiteCopy(r: Float64Array): Float64Array {
  const k = countFinite(r);
  const a = new Float64Array(k);
  let j = 0;
  for (let i = 0; i < r.length; i++) if (r[i] === r[i]) a[j++] = r[i];
  return a;
}

/** Partially reorder a[lo..hi] so a[k] is the k-th smallest (src/select.ts). */
export function selectInPlace(a: Float64Array, lo: number, hi: number, k: number): void {
  select(a, lo, hi, k);
}

function minFrom(a: Float64Array, from: number): number {
  let m = Infinity;
  for (let i = from; i < a.length; i++) if (a[i] < m) m = a[i];
  return m;
}

/** q-quantile of `a` with numpy's default linear interpolation, reordering `a` (no NaN in `a`). */
function quantileInPlace(a: Float64Array, q: number): number {
  const n = a.length;
  if (n === 0) return NaN;
  const pos = q * (n - 1);
  const lo = Math.floor(pos);
  selectInPlace(a, 0, n - 1, lo);
  const v = a[lo];
  const f = pos - lo;
  return f > 0 && lo + 1 < n ? v + (minFrom(a, lo + 1) - v) * f : v;
}

/** q-quantile with linear interpolation between order statistics (numpy.percentile's default); NaN values skipped. */
export function quantile(r: Float64Array, q: number): number {
  return quantileInPlace(finiteCopy(r), q);
}

/** 1 − level without the rounding of binary fractions (1 − 0.95 = 0.050000000000000044 in doubles). */
function tailShare(level: number): number {
  return +(1 - level).toFixed(12);
}

/**
 * var_95 = the 5th percentile of the period returns (historical VaR, numpy linear interpolation), empyrical's
 * value_at_risk(cutoff=0.05): a return, NEGATIVE for a loss.
 */
export function valueAtRisk(r: Float64Array, level = 0.95): number {
  return quantile(r, tailShare(level));
}

/**
 * cvar_95 = mean of the k + 1 smallest returns, k = ⌊(n − 1) × 0.05⌋ (empyrical conditional_value_at_risk: the
 * expected return in the worst 5 % of periods): a return, NEGATIVE for a loss.
 */
export function conditionalValueAtRisk(r: Float64Array, level = 0.95): number {
  const a = finiteCopy(r);
  const n = a.length;
  if (n === 0) return NaN;
  const k = Math.floor((n - 1) * tailShare(level));
  selectInPlace(a, 0, n - 1, k);
  let s = 0;
  for (let i = 0; i <= k; i++) s += a[i];
  return s / (k + 1);
}

/** tail_ratio = |p95(r)| / |p5(r)| (empyrical tail_ratio); +Infinity when p5 is 0 and p95 is not. */
export function tailRatio(r: Float64Array): number {
  const a = finiteCopy(r);
  if (a.length === 0) return NaN;
  const p5 = quantileInPlace(a, 0.05);
  const p95 = quantileInPlace(a, 0.95);
  return Math.abs(p95) / Math.abs(p5);
}

/**
 * stability = R² of the least-squares line through the cumulative log returns y_t = Σ_{s≤t} ln(1 + r_s) against
 * t = 0, 1, … (empyrical stability_of_timeseries). 0 when y is constant (scipy's linregress convention), NaN for
 * n < 2.
 */
export function stability(r: Float64Array): number {
  return logEquityR2(countFinite(r) === r.length ? r : finiteCopy(r));
}

// ================================================================ drawdowns

/** Drawdown series of compounded equity: E_t / max_{s≤t} E_s − 1 with E_0 = 1 before the first period (≤ 0). */
export function drawdowns(r: Float64Array): Float64Array {
  const out = new Float64Array(r.length);
  let g = 1;
  let peak = 1;
  for (let i = 0; i < r.length; i++) {
    const x = r[i];
    if (x === x) g *= 1 + x;
    if (g > peak) peak = g;
    out[i] = g / peak - 1;
  }
  return out;
}

/** max_drawdown = min_t(E_t / max_{s≤t} E_s − 1): a NEGATIVE fraction (−0.25 = 25 % below the peak), as empyrical. */
export function maxDrawdown(r: Float64Array): number {
  if (countFinite(r) === 0) return NaN;
  const d = drawdowns(r);
  let m = 0;
  for (let i = 0; i < d.length; i++) if (d[i] < m) m = d[i];
  return m;
}

/**
 * max_drawdown_duration = the longest run of consecutive periods that END below the running peak (underwater
 * periods), in bars; a drawdown not recovered by the end counts to the end. 0 when never underwater.
 */
export function maxDrawdownDuration(r: Float64Array): number {
  const d = drawdowns(r);
  let best = 0;
  let cur = 0;
  for (let i = 0; i < d.length; i++) {
    if (r[i] !== r[i]) continue;
    cur = d[i] < 0 ? cur + 1 : 0;
    if (cur > best) best = cur;
  }
  return best;
}

/**
 * max_drawdown_duration_days = the longest time from a peak (the last time stamp at the running high) to the
 * recovery (the first time stamp back at or above it), or to the last time stamp when not recovered, in days
 * (ms / 86,400,000). `ts` aligned with `r`; `t0` is the time of the starting equity (default ts[0] − (ts[1] − ts[0]),
 * one bar before the first return). 0 when never underwater.
 */
export function maxDrawdownDurationDays(r: Float64Array, ts: Float64Array, t0?: number): number {
  if (r.length === 0) return NaN;
  let peakT = t0 ?? (ts.length > 1 ? 2 * ts[0] - ts[1] : ts[0]);
  let g = 1;
  let peak = 1;
  let under = false;
  let best = 0;
  let lastT = peakT;
  for (let i = 0; i < r.length; i++) {
    const x = r[i];
    if (x !== x) continue;
    g *= 1 + x;
    lastT = ts[i];
    if (g >= peak) {
      if (under && ts[i] - peakT > best) best = ts[i] - peakT;
      under = false;
      peak = g;
      peakT = ts[i];
    } else under = true;
  }
  if (under && lastT - peakT > best) best = lastT - peakT;
  return best / DAY_MS;
}

/**
 * avg_drawdown = mean depth of the distinct drawdowns (each from a peak until equity is back at the peak, or the
 * end): mean of each episode's trough E/peak − 1, a NEGATIVE fraction (PerformanceAnalytics AverageDrawdown). 0 when
 * never underwater, NaN for an empty series.
 */
export function avgDrawdown(r: Float64Array): number {
  if (countFinite(r) === 0) return NaN;
  const d = drawdowns(r);
  let sum = 0;
  let k = 0;
  let trough = 0;
  for (let i = 0; i < d.length; i++) {
    if (r[i] !== r[i]) continue;
    if (d[i] < 0) {
      if (d[i] < trough) trough = d[i];
    } else if (trough < 0) {
      sum += trough;
      k++;
      trough = 0;
    }
  }
  if (trough < 0) {
    sum += trough;
    k++;
  }
  return k ? sum / k : 0;
}

/**
 * ulcer_index = √(mean_t(d_t²)) with d_t the drawdown as a fraction (PerformanceAnalytics UlcerIndex): a positive
 * fraction (Martin's original is in percent: × 100).
 */
export function ulcerIndex(r: Float64Array): number {
  const n = countFinite(r);
  if (n === 0) return NaN;
  const d = drawdowns(r);
  let s = 0;
  for (let i = 0; i < d.length; i++) if (r[i] === r[i]) s += d[i] * d[i];
  return Math.sqrt(s / n);
}

/** calmar = annual_return / |max_drawdown| (empyrical calmar_ratio); NaN without a drawdown. */
export function calmar(r: Float64Array, periods: number): number {
  const md = maxDrawdown(r);
  return md < 0 ? annualReturn(r, periods) / -md : NaN;
}

/** recovery_factor = total_return / |max_drawdown|; NaN without a drawdown. */
export function recoveryFactor(r: Float64Array): number {
  const md = maxDrawdown(r);
  return md < 0 ? totalReturn(r) / -md : NaN;
}

// ================================================================ benchmark

interface PairStats {
  n: number;
  mr: number;
  mb: number;
  /** Σ (b − b̄)(r − r̄), Σ (b − b̄)², Σ (r − r̄)², Σ (a − ā)² with a = r − b */
  sbr: number;
  sbb: number;
  srr: number;
  saa: number;
  /** Π(1 + b) − 1 over the pairs */
  btotal: number;
}

/** Two passes over the pairs where both r and b are present. */
function pairStats(r: Float64Array, b: Float64Array): PairStats {
  const len = Math.min(r.length, b.length);
  let n = 0;
  let sr = 0;
  let sb = 0;
  let gb = 1;
  for (let i = 0; i < len; i++) {
    const x = r[i];
    const y = b[i];
    if (x !== x || y !== y) continue;
    n++;
    sr += x;
    sb += y;
    gb *= 1 + y;
  }
  const mr = n ? sr / n : NaN;
  const mb = n ? sb / n : NaN;
  const ma = mr - mb;
  let sbr = 0;
  let sbb = 0;
  let srr = 0;
  let saa = 0;
  for (let i = 0; i < len; i++) {
    const x = r[i];
    const y = b[i];
    if (x !== x || y !== y) continue;
    const dx = x - mr;
    const dy = y - mb;
    const da = x - y - ma;
    sbr += dy * dx;
    sbb += dy * dy;
    srr += dx * dx;
    saa += da * da;
  }
  return { n, mr, mb, sbr, sbb, srr, saa, btotal: n ? gb - 1 : NaN };
}

function betaOf(p: PairStats): number {
  // empyrical: beta NaN when fewer than 2 points or the benchmark variance is below 1e-30 (population).
  return p.n >= 2 && p.sbb / p.n >= 1e-30 ? p.sbr / p.sbb : NaN;
}

function alphaOf(p: PairStats, beta: number, periods: number, rf: number): number {
  if (p.n < 2 || beta !== beta) return NaN;
  const rfp = rfPerPeriod(rf, periods);
  return (1 + (p.mr - rfp - beta * (p.mb - rfp))) ** periods - 1;
}

/**
 * beta = cov(r, b) / var(b) over the periods where both are present (empyrical beta; the risk-free rate, a
 * constant, does not change it). NaN with fewer than 2 pairs or a constant benchmark.
 */
export function beta(r: Float64Array, bench: Float64Array): number {
  return betaOf(pairStats(r, bench));
}

/**
 * alpha = (1 + mean((r − rf_p) − β (b − rf_p)))^P − 1: annualised by compounding the mean daily residual return
 * (empyrical alpha). NaN when beta is.
 */
export function alpha(r: Float64Array, bench: Float64Array, periods: number, rf = 0): number {
  const p = pairStats(r, bench);
  return alphaOf(p, betaOf(p), periods, rf);
}

/**
 * tracking_error = std(r − b, ddof 1) × √P (annualised; PerformanceAnalytics TrackingError). NaN for < 2 pairs.
 */
export function trackingError(r: Float64Array, bench: Float64Array, periods: number): number {
  const p = pairStats(r, bench);
  return p.n >= 2 ? Math.sqrt(p.saa / (p.n - 1)) * Math.sqrt(periods) : NaN;
}

/**
 * information_ratio = mean(r − b) × P / tracking_error = mean(r − b) / std(r − b, ddof 1) × √P: annualised.
 * empyrical's information_ratio is the same ratio per period (without √P): ours = empyrical's × √P. NaN when the
 * active return is constant.
 */
export function informationRatio(r: Float64Array, bench: Float64Array, periods: number): number {
  const p = pairStats(r, bench);
  if (p.n < 2 || !(p.saa > 0)) return NaN;
  return ((p.mr - p.mb) / Math.sqrt(p.saa / (p.n - 1))) * Math.sqrt(periods);
}

/** correlation = Pearson correlation of r and b over the pairs. */
export function correlation(r: Float64Array, bench: Float64Array): number {
  const p = pairStats(r, bench);
  return p.n >= 2 && p.sbb > 0 && p.srr > 0 ? p.sbr / Math.sqrt(p.sbb * p.srr) : NaN;
}

// ================================================================ trades

/** Closed trades' net P&L (pnl − commission), holding bars and days, ordered by exit time. */
export function closedTrades(trades: readonly TradeRecord[]): { net: Float64Array; bars: Float64Array; days: Float64Array } {
  const closed = trades.filter((t) => !t.open);
  let sorted = true;
  for (let i = 1; i < closed.length && sorted; i++) if (closed[i].exitTime < closed[i - 1].exitTime) sorted = false;
  const c = sorted ? closed : [...closed].sort((a, b) => a.exitTime - b.exitTime);
  const net = new Float64Array(c.length);
  const bars = new Float64Array(c.length);
  const days = new Float64Array(c.length);
  c.forEach((t, i) => {
    net[i] = t.pnl - t.commission;
    bars[i] = t.bars;
    days[i] = (t.exitTime - t.entryTime) / DAY_MS;
  });
  return { net, bars, days };
}

interface TradeSums {
  n: number;
  wins: number;
  losses: number;
  grossWin: number;
  grossLoss: number;
  sum: number;
}

function tradeSums(net: Float64Array): TradeSums {
  const s: TradeSums = { n: net.length, wins: 0, losses: 0, grossWin: 0, grossLoss: 0, sum: 0 };
  for (let i = 0; i < net.length; i++) {
    const x = net[i];
    s.sum += x;
    if (x > 0) {
      s.wins++;
      s.grossWin += x;
    } else if (x < 0) {
      s.losses++;
      s.grossLoss -= x;
    }
  }
  return s;
}

/** win_rate = #(net P&L > 0) / #closed trades (a zero-P&L trade is neither a win nor a loss). NaN without trades. */
export function winRate(trades: readonly TradeRecord[]): number {
  const s = tradeSums(closedTrades(trades).net);
  return s.n ? s.wins / s.n : NaN;
}

function pf(s: TradeSums): number {
  if (s.grossLoss > 0) return s.grossWin / s.grossLoss;
  return s.grossWin > 0 ? Infinity : NaN;
}

/**
 * profit_factor = Σ winning net P&L / |Σ losing net P&L|; +Infinity with wins and no losses, NaN with neither.
 */
export function profitFactor(trades: readonly TradeRecord[]): number {
  return pf(tradeSums(closedTrades(trades).net));
}

function payoff(s: TradeSums): number {
  if (s.wins === 0) return NaN;
  if (s.losses === 0) return Infinity;
  return s.grossWin / s.wins / (s.grossLoss / s.losses);
}

/** payoff_ratio = mean winning net P&L / |mean losing net P&L|; +Infinity with no losses, NaN with no wins. */
export function payoffRatio(trades: readonly TradeRecord[]): number {
  return payoff(tradeSums(closedTrades(trades).net));
}

/** expectancy = mean net P&L per closed trade (currency). NaN without trades. */
export function expectancy(trades: readonly TradeRecord[]): number {
  const s = tradeSums(closedTrades(trades).net);
  return s.n ? s.sum / s.n : NaN;
}

function meanOf(a: Float64Array): number {
  return a.length ? mean(a) : NaN;
}

/** avg_holding_bars = mean bars held per closed trade. */
export function avgHoldingBars(trades: readonly TradeRecord[]): number {
  return meanOf(closedTrades(trades).bars);
}

/** avg_holding_days = mean (exit time − entry time) per closed trade, in days. */
export function avgHoldingDays(trades: readonly TradeRecord[]): number {
  return meanOf(closedTrades(trades).days);
}

function streaks(net: Float64Array): { wins: number; losses: number } {
  let w = 0;
  let l = 0;
  let bw = 0;
  let bl = 0;
  for (let i = 0; i < net.length; i++) {
    const x = net[i];
    w = x > 0 ? w + 1 : 0;
    l = x < 0 ? l + 1 : 0;
    if (w > bw) bw = w;
    if (l > bl) bl = l;
  }
  return { wins: bw, losses: bl };
}

/** max_consecutive_wins = longest run of closed trades (by exit time) with net P&L > 0 (a zero breaks a run). */
export function maxConsecutiveWins(trades: readonly TradeRecord[]): number {
  return streaks(closedTrades(trades).net).wins;
}

/** max_consecutive_losses = longest run of closed trades (by exit time) with net P&L < 0. */
export function maxConsecutiveLosses(trades: readonly TradeRecord[]): number {
  return streaks(closedTrades(trades).net).losses;
}

/**
 * sqn = √N × mean(net P&L) / std(net P&L, ddof 1) over the N closed trades (Van Tharp's System Quality Number on
 * currency P&L rather than R-multiples; the ratio is scale-free; N is not capped at 100). NaN for N < 2 or equal P&Ls.
 */
export function sqn(trades: readonly TradeRecord[]): number {
  const { net } = closedTrades(trades);
  const s = std(net);
  return net.length >= 2 && s > 0 ? (Math.sqrt(net.length) * mean(net)) / s : NaN;
}

function kelly(s: TradeSums): number {
  if (!s.n) return NaN;
  const w = s.wins / s.n;
  const R = payoff(s);
  if (R !== R) return NaN;
  return R === Infinity ? w : w - (1 - w) / R;
}

/**
 * kelly_fraction = W − (1 − W) / R with W = win_rate and R = payoff_ratio (the Kelly bet for a win/lose game;
 * quantstats kelly_criterion on trades). W when there is no losing trade; NaN without a winning trade.
 */
export function kellyFraction(trades: readonly TradeRecord[]): number {
  return kelly(tradeSums(closedTrades(trades).net));
}

// ================================================================ exposure and costs

/** exposure_time = share of steps with gross exposure > 0. */
export function exposureTime(gross: Float64Array): number {
  if (gross.length === 0) return NaN;
  let k = 0;
  for (let i = 0; i < gross.length; i++) if (gross[i] > 0) k++;
  return k / gross.length;
}

/** avg_exposure = mean(gross_t / equity_t): the average gross leverage (1 = fully invested, long or short). */
export function avgExposure(gross: Float64Array, equity: Float64Array): number {
  const n = Math.min(gross.length, equity.length);
  let s = 0;
  let k = 0;
  for (let i = 0; i < n; i++) {
    const v = gross[i] / equity[i];
    if (v === v && Math.abs(v) !== Infinity) {
      s += v;
      k++;
    }
  }
  return k ? s / k : NaN;
}

/**
 * turnover = (traded notional / 2) / mean equity / years, years = (equity points − 1) / P: how many times a year the
 * capital is turned over (a round trip of the whole equity counts 1). Traded notional = Σ qty × entry price over all
 * trades + Σ qty × exit price over closed trades (qty is the trade's largest position, so scaling in and out is
 * counted at that size). NaN without an equity curve.
 */
export function turnover(trades: readonly TradeRecord[], equity: Float64Array, periods: number): number {
  const n = equity.length;
  if (n < 2) return NaN;
  let notional = 0;
  for (const t of trades) {
    notional += Math.abs(t.qty * t.entryPrice);
    if (!t.open) notional += Math.abs(t.qty * t.exitPrice);
  }
  const meq = mean(equity);
  const years = (n - 1) / periods;
  return notional / 2 / meq / years;
}

// ================================================================ everything at once

/** Remove NaN returns, keeping `ts` and `bench` aligned (copies only when there is something to remove). */
function compact(r: Float64Array, ts?: Float64Array, bench?: Float64Array): { r: Float64Array; ts?: Float64Array; bench?: Float64Array } {
  const k = countFinite(r);
  if (k === r.length) return { r, ts, bench };
  const r2 = new Float64Array(k);
  const t2 = ts ? new Float64Array(k) : undefined;
  const b2 = bench ? new Float64Array(k) : undefined;
  let j = 0;
  for (let i = 0; i < r.length; i++) {
    if (r[i] !== r[i]) continue;
    r2[j] = r[i];
    if (t2) t2[j] = ts![i];
    if (b2) b2[j] = bench![i];
    j++;
  }
  return { r: r2, ts: t2, bench: b2 };
}

const LN_1E200 = 200 * Math.LN10;

/** Σ r, max, min, #(r > 0), Σ min(r − θ, 0)², Σ max(r − θ, 0), Σ max(θ − r, 0). */
function basicPass(r: Float64Array, theta: number) {
  let sum = 0;
  let best = -Infinity;
  let worst = Infinity;
  let positive = 0;
  let dsum = 0;
  let up = 0;
  let down = 0;
  // Branch-free (the signs of returns are unpredictable: a branch here costs ~7 ns per element): Math.max/min of
  // two variables, +(x > 0), and min(e, 0) = (e − |e|) / 2, max(e, 0) = (e + |e|) / 2 (both exact).
  for (let i = 0; i < r.length; i++) {
    const x = r[i];
    sum += x;
    best = Math.max(best, x);
    worst = Math.min(worst, x);
    positive += +(x > 0);
    const e = x - theta;
    const a = Math.abs(e);
    const neg = 0.5 * (e - a);
    dsum += neg * neg;
    down -= neg;
    up += 0.5 * (e + a);
  }
  return { sum, best, worst, positive, dsum, up, down };
}

/** Compounded equity and its drawdowns: growth Π(1 + r), max drawdown, Σ dd², longest underwater run, episodes. */
function drawdownPass(r: Float64Array, ts: Float64Array | undefined, t0: number) {
  const n = r.length;
  let g = 1;
  let peak = 1;
  let scale = 0; // g and peak divided by 1e200 `scale` times: no overflow on very long series
  let maxDD = 0;
  let ulcer = 0;
  let run = 0;
  let maxRun = 0;
  let under = false;
  let trough = 0;
  let troughSum = 0;
  let episodes = 0;
  let peakAt = -1; // index of the last return at the running peak (−1: the start)
  let maxSpan = 0; // ms from a peak to its recovery (or the end)
  for (let i = 0; i < n; i++) {
    g *= 1 + r[i];
    if (g >= peak) {
      if (g > 1e200) {
        g *= 1e-200;
        peak *= 1e-200;
        scale++;
      }
      if (under) {
        troughSum += trough;
        episodes++;
        if (ts) {
          const span = ts[i] - (peakAt < 0 ? t0 : ts[peakAt]);
          if (span > maxSpan) maxSpan = span;
        }
        under = false;
        run = 0;
      }
      peak = g;
      peakAt = i;
    } else {
      const dd = g / peak - 1;
      if (!under) {
        under = true;
        trough = dd;
      } else if (dd < trough) trough = dd;
      if (dd < maxDD) maxDD = dd;
      ulcer += dd * dd;
      run++;
      if (run > maxRun) maxRun = run;
    }
  }
  if (under) {
    troughSum += trough;
    episodes++;
    if (ts) {
      const span = ts[n - 1] - (peakAt < 0 ? t0 : ts[peakAt]);
      if (span > maxSpan) maxSpan = span;
    }
  }
  const growth = scale ? Math.exp(Math.log(g) + scale * LN_1E200) : g;
  return { growth, maxDD, ulcer, maxRun, troughSum, episodes, maxDays: maxSpan / DAY_MS };
}

/**
 * R² of y_t = ln Π_{s≤t}(1 + r_s) = Σ_{s≤t} ln(1 + r_s) regressed on t = 0..n−1. Sums are taken per block of 4096
 * around a local shift and merged with Chan et al.'s pairwise update, so long trending series lose no precision to
 * cancellation; no division per element.
 */
function logEquityR2(r: Float64Array): number {
  const n = r.length;
  if (n < 2) return NaN;
  const B = 4096;
  let y = 0;
  let cnt = 0; // merged so far
  let meanX = 0;
  let meanY = 0;
  let mxx = 0;
  let myy = 0;
  let mxy = 0;
  for (let b0 = 0; b0 < n; b0 += B) {
    const b1 = Math.min(n, b0 + B);
    const m = b1 - b0;
    const c = y; // shift: y before the block
    let sd = 0;
    let sdd = 0;
    let sud = 0;
    for (let i = b0; i < b1; i++) {
      y += Math.log(1 + r[i]);
      const d = y - c;
      sd += d;
      sdd += d * d;
      sud += (i - b0) * d;
    }
    const su = (m * (m - 1)) / 2;
    const bx = b0 + (m - 1) / 2;
    const by = c + sd / m;
    const bxx = (m * (m * m - 1)) / 12;
    const byy = sdd - (sd * sd) / m;
    const bxy = sud - (su * sd) / m;
    if (cnt === 0) {
      [meanX, meanY, mxx, myy, mxy] = [bx, by, bxx, byy, bxy];
    } else {
      const tot = cnt + m;
      const dx = bx - meanX;
      const dy = by - meanY;
      const w = (cnt * m) / tot;
      mxx += bxx + dx * dx * w;
      myy += byy + dy * dy * w;
      mxy += bxy + dx * dy * w;
      meanX += (dx * m) / tot;
      meanY += (dy * m) / tot;
    }
    cnt += m;
  }
  if (myy !== myy) return NaN;
  if (!(myy > 1e-300)) return 0;
  return (mxy * mxy) / (mxx * myy);
}

/** Calendar months (UTC) and how many compounded to a positive return. */
function monthPass(r: Float64Array, ts: Float64Array) {
  let months = 0;
  let positive = 0;
  let lo = Infinity;
  let hi = -Infinity;
  let g = 1;
  for (let i = 0; i < r.length; i++) {
    const t = ts[i];
    if (t >= hi || t < lo) {
      if (hi !== -Infinity) {
        months++;
        if (g > 1) positive++;
      }
      lo = monthStart(t);
      hi = nextMonthStart(t);
      g = 1;
    }
    g *= 1 + r[i];
  }
  if (hi !== -Infinity) {
    months++;
    if (g > 1) positive++;
  }
  return { months, positive };
}

/** numpy-style linear interpolation between order statistics lo and lo + 1 (given as v and next). */
function lerp(v: number, next: number, f: number): number {
  return f > 0 ? v + (next - v) * f : v;
}

/** p5, p95 and the CVaR tail mean by quickselect on a full copy (small series, or when sampling missed). */
function tailsBySelect(r: Float64Array): { p5: number; p95: number; cvar: number } {
  const n = r.length;
  const a = Float64Array.from(r);
  const pos5 = 0.05 * (n - 1);
  const lo5 = Math.floor(pos5);
  selectInPlace(a, 0, n - 1, lo5);
  let s = 0;
  for (let i = 0; i <= lo5; i++) s += a[i];
  const p5 = lerp(a[lo5], lo5 + 1 < n ? minFrom(a, lo5 + 1) : a[lo5], pos5 - lo5);
  const pos95 = 0.95 * (n - 1);
  const lo95 = Math.floor(pos95);
  if (lo95 > lo5) selectInPlace(a, lo5 + 1, n - 1, lo95);
  const p95 = lerp(a[lo95], lo95 + 1 < n ? minFrom(a, lo95 + 1) : a[lo95], pos95 - lo95);
  return { p5, p95, cvar: s / (lo5 + 1) };
}

/**
 * p5, p95 (numpy linear interpolation) and the CVaR tail mean (the ⌊0.05(n − 1)⌋ + 1 smallest) without sorting or
 * copying the whole series: thresholds from a sorted sample of 8,192 values, with a margin of 5 standard errors,
 * pick out the two tails (≈ 6 % each), which are then selected exactly; if a tail came out too small (the sample
 * misjudged), falls back to a full quickselect. Exact either way.
 */
function tails(r: Float64Array): { p5: number; p95: number; cvar: number } {
  const n = r.length;
  if (n === 0) return { p5: NaN, p95: NaN, cvar: NaN };
  if (n < 50_000) return tailsBySelect(r);
  const m = 8192;
  const sample = new Float64Array(m);
  const stride = n / m;
  for (let j = 0; j < m; j++) sample[j] = r[Math.floor(j * stride)];
  sample.sort();
  const margin = 5 * Math.sqrt((0.05 * 0.95) / m) + 2 / m;
  const tLow = sample[Math.min(m - 1, Math.ceil((0.05 + margin) * m))];
  const tHigh = sample[Math.max(0, Math.floor((0.95 - margin) * m))];
  const cap = Math.ceil((0.05 + 2 * margin) * n) + 16;
  const low = new Float64Array(cap);
  const high = new Float64Array(cap);
  let nl = 0;
  let nh = 0;
  for (let i = 0; i < n; i++) {
    const x = r[i];
    if (x < tLow) {
      if (nl === cap) return tailsBySelect(r);
      low[nl++] = x;
    } else if (x > tHigh) {
      if (nh === cap) return tailsBySelect(r);
      high[nh++] = x;
    }
  }
  const pos5 = 0.05 * (n - 1);
  const lo5 = Math.floor(pos5);
  const pos95 = 0.95 * (n - 1);
  const lo95 = Math.floor(pos95);
  // `low` holds exactly the nl smallest values, `high` exactly the nh largest (strict thresholds).
  if (nl < lo5 + 2 || nh < n - lo95) return tailsBySelect(r);
  const L = low.subarray(0, nl);
  selectInPlace(L, 0, nl - 1, lo5);
  let s = 0;
  for (let i = 0; i <= lo5; i++) s += L[i];
  const p5 = lerp(L[lo5], minFrom(L, lo5 + 1), pos5 - lo5);
  const H = high.subarray(0, nh);
  const k = lo95 - (n - nh);
  selectInPlace(H, 0, nh - 1, k);
  const p95 = lerp(H[k], k + 1 < nh ? minFrom(H, k + 1) : H[k], pos95 - lo95);
  return { p5, p95, cvar: s / (lo5 + 1) };
}

/**
 * Every metric of METRIC_KEYS for a return (or equity) series; each follows the formula and convention documented on
 * its own function above (the values agree with those functions; this one fuses the passes for speed). Metrics whose
 * inputs are missing are NaN: benchmark metrics without `benchmark`, trade metrics without `trades`, months and
 * drawdown days without `ts`, exposure without `gross`, turnover and avg_exposure without `equity`, costs without
 * `commission` / `slippage`.
 */
export function computeMetrics(inp: MetricsInput): Metrics {
  let r0: Float64Array;
  let ts0: Float64Array | undefined;
  let t0 = NaN;
  if (inp.returns) {
    r0 = inp.returns;
    if (inp.ts && inp.ts.length !== r0.length) throw new RangeError(`computeMetrics: ${inp.ts.length} time stamps for ${r0.length} returns`);
    ts0 = inp.ts;
    if (ts0 && ts0.length) t0 = ts0.length > 1 ? 2 * ts0[0] - ts0[1] : ts0[0];
  } else if (inp.equity) {
    r0 = returnsFromEquity(inp.equity);
    if (inp.ts && inp.ts.length !== inp.equity.length) throw new RangeError(`computeMetrics: ${inp.ts.length} time stamps for ${inp.equity.length} equity points`);
    if (inp.ts && inp.ts.length) {
      ts0 = inp.ts.subarray(1);
      t0 = inp.ts[0];
    }
  } else r0 = new Float64Array(0);
  if (inp.benchmark && inp.benchmark.length !== r0.length) throw new RangeError(`computeMetrics: ${inp.benchmark.length} benchmark returns for ${r0.length} returns`);
  const { r, ts, bench } = compact(r0, ts0, inp.benchmark);
  const n = r.length;
  const P = inp.periods ?? periodsPerYear(inp.ts, inp.timeframe, inp.calendar);
  const rf = inp.rf ?? 0;
  const rfp = rfPerPeriod(rf, P);

  // ---- one pass each: sums and downside; compounding and drawdowns; R² of log equity; calendar months
  const { sum, best, worst, positive, dsum, up, down } = basicPass(r, rfp);
  const { growth, maxDD, maxRun, maxDays, episodes, troughSum, ulcer } = drawdownPass(r, ts, t0);
  const stab = logEquityR2(r);
  const haveTs = !!ts;
  const { months, positive: posMonths } = ts ? monthPass(r, ts) : { months: 0, positive: 0 };
  const mean_ = n ? sum / n : NaN;

  // ---- pass 2: central moments
  let m2 = 0;
  let m3 = 0;
  let m4 = 0;
  for (let i = 0; i < n; i++) {
    const d = r[i] - mean_;
    const d2 = d * d;
    m2 += d2;
    m3 += d2 * d;
    m4 += d2 * d2;
  }
  const sd = n >= 2 ? Math.sqrt(m2 / (n - 1)) : NaN;
  const pm2 = m2 / n;
  const skew_ = n >= 2 && pm2 > 0 ? m3 / n / pm2 ** 1.5 : NaN;
  const kurt_ = n >= 2 && pm2 > 0 ? m4 / n / (pm2 * pm2) - 3 : NaN;

  // ---- quantiles (p5 with the CVaR tail, p95)
  const q = tails(r);
  const p5 = q.p5;
  const p95 = q.p95;
  const cvar = q.cvar;

  const total = n ? growth - 1 : 0;
  const annual = n ? growth ** (P / n) - 1 : NaN;
  const downside = n ? Math.sqrt(dsum / n) * Math.sqrt(P) : NaN;
  const m: Metrics = {
    num_periods: n,
    periods_per_year: P,
    total_return: total,
    annual_return: annual,
    cagr: annual,
    annual_volatility: sd * Math.sqrt(P),
    sharpe: sd > 0 ? ((mean_ - rfp) / sd) * Math.sqrt(P) : NaN,
    sortino: n >= 2 ? ((mean_ - rfp) * P) / downside : NaN,
    downside_risk: downside,
    calmar: maxDD < 0 ? annual / -maxDD : NaN,
    omega: down > 0 ? up / down : NaN,
    stability: stab,
    best_period: n ? best : NaN,
    worst_period: n ? worst : NaN,
    positive_periods_share: n ? positive / n : NaN,
    positive_months_share: haveTs && months ? posMonths / months : NaN,
    skew: skew_,
    kurtosis: kurt_,
    tail_ratio: Math.abs(p95) / Math.abs(p5),
    var_95: p5,
    cvar_95: cvar,
    max_drawdown: n ? maxDD : NaN,
    max_drawdown_duration: n ? maxRun : NaN,
    max_drawdown_duration_days: haveTs && n ? maxDays : NaN,
    avg_drawdown: n ? (episodes ? troughSum / episodes : 0) : NaN,
    ulcer_index: n ? Math.sqrt(ulcer / n) : NaN,
    recovery_factor: maxDD < 0 ? total / -maxDD : NaN,
    alpha: NaN,
    beta: NaN,
    correlation: NaN,
    information_ratio: NaN,
    tracking_error: NaN,
    benchmark_total_return: NaN,
    num_trades: NaN,
    win_rate: NaN,
    profit_factor: NaN,
    payoff_ratio: NaN,
    expectancy: NaN,
    avg_holding_bars: NaN,
    avg_holding_days: NaN,
    max_consecutive_wins: NaN,
    max_consecutive_losses: NaN,
    sqn: NaN,
    kelly_fraction: NaN,
    exposure_time: inp.gross ? exposureTime(inp.gross) : NaN,
    avg_exposure: inp.gross && inp.equity ? avgExposure(inp.gross, inp.equity) : NaN,
    turnover: inp.trades && inp.equity ? turnover(inp.trades, inp.equity, P) : NaN,
    commission_paid: inp.commission ?? NaN,
    slippage_paid: inp.slippage ?? NaN,
  };

  if (bench) {
    const p = pairStats(r, bench);
    const b = betaOf(p);
    m.beta = b;
    m.alpha = alphaOf(p, b, P, rf);
    m.correlation = p.n >= 2 && p.sbb > 0 && p.srr > 0 ? p.sbr / Math.sqrt(p.sbb * p.srr) : NaN;
    const te = p.n >= 2 ? Math.sqrt(p.saa / (p.n - 1)) : NaN;
    m.tracking_error = te * Math.sqrt(P);
    m.information_ratio = te > 0 ? ((p.mr - p.mb) / te) * Math.sqrt(P) : NaN;
    m.benchmark_total_return = p.btotal;
  }

  if (inp.trades) {
    const c = closedTrades(inp.trades);
    const s = tradeSums(c.net);
    const st = streaks(c.net);
    const sdn = std(c.net);
    m.num_trades = s.n;
    m.win_rate = s.n ? s.wins / s.n : NaN;
    m.profit_factor = pf(s);
    m.payoff_ratio = payoff(s);
    m.expectancy = s.n ? s.sum / s.n : NaN;
    m.avg_holding_bars = meanOf(c.bars);
    m.avg_holding_days = meanOf(c.days);
    m.max_consecutive_wins = st.wins;
    m.max_consecutive_losses = st.losses;
    m.sqn = s.n >= 2 && sdn > 0 ? (Math.sqrt(s.n) * (s.sum / s.n)) / sdn : NaN;
    m.kelly_fraction = kelly(s);
  }
  return m;
}
