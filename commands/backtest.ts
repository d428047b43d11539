/**
 * `backtest`: run a strategy over stored symbols or a price file with the chosen execution models, print a summary
 * (or JSON with final_equity, metrics and trades), and record what the run used (config, data hash, version).
 */
import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { loadFile } from '../data/loader.ts';
import { clipRange } from '../data/provider.ts';
import { contentHash } from '../data/store.ts';
import type { BacktestResult } from '../engine/backtest.ts';
import { COSTS_HELP } from '../engine/costs.ts';
import { SIZER_FORMS } from '../engine/sizers.ts';
import { runSummary, type RunSummary } from '../engine/report.ts';
import { RunStore } from '../engine/runs.ts';
import { buildReport, renderHtml } from '../engine/report-file.ts';
import { FILL_HELP, RUN_DEFAULTS, runStrategy } from '../engine/run.ts';
import { resolveParams, splitParamArgs } from '../engine/params.ts';
import type { ParamValues, Strategy } from '../engine/strategy.ts';
import type { Workspace } from '../src/workspace.ts';
import { resolveStrategy } from '../engine/strategy-loader.ts';
import { DataError, UsageError } from '../src/errors.ts';
import { parseTimeframe } from '../src/timeframe.ts';
import type { BarSeries } from '../src/types.ts';
import { checkTz } from '../src/tz.ts';
import { VERSION } from '../src/version.ts';
import { parseDateArg, storeOf } from './data.ts';
import { int, pct, price, table } from './format.ts';
import { defineCommand, type CommandContext } from './registry.ts';
import { riskFor } from './risk.ts';

export interface SeriesArgs {
  symbol?: string;
  data?: string;
  timeframe?: string;
  from?: string;
  to?: string;
  tz?: string;
}

/**
 * The bars of a run: stored symbols (`--symbol A,B`) or every series of a price file (`--data FILE`), clipped to
 * `--from`/`--to` (a date-only `--to` includes that whole day).
 */
export function loadRunSeries(ctx: CommandContext, a: SeriesArgs): { series: BarSeries[]; source: string; adjusted: (boolean | null)[]; hashes: (string | undefined)[] } {
  if (!a.symbol === !a.data) throw new UsageError(a.symbol ? 'give --symbol or --data, not both' : 'give --symbol SYM[,SYM…] or --data FILE');
  let series: BarSeries[];
  let source: string;
  let adjusted: (boolean | null)[];
  let hashes: (string | undefined)[] = [];
  if (a.symbol) {
    const store = storeOf(ctx);
    const syms = a.symbol.split(',').map((s) => s.trim()).filter(Boolean);
    const tf = a.timeframe ? parseTimeframe(a.timeframe).label : undefined;
    const infos = syms.map((s) => store.info(s, tf));
    series = infos.map((info) => store.load(info.symbol, info.timeframe));
    adjusted = infos.map((info) => info.adjusted);
    // the catalog keeps each stored series' content hash: no need to hash the bars again (unless clipped below)
    hashes = infos.map((info) => info.contentHash);
    source = `${syms.join(',')} (workspace)`;
  } else {
    const abs = path.resolve(ctx.cwd, a.data!);
    const tz = checkTz(a.tz ?? (ctx.workspaceDir ? ctx.workspace().config.get('data.tz') : 'UTC'));
    const r = loadFile(abs, { tz });
    if (r.fatal || r.series.length === 0) {
      const f = r.findings.find((x) => x.severity === 'error') ?? r.findings[0];
      throw new DataError(f ? f.message : 'no price series in the file', { file: abs, line: f?.line });
    }
    const bad = r.findings.filter((f) => f.severity === 'error');
    if (bad.length > 0) {
      const f = bad[0];
      throw new DataError(`${bad.length} error(s) in the file, first: ${f.message} (import it with alphatrade data import --on-error drop|fix to clean it, with a report)`, { file: abs, line: f.line });
    }
    series = r.series.map((s) => s.bars);
    adjusted = r.series.map((s) => s.adjusted);
    source = path.relative(ctx.cwd, abs) || abs;
  }
  if (a.from || a.to) {
    const tz = series[0].tz;
    const from = a.from ? parseDateArg(a.from, tz, '--from') : undefined;
    let to: number | undefined;
    if (a.to) {
      to = parseDateArg(a.to, tz, '--to');
      to = /^\d{4}-\d{2}-\d{2}$/.test(a.to.trim()) ? to + 86_400_000 : to + 1;
    }
    series = series.map((s) => clipRange(s, { from, to }));
    hashes = [];
    if (series.every((s) => s.ts.length === 0)) throw new UsageError(`no bars between ${a.from ?? 'the start'} and ${a.to ?? 'the end'}`);
  }
  return { series, source, adjusted, hashes };
}

