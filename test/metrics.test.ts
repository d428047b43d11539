/**
 * engine/metrics.ts and `alphatrade metrics`, against numbers worked out independently:
 * - E: expected values copied from empyrical's own test suite (quantopian/empyrical, empyrical/tests/test_stats.py),
 *   on its fixtures (mixed_returns, positive_returns, negative_returns, weekly/monthly returns, one_return, …);
 * - H: by hand on tiny series (the arithmetic is in the comments; exact binary fractions where it matters);
 * - F: from the formula written out independently in the test.
 */
import { describe, expect, it } from 'vitest';
import { runCli } from '../commands/cli.ts';
import { metricsCommand, parseValue } from '../commands/metrics.ts';
import { Registry } from '../commands/registry.ts';
import * as M from '../engine/metrics.ts';
import type { TradeRecord } from '../engine/portfolio.ts';
import { writeTmp } from './helpers/tmp.ts';

const f64 = (xs: number[]) => new Float64Array(xs);
const pct = (xs: number[]) => f64(xs.map((x) => x / 100));
const DAY = 86_400_000;
const day = (s: string) => Date.parse(`${s}T00:00:00Z`);

// empyrical fixtures (daily unless said)
const mixed = pct([NaN, 1, 10, -4, 2, 3, 2, 1, -10]);
const mixedZero = pct([0, 1, 10, -4, 2, 3, 2, 1, -10]); // the same with the NaN row as a 0 % period (empyrical's weekly_returns)
const positive = pct([1, 2, 1, 1, 1, 1, 1, 1, 1]);
const negative = pct([0, -6, -7, -1, -9, -2, -6, -8, -5]);
const oneReturn = pct([1]);
const empty = f64([]);

