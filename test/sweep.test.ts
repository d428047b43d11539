/** Sweeps: grid parsing and order, results equal to single backtests, the pool equal to one thread, DSR and PBO. */
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadFile } from '../data/loader.ts';
import { runStrategy } from '../engine/run.ts';
import { requireBuiltin } from '../engine/strategies/index.ts';
import { comboAt, deflatedSharpe, normCdf, normInv, objectiveGrid, parseGrid, pboCscv, sweepIndices, sweepLocal } from '../engine/sweep.ts';
import fs from 'node:fs';
import { cli } from './helpers/cli.ts';
import { ROOT, tmpDir } from './helpers/tmp.ts';

const ORCL_FILE = path.join(ROOT, 'demo/data/orcl-1995-2014.txt');
const sma = requireBuiltin('sma_cross');

describe('grids', () => {
  it('ranges are inclusive, lists and booleans are read, values are checked against the declaration', () => {
    const g = parseGrid(sma, ['fast=5:20:5', 'slow=30,60', 'short=true,false']);
    expect(g).toEqual([
      { name: 'fast', values: [5, 10, 15, 20] },
      { name: 'slow', values: [30, 60] },
      { name: 'short', values: [true, false] },
    ]);
    // grid order: the last parameter varies fastest
    expect([0, 1, 2, 3, 15].map((k) => comboAt(g, k))).toEqual([
      { fast: 5, slow: 30, short: true },
      { fast: 5, slow: 30, short: false },
      { fast: 5, slow: 60, short: true },
      { fast: 5, slow: 60, short: false },
      { fast: 20, slow: 60, short: false },
    ]);
    expect(parseGrid(sma, ['slow=20:50'])[0].values).toEqual([20, 25, 30, 35, 40, 45, 50]); // the declared step (5)
    expect(() => parseGrid(sma, ['fats=1:3'])).toThrow(/no parameter 'fats'/);
    expect(() => parseGrid(sma, ['fast=1:3'])).toThrow(/fast must be ≥ 2/);
    expect(() => parseGrid(sma, ['fast=9:3'])).toThrow(/empty/);
  });

  it('--random picks distinct points of the grid, in grid order, the same for the same seed', () => {
    const g = parseGrid(sma, ['fast=2:100:1', 'slow=10:500:10']);
    const a = sweepIndices(g, 50, 7);
    expect(a).toHaveLength(50);
    expect(new Set(a).size).toBe(50);
    expect([...a].sort((x, y) => x - y)).toEqual(a);
    expect(sweepIndices(g, 50, 7)).toEqual(a);
    expect(sweepIndices(g, 50, 8)).not.toEqual(a);
  });
});

