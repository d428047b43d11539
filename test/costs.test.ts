/**
 * Slippage, commission and sizer models (engine/slippage.ts, commission.ts, sizers.ts via costs.ts) against numbers
 * worked out by hand in the comments.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  COSTS_HELP,
  corwinSchultzPair,
  IBKR,
  parseCommission,
  parseSizer,
  parseSlippage,
  SEC_FEE_PER_MILLION,
  type TieredCommissionModel,
} from '../engine/costs.ts';
import type { CommissionModel, FeeInput, SizerInput } from '../engine/types.ts';
import { UsageError } from '../src/errors.ts';
import type { Side } from '../src/types.ts';
import { bars } from './helpers/engine.ts';

const JAN = Date.UTC(2024, 0, 10);

/** a fee quote for a fresh order (or a later fill when the order fields are given) */
function fee(m: CommissionModel | string, f: Partial<FeeInput> & { qty: number; price: number }): number {
  const model = typeof m === 'string' ? parseCommission(m) : m;
  return model.fee({ side: 'buy', orderFilledBefore: 0, orderFeeBefore: 0, ts: JAN, ...f });
}

/** the UsageError message of a bad spec */
function usage(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(UsageError);
    expect((e as UsageError).exitCode).toBe(2);
    return (e as Error).message;
  }
  throw new Error('no error thrown');
}

// ================================================================== slippage

describe('slippage: fixed models', () => {
  const S = bars([[100, 101, 99, 100, 1000]]);
  const bar = { series: S, i: 0 };

  it('none returns the reference price', () => {
    const m = parseSlippage('none');
    expect(m.price('buy', 100, 100, bar, undefined)).toBe(100);
    expect(m.price('sell', 100, 100, bar, undefined)).toBe(100);
    expect(m.warmupFills).toBe(0);
  });

  it('bps:N: buys pay ref × (1 + N/10,000), sells receive ref × (1 − N/10,000)', () => {
    const m = parseSlippage('bps:5');
    // 5 bp of 100 = 0.05
    expect(m.price('buy', 100, 100, bar, undefined)).toBeCloseTo(100.05, 12);
    expect(m.price('sell', 100, 100, bar, undefined)).toBeCloseTo(99.95, 12);
    // 20 bp of 37.50 = 0.075
    expect(parseSlippage('bps:20').price('buy', 1, 37.5, bar, undefined)).toBeCloseTo(37.575, 12);
    expect(parseSlippage('bps:20').price('sell', 1, 37.5, bar, undefined)).toBeCloseTo(37.425, 12);
  });

  it('per_share:X: ref ± X, a sell never below 0', () => {
    const m = parseSlippage('per_share:0.01');
    expect(m.price('buy', 1, 50, bar, undefined)).toBeCloseTo(50.01, 12);
    expect(m.price('sell', 1, 50, bar, undefined)).toBeCloseTo(49.99, 12);
    // 0.05 − 0.10 would be −0.05: clamped to 0
    expect(parseSlippage('per_share:0.1').price('sell', 1, 0.05, bar, undefined)).toBe(0);
  });

  it('spread:S pays half of the given fractional spread', () => {
    const m = parseSlippage('spread:0.002');
    // half of 0.2 % of 100 = 0.10
    expect(m.price('buy', 1, 100, bar, undefined)).toBeCloseTo(100.1, 12);
    expect(m.price('sell', 1, 100, bar, undefined)).toBeCloseTo(99.9, 12);
  });

  it('specs are canonical', () => {
    expect(parseSlippage(' BPS:5.0 ').spec).toBe('bps:5');
    expect(parseSlippage('Spread:0.0010').spec).toBe('spread:0.001');
    expect(parseSlippage('spread').spec).toBe('spread');
    expect(parseSlippage('atr:0.50').spec).toBe('atr:0.5');
    expect(parseSlippage('impact:1').spec).toBe('impact:1');
    expect(parseSlippage('per_share:0.010').spec).toBe('per_share:0.01');
  });
});

