/**
 * Portfolio rebalancing backtests (engine/rebalance.ts): spec parsing, the calendar and threshold schedules, a
 * monthly 50/50 portfolio against an equity path computed here by hand from the price arrays, no look-ahead,
 * commissions per rebalance trade, and a run over PyPortfolioOpt's stock_prices.csv.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { checkLookahead } from '../engine/lookahead.ts';
import { readPricesCsv } from '../engine/optimize/index.ts';
import { fitBounds, optimizeWeights, parseMethod, parseRebalance, periodKey, rebalanceStrategy, seriesFromWidePrices, type RebalanceRecord } from '../engine/rebalance.ts';
import { runStrategy } from '../engine/run.ts';
import { UsageError } from '../src/errors.ts';
import { Rng } from '../src/rng.ts';
import { parseTimeframe } from '../src/timeframe.ts';
import type { BarSeries } from '../src/types.ts';

const DAY = 86_400_000;

/** Mon–Fri dates (no holidays) from `from` to `to` inclusive, as YYYY-MM-DD */
function businessDays(from: string, to: string): string[] {
  const out: string[] = [];
  for (let t = Date.parse(`${from}T00:00:00Z`); t <= Date.parse(`${to}T00:00:00Z`); t += DAY) {
    const wd = new Date(t).getUTCDay();
    if (wd !== 0 && wd !== 6) out.push(new Date(t).toISOString().slice(0, 10));
  }
  return out;
}

/** random-walk price columns (seeded) */
function walks(n: number, T: number, seed: number, vol = 0.015): Float64Array[] {
  const rng = new Rng(seed);
  return Array.from({ length: n }, (_, i) => {
    const c = new Float64Array(T);
    let p = 20 + 30 * i;
    for (let t = 0; t < T; t++) {
      p *= Math.exp(vol * (1 + 0.3 * i) * rng.normal() + 0.0003);
      c[t] = p;
    }
    return c;
  });
}

/** a series with separate open and close columns (high/low from them), dates as YYYY-MM-DD at UTC midnight */
function ocSeries(symbol: string, dates: string[], open: Float64Array, close: Float64Array): BarSeries {
  const n = dates.length;
  return {
    symbol,
    timeframe: parseTimeframe('1d'),
    tz: 'UTC',
    ts: Float64Array.from(dates, (d) => Date.parse(`${d}T00:00:00Z`)),
    open,
    high: Float64Array.from({ length: n }, (_, i) => Math.max(open[i], close[i])),
    low: Float64Array.from({ length: n }, (_, i) => Math.min(open[i], close[i])),
    close,
    volume: new Float64Array(n).fill(1e6),
  };
}

const sum = (w: ArrayLike<number>) => Array.from(w).reduce((a, b) => a + b, 0);
const day = (r: RebalanceRecord) => r.time.slice(0, 10);

/**
 * An n-asset portfolio rebalanced to `w` by hand: fractional shares, no costs. At each bar t in `fills` every
 * position is set to w_i × E / open_i[t] with E = cash + Σ pos × open[t] (the rebalance decided at bar t − 1's
 * close trades at bar t's open); equity at each close is cash + Σ pos × close[t]. `decide(t, weights)` (optional)
 * adds rebalances from the weights at bar t's close (their fill is bar t + 1).
 */
function handPortfolio(
  opens: Float64Array[],
  closes: Float64Array[],
  w: number[],
  fills: Set<number>,
  decide?: (t: number, weights: number[]) => boolean,
): { equity: Float64Array; decisions: number[]; drifts: number[] } {
  const n = opens.length;
  const T = opens[0].length;
  let cash = 100_000;
  const pos = new Array<number>(n).fill(0);
  const equity = new Float64Array(T);
  const decisions: number[] = [];
  const drifts: number[] = [];
  for (let t = 0; t < T; t++) {
    if (fills.has(t)) {
      let E = cash;
      for (let i = 0; i < n; i++) E += pos[i] * opens[i][t];
      for (let i = 0; i < n; i++) {
        const q = (w[i] * E) / opens[i][t];
        cash -= (q - pos[i]) * opens[i][t];
        pos[i] = q;
      }
    }
    let e = cash;
    for (let i = 0; i < n; i++) e += pos[i] * closes[i][t];
    equity[t] = e;
    const weights = pos.map((q, i) => (q * closes[i][t]) / e);
    drifts.push(Math.max(...weights.map((x, i) => Math.abs(x - w[i]))));
    if (decide && t < T - 1 && !fills.has(t + 1) && decide(t, weights)) {
      decisions.push(t);
      fills.add(t + 1);
    }
  }
  return { equity, decisions, drifts };
}

