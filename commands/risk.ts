/**
 * `risk var` (VaR and CVaR of a return series or a weighted portfolio), `risk check` (a limits file read and
 * explained), `risk kill | resume | status` (the workspace's kill switch, which paper and live trading obey).
 */
import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { RiskConfigSchema, RiskManager, type RiskConfig } from '../engine/risk/manager.ts';
import type { VarMethod } from '../engine/risk/var.ts';
import { DataError, UsageError } from '../src/errors.ts';
import { readJsonFile } from '../src/json-file.ts';
import { readSeriesCsv, toReturns } from './metrics.ts';
import { num, table } from './format.ts';
import { defineCommand, type CommandContext } from './registry.ts';

const loss = (x: number) => `${(x * 100).toFixed(2)}%`;

const METHODS: Record<string, VarMethod> = { historical: 'historical', parametric: 'parametric', cornish_fisher: 'cornish-fisher', montecarlo: 'monte-carlo', monte_carlo: 'monte-carlo' };

/** Read and check a limits file (JSON): every problem names the file and the field. */
export function loadRiskConfig(file: string): RiskConfig {
  return readJsonFile(file, RiskConfigSchema(), '--risk', '--risk takes a JSON file of limits and breakers (alphatrade risk check --help)');
}

export const RISK_FILE_HELP =
  'A limits file is JSON: {"limits": {"position_qty", "position_notional", "position_pct", "sector_pct", "gross", "net", "leverage", "open_orders", "order_rate": {"orders", "seconds"}}, "symbols": {"SYM": {"position_pct": 0.1}}, "sectors": {"SYM": "tech"}, "sector_limits": {"tech": 0.4}, "breakers": {"max_drawdown", "daily_loss", "consecutive_losses"}}; percentages are fractions (0.2 = 20%).';

export interface VarOutput {
  method: string;
  level: number;
  horizon: number;
  /** positive loss fractions */
  var: number;
  cvar: number;
  observations: number;
  source: string;
  weights?: Record<string, number>;
  paths?: number;
  seed?: number;
}

