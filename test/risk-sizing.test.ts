/** engine/risk/sizing.ts: every expected value worked out by hand in the comments. */
import { describe, expect, it } from 'vitest';
import * as S from '../engine/risk/sizing.ts';

describe('Kelly', () => {
  it('f = p − (1 − p)/b, fractional, capped, never negative', () => {
    expect(S.kellyFraction(0.6, 1)).toBeCloseTo(0.2, 15); // 0.6 − 0.4/1
    expect(S.kellyFraction(0.5, 2)).toBeCloseTo(0.25, 15); // 0.5 − 0.5/2
    expect(S.kellyFraction(0.4, 1)).toBe(0); // 0.4 − 0.6 < 0
    expect(S.kellyFraction(0.6, 1, { fraction: 0.5 })).toBeCloseTo(0.1, 15); // half Kelly
    expect(S.kellyFraction(0.9, 2, { max: 0.25 })).toBe(0.25); // 0.9 − 0.05 = 0.85, capped
    expect(S.kellyFraction(1.2, 1)).toBe(0);
    expect(S.kellyFraction(0.6, 0)).toBe(0);
  });

  it('from trades: p = wins / trades, b = mean win / mean loss', () => {
    // P&L 10, −5, 20, −5, 0: 5 trades, 2 wins (mean 15), 2 losses (mean 5): p = 0.4, b = 3 → 0.4 − 0.6/3 = 0.2
    const st = S.tradeStats([10, -5, 20, -5, 0]);
    expect(st).toEqual({ trades: 5, winRate: 0.4, payoffRatio: 3 });
    expect(S.kellyFromTrades([10, -5, 20, -5, 0])).toBeCloseTo(0.2, 15);
    expect(S.kellyFromTrades([10, 20])).toBe(0); // no losses: b undefined
  });

  it('position: equity 10,000, price 25, p = 0.6, b = 1 → 0.2 × 10,000 / 25 = 80 shares', () => {
    expect(S.kellySize(10_000, 25, 0.6, 1)).toBe(80);
    expect(S.kellySize(10_000, 30, 0.6, 1)).toBe(66); // 2000/30 = 66.7
  });
});

describe('fixed, percent of equity', () => {
  it('fixed units, capped by leverage when equity and price are given', () => {
    expect(S.fixedSize(100)).toBe(100);
    expect(S.fixedSize(100, { equity: 1_000, price: 50 })).toBe(20); // 1,000 / 50
    expect(S.fixedSize(100, { equity: 1_000, price: 50, maxLeverage: 2 })).toBe(40);
  });

  it('percent: equity × fraction / price, floored to the lot', () => {
    expect(S.percentOfEquitySize(10_000, 0.1, 33)).toBe(30); // 1000/33 = 30.3
    expect(S.percentOfEquitySize(10_000, 0.1, 33, { lot: 0 })).toBeCloseTo(1000 / 33, 12);
    expect(S.percentOfEquitySize(10_000, 0.1, 3.3, { lot: 100 })).toBe(300); // 303 → 300
    expect(S.percentOfEquitySize(10_000, 2, 10)).toBe(1_000); // 200 % capped at 1× equity
    expect(S.percentOfEquitySize(10_000, 0.1, 0)).toBe(0);
    expect(S.roundToLot(0.3, 0.1)).toBeCloseTo(0.3, 15); // not 0.2 from 2.9999999999999996
  });
});

describe('volatility targeting', () => {
  it('q = equity × target / (vol × price), capped by leverage', () => {
    // 100,000 × 0.1 / (0.2 × 50) = 1,000 shares (value 50,000)
    expect(S.volTargetSize({ equity: 100_000, price: 50, targetVol: 0.1, annualVol: 0.2 })).toBe(1_000);
    // vol 0.05 → 4,000 shares = 200,000 > 1 × equity → 2,000; with maxLeverage 1.5 → 3,000
    expect(S.volTargetSize({ equity: 100_000, price: 50, targetVol: 0.1, annualVol: 0.05 })).toBe(2_000);
    expect(S.volTargetSize({ equity: 100_000, price: 50, targetVol: 0.1, annualVol: 0.05 }, { maxLeverage: 1.5 })).toBe(3_000);
    expect(S.volTargetSize({ equity: 100_000, price: 50, targetVol: 0.1, annualVol: 0 })).toBe(0);
  });

  it('annual volatility from an ATR and from returns', () => {
    // ATR 2 on a price of 100: 2 % a day × √252 = 0.3174902
    expect(S.annualVolFromAtr(2, 100)).toBeCloseTo(0.02 * Math.sqrt(252), 14);
    // returns 0.01, −0.01, NaN: mean 0, sd = √((1e-4 + 1e-4)/1) = 0.0141421 → × √252
    expect(S.realisedVolatility(new Float64Array([0.01, -0.01, NaN]))).toBeCloseTo(Math.sqrt(2e-4) * Math.sqrt(252), 14);
    expect(S.realisedVolatility(new Float64Array([0.01]))).toBeNaN();
  });
});
