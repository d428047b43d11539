/**
 * Walk-forward: windows worked out by hand, the chosen parameters equal an independent sweep of each training slice
 * (copied bars, not views), each test window equal to a plain backtest started flat at the window with the previous
 * window's final equity, no look-ahead (changing bars after a window changes nothing up to it), the efficiency from
 * its formula, the pool equal to one thread, and the command's JSON, history and report.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadFile } from '../data/loader.ts';
import { runStrategy } from '../engine/run.ts';
import { requireBuiltin } from '../engine/strategies/index.ts';
import { comboAt, parseGrid, sweepIndices, sweepLocal } from '../engine/sweep.ts';
import { ComboRunner, shareSeries } from '../engine/sweep-pool.ts';
import { pickBest, walkForward, walkForwardWindows } from '../engine/walkforward.ts';
import { sliceBars, type BarSeries } from '../src/types.ts';
import { cli } from './helpers/cli.ts';
import { ROOT, tmpDir } from './helpers/tmp.ts';

const ORCL_FILE = path.join(ROOT, 'demo/data/orcl-1995-2014.txt');
const ORCL = loadFile(ORCL_FILE, { tz: 'America/New_York', symbol: 'ORCL' }).series[0].bars;
const sma = requireBuiltin('sma_cross');
const grid = parseGrid(sma, ['fast=5:25:10', 'slow=30,60']);
const indices = sweepIndices(grid);
const options = { cash: 100_000, commission: 'pct:0.001', slippage: 'none', fill: 'next_open', sizer: 'all_in', leverage: 1, mode: 'vectorized' as const, periods: 252 };

async function wf(series: BarSeries[], threads = 1, anchored = false) {
  const runner = new ComboRunner({ strategy: sma, threads });
  try {
    return await walkForward({ strategy: sma, series: threads > 1 ? series.map(shareSeries) : series, grid, indices, train: 1000, test: 500, anchored, objective: 'sharpe', options, runner });
  } finally {
    await runner.destroy();
  }
}

describe('walk-forward windows', () => {
  it('test windows tile the data after the first training period; rolling or anchored training windows', () => {
    expect(walkForwardWindows(10, 4, 3, false)).toEqual([
      { trainStart: 0, trainEnd: 4, testStart: 4, testEnd: 7 },
      { trainStart: 3, trainEnd: 7, testStart: 7, testEnd: 10 },
    ]);
    expect(walkForwardWindows(11, 4, 3, true)).toEqual([
      { trainStart: 0, trainEnd: 4, testStart: 4, testEnd: 7 },
      { trainStart: 0, trainEnd: 7, testStart: 7, testEnd: 10 },
      { trainStart: 0, trainEnd: 10, testStart: 10, testEnd: 11 }, // the last test window is shorter
    ]);
    expect(() => walkForwardWindows(4, 4, 3, false)).toThrow(/more than --train 4 bars/);
    expect(() => walkForwardWindows(100, 10, 0, false)).toThrow(/--test/);
  });
});

describe('walk-forward on ORCL daily (5,036 bars: windows of 1,000 in-sample and 500 out-of-sample bars)', async () => {
  const r = await wf([ORCL]);
  const n = ORCL.ts.length;
  const specs = walkForwardWindows(n, 1000, 500, false);

  it('chooses in each window the best combination of an independent sweep of the training bars', () => {
    expect(r.windows).toHaveLength(specs.length);
    expect(specs.length).toBe(Math.ceil((n - 1000) / 500));
    for (let k = 0; k < specs.length; k++) {
      const w = specs[k];
      const own = sweepLocal({ ...options, strategy: sma, series: [sliceBars(ORCL, w.trainStart, w.trainEnd)], grid, indices });
      let best = -Infinity;
      let arg = -1;
      own.forEach((x, j) => {
        const s = x.metrics.sharpe;
        if (s !== null && s > best) {
          best = s;
          arg = j;
        }
      });
      expect(r.windows[k].params).toEqual(comboAt(grid, arg));
      expect(r.windows[k].in_sample.sharpe).toBe(best);
      expect(r.windows[k].train.bars).toBe(1000);
    }
  });

  it('each test window is a backtest started flat at its first bar with the previous window’s final equity', () => {
    let cash = 100_000;
    let pos = 1;
    expect(r.equity[0]).toBe(100_000);
    expect(r.ts[0]).toBe(ORCL.ts[999]);
    for (let k = 0; k < specs.length; k++) {
      const w = specs[k];
      const one = runStrategy({ ...options, strategy: sma, params: r.windows[k].params!, series: [sliceBars(ORCL, w.trainStart, w.testEnd)], cash, tradeFrom: ORCL.ts[w.testStart] });
      const m = w.testEnd - w.testStart;
      // flat through the warm-up
      for (let i = 0; i < w.testStart - w.trainStart; i++) expect(one.equity[i]).toBe(cash);
      expect(Array.from(r.equity.subarray(pos, pos + m))).toEqual(Array.from(one.equity.subarray(one.equity.length - m)));
      expect(r.windows[k].out_of_sample.total_return).toBeCloseTo(one.finalEquity / cash - 1, 12);
      pos += m;
      cash = one.finalEquity;
    }
    expect(pos).toBe(r.equity.length);
    expect(r.equity[r.equity.length - 1]).toBe(cash);
    // the stitched return is the product of the windows' returns
    const prod = r.windows.reduce((g, w) => g * (1 + (w.out_of_sample.total_return ?? 0)), 1);
    expect(r.equity[r.equity.length - 1] / 100_000).toBeCloseTo(prod, 10);
  });

  it('walk-forward efficiency follows its formula', () => {
    const nOut = r.equity.length - 1;
    const oosCagr = (r.equity[nOut] / 100_000) ** (252 / nOut) - 1;
    const isCagr = r.windows.map((w) => w.in_sample.cagr as number);
    const mean = isCagr.reduce((a, b) => a + b, 0) / isCagr.length;
    expect(mean).toBeGreaterThan(0);
    expect(r.efficiency).toBeCloseTo(oosCagr / mean, 12);
    for (const w of r.windows) {
      const is = w.in_sample.cagr as number;
      if (is > 0) expect(w.efficiency).toBeCloseTo((w.out_of_sample.cagr as number) / is, 12);
      else expect(w.efficiency).toBeNull();
    }
  });

  it('no look-ahead: changing the bars after a window’s end changes nothing up to it', async () => {
    const cut = specs[2].testEnd; // after the third window
    const changed = sliceBars(ORCL, 0, n);
    for (let i = cut; i < n; i++) {
      const f = 1 + 0.3 * Math.sin(i / 7);
      changed.open[i] *= f;
      changed.high[i] *= f;
      changed.low[i] *= f;
      changed.close[i] *= f;
    }
    const r2 = await wf([changed]);
    expect(r2.windows.slice(0, 3).map((w) => w.params)).toEqual(r.windows.slice(0, 3).map((w) => w.params));
    const upTo = cut - 999; // stitched index of the last bar of window 3
    expect(Array.from(r2.equity.subarray(0, upTo))).toEqual(Array.from(r.equity.subarray(0, upTo)));
    // and the change did reach later windows
    expect(r2.equity[r2.equity.length - 1]).not.toBe(r.equity[r.equity.length - 1]);
  });

  it('two worker threads give the same windows and equity as one thread; anchored windows all start at the first bar', async () => {
    const two = await wf([ORCL], 2);
    expect(two.windows).toEqual(r.windows);
    expect(Array.from(two.equity)).toEqual(Array.from(r.equity));
    const anchored = await wf([ORCL], 1, true);
    expect(anchored.windows.every((w) => w.train.from === r.windows[0].train.from)).toBe(true);
    expect(anchored.windows.map((w) => w.train.bars)).toEqual(specs.map((_, k) => 1000 + 500 * k));
  });

  it('pickBest skips failed and missing values and keeps the first of equals', () => {
    const mk = (index: number, sharpe: number | null, error?: string) => ({ index, params: {}, metrics: { sharpe }, final_equity: 1, blocks: [], error });
    expect(pickBest([mk(0, 1), mk(1, 2, 'boom'), mk(2, null), mk(3, 1.5), mk(4, 1.5)], 'sharpe')?.index).toBe(3);
    expect(pickBest([mk(0, null)], 'sharpe')).toBeNull();
  });
});

describe('walkforward command', () => {
  it('--json has the windows, the stitched run and its efficiency; the run is stored; --report writes the windows', async () => {
    const ws = tmpDir('at-wf-');
    const file = path.join(ws, 'wf.html');
    const out = await cli(['--workspace', ws, 'walkforward', '--strategy', 'sma_cross', '--data', ORCL_FILE, '--tz', 'America/New_York', '--grid', 'fast=5:25:10', '--grid', 'slow=30,60', '--commission', 'pct:0.001', '--train', '1000', '--test', '500', '--report', file, '--json']);
    expect(out.code, out.stderr).toBe(0);
    const j = out.json();
    expect(j.walkforward.windows).toHaveLength(9); // ⌈(5,036 − 1,000) / 500⌉
    expect(j.walkforward.windows[0].params).toEqual(expect.objectContaining({ fast: expect.any(Number), slow: expect.any(Number) }));
    expect(j.period.bars).toBe(5036 - 1000 + 1); // from the bar before the first test bar
    expect(typeof j.walkforward.efficiency).toBe('number');
    expect(j.run.id).toBeGreaterThan(0);
    const list = (await cli(['--workspace', ws, 'runs', 'list', '--json'])).json();
    expect(list.runs[0]).toEqual(expect.objectContaining({ id: j.run.id, kind: 'walkforward', strategy: 'sma_cross' }));
    const shown = await cli(['--workspace', ws, 'runs', 'show', String(j.run.id)]);
    expect(shown.stdout).toMatch(/walk-forward efficiency/);
    expect(shown.stdout).toMatch(/fast=\d+ slow=\d+/);
    const html = fs.readFileSync(file, 'utf8');
    expect(html).toContain('id="walkforward"');
    expect((html.match(/<tr class="wf-window">/g) ?? []).length).toBe(9);
  });

  it('a bad window length is a usage error', async () => {
    const out = await cli(['walkforward', '--strategy', 'sma_cross', '--data', ORCL_FILE, '--tz', 'America/New_York', '--grid', 'fast=5,10', '--train', '9000', '--no-save']);
    expect(out.code).toBe(2);
    expect(out.stderr).toMatch(/more than --train 9000 bars; the data has 5036/);
  });
});