export const riskVar = defineCommand({
  name: 'risk var',
  summary: 'value at risk and expected shortfall (CVaR) of a return series or a weighted portfolio',
  description:
    'Methods: historical (empyrical: the empirical quantile, linear interpolation), parametric (normal), cornish_fisher (skew and kurtosis), montecarlo (seeded; a series: normal with its mean and standard deviation or --bootstrap; a portfolio: multivariate normal through a Cholesky factor of the covariance, or --bootstrap of whole rows).\n' +
    'VaR and CVaR are positive loss fractions (0.021 = a 2.1% loss). --horizon H: historical and parametric scale by √H; Monte Carlo compounds H simulated periods.\n' +
    '--returns FILE: a date column and value columns (the first numeric one unless --column; --prices for prices). --portfolio FILE: a wide table of prices (date, then one column per symbol) with --weights SYM=W,… (default: equal weights); rows where any chosen symbol is missing are left out.',
  args: () => z.object({
    returns: z.string().optional().describe('CSV of returns (or prices with --prices)'),
    column: z.string().optional().describe('value column of --returns (default: the first numeric column)'),
    prices: z.boolean().default(false).describe('--returns holds prices, not returns'),
    portfolio: z.string().optional().describe('wide CSV of prices: date, then one column per symbol'),
    weights: z.string().optional().describe('SYM=W,SYM=W… for --portfolio (default: equal weights over every column)'),
    method: z.string().default('historical').describe('historical | parametric | cornish_fisher | montecarlo'),
    level: z.number().gt(0).lt(1).default(0.95).describe('confidence level'),
    horizon: z.number().int().positive().default(1).describe('periods'),
    paths: z.number().int().positive().default(10_000).describe('Monte Carlo paths'),
    seed: z.number().int().default(42).describe('Monte Carlo seed'),
    bootstrap: z.boolean().default(false).describe('Monte Carlo by resampling history instead of a normal model'),
  }),
  examples: [
    'alphatrade risk var --returns strategy.csv --method historical --level 0.99',
    'alphatrade risk var --portfolio prices.csv --weights AAPL=0.6,MSFT=0.4 --method montecarlo --horizon 10 --json',
  ],
  async run(ctx, a): Promise<VarOutput> {
    const method = METHODS[a.method.toLowerCase().replace('-', '_')];
    if (!method) throw new UsageError(`unknown --method ${a.method}`, 'historical | parametric | cornish_fisher | montecarlo');
    if (!a.returns === !a.portfolio) throw new UsageError(a.returns ? 'give --returns or --portfolio, not both' : 'give --returns FILE or --portfolio FILE');
    const o = { level: a.level, horizon: a.horizon, paths: a.paths, seed: a.seed, sampling: a.bootstrap ? ('bootstrap' as const) : ('normal' as const) };
    // loaded here, not with the program: linear algebra (ml-matrix) is not needed to start the console
    const { portfolioValueAtRisk, valueAtRisk } = await import('../engine/risk/var.ts');
    const { readPricesCsv, returnsFromPrices } = await import('../engine/optimize/index.ts');
    const mc = method === 'monte-carlo' ? { paths: a.paths, seed: a.seed } : {};
    if (a.returns) {
      const file = path.resolve(ctx.cwd, a.returns);
      const { r } = toReturns(readSeriesCsv(file, { column: a.column, flag: '--returns' }), a.prices);
      if (r.length < 2) throw new DataError(`${r.length} returns: VaR needs at least 2`, { file });
      const v = valueAtRisk(r, method, o);
      return { method: a.method, level: a.level, horizon: a.horizon, var: v.var, cvar: v.cvar, observations: r.length, source: path.relative(ctx.cwd, file) || file, ...mc };
    }
    const file = path.resolve(ctx.cwd, a.portfolio!);
    if (!fs.existsSync(file)) throw new UsageError(`no such file: ${file}`);
    const t = readPricesCsv(file);
    const w = parseWeights(a.weights, t.symbols, file);
    const cols = returnsFromPrices(w.index.map((i) => t.prices[i]));
    const v = portfolioValueAtRisk(w.weights, cols, method, o);
    let complete = 0;
    for (let k = 0; k < cols[0].length; k++) if (cols.every((c) => c[k] === c[k])) complete++;
    if (complete < 2) throw new DataError(`only ${complete} rows where every chosen symbol has a return`, { file });
    return { method: a.method, level: a.level, horizon: a.horizon, var: v.var, cvar: v.cvar, observations: complete, source: path.relative(ctx.cwd, file) || file, weights: Object.fromEntries(w.index.map((i, k) => [t.symbols[i], w.weights[k]])), ...mc };
  },
  render: (r: VarOutput) =>
    [
      `${r.method} VaR ${(r.level * 100).toFixed(1)}%${r.horizon > 1 ? `, ${r.horizon} periods` : ''}: ${loss(r.var)} · CVaR (expected shortfall): ${loss(r.cvar)}  (losses, ${r.observations.toLocaleString('en-US')} observations from ${r.source}${r.paths ? `, ${r.paths.toLocaleString('en-US')} paths, seed ${r.seed}` : ''})`,
      ...(r.weights ? [`weights: ${Object.entries(r.weights).map(([k, v]) => `${k} ${num(v, 3)}`).join(', ')}`] : []),
    ].join('\n'),
});

/** `SYM=W,…` against a table's columns (equal weights when absent); weights must sum to 1 (to 1e-6). */
export function parseWeights(spec: string | undefined, symbols: string[], file: string): { index: number[]; weights: Float64Array } {
  if (!spec) return { index: symbols.map((_, i) => i), weights: new Float64Array(symbols.length).fill(1 / symbols.length) };
  const index: number[] = [];
  const weights: number[] = [];
  for (const part of spec.split(',').map((x) => x.trim()).filter(Boolean)) {
    const m = /^([^=]+)=(-?[\d.eE+-]+)$/.exec(part);
    if (!m) throw new UsageError(`--weights takes SYM=W,SYM=W…, got '${part}'`);
    const i = symbols.findIndex((s) => s.toUpperCase() === m[1].trim().toUpperCase());
    if (i < 0) throw new UsageError(`${m[1]} is not a column of ${file}`, `columns: ${symbols.join(', ')}`);
    index.push(i);
    weights.push(Number(m[2]));
  }
  const sum = weights.reduce((x, y) => x + y, 0);
  if (Math.abs(sum - 1) > 1e-6) throw new UsageError(`--weights sum to ${sum}, not 1`);
  return { index, weights: Float64Array.from(weights) };
}