export interface BacktestOutput extends RunSummary {
  source: string;
  /** `id`: the run's number in the workspace's run history (null with --no-save) */
  run: { id: number | null; version: string; data_hash: Record<string, string>; config: Record<string, unknown> };
  /** the report file written with --report */
  report?: string;
}

/** a series' closes on the run's timeline (the last close carried over steps without a bar; NaN before the first) */
function alignCloses(s: BarSeries, ts: Float64Array): Float64Array {
  const out = new Float64Array(ts.length).fill(NaN);
  let j = 0;
  let last = NaN;
  for (let i = 0; i < ts.length; i++) {
    while (j < s.ts.length && s.ts[j] <= ts[i]) last = s.close[j++];
    out[i] = last;
  }
  return out;
}

/** The flags that name the bars of a run: stored symbols or a price file, a timeframe, a date range (loadRunSeries). */
export const seriesArgs = () => ({
  symbol: z.string().optional().describe('stored symbol(s), comma-separated: SYM[,SYM…]'),
  data: z.string().optional().describe('a price file (CSV or Parquet) instead of stored symbols'),
  timeframe: z.string().optional().describe('timeframe of stored symbols (default: the finest stored)'),
  from: z.string().optional().describe('first bar date, YYYY-MM-DD[ HH:MM]'),
  to: z.string().optional().describe('last bar date (inclusive)'),
  tz: z.string().optional().describe('zone of naive timestamps in --data files (default: setting data.tz)'),
});

/** The flags that name a strategy and the bars it runs on (backtest, sweep, check lookahead). */
export const strategyAndDataArgs = () => ({
  strategy: z.string().optional().describe('strategy name (alphatrade strategies list) or a file in the workspace strategies/ folder'),
  strategyFile: z.string().optional().describe('a strategy .ts/.js file anywhere'),
  ...seriesArgs(),
});

const backtestArgs = () =>
  z.object({
  ...strategyAndDataArgs(),
  param: z.array(z.string()).optional().describe('strategy parameter name=value (repeatable, or comma-separated)'),
  cash: z.number().positive().default(RUN_DEFAULTS.cash).describe('starting cash'),
  commission: z.string().default(RUN_DEFAULTS.commission).describe('none | pct:0.001 | per_share:0.005[:min[:max]] | fixed:1 | ibkr_fixed | ibkr_tiered'),
  slippage: z.string().default(RUN_DEFAULTS.slippage).describe('none | bps:5 | per_share:0.01 | spread[:S] | atr:0.1 | impact:0.1'),
  fill: z.string().default(RUN_DEFAULTS.fill).describe('next_open | close | vwap | volume:0.1'),
  sizer: z.string().default(RUN_DEFAULTS.sizer).describe(SIZER_FORMS),
  leverage: z.number().min(1).default(RUN_DEFAULTS.leverage).describe('gross exposure limit as a multiple of equity (1 = no margin)'),
  mode: z.enum(['event', 'vectorized']).default('event').describe('event-driven or vectorized engine'),
  trades: z.number().int().min(0).default(10).describe('trades listed in the text output (JSON has all)'),
  equity: z.boolean().default(false).describe('include the equity curve (time, equity) in --json output'),
  curve: z.number().int().positive().optional().describe('include the equity curve in at most N points (last equity and deepest drawdown of each bucket) in --json output'),
  save: z.boolean().default(true).describe('store the run in the workspace run history (--no-save to skip)'),
  report: z.string().optional().describe('write a report: out.html (self-contained, charts) or out.json (the same data)'),
  risk: z.string().optional().describe('limits and circuit breakers (JSON, see alphatrade risk check --help): orders that break them are rejected'),
});

export async function strategyArgs(a: { strategy?: string; strategyFile?: string }, ctx: CommandContext): Promise<Strategy> {
  if (!a.strategy && !a.strategyFile) throw new UsageError('give --strategy NAME (alphatrade strategies list) or --strategy-file PATH');
  // the model-driven strategy lives with the models (it needs the registry and onnxruntime)
  if (a.strategy === 'alpha_ml') return (await import('../models/alpha-ml.ts')).alphaMl;
  const strategiesDir = ctx.workspaceDir ? ctx.workspace().path('strategies') : undefined;
  return resolveStrategy(a.strategyFile ? path.resolve(ctx.cwd, a.strategyFile) : a.strategy!, { strategiesDir, tmpDir: ctx.workspaceDir ? ctx.workspace().path('tmp') : undefined });
}