// ------------------------------------------------------------------ parsing

describe('parseMethod / parseRebalance', () => {
  it('parses every method, with arguments and aliases', () => {
    expect(parseMethod('max_sharpe')).toEqual({ kind: 'max_sharpe', spec: 'max_sharpe' });
    expect(parseMethod('Min-Volatility').kind).toBe('min_volatility');
    expect(parseMethod('efficient_return:0.2')).toEqual({ kind: 'efficient_return', target: 0.2, spec: 'efficient_return:0.2' });
    expect(parseMethod('efficient_risk:15%')).toEqual({ kind: 'efficient_risk', target: 0.15, spec: 'efficient_risk:0.15' });
    expect(parseMethod('risk_parity').kind).toBe('risk_parity');
    expect(parseMethod('hrp').kind).toBe('hrp');
    expect(parseMethod('black_litterman')).toEqual({ kind: 'black_litterman', spec: 'black_litterman' });
    expect(parseMethod('black_litterman:AAPL=0.1;GE=-5%')).toEqual({ kind: 'black_litterman', views: { AAPL: 0.1, GE: -0.05 }, spec: 'black_litterman:AAPL=0.1;GE=-0.05' });
    expect(parseMethod('equal').kind).toBe('equal');
    expect(parseMethod('inverse_vol').kind).toBe('inverse_vol');
  });

  it('rejects bad methods with a UsageError that lists the methods', () => {
    for (const bad of ['sharpest', 'efficient_return', 'efficient_risk:x', 'efficient_risk:0', 'hrp:3', 'black_litterman:AAPL']) {
      expect(() => parseMethod(bad), bad).toThrow(UsageError);
    }
    expect(() => parseMethod('sharpest')).toThrow(/max_sharpe \| min_volatility .* inverse_vol/);
  });

  it('parses calendar, threshold and combined schedules', () => {
    expect(parseRebalance('monthly')).toEqual({ calendar: 'monthly', spec: 'monthly' });
    expect(parseRebalance('Weekly').calendar).toBe('weekly');
    expect(parseRebalance('quarterly').calendar).toBe('quarterly');
    expect(parseRebalance('threshold:0.05')).toEqual({ threshold: 0.05, spec: 'threshold:0.05' });
    expect(parseRebalance('threshold:5%').threshold).toBe(0.05);
    expect(parseRebalance('threshold:0.05+monthly')).toEqual({ calendar: 'monthly', threshold: 0.05, spec: 'monthly+threshold:0.05' });
    for (const bad of ['daily', 'threshold:0', 'threshold:1.5', 'monthly+weekly', 'threshold:', '']) {
      expect(() => parseRebalance(bad), bad).toThrow(UsageError);
    }
    expect(() => parseRebalance('yearly')).toThrow(/weekly \| monthly \| quarterly \| threshold:X/);
  });

  it('periodKey reads the calendar in the given zone', () => {
    const t = Date.parse('2021-03-01T02:00:00Z'); // 2021-02-28 21:00 in New York
    expect(periodKey(t, 'monthly', 'UTC')).toBe(2021 * 12 + 2);
    expect(periodKey(t, 'monthly', 'America/New_York')).toBe(2021 * 12 + 1);
    expect(periodKey(Date.parse('2021-01-03T12:00:00Z'), 'weekly')).toBe(periodKey(Date.parse('2020-12-28T00:00:00Z'), 'weekly')); // Sun in Mon's week
    expect(periodKey(Date.parse('2021-01-04T00:00:00Z'), 'weekly')).toBe(periodKey(Date.parse('2021-01-03T00:00:00Z'), 'weekly') + 1);
    expect(periodKey(Date.parse('2021-06-30T00:00:00Z'), 'quarterly')).toBe(periodKey(Date.parse('2021-04-01T00:00:00Z'), 'quarterly'));
  });
});

// ------------------------------------------------------------------ weights

