/** Run history: every backtest is stored; a rerun of the stored configuration on the same data reproduces it exactly. */
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli } from './helpers/cli.ts';
import { ROOT, tmpDir } from './helpers/tmp.ts';

const ORCL = path.join(ROOT, 'demo/data/orcl-1995-2014.txt');

describe('runs', () => {
  it('stores each backtest; show gives back the same result; a rerun of the stored config reproduces it exactly', async () => {
    const ws = tmpDir('at-runs-');
    const args = ['--workspace', ws, 'backtest', '--strategy', 'sma_cross', '--data', ORCL, '--tz', 'America/New_York', '--param', 'fast=15', '--commission', 'ibkr_fixed', '--slippage', 'bps:2', '--json', '--equity'];
    const first = (await cli(args)).json();
    expect(first.run.id).toBe(1);
    const shown = (await cli(['--workspace', ws, 'runs', 'show', '1', '--json', '--equity'])).json();
    expect(shown.summary.trades).toEqual(first.trades);
    expect(shown.metrics).toEqual(first.metrics);
    expect(shown.final_equity).toBe(first.final_equity);
    expect(shown.equity.equity).toEqual(first.equity.equity);
    expect(shown.data_hash).toEqual(first.run.data_hash);
    expect(shown.config).toMatchObject({ commission: 'ibkr_fixed', slippage: 'bps:2', fill: 'next_open', sizer: 'all_in', mode: 'event' });
    // rerun from the stored configuration alone
    const c = shown.config;
    const again = (
      await cli(['--workspace', ws, 'backtest', '--strategy', c.strategy, '--data', ORCL, '--tz', 'America/New_York', ...Object.entries(c.params).flatMap(([k, v]) => ['--param', `${k}=${v}`]), '--commission', c.commission, '--slippage', c.slippage, '--fill', c.fill, '--sizer', c.sizer, '--cash', String(c.cash), '--json'])
    ).json();
    expect(again.run.id).toBe(2);
    expect(again.run.data_hash).toEqual(shown.data_hash);
    expect(again.final_equity).toBe(shown.final_equity);
    expect(again.metrics).toEqual(shown.metrics);
    expect(again.trades).toEqual(shown.summary.trades);
  });

  it('list, compare, delete; --no-save stores nothing', async () => {
    const ws = tmpDir('at-runs-');
    const bt = (p: string, ...more: string[]) => cli(['--workspace', ws, 'backtest', '--strategy', 'sma_cross', '--data', ORCL, '--tz', 'America/New_York', '--param', p, ...more]);
    await bt('fast=10');
    await bt('fast=20');
    await bt('fast=30', '--no-save');
    const list = (await cli(['--workspace', ws, 'runs', 'list', '--json'])).json();
    expect(list.runs.map((r: { id: number; params: { fast: number } }) => [r.id, r.params.fast])).toEqual([
      [2, 20],
      [1, 10],
    ]);
    const cmp = (await cli(['--workspace', ws, 'runs', 'compare', '1', '2', '--json'])).json();
    expect(cmp.params).toEqual([{ name: 'fast', a: 10, b: 20 }]);
    expect(cmp.same_data).toBe(true);
    const sharpe = cmp.metrics.find((m: { name: string }) => m.name === 'sharpe');
    expect(sharpe.diff).toBeCloseTo(sharpe.b - sharpe.a, 12);
    const text = (await cli(['--workspace', ws, 'runs', 'compare', '1', '2'])).stdout;
    expect(text).toMatch(/run 1 vs run 2 \(same data\)\n {2}fast: 10 → 20/);
    expect((await cli(['--workspace', ws, 'runs', 'delete', '1'])).code).toBe(0);
    const gone = await cli(['--workspace', ws, 'runs', 'show', '1']);
    expect(gone.code).toBe(1);
    expect(gone.stderr).toMatch(/no run 1/);
  });
});
