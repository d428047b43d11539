/**
 * `sweep`: a grid (or random points of it) of a strategy's parameters, each combination backtested on a pool of
 * worker threads, results streamed as progress and listed in grid order, the best ranked by an objective, with the
 * deflated Sharpe ratio of the best and the probability of backtest overfitting (CSCV).
 */
import os from 'node:os';

import { Piscina } from 'piscina';
import { z } from 'zod';
import { periodsPerYear } from '../engine/metrics.ts';
import { RUN_DEFAULTS } from '../engine/run.ts';
import { builtinStrategy } from '../engine/strategies/index.ts';
import { comboAt, gridSize, parseGrid, summarizeSweep, sweepIndices, sweepLocal, type ComboResult, type SweepSummary } from '../engine/sweep.ts';
import type { SweepTask } from '../engine/sweep-worker.ts';
import { UsageError } from '../src/errors.ts';
import type { BarSeries } from '../src/types.ts';
import { workerEntry } from '../src/version.ts';
import { loadRunSeries, STRATEGY_AND_DATA_ARGS, strategyArgs } from './backtest.ts';
import { num, pct } from './format.ts';
import { defineCommand } from './registry.ts';

/** Copy a series' columns into shared memory once: every task then reads them without a copy. */
function shared(s: BarSeries): BarSeries {
  const col = (a: Float64Array) => {
    const b = new Float64Array(new SharedArrayBuffer(a.byteLength));
    b.set(a);
    return b;
  };
  return { ...s, ts: col(s.ts), open: col(s.open), high: col(s.high), low: col(s.low), close: col(s.close), volume: col(s.volume) };
}

/** Below this many bar-runs a pool's start-up (~0.3 s per thread) costs more than it saves. */
const PARALLEL_MIN = 20_000_000;