describe('optimizeWeights', () => {
  const T = 300;
  const prices = walks(4, T + 1, 11);
  const returns = prices.map((p) => Float64Array.from({ length: T }, (_, t) => p[t + 1] / p[t] - 1));

  it('every method gives long-only weights summing to 1', () => {
    for (const m of ['max_sharpe', 'min_volatility', 'efficient_risk:0.5', 'risk_parity', 'hrp', 'black_litterman', 'equal', 'inverse_vol']) {
      for (const covariance of ['sample', 'ledoit_wolf'] as const) {
        const w = optimizeWeights(m, returns, { covariance, rf: -1 });
        expect(w.length).toBe(4);
        expect(Math.abs(sum(w) - 1), m).toBeLessThan(1e-12);
        for (const x of w) expect(x >= 0 && x <= 1, `${m} ${x}`).toBe(true);
      }
    }
  });

  it('equal is 1/n, inverse_vol ∝ 1/σ, black_litterman without views is the equal-cap market portfolio, one asset is 1', () => {
    expect(Array.from(optimizeWeights('equal', returns))).toEqual([0.25, 0.25, 0.25, 0.25]);
    const sd = returns.map((r) => {
      const m = sum(r) / r.length;
      return Math.sqrt(r.reduce((a, x) => a + (x - m) ** 2, 0) / (r.length - 1));
    });
    const inv = sd.map((s) => 1 / s);
    const w = optimizeWeights('inverse_vol', returns);
    inv.forEach((x, i) => expect(w[i]).toBeCloseTo(x / sum(inv), 12));
    const bl = optimizeWeights('black_litterman', returns);
    for (const x of bl) expect(x).toBeCloseTo(0.25, 6);
    // a strong positive view tilts towards that asset
    const tilted = optimizeWeights({ kind: 'black_litterman', views: { B: 0.8 }, spec: 'x' }, returns, { symbols: ['A', 'B', 'C', 'D'] });
    expect(tilted[1]).toBeGreaterThan(0.3);
    expect(() => optimizeWeights({ kind: 'black_litterman', views: { Z: 0.8 }, spec: 'x' }, returns, { symbols: ['A', 'B', 'C', 'D'] })).toThrow(UsageError);
    expect(Array.from(optimizeWeights('hrp', [returns[0]]))).toEqual([1]);
  });

  it('bounds hold for the optimisers and for the heuristics (fitBounds)', () => {
    for (const m of ['min_volatility', 'risk_parity', 'hrp', 'inverse_vol']) {
      const w = optimizeWeights(m, returns, { bounds: [0.1, 0.3] });
      expect(Math.abs(sum(w) - 1)).toBeLessThan(1e-9);
      for (const x of w) expect(x >= 0.1 - 1e-12 && x <= 0.3 + 1e-12, `${m} ${x}`).toBe(true);
    }
    expect(Array.from(fitBounds(Float64Array.of(0.7, 0.2, 0.1), 0, 0.5))).toEqual([0.5, expect.closeTo(1 / 3, 12), expect.closeTo(1 / 6, 12)]);
    expect(() => optimizeWeights('hrp', returns, { bounds: [0, 0.2] })).toThrow(/infeasible/);
  });
});

// ------------------------------------------------------------------ schedules

