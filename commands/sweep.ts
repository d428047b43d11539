/**
 * `sweep`: a grid (or random points of it) of a strategy's parameters, each combination backtested on a pool of
 * worker threads, results streamed as progress and listed in grid order, the best ranked by an objective, with the
 * deflated Sharpe ratio of the best and the probability of backtest overfitting (CSCV).
 */
import os from 'node:os';

import { z } from 'zod';
import { periodsPerYear } from '../engine/metrics.ts';
import { RUN_DEFAULTS, runStrategy } from '../engine/run.ts';
import { runSummary, type RunSummary, type SweepSection } from '../engine/report.ts';
import type { Strategy } from '../engine/strategy.ts';
import { comboAt, gridSize, parseGrid, pboInputs, summarizeSweep, sweepIndices, sweepLocal, type ComboResult, type ParamGrid, type SweepSummary } from '../engine/sweep.ts';
import { ComboRunner, shareSeries, startSweepPool } from '../engine/sweep-pool.ts';
import type { Piscina } from 'piscina';
import { UsageError } from '../src/errors.ts';
import type { BarSeries } from '../src/types.ts';
import { loadRunSeries, recordRun, strategyAndDataArgs, strategyArgs } from './backtest.ts';
import { num, pct } from './format.ts';
import { defineCommand, type CommandContext } from './registry.ts';

/** Below this many bar-runs a pool's start-up (~0.3 s per thread) costs more than it saves. */
const PARALLEL_MIN = 20_000_000;

/** The flags sweeps and walk-forwards share: the grid, the objective, the engine and the execution models. */
export const gridArgs = () => ({
  ...strategyAndDataArgs(),
  grid: z.array(z.string()).min(1).describe('name=from:to:step or name=a,b,c (repeatable)'),
  random: z.number().int().positive().optional().describe('run this many random points of the grid instead of all'),
  seed: z.number().int().default(1).describe('seed for --random'),
  objective: z.string().default('sharpe').describe('metric to rank by (larger is better): sharpe, sortino, cagr, calmar, total_return, …'),
  mode: z.enum(['auto', 'event', 'vectorized']).default('auto').describe('auto: vectorized when the strategy has that form and one symbol'),
  workers: z.number().int().min(1).optional().describe('worker threads (default: all cores when the work is large)'),
  cash: z.number().positive().default(RUN_DEFAULTS.cash).describe('starting cash'),
  commission: z.string().default(RUN_DEFAULTS.commission).describe('commission model'),
  slippage: z.string().default(RUN_DEFAULTS.slippage).describe('slippage model'),
  fill: z.string().default(RUN_DEFAULTS.fill).describe('fill model'),
  sizer: z.string().default(RUN_DEFAULTS.sizer).describe('sizer'),
  leverage: z.number().min(1).default(RUN_DEFAULTS.leverage).describe('gross exposure limit'),
  save: z.boolean().default(true).describe('store the run in the workspace run history (--no-save to skip)'),
  report: z.string().optional().describe('write a report: out.html (self-contained, charts) or out.json (the same data)'),
});

const gridArgsSchema = () => z.object(gridArgs());
type GridArgs = z.infer<ReturnType<typeof gridArgsSchema>>;

/** Strategy, bars, grid, indices and run options of a sweep or walk-forward, checked on the first combination. */
export async function prepareGrid(ctx: CommandContext, a: GridArgs) {
  const strategy = await strategyArgs(a, ctx);
  if ('prepare' in strategy) throw new UsageError(`${strategy.name} runs model inference before each run and cannot be swept yet; backtest it with chosen parameters`);
  const { series, source, adjusted, hashes } = loadRunSeries(ctx, a);
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
  return { strategy, series, source, adjusted, hashes, grid, indices, options };
}

export function runnerFor(ctx: CommandContext, strategy: Strategy, series: BarSeries[], runs: number, workers?: number, pool?: Piscina): ComboRunner {
  const bars = series.reduce((s, x) => s + x.ts.length, 0);
  const threads = workers ?? (bars * runs >= PARALLEL_MIN ? os.availableParallelism() : 1);
  return new ComboRunner({ strategy, threads, tmpDir: ctx.workspaceDir ? ctx.workspace().path('tmp') : undefined, signal: ctx.signal, pool });
}

