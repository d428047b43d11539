/**
 * The risk manager: each limit and breaker on hand-worked numbers, then inside the event engine (a limit that
 * rejects an order, a drawdown breaker that halts new exposure at the bar the equity curve says it should).
 */
import { describe, expect, it } from 'vitest';
import { loadFile } from '../data/loader.ts';
import { RiskManager, type RiskView } from '../engine/risk/manager.ts';
import { runStrategy } from '../engine/run.ts';
import { requireBuiltin } from '../engine/strategies/index.ts';

function view(o: { symbols: string[]; pos: number[]; mark: number[]; equity: number; open?: number }): RiskView {
  return { symbols: o.symbols, equity: () => o.equity, position: (s) => o.pos[s], mark: (s) => o.mark[s], openOrders: () => o.open ?? 0 };
}

describe('limits (pre-trade checks)', () => {
  const v = view({ symbols: ['AAA', 'BBB', 'CCC'], pos: [2000, 0, -500], mark: [10, 20, 40], equity: 100_000 });

  it('position quantity, notional and % of equity; a per-symbol override; reductions always pass', () => {
    const r = new RiskManager({ limits: { position_pct: 0.3, position_qty: 5000, position_notional: 40_000 }, symbols: { BBB: { position_pct: 0.1 } } });
    // AAA: 2000 → 3000 at 10 = 30,000 = 30%: at the limit, passes; 3001 is over
    expect(r.checkFill(0, 1000, 10, v)).toBeNull();
    expect(r.checkFill(0, 1001, 10, v)).toEqual({ rule: 'position_pct', limit: 0.3, value: 0.3001, symbol: 'AAA', detail: 'position would be 30.0% of equity (limit 30.0%)' });
    // BBB's own limit: 10% of 100,000 = 10,000 = 500 shares at 20
    expect(r.checkFill(1, 500, 20, v)).toBeNull();
    expect(r.checkFill(1, 501, 20, v)?.rule).toBe('position_pct');
    // notional: CCC −500 → −1,100 at 40 = 44,000 > 40,000
    expect(r.checkFill(2, -600, 40, v)).toMatchObject({ rule: 'position_notional', limit: 40_000, value: 44_000 });
    // quantity first: 2000 + 3001 = 5001 > 5000
    expect(r.checkFill(0, 3001, 1, v)).toMatchObject({ rule: 'position_qty', limit: 5000, value: 5001 });
    // reducing or reversing to a smaller size passes whatever the limits
    expect(r.checkFill(0, -2000, 10, v)).toBeNull();
    expect(r.checkFill(2, 800, 40, v)).toBeNull(); // −500 → +300
  });

  it('sector exposure, gross, net and leverage after the fill', () => {
    const sectors = { AAA: 'tech', BBB: 'tech', CCC: 'energy' };
    // tech now: |2000 × 10| = 20,000; buying 600 BBB at 20 adds 12,000 → 32% > 30%
    const s = new RiskManager({ sectors, limits: { sector_pct: 0.3 } });
    expect(s.checkFill(1, 600, 20, v)).toMatchObject({ rule: 'sector_pct', limit: 0.3, value: 0.32 });
    expect(s.checkFill(1, 500, 20, v)).toBeNull(); // 30%
    // now: AAA +20,000, CCC −20,000 → gross 40,000, net 0, equity 100,000
    // +400 BBB at 20 = +8,000: gross 48,000 (≤ 50,000), net 8,000 (≤ 15,000), leverage 0.48 > 0.45
    expect(new RiskManager({ limits: { gross: 50_000, net: 15_000, leverage: 0.45 } }).checkFill(1, 400, 20, v)).toMatchObject({ rule: 'leverage', limit: 0.45, value: 0.48 });
    // +600 BBB = +12,000: gross 52,000 > 50,000
    expect(new RiskManager({ limits: { gross: 50_000 } }).checkFill(1, 600, 20, v)).toMatchObject({ rule: 'gross', limit: 50_000, value: 52_000 });
    // +1,600 AAA at 10: AAA +36,000, net 16,000 > 15,000; +1,500 gives 15,000 exactly
    const n = new RiskManager({ limits: { net: 15_000 } });
    expect(n.checkFill(0, 1600, 10, v)).toMatchObject({ rule: 'net', limit: 15_000, value: 16_000 });
    expect(n.checkFill(0, 1500, 10, v)).toBeNull();
  });

  it('open orders and the order rate in a sliding window', () => {
    const r = new RiskManager({ limits: { open_orders: 2, order_rate: { orders: 3, seconds: 60 } } });
    expect(r.checkPlacement(0, 0, false, view({ symbols: ['A'], pos: [0], mark: [1], equity: 1, open: 2 }))).toMatchObject({ rule: 'open_orders', limit: 2, value: 3 });
    const v0 = view({ symbols: ['A'], pos: [0], mark: [1], equity: 1, open: 0 });
    expect(r.checkPlacement(1_000, 0, false, v0)).toBeNull();
    expect(r.checkPlacement(2_000, 0, false, v0)).toBeNull();
    expect(r.checkPlacement(3_000, 0, false, v0)).toBeNull();
    expect(r.checkPlacement(4_000, 0, false, v0)).toMatchObject({ rule: 'order_rate', limit: 3, value: 4 });
    // at 61.001 s the first (1 s) has left the 60 s window
    expect(r.checkPlacement(61_001, 0, false, v0)).toBeNull();
  });
});