describe('empyrical reference values (E)', () => {
  it('max_drawdown (negative fraction)', () => {
    expect(M.maxDrawdown(mixed)).toBeCloseTo(-0.1, 12);
    expect(M.maxDrawdown(negative)).toBeCloseTo(-0.36590730349873601, 12);
    expect(M.maxDrawdown(positive)).toBe(0);
    expect(M.maxDrawdown(oneReturn)).toBe(0);
    expect(M.maxDrawdown(pct([10, -10, 10]))).toBeCloseTo(-0.1, 12);
    expect(M.maxDrawdown(empty)).toBeNaN();
  });

  it('annual_volatility, sharpe (ddof 1)', () => {
    expect(M.annualVolatility(mixed, 252)).toBeCloseTo(0.9136465399704637, 12);
    expect(M.annualVolatility(mixedZero, 52)).toBeCloseTo(0.38851569394870583, 12);
    expect(M.annualVolatility(mixedZero, 12)).toBeCloseTo(0.18663690238892558, 12);
    expect(M.sharpe(mixed, 252)).toBeCloseTo(1.7238613961706866, 12);
    expect(M.sharpe(positive, 252)).toBeCloseTo(52.915026221291804, 10);
    expect(M.sharpe(negative, 252)).toBeCloseTo(-24.406808633910085, 10);
    expect(M.sharpe(oneReturn, 252)).toBeNaN();
    expect(M.sharpe(empty, 252)).toBeNaN();
  });

  it('annual_return and calmar: empyrical counts its leading NaN row as a period, so compare on the 0-filled series', () => {
    // empyrical: annual_return(mixed_returns) = 1.9135925373194231 = 1.03893109^(252/9) − 1 (n = 9 with the NaN row).
    // Here a NaN is a missing period (n = 8); with the row as 0 % the numbers are empyrical's.
    expect(M.annualReturn(mixedZero, 252)).toBeCloseTo(1.9135925373194231, 12);
    expect(M.calmar(mixedZero, 252)).toBeCloseTo(19.135925373194233, 10);
    expect(M.annualReturn(mixedZero, 52)).toBeCloseTo(0.24690830513998208, 12); // weekly_returns
    expect(M.calmar(mixedZero, 52)).toBeCloseTo(2.4690830513998208, 12);
    expect(M.annualReturn(mixedZero, 12)).toBeCloseTo(0.052242061386048144, 12); // monthly_returns
    expect(M.calmar(mixedZero, 12)).toBeCloseTo(0.52242061386048144, 12);
    // H: skipping the NaN, n = 8: 1.03893109170048^(252/8) − 1
    expect(M.annualReturn(mixed, 252)).toBeCloseTo(1.0389310917004804 ** 31.5 - 1, 12);
    expect(M.totalReturn(mixed)).toBeCloseTo(0.03893109170048037, 14); // empyrical cum_returns_final 0.03893
    expect(M.calmar(oneReturn, 252)).toBeNaN();
    expect(M.annualReturn(empty, 252)).toBeNaN();
  });

  it('downside_risk and sortino', () => {
    expect(M.downsideRisk(mixed, 252)).toBeCloseTo(0.60448325038829653, 12);
    expect(M.downsideRisk(mixed, 252, 0.1)).toBeCloseTo(1.7161730681956295, 12);
    expect(M.downsideRisk(mixedZero, 52)).toBeCloseTo(0.25888650451930134, 12);
    expect(M.downsideRisk(mixedZero, 52, 0.1)).toBeCloseTo(0.7733045971672482, 12);
    expect(M.downsideRisk(mixedZero, 12)).toBeCloseTo(0.1243650540411842, 12);
    expect(M.downsideRisk(oneReturn, 252)).toBe(0);
    expect(M.sortino(mixed, 252)).toBeCloseTo(2.605531251673693, 12);
    // weekly/monthly: empyrical's expected 0.50690062680370862 (weekly) and 0.11697706772393276 (monthly) divide by
    // the downside risk annualised with the DAILY factor (√252) — an inconsistency of that empyrical version. F: ours
    // is mean × P / downside_risk(P); the ratio to empyrical's numbers is exactly √252 / √P.
    const mean9 = 5 / 900;
    expect(M.sortino(mixedZero, 52)).toBeCloseTo((mean9 * 52) / 0.25888650451930134, 12);
    expect(M.sortino(mixedZero, 52) * (Math.sqrt(52) / Math.sqrt(252))).toBeCloseTo(0.50690062680370862, 12);
    expect(M.sortino(mixedZero, 12) * (Math.sqrt(12) / Math.sqrt(252))).toBeCloseTo(0.11697706772393276, 12);
    expect(M.sortino(negative, 252)).toBeCloseTo(-13.532743075043401, 10);
    expect(M.sortino(positive, 252)).toBe(Infinity); // empyrical: np.inf
    expect(M.sortino(oneReturn, 252)).toBeNaN();
  });

  it('omega', () => {
    // empyrical omega_ratio(mixed, risk_free=0, required_return=10) with annualisation 252: θ = 11^(1/252) − 1
    expect(M.omega(mixed, 11 ** (1 / 252) - 1)).toBeCloseTo(0.83354263497557934, 12);
    expect(M.omega(positive, 0.011)).toBeCloseTo(1.125, 12);
    expect(M.omega(positive, 0.02)).toBe(0);
    expect(M.omega(positive, 0.01)).toBeNaN(); // no period below θ
    expect(M.omega(negative, 0.01)).toBe(0);
    expect(M.omega(empty)).toBeNaN();
    // H: θ = 0: gains 1+10+2+3+2+1 = 19 %, losses 4+10 = 14 % → 19/14
    expect(M.omega(mixed)).toBeCloseTo(19 / 14, 12);
  });

  it('stability (R² of cumulative log returns)', () => {
    expect(M.stability(mixed)).toBeCloseTo(0.1529973665111273, 12);
    expect(M.stability(pct([1, 1, 1, 1, 1, 1, 1, 1, 1]))).toBeCloseTo(1, 12); // flat_line_1
    expect(M.stability(oneReturn)).toBeNaN();
    expect(M.stability(f64([0, 0, 0, 0]))).toBe(0); // constant log equity: scipy linregress r = 0
  });

  it('tail_ratio', () => {
    // E: empyrical 0.9473684210526313. H: the 9 values with the NaN row as 0, sorted −.10 −.04 0 .01 .01 .02 .02 .03 .10:
    // p95 at position 7.6 → .03 + .6 × .07 = .072; p5 at 0.4 → −.10 + .4 × .06 = −.076; .072 / .076 = 18/19
    expect(M.tailRatio(mixedZero)).toBeCloseTo(0.9473684210526313, 12);
    // H: NaN skipped (8 values): p95 at 6.65 → .03 + .65 × .07 = .0755; p5 at .35 → −.10 + .35 × .06 = −.079
    expect(M.tailRatio(mixed)).toBeCloseTo(0.0755 / 0.079, 12);
    expect(M.tailRatio(oneReturn)).toBe(1);
    expect(M.tailRatio(empty)).toBeNaN();
  });

  it('VaR and CVaR keep empyrical\'s sign (negative = loss)', () => {
    // empyrical value_at_risk = np.percentile(r, 5); conditional_value_at_risk = mean of the ⌊(n−1)·0.05⌋ + 1 smallest
    expect(M.valueAtRisk(mixed)).toBeCloseTo(-0.079, 12); // H: as above
    expect(M.conditionalValueAtRisk(mixed)).toBeCloseTo(-0.1, 12); // ⌊7 × .05⌋ = 0 → the single smallest
    const r = f64(Array.from({ length: 101 }, (_, i) => (i - 50) / 1000)); // −.050 … +.050
    expect(M.valueAtRisk(r)).toBeCloseTo(-0.045, 12); // position 5 exactly
    expect(M.conditionalValueAtRisk(r)).toBeCloseTo(-0.0475, 12); // mean of −.050 … −.045 (6 values)
  });

  it('alpha and beta', () => {
    // empyrical alpha_beta(mixed_returns, negative_returns[1:]): aligned by date → mixed[1..8] against negative[1..8]
    const r = mixed.slice(1);
    const b = negative.slice(1);
    expect(M.beta(r, b)).toBeCloseTo(-0.71296296296296313, 12);
    expect(M.alpha(r, b, 252)).toBeCloseTo(-0.9997853834885004, 10);
    // F: mean r = 5/800, mean b = −44/800, intercept = r̄ − β b̄; alpha = (1 + intercept)^252 − 1 (older empyrical
    // reported intercept × 252 = −8.306666666666668)
    const intercept = 5 / 800 - -0.71296296296296313 * (-44 / 800);
    expect(intercept * 252).toBeCloseTo(-8.306666666666668, 9);
    expect(M.alpha(r, b, 252)).toBeCloseTo((1 + intercept) ** 252 - 1, 12);
    // against itself and its negation: (0, 1) and (0, −1)
    expect(M.beta(mixed, mixed)).toBeCloseTo(1, 12);
    expect(M.alpha(mixed, mixed, 252)).toBeCloseTo(0, 12);
    expect(M.beta(mixed, mixed.map((x) => -x))).toBeCloseTo(-1, 12);
    expect(M.alpha(mixed, mixed.map((x) => -x), 252)).toBeCloseTo(0, 12);
    // a constant benchmark (flat_line_1) → NaN; one point → NaN
    expect(M.beta(mixed, pct([1, 1, 1, 1, 1, 1, 1, 1, 1]))).toBeNaN();
    expect(M.alpha(oneReturn, oneReturn, 252)).toBeNaN();
  });

  it('information ratio is annualised: empyrical\'s per-period value × √P', () => {
    // empyrical information_ratio(mixed_returns, 0) = 0.10859306069076737 (per period)
    const zero = f64(new Array(9).fill(0));
    expect(M.informationRatio(mixed, zero, 252)).toBeCloseTo(0.10859306069076737 * Math.sqrt(252), 10);
    // tracking error against 0 is the annual volatility
    expect(M.trackingError(mixed, zero, 252)).toBeCloseTo(0.9136465399704637, 12);
    expect(M.informationRatio(oneReturn, f64([0]), 252)).toBeNaN();
  });
});

