/**
 * ema_cross — sma_cross with exponential averages. Long-only by default: buy (sized by the run's sizer) when the
 * fast EMA of the close crosses above the slow EMA; close the position when it crosses below. With `short=true` a
 * cross below also sells short (and a cross above first buys the short back). EMAs are TA-Lib's (k = 2/(n+1), seeded
 * with the SMA of the first n closes, so the first cross can come at bar `slow` − 1 at the earliest); crosses follow
 * backtrader's CrossOver (equal values, within CROSS_EPS, do not break a cross). Orders are market orders, filled by
 * the run's fill model (next bar's open by default).
 */
import { specByName } from '../../data/indicators/index.ts';
import { bool, num } from '../params.ts';
import { defineStrategy, type BoundIndicator } from '../strategy.ts';
import { CrossTracker, crossTargets, goTo } from './common.ts';

export const emaCross = defineStrategy({
  name: 'ema_cross',
  description:
    'Buy when the fast EMA of the close crosses above the slow EMA; close when it crosses below. Long-only unless short=true, which also sells short on a cross below.',
  universe: 'single',
  params: {
    fast: { type: 'int', default: 12, min: 2, max: 500, step: 1, description: 'fast EMA period (bars)' },
    slow: { type: 'int', default: 26, min: 2, max: 2000, step: 2, description: 'slow EMA period (bars)' },
    short: { type: 'bool', default: false, description: 'also sell short on a cross below' },
  },
  init(ctx) {
    const fast = num(ctx.params, 'fast');
    const slow = num(ctx.params, 'slow');
    const down = bool(ctx.params, 'short') ? -1 : 0;
    const n = ctx.symbols.length;
    const f: BoundIndicator[] = [];
    const sl: BoundIndicator[] = [];
    const cross: CrossTracker[] = [];
    for (let s = 0; s < n; s++) {
      f.push(ctx.indicator(s, 'ema', [fast]));
      sl.push(ctx.indicator(s, 'ema', [slow]));
      cross.push(new CrossTracker());
    }
    return {
      onBar(c) {
        for (let u = 0; u < c.nUpdated; u++) {
          const s = c.updated[u];
          const x = cross[s].update(f[s].value(), sl[s].value());
          if (x > 0) goTo(c, s, 1);
          else if (x < 0) goTo(c, s, down);
        }
      },
    };
  },
  vectorized({ series }, p) {
    const fast = num(p, 'fast');
    const slow = num(p, 'slow');
    const down = bool(p, 'short') ? -1 : 0;
    const ema = specByName('ema')!;
    return series.map((S) => crossTargets(ema.batch(S, [fast])[0], ema.batch(S, [slow])[0], down));
  },
});
