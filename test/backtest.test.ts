/**
 * The event engine against hand-worked cases: fill models, limit/stop/stop-limit/trailing semantics including
 * gaps (backtrader's broker), partial fills, time in force, bracket/OCO, cancel/replace, shorting, margin, and the
 * accounting identities. Every expected number is worked out in the comment beside it.
 */
import { describe, expect, it } from 'vitest';
import { canTransition, IllegalTransition, transition } from '../engine/orders.ts';
import { allInSizer, bars, DAY, FILL, fixedSizer, pctCommission, run, scripted, T0 } from './helpers/engine.ts';

// b0..b3, daily
const B = bars([
  [10, 11, 9, 10],
  [10.5, 12, 10, 11.5],
  [11, 11, 10, 10],
  [9.5, 10, 9, 9.8],
]);

describe('market orders and fill models', () => {
  it('an order placed on a bar fills at the next bar open (backtrader default)', () => {
    const r = run(scripted((c, k) => k === 0 && c.buy(0, 100)), B);
    expect(r.fills).toHaveLength(1);
    expect(r.fills[0]).toMatchObject({ price: 10.5, qty: 100, ts: T0 + DAY, side: 'buy' });
    // b0: nothing filled, equity 10000; b1: cash 10000 − 1050 = 8950, equity 8950 + 100 × 11.5 = 10100
    // b2: 8950 + 1000 = 9950; b3: 8950 + 980 = 9930
    expect(Array.from(r.equity)).toEqual([10000, 10100, 9950, 9930]);
    expect(r.cash[1]).toBe(8950);
    expect(r.flags).toEqual([]);
  });

  it('cheat-on-close fills at the same bar close and is flagged', () => {
    const r = run(scripted((c, k) => k === 0 && c.buy(0, 100)), B, { fill: FILL.close });
    expect(r.fills[0]).toMatchObject({ price: 10, ts: T0 });
    expect(r.flags).toContain('cheat_on_close');
    // b0: cash 9000 + 100 × 10 = 10000; b1: 9000 + 1150
    expect(r.equity[1]).toBe(10150);
  });

  it('vwap fills at the next bar typical price (H + L + C) / 3', () => {
    const r = run(scripted((c, k) => k === 0 && c.buy(0, 100)), B, { fill: FILL.vwap });
    expect(r.fills[0].price).toBeCloseTo((12 + 10 + 11.5) / 3, 12);
  });

  it('an order placed on the last bar never fills and is reported open', () => {
    const r = run(scripted((c) => c.last && c.buy(0, 1)), B);
    expect(r.fills).toHaveLength(0);
    expect(r.warnings.join(' ')).toMatch(/1 order\(s\) still open/);
  });

  it('commission is charged on every fill', () => {
    const r = run(scripted((c, k) => (k === 0 ? c.buy(0, 100) : k === 1 ? c.sell(0, 100) : undefined)), B, { commission: pctCommission(0.01) });
    // buy 100 @ 10.5 → fee 10.5; sell 100 @ 11 → fee 11; cash 10000 − 1050 − 10.5 + 1100 − 11 = 10028.5
    expect(r.fills.map((f) => f.commission)).toEqual([10.5, 11]);
    expect(r.finalEquity).toBeCloseTo(10028.5, 9);
    expect(r.trades[0]).toMatchObject({ side: 'long', qty: 100, entryPrice: 10.5, exitPrice: 11, pnl: 50, open: false });
    expect(r.trades[0].commission).toBeCloseTo(21.5, 12);
  });
});