describe('calendar schedules', () => {
  const dates = businessDays('2021-01-04', '2021-12-31');
  const T = dates.length;
  const series = seriesFromWidePrices({ dates, symbols: ['A', 'B'], prices: walks(2, T, 3) });

  it('monthly fires on the first bar of each month (after the initial allocation once `lookback` bars exist)', () => {
    const st = rebalanceStrategy({ method: 'equal', rebalance: 'monthly', lookback: 5 });
    runStrategy({ strategy: st, series });
    const recs = st.history.records;
    expect(recs[0].reason).toBe('initial');
    expect(day(recs[0])).toBe('2021-01-08'); // the 5th bar
    expect(recs[0].step).toBe(4);
    expect(recs.slice(1).map((r) => r.reason)).toEqual(new Array(11).fill('calendar'));
    expect(recs.slice(1).map(day)).toEqual(['2021-02-01', '2021-03-01', '2021-04-01', '2021-05-03', '2021-06-01', '2021-07-01', '2021-08-02', '2021-09-01', '2021-10-01', '2021-11-01', '2021-12-01']);
    for (const r of recs) expect(r.weights).toEqual([0.5, 0.5]);
    expect(st.history.symbols).toEqual(['A', 'B']);
  });

  it('weekly fires on each Monday, quarterly on the first bar of each quarter', () => {
    const wk = rebalanceStrategy({ method: 'equal', rebalance: 'weekly', lookback: 5 });
    runStrategy({ strategy: wk, series });
    const w = wk.history.records.filter((r) => r.reason === 'calendar');
    expect(w.length).toBe(51); // Mondays 2021-01-11 … 2021-12-27
    for (const r of w) expect(new Date(r.t).getUTCDay()).toBe(1);
    const q = rebalanceStrategy({ method: 'equal', rebalance: 'quarterly', lookback: 5 });
    runStrategy({ strategy: q, series });
    expect(q.history.records.filter((r) => r.reason === 'calendar').map(day)).toEqual(['2021-04-01', '2021-07-01', '2021-10-01']);
  });

  it('holds cash before lookback bars exist and places nothing on the last bar', () => {
    const st = rebalanceStrategy({ method: 'min_volatility', rebalance: 'monthly', lookback: 60 });
    const r = runStrategy({ strategy: st, series });
    expect(st.history.records[0].step).toBe(59);
    for (let i = 0; i <= 60; i++) expect(r.equity[i]).toBe(100_000); // filled at bar 60's open: O = C there
    expect(r.orders.every((o) => o.placedAt < series[0].ts[T - 1])).toBe(true);
    expect(r.warnings).toEqual([]);
  });
});

// ------------------------------------------------------------------ a hand-computed 50/50 portfolio

describe('equal weights, monthly, no costs: the equity path computed by hand', () => {
  it('matches the engine bar for bar', () => {
    const dates = businessDays('2021-01-04', '2021-07-30');
    const T = dates.length;
    const L = 5;
    // decision bars: the first with L bars, then the first bar of each month (never the last bar); fills at the next
    const decisions: number[] = [L - 1];
    for (let t = L; t < T - 1; t++) if (dates[t].slice(0, 7) !== dates[t - 1].slice(0, 7)) decisions.push(t);
    const fills = new Set(decisions.map((t) => t + 1));
    // prices with overnight gaps and intraday moves; on fill bars both open at the previous close (the engine sizes
    // from equity at the last closes: with no gap that is the equity at the open) and A does not move that day
    const rng = new Rng(5);
    const opens = [new Float64Array(T), new Float64Array(T)];
    const closes = [new Float64Array(T), new Float64Array(T)];
    for (let i = 0; i < 2; i++) {
      let c = i === 0 ? 100 : 40;
      for (let t = 0; t < T; t++) {
        const o = t === 0 || fills.has(t) ? c : c * Math.exp(0.01 * rng.normal());
        c = i === 0 && fills.has(t) ? o : o * Math.exp(0.02 * rng.normal() + 0.001 * (i === 0 ? 1 : -1));
        opens[i][t] = o;
        closes[i][t] = c;
      }
    }
    const series = [ocSeries('A', dates, opens[0], closes[0]), ocSeries('B', dates, opens[1], closes[1])];
    const st = rebalanceStrategy({ method: 'equal', rebalance: 'monthly', lookback: L });
    const r = runStrategy({ strategy: st, series, integer: false });
    expect(st.history.records.map((x) => x.step)).toEqual(decisions);
    const hand = handPortfolio(opens, closes, [0.5, 0.5], new Set(fills));
    for (let t = 0; t < T; t++) expect(Math.abs(r.equity[t] - hand.equity[t]), `bar ${t} ${dates[t]}`).toBeLessThan(1e-9 * hand.equity[t]);
    // every fill is at the open of a fill bar
    for (const f of r.fills) {
      const t = dates.indexOf(new Date(f.ts).toISOString().slice(0, 10));
      expect(fills.has(t)).toBe(true);
      expect(f.price).toBe(opens[f.symbol === 'A' ? 0 : 1][t]);
    }
    expect(r.fills.length).toBe(2 * fills.size);
    expect(r.finalEquity).not.toBeCloseTo(100_000, 0);
  });
});

// ------------------------------------------------------------------ threshold