describe('slippage: estimated spread (Corwin–Schultz)', () => {
  it('two identical bars with no gap: α = ln(H/L), so S = 2(H − L)/(H + L)', () => {
    // β = 2·ln(H/L)², γ = ln(H/L)²; with k = 3 − 2√2 = (√2 − 1)²:
    //   α = ln(H/L)·(√4 − √2)/k − ln(H/L)/√k = ln(H/L)·((2 + √2) − (√2 + 1)) = ln(H/L)
    //   S = 2(H/L − 1)/(1 + H/L) = 2(H − L)/(H + L); H 102, L 98: 2 × 4 / 200 = 0.04
    expect(corwinSchultzPair(102, 98, 100, 102, 98)).toBeCloseTo(0.04, 12);
  });

  it('a gap between the bars is taken out first (the paper’s overnight adjustment)', () => {
    // bar 2 opens above bar 1's close (L₂ 109 > C₁ 100): H₂, L₂ shift down by 9 to 102, 100
    expect(corwinSchultzPair(101, 99, 100, 111, 109)).toBe(corwinSchultzPair(101, 99, 100, 102, 100));
    // and below (H₂ 90 < C₁ 100): shift up by 10 to 100, 98
    expect(corwinSchultzPair(101, 99, 100, 90, 88)).toBe(corwinSchultzPair(101, 99, 100, 100, 98));
  });

  it('a negative two-bar estimate counts as 0', () => {
    // H₁ 100.5 L₁ 99.5 C₁ 100.5, H₂ 101.5 L₂ 100.5 (no gap: L₂ = C₁):
    //   β = 2 × ln(100.5/99.5)² = 2 × 0.0100000833² ≈ 2.0000e-4, γ = ln(101.5/99.5)² ≈ 0.0199012² ≈ 3.9606e-4
    //   α ≈ (0.0200002 − 0.0141422)/0.1715729 − √(3.9606e-4/0.1715729) ≈ 0.034143 − 0.048046 < 0 → S < 0 → 0
    expect(corwinSchultzPair(100.5, 99.5, 100.5, 101.5, 100.5)).toBe(0);
  });

  it('the fill on bar i pays half the mean estimate of bars i − 20 … i − 1; before that it is a counted warm-up', () => {
    // every bar H 102, L 98, C 100: each pair estimates 0.04 → half spread 2 % → 100 ↦ 102 / 98
    const S = bars(Array.from({ length: 30 }, () => [100, 102, 98, 100, 1000]));
    const m = parseSlippage('spread');
    const st = m.prepare!(S);
    expect(m.price('buy', 10, 100, { series: S, i: 20 }, st)).toBeCloseTo(102, 10);
    expect(m.price('sell', 10, 100, { series: S, i: 20 }, st)).toBeCloseTo(98, 10);
    expect(m.warmupFills).toBe(0);
    // bar 19 reads the window ending at bar 18: only 19 bars → no estimate → no slippage, counted
    expect(m.price('buy', 10, 100, { series: S, i: 19 }, st)).toBe(100);
    expect(m.warmupFills).toBe(1);
    // the same fill quoted again (a buy resized at the slipped price) is not counted twice
    expect(m.price('buy', 9, 100, { series: S, i: 19 }, st, false)).toBe(100);
    expect(m.warmupFills).toBe(1);
    m.resetWarmup();
    expect(m.warmupFills).toBe(0);
  });

  it('the fill bar itself is never read', () => {
    const rows = Array.from({ length: 30 }, () => [100, 102, 98, 100, 1000]);
    rows[25] = [100, 150, 60, 100, 1000]; // a wild fill bar
    const S = bars(rows);
    const m = parseSlippage('spread');
    expect(m.price('buy', 10, 100, { series: S, i: 25 }, m.prepare!(S))).toBeCloseTo(102, 10);
  });
});

describe('slippage: atr:F', () => {
  // 17 bars, close 100 except bar 12 (102.5). True ranges (TA-Lib: none for bar 0):
  //   bar 5: H 104 L 99 → 5; bar 10: H 101 L 96 → 5; bar 12: H 103 L 102, prev close 100 → max(1, 3, 2) = 3;
  //   bar 13: H 101 L 99, prev close 102.5 → max(2, 1.5, 3.5) = 3.5; every other bar H 101 L 99 → 2.
  //   TR[1..14] = 10 × 2 + 5 + 5 + 3 + 3.5 = 36.5 → ATR[14] = 36.5 / 14 = 2.607142857…
  //   TR[15] = 2 → ATR[15] = (ATR[14] × 13 + 2) / 14 = (474.5/14 + 28/14) / 14 = 502.5 / 196 = 2.563775510…
  const rows = Array.from({ length: 17 }, () => [100, 101, 99, 100, 1000]);
  rows[5] = [100, 104, 99, 100, 1000];
  rows[10] = [100, 101, 96, 100, 1000];
  rows[12] = [102.5, 103, 102, 102.5, 1000];
  const S = bars(rows);

  it('adds F × ATR(14) of the bars up to i − 1', () => {
    const m = parseSlippage('atr:0.5');
    const st = m.prepare!(S);
    // fill on bar 15 reads ATR[14]: 0.5 × 36.5/14 = 1.303571428…
    expect(m.price('buy', 10, 100, { series: S, i: 15 }, st)).toBeCloseTo(100 + 18.25 / 14, 12);
    expect(m.price('sell', 10, 100, { series: S, i: 15 }, st)).toBeCloseTo(100 - 18.25 / 14, 12);
    // fill on bar 16 reads ATR[15]: 0.5 × 502.5/196 = 1.281887755…
    expect(m.price('buy', 10, 100, { series: S, i: 16 }, st)).toBeCloseTo(100 + 251.25 / 196, 12);
    expect(m.warmupFills).toBe(0);
  });

  it('before ATR exists (fills on bars ≤ 14) it uses no slippage and counts the fill', () => {
    const m = parseSlippage('atr:0.5');
    const st = m.prepare!(S);
    expect(m.price('buy', 10, 100, { series: S, i: 14 }, st)).toBe(100); // ATR[13] is NaN (lookback 14)
    expect(m.price('sell', 10, 100, { series: S, i: 0 }, st)).toBe(100);
    expect(m.warmupFills).toBe(2);
  });

  it('never reads the fill bar', () => {
    const wild = rows.map((r) => r.slice());
    wild[15] = [100, 200, 50, 100, 1000];
    const W = bars(wild);
    const m = parseSlippage('atr:0.5');
    expect(m.price('buy', 10, 100, { series: W, i: 15 }, m.prepare!(W))).toBeCloseTo(100 + 18.25 / 14, 12);
  });
});

