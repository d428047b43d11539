/**
 * The risk-based sizers of the backtester: fractional Kelly from the run's closed trades and volatility targeting,
 * on numbers worked out by hand; then both inside real backtests.
 */
import { describe, expect, it } from 'vitest';
import { loadFile } from '../data/loader.ts';
import { parseCommission, parseSizer } from '../engine/costs.ts';
import { runStrategy } from '../engine/run.ts';
import { requireBuiltin } from '../engine/strategies/index.ts';
import type { SizerInput } from '../engine/types.ts';
import type { BarSeries } from '../src/types.ts';
import { parseTimeframe } from '../src/timeframe.ts';

const none = parseCommission('none');
const input = (o: Partial<SizerInput>): SizerInput => ({ side: 'buy', price: 10, cash: 100_000, equity: 100_000, position: 0, commission: none, ts: 0, integer: true, ...o });

describe('kelly:F[:MAX]', () => {
  it('F × (p − (1 − p)/b) of equity from the closed trades (p = 15/25 = 0.6, b = 150/100 = 1.5 → f* = 1/3)', () => {
    const closed = () => ({ n: 25, wins: 15, grossWin: 15 * 150, grossLoss: 10 * 100 });
    // half Kelly: 1/6 of 100,000 = 16,666.67 → 1,666 shares at 10
    expect(parseSizer('kelly:0.5').qty(input({ closed }))).toBe(1666);
    // full Kelly capped at 25%: 2,500 shares
    expect(parseSizer('kelly:1:0.25').qty(input({ closed }))).toBe(2500);
    // an edge below zero (p = 0.2, b = 1: f* = 0.2 − 0.8 < 0) → nothing
    expect(parseSizer('kelly').qty(input({ closed: () => ({ n: 25, wins: 5, grossWin: 500, grossLoss: 2000 }) }))).toBe(0);
    // before 20 closed trades: F × MAX of equity (0.5 × 1 → 5,000 shares)
    expect(parseSizer('kelly').qty(input({ closed: () => ({ n: 5, wins: 5, grossWin: 50, grossLoss: 0 }) }))).toBe(5000);
    // an order against the position closes it, as every sizer
    expect(parseSizer('kelly').qty(input({ side: 'sell', position: 700, closed }))).toBe(700);
    expect(() => parseSizer('kelly:2')).toThrow(/0 < F ≤ 1/);
  });
});

describe('voltarget:V[:N|:atr]', () => {
  // 30 weekdays; returns alternate +1% / −1%: the last 20 have mean 0 and sample sd √(20 × 0.0001 / 19)
  const n = 30;
  const ts = new Float64Array(n);
  const close = new Float64Array(n);
  let d = Date.UTC(2024, 0, 1); // a Monday
  for (let i = 0; i < n; i++) {
    while ([0, 6].includes(new Date(d).getUTCDay())) d += 86_400_000;
    ts[i] = d;
    d += 86_400_000;
    close[i] = i === 0 ? 100 : close[i - 1] * (i % 2 ? 1.01 : 0.99);
  }
  const S: BarSeries = { symbol: 'X', timeframe: parseTimeframe('1d'), tz: 'UTC', ts, open: close, high: close, low: close, close, volume: new Float64Array(n).fill(1000) };

  it('value = equity × V / (sd of the last N returns × √252), at most the equity', () => {
    const sd = Math.sqrt((20 * 0.0001) / 19);
    const sigma = sd * Math.sqrt(252); // 0.16287 a year
    const price = close[25];
    const want = Math.floor((100_000 * 0.15) / sigma / price);
    expect(parseSizer('voltarget:0.15').qty(input({ price, bar: { series: S, i: 25 } }))).toBe(want);
    // a target above the asset's own volatility is capped at the equity (no leverage)
    expect(parseSizer('voltarget:0.5').qty(input({ price, bar: { series: S, i: 25 } }))).toBe(Math.floor(100_000 / price));
    // not enough history before the fill bar (20 returns need 21 closes before it): nothing
    expect(parseSizer('voltarget:0.15').qty(input({ price, bar: { series: S, i: 20 } }))).toBe(0);
    expect(parseSizer('voltarget:0.15').qty(input({ price, bar: { series: S, i: 21 } }))).toBe(want === 0 ? 0 : Math.floor((100_000 * 0.15) / sigma / price));
    // bars from the fill bar on do not matter (no look-ahead)
    const later = { ...S, close: Float64Array.from(close, (c, i) => (i >= 25 ? c * 3 : c)) };
    expect(parseSizer('voltarget:0.15').qty(input({ price, bar: { series: later, i: 25 } }))).toBe(want);
    expect(parseSizer('voltarget:0.15:10').spec).toBe('voltarget:0.15:10');
    expect(() => parseSizer('voltarget:0.15:1')).toThrow(/N is a whole number/);
  });
});

describe('in backtests', () => {
  const ORCL = loadFile('demo/data/orcl-1995-2014.txt', { tz: 'America/New_York', symbol: 'ORCL' }).series[0].bars;
  const sma = requireBuiltin('sma_cross');

  it('a volatility target sizes entries below all-in on a volatile stock, the same in both engines', () => {
    const ev = runStrategy({ strategy: sma, series: [ORCL], sizer: 'voltarget:0.2' });
    const vec = runStrategy({ strategy: sma, series: [ORCL], sizer: 'voltarget:0.2', mode: 'vectorized' });
    expect(ev.trades.length).toBeGreaterThan(20);
    expect(vec.trades).toEqual(ev.trades);
    const allIn = runStrategy({ strategy: sma, series: [ORCL] });
    // ORCL's volatility is well above 20% most of the time: the average entry is much smaller than all-in's
    const avg = (r: typeof ev) => r.trades.reduce((s, t) => s + t.qty * t.entryPrice, 0) / r.trades.length;
    expect(avg(ev)).toBeLessThan(0.8 * avg(allIn));
  });

  it('Kelly sizing uses only trades closed before the fill: both engines agree', () => {
    const ev = runStrategy({ strategy: sma, series: [ORCL], sizer: 'kelly:0.5', commission: 'pct:0.001' });
    const vec = runStrategy({ strategy: sma, series: [ORCL], sizer: 'kelly:0.5', commission: 'pct:0.001', mode: 'vectorized' });
    expect(vec.trades).toEqual(ev.trades);
    // the first entry uses the warm-up fraction: the most shares whose cost with the 0.1% commission fits in half the equity
    const t0 = ev.trades[0];
    const cost = (q: number) => q * t0.entryPrice * 1.001;
    expect(cost(t0.qty)).toBeLessThanOrEqual(50_000);
    expect(cost(t0.qty + 1)).toBeGreaterThan(50_000);
  });
});
