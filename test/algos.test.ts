/**
 * Execution algorithms in a paper session: child sizes worked out by hand (TWAP even slices, VWAP by a volume
 * profile built into the bars, Iceberg clips), children linked to their parent in the journal, the parent's fill
 * the sum of its children's, a child refused by the risk manager returning its quantity to the parent.
 */
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { intradayProfile, splitByWeights, startAlgo } from '../engine/live/algos.ts';
import { fillsOf, Journal, openJournal, ordersOf } from '../engine/live/journal.ts';
import { runSession } from '../engine/live/session.ts';
import { RiskManager } from '../engine/risk/manager.ts';
import { buildConfig } from '../engine/run.ts';
import { defineStrategy } from '../engine/strategy.ts';
import { parseTimeframe } from '../src/timeframe.ts';
import type { BarSeries } from '../src/types.ts';
import { tmpDir } from './helpers/tmp.ts';

const idle = defineStrategy({ name: 'idle', description: 'places nothing', universe: 'single', params: {}, init: () => ({ onBar() {} }) });

/** 15-minute bars, 26 a day from 09:30 New York, volume by bucket = profile[k] every day, prices drifting up */
function intraday(days: number, profile: number[]): BarSeries {
  const ts: number[] = [];
  const vol: number[] = [];
  const px: number[] = [];
  let d = Date.UTC(2024, 0, 2, 14, 30); // 09:30 New York (EST)
  for (let day = 0; day < days; day++, d += 86_400_000)
    for (let k = 0; k < 26; k++) {
      ts.push(d + k * 900_000);
      vol.push(profile[k]);
      px.push(100 + ts.length * 0.01);
    }
  const f = (a: number[]) => Float64Array.from(a);
  return { symbol: 'XYZ', timeframe: parseTimeframe('15m'), tz: 'America/New_York', ts: f(ts), open: f(px), high: f(px.map((p) => p + 0.05)), low: f(px.map((p) => p - 0.05)), close: f(px), volume: f(vol) } as BarSeries;
}

async function session(series: BarSeries, requests: { atStep: number; body: Record<string, unknown> }[], risk?: RiskManager) {
  const dir = tmpDir('at-algo-');
  const db = openJournal(path.join(dir, 'journal.sqlite'));
  db.prepare("INSERT INTO sessions (id, strategy, symbols, broker, feed, config, started_at, status) VALUES ('s', 'idle', 'XYZ', 'paper', 'replay', '{}', 'x', 'running')").run();
  const cfg = buildConfig({ strategy: idle, series: [series], cash: 10_000_000, risk });
  const r = await runSession({
    journal: new Journal(db, 's'),
    cfg,
    barMs: 900_000,
    speed: 'max',
    onStep: (step) => {
      for (const q of requests) if (q.atStep === step) db.prepare("INSERT INTO requests (session_id, kind, body, at) VALUES ('s', 'order', ?, 'x')").run(JSON.stringify(q.body));
    },
  });
  return { db, r, orders: ordersOf(db, 's'), fills: fillsOf(db, 's') };
}

describe('execution algorithm arithmetic', () => {
  it('splits whole units by weights with the largest remainders', () => {
    expect(splitByWeights(10, [1, 1, 1])).toEqual([4, 3, 3]);
    // exact 5, 2.5, 2.5 → floors 5, 2, 2; the one unit left goes to the first of the tied remainders
    expect(splitByWeights(10, [2, 1, 1])).toEqual([5, 3, 2]);
    expect(splitByWeights(7, [0, 0, 1])).toEqual([0, 0, 7]);
  });

  it('the intraday volume profile is each bucket’s share of its day, from earlier days only', () => {
    const prof = Array.from({ length: 26 }, (_, k) => (k === 0 || k === 25 ? 300 : 100)); // U-shaped: 3,000 a day
    const s = intraday(5, prof);
    const p = intradayProfile(s, 26 * 3, 20); // days 0–2
    expect(p.get(570)).toBeCloseTo(0.1, 12); // 09:30: 300 / 3,000
    expect(p.get(585)).toBeCloseTo(100 / 3000, 12);
    expect([...p.values()].reduce((a, b) => a + b, 0)).toBeCloseTo(1, 12);
  });

  it('the router: a small order goes out at once, a large one is worked by VWAP', () => {
    const s = intraday(3, new Array(26).fill(1000));
    expect(startAlgo('a', 0, s, 60, 'buy', 5, { kind: 'auto' })).toMatchObject({ kind: 'twap', plan: [5] });
    expect(startAlgo('a', 0, s, 60, 'buy', 30, { kind: 'auto' }).kind).toBe('iceberg');
    // the same small order on a wide market (high − low 1 % of the price): a limit, not a market order
    const wide = { ...s, high: s.high.map((h) => h + 1), low: s.low.map((l) => l - 1) };
    expect(startAlgo('a', 0, wide, 60, 'buy', 5, { kind: 'auto' }).kind).toBe('iceberg');
    const big = startAlgo('a', 0, s, 60, 'buy', 2000, { kind: 'auto' });
    expect(big.kind).toBe('vwap');
    expect(big.plan).toHaveLength(40); // 2000 / (5 % of 1,000) bars
  });
});