describe('threshold rebalancing', () => {
  it('fires exactly at the first close where a weight drifts more than x from its target', () => {
    const T = 160;
    const dates = Array.from({ length: T }, (_, t) => new Date(Date.UTC(2021, 0, 1) + t * DAY).toISOString().slice(0, 10));
    // A flat at 100; B up 1 % a bar, opening at the previous close (so fills happen at the last marks)
    const oA = new Float64Array(T).fill(100);
    const cB = Float64Array.from({ length: T }, (_, t) => 50 * 1.01 ** t);
    const oB = Float64Array.from({ length: T }, (_, t) => (t === 0 ? 50 : cB[t - 1]));
    const series = [ocSeries('A', dates, oA, oA), ocSeries('B', dates, oB, cB)];
    const x = 0.05;
    const st = rebalanceStrategy({ method: 'equal', rebalance: `threshold:${x}`, lookback: 3 });
    const r = runStrategy({ strategy: st, series, integer: false });
    // by hand: invest at bar 2's decision, then rebalance at each close where max |w − ½| > x (orders fill next bar)
    const hand = handPortfolio([oA, oB], [oA, cB], [0.5, 0.5], new Set([3]), (t, w) => t >= 3 && Math.max(...w.map((v) => Math.abs(v - 0.5))) > x);
    const recs = st.history.records;
    expect(recs[0]).toMatchObject({ step: 2, reason: 'initial' });
    const fired = recs.slice(1);
    expect(fired.every((q) => q.reason === 'threshold')).toBe(true);
    expect(fired.map((q) => q.step)).toEqual(hand.decisions);
    expect(hand.decisions.length).toBeGreaterThanOrEqual(4);
    // B's weight g/(1+g) passes 0.55 when its growth g since the fill passes 0.55/0.45: 1.01^21 > 1.2222 > 1.01^20
    expect(hand.decisions[0]).toBe(3 + 20);
    for (const q of fired) {
      expect(q.drift!).toBeGreaterThan(x);
      expect(q.drift!).toBeCloseTo(hand.drifts[q.step], 12);
      expect(hand.drifts[q.step - 1]).toBeLessThanOrEqual(x); // the bar before did not exceed it
    }
    for (let t = 0; t < T; t++) expect(Math.abs(r.equity[t] - hand.equity[t])).toBeLessThan(1e-9 * hand.equity[t]);
  });

  it('monthly+threshold fires on either rule', () => {
    const dates = businessDays('2021-01-04', '2021-06-30');
    const T = dates.length;
    const p = walks(2, T, 9);
    p[1] = Float64Array.from({ length: T }, (_, t) => 50 * 1.012 ** t);
    const series = seriesFromWidePrices({ dates, symbols: ['A', 'B'], prices: p });
    const st = rebalanceStrategy({ method: 'equal', rebalance: 'monthly+threshold:0.05', lookback: 5 });
    runStrategy({ strategy: st, series, integer: false });
    const reasons = new Set(st.history.records.map((q) => q.reason));
    expect(reasons).toEqual(new Set(['initial', 'calendar', 'threshold']));
  });
});

// ------------------------------------------------------------------ no look-ahead

describe('no look-ahead', () => {
  const dates = businessDays('2019-01-01', '2020-12-31');
  const T = dates.length;
  const symbols = ['A', 'B', 'C', 'D', 'E'];
  const prices = walks(5, T, 21);

  for (const method of ['min_volatility', 'hrp', 'max_sharpe']) {
    it(`${method}: changing the prices after bar t changes no weight chosen at or before t`, () => {
      const base = rebalanceStrategy({ method, rebalance: 'monthly+threshold:0.1', lookback: 60, rf: -1 });
      runStrategy({ strategy: base, series: seriesFromWidePrices({ dates, symbols, prices }), commission: 'pct:0.001' });
      const a = base.history.records.map((q) => ({ ...q }));
      expect(a.length).toBeGreaterThan(10);
      for (const cut of [a[3].step, a[7].step, Math.floor(T * 0.6)]) {
        const rng = new Rng(cut);
        const changed = prices.map((col) => Float64Array.from(col, (v, t) => (t > cut ? v * Math.exp(0.05 * rng.normal()) : v)));
        const st = rebalanceStrategy({ method, rebalance: 'monthly+threshold:0.1', lookback: 60, rf: -1 });
        runStrategy({ strategy: st, series: seriesFromWidePrices({ dates, symbols, prices: changed }), commission: 'pct:0.001' });
        const b = st.history.records;
        const upTo = (xs: RebalanceRecord[]) => xs.filter((q) => q.step <= cut);
        expect(upTo(b)).toEqual(upTo(a));
        // not vacuous: the changed future changes later weights
        expect(b.filter((q) => q.step > cut)).not.toEqual(a.filter((q) => q.step > cut));
      }
    });
  }

  it('passes the engine’s truncation test (check lookahead)', () => {
    const st = rebalanceStrategy({ method: 'hrp', rebalance: 'monthly', lookback: 60 });
    const res = checkLookahead({ strategy: st, series: seriesFromWidePrices({ dates, symbols, prices }), cuts: 5 });
    expect(res.error).toBeUndefined();
    expect(res.ordersCompared).toBeGreaterThan(0);
    expect(res.ok, JSON.stringify(res.first)).toBe(true);
  });
});