describe('slippage: impact:K', () => {
  // closes: c₀ = 100, then × 1.01 on odd bars and × 0.99 on even bars: returns +1 %, −1 %, …
  // volumes: 3,000 on odd bars, 1,000 on even bars.
  // A fill on bar 21 reads index 20: returns of bars 1 … 20 (10 × +0.01, 10 × −0.01): mean 0,
  //   σ = √(20 × 0.0001 / 19) = √(0.002/19) = 0.0102597835…; ADV = (10 × 3,000 + 10 × 1,000) / 20 = 2,000.
  // qty 500: √(500 / 2,000) = 0.5; K 0.2: slippage = 100 × 0.2 × σ × 0.5 = 10 σ = 0.102597835…
  const rows: number[][] = [];
  let c = 100;
  for (let k = 0; k < 24; k++) {
    if (k > 0) c *= k % 2 ? 1.01 : 0.99;
    rows.push([c, c, c, c, k % 2 ? 3000 : 1000]);
  }
  const S = bars(rows);
  const sigma = Math.sqrt(0.002 / 19);

  it('K · σ · √(qty / ADV) of the previous 20 bars', () => {
    const m = parseSlippage('impact:0.2');
    const st = m.prepare!(S);
    expect(m.price('buy', 500, 100, { series: S, i: 21 }, st)).toBeCloseTo(100 + 10 * sigma, 9);
    expect(m.price('sell', 500, 100, { series: S, i: 21 }, st)).toBeCloseTo(100 - 10 * sigma, 9);
    // 4 × the quantity: √4 = 2 × the slippage
    expect(m.price('buy', 2000, 100, { series: S, i: 21 }, st)).toBeCloseTo(100 + 20 * sigma, 9);
    expect(m.warmupFills).toBe(0);
  });

  it('counts fills before 20 returns exist, and fills after zero volume', () => {
    const m = parseSlippage('impact:0.2');
    const st = m.prepare!(S);
    // bar 20 reads index 19: returns 1 … 19 only
    expect(m.price('buy', 500, 100, { series: S, i: 20 }, st)).toBe(100);
    expect(m.warmupFills).toBe(1);
    const Z = bars(rows.map((r) => [r[0], r[1], r[2], r[3], 0]));
    expect(m.price('buy', 500, 100, { series: Z, i: 21 }, m.prepare!(Z))).toBe(100);
    expect(m.warmupFills).toBe(2);
  });
});

describe('slippage: bad specs', () => {
  it('name the accepted forms', () => {
    for (const bad of ['fast', 'bps', 'bps:-1', 'bps:x', 'bps:5:1', 'none:1', 'spread:-0.1', 'atr:', 'impact:NaN', 'bps:10000']) {
      expect(usage(() => parseSlippage(bad))).toMatch(/none \| bps:5 \| per_share:0\.01 \| spread \| spread:0\.0005 \| atr:0\.1 \| impact:0\.1/);
    }
  });
});

// ================================================================== commission