describe('execution algorithms in a paper session', () => {
  it('TWAP: even children on consecutive bars, each filled at the next open, the parent filled at their mean price', async () => {
    const s = intraday(4, new Array(26).fill(1000));
    // written after step 29, the request is taken at step 30
    const { orders, fills } = await session(s, [{ atStep: 29, body: { symbol: 'XYZ', side: 'buy', qty: 100, algo: 'twap', slices: 4 } }]);
    const parent = orders.find((o) => o.client_order_id === 's-a1')!;
    const kids = orders.filter((o) => o.parent_id === 's-a1');
    expect(kids.map((k) => k.qty)).toEqual([25, 25, 25, 25]);
    expect(kids.map((k) => k.bar_ts)).toEqual([30, 31, 32, 33].map((i) => s.ts[i]));
    const kf = fills.filter((f) => kids.some((k) => k.client_order_id === f.client_order_id));
    expect(kf.map((f) => f.bar_ts)).toEqual([31, 32, 33, 34].map((i) => s.ts[i]));
    expect(kf.map((f) => f.price)).toEqual([31, 32, 33, 34].map((i) => s.open[i]));
    expect(parent).toMatchObject({ status: 'filled', filled_qty: 100, type: 'twap', source: 'manual' });
    expect(parent.avg_price).toBeCloseTo([31, 32, 33, 34].reduce((a, i) => a + s.open[i] * 25, 0) / 100, 9);
  });

  it('VWAP: children follow the historical volume of their time-of-day buckets', async () => {
    const prof = Array.from({ length: 26 }, (_, k) => 100 + 40 * Math.abs(12.5 - k)); // U-shaped
    const s = intraday(6, prof);
    // taken on the last bar of day 3 (15:45): the children fill in day 4's buckets 09:30 … 15:45
    const { orders } = await session(s, [{ atStep: 26 * 4 - 2, body: { symbol: 'XYZ', side: 'buy', qty: 2600, algo: 'vwap', slices: 26 } }]);
    const kids = orders.filter((o) => o.parent_id === 's-a1').map((k) => k.qty);
    expect(kids).toEqual(splitByWeights(2600, prof).filter((q) => q > 0));
    expect(kids[0]!).toBeGreaterThan(kids[12]!); // more at the open than at midday
  });

  it('Iceberg: one visible clip at a time, the next once it fills', async () => {
    const s = intraday(2, new Array(26).fill(1000));
    const { orders, fills } = await session(s, [{ atStep: 5, body: { symbol: 'XYZ', side: 'buy', qty: 100, algo: 'iceberg', clip: 30, limit: 1000 } }]);
    const kids = orders.filter((o) => o.parent_id === 's-a1');
    expect(kids.map((k) => [k.qty, k.type, k.limit_price])).toEqual([[30, 'limit', 1000], [30, 'limit', 1000], [30, 'limit', 1000], [10, 'limit', 1000]]);
    // each clip is placed at the bar its predecessor filled
    const fillTs = kids.map((k) => fills.find((f) => f.client_order_id === k.client_order_id)!.bar_ts);
    expect(kids.slice(1).map((k) => k.bar_ts)).toEqual(fillTs.slice(0, 3));
    expect(orders.find((o) => o.client_order_id === 's-a1')).toMatchObject({ status: 'filled', filled_qty: 100 });
  });

  it('a child the risk manager refuses returns its quantity to the parent; with no slice left the parent ends canceled', async () => {
    const s = intraday(2, new Array(26).fill(1000));
    const risk = new RiskManager({ limits: { position_qty: 60 } });
    const { orders } = await session(s, [{ atStep: 3, body: { symbol: 'XYZ', side: 'buy', qty: 100, algo: 'twap', slices: 4 } }], risk);
    const kids = orders.filter((o) => o.parent_id === 's-a1');
    // 25 and 25 fill (50); the third (25 → 75 > 60) is refused and its 25 joins the last slice: 50, refused too
    expect(kids.map((k) => [k.qty, k.status])).toEqual([[25, 'filled'], [25, 'filled'], [25, expect.stringMatching(/rejected|canceled/)], [50, expect.stringMatching(/rejected|canceled/)]]);
    // recorded with the rule that refused it, its limit and the value that broke it
    expect(kids[2].reason).toBe('position_qty');
    const { db } = await session(s, [{ atStep: 3, body: { symbol: 'XYZ', side: 'buy', qty: 100, algo: 'twap', slices: 4 } }], new RiskManager({ limits: { position_qty: 60 } }));
    const ev = db.prepare("SELECT detail FROM events WHERE type = 'rejected' ORDER BY id LIMIT 1").get() as { detail: string };
    expect(JSON.parse(ev.detail)).toMatchObject({ reason: 'risk_limit', rule: 'position_qty', limit: 60, value: 75 });
    expect(orders.find((o) => o.client_order_id === 's-a1')).toMatchObject({ status: 'canceled', filled_qty: 50 });
  });
});
