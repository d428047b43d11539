/**
 * Paper trading: a replayed session's fills equal the backtest's (same kernel, same fill/slippage/commission models);
 * the journal records every order once by its client_order_id; a session killed with SIGKILL mid-run and resumed
 * sends no order twice, loses no fill, and ends where an uninterrupted run ends; requests from another process
 * (buy, stop) reach the running session through the journal.
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli } from './helpers/cli.ts';
import { ROOT, tmpDir } from './helpers/tmp.ts';

const ORCL = path.join(ROOT, 'demo/data/orcl-1995-2014.txt');
const NVDA = path.join(ROOT, '../shared/data/backtrader/nvda-1999-2014.txt');

async function workspaceWith(...files: string[]) {
  const ws = tmpDir('at-paper-');
  for (const f of files) {
    const r = await cli(['--workspace', ws, 'data', 'import', f, '--tz', 'America/New_York']);
    expect(r.code, r.stderr).toBe(0);
  }
  return ws;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('paper trading', () => {
  it('replaying stored bars gives the backtest’s fills, with costs, on two symbols in one account', async () => {
    const ws = await workspaceWith(ORCL, NVDA);
    const costs = ['--commission', 'pct:0.001', '--slippage', 'bps:5'];
    const p = (await cli(['--workspace', ws, 'paper', '--strategy', 'sma_cross', '--symbols', 'ORCL,NVDA', '--param', 'fast=10', '--param', 'slow=30', '--speed', 'max', '--headless', ...costs, '--json'])).json();
    expect(p.status).toBe('finished');
    const bt = (await cli(['--workspace', ws, 'backtest', '--strategy', 'sma_cross', '--symbol', 'ORCL,NVDA', '--param', 'fast=10', '--param', 'slow=30', ...costs, '--no-save', '--json'])).json();
    const fills = (await cli(['--workspace', ws, 'fills', '--json'])).json();
    expect(fills.length).toBeGreaterThan(50);
    expect(fills.length).toBe(bt.trades.reduce((n: number, t: { open?: boolean }) => n + (t.open ? 1 : 2), 0));
    expect(p.equity).toBeCloseTo(bt.metrics.final_equity ?? bt.final_equity, 6);
    // every fill: the backtest's trade entries and exits, same time, side, quantity and price
    const fromBt = bt.trades
      .flatMap((t: { symbol: string; side: string; qty: number; entry_time: string; entry_price: number; exit_time?: string; exit_price?: number; open?: boolean }) => [
        { symbol: t.symbol, side: t.side === 'long' ? 'buy' : 'sell', qty: t.qty, ts: Date.parse(t.entry_time), price: t.entry_price },
        ...(t.open ? [] : [{ symbol: t.symbol, side: t.side === 'long' ? 'sell' : 'buy', qty: t.qty, ts: Date.parse(t.exit_time!), price: t.exit_price! }]),
      ])
      .sort((a: { ts: number; symbol: string }, b: { ts: number; symbol: string }) => a.ts - b.ts || a.symbol.localeCompare(b.symbol));
    const fromJournal = fills
      .map((f: { symbol: string; side: string; qty: number; bar_ts: number; price: number }) => ({ symbol: f.symbol, side: f.side, qty: f.qty, ts: f.bar_ts, price: f.price }))
      .sort((a: { ts: number; symbol: string }, b: { ts: number; symbol: string }) => a.ts - b.ts || a.symbol.localeCompare(b.symbol));
    expect(fromJournal.map((f: { price: number }) => ({ ...f, price: +f.price.toFixed(8) }))).toEqual(fromBt.map((f: { price: number }) => ({ ...f, price: +f.price.toFixed(8) })));
    // orders carry their client_order_id, unique
    const orders = (await cli(['--workspace', ws, 'orders', '--json'])).json();
    expect(new Set(orders.map((o: { client_order_id: string }) => o.client_order_id)).size).toBe(orders.length);
    expect(orders[0].client_order_id).toMatch(new RegExp(`^${p.session}-o\\d+$`));
    // positions: the sum of fills, equal to the backtest's open trades
    const pos = (await cli(['--workspace', ws, 'positions', '--json'])).json();
    for (const t of bt.trades.filter((x: { open?: boolean }) => x.open)) expect(pos.find((x: { symbol: string }) => x.symbol === t.symbol).qty).toBe(t.side === 'long' ? t.qty : -t.qty);
  });

  it('kill -9 mid-run, then paper resume: no order twice, no fill lost, the same end as an uninterrupted run', async () => {
    const ws = await workspaceWith(ORCL);
    const args = ['--workspace', ws, 'paper', '--strategy', 'sma_cross', '--symbols', 'ORCL', '--param', 'fast=3', '--param', 'slow=8', '--headless', '--json'];
    // ~5 ms a bar (a daily bar at 17,280,000× real time): the run takes ~25 s, killed after a few seconds
    const child = spawn(process.execPath, [path.join(ROOT, 'bin/alphatrade'), ...args, '--speed', '17280000x'], { stdio: 'ignore' });
    let before = { orders: 0, fills: 0 };
    for (let i = 0; i < 200; i++) {
      await sleep(100);
      const o = await cli(['--workspace', ws, 'orders', '--json']);
      if (o.code === 0 && o.json().length >= 20) break;
    }
    child.kill('SIGKILL');
    await new Promise((r) => child.once('exit', r));
    const acct = (await cli(['--workspace', ws, 'account', '--json'])).json();
    expect(acct.status).toBe('running'); // killed: it never wrote its end
    before = { orders: (await cli(['--workspace', ws, 'orders', '--json'])).json().length, fills: (await cli(['--workspace', ws, 'fills', '--json'])).json().length };
    expect(before.orders).toBeGreaterThanOrEqual(20);
    const r = (await cli(['--workspace', ws, 'paper', 'resume', '--speed', 'max', '--headless', '--json'])).json();
    expect(r.status).toBe('finished');
    // every order recorded before the kill was found again, not sent again; at most the one cut off is new
    expect(r.replay.known_orders).toBeGreaterThanOrEqual(before.orders - 1);
    expect(r.replay.recorded_orders).toBeLessThanOrEqual(1);
    const orders = (await cli(['--workspace', ws, 'orders', '--json'])).json();
    const fills = (await cli(['--workspace', ws, 'fills', '--json'])).json();
    expect(new Set(orders.map((o: { client_order_id: string }) => o.client_order_id)).size).toBe(orders.length);
    // the uninterrupted backtest of the same strategy: same number of fills, same final position and equity
    const bt = (await cli(['--workspace', ws, 'backtest', '--strategy', 'sma_cross', '--symbol', 'ORCL', '--param', 'fast=3', '--param', 'slow=8', '--no-save', '--json'])).json();
    expect(fills.length).toBe(bt.trades.reduce((n: number, t: { open?: boolean }) => n + (t.open ? 1 : 2), 0));
    expect(r.equity).toBeCloseTo(bt.final_equity ?? bt.metrics.final_equity, 6);
    const pos = (await cli(['--workspace', ws, 'positions', '--json'])).json();
    const net = fills.reduce((q: number, f: { side: string; qty: number }) => q + (f.side === 'buy' ? f.qty : -f.qty), 0);
    expect(pos[0].qty).toBe(net);
    const open = bt.trades.find((t: { open?: boolean }) => t.open);
    expect(net).toBe(open ? open.qty : 0);
  }, 90_000);

  it('requests from another process reach the running session: a manual buy, then stop; resume replays the buy at its bar', async () => {
    const ws = await workspaceWith(ORCL);
    const child = spawn(process.execPath, [path.join(ROOT, 'bin/alphatrade'), '--workspace', ws, 'paper', '--strategy', 'sma_cross', '--symbols', 'ORCL', '--speed', '17280000x', '--headless'], { stdio: 'ignore' });
    try {
      for (let i = 0; i < 200; i++) {
        await sleep(100);
        const a = await cli(['--workspace', ws, 'account', '--json']);
        if (a.code === 0 && a.json().bars > 50) break;
      }
      const b = await cli(['--workspace', ws, 'buy', 'ORCL', '7', '--json']);
      expect(b.code, b.stderr).toBe(0);
      // the blotter's syntax for a limit: buy SYM QTY limit PRICE (a limit far below the market: it stays working)
      const lim = await cli(['--workspace', ws, 'buy', 'ORCL', '3', 'limit', '0.5', '--json']);
      expect(lim.code, lim.stderr).toBe(0);
      const badWord = await cli(['--workspace', ws, 'buy', 'ORCL', '3', 'stop', '9']);
      expect(badWord.code).toBe(2);
      let manual: { client_order_id: string; qty: number; source: string; status: string } | undefined;
      for (let i = 0; i < 100 && !manual; i++) {
        await sleep(100);
        manual = (await cli(['--workspace', ws, 'orders', '--json'])).json().find((o: { source: string }) => o.source === 'manual');
      }
      expect(manual).toMatchObject({ qty: 7, source: 'manual' });
      let limit: { qty: number; type: string; limit_price: number } | undefined;
      for (let i = 0; i < 100 && !limit; i++) {
        await sleep(50);
        limit = (await cli(['--workspace', ws, 'orders', '--json'])).json().find((o: { source: string; type: string }) => o.source === 'manual' && o.type === 'limit');
      }
      expect(limit).toMatchObject({ qty: 3, type: 'limit', limit_price: 0.5 });
      expect((await cli(['--workspace', ws, 'paper', 'stop', '--json'])).code).toBe(0);
      await new Promise((r) => child.once('exit', r));
    } finally {
      child.kill('SIGKILL');
    }
    const acct = (await cli(['--workspace', ws, 'account', '--json'])).json();
    expect(acct.status).toBe('stopped');
    const r = (await cli(['--workspace', ws, 'paper', 'resume', '--speed', 'max', '--json'])).json();
    expect(r.status).toBe('finished');
    expect(r.replay.recorded_orders).toBe(0); // the manual order was replayed at its bar and found recorded
    const orders = (await cli(['--workspace', ws, 'orders', '--json'])).json();
    expect(orders.filter((o: { source: string }) => o.source === 'manual')).toHaveLength(2);
  }, 90_000);
});

describe('paper trading with limits', () => {
  it('the risk manager refuses orders in a session; the journal records the rule, limit and value', async () => {
    const ws = await workspaceWith(ORCL);
    const fs = await import('node:fs');
    const file = path.join(ws, 'limits.json');
    fs.writeFileSync(file, JSON.stringify({ limits: { position_qty: 1000 } }));
    const r = await cli(['--workspace', ws, 'paper', '--strategy', 'sma_cross', '--symbols', 'ORCL', '--risk', file, '--speed', 'max', '--headless', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const orders = (await cli(['--workspace', ws, 'orders', '--json'])).json();
    const rej = orders.filter((o: { status: string }) => o.status === 'rejected');
    // all-in buys of tens of thousands of shares break a 1,000-share limit: every buy is refused, nothing is held
    expect(rej.length).toBeGreaterThan(10);
    expect(rej.every((o: { reason: string; side: string }) => o.reason === 'position_qty' && o.side === 'buy')).toBe(true);
    expect((await cli(['--workspace', ws, 'fills', '--json'])).json()).toEqual([]);
    const { openJournal } = await import('../engine/live/journal.ts');
    const db = openJournal(path.join(ws, 'journal.sqlite'));
    const ev = db.prepare("SELECT detail FROM events WHERE type = 'rejected' ORDER BY id LIMIT 1").get() as { detail: string };
    const d = JSON.parse(ev.detail);
    expect(d).toMatchObject({ reason: 'risk_limit', rule: 'position_qty', limit: 1000 });
    expect(d.value).toBeGreaterThan(1000);
    db.close();
  });
});