describe('hand-worked tiny series (H)', () => {
  // r = +10 %, −5 %, +2 %, −10 %, +5 %; equity 1.1, 1.045, 1.0659, 0.95931, 1.0072755
  const r = pct([10, -5, 2, -10, 5]);
  const ts = f64(['2024-01-01', '2024-01-02', '2024-01-03', '2024-01-04', '2024-01-05'].map(day));

  it('returns, moments, quantiles', () => {
    const m = M.computeMetrics({ returns: r, ts, periods: 252 });
    expect(m.total_return).toBeCloseTo(1.0072755 - 1, 14);
    // mean .004; deviations .096 −.054 .016 −.104 .046; Σd² = .02532 → var .00633 (ddof 1)
    const sd = Math.sqrt(0.02532 / 4);
    expect(m.annual_volatility).toBeCloseTo(sd * Math.sqrt(252), 12);
    expect(m.sharpe).toBeCloseTo((0.004 / sd) * Math.sqrt(252), 12);
    // downside: (−.05)² + (−.10)² = .0125 over 5 periods
    expect(m.downside_risk).toBeCloseTo(Math.sqrt(0.0125 / 5) * Math.sqrt(252), 12);
    expect(m.sortino).toBeCloseTo((0.004 * 252) / (Math.sqrt(0.0125 / 5) * Math.sqrt(252)), 12);
    // Σd³ = .000884736 − .000157464 + .000004096 − .001124864 + .000097336 = −.00029616
    const m2 = 0.02532 / 5;
    expect(m.skew).toBeCloseTo(-0.00029616 / 5 / m2 ** 1.5, 12);
    // Σd⁴ = .096⁴ + .054⁴ + .016⁴ + .104⁴ + .046⁴
    const s4 = 0.096 ** 4 + 0.054 ** 4 + 0.016 ** 4 + 0.104 ** 4 + 0.046 ** 4;
    expect(m.kurtosis).toBeCloseTo(s4 / 5 / (m2 * m2) - 3, 12);
    expect(m.best_period).toBeCloseTo(0.1, 15);
    expect(m.worst_period).toBeCloseTo(-0.1, 15);
    expect(m.positive_periods_share).toBeCloseTo(3 / 5, 15);
    expect(m.omega).toBeCloseTo(0.17 / 0.15, 12); // gains 10+2+5, losses 5+10
    // sorted −.10 −.05 .02 .05 .10: p5 at position .2 → −.10 + .2 × .05 = −.09; p95 at 3.8 → .05 + .8 × .05 = .09
    expect(m.var_95).toBeCloseTo(-0.09, 12);
    expect(m.cvar_95).toBeCloseTo(-0.1, 12);
    expect(m.tail_ratio).toBeCloseTo(1, 12);
    expect(m.annual_return).toBeCloseTo(1.0072755 ** (252 / 5) - 1, 10);
  });

  it('drawdowns', () => {
    const m = M.computeMetrics({ returns: r, ts, periods: 252 });
    // peak 1.1 after day 1; drawdowns 1.045/1.1 − 1 = −.05, 1.0659/1.1 − 1 = −.031, .95931/1.1 − 1 = −.1279,
    // 1.0072755/1.1 − 1 = −.084295; never recovered: one episode of 4 bars, 4 days (Jan 1 → Jan 5)
    const dd = [-0.05, -0.031, -0.1279, 1.0072755 / 1.1 - 1];
    expect(m.max_drawdown).toBeCloseTo(-0.1279, 12);
    expect(m.max_drawdown_duration).toBe(4);
    expect(m.max_drawdown_duration_days).toBeCloseTo(4, 9);
    expect(m.avg_drawdown).toBeCloseTo(-0.1279, 12);
    expect(m.ulcer_index).toBeCloseTo(Math.sqrt(dd.reduce((a, d) => a + d * d, 0) / 5), 12);
    expect(m.recovery_factor).toBeCloseTo(0.0072755 / 0.1279, 10);
    expect(m.calmar).toBeCloseTo((1.0072755 ** (252 / 5) - 1) / 0.1279, 9);
    expect(Array.from(M.drawdowns(r)).map((x) => +x.toFixed(6))).toEqual([0, ...dd.map((x) => +x.toFixed(6))]);
  });

  it('two recovered drawdowns on exact binary numbers', () => {
    // r = +100 %, −50 %, +100 %, −50 %, −50 %, +300 % → equity 2, 1, 2, 1, .5, 2
    // episode 1: day 2 at −.5, back to 2 on day 3 (peak day 1 → day 3: 2 days, 1 bar underwater)
    // episode 2: days 4–5 at −.5, −.75, back on day 6 (peak day 3 → day 6: 3 days, 2 bars underwater)
    const x = f64([1, -0.5, 1, -0.5, -0.5, 3]);
    const t = f64([1, 2, 3, 4, 5, 6].map((d) => d * DAY));
    const m = M.computeMetrics({ returns: x, ts: t, periods: 252 });
    expect(m.max_drawdown).toBe(-0.75);
    expect(m.max_drawdown_duration).toBe(2);
    expect(m.max_drawdown_duration_days).toBe(3);
    expect(m.avg_drawdown).toBe(-0.625);
    expect(m.ulcer_index).toBeCloseTo(Math.sqrt((0.25 + 0.25 + 0.5625) / 6), 14);
    expect(m.total_return).toBe(1);
    expect(m.recovery_factor).toBeCloseTo(1 / 0.75, 14);
    expect(M.maxDrawdownDuration(x)).toBe(2);
    expect(M.maxDrawdownDurationDays(x, t)).toBe(3);
    expect(M.avgDrawdown(x)).toBe(-0.625);
  });

  it('an equity curve gives the same metrics as its returns, times shifted by one', () => {
    const eq = f64([100, 200, 100, 200, 100, 50, 200]);
    const t = f64([0, 1, 2, 3, 4, 5, 6].map((d) => d * DAY));
    const a = M.computeMetrics({ equity: eq, ts: t, periods: 252 });
    const b = M.computeMetrics({ returns: f64([1, -0.5, 1, -0.5, -0.5, 3]), ts: t.subarray(1), periods: 252 });
    expect(a).toEqual(b);
  });

  it('positive months share (UTC calendar months, partial months count)', () => {
    // Jan: 1.01 × .98 = .9898 (down); Feb: 1.03 × 1.01 (up); Mar: .99 (down) → 1/3
    const x = pct([1, -2, 3, 1, -1]);
    const t = f64(['2024-01-15', '2024-01-20', '2024-02-03', '2024-02-10', '2024-03-01'].map(day));
    expect(M.positiveMonthsShare(x, t)).toBeCloseTo(1 / 3, 15);
    expect(M.computeMetrics({ returns: x, ts: t, periods: 252 }).positive_months_share).toBeCloseTo(1 / 3, 15);
    expect(M.computeMetrics({ returns: x, periods: 252 }).positive_months_share).toBeNaN();
  });

  it('risk-free rate: per period (1 + rf)^(1/P) − 1 in Sharpe, Sortino target, Omega threshold, alpha', () => {
    const rfp = 1.05 ** (1 / 252) - 1;
    const m = M.computeMetrics({ returns: r, periods: 252, rf: 0.05, benchmark: pct([5, -2, 1, -6, 3]) });
    const sd = Math.sqrt(0.02532 / 4);
    expect(m.sharpe).toBeCloseTo(((0.004 - rfp) / sd) * Math.sqrt(252), 12);
    expect(m.sortino).toBeCloseTo(M.sortino(r, 252, rfp), 12);
    expect(m.omega).toBeCloseTo(M.omega(r, rfp), 12);
    expect(m.alpha).toBeCloseTo(M.alpha(r, pct([5, -2, 1, -6, 3]), 252, 0.05), 12);
  });
});

