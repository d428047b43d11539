/**
 * `walkforward`: optimise a grid in-sample, trade the best out-of-sample, window after window; stitch the
 * out-of-sample equity; report walk-forward efficiency and the parameters chosen in each window (engine/walkforward.ts).
 */
import { z } from 'zod';
import { runSummary, type RunSummary, type WalkForwardSection } from '../engine/report.ts';
import { shareSeries } from '../engine/sweep-pool.ts';
import { walkForward, walkForwardAsResult } from '../engine/walkforward.ts';
import { recordRun } from './backtest.ts';
import { int, num, pct, price, table } from './format.ts';
import { defineCommand } from './registry.ts';
import { gridArgs, gridSection, prepareGrid, runnerFor } from './sweep.ts';

export interface WalkForwardOutput extends RunSummary {
  walkforward: WalkForwardSection;
  source: string;
  run: { id: number | null };
  report?: string;
}

export const walkforward = defineCommand({
  name: 'walkforward',
  summary: 'optimise in-sample, trade out-of-sample, window by window; stitched out-of-sample equity and walk-forward efficiency',
  description:
    'Windows: --train N in-sample bars, then --test M out-of-sample bars; the test windows tile the data after the first training period. Rolling by default (the training window slides); --anchored keeps it starting at the first bar.\n' +
    'Each test window starts flat, with the strategy and its indicators warmed up on the training bars, and with the equity the previous window ended with. Walk-forward efficiency = annualised out-of-sample return / annualised in-sample return of the chosen combinations (Pardo).',
  args: () => z.object({
    ...gridArgs(),
    train: z.number().int().min(2).default(756).describe('in-sample bars per window (756 ≈ 3 years of daily bars)'),
    test: z.number().int().min(1).default(126).describe('out-of-sample bars per window (126 ≈ 6 months)'),
    anchored: z.boolean().default(false).describe('every training window starts at the first bar (expanding) instead of sliding'),
    trades: z.number().int().min(0).default(0).describe('out-of-sample trades listed in the text output (JSON has all)'),
    equity: z.boolean().default(false).describe('include the stitched equity curve (time, equity) in --json output'),
    curve: z.number().int().positive().optional().describe('include the stitched curve in at most N points (as backtest --curve)'),
  }),
  examples: [
    'alphatrade walkforward --strategy sma_cross --symbol ORCL --grid fast=5:50:5 --grid slow=20:200:10 --train 756 --test 126',
    'alphatrade walkforward --strategy rsi_reversion --symbol ORCL --grid lower=20:40:5 --train 1000 --test 250 --anchored --json',
  ],
  async run(ctx, a, progress): Promise<WalkForwardOutput> {
    const { strategy, series, source, adjusted, hashes, grid, indices, options } = await prepareGrid(ctx, a);
    const bars = series.reduce((s, x) => s + x.ts.length, 0);
    const runner = runnerFor(ctx, strategy, series, Math.ceil((indices.length * bars) / Math.max(1, series[0].ts.length)), a.workers);
    const t0 = performance.now();
    let wf;
    try {
      wf = await walkForward({
        strategy,
        series: runner.threads > 1 ? series.map(shareSeries) : series,
        grid,
        indices,
        train: a.train,
        test: a.test,
        anchored: a.anchored,
        objective: a.objective,
        options,
        runner,
        signal: ctx.signal,
        progress: (done, total) => progress({ job: 'walkforward', phase: 'in-sample runs', done, total }),
      });
    } finally {
      await runner.destroy();
    }
    const r = walkForwardAsResult(wf, a.cash);
    const section: WalkForwardSection = { objective: a.objective, train: a.train, test: a.test, anchored: a.anchored, combinations: indices.length, grid: gridSection(grid), windows: wf.windows, efficiency: wf.efficiency };
    const summary: RunSummary = { ...runSummary(r, { periods: wf.periods, elapsedMs: performance.now() - t0, equityCurve: a.equity, curvePoints: a.curve }), walkforward: section };
    const config = { ...r.config, mode: options.mode, strategy: strategy.name, grid: a.grid, random: a.random ?? null, seed: a.seed, objective: a.objective, train: a.train, test: a.test, anchored: a.anchored, from: a.from ?? null, to: a.to ?? null, source };
    const rec = recordRun(ctx, { kind: 'walkforward', save: a.save, report: a.report, summary, config, ts: r.ts, equity: r.equity, series, source, adjusted, hashes });
    return { ...summary, walkforward: section, source, run: { id: rec.id }, ...(rec.report ? { report: rec.report } : {}) };
  },
  render: (r: WalkForwardOutput, a) => renderWalkForward(r, a.trades),
});

/** The windows table and the stitched result (also used by `runs show` for stored walk-forwards). */
export function renderWalkForward(r: RunSummary & { walkforward: WalkForwardSection; run?: { id: number | null }; report?: string }, nTrades = 0): string {
  const w = r.walkforward;
  const m = r.metrics;
  const out: string[] = [];
  out.push(`${r.strategy} walk-forward · ${r.symbols.join(',')} · ${w.anchored ? 'anchored' : 'rolling'} · train ${int(w.train)} / test ${int(w.test)} bars · ${w.windows.length} windows × ${int(w.combinations)} combinations · objective ${w.objective}`);
  out.push('');
  out.push(
    table(
      ['#', 'train', 'test', 'chosen', `IS ${w.objective}`, `OOS ${w.objective}`, 'OOS return', 'OOS max dd', 'trades', 'WFE'],
      w.windows.map((x) => [
        x.index,
        `${x.train.from.slice(0, 10)}…${x.train.to.slice(0, 10)}`,
        `${x.test.from.slice(0, 10)}…${x.test.to.slice(0, 10)}`,
        x.params ? Object.entries(x.params).map(([k, v]) => `${k}=${v}`).join(' ') : '(none)',
        num(x.in_sample[w.objective] ?? null, 2),
        num(x.out_of_sample.objective, 2),
        pct(x.out_of_sample.total_return),
        pct(x.out_of_sample.max_drawdown),
        int(x.out_of_sample.num_trades),
        num(x.efficiency, 2),
      ]),
    ),
  );
  out.push('');
  out.push(`out of sample ${r.period.from?.slice(0, 10)} → ${r.period.to?.slice(0, 10)}: final equity ${price(r.final_equity)} · total return ${pct(m.total_return)} · CAGR ${pct(m.cagr)} · Sharpe ${num(m.sharpe, 2)} · max drawdown ${pct(m.max_drawdown)} · ${int(r.trades.length)} trades`);
  out.push(`walk-forward efficiency: ${w.efficiency === null ? '– (in-sample return ≤ 0)' : num(w.efficiency, 2)} (out-of-sample CAGR / mean in-sample CAGR)`);
  if (nTrades > 0 && r.trades.length) {
    out.push('');
    out.push(table(['symbol', 'side', 'qty', 'entry', 'exit', 'pnl'], r.trades.slice(-nTrades).map((t) => [t.symbol, t.side, int(t.qty), t.entry_time.slice(0, 10), t.exit_time?.slice(0, 10) ?? 'open', price(t.pnl)])));
  }
  for (const x of r.warnings) out.push(`note: ${x}`);
  if (r.run && r.run.id !== null) out.push(`stored as run ${r.run.id} (alphatrade runs show ${r.run.id})`);
  if (r.report) out.push(`report: ${r.report}`);
  return out.join('\n');
}
