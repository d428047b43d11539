/**
 * mean_reversion — Bollinger z-score reversion. z = (close − SMA(n)) / σ(n), σ the population standard deviation of
 * the same n closes (TA-Lib BBANDS; n = 20; z is undefined, so no decision, on a flat window). Long-only by default:
 * enter long when z < −`entry` (2); exit when z > −`exit` (0.5). With `short=true` the mirror also trades: enter short
 * when z > entry, exit when z < exit. Exits are checked before entries, so a bar can exit one side and enter the other.
 * Threshold comparisons go through `diffSign` (z equal to a threshold, within CROSS_EPS, is no signal). Market orders,
 * sized by the run's sizer.
 */
import { specByName } from '../../data/indicators/index.ts';
import { bool, num } from '../params.ts';
import { defineStrategy, type BoundIndicator } from '../strategy.ts';
import { diffSign, moveTo } from './common.ts';

/** z from a Bollinger band with nbdev = 1 (upper − middle = σ); NaN when σ is 0 or missing */
export function bandZ(c: number, upper: number, mid: number): number {
  const sd = upper - mid;
  return sd > 0 ? (c - mid) / sd : NaN;
}

/** One bar of the rule: the new state (−1, 0, +1). Shared by both forms. */
export function zStep(st: number, z: number, entry: number, exit: number, short: boolean): number {
  if (st > 0 && diffSign(z, -exit) > 0) st = 0;
  else if (st < 0 && diffSign(z, exit) < 0) st = 0;
  if (st === 0) {
    if (diffSign(z, -entry) < 0) st = 1;
    else if (short && diffSign(z, entry) > 0) st = -1;
  }
  return st;
}

export const meanReversion = defineStrategy({
  name: 'mean_reversion',
  description:
    'Bollinger z-score z = (close − SMA(n)) / population σ(n): buy when z < −entry, exit when z > −exit. short=true adds the mirror (sell when z > entry, cover when z < exit).',
  universe: 'single',
  params: {
    n: { type: 'int', default: 20, min: 2, max: 1000, step: 5, description: 'SMA and standard deviation window (bars)' },
    entry: { type: 'float', default: 2, min: 0, max: 10, step: 0.25, description: 'enter beyond this many σ from the mean' },
    exit: { type: 'float', default: 0.5, min: -10, max: 10, step: 0.25, description: 'exit once back within this many σ (z > −exit for a long)' },
    short: { type: 'bool', default: false, description: 'also sell short above the mean' },
  },
  init(ctx) {
    const n = num(ctx.params, 'n');
    const entry = num(ctx.params, 'entry');
    const exit = num(ctx.params, 'exit');
    const short = bool(ctx.params, 'short');
    const bb: BoundIndicator[] = [];
    for (let s = 0; s < ctx.symbols.length; s++) bb.push(ctx.indicator(s, 'bb', [n, 1]));
    const st = new Int8Array(ctx.symbols.length);
    return {
      onBar(c) {
        for (let u = 0; u < c.nUpdated; u++) {
          const s = c.updated[u];
          const z = bandZ(c.close(s), bb[s].value(0, 0), bb[s].value(0, 1));
          st[s] = moveTo(c, s, st[s], zStep(st[s], z, entry, exit, short));
        }
      },
    };
  },
  vectorized({ series }, p) {
    const len = num(p, 'n');
    const entry = num(p, 'entry');
    const exit = num(p, 'exit');
    const short = bool(p, 'short');
    const spec = specByName('bb')!;
    return series.map((S) => {
      const [upper, mid] = spec.batch(S, [len, 1]);
      const close = S.close;
      const n = close.length;
      const out = new Float64Array(n).fill(NaN);
      let st = 0;
      for (let i = 0; i < n; i++) {
        const next = zStep(st, bandZ(close[i], upper[i], mid[i]), entry, exit, short);
        if (next !== st) out[i] = st = next;
      }
      return out;
    });
  },
});
