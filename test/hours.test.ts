/**
 * Market hours from a broker calendar (times worked out by hand across EST/EDT and an early close), and a session
 * with an external broker holding orders while the market is closed and sending each once at the open.
 */
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Broker, BrokerOrderRequest, BrokerUpdate } from '../engine/live/alpaca.ts';
import { MarketHours } from '../engine/live/hours.ts';
import { Journal, openJournal, ordersOf } from '../engine/live/journal.ts';
import { runSession } from '../engine/live/session.ts';
import { buildConfig } from '../engine/run.ts';
import { defineStrategy } from '../engine/strategy.ts';
import { parseTimeframe } from '../src/timeframe.ts';
import type { BarSeries } from '../src/types.ts';
import { tmpDir } from './helpers/tmp.ts';

describe('market hours', () => {
  const h = new MarketHours([
    { date: '2026-07-02', open: '09:30', close: '16:00' }, // EDT: 13:30–20:00 UTC
    { date: '2026-11-25', open: '09:30', close: '16:00' }, // EST: 14:30–21:00 UTC
    { date: '2026-11-27', open: '09:30', close: '13:00' }, // the day after Thanksgiving closes early
  ]);
  const u = (s: string) => Date.parse(s);
  it('sessions in UTC from New York times, summer and winter', () => {
    expect(h.isOpen(u('2026-07-02T13:29:59Z'))).toBe(false);
    expect(h.isOpen(u('2026-07-02T13:30:00Z'))).toBe(true);
    expect(h.isOpen(u('2026-07-02T19:59:59Z'))).toBe(true);
    expect(h.isOpen(u('2026-07-02T20:00:00Z'))).toBe(false);
    expect(h.isOpen(u('2026-11-25T14:30:00Z'))).toBe(true);
    expect(h.isOpen(u('2026-11-25T21:00:00Z'))).toBe(false);
  });
  it('the next open skips a holiday; an early close ends the session at 13:00', () => {
    expect(h.nextOpen(u('2026-11-25T22:00:00Z'))).toBe(u('2026-11-27T14:30:00Z')); // Thanksgiving (26th) closed
    expect(h.nextOpen(u('2026-11-25T15:00:00Z'))).toBe(u('2026-11-25T15:00:00Z')); // open now
    expect(h.isOpen(u('2026-11-27T17:59:00Z'))).toBe(true);
    expect(h.isOpen(u('2026-11-27T18:00:00Z'))).toBe(false); // 13:00 EST
    expect(h.nextOpen(u('2026-11-28T00:00:00Z'))).toBeNull();
  });
});

describe('a session holds orders while the market is closed', () => {
  it('no order reaches the broker before the open; then each held order is sent once, in order', async () => {
    // a strategy that buys one share on each of its first five bars
    const buyer = defineStrategy({ name: 'buyer', description: 'buys 1 on five bars', universe: 'single', params: {}, init: () => ({ onBar(c) { if (c.count(0) <= 5) c.buy(0, 1); } }) });
    const n = 20;
    const f = (v: (i: number) => number) => Float64Array.from({ length: n }, (_, i) => v(i));
    const s: BarSeries = { symbol: 'XYZ', timeframe: parseTimeframe('1m'), tz: 'UTC', ts: f((i) => Date.UTC(2026, 0, 5, 15, i)), open: f(() => 10), high: f(() => 10), low: f(() => 10), close: f(() => 10), volume: f(() => 1000) };
    const sent: BrokerOrderRequest[] = [];
    const listeners: ((u: BrokerUpdate) => void)[] = [];
    let step = 0;
    const broker: Broker = {
      async submit(r) {
        sent.push(r);
        const order = { id: `b${sent.length}`, client_order_id: r.client_order_id, symbol: r.symbol, side: r.side, qty: r.qty, filled_qty: r.qty, filled_avg_price: 10, status: 'filled', type: r.type };
        setImmediate(() => listeners.forEach((l) => l({ event: 'fill', order, price: 10, qty: r.qty, timestamp: null })));
        return { ...order, filled_qty: 0, filled_avg_price: null, status: 'new' };
      },
      cancel: async () => {},
      replace: async () => { throw new Error('no'); },
      account: async () => ({ cash: 0, equity: 0, buying_power: 0, status: 'ACTIVE' }),
      positions: async () => [],
      openOrders: async () => [],
      orderByClientId: async () => null,
      onUpdate: (fn) => void listeners.push(fn),
      connect: async () => {},
      close: async () => {},
    };
    const dir = tmpDir('at-hours-');
    const db = openJournal(path.join(dir, 'journal.sqlite'));
    db.prepare("INSERT INTO sessions (id, strategy, symbols, broker, feed, config, started_at, status) VALUES ('h', 'buyer', 'XYZ', 'alpaca', 'replay', '{}', 'x', 'running')").run();
    // the wall clock: the market opens when the session reaches its 10th bar
    const open = 1_000_000;
    const sentBeforeOpen: number[] = [];
    const r = await runSession({
      journal: new Journal(db, 'h'),
      cfg: buildConfig({ strategy: buyer, series: [s], sizer: 'fixed:1' }),
      barMs: 60_000,
      speed: 1_000_000, // pace the bars so the broker's fills arrive between them
      broker,
      hours: { isOpen: (t) => t >= open, nextOpen: (t) => Math.max(t, open) },
      now: () => (step >= 10 ? open : 0),
      onStep: (k) => {
        step = k + 1;
        if (k === 9) sentBeforeOpen.push(sent.length);
      },
    });
    expect(r.status).toBe('finished');
    expect(sentBeforeOpen).toEqual([0]);
    expect(sent.map((x) => x.client_order_id)).toEqual(['h-o1', 'h-o2', 'h-o3', 'h-o4', 'h-o5']);
    const held = db.prepare("SELECT COUNT(*) n FROM events WHERE type = 'held'").get() as { n: number };
    expect(held.n).toBe(5);
    expect(ordersOf(db, 'h').every((o) => o.status === 'filled')).toBe(true);
    db.close();
  });
});