describe('commission: simple models', () => {
  it('none, pct, per_share with and without minimum and cap', () => {
    expect(fee('none', { qty: 100, price: 50 })).toBe(0);
    // 0.1 % of 100 × 50 = 5,000 → 5.00
    expect(fee('pct:0.001', { qty: 100, price: 50 })).toBeCloseTo(5, 12);
    // 250 × 0.01 = 2.50
    expect(fee('per_share:0.01', { qty: 250, price: 3 })).toBeCloseTo(2.5, 12);
    // 100 × 0.005 = 0.50 < minimum 1 → 1.00
    expect(fee('per_share:0.005:1', { qty: 100, price: 25 })).toBeCloseTo(1, 12);
    // 10,000 × 0.005 = 50 > cap 1 % of 2,000 = 20 → 20
    expect(fee('per_share:0.005:1:0.01', { qty: 10_000, price: 0.2 })).toBeCloseTo(20, 12);
    // the cap beats the minimum: 10 × 0.005 = 0.05 → min 1.00 → cap 1 % of 50 = 0.50 → 0.50
    expect(fee('per_share:0.005:1:0.01', { qty: 10, price: 5 })).toBeCloseTo(0.5, 12);
  });

  it('fixed:F is charged once per order, on its first fill', () => {
    const m = parseCommission('fixed:2');
    const first = fee(m, { qty: 10, price: 5 });
    expect(first).toBe(2);
    expect(fee(m, { qty: 10, price: 5, orderFilledBefore: 10, orderFeeBefore: first, orderValueBefore: 50 })).toBe(0);
  });

  it('canonical specs', () => {
    expect(parseCommission(' PCT:0.0010 ').spec).toBe('pct:0.001');
    expect(parseCommission('per_share:0.0050:1.0').spec).toBe('per_share:0.005:1');
    expect(parseCommission('per_share:0.005:1:0.010').spec).toBe('per_share:0.005:1:0.01');
    expect(parseCommission('fixed:1.50').spec).toBe('fixed:1.5');
    expect(parseCommission('IBKR_FIXED').spec).toBe('ibkr_fixed');
  });
});

describe('commission: IBKR fixed', () => {
  it('0.005/share, minimum 1.00, maximum 1 % of value', () => {
    // 100 × 0.005 = 0.50 < min 1.00 → 1.00
    expect(fee('ibkr_fixed', { qty: 100, price: 25 })).toBeCloseTo(1, 12);
    // 10,000 × 0.005 = 50.00 (cap 1 % of 100,000 = 1,000) → 50.00
    expect(fee('ibkr_fixed', { qty: 10_000, price: 10 })).toBeCloseTo(50, 12);
    // 1,000,000 × 0.005 = 5,000 = cap 1 % of 500,000 = 5,000 → 5,000
    expect(fee('ibkr_fixed', { qty: 1_000_000, price: 0.5 })).toBeCloseTo(5000, 9);
    // 1,000,000 × 0.005 = 5,000 > cap 1 % of 400,000 = 4,000 → 4,000
    expect(fee('ibkr_fixed', { qty: 1_000_000, price: 0.4 })).toBeCloseTo(4000, 9);
    // the cap beats the minimum: 10 @ 5: 0.05 → min 1.00 → cap 1 % of 50 = 0.50
    expect(fee('ibkr_fixed', { qty: 10, price: 5 })).toBeCloseTo(0.5, 12);
  });

  it('sells add the SEC fee (27.80 per million) and FINRA TAF (0.000166/share, max 8.30); buys do not', () => {
    expect(SEC_FEE_PER_MILLION).toBe(27.8);
    expect(IBKR.secFeePerDollar).toBeCloseTo(27.8e-6, 18);
    // sell 100 @ 25: 1.00 + SEC 2,500 × 27.8e-6 = 0.0695 + TAF 100 × 0.000166 = 0.0166 → 1.0861
    expect(fee('ibkr_fixed', { side: 'sell', qty: 100, price: 25 })).toBeCloseTo(1.0861, 12);
    // sell 10,000 @ 10: 50.00 + SEC 100,000 × 27.8e-6 = 2.78 + TAF 1.66 → 54.44 (buy: 50.00)
    expect(fee('ibkr_fixed', { side: 'sell', qty: 10_000, price: 10 })).toBeCloseTo(54.44, 10);
    expect(fee('ibkr_fixed', { side: 'buy', qty: 10_000, price: 10 })).toBeCloseTo(50, 10);
    // sell 100,000 @ 10: 500 + SEC 27.80 + TAF min(16.60, 8.30) = 8.30 → 536.10
    expect(fee('ibkr_fixed', { side: 'sell', qty: 100_000, price: 10 })).toBeCloseTo(536.1, 9);
  });

  it('the minimum applies once per order across partial fills (second fee = cumulative − first)', () => {
    // order of 250 @ 20 in fills of 100 and 150: first 100 × 0.005 = 0.50 → min 1.00;
    // cumulative after 250: 250 × 0.005 = 1.25 → second fill 1.25 − 1.00 = 0.25 (not another 1.00)
    const m = parseCommission('ibkr_fixed');
    const first = fee(m, { qty: 100, price: 20 });
    const second = fee(m, { qty: 150, price: 20, orderFilledBefore: 100, orderFeeBefore: first, orderValueBefore: 2000 });
    expect(first).toBeCloseTo(1, 12);
    expect(second).toBeCloseTo(0.25, 12);
    expect(first + second).toBeCloseTo(fee(m, { qty: 250, price: 20 }), 12);
    // 100 then 100 @ 25: the order's 200 × 0.005 = 1.00 is all paid by the first fill's minimum → 0
    const a = fee(m, { qty: 100, price: 25 });
    expect(fee(m, { qty: 100, price: 25, orderFilledBefore: 100, orderFeeBefore: a, orderValueBefore: 2500 })).toBeCloseTo(0, 12);
  });

  it('the TAF cap applies per order across partial fills', () => {
    // sell 40,000 then 30,000 @ 10.
    //   first: 200.00 + SEC 400,000 × 27.8e-6 = 11.12 + TAF 40,000 × 0.000166 = 6.64 → 217.76
    //   cumulative after 70,000: 350.00 + SEC 19.46 + TAF min(11.62, 8.30) = 8.30 → 377.76
    //   second: 377.76 − 217.76 = 160.00 (= 150.00 + SEC 8.34 + TAF 8.30 − 6.64 = 1.66)
    const m = parseCommission('ibkr_fixed');
    const first = fee(m, { side: 'sell', qty: 40_000, price: 10 });
    expect(first).toBeCloseTo(217.76, 9);
    expect(fee(m, { side: 'sell', qty: 30_000, price: 10, orderFilledBefore: 40_000, orderFeeBefore: first, orderValueBefore: 400_000 })).toBeCloseTo(160, 9);
  });

  it('the cap uses the order’s value so far (orderValueBefore) when fills differ in price', () => {
    // per_share:0.01:0:0.01, 1,000 @ 0.50 then 1,000 @ 0.80:
    //   first: 10.00 > cap 1 % of 500 = 5.00 → 5.00
    //   cumulative: 20.00 > cap 1 % of (500 + 800) = 13.00 → 13.00 → second 13.00 − 5.00 = 8.00
    const m = parseCommission('per_share:0.01:0:0.01');
    const first = fee(m, { qty: 1000, price: 0.5 });
    expect(first).toBeCloseTo(5, 12);
    expect(fee(m, { qty: 1000, price: 0.8, orderFilledBefore: 1000, orderFeeBefore: first, orderValueBefore: 500 })).toBeCloseTo(8, 12);
  });
});