describe('sweep results', () => {
  const ORCL = loadFile(ORCL_FILE, { tz: 'America/New_York', symbol: 'ORCL' }).series[0].bars;

  it('each combination gives what a single backtest with those parameters gives', () => {
    const grid = parseGrid(sma, ['fast=10,20', 'slow=50,100']);
    const res = sweepLocal({ strategy: sma, series: [ORCL], commission: 'pct:0.001', mode: 'vectorized', grid, indices: [0, 1, 2, 3] });
    for (const r of res) {
      const single = runStrategy({ strategy: sma, series: [ORCL], commission: 'pct:0.001', params: r.params });
      expect(r.final_equity, JSON.stringify(r.params)).toBe(single.finalEquity);
      expect(r.metrics.num_trades).toBe(single.trades.filter((t) => !t.open).length);
      expect(r.blocks.filter((_, i) => i % 3 === 2).reduce((a, b) => a + b, 0)).toBe(ORCL.ts.length - 1);
    }
  });

  it('the fused one-pass statistics equal the metrics module', async () => {
    const { computeMetrics } = await import('../engine/metrics.ts');
    const r = runStrategy({ strategy: sma, series: [ORCL], commission: 'pct:0.001', params: { short: true } });
    const [res] = sweepLocal({ strategy: sma, series: [ORCL], commission: 'pct:0.001', mode: 'event', grid: parseGrid(sma, ['short=true']), indices: [0] });
    const full = computeMetrics({ equity: r.equity, ts: r.ts, trades: r.trades });
    for (const k of ['total_return', 'cagr', 'annual_volatility', 'sharpe', 'sortino', 'max_drawdown', 'calmar', 'skew', 'kurtosis', 'num_periods', 'num_trades', 'win_rate', 'profit_factor'] as const) {
      const a = res.metrics[k]!;
      const b = (full as Record<string, number>)[k];
      expect(Math.abs(a - b), k).toBeLessThanOrEqual(1e-9 * Math.max(1, Math.abs(b)));
    }
  });

  it('the command lists results in grid order; two worker threads give the same results as one', async () => {
    const ws = tmpDir('at-sw-');
    const args = ['--workspace', ws, 'sweep', '--strategy', 'sma_cross', '--data', ORCL_FILE, '--tz', 'America/New_York', '--grid', 'fast=5:20:5', '--grid', 'slow=30,60,90', '--commission', 'pct:0.001', '--json'];
    const one = (await cli([...args, '--workers', '1'])).json();
    const two = (await cli([...args, '--workers', '2'])).json();
    expect(one.results.map((r: { params: object }) => r.params)).toEqual([5, 10, 15, 20].flatMap((fast) => [30, 60, 90].map((slow) => ({ fast, slow }))));
    expect(two.results).toEqual(one.results);
    expect(two.pbo).toEqual(one.pbo); // the splits shared between two threads give the same PBO
    expect(one.best[0].metrics.sharpe).toBe(Math.max(...one.results.map((r: { metrics: { sharpe: number } }) => r.metrics.sharpe)));
    expect(one.pbo.splits).toBe(12870); // C(16, 8)
    expect(one.deflated_sharpe.trials).toBe(12);
  });

  it('stores the sweep with its best combination’s backtest; --report draws the heatmap with one cell per pair', async () => {
    const ws = tmpDir('at-sw-');
    const file = path.join(ws, 'sweep.html');
    const out = await cli(['--workspace', ws, 'sweep', '--strategy', 'sma_cross', '--data', ORCL_FILE, '--tz', 'America/New_York', '--grid', 'fast=5:20:5', '--grid', 'slow=30,60,90', '--report', file, '--json']);
    expect(out.code, out.stderr).toBe(0);
    const j = out.json();
    expect(j.results[0].blocks).toBeUndefined();
    const shown = (await cli(['--workspace', ws, 'runs', 'show', String(j.run.id), '--json'])).json();
    expect(shown.kind).toBe('sweep');
    expect(shown.params).toEqual({ ...j.best[0].params, short: false }); // the run records every parameter, defaults too
    // the stored run is the best combination's own backtest
    const own = (await cli(['backtest', '--strategy', 'sma_cross', '--data', ORCL_FILE, '--tz', 'America/New_York', '--param', `fast=${j.best[0].params.fast}`, '--param', `slow=${j.best[0].params.slow}`, '--no-save', '--json'])).json();
    expect(shown.final_equity).toBe(own.final_equity);
    expect(shown.summary.sweep.results).toHaveLength(12);
    const text = (await cli(['--workspace', ws, 'runs', 'show', String(j.run.id)])).stdout;
    expect(text).toMatch(/sweep of 12 combinations of fast \(4\) × slow \(3\)/);
    const html = fs.readFileSync(file, 'utf8');
    expect((html.match(/<rect class="cell"/g) ?? []).length).toBe(12);
    expect(html).toContain('stroke="#000"'); // the best outlined
  });
});

