/**
 * breakout — the Donchian channel breakout (turtle style). Long-only by default: enter long when the close exceeds
 * the highest high of the previous `entry` bars (20; the current bar is excluded, so the earliest signal is at bar
 * `entry`); exit (close the position) when the close falls below the lowest low of the previous `exit` bars (10).
 * With `short=true` the mirror also trades: enter short when the close falls below the lowest low of the previous
 * `entry` bars, cover when it rises above the highest high of the previous `exit` bars; an exit and the opposite
 * entry may happen on the same bar (a reversal). Exits are checked before entries. Comparisons go through
 * `diffSign` (a close equal to the channel, within CROSS_EPS, is no break). Market orders, sized by the run's sizer.
 */
import { specByName } from '../../data/indicators/index.ts';
import { bool, num } from '../params.ts';
import { defineStrategy, type BoundIndicator } from '../strategy.ts';
import { diffSign, moveTo } from './common.ts';

/**
 * One bar of the rule: the new state (−1, 0, +1) from the state, the close and the previous bars' channels (hiE/loE
 * over `entry` bars, hiX/loX over `exit` bars). Shared by both forms.
 */
export function breakoutStep(st: number, c: number, hiE: number, loE: number, hiX: number, loX: number, short: boolean): number {
  if (st > 0 && diffSign(c, loX) < 0) st = 0;
  else if (st < 0 && diffSign(c, hiX) > 0) st = 0;
  if (st === 0) {
    if (diffSign(c, hiE) > 0) st = 1;
    else if (short && diffSign(c, loE) < 0) st = -1;
  }
  return st;
}

export const breakout = defineStrategy({
  name: 'breakout',
  description:
    'Donchian breakout: buy when the close exceeds the highest high of the previous `entry` bars; exit when it falls below the lowest low of the previous `exit` bars. short=true adds the mirror (sell below the `entry`-bar low, cover above the `exit`-bar high).',
  universe: 'single',
  params: {
    entry: { type: 'int', default: 20, min: 1, max: 1000, step: 5, description: 'entry channel: bars before the current one' },
    exit: { type: 'int', default: 10, min: 1, max: 1000, step: 5, description: 'exit channel: bars before the current one' },
    short: { type: 'bool', default: false, description: 'also trade the short breakout' },
  },
  init(ctx) {
    const entry = num(ctx.params, 'entry');
    const exit = num(ctx.params, 'exit');
    const short = bool(ctx.params, 'short');
    const n = ctx.symbols.length;
    const de: BoundIndicator[] = [];
    const dx: BoundIndicator[] = [];
    for (let s = 0; s < n; s++) {
      de.push(ctx.indicator(s, 'donchian', [entry]));
      dx.push(ctx.indicator(s, 'donchian', [exit]));
    }
    const st = new Int8Array(n);
    return {
      onBar(c) {
        for (let u = 0; u < c.nUpdated; u++) {
          const s = c.updated[u];
          // channels of the previous bar (ago = 1): outputs 0 = upper, 2 = lower
          const next = breakoutStep(st[s], c.close(s), de[s].value(1, 0), de[s].value(1, 2), dx[s].value(1, 0), dx[s].value(1, 2), short);
          st[s] = moveTo(c, s, st[s], next);
        }
      },
    };
  },
  vectorized({ series }, p) {
    const entry = num(p, 'entry');
    const exit = num(p, 'exit');
    const short = bool(p, 'short');
    const spec = specByName('donchian')!;
    return series.map((S) => {
      const [hiE, , loE] = spec.batch(S, [entry]);
      const [hiX, , loX] = spec.batch(S, [exit]);
      const close = S.close;
      const n = close.length;
      const out = new Float64Array(n).fill(NaN);
      let st = 0;
      for (let i = 1; i < n; i++) {
        const next = breakoutStep(st, close[i], hiE[i - 1], loE[i - 1], hiX[i - 1], loX[i - 1], short);
        if (next !== st) out[i] = st = next;
      }
      return out;
    });
  },
});