/** Start the worker pool before the data is read when the grid alone says the work will be large. */
export function earlyPool(a: { grid: string[]; random?: number; workers?: number }): Piscina | undefined {
  const threads = a.workers ?? os.availableParallelism();
  if (threads <= 1) return undefined;
  // a cheap count of the grid's values (ranges as (to − from) / step + 1, lists by commas); the real check follows
  let combos = 1;
  for (const g of a.grid) {
    const body = g.slice(g.indexOf('=') + 1);
    const r = /^(-?[\d.]+):(-?[\d.]+)(?::(-?[\d.]+))?$/.exec(body);
    combos *= r ? Math.max(1, Math.floor((Number(r[2]) - Number(r[1])) / Number(r[3] ?? 1)) + 1) : body.split(',').length;
  }
  return (a.random ?? combos) >= 200 ? startSweepPool(threads) : undefined;
}

/** A stored sweep's grid, best combinations and DSR/PBO as text (runs show). */
export function renderSweepSection(sec: SweepSection, top = 10): string {
  const out = [`sweep of ${sec.combinations.toLocaleString('en-US')} combinations of ${sec.grid.map((g) => `${g.name} (${g.values.length})`).join(' × ')}; the run above is the best by ${sec.objective}`];
  const ranked = sec.results.filter((r) => !r.error && typeof r.metrics[sec.objective] === 'number').sort((a, b) => (b.metrics[sec.objective] as number) - (a.metrics[sec.objective] as number) || a.index - b.index);
  for (const b of ranked.slice(0, top)) out.push(`  ${Object.entries(b.params).map(([k, v]) => `${k}=${v}`).join(' ').padEnd(32)} ${sec.objective} ${num(b.metrics[sec.objective], 3).padStart(8)}  sharpe ${num(b.metrics.sharpe, 2).padStart(6)}  max dd ${pct(b.metrics.max_drawdown).padStart(8)}`);
  if (sec.deflated_sharpe) out.push(`deflated Sharpe of the best: ${(sec.deflated_sharpe.dsr * 100).toFixed(1)}% (best of ${sec.deflated_sharpe.trials})`);
  if (sec.pbo) out.push(`probability of backtest overfitting: ${(sec.pbo.pbo * 100).toFixed(1)}% (CSCV, ${sec.pbo.splits} splits)`);
  return out.join('\n');
}

export const gridSection = (g: ParamGrid) => g.map((x) => ({ name: x.name, values: x.values }));

export interface SweepOutput extends Omit<SweepSummary, 'results' | 'best'> {
  results: Omit<ComboResult, 'blocks'>[];
  best: Omit<ComboResult, 'blocks'>[];
  /** the stored run (the best combination's backtest) and the report file */
  run: { id: number | null };
  report?: string;
}