describe('circuit breakers and the kill switch', () => {
  const v = view({ symbols: ['A'], pos: [10], mark: [1], equity: 1 });
  const day = 86_400_000;

  it('drawdown from the peak: trips at the limit, halts new exposure, lets reductions through, until reset', () => {
    const r = new RiskManager({ breakers: { max_drawdown: 0.1 } });
    r.onStep(1, 100, 0);
    r.onStep(2, 110, 0);
    r.onStep(3, 99.5, 0); // 1 − 99.5/110 = 9.5%
    expect(r.halted()).toBeNull();
    r.onStep(4, 99, 0); // 10% exactly
    expect(r.halted()).toBe('max_drawdown');
    expect(r.checkPlacement(5, 0, false, v)).toMatchObject({ rule: 'max_drawdown', limit: 0.1 });
    expect(r.checkPlacement(5, 0, false, v)!.value).toBeCloseTo(0.1, 12);
    expect(r.checkPlacement(5, 0, true, v)).toBeNull();
    r.onStep(6, 200, day); // a new day and a new peak do not clear it
    expect(r.halted()).toBe('max_drawdown');
    expect(r.breakers().find((b) => b.name === 'max_drawdown')!.trips).toEqual([{ ts: 4, value: 1 - 99 / 110 }]);
    r.reset();
    expect(r.halted()).toBeNull();
  });

  it('daily loss from the day’s opening equity, cleared by the next day', () => {
    const r = new RiskManager({ breakers: { daily_loss: 0.03 } });
    r.onStep(1, 100, 0);
    r.onStep(2, 120, 0);
    r.onStep(3, 97.5, 0); // 2.5% below the open (100), though 18.75% below the peak
    expect(r.halted()).toBeNull();
    r.onStep(4, 96.9, 0);
    expect(r.halted()).toBe('daily_loss');
    r.onStep(5, 96.9, day);
    expect(r.halted()).toBeNull();
  });

  it('consecutive losing trades (a win resets the count), cleared by the next day', () => {
    const r = new RiskManager({ breakers: { consecutive_losses: 3 } });
    r.onStep(0, 100, 0);
    for (const pnl of [-1, -1, 5, -1, -1]) r.onTradeClosed(1, pnl);
    expect(r.halted()).toBeNull();
    r.onTradeClosed(2, -0.01);
    expect(r.halted()).toBe('consecutive_losses');
    r.onStep(3, 100, day);
    expect(r.halted()).toBeNull();
    r.onTradeClosed(4, -1);
    expect(r.halted()).toBeNull(); // the count started again
  });

  it('the kill switch stops every new order but reductions', () => {
    const r = new RiskManager({});
    r.kill(7, 'operator');
    expect(r.checkPlacement(8, 0, false, v)).toMatchObject({ rule: 'kill_switch', detail: 'kill switch on (operator): only reducing orders' });
    expect(r.checkPlacement(8, 0, true, v)).toBeNull();
    r.reset();
    expect(r.checkPlacement(9, 0, false, v)).toBeNull();
  });

  it('rejects unknown settings with the field named', () => {
    expect(() => new RiskManager({ limits: { postion_pct: 0.2 } } as never)).toThrow(/postion_pct/);
  });
});