describe('limit, stop, stop-limit and trailing stops (backtrader semantics)', () => {
  const one = (req: Parameters<typeof scripted>[0]) => run(scripted(req), B);

  it('buy limit inside the bar fills at the limit; a gap below the limit fills at the (better) open', () => {
    // b1: open 10.5 > 10.2, low 10 ≤ 10.2 → 10.2
    expect(one((c, k) => k === 0 && c.buy(0, 100, { type: 'limit', limitPrice: 10.2 })).fills[0].price).toBe(10.2);
    // limit 11 ≥ open 10.5 → fills at the open 10.5
    expect(one((c, k) => k === 0 && c.buy(0, 100, { type: 'limit', limitPrice: 11 })).fills[0].price).toBe(10.5);
    // limit 9.9: b1 low 10 > 9.9; b2 low 10 > 9.9; b3 open 9.5 ≤ 9.9 → 9.5 on b3
    const r = one((c, k) => k === 0 && c.buy(0, 100, { type: 'limit', limitPrice: 9.9 }));
    expect(r.fills[0]).toMatchObject({ price: 9.5, ts: T0 + 3 * DAY });
  });

  it('sell limit: at the limit inside the bar, at the open when it gaps above', () => {
    const base = (lim: number) => one((c, k) => (k === 0 ? c.buy(0, 100) : k === 1 ? c.sell(0, 100, { type: 'limit', limitPrice: lim }) : undefined));
    // placed b1, b2: open 11 < 11.2? no — open 11, high 11 < 11.2 → not on b2; b3 high 10 → never
    expect(base(11.2).fills).toHaveLength(1);
    // limit 10.8: b2 open 11 ≥ 10.8 → at the open 11
    expect(base(10.8).fills[1].price).toBe(11);
  });

  it('buy stop fills at the stop inside the bar; a gap through it fills at the (worse) open', () => {
    // b1: open 10.5 < 11, high 12 ≥ 11 → 11
    expect(one((c, k) => k === 0 && c.buy(0, 100, { type: 'stop', stopPrice: 11 })).fills[0].price).toBe(11);
    // stop 10.2 ≤ open 10.5 → 10.5
    expect(one((c, k) => k === 0 && c.buy(0, 100, { type: 'stop', stopPrice: 10.2 })).fills[0].price).toBe(10.5);
  });

  it('sell stop (stop-loss) at the stop, or at the gap-down open', () => {
    const loss = (stop: number) => one((c, k) => (k === 0 ? c.buy(0, 100) : k === 1 ? c.sell(0, 100, { type: 'stop', stopPrice: stop }) : undefined));
    // placed b1; b2: open 11 > 10.5, low 10 ≤ 10.5 → 10.5
    expect(loss(10.5).fills[1]).toMatchObject({ price: 10.5, ts: T0 + 2 * DAY });
    // stop 9.7: b2 low 10 > 9.7; b3 open 9.5 ≤ 9.7 → gap: 9.5
    expect(loss(9.7).fills[1]).toMatchObject({ price: 9.5, ts: T0 + 3 * DAY });
  });

  it('stop-limit: triggers like a stop, then works as a limit from the trigger price', () => {
    // stop 11, limit 11.2: b1 high 12 ≥ 11 → triggered inside the bar; from the stop price 11 ≤ 11.2 → 11
    expect(one((c, k) => k === 0 && c.buy(0, 100, { type: 'stop_limit', stopPrice: 11, limitPrice: 11.2 })).fills[0].price).toBe(11);
    // stop 11, limit 10.5: triggered on b1; 11 > 10.5 but b1 low 10 ≤ 10.5 → 10.5 on b1
    expect(one((c, k) => k === 0 && c.buy(0, 100, { type: 'stop_limit', stopPrice: 11, limitPrice: 10.5 })).fills[0]).toMatchObject({ price: 10.5, ts: T0 + DAY });
    // stop 10.2, limit 10.3: b1 gaps through the stop (open 10.5 ≥ 10.2): limit from the open: 10.5 > 10.3, low 10 ≤ 10.3 → 10.3
    expect(one((c, k) => k === 0 && c.buy(0, 100, { type: 'stop_limit', stopPrice: 10.2, limitPrice: 10.3 })).fills[0].price).toBe(10.3);
    // stop 12.5 never reached (highs 12, 11, 10) → no fill
    expect(one((c, k) => k === 0 && c.buy(0, 100, { type: 'stop_limit', stopPrice: 12.5, limitPrice: 13 })).fills).toHaveLength(0);
  });

  it('trailing stop follows the closes up and never down', () => {
    // closes 10, 11, 12, 13, 12.5, 11.6, 11; a 10 % trailing sell stop placed at b0 (close 10 → stop 9)
    const S = bars([
      [10, 10, 10, 10],
      [10, 11, 10, 11], // not hit (low 10 > 9); adjust with close 11 → 9.9
      [11, 12, 11, 12], // low 11 > 9.9; → 10.8
      [12, 13, 12, 13], // → 11.7
      [13, 13, 12.5, 12.5], // low 12.5 > 11.7; close 12.5 → 11.25 < 11.7, stays 11.7
      [12.5, 12.5, 11.6, 11.6], // low 11.6 ≤ 11.7 → fills at the stop 11.7
      [11, 11, 11, 11],
    ]);
    const r = run(
      scripted((c, k) => {
        if (k === 0) c.sell(0, 10, { type: 'trailing_stop', trailPercent: 0.1 });
      }),
      S,
      { leverage: 2 },
    );
    expect(r.fills).toHaveLength(1);
    expect(r.fills[0].price).toBeCloseTo(11.7, 12);
    expect(r.fills[0].ts).toBe(T0 + 5 * DAY);
  });
});