export const sweep = defineCommand({
  name: 'sweep',
  summary: 'backtest a grid of parameters on all cores; rank by an objective; deflated Sharpe and PBO of the best',
  description:
    '--grid fast=5:50:5 (inclusive range with a step), --grid slow=20,50,100 (a list), --grid short=true,false. --random N runs N distinct points of the grid (seeded).\n' +
    'Results are listed in grid order (the last --grid varies fastest). The deflated Sharpe ratio says how likely the best Sharpe is real given how many were tried; PBO is the share of CSCV splits (16 blocks) where the in-sample best ranks in the bottom half out of sample.\n' +
    'The run history keeps the sweep (every combination\'s metrics) with the best combination\'s full backtest; --report adds a heatmap of the objective to that backtest\'s report.',
  args: () => z.object({ ...gridArgs(), top: z.number().int().min(1).default(10).describe('best runs listed') }),
  examples: ['alphatrade sweep --strategy sma_cross --symbol ORCL --grid fast=5:50:5 --grid slow=20:200:10', 'alphatrade sweep --strategy rsi_reversion --symbol ORCL --grid lower=20:40:5 --grid exit=45:60:5 --objective sortino --json'],
  async run(ctx, a, progress): Promise<SweepOutput> {
    const early = earlyPool(a);
    let prepared;
    try {
      prepared = await prepareGrid(ctx, a);
    } catch (e) {
      void early?.destroy();
      throw e;
    }
    const { strategy, series, source, adjusted, hashes, grid, indices, options } = prepared;
    let done = 0;
    const runner = runnerFor(ctx, strategy, series, indices.length, a.workers, early);
    let results: ComboResult[];
    let pbo: { pbo: number; splits: number } | null;
    try {
      results = await runner.run(runner.threads > 1 ? series.map(shareSeries) : series, options, grid, indices, (k) => {
        done += k;
        progress({ job: 'sweep', phase: 'combinations', done, total: indices.length });
      });
      // the 12,870 PBO splits are shared among the pool's threads
      pbo = await runner.pbo(pboInputs(results, a.objective));
    } finally {
      // the threads stop in the background while the best combination is rerun and stored
      void runner.destroy();
    }
    const sum = summarizeSweep(strategy, grid, results, a.objective, a.top, pbo ?? undefined);
    const strip = ({ blocks: _b, ...r }: ComboResult) => r;
    const out: SweepOutput = { ...sum, results: sum.results.map(strip), best: sum.best.map(strip), run: { id: null } };
    const best = sum.best[0];
    if (best && (a.save || a.report)) {
      // the best combination's full backtest: what the history and the report show as this sweep's run
      const r = runStrategy({ ...options, strategy, series, params: best.params, signal: ctx.signal });
      const section: SweepSection = { objective: sum.objective, combinations: sum.combinations, grid: gridSection(grid), results: out.results, best_index: best.index, deflated_sharpe: sum.deflated_sharpe, pbo: sum.pbo, errors: sum.errors };
      const summary: RunSummary = { ...runSummary(r, { periods: options.periods }), sweep: section };
      const config = { ...r.config, mode: r.mode, strategy: r.strategy, params: r.params, grid: a.grid, random: a.random ?? null, seed: a.seed, objective: a.objective, from: a.from ?? null, to: a.to ?? null, source };
      const rec = recordRun(ctx, { kind: 'sweep', save: a.save, report: a.report, summary, config, ts: r.ts, equity: r.equity, series, source, adjusted, hashes });
      out.run.id = rec.id;
      if (rec.report) out.report = rec.report;
    }
    return out;
  },
  render: (r: SweepOutput) => {
    const out: string[] = [];
    out.push(`${r.strategy}: ${r.combinations.toLocaleString('en-US')} combinations of ${r.grid.map((g) => `${g.name} (${g.values.length})`).join(' × ')}${r.errors ? `, ${r.errors} failed` : ''}`);
    out.push(`best by ${r.objective}:`);
    for (const b of r.best) {
      const p = Object.entries(b.params).map(([k, v]) => `${k}=${v}`).join(' ');
      out.push(`  ${p.padEnd(32)} ${r.objective} ${num(b.metrics[r.objective], 3).padStart(8)}  sharpe ${num(b.metrics.sharpe, 2).padStart(6)}  cagr ${pct(b.metrics.cagr).padStart(8)}  max dd ${pct(b.metrics.max_drawdown).padStart(8)}  trades ${b.metrics.num_trades ?? '–'}`);
    }
    if (r.deflated_sharpe) out.push(`deflated Sharpe of the best: ${(r.deflated_sharpe.dsr * 100).toFixed(1)}% (its per-period Sharpe ${r.deflated_sharpe.sharpe_per_period.toFixed(4)} against ${r.deflated_sharpe.sr0.toFixed(4)} expected from the best of ${r.deflated_sharpe.trials} unskilled trials)`);
    if (r.pbo) out.push(`probability of backtest overfitting (CSCV, ${r.pbo.blocks} blocks, ${r.pbo.splits} splits): ${(r.pbo.pbo * 100).toFixed(1)}%`);
    if (r.run.id !== null) out.push(`stored as run ${r.run.id} (alphatrade runs show ${r.run.id})`);
    if (r.report) out.push(`report: ${r.report}`);
    return out.join('\n');
  },
});