describe('in the event engine', () => {
  const ORCL = loadFile('demo/data/orcl-1995-2014.txt', { tz: 'America/New_York', symbol: 'ORCL' }).series[0].bars;
  const sma = requireBuiltin('sma_cross');

  it('a % of equity limit rejects all-in entries with a structured rejection; a smaller sizer passes it', () => {
    const r = runStrategy({ strategy: sma, series: [ORCL], risk: new RiskManager({ limits: { position_pct: 0.5 } }) });
    expect(r.trades).toHaveLength(0);
    const rej = r.rejections.filter((x) => x.reason === 'risk_limit');
    expect(rej.length).toBeGreaterThan(10);
    for (const x of rej) {
      expect(x.rule).toBe('position_pct');
      expect(x.limit).toBe(0.5);
      expect(x.value!).toBeGreaterThan(0.9); // all in: nearly 100% of equity
    }
    const ok = runStrategy({ strategy: sma, series: [ORCL], sizer: 'percent:40', risk: new RiskManager({ limits: { position_pct: 0.5 } }) });
    expect(ok.trades.length).toBeGreaterThan(20);
    expect(ok.rejections.filter((x) => x.reason === 'risk_limit')).toHaveLength(0);
    expect(ok.risk!.limits[0]).toMatchObject({ rule: 'position_pct', limit: 0.5 });
    expect(ok.risk!.limits[0].peak).toBeGreaterThan(0.35);
    // each entry was at most half the equity when it filled (prices may carry it above later: limits bind orders)
    const at = new Map(Array.from(ok.ts, (t, i) => [t, i]));
    for (const f of ok.fills.filter((x) => x.side === 'buy')) expect(f.qty * f.price).toBeLessThanOrEqual(0.5 * ok.equity[at.get(f.ts)! - 1] * (1 + 1e-9));
  });

  it('a drawdown breaker trips on the bar the equity curve first falls 25% from its peak; afterwards only exits fill', () => {
    const r = runStrategy({ strategy: sma, series: [ORCL], params: { short: true }, commission: 'pct:0.001', sizer: 'percent:90', risk: new RiskManager({ breakers: { max_drawdown: 0.25 } }) });
    const trip = r.risk!.breakers.find((b) => b.name === 'max_drawdown')!;
    expect(trip.tripped).toBe(true);
    // independently: the first bar where 1 − equity / running peak ≥ 25%
    let peak = -Infinity;
    let first = -1;
    for (let i = 0; i < r.equity.length; i++) {
      peak = Math.max(peak, r.equity[i]);
      if (1 - r.equity[i] / peak >= 0.25) {
        first = i;
        break;
      }
    }
    expect(first).toBeGreaterThan(0);
    expect(trip.trips[0].ts).toBe(r.ts[first]);
    // after it, every fill only reduces a position: the position never grows in size
    const after = r.fills.filter((f) => f.ts > r.ts[first]);
    let pos = 0;
    for (const f of r.fills) {
      const next = pos + (f.side === 'buy' ? f.qty : -f.qty);
      if (f.ts > r.ts[first]) expect(Math.abs(next)).toBeLessThanOrEqual(Math.abs(pos));
      pos = next;
    }
    expect(r.rejections.some((x) => x.rule === 'max_drawdown')).toBe(true);
    expect(after.length).toBeLessThanOrEqual(1);
  });

  it('the vectorized engine refuses limits (they are checked order by order)', () => {
    expect(() => runStrategy({ strategy: sma, series: [ORCL], mode: 'vectorized', risk: new RiskManager({ limits: { leverage: 1 } }) })).toThrow(/use --mode event/);
  });
});