describe('partial fills and time in force', () => {
  const V = bars([
    [10, 10, 10, 10, 1000],
    [10, 10, 10, 10, 1000],
    [11, 11, 11, 11, 1000],
    [12, 12, 12, 12, 500],
    [13, 13, 13, 13, 1000],
  ]);

  it('volume participation fills at most X of each bar and carries the rest', () => {
    const r = run(scripted((c, k) => k === 0 && c.buy(0, 250)), V, { fill: { kind: 'volume', participation: 0.1, spec: 'volume:0.1' }, commission: pctCommission(0.001) });
    // 10 % of 1000 = 100 on b1 @10, 100 on b2 @11, 10 % of 500 = 50 on b3 @12
    expect(r.fills.map((f) => [f.qty, f.price])).toEqual([
      [100, 10],
      [100, 11],
      [50, 12],
    ]);
    expect(r.orders[0]).toMatchObject({ status: 'filled', filledQty: 250 });
    expect(r.orders[0].avgFillPrice).toBeCloseTo((1000 + 1100 + 600) / 250, 12);
    // commission charged on each fill: 1.0 + 1.1 + 0.6
    expect(r.commission).toBeCloseTo(2.7, 12);
  });

  it('IOC fills what it can on its first bar and cancels the rest; FOK fills all or nothing', () => {
    const vol = { kind: 'volume' as const, participation: 0.1, spec: 'volume:0.1' };
    const ioc = run(scripted((c, k) => k === 0 && c.buy(0, 250, { tif: 'ioc' })), V, { fill: vol });
    expect(ioc.fills.map((f) => f.qty)).toEqual([100]);
    expect(ioc.orders[0]).toMatchObject({ status: 'canceled', filledQty: 100, endReason: 'ioc_remainder' });
    const fok = run(scripted((c, k) => k === 0 && c.buy(0, 250, { tif: 'fok' })), V, { fill: vol });
    expect(fok.fills).toHaveLength(0);
    expect(fok.orders[0]).toMatchObject({ status: 'canceled', endReason: 'fok_unfilled' });
    const fokOk = run(scripted((c, k) => k === 0 && c.buy(0, 100, { tif: 'fok' })), V, { fill: vol });
    expect(fokOk.fills.map((f) => f.qty)).toEqual([100]);
  });

  it('a day order lives for one session (the next daily bar) and then expires', () => {
    // limit 10.5 placed b0: b1 (all 10) → fills at open 10 … use a limit 9 that b1 does not reach
    const r = run(scripted((c, k) => k === 0 && c.buy(0, 10, { type: 'limit', limitPrice: 9, tif: 'day' })), bars([
      [10, 10, 10, 10],
      [10, 10, 9.5, 10], // not reached
      [10, 10, 8, 10], // would fill, but the day order expired
    ]));
    expect(r.fills).toHaveLength(0);
    expect(r.orders[0]).toMatchObject({ status: 'expired', endReason: 'expired_day' });
  });

  it('a day order on minute bars lives until the end of its local day', () => {
    const M = 60_000;
    // 2024-01-02 15:58, 15:59 (New York = UTC−5 → 20:58Z, 20:59Z), next day 09:30
    const t0 = Date.UTC(2024, 0, 2, 20, 58);
    const S = bars([
      [10, 10, 10, 10],
      [10, 10, 9.9, 10],
      [10, 10, 8, 10],
    ], 'X', t0, M);
    S.tz = 'America/New_York';
    S.ts[2] = Date.UTC(2024, 0, 3, 14, 30);
    const r = run(scripted((c, k) => k === 0 && c.buy(0, 10, { type: 'limit', limitPrice: 9, tif: 'day' })), S);
    expect(r.orders[0].status).toBe('expired');
    const g = run(scripted((c, k) => k === 0 && c.buy(0, 10, { type: 'limit', limitPrice: 9, tif: 'gtc' })), S);
    expect(g.fills[0]).toMatchObject({ price: 9, ts: S.ts[2] });
  });
});

