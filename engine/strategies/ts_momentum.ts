/**
 * ts_momentum — time-series momentum (Moskowitz, Ooi & Pedersen). Every `rebalance` bars (21), counted per symbol
 * from its bar index `lookback` (the first bar with a full look-back: decisions at bar indices lookback,
 * lookback + rebalance, …), the target is the sign of the return over the past `lookback` bars (252), i.e. of
 * close[i] − close[i − lookback] (through `diffSign`: an unchanged or missing price keeps the current target):
 * long-only 1 when positive and 0 when negative; with `short=true` +1 / −1. The position moves only when the target
 * changes (a market order to leave the old side, then an entry sized by the run's sizer); it is not resized at each
 * rebalance.
 */
import { bool, num } from '../params.ts';
import { defineStrategy } from '../strategy.ts';
import { diffSign, moveTo } from './common.ts';

/** The target at a rebalance bar from the current one, the close and the close `lookback` bars back. */
export function tsmomTarget(st: number, c: number, c0: number, down: number): number {
  const x = diffSign(c, c0);
  return x > 0 ? 1 : x < 0 ? down : st;
}

export const tsMomentum = defineStrategy({
  name: 'ts_momentum',
  description:
    'Every `rebalance` bars, hold the sign of the return over the past `lookback` bars: long when it is positive, flat (or short with short=true) when negative.',
  universe: 'single',
  params: {
    lookback: { type: 'int', default: 252, min: 1, max: 5000, step: 21, description: 'return look-back (bars)' },
    rebalance: { type: 'int', default: 21, min: 1, max: 1000, step: 1, description: 'bars between decisions' },
    short: { type: 'bool', default: false, description: 'short when the past return is negative' },
  },
  init(ctx) {
    const lookback = num(ctx.params, 'lookback');
    const reb = num(ctx.params, 'rebalance');
    const down = bool(ctx.params, 'short') ? -1 : 0;
    const st = new Int8Array(ctx.symbols.length);
    return {
      onBar(c) {
        for (let u = 0; u < c.nUpdated; u++) {
          const s = c.updated[u];
          const i = c.count(s) - 1;
          if (i < lookback || (i - lookback) % reb !== 0) continue;
          st[s] = moveTo(c, s, st[s], tsmomTarget(st[s], c.close(s), c.close(s, lookback), down));
        }
      },
    };
  },
  vectorized({ series }, p) {
    const lookback = num(p, 'lookback');
    const reb = num(p, 'rebalance');
    const down = bool(p, 'short') ? -1 : 0;
    return series.map((S) => {
      const close = S.close;
      const n = close.length;
      const out = new Float64Array(n).fill(NaN);
      let st = 0;
      for (let i = lookback; i < n; i += reb) {
        const next = tsmomTarget(st, close[i], close[i - lookback], down);
        if (next !== st) out[i] = st = next;
      }
      return out;
    });
  },
});
