/**
 * `strategies list` (built-ins and the workspace's own, with their parameters) and `strategies new NAME` (a
 * documented template in the workspace's strategies/ folder).
 */
import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { listStrategies } from '../engine/strategy-loader.ts';
import { BUILTIN_STRATEGIES } from '../engine/strategies/index.ts';

const BUILTIN_COUNT = BUILTIN_STRATEGIES.length;
import type { StrategyParamSpec } from '../engine/strategy.ts';
import { UsageError } from '../src/errors.ts';
import { defineCommand, type CommandContext } from './registry.ts';

export interface StrategyEntry {
  name: string;
  builtin: boolean;
  file: string | null;
  universe: string | null;
  description: string | null;
  vectorized: boolean;
  params: ({ name: string } & StrategyParamSpec)[];
  error: string | null;
}

export function strategiesDirOf(ctx: CommandContext): string {
  return ctx.workspace().path('strategies');
}

export const strategiesList = defineCommand({
  name: 'strategies list',
  summary: 'the built-in strategies and the workspace’s own: rules, parameters (type, default, range)',
  args: () => z.object({}),
  examples: ['alphatrade strategies list', 'alphatrade strategies list --json'],
  async run(ctx) {
    const ws = ctx.workspace();
    const list = await listStrategies(strategiesDirOf(ctx), ws.path('tmp'));
    // the model-driven strategy (models/alpha-ml.ts) is built in too; it lives with the models
    const { alphaMl } = await import('../models/alpha-ml.ts');
    list.splice(BUILTIN_COUNT, 0, { name: alphaMl.name, builtin: true, strategy: alphaMl });
    const strategies: StrategyEntry[] = list.map((l) => ({
      name: l.name,
      builtin: l.builtin,
      file: l.file ?? null,
      universe: l.strategy?.universe ?? null,
      description: l.strategy?.description ?? null,
      vectorized: typeof l.strategy?.vectorized === 'function',
      params: l.strategy ? Object.entries(l.strategy.params).map(([name, p]) => ({ name, ...p })) : [],
      error: l.error ?? null,
    }));
    return { folder: strategiesDirOf(ctx), strategies };
  },
  render: (r: { folder: string; strategies: StrategyEntry[] }) => {
    const out: string[] = [];
    for (const s of r.strategies) {
      if (s.error) {
        out.push(`${s.name}  (${s.file})  BROKEN: ${s.error}`, '');
        continue;
      }
      out.push(`${s.name}  [${s.universe}${s.vectorized ? ', vectorized form' : ''}]${s.builtin ? '' : `  ${s.file}`}`);
      out.push(`  ${s.description}`);
      for (const p of s.params) {
        const range = p.choices ? ` one of ${p.choices.join('|')}` : p.min !== undefined || p.max !== undefined ? ` ${p.min ?? ''}..${p.max ?? ''}` : '';
        out.push(`    ${p.name} (${p.type}, default ${p.default}${range})  ${p.description}`);
      }
      out.push('');
    }
    out.push(`Your own strategies: ${r.folder} (alphatrade strategies new NAME writes a template).`);
    return out.join('\n');
  },
});

const TEMPLATE = (name: string) => `/**
 * ${name} — a strategy of your own (a template: edit the rules, keep the shape).
 *
 * Rules: buy when the close crosses above its \`period\`-bar SMA while RSI(\`rsi\`) is below \`rsi_max\`; close the
 * position when the close crosses back below the SMA.
 *
 * Run it:       alphatrade backtest --strategy ${name} --symbol ORCL --param period=50
 * Check it:     alphatrade check lookahead --strategy ${name} --symbol ORCL
 * In the console (:backtest …) a saved change reruns the Backtest pane; compile errors show as file:line.
 */
import { CrossTracker, defineStrategy, goTo, num } from 'alphatrade';

export default defineStrategy({
  // a lower-case identifier: how --strategy names it (the file name works too)
  name: '${name}',
  description: 'Buy when the close crosses above its SMA while RSI is below rsi_max; close when it crosses back below.',
  // 'single': each symbol on its own (several symbols share one portfolio); 'pair': exactly two; 'universe': ranks
  universe: 'single',
  // declared once: --param name=value, the console's editor and sweeps all read these (type, default, range)
  params: {
    period: { type: 'int', default: 50, min: 2, max: 500, step: 5, description: 'SMA period (bars)' },
    rsi: { type: 'int', default: 14, min: 2, max: 100, step: 1, description: 'RSI period (Wilder)' },
    rsi_max: { type: 'float', default: 70, min: 0, max: 100, step: 5, description: 'no entry above this RSI' },
  },
  // init runs once: create indicators (incremental, TA-Lib conventions; \`alphatrade features list\` names them)
  // and per-symbol state. The engine updates the indicators with each new bar before onBar.
  init(ctx) {
    const period = num(ctx.params, 'period');
    const rsiPeriod = num(ctx.params, 'rsi');
    const rsiMax = num(ctx.params, 'rsi_max');
    const sma = ctx.symbols.map((_, s) => ctx.indicator(s, 'sma', [period]));
    const rsi = ctx.symbols.map((_, s) => ctx.indicator(s, 'rsi', [rsiPeriod]));
    const cross = ctx.symbols.map(() => new CrossTracker());
    return {
      // once per time step; ctx.updated[0..nUpdated) are the symbols with a new bar
      onBar(c) {
        for (let u = 0; u < c.nUpdated; u++) {
          const s = c.updated[u];
          // history only: c.close(s) is this bar, c.close(s, 1) the one before; a negative "ago" throws
          const x = cross[s].update(c.close(s), sma[s].value());
          if (x > 0 && rsi[s].value() < rsiMax) goTo(c, s, 1); // enter long, sized by --sizer at the fill
          else if (x < 0) goTo(c, s, 0); // flat
          // other orders: c.buy(s, qty?, { type: 'limit', limitPrice, tif: 'day' }), c.sell(…), c.closePosition(s),
          // c.targetWeight(s, 0.5), brackets with { takeProfit, stopLoss }, c.cancel(id), c.replace(id, { … })
        }
      },
    };
  },
  // optional: vectorized(input, params) returning, per series, a target direction per bar (NaN = no action) computed
  // from whole arrays up to each bar — see engine/strategies/sma_cross.ts. Then --mode vectorized runs it.
});
`;

export const strategiesNew = defineCommand({
  name: 'strategies new',
  summary: 'write a documented strategy template to the workspace’s strategies/ folder',
  args: () => z.object({
    name: z.string().regex(/^[a-z][a-z0-9_]*$/, 'a lower-case identifier, e.g. my_breakout').describe('strategy name (lower-case identifier)'),
    force: z.boolean().default(false).describe('overwrite an existing file'),
  }),
  positional: ['name'],
  examples: ['alphatrade strategies new my_breakout'],
  async run(ctx, a) {
    const dir = strategiesDirOf(ctx);
    fs.mkdirSync(dir, { recursive: true });
    const file = path.join(dir, `${a.name}.ts`);
    if (fs.existsSync(file) && !a.force) throw new UsageError(`${file} exists; use --force to overwrite it`);
    fs.writeFileSync(file, TEMPLATE(a.name));
    return { name: a.name, file };
  },
  render: (r: { name: string; file: string }) =>
    `wrote ${r.file}\nrun it:   alphatrade backtest --strategy ${r.name} --symbol SYMBOL\ncheck it: alphatrade check lookahead --strategy ${r.name} --symbol SYMBOL`,
});

export const STRATEGY_COMMANDS = [strategiesList, strategiesNew];