describe('brackets, OCO, cancel and replace', () => {
  const P = bars([
    [10, 10, 10, 10],
    [10, 10.5, 9.8, 10.2], // parent fills at open 10
    [10.2, 11.2, 10.1, 11], // take-profit 11 reached (high 11.2) → sells at 11; stop 9 canceled
    [11, 11, 8, 8.5],
  ]);

  it('bracket: children activate when the parent fills; one exit cancels the other', () => {
    const r = run(scripted((c, k) => k === 0 && c.buy(0, 100, { takeProfit: 11, stopLoss: 9 })), P);
    expect(r.fills.map((f) => [f.side, f.price, f.ts])).toEqual([
      ['buy', 10, T0 + DAY],
      ['sell', 11, T0 + 2 * DAY],
    ]);
    const byTag = Object.fromEntries(r.orders.filter((o) => o.tag).map((o) => [o.tag, o]));
    expect(byTag.take_profit).toMatchObject({ status: 'filled', filledQty: 100 });
    expect(byTag.stop_loss).toMatchObject({ status: 'canceled', endReason: 'oco' });
    expect(r.trades[0].pnl).toBeCloseTo(100, 12);
  });

  it('bracket children of an unfilled parent are canceled with it', () => {
    const r = run(scripted((c, k) => {
      if (k === 0) c.buy(0, 100, { type: 'limit', limitPrice: 5, takeProfit: 11, stopLoss: 4 });
      if (k === 1) for (const o of c.openOrders(0)) if (!o.tag) c.cancel(o.id);
    }), P);
    expect(r.fills).toHaveLength(0);
    expect(r.orders.filter((o) => o.tag).every((o) => o.status === 'canceled' && o.endReason === 'parent_canceled')).toBe(true);
  });

  it('OCO: a fill of one order cancels the others in its group', () => {
    const r = run(scripted((c, k) => {
      if (k === 0) c.buy(0, 100);
      if (k === 1) {
        c.sell(0, 100, { type: 'limit', limitPrice: 12, ocoGroup: 'g' }); // b2 high 11.2: not reached
        c.sell(0, 100, { type: 'stop', stopPrice: 8.6, ocoGroup: 'g' }); // b3 low 8 ≤ 8.6 (open 11) → 8.6
      }
    }), P);
    expect(r.fills.at(-1)).toMatchObject({ side: 'sell', price: 8.6, ts: T0 + 3 * DAY });
    expect(r.orders.map((o) => o.status)).toEqual(['filled', 'canceled', 'filled']);
  });

  it('replace ends the old order as replaced and works the new prices', () => {
    const r = run(scripted((c, k) => {
      if (k === 0) c.buy(0, 100, { type: 'limit', limitPrice: 5 });
      if (k === 1) c.replace(c.openOrders(0)[0].id, { limitPrice: 10.5 }); // b2 open 10.2 ≤ 10.5 → 10.2
    }), P);
    expect(r.orders[0]).toMatchObject({ status: 'replaced' });
    expect(r.orders[1]).toMatchObject({ status: 'filled', limitPrice: 10.5 });
    expect(r.fills[0]).toMatchObject({ price: 10.2, ts: T0 + 2 * DAY });
  });

  it('the state machine refuses a transition out of a terminal state', () => {
    expect(canTransition('filled', 'canceled')).toBe(false);
    expect(canTransition('accepted', 'partially_filled')).toBe(true);
    const o = { id: 'x', status: 'filled' as const };
    expect(() => transition(o, 'canceled')).toThrow(IllegalTransition);
  });
});

