/**
 * trend_following — ADX-filtered moving averages with an ATR trailing stop. Long-only by default: enter long when
 * the fast SMA of the close is above the slow SMA and ADX(`adx_period`) > `adx_min` (25); once long, track the
 * highest close since the entry bar (that bar's close included) and exit when the close falls below (highest close −
 * `atr_mult` × ATR(`atr_period`)) or when the fast SMA falls below the slow one. After a stop exit the long side is
 * re-armed only once the fast SMA has been below the slow one (so a stop does not re-enter the same trend on the next
 * bar); at the start it is armed. With `short=true` the mirror also trades: short when fast < slow and ADX > adx_min,
 * exit when the close rises above (lowest close since entry + atr_mult × ATR) or fast rises above slow; re-armed
 * after a stop once fast has been above slow. Exits are checked before entries (a cross can exit one side and enter
 * the other on the same bar). The stop is the strategy's own (from closes, exited with a market order, not a resting
 * stop order), so decisions depend only on bars and the strategy's state and the vectorized form reproduces them.
 * All comparisons go through `diffSign`. Market orders, sized by the run's sizer.
 */
import { specByName } from '../../data/indicators/index.ts';
import { bool, num } from '../params.ts';
import { defineStrategy, type BoundIndicator } from '../strategy.ts';
import { diffSign, moveTo } from './common.ts';

/** per-symbol state, in a Float64Array of TF_STATE numbers at offset `o`: [position state, extreme close, armedLong, armedShort] */
export const TF_STATE = 4;

/** Reset one symbol's state (flat, both sides armed). */
export function tfReset(x: Float64Array, o: number): void {
  x[o] = 0;
  x[o + 1] = NaN;
  x[o + 2] = 1;
  x[o + 3] = 1;
}

/** One bar of the rule: updates the state at x[o..o+4) and returns the new position state (−1, 0, +1). */
export function tfStep(x: Float64Array, o: number, c: number, fast: number, slow: number, adx: number, atr: number, adxMin: number, mult: number, short: boolean): number {
  let st = x[o];
  let ext = x[o + 1];
  const trend = diffSign(fast, slow);
  if (st > 0) {
    if (c > ext) ext = c;
    if (trend < 0 || diffSign(c, ext - mult * atr) < 0) {
      st = 0;
      x[o + 2] = 0;
    }
  } else if (st < 0) {
    if (c < ext) ext = c;
    if (trend > 0 || diffSign(c, ext + mult * atr) > 0) {
      st = 0;
      x[o + 3] = 0;
    }
  }
  if (trend < 0) x[o + 2] = 1;
  else if (trend > 0) x[o + 3] = 1;
  if (st === 0 && c === c && diffSign(adx, adxMin) > 0) {
    if (trend > 0 && x[o + 2] === 1) {
      st = 1;
      ext = c;
    } else if (short && trend < 0 && x[o + 3] === 1) {
      st = -1;
      ext = c;
    }
  }
  x[o] = st;
  x[o + 1] = ext;
  return st;
}

export const trendFollowing = defineStrategy({
  name: 'trend_following',
  description:
    'Long while the fast SMA is above the slow SMA and ADX > adx_min; exit on an ATR trailing stop from the highest close since entry (atr_mult × ATR) or when fast falls below slow. short=true adds the mirror.',
  universe: 'single',
  params: {
    fast: { type: 'int', default: 20, min: 2, max: 500, step: 5, description: 'fast SMA period (bars)' },
    slow: { type: 'int', default: 50, min: 2, max: 2000, step: 10, description: 'slow SMA period (bars)' },
    adx_period: { type: 'int', default: 14, min: 2, max: 200, step: 1, description: 'ADX period (Wilder)' },
    adx_min: { type: 'float', default: 25, min: 0, max: 100, step: 1, description: 'enter only while ADX is above this' },
    atr_period: { type: 'int', default: 14, min: 1, max: 200, step: 1, description: 'ATR period (Wilder)' },
    atr_mult: { type: 'float', default: 3, min: 0.1, max: 20, step: 0.5, description: 'trailing stop distance in ATRs from the best close since entry' },
    short: { type: 'bool', default: false, description: 'also trade the short side' },
  },
  init(ctx) {
    const fast = num(ctx.params, 'fast');
    const slow = num(ctx.params, 'slow');
    const adxP = num(ctx.params, 'adx_period');
    const adxMin = num(ctx.params, 'adx_min');
    const atrP = num(ctx.params, 'atr_period');
    const mult = num(ctx.params, 'atr_mult');
    const short = bool(ctx.params, 'short');
    const n = ctx.symbols.length;
    const f: BoundIndicator[] = [];
    const sl: BoundIndicator[] = [];
    const adx: BoundIndicator[] = [];
    const atr: BoundIndicator[] = [];
    const x = new Float64Array(n * TF_STATE);
    for (let s = 0; s < n; s++) {
      f.push(ctx.indicator(s, 'sma', [fast]));
      sl.push(ctx.indicator(s, 'sma', [slow]));
      adx.push(ctx.indicator(s, 'adx', [adxP]));
      atr.push(ctx.indicator(s, 'atr', [atrP]));
      tfReset(x, s * TF_STATE);
    }
    return {
      onBar(c) {
        for (let u = 0; u < c.nUpdated; u++) {
          const s = c.updated[u];
          const o = s * TF_STATE;
          const prev = x[o];
          const next = tfStep(x, o, c.close(s), f[s].value(), sl[s].value(), adx[s].value(), atr[s].value(), adxMin, mult, short);
          moveTo(c, s, prev, next);
        }
      },
    };
  },
  vectorized({ series }, p) {
    const fast = num(p, 'fast');
    const slow = num(p, 'slow');
    const adxP = num(p, 'adx_period');
    const adxMin = num(p, 'adx_min');
    const atrP = num(p, 'atr_period');
    const mult = num(p, 'atr_mult');
    const short = bool(p, 'short');
    const sma = specByName('sma')!;
    const adxS = specByName('adx')!;
    const atrS = specByName('atr')!;
    return series.map((S) => {
      const f = sma.batch(S, [fast])[0];
      const sl = sma.batch(S, [slow])[0];
      const a = adxS.batch(S, [adxP])[0];
      const r = atrS.batch(S, [atrP])[0];
      const close = S.close;
      const n = close.length;
      const out = new Float64Array(n).fill(NaN);
      const x = new Float64Array(TF_STATE);
      tfReset(x, 0);
      for (let i = 0; i < n; i++) {
        const prev = x[0];
        const next = tfStep(x, 0, close[i], f[i], sl[i], a[i], r[i], adxMin, mult, short);
        if (next !== prev) out[i] = next;
      }
      return out;
    });
  },
});
