/**
 * sma_cross — backtrader's classic sample. Long-only by default: buy (sized by the run's sizer) when the fast simple
 * moving average of the close crosses above the slow one; close the position when it crosses below. With
 * `short=true` a cross below also sells short (and a cross above first buys the short back). Crosses follow
 * backtrader's CrossOver (equal values do not break a cross). Orders are market orders, filled by the run's fill
 * model (next bar's open by default).
 */
import { bool, num } from '../params.ts';
import { defineStrategy, type BoundIndicator, type SparseTargets } from '../strategy.ts';
import { CROSS_EPS, CrossTracker, diffSign, goTo } from './common.ts';

export const smaCross = defineStrategy({
  name: 'sma_cross',
  description:
    'Buy when the fast SMA of the close crosses above the slow SMA; close when it crosses below. Long-only unless short=true, which also sells short on a cross below.',
  universe: 'single',
  params: {
    fast: { type: 'int', default: 10, min: 2, max: 500, step: 1, description: 'fast SMA period (bars)' },
    slow: { type: 'int', default: 30, min: 2, max: 2000, step: 5, description: 'slow SMA period (bars)' },
    short: { type: 'bool', default: false, description: 'also sell short on a cross below' },
  },
  init(ctx) {
    const fast = num(ctx.params, 'fast');
    const slow = num(ctx.params, 'slow');
    const short = bool(ctx.params, 'short');
    const n = ctx.symbols.length;
    const f: BoundIndicator[] = [];
    const sl: BoundIndicator[] = [];
    const cross: CrossTracker[] = [];
    for (let s = 0; s < n; s++) {
      f.push(ctx.indicator(s, 'sma', [fast]));
      sl.push(ctx.indicator(s, 'sma', [slow]));
      cross.push(new CrossTracker());
    }
    const down = short ? -1 : 0;
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
    return series.map((S) => smaCrossTargets(S.close, fast, slow, down));
  },
});

/**
 * Both SMAs, the crossover and the targets in one pass with no intermediate arrays: the vectorized form is the
 * engine's speed benchmark (≥ 50 M bars/s), and two batch SMAs plus a crossover array cost three passes and three
 * allocations. Same rules as the event form: a NaN close restarts both averages (like the SMA stream), equal
 * averages do not break a cross, comparisons go through `diffSign`.
 */
export function smaCrossTargets(close: Float64Array, fast: number, slow: number, down: number): SparseTargets {
  const n = close.length;
  // decisions are rare (a cross every tens to hundreds of bars): collect them, not a column of NaN
  let index = new Int32Array(Math.max(16, n >> 6));
  let value = new Float64Array(index.length);
  let cnt = 0;
  let sf = 0;
  let ss = 0;
  let cf = 0;
  let cs = 0;
  let last = 0;
  // Bars before both windows are full, and any bar after a missing close, take the general path; once both are full
  // and no close is missing, a tight loop does the same arithmetic in the same order (sums add, then subtract; the
  // comparison is diffSign's, inlined), so the targets are bit-identical. (Sweeps run this thousands of times.)
  const L = Math.max(fast, slow);
  let i = 0;
  for (;;) {
    for (; i < n; i++) {
      const c = close[i];
      if (c !== c) {
        sf = ss = 0;
        cf = cs = 0;
        continue;
      }
      sf += c;
      if (cf < fast) cf++;
      else sf -= close[i - fast];
      ss += c;
      if (cs < slow) cs++;
      else ss -= close[i - slow];
      if (cs < slow || cf < fast) continue;
      const x = diffSign(sf / fast, ss / slow);
      if (x !== 0) {
        if (last !== 0 && x !== last) {
          if (cnt === index.length) [index, value] = grow(index, value);
          index[cnt] = i;
          value[cnt++] = x > 0 ? 1 : down;
        }
        last = x;
      }
      if (cf === fast && cs === slow && i + 1 >= L) {
        i++;
        break;
      }
    }
    // the tight loop: both windows full
    for (; i < n; i++) {
      const c = close[i];
      if (c !== c) break;
      sf += c;
      sf -= close[i - fast];
      ss += c;
      ss -= close[i - slow];
      const a = sf / fast;
      const b = ss / slow;
      const d = a - b;
      if (!(d === d)) continue;
      const tol = CROSS_EPS * Math.max(Math.abs(a), Math.abs(b));
      const x = d > tol ? 1 : d < -tol ? -1 : 0;
      if (x === 0) continue;
      if (last !== 0 && x !== last) {
        if (cnt === index.length) [index, value] = grow(index, value);
        index[cnt] = i;
        value[cnt++] = x > 0 ? 1 : down;
      }
      last = x;
    }
    if (i >= n) break;
  }
  return { kind: 'sparse', length: n, index, value, count: cnt };
}

function grow(index: Int32Array, value: Float64Array): [Int32Array<ArrayBuffer>, Float64Array<ArrayBuffer>] {
  const i2 = new Int32Array(index.length * 2);
  i2.set(index);
  const v2 = new Float64Array(value.length * 2);
  v2.set(value);
  return [i2, v2];
}