describe('periods per year', () => {
  const weekdays = (n: number, start = day('2024-01-01')) => {
    const out: number[] = [];
    for (let t = start; out.length < n; t += DAY) {
      const d = new Date(t).getUTCDay();
      if (d !== 0 && d !== 6) out.push(t);
    }
    return f64(out);
  };
  it('daily, weekly, monthly; weekends → 365', () => {
    expect(M.periodsPerYear(weekdays(300))).toBe(252);
    expect(M.periodsPerYear(f64(Array.from({ length: 300 }, (_, i) => day('2024-01-01') + i * DAY)))).toBe(365);
    expect(M.periodsPerYear(f64(Array.from({ length: 60 }, (_, i) => day('2024-01-01') + i * 7 * DAY)))).toBe(52);
    expect(M.periodsPerYear(f64(Array.from({ length: 36 }, (_, i) => Date.UTC(2020, i, 1))))).toBe(12);
    expect(M.periodsPerYear(undefined)).toBe(252);
  });
  it('intraday: 252 × bars per trading day (equity) or 365 × bars per 24 h', () => {
    // 15-minute bars 13:30–19:45 UTC (NYSE session): 26 a day
    const eq: number[] = [];
    for (const d of weekdays(40)) for (let k = 0; k < 26; k++) eq.push(d + 13.5 * 3_600_000 + k * 900_000);
    expect(M.periodsPerYear(f64(eq))).toBe(252 * 26);
    const crypto = f64(Array.from({ length: 96 * 30 }, (_, i) => day('2024-01-01') + i * 900_000));
    expect(M.periodsPerYear(crypto)).toBe(365 * 96);
    expect(M.inferPeriods(crypto).calendar).toBe('24x7');
  });
  it('timeframe and calendar given', () => {
    expect(M.periodsPerYear(undefined, '1d', '24x7')).toBe(365);
    expect(M.periodsPerYear(undefined, '2d')).toBe(126);
    expect(M.periodsPerYear(undefined, '1h')).toBe(252 * 7); // 6.5 h session → 7 hourly bars (the last half)
    expect(M.periodsPerYear(undefined, '15m', '24x7')).toBe(365 * 96);
    expect(M.periodsPerYear(undefined, '1w')).toBe(52);
    expect(M.periodsPerYear(undefined, '1mo')).toBe(12);
    expect(M.periodsPerYear(weekdays(300), undefined, '24x7')).toBe(365);
  });
});

