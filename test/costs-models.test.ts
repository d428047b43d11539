/**
 * Slippage, commission and sizer models against numbers worked out by hand (in the comments) or from the formula.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { IBKR, parseCommission, parseSizer, parseSlippage } from '../engine/costs.ts';
import type { FeeInput, SizerInput } from '../engine/types.ts';
import { UsageError } from '../src/errors.ts';
import { bars } from './helpers/engine.ts';

const fee = (spec: string, f: Partial<FeeInput> & { qty: number; price: number }) =>
  parseCommission(spec).fee({ side: 'buy', orderFilledBefore: 0, orderFeeBefore: 0, ts: Date.UTC(2024, 0, 2), ...f });

describe('slippage', () => {
  const S = bars(Array.from({ length: 30 }, () => [100, 101, 99, 100, 10_000]));
  const bar = { series: S, i: 20 };

  it('none, bps, per_share and a given spread move the price against the trader', () => {
    expect(parseSlippage('none').price('buy', 100, 100, bar, undefined)).toBe(100);
    // 5 bp of 100 = 0.05
    expect(parseSlippage('bps:5').price('buy', 100, 100, bar, undefined)).toBeCloseTo(100.05, 12);
    expect(parseSlippage('bps:5').price('sell', 100, 100, bar, undefined)).toBeCloseTo(99.95, 12);
    expect(parseSlippage('per_share:0.01').price('buy', 1, 50, bar, undefined)).toBeCloseTo(50.01, 12);
    expect(parseSlippage('per_share:0.01').price('sell', 1, 50, bar, undefined)).toBeCloseTo(49.99, 12);
    // half of a 0.1 % spread on 100 = 0.05
    expect(parseSlippage('spread:0.001').price('buy', 1, 100, bar, undefined)).toBeCloseTo(100.05, 12);
  });

  it('atr:F adds F × ATR(14) of the bars before the fill bar; earlier fills are counted, not invented', () => {
    // every bar: high 101, low 99, close 100, no gaps → true range 2 → ATR(14) = 2 from index 14
    const m = parseSlippage('atr:0.5');
    const st = m.prepare!(S);
    // fill on bar 20 reads ATR at 19 = 2 → 0.5 × 2 = 1
    expect(m.price('buy', 10, 100, { series: S, i: 20 }, st)).toBeCloseTo(101, 12);
    expect(m.price('sell', 10, 100, { series: S, i: 20 }, st)).toBeCloseTo(99, 12);
    // fill on bar 14 reads index 13: ATR not available yet (TA-Lib lookback 14) → no slippage, counted
    expect(m.price('buy', 10, 100, { series: S, i: 14 }, st)).toBe(100);
    expect((m as unknown as { warmupFills: number }).warmupFills).toBe(1);
  });

  it('impact:K = K · σ · √(qty / ADV), σ and ADV over the 20 bars before the fill', () => {
    // closes alternate 100, 102, 100, 102 …: returns +0.02, −0.0196078…; volume 10,000 each bar
    const rows = Array.from({ length: 40 }, (_, i) => {
      const c = i % 2 ? 102 : 100;
      return [c, c, c, c, 10_000];
    });
    const X = bars(rows);
    const m = parseSlippage('impact:0.1');
    const st = m.prepare!(X);
    const i = 30;
    // σ from the formula: sample std (ddof 1) of the 20 returns ending at bar i − 1
    const r: number[] = [];
    for (let k = i - 20; k <= i - 1; k++) r.push(X.close[k] / X.close[k - 1] - 1);
    const mean = r.reduce((a, b) => a + b, 0) / 20;
    const sigma = Math.sqrt(r.reduce((a, b) => a + (b - mean) ** 2, 0) / 19);
    // qty 2,500 of ADV 10,000 → √0.25 = 0.5
    expect(m.price('buy', 2500, 100, { series: X, i }, st)).toBeCloseTo(100 * (1 + 0.1 * sigma * 0.5), 10);
    expect(m.price('sell', 2500, 100, { series: X, i }, st)).toBeCloseTo(100 * (1 - 0.1 * sigma * 0.5), 10);
  });

  it('the estimated spread is the Corwin–Schultz estimate averaged over 20 bar pairs, ≥ 0', () => {
    // identical bars H = 101, L = 99: β = 2·ln(101/99)², γ = ln(101/99)² → α from the paper's formula
    const l = Math.log(101 / 99);
    const b = 2 * l * l;
    const g = l * l;
    const k = 3 - 2 * Math.SQRT2;
    const alpha = (Math.sqrt(2 * b) - Math.sqrt(b)) / k - Math.sqrt(g / k);
    const sp = Math.max(0, (2 * (Math.exp(alpha) - 1)) / (1 + Math.exp(alpha)));
    const m = parseSlippage('spread');
    const st = m.prepare!(S);
    expect(m.price('buy', 1, 100, { series: S, i: 25 }, st)).toBeCloseTo(100 * (1 + sp / 2), 12);
  });

  it('bad specs name the accepted forms', () => {
    expect(() => parseSlippage('bps:-1')).toThrow(UsageError);
    expect(() => parseSlippage('fast')).toThrow(/none \| bps:5/);
  });
});

describe('commission', () => {
  it('pct, per_share with minimum and cap, fixed per order', () => {
    expect(fee('none', { qty: 100, price: 50 })).toBe(0);
    // 0.1 % of 5,000 = 5
    expect(fee('pct:0.001', { qty: 100, price: 50 })).toBeCloseTo(5, 12);
    // 100 × 0.005 = 0.50 < minimum 1 → 1
    expect(fee('per_share:0.005:1:0.01', { qty: 100, price: 25 })).toBeCloseTo(1, 12);
    // 10,000 × 0.005 = 50 > 1 % of 2,000 = 20 → 20
    expect(fee('per_share:0.005:1:0.01', { qty: 10_000, price: 0.2 })).toBeCloseTo(20, 12);
    // fixed 1 per order: the first fill pays, a later fill of the same order does not
    expect(fee('fixed:1', { qty: 10, price: 5 })).toBe(1);
    expect(fee('fixed:1', { qty: 10, price: 5, orderFilledBefore: 10, orderFeeBefore: 1 })).toBe(0);
  });

  it('IBKR fixed: 0.005/share, min 1.00, max 1 % of value; sells add SEC and FINRA TAF', () => {
    // buy 100 @ 25: 0.50 → minimum 1.00
    expect(fee('ibkr_fixed', { qty: 100, price: 25 })).toBeCloseTo(1, 12);
    // sell 100 @ 25: 1.00 + SEC 2,500 × 27.80e-6 = 0.0695 + TAF 100 × 0.000166 = 0.0166 → 1.0861
    expect(fee('ibkr_fixed', { side: 'sell', qty: 100, price: 25 })).toBeCloseTo(1.0861, 10);
    // sell 100,000 @ 10: 500 (< 1 % of 1,000,000) + SEC 27.80 + TAF min(16.6, 8.30) = 536.10
    expect(fee('ibkr_fixed', { side: 'sell', qty: 100_000, price: 10 })).toBeCloseTo(536.1, 10);
    // buy 1,000 @ 0.10: 5.00 > 1 % of 100 = 1.00 → 1.00
    expect(fee('ibkr_fixed', { qty: 1000, price: 0.1 })).toBeCloseTo(1, 12);
    expect(IBKR.secFeePerDollar).toBeCloseTo(27.8e-6, 15);
  });

  it('IBKR fixed: the minimum applies once per order across partial fills', () => {
    // 100 then 100 @ 25: the order's fee is max(1, 200 × 0.005 = 1.00) = 1.00, all charged on the first fill
    const first = fee('ibkr_fixed', { qty: 100, price: 25 });
    const second = fee('ibkr_fixed', { qty: 100, price: 25, orderFilledBefore: 100, orderFeeBefore: first, orderValueBefore: 2500 });
    expect([first, second].map((x) => Number(x.toFixed(10)))).toEqual([1, 0]);
    // 300 then 300: 1.50, then 3.00 − 1.50 = 1.50
    const a = fee('ibkr_fixed', { qty: 300, price: 25 });
    const b = fee('ibkr_fixed', { qty: 300, price: 25, orderFilledBefore: 300, orderFeeBefore: a, orderValueBefore: 7500 });
    expect(a).toBeCloseTo(1.5, 12);
    expect(b).toBeCloseTo(1.5, 12);
  });

  it('IBKR tiered: rate by the month’s volume before the order, min 0.35, plus clearing, exchange and pass-through', () => {
    const m = parseCommission('ibkr_tiered');
    const jan = Date.UTC(2024, 0, 10);
    // each order is quoted, then charged (the engine calls charged() for every fill it makes)
    const f = (qty: number, ts: number, side: 'buy' | 'sell' = 'buy') => {
      const x = { side, qty, price: 25, orderFilledBefore: 0, orderFeeBefore: 0, ts };
      const q = m.fee(x);
      expect(m.fee(x)).toBe(q); // a quote has no side effect
      m.charged!(x);
      return q;
    };
    // 100 @ 25, tier 1: 100 × 0.0035 = 0.35 (= the minimum); + clearing 0.02 + exchange 0.30 + 0.35 × 0.000175
    expect(f(100, jan)).toBeCloseTo(0.35 + 0.02 + 0.3 + 0.35 * 0.000175, 12);
    // 299,900 more shares this month (each order at tier 1): month volume 300,000 now
    f(299_900, jan);
    // next order: tier 2, 1,000 × 0.002 = 2.00 + clearing 0.20 + exchange 3.00 + 2 × 0.000175
    expect(f(1000, jan)).toBeCloseTo(2 + 0.2 + 3 + 2 * 0.000175, 10);
    // a new month starts again at tier 1: 1,000 × 0.0035 = 3.50 + 0.20 + 3.00 + 3.5 × 0.000175
    expect(f(1000, Date.UTC(2024, 1, 1))).toBeCloseTo(3.5 + 0.2 + 3 + 3.5 * 0.000175, 10);
    // reset() forgets the month
    f(400_000, Date.UTC(2024, 1, 2));
    m.reset!();
    expect(f(1000, Date.UTC(2024, 1, 3))).toBeCloseTo(3.5 + 0.2 + 3 + 3.5 * 0.000175, 10);
  });

  it('bad specs name the accepted forms', () => {
    expect(() => parseCommission('pct:5')).toThrow(/fraction/);
    expect(() => parseCommission('ibkr')).toThrow(/ibkr_fixed \| ibkr_tiered/);
  });
});

describe('sizers', () => {
  const input = (over: Partial<SizerInput>): SizerInput => ({
    side: 'buy', price: 10, cash: 10_000, equity: 10_000, position: 0, commission: parseCommission('none'), ts: 0, integer: true, ...over,
  });

  it('all_in: floor(cash / (price × (1 + rate))), then checked against the exact fee', () => {
    // 10,000 / (10.5 × 1.001) = 951.4 → 951; 951 × 10.5 × 1.001 = 9,995.49 ≤ 10,000
    expect(parseSizer('all_in').qty(input({ price: 10.5, commission: parseCommission('pct:0.001') }))).toBe(951);
    // with IBKR fixed: 10,000 / 10 = 1,000 shares → fee 5.00 → 10,005 > cash → 999 (9,990 + 5.00 ≤ 10,000)
    expect(parseSizer('all_in').qty(input({ commission: parseCommission('ibkr_fixed') }))).toBe(999);
  });

  it('all_in at a floating-point edge: cash / price rounds below 2,000 but 2,000 shares cost exactly the cash', () => {
    // found by the property below: 2000 × 4999.9999999999845 rounds to 9999999.999999968 = the cash
    const cash = 9999999.999999968;
    const price = 4999.9999999999845;
    expect(2000 * price).toBe(cash);
    expect(Math.floor(cash / price)).toBe(1999);
    expect(parseSizer('all_in').qty(input({ cash, price, equity: cash }))).toBe(2000);
  });

  it('all_in never overdraws cash, and one more share would (property)', () => {
    const specs = ['none', 'pct:0.001', 'pct:0.01', 'per_share:0.005:1', 'per_share:0.01:2:0.01', 'fixed:5', 'ibkr_fixed', 'ibkr_tiered'];
    fc.assert(
      fc.property(fc.double({ min: 1, max: 1e7, noNaN: true }), fc.double({ min: 0.01, max: 5000, noNaN: true }), fc.constantFrom(...specs), (cash, price, spec) => {
        const commission = parseCommission(spec);
        const x = input({ cash, price, equity: cash, commission });
        const q = parseSizer('all_in').qty(x);
        const cost = (n: number) => n * price + commission.fee({ side: 'buy', qty: n, price, orderFilledBefore: 0, orderFeeBefore: 0, ts: 0 });
        expect(Number.isInteger(q)).toBe(true);
        if (q > 0) expect(cost(q)).toBeLessThanOrEqual(cash);
        expect(cost(q + 1)).toBeGreaterThan(cash);
      }),
      { numRuns: 400 },
    );
  });

  it('fixed, percent and weight', () => {
    expect(parseSizer('fixed:100').qty(input({}))).toBe(100);
    // only 500 of cash at 10: a fixed buy of 100 shrinks to what cash pays for
    expect(parseSizer('fixed:100').qty(input({ cash: 500 }))).toBe(50);
    expect(parseSizer('fixed:100').qty(input({ side: 'sell', cash: 0 }))).toBe(100);
    // 50 % of equity 20,000 at 10 = 1,000 shares (cash 20,000)
    expect(parseSizer('percent:50').qty(input({ equity: 20_000, cash: 20_000 }))).toBe(1000);
    // weight 0.5 of equity 10,000 at 10 = 500 shares; holding 200 → buy 300; a sell has nothing to do
    expect(parseSizer('weight:0.5').qty(input({ position: 200 }))).toBe(300);
    expect(parseSizer('weight:0.5').qty(input({ position: 200, side: 'sell' }))).toBe(0);
    // holding 800 → sell 300
    expect(parseSizer('weight:0.5').qty(input({ position: 800, side: 'sell' }))).toBe(300);
    // fractional quantities when integer is off: 10,000 / 3 = 3,333.33…
    expect(parseSizer('all_in').qty(input({ price: 3, integer: false }))).toBeCloseTo(10_000 / 3, 6);
  });

  it('bad specs name the accepted forms', () => {
    expect(() => parseSizer('percent:150')).toThrow(/0 < P ≤ 100/);
    expect(() => parseSizer('half')).toThrow(/fixed:100 \| percent:95 \| all_in \| weight:0.5/);
  });
});
