/**
 * The Alpaca broker through the real SDK against a fake Alpaca on 127.0.0.1 (REST and the trade-updates WebSocket):
 * order round trips with client_order_ids, partial fills, a refusal and an exchange rejection, a 429 answered after
 * Retry-After, a dropped stream reconnected and re-subscribed, base URLs from Alpaca's own variables, and keys that
 * never show in errors.
 */
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { cli } from './helpers/cli.ts';
import { ROOT, tmpDir } from './helpers/tmp.ts';
import { AlpacaBroker, BrokerRejection, type BrokerUpdate } from '../engine/live/alpaca.ts';
import { FakeAlpaca } from './helpers/fake-alpaca.ts';

let fake: FakeAlpaca;
let urls: { rest: string; stream: string };
let broker: AlpacaBroker;
const updates: BrokerUpdate[] = [];

const until = async (f: () => boolean, ms = 5000) => {
  const t0 = Date.now();
  while (!f()) {
    if (Date.now() - t0 > ms) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 10));
  }
};

beforeEach(async () => {
  fake = new FakeAlpaca();
  urls = await fake.start();
  updates.length = 0;
  // base URLs and keys from Alpaca's own environment variables, as a user (or a proxy) would set them
  broker = new AlpacaBroker({
    env: { APCA_API_KEY_ID: 'test-key', APCA_API_SECRET_KEY: 'test-secret', APCA_API_BASE_URL: urls.rest, APCA_API_STREAM_URL: urls.stream },
    stream: { initialReconnectMs: 50, maxReconnectMs: 200, pingIntervalMs: 150, pongWaitMs: 150 },
    retryDelayMs: 20,
  });
  broker.onUpdate((u) => updates.push(u));
  await broker.connect();
  await until(() => fake.listenCount >= 1);
});

afterEach(async () => {
  await broker.close();
  await fake.stop();
});

