/**
 * `alphatrade backtest` end to end through the CLI, checked against an independent, deliberately naive
 * implementation of backtrader's SmaCross sample written here (plain loops, SMAs summed from scratch each bar).
 */
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadFile } from '../data/loader.ts';
import { cli } from './helpers/cli.ts';
import { ROOT, tmpDir } from './helpers/tmp.ts';

const ORCL = path.join(ROOT, 'demo/data/orcl-1995-2014.txt');

/**
 * backtrader's SmaCross, long-only, all-in with a percent commission, orders at the next open:
 * if flat and fast crosses above slow → buy floor(cash / (open × (1 + r))) at the next open;
 * if long and fast crosses below slow → sell everything at the next open.
 */
function naiveSmaCross(close: Float64Array, open: Float64Array, fast: number, slow: number, r: number, cash0: number) {
  const sma = (i: number, n: number) => {
    if (i + 1 < n) return NaN;
    let s = 0;
    for (let k = i - n + 1; k <= i; k++) s += close[k];
    return s / n;
  };
  let cash = cash0;
  let pos = 0;
  let lastSign = 0;
  let pending: 'buy' | 'sell' | null = null;
  const trades: { entry: number; exit: number }[] = [];
  let entryBar = -1;
  for (let i = 0; i < close.length; i++) {
    if (pending === 'buy') {
      const q = Math.floor(cash / (open[i] * (1 + r)));
      cash -= q * open[i] * (1 + r);
      pos = q;
      entryBar = i;
    } else if (pending === 'sell') {
      cash += pos * open[i] * (1 - r);
      pos = 0;
      trades.push({ entry: entryBar, exit: i });
    }
    pending = null;
    const f = sma(i, fast);
    const s = sma(i, slow);
    if (Number.isNaN(f) || Number.isNaN(s)) continue;
    const d = f - s;
    const sign = Math.abs(d) <= 1e-9 * Math.max(Math.abs(f), Math.abs(s)) ? 0 : Math.sign(d);
    if (sign === 0) continue;
    if (lastSign !== 0 && sign !== lastSign && i < close.length - 1) {
      if (sign > 0 && pos === 0) pending = 'buy';
      if (sign < 0 && pos > 0) pending = 'sell';
    }
    lastSign = sign;
  }
  return { equity: cash + pos * close[close.length - 1], trades };
}

describe('backtest command', () => {
  it('sma_cross on ORCL matches an independent implementation of backtrader\'s sample', async () => {
    const ws = tmpDir('at-bt-');
    const out = await cli(['--workspace', ws, 'backtest', '--strategy', 'sma_cross', '--data', ORCL, '--tz', 'America/New_York', '--param', 'fast=10', '--param', 'slow=30', '--commission', 'pct:0.001', '--json']);
    expect(out.stderr).toBe('');
    expect(out.code).toBe(0);
    const j = out.json();
    const bars = loadFile(ORCL, { tz: 'America/New_York' }).series[0].bars;
    const ref = naiveSmaCross(bars.close, bars.open, 10, 30, 0.001, 100_000);
    expect(j.final_equity).toBeCloseTo(ref.equity, 6);
    const closed = j.trades.filter((t: any) => !t.open);
    expect(closed.length).toBe(ref.trades.length);
    expect(closed.length).toBeGreaterThan(20);
    for (let k = 0; k < closed.length; k++) {
      expect(closed[k].entry_time).toBe(new Date(bars.ts[ref.trades[k].entry]).toISOString());
      expect(closed[k].exit_time).toBe(new Date(bars.ts[ref.trades[k].exit]).toISOString());
    }
    // the documented JSON shape
    expect(Object.keys(closed[0])).toEqual(expect.arrayContaining(['symbol', 'side', 'qty', 'entry_time', 'entry_price', 'exit_time', 'exit_price', 'pnl', 'commission']));
    expect(closed[0].entry_time).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    expect(typeof j.metrics.sharpe).toBe('number');
    expect(j.run.data_hash.ORCL).toMatch(/^[0-9a-f]{64}$/);
    expect(j.run.config).toMatchObject({ commission: 'pct:0.001', fill: 'next_open', sizer: 'all_in', mode: 'event' });
    // Σ pnl − Σ commission = equity change
    const pnl = j.trades.reduce((a: number, t: any) => a + t.pnl - t.commission, 0);
    expect(pnl).toBeCloseTo(j.final_equity - 100_000, 6);
  });

  it('vectorized mode gives the same result', async () => {
    const ws = tmpDir('at-bt-');
    const args = ['--workspace', ws, 'backtest', '--strategy', 'sma_cross', '--data', ORCL, '--tz', 'America/New_York', '--param', 'short=true', '--commission', 'pct:0.001', '--json'];
    const a = (await cli(args)).json();
    const b = (await cli([...args, '--mode', 'vectorized'])).json();
    expect(b.mode).toBe('vectorized');
    expect(b.final_equity).toBe(a.final_equity);
    expect(b.trades).toEqual(a.trades);
  });

  it('text output, usage errors and unknown names', async () => {
    const ws = tmpDir('at-bt-');
    const t = await cli(['--workspace', ws, 'backtest', '--strategy', 'sma_cross', '--data', ORCL, '--tz', 'America/New_York']);
    expect(t.code).toBe(0);
    expect(t.stdout).toMatch(/Final equity/);
    expect(t.stdout).toMatch(/Last 10 of \d+ trades/);
    const bad = await cli(['--workspace', ws, 'backtest', '--strategy', 'sma_crss', '--data', ORCL]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/did you mean sma_cross/);
    const p = await cli(['--workspace', ws, 'backtest', '--strategy', 'sma_cross', '--data', ORCL, '--param', 'fats=3']);
    expect(p.code).toBe(2);
    expect(p.stderr).toMatch(/no parameter 'fats' \(did you mean fast\?\)/);
    const r = await cli(['--workspace', ws, 'backtest', '--strategy', 'sma_cross', '--data', ORCL, '--param', 'fast=0']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/fast must be ≥ 2/);
    const f = await cli(['--workspace', ws, 'backtest', '--strategy', 'sma_cross', '--data', ORCL, '--fill', 'tomorrow']);
    expect(f.code).toBe(2);
    expect(f.stderr).toMatch(/unknown fill model/);
  });

  it('--from/--to clip the run (a date-only --to includes that day)', async () => {
    const ws = tmpDir('at-bt-');
    const j = (await cli(['--workspace', ws, 'backtest', '--strategy', 'sma_cross', '--data', ORCL, '--tz', 'America/New_York', '--from', '2000-01-01', '--to', '2000-12-29', '--json'])).json();
    expect(j.period.from.slice(0, 10)).toBe('2000-01-03');
    // 2000-12-29 00:00 New York is 05:00Z
    expect(j.period.to).toBe('2000-12-29T05:00:00.000Z');
    expect(j.period.bars).toBe(252);
  });
});