describe('objective heatmap grid', () => {
  it('cells are the objective by (first, second) parameter, the best over any third; failures leave a hole', () => {
    const grid = [
      { name: 'a', values: [1, 2] },
      { name: 'b', values: [10, 20, 30] },
      { name: 'c', values: [true, false] },
    ];
    const results = [];
    let index = 0;
    for (const a of [1, 2]) for (const b of [10, 20, 30]) for (const c of [true, false]) results.push({ index: index++, params: { a, b, c }, metrics: { sharpe: a * 100 + b + (c ? 1 : 0) } as Record<string, number | null>, error: a === 2 && b === 30 ? 'boom' : undefined });
    const g = objectiveGrid({ grid, results }, 'sharpe');
    // rows = b (y), columns = a (x); each cell the better of c = true (+1) and c = false
    expect(g.cells).toEqual([
      [111, 211],
      [121, 221],
      [131, null],
    ]);
    expect(g.index[0][0]).toBe(0); // a=1 b=10 c=true is grid index 0
    expect(g.index[1][1]).toBe(8); // a=2 b=20 c=true: 1·6 + 1·2 + 0
    expect([g.min, g.max]).toEqual([110, 221]);
    const one = objectiveGrid({ grid: [grid[0]], results: [{ index: 0, params: { a: 1 }, metrics: { sharpe: 0.5 } }, { index: 1, params: { a: 2 }, metrics: { sharpe: null } }] }, 'sharpe');
    expect(one.y).toBeNull();
    expect(one.cells).toEqual([[0.5, null]]);
  });
});

describe('statistics', () => {
  it('normal CDF and its inverse match the published table', () => {
    expect(normCdf(0)).toBeCloseTo(0.5, 7);
    expect(normCdf(1)).toBeCloseTo(0.8413447, 6);
    expect(normCdf(-1.96)).toBeCloseTo(0.0249979, 6);
    expect(normInv(0.975)).toBeCloseTo(1.959964, 5);
    expect(normInv(0.99)).toBeCloseTo(2.326348, 5);
    expect(normInv(0.01)).toBeCloseTo(-2.326348, 5);
    expect(normInv(0.5)).toBeCloseTo(0, 9);
  });

  it('deflated Sharpe: 0.5 when the Sharpe equals the expected best of N; one trial is the PSR against 0', () => {
    // skew 0, kurtosis 3: the denominator is √(1 + SR²/2); at SR = SR₀ the statistic is 0 → Φ(0) = 0.5
    const { sr0 } = deflatedSharpe(0, 100, 0.001, 1000, 0, 3);
    expect(deflatedSharpe(sr0, 100, 0.001, 1000, 0, 3).dsr).toBeCloseTo(0.5, 6);
    // SR₀ = √V ((1 − γ) Φ⁻¹(1 − 1/N) + γ Φ⁻¹(1 − 1/(N e))), from the table: Φ⁻¹(0.99) = 2.326348, Φ⁻¹(0.9963212) = 2.680
    expect(sr0).toBeCloseTo(Math.sqrt(0.001) * ((1 - 0.5772157) * 2.326348 + 0.5772157 * 2.68), 3);
    // N = 1: SR₀ = 0; SR 0.05, T 401: z = 0.05 × 20 / √1.00125 = 0.99938 → Φ = 0.84118
    expect(deflatedSharpe(0.05, 1, 0, 401, 0, 3).dsr).toBeCloseTo(0.84118, 4);
  });

  it('PBO: 0 when the in-sample best is always the best out of sample; worked out by hand for two alternating strategies', () => {
    const block = (m: number, v: number) => [m * 10, v * 10 + (m * m) * 10, 10]; // 10 returns with mean m, Σx² chosen so the variance is v
    const S = 16;
    // strategy 0 better than 1 and 2 in every block
    const dominant = [0, 1, 2].map((j) => Array.from({ length: S }, () => block(0.01 - j * 0.004, 0.0004)).flat());
    expect(pboCscv(dominant).pbo).toBe(0);
    // A: +1 % in even blocks, −1 % in odd ones; B the opposite plus a 0.01 % edge everywhere. A split with more even
    // blocks in-sample picks A, which then has more odd blocks out of sample and ranks last: overfit. A split with
    // 4 even and 4 odd blocks on each side picks B (its edge) and B stays best out of sample. So
    // PBO = 1 − C(8,4)² / C(16,8) = 1 − 4,900 / 12,870.
    const A = Array.from({ length: S }, (_, k) => block(k % 2 ? -0.01 : 0.01, 0.0004)).flat();
    const B = Array.from({ length: S }, (_, k) => block((k % 2 ? 0.01 : -0.01) + 0.0001, 0.0004)).flat();
    const r = pboCscv([A, B]);
    expect(r.splits).toBe(12870);
    expect(r.pbo).toBeCloseTo(1 - 4900 / 12870, 12);
  });
});