describe('commission: IBKR tiered', () => {
  /** quote, check the quote has no side effect, then charge (as the engine does for each fill) */
  const fill = (m: TieredCommissionModel, qty: number, ts: number, side: Side = 'buy', price = 25, before: Partial<FeeInput> = {}) => {
    const x: FeeInput = { side, qty, price, orderFilledBefore: 0, orderFeeBefore: 0, ts, ...before };
    const q = m.fee(x);
    expect(m.fee(x)).toBe(q);
    m.charged(x);
    return q;
  };

  it('tier 1, then a tier crossing within the month, then tier 1 again in a new month and after reset()', () => {
    const m = parseCommission('ibkr_tiered') as TieredCommissionModel;
    // buy 100 @ 25, tier 1: 100 × 0.0035 = 0.35 (= the minimum) + clearing 0.02 + exchange 0.30
    //   + pass-through 0.35 × 0.000175 = 0.00006125 → 0.67006125
    expect(fill(m, 100, JAN)).toBeCloseTo(0.67006125, 12);
    // buy 299,900 @ 25, still tier 1 (100 shares before it): 1,049.65 (cap 74,975) + clearing 59.98
    //   + exchange 899.70 + 1,049.65 × 0.000175 = 0.18368875 → 2,009.51368875 (the order is not split at the break)
    expect(fill(m, 299_900, JAN)).toBeCloseTo(2009.51368875, 8);
    expect(m.monthVolume).toBe(300_000);
    // 300,000 shares this month: the next share is the 300,001st → tier 2:
    //   1,000 × 0.002 = 2.00 + 0.20 + 3.00 + 2 × 0.000175 = 0.00035 → 5.20035
    expect(fill(m, 1000, Date.UTC(2024, 0, 31, 23, 59))).toBeCloseTo(5.20035, 12);
    // 1 February 00:00 UTC: a new month, tier 1: 3.50 + 0.20 + 3.00 + 3.5 × 0.000175 = 0.0006125 → 6.7006125
    expect(fill(m, 1000, Date.UTC(2024, 1, 1))).toBeCloseTo(6.7006125, 12);
    expect(m.monthVolume).toBe(1000);
    // 400,000 more in February → tier 2 … until reset() forgets the month
    fill(m, 400_000, Date.UTC(2024, 1, 2));
    expect(fee(m, { qty: 1000, price: 25, ts: Date.UTC(2024, 1, 3) })).toBeCloseTo(5.20035, 12);
    m.reset();
    expect(m.monthVolume).toBe(0);
    expect(fill(m, 1000, Date.UTC(2024, 1, 3))).toBeCloseTo(6.7006125, 12);
  });

  it('month boundaries are UTC calendar months (December → January)', () => {
    const m = parseCommission('ibkr_tiered') as TieredCommissionModel;
    fill(m, 3_000_000, Date.UTC(2023, 11, 31, 23, 59, 59, 999));
    // 3,000,000 before → tier 3 (0.0015): 1,000 × 0.0015 = 1.50 + 0.20 + 3.00 + 1.5 × 0.000175 → 4.7002625
    expect(fee(m, { qty: 1000, price: 25, ts: Date.UTC(2023, 11, 31, 23, 59, 59, 999) })).toBeCloseTo(4.7002625, 12);
    expect(fee(m, { qty: 1000, price: 25, ts: Date.UTC(2024, 0, 1) })).toBeCloseTo(6.7006125, 12);
  });

  it('the minimum is per order: the second of two 50-share fills pays only clearing and exchange', () => {
    const m = parseCommission('ibkr_tiered') as TieredCommissionModel;
    // first 50 @ 25: 50 × 0.0035 = 0.175 → min 0.35, + 0.01 + 0.15 + 0.00006125 → 0.51006125
    const first = fill(m, 50, JAN);
    expect(first).toBeCloseTo(0.51006125, 12);
    // cumulative for 100: 0.35 + 0.02 + 0.30 + 0.00006125 = 0.67006125 → second 0.16 (the order's own first fill
    // does not move it up a tier)
    expect(fill(m, 50, JAN, 'buy', 25, { orderFilledBefore: 50, orderFeeBefore: first, orderValueBefore: 1250 })).toBeCloseTo(0.16, 12);
  });

  it('sells add SEC and TAF', () => {
    const m = parseCommission('ibkr_tiered') as TieredCommissionModel;
    // sell 1,000 @ 25: 6.7006125 + SEC 25,000 × 27.8e-6 = 0.695 + TAF 0.166 → 7.5616125
    expect(fee(m, { side: 'sell', qty: 1000, price: 25 })).toBeCloseTo(7.5616125, 12);
  });
});