describe('trade metrics (closed trades, net of commission)', () => {
  const tr = (pnl: number, commission: number, exitDay: number, bars: number, open = false): TradeRecord => ({
    symbol: 'X', side: 'long', qty: 10, entryTime: (exitDay - bars) * DAY, entryPrice: 10, exitTime: exitDay * DAY, exitPrice: 12,
    pnl, commission, bars, open,
  });
  // by exit time: net +95, +60, 0, +30, −45, −10 (the open trade's +1000 is excluded); listed out of order
  const trades = [tr(40, 10, 4, 1), tr(100, 5, 1, 1), tr(-40, 5, 5, 2), tr(20, 20, 3, 3), tr(60, 0, 2, 2), tr(-10, 0, 6, 1), tr(1000, 0, 7, 4, true)];

  it('counts, ratios, streaks', () => {
    const m = M.computeMetrics({ returns: pct([1, -1]), periods: 252, trades });
    expect(m.num_trades).toBe(6);
    expect(m.win_rate).toBeCloseTo(3 / 6, 15); // the 0 is neither a win nor a loss
    expect(m.profit_factor).toBeCloseTo(185 / 55, 14);
    expect(m.payoff_ratio).toBeCloseTo(185 / 3 / (55 / 2), 14);
    expect(m.expectancy).toBeCloseTo(130 / 6, 14);
    expect(m.avg_holding_bars).toBeCloseTo((1 + 1 + 2 + 3 + 2 + 1) / 6, 14);
    expect(m.avg_holding_days).toBeCloseTo(10 / 6, 14);
    expect(m.max_consecutive_wins).toBe(2); // +95 +60, then 0 breaks the run, +30
    expect(m.max_consecutive_losses).toBe(2); // −45 −10
    const net = [95, 60, 0, 30, -45, -10];
    const mu = 130 / 6;
    const sd = Math.sqrt(net.reduce((a, x) => a + (x - mu) ** 2, 0) / 5);
    expect(m.sqn).toBeCloseTo((Math.sqrt(6) * mu) / sd, 12);
    const R = 185 / 3 / (55 / 2);
    expect(m.kelly_fraction).toBeCloseTo(0.5 - 0.5 / R, 14);
    // the single-metric functions agree
    expect(M.winRate(trades)).toBe(m.win_rate);
    expect(M.profitFactor(trades)).toBe(m.profit_factor);
    expect(M.payoffRatio(trades)).toBe(m.payoff_ratio);
    expect(M.expectancy(trades)).toBe(m.expectancy);
    expect(M.maxConsecutiveWins(trades)).toBe(2);
    expect(M.maxConsecutiveLosses(trades)).toBe(2);
    expect(M.sqn(trades)).toBe(m.sqn);
    expect(M.kellyFraction(trades)).toBe(m.kelly_fraction);
    expect(M.avgHoldingBars(trades)).toBe(m.avg_holding_bars);
    expect(M.avgHoldingDays(trades)).toBe(m.avg_holding_days);
  });

  it('no losing trade: profit factor and payoff +Infinity (null in JSON), Kelly = win rate; no trades: NaN', () => {
    const wins = [tr(10, 0, 1, 1), tr(20, 0, 2, 1)];
    const m = M.computeMetrics({ returns: pct([1]), periods: 252, trades: wins });
    expect(m.profit_factor).toBe(Infinity);
    expect(m.payoff_ratio).toBe(Infinity);
    expect(m.kelly_fraction).toBe(1);
    expect(M.metricsJson(m).profit_factor).toBeNull();
    const none = M.computeMetrics({ returns: pct([1]), periods: 252, trades: [] });
    expect(none.num_trades).toBe(0);
    expect(none.win_rate).toBeNaN();
    expect(none.profit_factor).toBeNaN();
    const without = M.computeMetrics({ returns: pct([1]), periods: 252 });
    expect(without.num_trades).toBeNaN();
  });

  it('exposure time, average exposure, turnover, costs', () => {
    const equity = f64([100, 100, 200, 100]);
    const gross = f64([0, 100, 100, 0]);
    // traded notional: closed 10 × 10 + 10 × 12 = 220, open 5 × 20 = 100 → 320 / 2 = 160; mean equity 125;
    // years = 3 / 252 → 160 / 125 / (3/252) = 107.52
    const t2: TradeRecord[] = [
      { symbol: 'X', side: 'long', qty: 10, entryTime: 0, entryPrice: 10, exitTime: DAY, exitPrice: 12, pnl: 20, commission: 0, bars: 1, open: false },
      { symbol: 'X', side: 'short', qty: 5, entryTime: 2 * DAY, entryPrice: 20, exitTime: 3 * DAY, exitPrice: 20, pnl: 0, commission: 0, bars: 1, open: true },
    ];
    const m = M.computeMetrics({ equity, gross, trades: t2, periods: 252, commission: 3.5, slippage: 1.25 });
    expect(m.exposure_time).toBe(0.5);
    expect(m.avg_exposure).toBeCloseTo((0 + 1 + 0.5 + 0) / 4, 15);
    expect(m.turnover).toBeCloseTo(107.52, 10);
    expect(m.commission_paid).toBe(3.5);
    expect(m.slippage_paid).toBe(1.25);
    expect(m.num_trades).toBe(1);
  });
});

