/**
 * macd — the MACD signal-line cross (TA-Lib MACD: fast and slow SMA-seeded EMAs of the close, signal = EMA of the
 * MACD line; defaults 12/26/9). Long-only by default: buy (sized by the run's sizer) when the MACD line crosses above
 * its signal line; close the position when it crosses below. With `short=true` a cross below also sells short (and a
 * cross above first buys the short back). Crosses follow backtrader's CrossOver (equal values, within CROSS_EPS, do
 * not break a cross); the first possible signal is at bar slow + signal − 1 (the signal line's first value is its
 * warm-up, so the first cross needs one more bar). Market orders, filled by the run's fill model.
 */
import { specByName } from '../../data/indicators/index.ts';
import { bool, num } from '../params.ts';
import { defineStrategy, type BoundIndicator } from '../strategy.ts';
import { CrossTracker, crossTargets, goTo } from './common.ts';

export const macd = defineStrategy({
  name: 'macd',
  description:
    'Buy when the MACD line crosses above its signal line; close when it crosses below (TA-Lib MACD 12/26/9). Long-only unless short=true, which also sells short on a cross below.',
  universe: 'single',
  params: {
    fast: { type: 'int', default: 12, min: 2, max: 500, step: 1, description: 'fast EMA period (bars)' },
    slow: { type: 'int', default: 26, min: 2, max: 2000, step: 2, description: 'slow EMA period (bars)' },
    signal: { type: 'int', default: 9, min: 1, max: 500, step: 1, description: 'signal line EMA period (bars)' },
    short: { type: 'bool', default: false, description: 'also sell short on a cross below' },
  },
  init(ctx) {
    const p = [num(ctx.params, 'fast'), num(ctx.params, 'slow'), num(ctx.params, 'signal')];
    const down = bool(ctx.params, 'short') ? -1 : 0;
    const m: BoundIndicator[] = [];
    const cross: CrossTracker[] = [];
    for (let s = 0; s < ctx.symbols.length; s++) {
      m.push(ctx.indicator(s, 'macd', p));
      cross.push(new CrossTracker());
    }
    return {
      onBar(c) {
        for (let u = 0; u < c.nUpdated; u++) {
          const s = c.updated[u];
          const x = cross[s].update(m[s].value(0, 0), m[s].value(0, 1));
          if (x > 0) goTo(c, s, 1);
          else if (x < 0) goTo(c, s, down);
        }
      },
    };
  },
  vectorized({ series }, p) {
    const args = [num(p, 'fast'), num(p, 'slow'), num(p, 'signal')];
    const down = bool(p, 'short') ? -1 : 0;
    const spec = specByName('macd')!;
    return series.map((S) => {
      const [line, sig] = spec.batch(S, args);
      return crossTargets(line, sig, down);
    });
  },
});