export const backtest = defineCommand({
  name: 'backtest',
  summary: 'run a strategy over stored symbols or a price file; print metrics and trades',
  description:
    'Orders placed on a bar fill at the next bar’s open (backtrader’s default); limit and stop orders fill at their price or at a better (limit) / worse (stop) open when the bar gaps through; commissions are charged on every fill.\n' +
    `Fill models: ${FILL_HELP}.\n${COSTS_HELP}`,
  args: () => backtestArgs(),
  examples: [
    'alphatrade backtest --strategy sma_cross --symbol ORCL',
    'alphatrade backtest --strategy sma_cross --symbol ORCL --param fast=20 --param slow=50 --commission ibkr_fixed --slippage bps:2',
    'alphatrade backtest --strategy pairs --symbol KO,PEP --json',
    'alphatrade backtest --strategy sma_cross --data prices.csv --mode vectorized',
  ],
  async run(ctx, a, progress) {
    const strategy = await strategyArgs(a, ctx);
    const { series, source, adjusted, hashes } = loadRunSeries(ctx, a);
    const params = splitParamArgs(a.param ?? []);
    // strategies that need work before the bars are replayed (alpha_ml: model inference) are bound to it here
    const run = 'prepare' in strategy ? await (strategy as typeof strategy & { prepare(ws: Workspace, s: BarSeries[], p: ParamValues): Promise<Strategy> }).prepare(ctx.workspace(), series, resolveParams(strategy, params)) : strategy;
    const t0 = performance.now();
    const r: BacktestResult = runStrategy({
      strategy: run,
      params,
      series,
      cash: a.cash,
      commission: a.commission,
      slippage: a.slippage,
      fill: a.fill,
      sizer: a.sizer,
      leverage: a.leverage,
      mode: a.mode,
      risk: riskFor(ctx, a.risk),
      signal: ctx.signal,
      progress: (done, total) => progress({ job: 'backtest', phase: 'bars', done, total }),
    });
    const ms = performance.now() - t0;
    const summary = runSummary(r, { equityCurve: a.equity, curvePoints: a.curve, elapsedMs: ms });
    const config = { ...r.config, mode: r.mode, strategy: r.strategy, params: r.params, from: a.from ?? null, to: a.to ?? null, source };
    const rec = recordRun(ctx, { kind: 'backtest', save: a.save, report: a.report, summary, config, ts: r.ts, equity: r.equity, series, source, adjusted, hashes });
    return { ...summary, source, run: { id: rec.id, version: VERSION, data_hash: rec.dataHash, config }, ...(rec.report ? { report: rec.report } : {}) } satisfies BacktestOutput;
  },
  render: (r: BacktestOutput, a) => renderRun(r, a.trades),
});

/**
 * Store a run in the workspace's history (unless `save` is false) and write its `--report` file: one path for
 * backtests, sweeps (the best combination's run) and walk-forwards (the stitched out-of-sample run).
 */
export function recordRun(
  ctx: CommandContext,
  o: { kind: 'backtest' | 'sweep' | 'walkforward'; save: boolean; report?: string; summary: RunSummary; config: Record<string, unknown>; ts: Float64Array; equity: Float64Array; series: BarSeries[]; source: string; adjusted: (boolean | null)[]; hashes?: (string | undefined)[] },
): { id: number | null; dataHash: Record<string, string>; report?: string } {
  const dataHash: Record<string, string> = {};
  o.series.forEach((s, i) => (dataHash[s.symbol] = o.hashes?.[i] ?? contentHash(s)));
  const summary = { ...o.summary, equity: undefined, curve: undefined };
  let report: string | undefined;
  if (o.report) {
    const file = path.resolve(ctx.cwd, o.report);
    const isJson = file.endsWith('.json');
    if (!isJson && !file.endsWith('.html') && !file.endsWith('.htm')) throw new UsageError(`--report takes a .html or .json file name, got ${o.report}`);
    const data = buildReport({
      summary,
      ts: o.ts,
      equity: o.equity,
      closes: o.series.map((s) => alignCloses(s, o.ts)),
      provenance: o.series.map((s, i) => ({ symbol: s.symbol, source: o.source, sha256: dataHash[s.symbol], adjusted: o.adjusted[i] ?? null, bars: s.ts.length })),
      version: VERSION,
    });
    fs.writeFileSync(file, isJson ? JSON.stringify(data, null, 1) : renderHtml(data));
    report = file;
  }
  const id = o.save ? new RunStore(ctx.workspace().db).save({ kind: o.kind, summary, config: o.config, dataHash, version: VERSION, ts: o.ts, equity: o.equity }, ctx.afterResult) : null;
  return { id, dataHash, report };
}

