/**
 * `runs list|show|compare|delete`: the workspace's run history (every backtest is stored with its configuration,
 * data hashes, version, metrics, trades and equity).
 */
import { z } from 'zod';
import { equityCurvePoints, type RunSummary } from '../engine/report.ts';
import { RunStore, type RunRecord } from '../engine/runs.ts';
import { renderRun } from './backtest.ts';
import { renderSweepSection } from './sweep.ts';
import { renderWalkForward } from './walkforward.ts';
import { num, pct, price, table } from './format.ts';
import { defineCommand, type CommandContext } from './registry.ts';

const store = (ctx: CommandContext) => new RunStore(ctx.workspace().db);
const paramText = (p: Record<string, unknown>) => Object.entries(p).map(([k, v]) => `${k}=${v}`).join(' ');

export const runsList = defineCommand({
  name: 'runs list',
  summary: 'stored runs (backtests, sweeps, walk-forwards), newest first: strategy, parameters, symbols, final equity, Sharpe, max drawdown',
  args: () => z.object({
    strategy: z.string().optional().describe('only runs of this strategy'),
    limit: z.number().int().positive().default(20).describe('how many'),
  }),
  examples: ['alphatrade runs list', 'alphatrade runs list --strategy sma_cross --json'],
  async run(ctx, a) {
    return { runs: store(ctx).list({ strategy: a.strategy, limit: a.limit }) };
  },
  render: (r: { runs: Omit<RunRecord, 'summary'>[] }) =>
    r.runs.length === 0
      ? 'no runs yet: alphatrade backtest … stores each run'
      : table(
          ['id', 'when', 'kind', 'strategy', 'params', 'symbols', 'final equity', 'sharpe', 'max dd'],
          r.runs.map((x) => [x.id, x.created_at.slice(0, 16).replace('T', ' '), x.kind, x.strategy, x.kind === 'walkforward' ? '(per window)' : paramText(x.params), x.symbols.join(','), price(x.final_equity), num(x.metrics.sharpe), pct(x.metrics.max_drawdown)]),
        ),
});

export const runsShow = defineCommand({
  name: 'runs show',
  summary: 'one stored run: configuration, data hashes, version, metrics and trades; a sweep\'s best results, a walk-forward\'s windows (--equity adds the curve)',
  args: () => z.object({
    id: z.number().int().positive().describe('run id (runs list)'),
    equity: z.boolean().default(false).describe('include the equity curve in --json output'),
    trades: z.number().int().min(0).default(10).describe('trades listed in the text output'),
  }),
  positional: ['id'],
  async run(ctx, a) {
    const r = store(ctx).get(a.id);
    const out: Record<string, unknown> = { ...r, ts: undefined, equity: undefined };
    if (a.equity && r.ts && r.equity) out.equity = { time: Array.from(r.ts, (t) => new Date(t).toISOString()), equity: Array.from(r.equity) };
    return out as unknown as RunRecord & { equity?: unknown };
  },
  render: (r: RunRecord, a) => {
    const s = r.summary;
    const body = s.walkforward ? renderWalkForward({ ...s, walkforward: s.walkforward }, a.trades) : renderRun(s, a.trades) + (s.sweep ? `\n\n${renderSweepSection(s.sweep)}` : '');
    return [`run ${r.id} · ${r.kind} · ${r.created_at} · version ${r.version}`, `data: ${Object.entries(r.data_hash).map(([s, h]) => `${s} ${h.slice(0, 12)}…`).join(', ')}`, '', body].join('\n');
  },
});

export interface RunComparison {
  a: number;
  b: number;
  /** with --curve N: both runs as summaries with their equity curves in ≤ N points (the console overlays them) */
  runs?: [RunSummary, RunSummary];
  params: { name: string; a: unknown; b: unknown }[];
  config: { name: string; a: unknown; b: unknown }[];
  same_data: boolean;
  metrics: { name: string; a: number | null; b: number | null; diff: number | null }[];
}

export const runsCompare = defineCommand({
  name: 'runs compare',
  summary: 'two stored runs side by side: what differs in parameters and configuration, and every metric',
  args: () => z.object({
    a: z.number().int().positive().describe('first run id'),
    b: z.number().int().positive().describe('second run id'),
    curve: z.number().int().positive().optional().describe('include both runs with their equity curves in at most N points (JSON)'),
  }),
  positional: ['a', 'b'],
  async run(ctx, args): Promise<RunComparison> {
    const s = store(ctx);
    const x = s.get(args.a);
    const y = s.get(args.b);
    const withCurve = (r: typeof x): RunSummary => ({ ...r.summary, ...(args.curve && r.ts && r.equity ? { curve: equityCurvePoints(r.ts, r.equity, args.curve) } : {}) });
    const diff = (p: Record<string, unknown>, q: Record<string, unknown>) =>
      [...new Set([...Object.keys(p), ...Object.keys(q)])].filter((k) => JSON.stringify(p[k]) !== JSON.stringify(q[k])).map((name) => ({ name, a: p[name] ?? null, b: q[name] ?? null }));
    const names = [...new Set([...Object.keys(x.metrics), ...Object.keys(y.metrics)])];
    return {
      a: x.id,
      b: y.id,
      ...(args.curve ? { runs: [withCurve(x), withCurve(y)] as [RunSummary, RunSummary] } : {}),
      params: diff(x.params, y.params),
      config: diff({ ...x.config, params: undefined }, { ...y.config, params: undefined }),
      same_data: JSON.stringify(x.data_hash) === JSON.stringify(y.data_hash),
      metrics: names.map((name) => {
        const va = x.metrics[name] ?? null;
        const vb = y.metrics[name] ?? null;
        return { name, a: va, b: vb, diff: va !== null && vb !== null ? vb - va : null };
      }),
    };
  },
  render: (r: RunComparison) => {
    const out = [`run ${r.a} vs run ${r.b}${r.same_data ? ' (same data)' : ' (DIFFERENT data)'}`];
    for (const p of [...r.params, ...r.config]) out.push(`  ${p.name}: ${JSON.stringify(p.a)} → ${JSON.stringify(p.b)}`);
    if (r.params.length + r.config.length === 0) out.push('  same parameters and configuration');
    out.push('');
    out.push(table(['metric', `run ${r.a}`, `run ${r.b}`, 'difference'], r.metrics.map((m) => [m.name, num(m.a, 4), num(m.b, 4), num(m.diff, 4)])));
    return out.join('\n');
  },
});

export const runsDelete = defineCommand({
  name: 'runs delete',
  summary: 'delete a stored run',
  args: () => z.object({ id: z.number().int().positive().describe('run id') }),
  positional: ['id'],
  async run(ctx, a) {
    const ok = store(ctx).delete(a.id);
    if (!ok) store(ctx).get(a.id); // throws NotFoundError
    return { deleted: a.id };
  },
  render: (r: { deleted: number }) => `deleted run ${r.deleted}`,
});

export const RUN_COMMANDS = [runsList, runsShow, runsCompare, runsDelete];

