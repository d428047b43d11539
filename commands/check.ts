/**
 * `check lookahead`: the truncation test on any strategy (built-in, workspace or file): decisions up to t must not
 * change when the bars after t change. Exit code 1 when it fails, naming the first bar.
 */
import { z } from 'zod';
import { checkLookahead, type LookaheadResult } from '../engine/lookahead.ts';
import { splitParamArgs } from '../engine/params.ts';
import { loadRunSeries, strategyAndDataArgs, strategyArgs } from './backtest.ts';
import { defineCommand } from './registry.ts';

export const checkLookaheadCmd = defineCommand({
  name: 'check lookahead',
  summary: 'truncation test: a strategy’s decisions up to t must not change when the bars after t change',
  description:
    'Runs the strategy on the real bars, then at --cuts points t replaces every bar after t with a seeded random walk and runs again; every order placed at or before t and the equity up to t must be identical. Reports the first bar where a decision changed (exit code 1).',
  args: () => z.object({
    ...strategyAndDataArgs(),
    param: z.array(z.string()).optional().describe('strategy parameter name=value (repeatable)'),
    cuts: z.number().int().min(1).max(100).default(10).describe('number of cut points'),
    seed: z.number().int().default(7).describe('seed of the replaced futures'),
  }),
  examples: ['alphatrade check lookahead --strategy sma_cross --symbol ORCL', 'alphatrade check lookahead --strategy-file my.ts --data prices.csv --json'],
  async run(ctx, a, progress) {
    const strategy = await strategyArgs(a, ctx);
    const { series } = loadRunSeries(ctx, a);
    progress({ job: 'check lookahead', phase: 'runs', done: 0, total: a.cuts + 1 });
    return checkLookahead({ strategy, params: splitParamArgs(a.param ?? []), series, cuts: a.cuts, seed: a.seed, signal: ctx.signal });
  },
  exitCode: (r: LookaheadResult) => (r.ok ? 0 : 1),
  render: (r: LookaheadResult) => {
    if (r.error) return `${r.strategy}: could not be checked — ${r.error}`;
    const head = r.ok
      ? `${r.strategy}: ok — no decision up to ${r.cuts.length} cut points changed when the bars after them changed (${r.ordersCompared} orders compared)`
      : `${r.strategy}: LOOK-AHEAD — the first decision that depends on later bars is at ${r.first!.time} (bar ${r.first!.index}), seen when the bars after ${r.first!.cut} changed:\n  ${r.first!.what}: ${r.first!.detail}`;
    const warn = r.ok && r.ordersCompared === 0 ? '\nnote: the strategy placed no order before the cut points, so only equity was compared' : '';
    return head + warn;
  },
});

export const CHECK_COMMANDS = [checkLookaheadCmd];
