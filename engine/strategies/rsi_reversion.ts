/**
 * rsi_reversion — RSI reversion. RSI(`period`, Wilder, TA-Lib; 14). Long-only by default: enter long when RSI <
 * `lower` (30); exit when RSI > `exit` (50). With `short=true` the mirror also trades: enter short when RSI > `upper`
 * (70), exit when RSI < 100 − `exit` (50 with the default). Exits are checked before entries, so a bar can exit one
 * side and enter the other. Threshold comparisons go through `diffSign` (RSI equal to a threshold, within CROSS_EPS,
 * is no signal). Market orders, sized by the run's sizer.
 */
import { specByName } from '../../data/indicators/index.ts';
import { bool, num } from '../params.ts';
import { defineStrategy, type BoundIndicator } from '../strategy.ts';
import { diffSign, moveTo } from './common.ts';

/** One bar of the rule: the new state (−1, 0, +1). Shared by both forms. */
export function rsiStep(st: number, r: number, lower: number, upper: number, exit: number, short: boolean): number {
  if (st > 0 && diffSign(r, exit) > 0) st = 0;
  else if (st < 0 && diffSign(r, 100 - exit) < 0) st = 0;
  if (st === 0) {
    if (diffSign(r, lower) < 0) st = 1;
    else if (short && diffSign(r, upper) > 0) st = -1;
  }
  return st;
}

export const rsiReversion = defineStrategy({
  name: 'rsi_reversion',
  description:
    'RSI (Wilder) reversion: buy when RSI < lower, exit when RSI > exit. short=true adds the mirror (sell when RSI > upper, cover when RSI < 100 − exit).',
  universe: 'single',
  params: {
    period: { type: 'int', default: 14, min: 2, max: 500, step: 1, description: 'RSI period (bars)' },
    lower: { type: 'float', default: 30, min: 0, max: 100, step: 5, description: 'buy below this RSI' },
    upper: { type: 'float', default: 70, min: 0, max: 100, step: 5, description: 'sell short above this RSI (short=true)' },
    exit: { type: 'float', default: 50, min: 0, max: 100, step: 5, description: 'a long exits above this RSI, a short below 100 − exit' },
    short: { type: 'bool', default: false, description: 'also sell short when RSI is above upper' },
  },
  init(ctx) {
    const period = num(ctx.params, 'period');
    const lower = num(ctx.params, 'lower');
    const upper = num(ctx.params, 'upper');
    const exit = num(ctx.params, 'exit');
    const short = bool(ctx.params, 'short');
    const rsi: BoundIndicator[] = [];
    for (let s = 0; s < ctx.symbols.length; s++) rsi.push(ctx.indicator(s, 'rsi', [period]));
    const st = new Int8Array(ctx.symbols.length);
    return {
      onBar(c) {
        for (let u = 0; u < c.nUpdated; u++) {
          const s = c.updated[u];
          st[s] = moveTo(c, s, st[s], rsiStep(st[s], rsi[s].value(), lower, upper, exit, short));
        }
      },
    };
  },
  vectorized({ series }, p) {
    const period = num(p, 'period');
    const lower = num(p, 'lower');
    const upper = num(p, 'upper');
    const exit = num(p, 'exit');
    const short = bool(p, 'short');
    const spec = specByName('rsi')!;
    return series.map((S) => {
      const r = spec.batch(S, [period])[0];
      const n = r.length;
      const out = new Float64Array(n).fill(NaN);
      let st = 0;
      for (let i = 0; i < n; i++) {
        const next = rsiStep(st, r[i], lower, upper, exit, short);
        if (next !== st) out[i] = st = next;
      }
      return out;
    });
  },
});