const fmtLimit = (rule: string, v: number) => (rule.endsWith('pct') ? pct(v).replace('+', '') : rule === 'leverage' ? v.toFixed(2) : int(v));

export function renderRun(r: BacktestOutput | RunSummary, nTrades = 10): string {
  const m = r.metrics as Record<string, number | null>;
  const out: string[] = [];
  const params = Object.entries(r.params).map(([k, v]) => `${k}=${v}`).join(' ');
  out.push(`${r.strategy} ${params}  ·  ${r.symbols.join(',')}  ·  ${r.mode}  ·  ${r.period.from?.slice(0, 10) ?? '?'} → ${r.period.to?.slice(0, 10) ?? '?'} (${int(r.period.bars)} bars)`);
  out.push(`fill ${r.config.fill} · commission ${r.config.commission} · slippage ${r.config.slippage} · sizer ${r.config.sizer}${r.config.leverage !== 1 ? ` · leverage ${r.config.leverage}` : ''}`);
  out.push('');
  const f = (k: string, kind: 'pct' | 'num' | 'int' = 'pct') => {
    const v = m[k];
    if (v === null || v === undefined) return '–';
    return kind === 'pct' ? pct(v) : kind === 'int' ? int(v) : v.toFixed(2);
  };
  out.push(
    table(
      ['', ''],
      [
        ['Final equity', price(r.final_equity)],
        ['Total return', f('total_return')],
        ['CAGR', f('cagr')],
        ['Sharpe', f('sharpe', 'num')],
        ['Sortino', f('sortino', 'num')],
        ['Max drawdown', f('max_drawdown')],
        ['Trades', `${int(r.trades.length)}${r.open_trades ? ` (${r.open_trades} open)` : ''}`],
        ['Win rate', m.win_rate === null || m.win_rate === undefined ? '–' : `${(m.win_rate * 100).toFixed(1)}%`],
        ['Profit factor', f('profit_factor', 'num')],
        ['Commission', price(r.costs.commission)],
        ['Slippage', price(r.costs.slippage)],
      ],
    ).split('\n').slice(2).join('\n'),
  );
  if (nTrades > 0 && r.trades.length > 0) {
    out.push('');
    const shown = r.trades.slice(-nTrades);
    // daily bars: dates only (all entries at the same time of day)
    const daily = new Set(r.trades.map((t) => t.entry_time.slice(11))).size === 1;
    const when = (x: string) => (daily ? x.slice(0, 10) : x.slice(0, 16).replace('T', ' '));
    out.push(`Last ${shown.length} of ${r.trades.length} trades:`);
    out.push(
      table(
        ['symbol', 'side', 'qty', 'entry', 'price', 'exit', 'price', 'pnl', 'comm'],
        shown.map((t) => [t.symbol, t.side, int(t.qty), when(t.entry_time), price(t.entry_price), t.exit_time ? when(t.exit_time) : 'open', t.exit_price === null ? '' : price(t.exit_price), price(t.pnl), price(t.commission)]),
      ),
    );
  }
  for (const fl of r.flags) out.push(`flag: ${fl === 'cheat_on_close' ? 'cheat-on-close: market orders filled at the close of the bar they were placed on' : fl}`);
  for (const w of r.warnings) out.push(`note: ${w}`);
  if ('report' in r && r.report) out.push(`report: ${r.report}`);
  if (r.risk) {
    const lim = r.risk.limits.map((l) => `${l.rule} ${fmtLimit(l.rule, l.peak)} of ${fmtLimit(l.rule, l.limit)}`);
    const br = r.risk.breakers.filter((b) => b.trips.length).map((b) => `${b.name} tripped ${b.trips.length}× (first ${b.trips[0].time.slice(0, 10)})`);
    out.push(`risk: peaks ${lim.join(' · ') || '–'}${br.length ? ` · ${br.join(' · ')}` : ''}${r.rejections.by_rule && Object.keys(r.rejections.by_rule).length ? ` · rejected: ${Object.entries(r.rejections.by_rule).map(([k, v]) => `${k} ${v}`).join(', ')}` : ''}`);
  }
  if (r.rejections.count > 0) out.push(`note: ${r.rejections.count} order(s) rejected or canceled by the engine (first: ${r.rejections.first.slice(0, 5).map((x) => `${x.time.slice(0, 10)} ${x.symbol} ${x.rule ?? x.reason}`).join('; ')})`);
  return out.join('\n');
}