describe('computeMetrics', () => {
  it('has at least 30 metrics, snake_case keys, the keys issue 6 requires, JSON null for non-finite', () => {
    const m = M.computeMetrics({ returns: mixed, periods: 252 });
    expect(Object.keys(m).sort()).toEqual([...M.METRIC_KEYS].sort());
    expect(M.METRIC_KEYS.length).toBeGreaterThanOrEqual(30);
    for (const k of M.METRIC_KEYS) expect(k).toMatch(/^[a-z][a-z0-9]*(_[a-z0-9]+)*$/);
    for (const k of ['total_return', 'annual_return', 'annual_volatility', 'sharpe', 'sortino', 'calmar', 'omega', 'max_drawdown', 'downside_risk', 'tail_ratio', 'stability', 'var_95', 'cvar_95', 'skew', 'kurtosis', 'alpha', 'beta']) {
      expect(M.METRIC_KEYS).toContain(k);
    }
    const j = M.metricsJson(M.computeMetrics({ returns: pct([1, 2, 3]), periods: 252 }));
    expect(j.sortino).toBeNull(); // +Infinity: no downside
    expect(j.max_drawdown).toBe(0);
    expect(j.alpha).toBeNull();
    expect(JSON.parse(JSON.stringify(j)).calmar).toBeNull();
  });

  it('the mixed_returns fixture through computeMetrics (NaN row skipped)', () => {
    const m = M.computeMetrics({ returns: mixed, periods: 252 });
    expect(m.num_periods).toBe(8);
    expect(m.sharpe).toBeCloseTo(1.7238613961706866, 12);
    expect(m.sortino).toBeCloseTo(2.605531251673693, 12);
    expect(m.downside_risk).toBeCloseTo(0.60448325038829653, 12);
    expect(m.annual_volatility).toBeCloseTo(0.9136465399704637, 12);
    expect(m.max_drawdown).toBeCloseTo(-0.1, 12);
    expect(m.stability).toBeCloseTo(0.1529973665111273, 12);
    expect(m.var_95).toBeCloseTo(-0.079, 12);
    expect(m.cvar_95).toBeCloseTo(-0.1, 12);
    const z = M.computeMetrics({ returns: mixedZero, periods: 252 });
    expect(z.annual_return).toBeCloseTo(1.9135925373194231, 12);
    expect(z.cagr).toBe(z.annual_return);
    expect(z.calmar).toBeCloseTo(19.135925373194233, 10);
    expect(z.tail_ratio).toBeCloseTo(0.9473684210526313, 12);
  });

  it('empty and one-point series', () => {
    const e = M.computeMetrics({ returns: empty, periods: 252 });
    expect(e.num_periods).toBe(0);
    expect(e.total_return).toBe(0);
    for (const k of ['annual_return', 'sharpe', 'sortino', 'max_drawdown', 'var_95', 'stability', 'skew'] as const) expect(e[k]).toBeNaN();
    const o = M.computeMetrics({ returns: oneReturn, periods: 252 });
    expect(o.total_return).toBeCloseTo(0.01, 15);
    expect(o.sharpe).toBeNaN();
    expect(o.max_drawdown).toBe(0);
    expect(o.tail_ratio).toBe(1);
  });

  it('agrees with the single-metric functions on a random series with gaps and a benchmark', () => {
    let seed = 12345;
    const rnd = () => ((seed = (seed * 16807) % 2147483647) / 2147483647);
    for (const n of [997, 120_000]) {
      const r = new Float64Array(n);
      const b = new Float64Array(n);
      const ts = new Float64Array(n);
      for (let i = 0; i < n; i++) {
        b[i] = (rnd() - 0.5) * 0.02;
        r[i] = 0.0003 + 0.7 * b[i] + (rnd() - 0.5) * 0.015;
        ts[i] = Date.UTC(2001, 0, 1) + i * 3_600_000;
        if (rnd() < 0.01) r[i] = NaN;
        if (rnd() < 0.01) b[i] = NaN;
      }
      const P = 252 * 7;
      const m = M.computeMetrics({ returns: r, ts, benchmark: b, periods: P, rf: 0.03 });
      const rfp = 1.03 ** (1 / P) - 1;
      const close = (a: number, e: number) => expect(Math.abs(a - e)).toBeLessThanOrEqual(1e-9 * Math.max(1, Math.abs(e)));
      close(m.total_return, M.totalReturn(r));
      close(m.annual_return, M.annualReturn(r, P));
      close(m.annual_volatility, M.annualVolatility(r, P));
      close(m.sharpe, M.sharpe(r, P, 0.03));
      close(m.sortino, M.sortino(r, P, rfp));
      close(m.downside_risk, M.downsideRisk(r, P, rfp));
      close(m.omega, M.omega(r, rfp));
      close(m.calmar, M.calmar(r, P));
      close(m.max_drawdown, M.maxDrawdown(r));
      expect(m.max_drawdown_duration).toBe(M.maxDrawdownDuration(r));
      close(m.avg_drawdown, M.avgDrawdown(r));
      close(m.ulcer_index, M.ulcerIndex(r));
      close(m.recovery_factor, M.recoveryFactor(r));
      close(m.stability, M.stability(r));
      close(m.skew, M.skew(r));
      close(m.kurtosis, M.kurtosis(r));
      close(m.best_period, M.bestPeriod(r));
      close(m.worst_period, M.worstPeriod(r));
      close(m.positive_periods_share, M.positivePeriodsShare(r));
      close(m.positive_months_share, M.positiveMonthsShare(r, ts));
      close(m.max_drawdown_duration_days, M.maxDrawdownDurationDays(r, ts));
      // quantiles: the sampled-tail path (n ≥ 50,000) must select the same order statistics as a full selection
      // (CVaR sums the same values in another order: equal to rounding)
      expect(m.var_95).toBe(M.valueAtRisk(r));
      close(m.cvar_95, M.conditionalValueAtRisk(r));
      expect(m.tail_ratio).toBe(M.tailRatio(r));
      close(m.beta, M.beta(r, b));
      close(m.alpha, M.alpha(r, b, P, 0.03));
      close(m.information_ratio, M.informationRatio(r, b, P));
      close(m.tracking_error, M.trackingError(r, b, P));
      close(m.correlation, M.correlation(r, b));
    }
  });

  it('quantiles stay exact on awkward data (ties, sorted, few distinct values)', () => {
    const n = 100_000;
    const sorted = f64(Array.from({ length: n }, (_, i) => i / n - 0.5));
    const ties = f64(Array.from({ length: n }, (_, i) => ((i * 7919) % 5) / 100 - 0.02));
    const spike = f64(Array.from({ length: n }, (_, i) => (i % 1000 === 0 ? -0.5 : 0.001 * Math.sin(i))));
    for (const r of [sorted, ties, spike]) {
      const s = Float64Array.from(r).sort();
      const q = (p: number) => {
        const pos = p * (n - 1);
        const lo = Math.floor(pos);
        return s[lo] + (s[lo + 1] - s[lo]) * (pos - lo);
      };
      const m = M.computeMetrics({ returns: r, periods: 252 });
      expect(m.var_95).toBeCloseTo(q(0.05), 14);
      expect(m.tail_ratio).toBeCloseTo(Math.abs(q(0.95)) / Math.abs(q(0.05)), 12);
      const k = Math.floor((n - 1) * 0.05);
      expect(m.cvar_95).toBeCloseTo(s.subarray(0, k + 1).reduce((a, x) => a + x, 0) / (k + 1), 14);
    }
  });

  it('no overflow on a long compounding series', () => {
    const r = f64(new Array(200_000).fill(0.01)); // 1.01^200000 overflows a double
    const m = M.computeMetrics({ returns: r, periods: 252 });
    expect(m.total_return).toBe(Infinity);
    expect(m.max_drawdown).toBe(0);
    expect(m.stability).toBeCloseTo(1, 9);
  });
});