describe('shorting, reversal, margin', () => {
  it('a short sale adds its proceeds to cash; equity marks the liability', () => {
    const r = run(scripted((c, k) => (k === 0 ? c.sell(0, 100) : k === 1 ? c.buy(0, 100) : undefined)), B);
    // b1: sell 100 @10.5 → cash 11050; equity 11050 − 100 × 11.5 = 9900
    expect(r.cash[1]).toBe(11050);
    expect(r.equity[1]).toBe(9900);
    // b2: cover @11 → cash 11050 − 1100 = 9950 = equity; trade pnl (10.5 − 11) × 100 = −50
    expect(r.equity[2]).toBe(9950);
    expect(r.trades[0]).toMatchObject({ side: 'short', qty: 100, entryPrice: 10.5, exitPrice: 11, pnl: -50 });
  });

  it('a fill through zero closes the trade and opens the opposite one', () => {
    const r = run(scripted((c, k) => (k === 0 ? c.buy(0, 100) : k === 1 ? c.sell(0, 200) : undefined)), B, { leverage: 2 });
    // long 100 @10.5 → sell 200 @11: closes the long (+50) and opens a short 100 @11, marked at b3 close 9.8
    expect(r.trades).toHaveLength(2);
    expect(r.trades[0]).toMatchObject({ side: 'long', pnl: 50, exitPrice: 11, open: false });
    expect(r.trades[1]).toMatchObject({ side: 'short', qty: 100, entryPrice: 11, open: true });
    expect(r.trades[1].pnl).toBeCloseTo((11 - 9.8) * 100, 9);
  });

  it('an order beyond the leverage limit is rejected with the numbers', () => {
    const r = run(scripted((c, k) => k === 0 && c.buy(0, 2000)), B);
    // 2000 × 10.5 = 21000 > 1 × equity 10000
    expect(r.fills).toHaveLength(0);
    expect(r.rejections[0]).toMatchObject({ reason: 'margin' });
    expect(r.rejections[0].detail).toMatch(/21000\.00 would exceed 1 × equity 10000\.00/);
    const ok = run(scripted((c, k) => k === 0 && c.buy(0, 1500)), B, { leverage: 2 });
    expect(ok.fills[0].qty).toBe(1500);
  });

  it('all-in buys floor(cash / (price × (1 + rate))) at the fill price and never overdraws', () => {
    const r = run(scripted((c, k) => k === 0 && c.buy(0)), B, { sizer: allInSizer, commission: pctCommission(0.001) });
    // 10000 / (10.5 × 1.001) = 951.4… → 951; cost 9985.5 + fee 9.9855 = 9995.4855 ≤ 10000
    expect(r.fills[0].qty).toBe(951);
    expect(r.cash[1]).toBeCloseTo(10000 - 9985.5 - 9.9855, 9);
    expect(Math.min(...r.cash)).toBeGreaterThanOrEqual(0);
  });
});

describe('accounting identities', () => {
  it('equity = cash + positions at the mark at every bar; Σ pnl − Σ commission = equity change', () => {
    // a random-ish path with many trades, shorting and reversals
    const rows: number[][] = [];
    let p = 50;
    for (let i = 0; i < 400; i++) {
      const o = p * (1 + 0.01 * Math.sin(i * 1.7));
      p = o * (1 + 0.02 * Math.sin(i * 0.37) + 0.005 * Math.cos(i * 3.1));
      rows.push([o, Math.max(o, p) * 1.01, Math.min(o, p) * 0.99, p, 10_000]);
    }
    const S = bars(rows);
    const r = run(
      scripted((c, k) => {
        const pos = c.position(0);
        if (k % 6 === 0 && pos < 15) c.buy(0, 15 - pos); // reverse (or add) to long 15
        if (k % 6 === 1 && pos > 5) c.sell(0, 5); // partial reduce
        if (k % 6 === 3 && pos > -10) c.sell(0, pos + 10); // reverse to short 10
        if (k % 13 === 4) c.buy(0, 3); // odd scale-ins and reductions
      }),
      S,
      { commission: pctCommission(0.0005), leverage: 3, cash: 100_000 },
    );
    expect(r.trades.length).toBeGreaterThan(5);
    // rebuild the position from the fills and check equity bar by bar
    let pos = 0;
    let f = 0;
    for (let i = 0; i < S.ts.length; i++) {
      while (f < r.fills.length && r.fills[f].ts === S.ts[i]) {
        pos += r.fills[f].side === 'buy' ? r.fills[f].qty : -r.fills[f].qty;
        f++;
      }
      expect(r.equity[i]).toBeCloseTo(r.cash[i] + pos * S.close[i], 6);
    }
    const pnl = r.trades.reduce((a, t) => a + t.pnl, 0);
    const comm = r.trades.reduce((a, t) => a + t.commission, 0);
    expect(comm).toBeCloseTo(r.commission, 6);
    expect(pnl - comm).toBeCloseTo(r.finalEquity - 100_000, 6);
  });

  it('indicators and bars are causal: ago < 0 throws', () => {
    expect(() => run(scripted((c) => c.close(0, -1)), B)).toThrow(/back in time/);
  });

  it('fixed quantities are not resized', () => {
    const r = run(scripted((c, k) => k === 0 && c.buy(0)), B, { sizer: fixedSizer(7) });
    expect(r.fills[0].qty).toBe(7);
  });
});