// ------------------------------------------------------------------ costs

describe('commissions', () => {
  it('each rebalance trade pays rate × traded notional, at the open of the bar after the decision', () => {
    const dates = businessDays('2021-01-04', '2021-12-31');
    const T = dates.length;
    const prices = walks(3, T, 13);
    const series = seriesFromWidePrices({ dates, symbols: ['A', 'B', 'C'], prices });
    const rate = 0.001;
    const st = rebalanceStrategy({ method: 'inverse_vol', rebalance: 'monthly', lookback: 20 });
    const r = runStrategy({ strategy: st, series, commission: `pct:${rate}` });
    const recs = st.history.records;
    expect(recs.length).toBe(12);
    expect(r.fills.length).toBeGreaterThanOrEqual(3 * recs.length - 3);
    let total = 0;
    for (const f of r.fills) {
      expect(f.commission).toBeCloseTo(rate * f.qty * f.price, 9);
      total += f.commission;
      // a fill bar follows a decision bar, at that symbol's price (O = C) of the fill bar
      const t = dates.indexOf(new Date(f.ts).toISOString().slice(0, 10));
      expect(recs.some((q) => q.step === t - 1)).toBe(true);
      expect(f.price).toBe(prices[['A', 'B', 'C'].indexOf(f.symbol)][t]);
    }
    expect(r.commission).toBeCloseTo(total, 6);
    expect(total).toBeGreaterThan(0);
    // the same run without costs ends richer by more than the fees paid (fees also shrink later positions)
    const free = rebalanceStrategy({ method: 'inverse_vol', rebalance: 'monthly', lookback: 20 });
    const r0 = runStrategy({ strategy: free, series });
    expect(r0.finalEquity).toBeGreaterThan(r.finalEquity);
    expect(r0.commission).toBe(0);
  });
});

// ------------------------------------------------------------------ wide prices

describe('seriesFromWidePrices', () => {
  it('skips missing prices (leading, interior, trailing) and makes O = H = L = C bars', () => {
    const s = seriesFromWidePrices({
      dates: ['2020-01-02', '2020-01-03', '2020-01-06', '2020-01-07', '2020-01-08'],
      symbols: ['X', 'Y'],
      prices: [Float64Array.of(NaN, NaN, 10, 11, 12), Float64Array.of(5, NaN, 6, 7, NaN)],
    });
    expect(s.map((x) => x.symbol)).toEqual(['X', 'Y']);
    expect(Array.from(s[0].ts)).toEqual([Date.UTC(2020, 0, 6), Date.UTC(2020, 0, 7), Date.UTC(2020, 0, 8)]);
    expect(Array.from(s[0].close)).toEqual([10, 11, 12]);
    for (const f of ['open', 'high', 'low'] as const) expect(Array.from(s[0][f])).toEqual([10, 11, 12]);
    expect(Array.from(s[1].ts)).toEqual([Date.UTC(2020, 0, 2), Date.UTC(2020, 0, 6), Date.UTC(2020, 0, 7)]);
    expect(Array.from(s[1].close)).toEqual([5, 6, 7]);
    expect(s[0].volume.every((v) => Number.isNaN(v))).toBe(true);
    expect(s[0].timeframe.label).toBe('1d');
    expect(s[0].tz).toBe('UTC');
    const ny = seriesFromWidePrices({ dates: ['2020-01-02'], symbols: ['X'], prices: [Float64Array.of(1)] }, { tz: 'America/New_York' });
    expect(ny[0].ts[0]).toBe(Date.UTC(2020, 0, 2, 5));
    expect(() => seriesFromWidePrices({ dates: ['2020-01-02'], symbols: ['X'], prices: [Float64Array.of(NaN)] })).toThrow(/no prices/);
    expect(() => seriesFromWidePrices({ dates: ['02/01/2020'], symbols: ['X'], prices: [Float64Array.of(1)] })).toThrow(UsageError);
  });
});