export const riskCheck = defineCommand({
  name: 'risk check',
  summary: 'read a limits file and list its limits and breakers (backtest --risk FILE applies them)',
  description: RISK_FILE_HELP,
  args: () => z.object({ risk: z.string().describe('limits file (JSON)') }),
  positional: ['risk'],
  examples: ['alphatrade risk check limits.json'],
  async run(ctx, a) {
    const file = path.resolve(ctx.cwd, a.risk);
    const config = loadRiskConfig(file);
    return { file, config, ...killState(ctx) };
  },
  render: (r: { file: string; config: RiskConfig; killed: boolean; reason: string | null }) => {
    const c = r.config;
    const rows: string[][] = [];
    for (const [k, v] of Object.entries(c.limits)) rows.push(['limit', k, typeof v === 'object' ? `${v.orders} orders / ${v.seconds} s` : k.endsWith('pct') ? loss(v) : String(v)]);
    for (const [s, o] of Object.entries(c.symbols)) for (const [k, v] of Object.entries(o)) rows.push(['symbol', `${s} ${k}`, k.endsWith('pct') ? loss(v) : String(v)]);
    for (const [s, v] of Object.entries(c.sector_limits)) rows.push(['sector', `${s} sector_pct`, loss(v)]);
    for (const [k, v] of Object.entries(c.breakers)) rows.push(['breaker', k, k === 'consecutive_losses' ? String(v) : loss(v)]);
    const sectors = Object.keys(c.sectors).length;
    return [rows.length ? table(['kind', 'rule', 'limit'], rows) : 'no limits or breakers set', sectors ? `${sectors} symbols mapped to ${new Set(Object.values(c.sectors)).size} sectors` : '', `kill switch: ${r.killed ? `ON (${r.reason})` : 'off'}`].filter(Boolean).join('\n');
  },
});

/** The kill-switch file of a workspace: every process (console, paper trader, live engine) reads the same file. */
export const killFileOf = (wsDir: string) => path.join(wsDir, 'risk-kill.json');
const killFile = (ctx: CommandContext) => killFileOf(ctx.workspace().dir);

/** The workspace's kill switch: on (with its reason and since when) while the file exists. */
export function readKillSwitch(wsDir: string): { killed: boolean; reason: string | null; since: string | null } {
  try {
    const j = JSON.parse(fs.readFileSync(killFileOf(wsDir), 'utf8')) as { reason: string; since: string };
    return { killed: true, reason: j.reason, since: j.since };
  } catch {
    return { killed: false, reason: null, since: null };
  }
}

export function killState(ctx: CommandContext): { killed: boolean; reason: string | null; since: string | null } {
  return ctx.workspaceDir ? readKillSwitch(ctx.workspace().dir) : { killed: false, reason: null, since: null };
}

export const riskKill = defineCommand({
  name: 'risk kill',
  summary: 'turn the kill switch on: paper and live trading place no new orders except reductions',
  args: () => z.object({ reason: z.string().default('manual').describe('why (shown in rejections and the Risk pane)') }),
  async run(ctx, a) {
    fs.writeFileSync(killFile(ctx), JSON.stringify({ reason: a.reason, since: new Date().toISOString() }));
    return killState(ctx);
  },
  render: (r: ReturnType<typeof killState>) => `kill switch ON since ${r.since} (${r.reason}); alphatrade risk resume turns it off`,
});

export const riskResume = defineCommand({
  name: 'risk resume',
  summary: 'turn the kill switch off',
  args: () => z.object({}),
  async run(ctx) {
    fs.rmSync(killFile(ctx), { force: true });
    return killState(ctx);
  },
  render: () => 'kill switch off',
});

/**
 * A risk manager for a run: the limits file (if any); for paper and live trading (`live`) also the workspace's kill
 * switch (a backtest replays history and ignores it).
 */
export function riskFor(ctx: CommandContext, file: string | undefined, live = false): RiskManager | undefined {
  const k = live ? killState(ctx) : { killed: false, reason: null, since: null };
  if (!file && !k.killed) return undefined;
  const m = new RiskManager(file ? loadRiskConfig(path.resolve(ctx.cwd, file)) : {});
  if (k.killed) m.kill(Date.parse(k.since ?? '') || 0, k.reason ?? 'manual');
  return m;
}

export const RISK_COMMANDS = [riskVar, riskCheck, riskKill, riskResume];