describe('Alpaca broker (fake server, real SDK)', () => {
  it('an order round trip: submitted with its client_order_id, acknowledged, partly filled, filled', async () => {
    const o = await broker.submit({ client_order_id: 's1-o1', symbol: 'AAPL', side: 'buy', qty: 10, type: 'limit', limit_price: 150, time_in_force: 'gtc' });
    expect(o).toMatchObject({ client_order_id: 's1-o1', symbol: 'AAPL', qty: 10, status: 'new' });
    expect(fake.orders[0]).toMatchObject({ client_order_id: 's1-o1', qty: '10', limit_price: '150', time_in_force: 'gtc', type: 'limit' });
    fake.fill('s1-o1', 4, 149.5);
    fake.fill('s1-o1', 6, 150);
    await until(() => updates.some((u) => u.event === 'fill'));
    expect(updates.map((u) => u.event)).toEqual(['new', 'partial_fill', 'fill']);
    const [, part, full] = updates;
    expect([part.qty, part.price, part.order.filled_qty]).toEqual([4, 149.5, 4]);
    expect([full.qty, full.price, full.order.filled_qty, full.order.status]).toEqual([6, 150, 10, 'filled']);
    expect(full.order.filled_avg_price).toBeCloseTo((4 * 149.5 + 6 * 150) / 10, 10);
    expect(await broker.positions()).toEqual([{ symbol: 'AAPL', qty: 10, avg_entry_price: expect.closeTo(149.8, 10), market_value: expect.any(Number) }]);
    // the same client_order_id again is refused by the broker: an order is never sent twice under one id
    await expect(broker.submit({ client_order_id: 's1-o1', symbol: 'AAPL', side: 'buy', qty: 10, type: 'market' })).rejects.toMatchObject({ status: 422 });
    expect(await broker.orderByClientId('s1-o1')).toMatchObject({ id: 'ord-1', status: 'filled' });
    expect(await broker.orderByClientId('nope')).toBeNull();
  });

  it('a refusal at submission is a structured rejection without the keys; an exchange rejection arrives on the stream', async () => {
    fake.refuse.add('TSLA');
    const err = await broker.submit({ client_order_id: 's1-o2', symbol: 'TSLA', side: 'buy', qty: 1000, type: 'market' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BrokerRejection);
    expect(err).toMatchObject({ status: 403, code: 40310000 });
    expect(JSON.stringify(err) + String(err) + (err as Error).stack).not.toMatch(/test-secret/);
    await broker.submit({ client_order_id: 's1-o3', symbol: 'MSFT', side: 'sell', qty: 5, type: 'market' });
    fake.reject('s1-o3');
    await until(() => updates.some((u) => u.event === 'rejected'));
    expect(updates.find((u) => u.event === 'rejected')!.order.client_order_id).toBe('s1-o3');
    // cancel: the DELETE, then the stream's canceled event
    const o = await broker.submit({ client_order_id: 's1-o4', symbol: 'MSFT', side: 'buy', qty: 5, type: 'limit', limit_price: 1 });
    await broker.cancel(o.id);
    await until(() => updates.some((u) => u.event === 'canceled'));
    expect(await broker.openOrders()).toEqual([]);
  });

  it('a 429 is retried after Retry-After (reads); every request carries the key id', async () => {
    fake.throttle(1);
    const t0 = Date.now();
    const a = await broker.account();
    expect(a).toMatchObject({ cash: 100_000, status: 'ACTIVE' });
    expect(Date.now() - t0).toBeGreaterThanOrEqual(900); // Retry-After: 1 s
    expect(fake.requests.filter((r) => r.path === '/v2/account')).toHaveLength(2);
    expect(fake.requests.every((r) => r.key === 'test-key')).toBe(true);
    const c = await broker.clock();
    expect(c.is_open).toBe(true);
  });

  it('the watchdog: a stream that stays open but answers no ping is dropped and reconnected', async () => {
    const auths = fake.authCount;
    fake.silent = true;
    await until(() => fake.authCount > auths, 5000);
    fake.silent = false;
    await until(() => fake.connections === 1 && fake.listenCount >= 2);
    await broker.submit({ client_order_id: 's1-o6', symbol: 'AAPL', side: 'buy', qty: 1, type: 'market' });
    fake.fill('s1-o6', 1, 101);
    await until(() => updates.some((u) => u.event === 'fill' && u.order.client_order_id === 's1-o6'));
  });

  it('a dropped stream reconnects, authenticates and listens again; later updates still arrive', async () => {
    const [auths, listens] = [fake.authCount, fake.listenCount];
    fake.dropStreams();
    await until(() => fake.authCount > auths && fake.listenCount > listens && fake.connections === 1);
    await broker.submit({ client_order_id: 's1-o5', symbol: 'AAPL', side: 'buy', qty: 1, type: 'market' });
    fake.fill('s1-o5', 1, 100);
    await until(() => updates.some((u) => u.event === 'fill' && u.order.client_order_id === 's1-o5'));
  });
});

describe('paper --broker alpaca (fake server)', () => {
  it('orders go to Alpaca under their client_order_ids once each; its fills come back into the journal and positions', async () => {
    const ws = tmpDir('at-alpaca-');
    expect((await cli(['--workspace', ws, 'data', 'import', path.join(ROOT, 'demo/data/orcl-1995-2014.txt'), '--tz', 'America/New_York'])).code).toBe(0);
    fake.autoFill = () => 30;
    const env = { APCA_API_KEY_ID: 'test-key', APCA_API_SECRET_KEY: 'test-secret', APCA_API_BASE_URL: urls.rest, APCA_API_STREAM_URL: urls.stream };
    // ~20 ms a daily bar: each order's fill arrives before the next bar
    const r = await cli(['--workspace', ws, 'paper', '--broker', 'alpaca', '--strategy', 'sma_cross', '--symbols', 'ORCL', '--from', '2014-01-01', '--speed', '4320000x', '--headless', '--json'], env);
    expect(r.code, r.stderr).toBe(0);
    expect(r.json().status).toBe('finished');
    expect(r.stdout + r.stderr).not.toMatch(/test-secret/);
    const orders = (await cli(['--workspace', ws, 'orders', '--json'])).json();
    const fills = (await cli(['--workspace', ws, 'fills', '--json'])).json();
    expect(orders.length).toBeGreaterThan(3);
    // one Alpaca order per journal order, same client_order_id, quantity and side; none twice
    expect(fake.orders.map((o) => o.client_order_id).sort()).toEqual(orders.map((o: { client_order_id: string }) => o.client_order_id).sort());
    for (const o of orders) expect(fake.orders.find((x) => x.client_order_id === o.client_order_id)).toMatchObject({ side: o.side, qty: String(o.qty) });
    // every fill the broker reported is in the journal, at its price
    expect(fills.length).toBe(fake.orders.filter((o) => o.status === 'filled').length);
    expect(fills.every((f: { price: number }) => f.price === 30)).toBe(true);
    const pos = (await cli(['--workspace', ws, 'positions', '--json'])).json();
    const fakePos = await broker.positions();
    expect(pos.filter((p: { qty: number }) => p.qty !== 0).map((p: { symbol: string; qty: number }) => [p.symbol, p.qty])).toEqual(fakePos.map((p) => [p.symbol, p.qty]));
    expect(r.json().position_mismatches).toEqual([]);
    // a symbol Alpaca does not trade is refused before anything is sent
    fake.assets = ['AAPL'];
    const posts = fake.requests.filter((q) => q.method === 'POST').length;
    const bad = await cli(['--workspace', ws, 'paper', '--broker', 'alpaca', '--strategy', 'sma_cross', '--symbols', 'ORCL', '--headless'], env);
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toMatch(/not tradable at Alpaca: ORCL/);
    expect(fake.requests.filter((q) => q.method === 'POST').length).toBe(posts);
  }, 60_000);

  it('--live needs --confirm LIVE', async () => {
    const r = await cli(['paper', '--broker', 'alpaca', '--live', '--strategy', 'sma_cross', '--symbols', 'ORCL']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--confirm LIVE/);
  });
});

describe('data fetch --source alpaca (fake server)', () => {
  it('pages through historical bars into the store; a series that fails validation is not stored and says where', async () => {
    const fs = await import('node:fs');
    const rows = fs.readFileSync(path.join(ROOT, 'demo/data/orcl-1995-2014.txt'), 'utf8').trim().split('\n').slice(1, 251).map((l) => l.split(','));
    // daily bars stamped at the New York session start (14:30 UTC in winter), as Alpaca's are at 04:00/05:00 local
    fake.bars.AAPL = rows.map((r) => ({ t: `${r[0]}T05:00:00Z`, o: +r[1], h: +r[2], l: +r[3], c: +r[4], v: +r[6] }));
    fake.bars.BAD = fake.bars.AAPL.slice(0, 20).map((b, i) => (i === 7 ? { ...b, h: b.l - 1 } : b));
    const ws = tmpDir('at-fetch-');
    const env = { APCA_API_KEY_ID: 'test-key', APCA_API_SECRET_KEY: 'test-secret', APCA_API_DATA_URL: urls.rest };
    const r = await cli(['--workspace', ws, 'data', 'fetch', '--source', 'alpaca', '--symbols', 'AAPL,BAD', '--from', '1995-01-01', '--json'], env);
    expect(r.code, r.stderr).toBe(0);
    const j = r.json();
    expect(j.symbols[0]).toMatchObject({ symbol: 'AAPL', bars: 250, stored: true, errors: 0 });
    expect(j.symbols[1]).toMatchObject({ symbol: 'BAD', bars: 20, stored: false });
    expect(j.findings.some((f: { symbol: string; row: number; severity: string }) => f.symbol === 'BAD' && f.row === 7 && f.severity === 'error')).toBe(true);
    // three pages of 100 were requested
    expect(fake.requests.filter((q) => q.path === '/v2/stocks/bars').length).toBe(3);
    const list = (await cli(['--workspace', ws, 'data', 'list', '--json'])).json().sets;
    expect(list.map((x: { symbol: string; rows: number }) => [x.symbol, x.rows])).toEqual([['AAPL', 250]]);
    expect(list[0].firstTs).toBe(Date.parse(`${rows[0][0]}T05:00:00Z`));
    expect(list[0].lastTs).toBe(Date.parse(`${rows[249][0]}T05:00:00Z`));
    // the stored bars are the served ones
    const { Workspace } = await import('../src/workspace.ts');
    const { BarStore } = await import('../data/store.ts');
    const w = Workspace.open(ws, {});
    const got = new BarStore(w).load('AAPL');
    expect(Array.from(got.close)).toEqual(rows.map((r) => +r[4]));
    expect(Array.from(got.volume)).toEqual(rows.map((r) => +r[6]));
    w.close();
  });
});

describe('paper resume with Alpaca (fake server)', () => {
  it('reconciles by client_order_id: fills made while down are booked, an order Alpaca never got is sent once, none twice', async () => {
    const ws = tmpDir('at-alpaca-resume-');
    expect((await cli(['--workspace', ws, 'data', 'import', path.join(ROOT, 'demo/data/orcl-1995-2014.txt'), '--tz', 'America/New_York'])).code).toBe(0);
    const env = { APCA_API_KEY_ID: 'test-key', APCA_API_SECRET_KEY: 'test-secret', APCA_API_BASE_URL: urls.rest, APCA_API_STREAM_URL: urls.stream };
    const args = ['--workspace', ws, '--json'];
    fake.autoFill = () => 30;
    const first = await cli([...args, 'paper', '--broker', 'alpaca', '--strategy', 'sma_cross', '--symbols', 'ORCL', '--from', '2014-01-01', '--speed', '4320000x', '--duration', '1200ms', '--headless'], env);
    expect(first.code, first.stderr).toBe(0);
    expect(first.json().status).toBe('stopped');
    const before = (await cli([...args, 'orders'])).json();
    expect(before.length).toBeGreaterThan(0);
    // while the session is down: one order never reached Alpaca (lost with the crash), the others are known
    const lost = before.at(-1).client_order_id as string;
    const idx = fake.orders.findIndex((o) => o.client_order_id === lost);
    fake.orders.splice(idx, 1);
    const db = (await import('better-sqlite3')).default;
    const j = new db(path.join(ws, 'journal.sqlite'));
    j.prepare("UPDATE orders SET status = 'working', filled_qty = 0, avg_price = NULL WHERE client_order_id = ?").run(lost);
    j.prepare("DELETE FROM events WHERE client_order_id = ? AND type IN ('fill', 'partial_fill')").run(lost);
    j.close();
    const second = await cli([...args, 'paper', 'resume', '--speed', 'max'], env);
    expect(second.code, second.stderr).toBe(0);
    expect(second.json().status).toBe('finished');
    const orders = (await cli([...args, 'orders'])).json();
    // every journal order is at Alpaca exactly once; the lost one was sent again once, under its own id
    const atBroker = fake.orders.map((o) => o.client_order_id);
    expect(new Set(atBroker).size).toBe(atBroker.length);
    expect(atBroker.sort()).toEqual(orders.map((o: { client_order_id: string }) => o.client_order_id).sort());
    expect(fake.orders.filter((o) => o.client_order_id === lost)).toHaveLength(1);
    const fills = (await cli([...args, 'fills'])).json();
    expect(fills.length).toBe(fake.orders.filter((o) => o.status === 'filled').length);
  }, 60_000);
});

describe('paper --feed alpaca (fake market-data stream)', () => {
  it('live bars extend the stored ones: the strategy warms up on history, trades only live bars, fills at their opens', async () => {
    const fs = await import('node:fs');
    const ws = tmpDir('at-livefeed-');
    const t0 = Date.parse('2026-01-05T14:00:00Z');
    const iso = (t: number) => new Date(t).toISOString().slice(0, 16).replace('T', ' ');
    // 60 stored 1-minute bars, flat at 100: no crossing in the history
    const lines = ['time,open,high,low,close,volume', ...Array.from({ length: 60 }, (_, i) => `${iso(t0 + i * 60_000)},100,100.5,99.5,100,1000`)];
    fs.writeFileSync(path.join(ws, 'LIVE.csv'), lines.join('\n'));
    const imp = await cli(['--workspace', ws, 'data', 'import', path.join(ws, 'LIVE.csv'), '--tz', 'UTC']);
    expect(imp.code, imp.stderr).toBe(0);
    const env = { APCA_API_KEY_ID: 'test-key', APCA_API_SECRET_KEY: 'test-secret', APCA_API_DATA_URL: urls.rest };
    const run = cli(['--workspace', ws, 'paper', '--broker', 'paper', '--feed', 'alpaca', '--symbols', 'LIVE', '--strategy', 'sma_cross', '--param', 'fast=2', '--param', 'slow=4', '--duration', '3s', '--headless', '--json'], env);
    await until(() => fake.barSubs.has('LIVE'), 10_000);
    // live bars: up, down, up — the 2/4 SMAs cross
    const closes = [101, 103, 106, 104, 100, 97, 99, 103, 107, 110];
    const pushed: { t: number; open: number }[] = [];
    for (let k = 0; k < closes.length; k++) {
      const t = t0 + (60 + k) * 60_000;
      const open = k ? closes[k - 1] : 100;
      fake.pushBar({ S: 'LIVE', t: new Date(t).toISOString(), o: open, h: Math.max(open, closes[k]) + 0.5, l: Math.min(open, closes[k]) - 0.5, c: closes[k], v: 1000 });
      pushed.push({ t, open });
      await new Promise((r) => setTimeout(r, 30));
    }
    const r = await run;
    expect(r.code, r.stderr).toBe(0);
    const j = r.json();
    expect(j.status).toBe('stopped');
    expect(j.bars).toBe(60 + closes.length);
    const orders = (await cli(['--workspace', ws, 'orders', '--json'])).json();
    const fills = (await cli(['--workspace', ws, 'fills', '--json'])).json();
    expect(orders.length).toBeGreaterThan(0);
    expect(fills.length).toBeGreaterThan(0);
    // no order from the warm-up history; every fill at a later live bar's open
    expect(orders.every((o: { bar_ts: number }) => o.bar_ts >= t0 + 60 * 60_000)).toBe(true);
    for (const f of fills) {
      const bar = pushed.find((p) => p.t === f.bar_ts);
      expect(bar, `fill at ${f.bar_ts}`).toBeDefined();
      expect(f.price).toBe(bar!.open);
    }
    // resume: rebuilt from the stored bars and the journaled live ones (no order twice), then live again
    await until(() => fake.dataConnections === 0, 5000);
    const again = cli(['--workspace', ws, 'paper', 'resume', '--duration', '2s', '--json'], env);
    await until(() => fake.dataConnections === 1, 10_000);
    await new Promise((r) => setTimeout(r, 200));
    for (let k = 0; k < 3; k++) {
      const t = t0 + (60 + closes.length + k) * 60_000;
      fake.pushBar({ S: 'LIVE', t: new Date(t).toISOString(), o: 110, h: 111, l: 109, c: 110 - k, v: 1000 });
      await new Promise((r) => setTimeout(r, 30));
    }
    const r2 = await again;
    expect(r2.code, r2.stderr).toBe(0);
    const j2 = r2.json();
    expect(j2.replay).toMatchObject({ bars: 60 + closes.length, known_orders: orders.length, recorded_orders: 0, known_fills: fills.length, recorded_fills: 0 });
    expect(j2.bars).toBe(60 + closes.length + 3);
    const orders2 = (await cli(['--workspace', ws, 'orders', '--json'])).json();
    expect(new Set(orders2.map((o: { client_order_id: string }) => o.client_order_id)).size).toBe(orders2.length);
  }, 40_000);
});

describe('replace and cancel through Alpaca (fake server)', () => {
  it('a strategy’s replace is one PATCH naming the new client_order_id; its cancel reaches Alpaca', async () => {
    const { Journal, openJournal, ordersOf } = await import('../engine/live/journal.ts');
    const { runSession } = await import('../engine/live/session.ts');
    const { buildConfig } = await import('../engine/run.ts');
    const { defineStrategy } = await import('../engine/strategy.ts');
    const { parseTimeframe } = await import('../src/timeframe.ts');
    const n = 10;
    const f = (v: () => number) => Float64Array.from({ length: n }, v);
    const s = { symbol: 'XYZ', timeframe: parseTimeframe('1m'), tz: 'UTC', ts: Float64Array.from({ length: n }, (_, i) => Date.UTC(2026, 0, 5, 15, i)), open: f(() => 10), high: f(() => 10), low: f(() => 10), close: f(() => 10), volume: f(() => 1000) };
    let id = '';
    const st = defineStrategy({
      name: 'reprice',
      description: 'a limit order repriced, then canceled',
      universe: 'single',
      params: {},
      init: () => ({
        onBar(c) {
          const k = c.count(0);
          if (k === 1) id = c.buy(0, 10, { type: 'limit', limitPrice: 1 });
          else if (k === 4) id = c.replace(id, { limitPrice: 2 });
          else if (k === 7) c.cancel(id);
        },
      }),
    });
    const dir = tmpDir('at-replace-');
    const db = openJournal(path.join(dir, 'journal.sqlite'));
    db.prepare("INSERT INTO sessions (id, strategy, symbols, broker, feed, config, started_at, status) VALUES ('r', 'reprice', 'XYZ', 'alpaca', 'replay', '{}', 'x', 'running')").run();
    const r = await runSession({ journal: new Journal(db, 'r'), cfg: buildConfig({ strategy: st, series: [s] }), barMs: 60_000, speed: 1200, broker });
    expect(r.status).toBe('finished');
    await until(() => fake.orders.length === 2 && fake.orders[1].status === 'canceled');
    expect(fake.orders.map((o) => [o.client_order_id, o.limit_price, o.status])).toEqual([
      ['r-o1', '1', 'replaced'],
      ['r-o2', '2', 'canceled'],
    ]);
    expect(fake.requests.filter((q) => q.method === 'POST' && q.path === '/v2/orders')).toHaveLength(1);
    expect(fake.requests.filter((q) => q.method === 'PATCH')).toHaveLength(1);
    expect(ordersOf(db, 'r').map((o) => [o.client_order_id, o.status])).toEqual([
      ['r-o1', 'replaced'],
      ['r-o2', 'canceled'],
    ]);
    db.close();
  });
});