// ------------------------------------------------------------------ real data

const fixture = fileURLToPath(new URL('../../shared/data/pypfopt/stock_prices.csv', import.meta.url));

describe.skipIf(!existsSync(fixture))('stock_prices.csv (PyPortfolioOpt), first 6 assets', () => {
  const table = readPricesCsv(fixture);
  const six = { dates: table.dates, symbols: table.symbols.slice(0, 6), prices: table.prices.slice(0, 6) };
  const series = seriesFromWidePrices(six);

  it('hrp monthly with costs: completes; weights sum to 1, are in [0, 1], and are 0 for symbols without a year of history', () => {
    const st = rebalanceStrategy({ method: 'hrp', rebalance: 'monthly' });
    const r = runStrategy({ strategy: st, series, commission: 'pct:0.001', slippage: 'bps:5' });
    const recs = st.history.records;
    expect(st.history.symbols).toEqual(['GOOG', 'AAPL', 'FB', 'BABA', 'AMZN', 'GE']);
    expect(recs.length).toBeGreaterThan(300);
    expect(recs[0]).toMatchObject({ reason: 'initial', step: 251, assets: 2 }); // AAPL and GE from 1989-12-29
    expect(recs.at(-1)!.assets).toBe(6);
    for (const q of recs) {
      expect(q.error).toBeUndefined();
      expect(Math.abs(sum(q.weights) - 1)).toBeLessThan(1e-9);
      for (const w of q.weights) expect(w >= 0 && w <= 1).toBe(true);
      q.weights.forEach((w, s) => {
        if (w > 0) expect(series[s].ts[0] + 250 * DAY).toBeLessThanOrEqual(q.t);
      });
      if (q.reason === 'calendar') expect(table.dates[table.dates.indexOf(q.time) - 1].slice(0, 7)).not.toBe(q.time.slice(0, 7));
    }
    expect(Number.isFinite(r.finalEquity) && r.finalEquity > 0).toBe(true);
    expect(r.commission).toBeGreaterThan(0);
    expect(r.logs.filter((l) => l.includes('rebalance (')).length).toBe(recs.length);
  });

  it('black_litterman with a view on a symbol listed later: the view applies once the symbol has history', () => {
    const st = rebalanceStrategy({ method: 'black_litterman:FB=0.5', rebalance: 'quarterly' });
    runStrategy({ strategy: st, series });
    const recs = st.history.records;
    const fb = st.history.symbols.indexOf('FB');
    expect(recs.every((q) => !q.error)).toBe(true);
    const before = recs.filter((q) => q.t < Date.UTC(2013, 4, 1));
    const after = recs.filter((q) => q.t > Date.UTC(2013, 6, 1));
    expect(before.every((q) => q.weights[fb] === 0)).toBe(true);
    expect(after.every((q) => q.weights[fb] > 1 / q.assets)).toBe(true); // tilted above the equal-cap prior
    expect(() => runStrategy({ strategy: rebalanceStrategy({ method: 'black_litterman:MSFT=0.1', rebalance: 'monthly' }), series })).toThrow(UsageError);
  });

  it('weight bounds: [0.05, 0.4] holds whenever feasible; with too few assets the rebalance fails and holds', () => {
    const st = rebalanceStrategy({ method: 'hrp', rebalance: 'quarterly', bounds: [0.05, 0.4] });
    runStrategy({ strategy: st, series, commission: 'pct:0.001' });
    const recs = st.history.records;
    const ok = recs.filter((q) => !q.error);
    expect(ok.length).toBeGreaterThan(20);
    for (const q of ok) {
      expect(q.assets).toBeGreaterThanOrEqual(3);
      expect(Math.abs(sum(q.weights) - 1)).toBeLessThan(1e-9);
      for (const w of q.weights) expect(w === 0 || (w >= 0.05 - 1e-12 && w <= 0.4 + 1e-12)).toBe(true);
    }
    const failed = recs.filter((q) => q.error);
    expect(failed.length).toBeGreaterThan(0);
    for (const q of failed) {
      expect(q.assets).toBeLessThan(3);
      expect(q.error).toMatch(/infeasible/);
    }
  });
});