describe('commission: rate() is an upper bound of fee / value', () => {
  it('by hand', () => {
    // ibkr_fixed 100 @ 25: 1.00 / 2,500 = 0.0004
    expect(parseCommission('ibkr_fixed').rate(100, 25, 'buy')).toBeCloseTo(0.0004, 15);
    expect(parseCommission('pct:0.002').rate(7, 3, 'sell')).toBe(0.002);
    // fixed:5, 100 @ 1: 5 / 100 = 0.05
    expect(parseCommission('fixed:5').rate(100, 1, 'buy')).toBeCloseTo(0.05, 15);
  });

  it('holds for every model, side and month volume (property)', () => {
    const specs = ['none', 'pct:0.001', 'per_share:0.005:1', 'per_share:0.01:2:0.01', 'fixed:5', 'ibkr_fixed', 'ibkr_tiered'];
    fc.assert(
      fc.property(
        fc.constantFrom(...specs),
        fc.integer({ min: 1, max: 5_000_000 }),
        fc.double({ min: 0.01, max: 5000, noNaN: true }),
        fc.constantFrom<Side>('buy', 'sell'),
        fc.integer({ min: 0, max: 200_000_000 }),
        (spec, qty, price, side, monthVol) => {
          const m = parseCommission(spec);
          if (monthVol > 0) m.charged?.({ side: 'buy', qty: monthVol, price: 1, orderFilledBefore: 0, orderFeeBefore: 0, ts: JAN });
          const f = fee(m, { side, qty, price });
          expect(f).toBeGreaterThanOrEqual(0);
          expect(f).toBeLessThanOrEqual(m.rate(qty, price, side) * qty * price * (1 + 1e-12));
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe('commission: bad specs', () => {
  it('name the accepted forms', () => {
    for (const bad of ['ibkr', 'pct', 'pct:-0.1', 'pct:5', 'per_share', 'per_share:0.01:x', 'per_share:0.01:1:0.01:9', 'fixed:', 'none:0', 'flat:1']) {
      expect(usage(() => parseCommission(bad))).toMatch(/none \| pct:0\.001 \| per_share:0\.005\[:min\[:max\]\] \| fixed:1 \| ibkr_fixed \| ibkr_tiered/);
    }
    expect(usage(() => parseCommission('pct:5'))).toMatch(/fraction/);
  });
});

// ================================================================== sizers

describe('sizers', () => {
  const input = (over: Partial<SizerInput>): SizerInput => ({
    side: 'buy',
    price: 10,
    cash: 10_000,
    equity: 10_000,
    position: 0,
    commission: parseCommission('none'),
    ts: JAN,
    integer: true,
    ...over,
  });
  const cost = (x: SizerInput, q: number) => q * x.price + fee(x.commission, { side: x.side, qty: q, price: x.price, ts: x.ts });

  it('all_in: floor(cash / (price × (1 + rate))), then the exact fee', () => {
    // pct:0.001, 10.50: 10,000 / 10.5105 = 951.4 → 951: 9,985.50 + 9.9855 = 9,995.49 ≤ 10,000;
    //   952: 9,996 + 9.996 = 10,005.996 > 10,000
    expect(parseSizer('all_in').qty(input({ price: 10.5, commission: parseCommission('pct:0.001') }))).toBe(951);
    // ibkr_fixed @ 10: rate(1,000) = 5 / 10,000 → 10,000 / 10.005 = 999.5 → 999: 9,990 + 4.995 ≤ 10,000
    expect(parseSizer('all_in').qty(input({ commission: parseCommission('ibkr_fixed') }))).toBe(999);
    // fixed:5, cash 100 @ 1: rate(100) = 0.05 → 100 / 1.05 = 95.2 → 95: 95 + 5 = 100 ≤ 100; 96 + 5 > 100
    expect(parseSizer('all_in').qty(input({ price: 1, cash: 100, commission: parseCommission('fixed:5') }))).toBe(95);
    // per_share:0.005:1, cash 100 @ 1: 99 + max(1, 0.495) = 100 ≤ 100
    expect(parseSizer('all_in').qty(input({ price: 1, cash: 100, commission: parseCommission('per_share:0.005:1') }))).toBe(99);
  });

  it('all_in: a sell that opens a short is sized from cash the same way; against a position it closes it', () => {
    // sell 999 @ 10 with ibkr_fixed: 9,990 + 4.995 + SEC 0.277722 + TAF 0.165834 = 9,995.44 ≤ 10,000; 1,000 > 10,000
    expect(parseSizer('all_in').qty(input({ side: 'sell', commission: parseCommission('ibkr_fixed') }))).toBe(999);
    expect(parseSizer('all_in').qty(input({ side: 'sell', position: 300, cash: 0 }))).toBe(300);
    expect(parseSizer('all_in').qty(input({ side: 'buy', position: -300 }))).toBe(300);
    // covering needs cash: 1,000 @ 10 buys at most 100
    expect(parseSizer('all_in').qty(input({ side: 'buy', position: -300, cash: 1000 }))).toBe(100);
  });

  it('all_in never overdraws cash, and one more share would (property)', () => {
    const specs = ['none', 'pct:0.001', 'pct:0.01', 'per_share:0.005:1', 'per_share:0.01:2:0.01', 'fixed:5', 'ibkr_fixed', 'ibkr_tiered'];
    fc.assert(
      fc.property(
        fc.double({ min: 0.5, max: 1e8, noNaN: true }),
        fc.double({ min: 0.001, max: 5000, noNaN: true }),
        fc.constantFrom(...specs),
        fc.constantFrom<Side>('buy', 'sell'),
        (cash, price, spec, side) => {
          const x = input({ cash, price, equity: cash, side, commission: parseCommission(spec) });
          const q = parseSizer('all_in').qty(x);
          expect(Number.isInteger(q) && q >= 0).toBe(true);
          expect(cost(x, q)).toBeLessThanOrEqual(cash);
          expect(cost(x, q + 1)).toBeGreaterThan(cash);
        },
      ),
      { numRuns: 500 },
    );
  });

  it('all_in with fractional quantities never overdraws and leaves no room (property)', () => {
    const specs = ['none', 'pct:0.001', 'per_share:0.005:1', 'fixed:5', 'ibkr_fixed', 'ibkr_tiered'];
    fc.assert(
      fc.property(fc.double({ min: 10, max: 1e8, noNaN: true }), fc.double({ min: 0.001, max: 5000, noNaN: true }), fc.constantFrom(...specs), (cash, price, spec) => {
        const x = input({ cash, price, equity: cash, commission: parseCommission(spec), integer: false });
        const q = parseSizer('all_in').qty(x);
        expect(q).toBeGreaterThan(0);
        expect(cost(x, q)).toBeLessThanOrEqual(cash);
        expect(cost(x, q * (1 + 1e-9))).toBeGreaterThan(cash);
      }),
      { numRuns: 300 },
    );
    // 10,000 / 3 = 3,333.33…
    expect(parseSizer('all_in').qty(input({ price: 3, integer: false }))).toBeCloseTo(10_000 / 3, 9);
  });

  it('fixed:N is N, except a buy the cash cannot pay', () => {
    expect(parseSizer('fixed:100').qty(input({}))).toBe(100);
    // cash 500 @ 10: 50 shares
    expect(parseSizer('fixed:100').qty(input({ cash: 500 }))).toBe(50);
    // with pct:0.01: 500 / 10.1 = 49.5 → 49: 490 + 4.90 = 494.90 ≤ 500; 50: 505 > 500
    expect(parseSizer('fixed:100').qty(input({ cash: 500, commission: parseCommission('pct:0.01') }))).toBe(49);
    expect(parseSizer('fixed:100').qty(input({ side: 'sell', cash: 0 }))).toBe(100);
    expect(parseSizer('fixed:2.5').qty(input({ integer: false }))).toBe(2.5);
    expect(parseSizer('fixed:2.5').qty(input({}))).toBe(2);
    expect(parseSizer('fixed:100').qty(input({ cash: 0 }))).toBe(0);
  });

  it('percent:P of equity, at the price incl. commission, never more than the cash for a buy', () => {
    // 50 % of 20,000 = 10,000 @ 10 → 1,000
    expect(parseSizer('percent:50').qty(input({ equity: 20_000, cash: 20_000 }))).toBe(1000);
    // with pct:0.001: 10,000 / 10.01 = 999.0 → 999: 9,990 + 9.99 = 9,999.99 ≤ 10,000
    expect(parseSizer('percent:50').qty(input({ equity: 20_000, cash: 20_000, commission: parseCommission('pct:0.001') }))).toBe(999);
    // only 5,000 of cash: 500
    expect(parseSizer('percent:50').qty(input({ equity: 20_000, cash: 5000 }))).toBe(500);
    // a short from flat: 10,000 / 10 = 1,000; against a long of 400: close it
    expect(parseSizer('percent:50').qty(input({ side: 'sell', equity: 20_000, cash: 20_000 }))).toBe(1000);
    expect(parseSizer('percent:50').qty(input({ side: 'sell', equity: 20_000, position: 400 }))).toBe(400);
  });

  it('weight:W trades |target − position| in the order’s direction, 0 when met', () => {
    // 0.5 × 10,000 / 10 = 500 shares
    expect(parseSizer('weight:0.5').qty(input({ position: 200 }))).toBe(300);
    expect(parseSizer('weight:0.5').qty(input({ position: 200, side: 'sell' }))).toBe(0);
    expect(parseSizer('weight:0.5').qty(input({ position: 800, side: 'sell' }))).toBe(300);
    expect(parseSizer('weight:0.5').qty(input({ position: 500 }))).toBe(0);
    // −0.5: target −500; from flat sell 500; from −700 buy 200
    expect(parseSizer('weight:-0.5').qty(input({ side: 'sell' }))).toBe(500);
    expect(parseSizer('weight:-0.5').qty(input({ side: 'buy', position: -700 }))).toBe(200);
    // weight 1 with pct:0.001: target 1,000 but only 999 are affordable
    expect(parseSizer('weight:1').qty(input({ commission: parseCommission('pct:0.001') }))).toBe(999);
    // 0.5 × 10,000 / 3 = 1,666.67: 1,666 whole, 1,666.67 fractional
    expect(parseSizer('weight:0.5').qty(input({ price: 3 }))).toBe(1666);
    expect(parseSizer('weight:0.5').qty(input({ price: 3, integer: false }))).toBeCloseTo(5000 / 3, 9);
  });

  it('canonical specs and bad specs naming the accepted forms', () => {
    expect(parseSizer(' Percent:95.0 ').spec).toBe('percent:95');
    expect(parseSizer('ALL_IN').spec).toBe('all_in');
    expect(parseSizer('weight:-0.50').spec).toBe('weight:-0.5');
    for (const bad of ['half', 'fixed', 'fixed:0', 'fixed:-5', 'percent:150', 'percent:0', 'all_in:1', 'weight', 'weight:x', 'weight:1000']) {
      expect(usage(() => parseSizer(bad))).toMatch(/fixed:100 \| percent:95 \| all_in \| weight:0\.5/);
    }
    expect(usage(() => parseSizer('percent:150'))).toMatch(/0 < P ≤ 100/);
  });
});

describe('COSTS_HELP', () => {
  it('lists every spec form', () => {
    for (const form of ['none', 'pct:R', 'per_share:X[:MIN[:MAX]]', 'fixed:F', 'ibkr_fixed', 'ibkr_tiered', 'bps:N', 'spread:S', 'atr:F', 'impact:K', 'fixed:N', 'percent:P', 'all_in', 'weight:W']) {
      expect(COSTS_HELP).toContain(form);
    }
  });
});