export const sweep = defineCommand({
  name: 'sweep',
  summary: 'backtest a grid of parameters on all cores; rank by an objective; deflated Sharpe and PBO of the best',
  description:
    '--grid fast=5:50:5 (inclusive range with a step), --grid slow=20,50,100 (a list), --grid short=true,false. --random N runs N distinct points of the grid (seeded).\n' +
    'Results are listed in grid order (the last --grid varies fastest). The deflated Sharpe ratio says how likely the best Sharpe is real given how many were tried; PBO is the share of CSCV splits (16 blocks) where the in-sample best ranks in the bottom half out of sample.',
  args: z.object({
    ...STRATEGY_AND_DATA_ARGS,
    grid: z.array(z.string()).min(1).describe('name=from:to:step or name=a,b,c (repeatable)'),
    random: z.number().int().positive().optional().describe('run this many random points of the grid instead of all'),
    seed: z.number().int().default(1).describe('seed for --random'),
    objective: z.string().default('sharpe').describe('metric to rank by (larger is better): sharpe, sortino, cagr, calmar, total_return, …'),
    mode: z.enum(['auto', 'event', 'vectorized']).default('auto').describe('auto: vectorized when the strategy has that form and one symbol'),
    workers: z.number().int().min(1).optional().describe('worker threads (default: all cores when the sweep is large)'),
    top: z.number().int().min(1).default(10).describe('best runs listed'),
    cash: z.number().positive().default(RUN_DEFAULTS.cash).describe('starting cash'),
    commission: z.string().default(RUN_DEFAULTS.commission).describe('commission model'),
    slippage: z.string().default(RUN_DEFAULTS.slippage).describe('slippage model'),
    fill: z.string().default(RUN_DEFAULTS.fill).describe('fill model'),
    sizer: z.string().default(RUN_DEFAULTS.sizer).describe('sizer'),
    leverage: z.number().min(1).default(RUN_DEFAULTS.leverage).describe('gross exposure limit'),
  }),
  examples: ['alphatrade sweep --strategy sma_cross --symbol ORCL --grid fast=5:50:5 --grid slow=20:200:10', 'alphatrade sweep --strategy rsi_reversion --symbol ORCL --grid lower=20:40:5 --grid exit=45:60:5 --objective sortino --json'],
  async run(ctx, a, progress): Promise<SweepSummary> {
    const strategy = await strategyArgs(a, ctx);
    const { series } = loadRunSeries(ctx, a);
    const grid = parseGrid(strategy, a.grid);
    const total = gridSize(grid);
    if (total > 1_000_000 && !a.random) throw new UsageError(`the grid has ${total.toLocaleString('en-US')} combinations; narrow it or use --random N`);
    const indices = sweepIndices(grid, a.random, a.seed);
    const mode = a.mode === 'auto' ? (strategy.vectorized && series.length === 1 ? 'vectorized' : 'event') : a.mode;
    // the annualisation factor is read once from the bars, not per combination
    const options = { cash: a.cash, commission: a.commission, slippage: a.slippage, fill: a.fill, sizer: a.sizer, leverage: a.leverage, mode, periods: periodsPerYear(series[0].ts) } as const;
    // check the options and the first combination here, so a bad flag is one clear error rather than N
    sweepLocal({ ...options, strategy, series, grid, indices: indices.slice(0, 1) }).forEach((r) => {
      if (r.error) throw new UsageError(`${strategy.name} ${JSON.stringify(comboAt(grid, r.index))}: ${r.error}`);
    });
    const bars = series.reduce((s, x) => s + x.ts.length, 0);
    const threads = a.workers ?? (bars * indices.length >= PARALLEL_MIN ? os.availableParallelism() : 1);
    const results: ComboResult[] = new Array(indices.length);
    let done = 0;
    const report = () => progress({ job: 'sweep', phase: 'combinations', done, total: indices.length });
    if (threads <= 1) {
      const chunk = Math.max(1, Math.ceil(indices.length / 100));
      for (let i = 0; i < indices.length; i += chunk) {
        if (ctx.signal.aborted) throw new Error('sweep canceled');
        const part = sweepLocal({ ...options, strategy, series, grid, indices: indices.slice(i, i + chunk) });
        part.forEach((r, j) => (results[i + j] = r));
        done += part.length;
        report();
        await new Promise((r) => setImmediate(r));
      }
    } else {
      const sharedSeries = series.map(shared);
      const ref = builtinStrategy(strategy.name) === strategy ? { builtin: strategy.name } : { file: (strategy as { file?: string }).file };
      if (!ref.builtin && !ref.file) throw new UsageError(`${strategy.name}: cannot be sent to worker threads (no file)`);
      const pool = new Piscina({ filename: workerEntry('sweep-worker', 'engine/sweep-worker.mjs').href, minThreads: threads, maxThreads: threads, idleTimeout: 1000 });
      try {
        const chunk = Math.max(1, Math.ceil(indices.length / (threads * 8)));
        const jobs: Promise<void>[] = [];
        for (let i = 0; i < indices.length; i += chunk) {
          const start = i;
          const task: SweepTask = { strategy: ref, tmpDir: ctx.workspaceDir ? ctx.workspace().path('tmp') : undefined, series: sharedSeries, options, grid, indices: indices.slice(i, i + chunk) };
          jobs.push(
            (pool.run(task, { signal: ctx.signal }) as Promise<ComboResult[]>).then((part) => {
              part.forEach((r, j) => (results[start + j] = r));
              done += part.length;
              report();
            }),
          );
        }
        await Promise.all(jobs);
      } finally {
        await pool.destroy();
      }
    }
    return summarizeSweep(strategy, grid, results, a.objective, a.top);
  },
  render: (r: SweepSummary) => {
    const out: string[] = [];
    out.push(`${r.strategy}: ${r.combinations.toLocaleString('en-US')} combinations of ${r.grid.map((g) => `${g.name} (${g.values.length})`).join(' × ')}${r.errors ? `, ${r.errors} failed` : ''}`);
    out.push(`best by ${r.objective}:`);
    for (const b of r.best) {
      const p = Object.entries(b.params).map(([k, v]) => `${k}=${v}`).join(' ');
      out.push(`  ${p.padEnd(32)} ${r.objective} ${num(b.metrics[r.objective], 3).padStart(8)}  sharpe ${num(b.metrics.sharpe, 2).padStart(6)}  cagr ${pct(b.metrics.cagr).padStart(8)}  max dd ${pct(b.metrics.max_drawdown).padStart(8)}  trades ${b.metrics.num_trades ?? '–'}`);
    }
    if (r.deflated_sharpe) out.push(`deflated Sharpe of the best: ${(r.deflated_sharpe.dsr * 100).toFixed(1)}% (its per-period Sharpe ${r.deflated_sharpe.sharpe_per_period.toFixed(4)} against ${r.deflated_sharpe.sr0.toFixed(4)} expected from the best of ${r.deflated_sharpe.trials} unskilled trials)`);
    if (r.pbo) out.push(`probability of backtest overfitting (CSCV, ${r.pbo.blocks} blocks, ${r.pbo.splits} splits): ${(r.pbo.pbo * 100).toFixed(1)}%`);
    return out.join('\n');
  },
});