// ---------------------------------------------------------------- the command

async function run(argv: string[], cwd: string) {
  let stdout = '';
  let stderr = '';
  const code = await runCli(argv, { stdout: (s) => (stdout += `${s}\n`), stderr: (s) => (stderr += `${s}\n`), env: {}, isTTY: false, errIsTTY: false, cwd }, { registry: new Registry().add(metricsCommand) });
  return { code, stdout, stderr };
}

describe('alphatrade metrics', () => {
  // empyrical's mixed_returns as a CSV: the first return missing (an empty cell), then 8 returns
  const csv = [
    'date,strategy,spy',
    '2000-01-30,,0.001',
    '2000-01-31,0.01,-0.06',
    '2000-02-01,0.10,-0.07',
    '2000-02-02,-0.04,-0.01',
    '2000-02-03,2%,-0.09',
    '2000-02-04,0.03,-0.02',
    '2000-02-05,0.02,-0.06',
    '2000-02-06,0.01,NA',
    '2000-02-07,-0.10,-0.05',
  ].join('\n');

  it('--json: empyrical values, the skipped row reported, benchmark paired by date', async () => {
    const file = writeTmp('mixed.csv', csv);
    const bench = writeTmp('bench.csv', csv);
    const o = await run(['metrics', '--returns', file, '--periods', '252', '--benchmark', bench, '--benchmark-column', 'spy', '--json'], '/');
    expect(o.stderr).toBe('');
    expect(o.code).toBe(0);
    const j = JSON.parse(o.stdout);
    expect(j.column).toBe('strategy');
    expect(j.rows).toBe(9);
    expect(j.returns).toBe(8);
    expect(j.skipped).toEqual({ count: 1, lines: [2] });
    expect(j.periods_per_year).toBe(252);
    expect(j.metrics.sharpe).toBeCloseTo(1.7238613961706866, 12);
    expect(j.metrics.sortino).toBeCloseTo(2.605531251673693, 12);
    expect(j.metrics.max_drawdown).toBeCloseTo(-0.1, 12);
    expect(j.metrics.annual_volatility).toBeCloseTo(0.9136465399704637, 12);
    expect(j.metrics.stability).toBeCloseTo(0.1529973665111273, 12);
    // benchmark: 7 dates paired (Feb 6 is NA in spy); beta from the 7 pairs by formula
    expect(j.benchmark.matched).toBe(7);
    const r = [0.01, 0.1, -0.04, 0.02, 0.03, 0.02, -0.1];
    const b = [-0.06, -0.07, -0.01, -0.09, -0.02, -0.06, -0.05];
    const mr = r.reduce((a, x) => a + x) / 7;
    const mb = b.reduce((a, x) => a + x) / 7;
    const cov = r.reduce((a, x, i) => a + (x - mr) * (b[i] - mb), 0);
    const vb = b.reduce((a, x) => a + (x - mb) ** 2, 0);
    expect(j.metrics.beta).toBeCloseTo(cov / vb, 12);
    for (const k of ['total_return', 'annual_return', 'annual_volatility', 'sharpe', 'sortino', 'calmar', 'omega', 'max_drawdown', 'downside_risk', 'tail_ratio', 'stability', 'var_95', 'cvar_95', 'skew', 'kurtosis', 'alpha', 'beta']) {
      expect(j.metrics).toHaveProperty(k);
    }
    expect(j.warnings.join(' ')).toContain('7 of 8');
  });

  it('--prices: returns from an equity column; text output names the skipped rows', async () => {
    // equity 100 × empyrical cum_returns(mixed): 100, 101, 111.1, 106.656, …; one price missing mid-way
    const eq = [100];
    for (const x of [0.01, 0.1, -0.04, 0.02, 0.03, 0.02, 0.01, -0.1]) eq.push(eq[eq.length - 1] * (1 + x));
    const lines = ['Date;Equity'];
    eq.forEach((v, i) => lines.push(`2000-02-${String(i + 1).padStart(2, '0')};${i === 4 ? '' : v}`));
    const file = writeTmp('equity.csv', lines.join('\n'));
    const j = JSON.parse((await run(['metrics', file, '--prices', '--periods', '252', '--json'], '/')).stdout);
    expect(j.input).toBe('prices');
    expect(j.skipped.count).toBe(1);
    expect(j.returns).toBe(7); // 8 prices kept → 7 returns (one spans the gap)
    expect(j.metrics.total_return).toBeCloseTo(0.03893109170048037, 12); // empyrical cum_returns_final 0.03893
    expect(j.metrics.max_drawdown).toBeCloseTo(-0.1, 12);
    const t = await run(['metrics', '--returns', file, '--prices'], '/');
    expect(t.code).toBe(0);
    expect(t.stdout).toContain('skipped 1 row with a missing value (line 6)');
    expect(t.stdout).toContain('max drawdown');
    expect(t.stdout).toContain('-10.00%');
  });

  it('errors name the file, line and field', async () => {
    const bad = writeTmp('bad.csv', 'date,r\n2024-01-01,0.01\n2024-01-02,abc\n');
    const o = await run(['metrics', '--returns', bad, '--column', 'r'], '/');
    expect(o.code).toBe(1);
    expect(o.stderr).toContain('line 3');
    expect(o.stderr).toContain('field "r"');
    const unsorted = writeTmp('unsorted.csv', 'date,r\n2024-01-02,0.01\n2024-01-01,0.02\n');
    expect((await run(['metrics', '--returns', unsorted], '/')).stderr).toContain('dates must increase');
    const col = await run(['metrics', '--returns', bad, '--column', 'ret'], '/');
    expect(col.code).toBe(2);
    expect(col.stderr).toContain('no column "ret"');
    expect((await run(['metrics'], '/')).code).toBe(2);
  });

  it('parses values: fractions, percentages, missing markers', () => {
    expect(parseValue('0.012')).toBe(0.012);
    expect(parseValue('1.5%')).toBeCloseTo(0.015, 15);
    expect(parseValue('-2e-3')).toBe(-0.002);
    expect(parseValue('')).toBeNaN();
    expect(parseValue('NA')).toBeNaN();
    expect(parseValue('abc')).toBeUndefined();
  });
});
