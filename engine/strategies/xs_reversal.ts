/**
 * xs_reversal — cross-sectional short-term reversal. Steps are counted from the first (step 0); at every step whose
 * index is a multiple of `rebalance` (5), the symbols that have a bar at that step and a full history (at least
 * `lookback` + 1 bars, both closes finite and positive) are ranked by their return over the past `lookback` bars (5),
 * close / close[lookback bars back] − 1 (ties broken by symbol order). With m ranked symbols, the k = min(`top`, m)
 * worst (losers) get target weight +`weight`/k (weight 1 by default); with `short=true`, k = min(top, ⌊m/2⌋) and the k
 * best (winners) also get −weight/k. Every other symbol that holds a position is sent to weight 0. Orders are
 * `targetWeight` market orders (sized at fill from the fill price and equity), the ones that reduce a position sent
 * before the ones that add; a rebalance re-weights held names to their target too. Because the next bar's orders are
 * matched symbol by symbol, a buy can come before the sale that pays for it and find no cash: so at the step after
 * a rebalance, every name still short of its target by a share or more (|target × equity / close| − |position| ≥ 1)
 * gets its targetWeight order once more (a top-up; none when that step is itself a rebalance). With short=true the gross exposure is 2 × weight: give the run
 * the leverage for it.
 */
import { bool, num } from '../params.ts';
import { defineStrategy } from '../strategy.ts';

export const xsReversal = defineStrategy({
  name: 'xs_reversal',
  description:
    'Cross-sectional reversal: every `rebalance` bars buy the `top` worst performers over the past `lookback` bars (equal weights summing to `weight`); short=true also shorts the `top` best.',
  universe: 'universe',
  params: {
    lookback: { type: 'int', default: 5, min: 1, max: 1000, step: 1, description: 'return look-back (bars)' },
    rebalance: { type: 'int', default: 5, min: 1, max: 1000, step: 1, description: 'steps between rebalances' },
    top: { type: 'int', default: 3, min: 1, max: 1000, step: 1, description: 'names per side' },
    weight: { type: 'float', default: 1, min: 0.01, max: 10, step: 0.1, description: 'total weight of each side (fraction of equity)' },
    short: { type: 'bool', default: false, description: 'also short the best performers' },
  },
  init(ctx) {
    const lookback = num(ctx.params, 'lookback');
    const reb = num(ctx.params, 'rebalance');
    const top = num(ctx.params, 'top');
    const weight = num(ctx.params, 'weight');
    const short = bool(ctx.params, 'short');
    const n = ctx.symbols.length;
    const order = new Int32Array(n);
    const ret = new Float64Array(n);
    const target = new Float64Array(n);
    let step = 0;
    let topUp = false;
    return {
      onBar(c) {
        const rebalanceNow = step++ % reb === 0;
        if (topUp && !rebalanceNow) {
          for (let u = 0; u < c.nUpdated; u++) {
            const s = c.updated[u];
            const w = target[s];
            if (w === 0) continue;
            const want = (w * c.equity) / c.close(s);
            if (Math.abs(want) - Math.abs(c.position(s)) >= 1) c.targetWeight(s, w);
          }
        }
        topUp = false;
        if (!rebalanceNow) return;
        let m = 0;
        for (let u = 0; u < c.nUpdated; u++) {
          const s = c.updated[u];
          if (c.count(s) <= lookback) continue;
          const now = c.close(s);
          const then = c.close(s, lookback);
          if (!(Number.isFinite(now) && then > 0)) continue;
          ret[s] = now / then - 1;
          // insertion sort by return, then symbol index (updated[] is in index order, so stable)
          let j = m++;
          while (j > 0 && ret[order[j - 1]] > ret[s]) {
            order[j] = order[j - 1];
            j--;
          }
          order[j] = s;
        }
        const k = short ? Math.min(top, Math.floor(m / 2)) : Math.min(top, m);
        if (k <= 0) return;
        target.fill(0);
        for (let r = 0; r < k; r++) target[order[r]] = weight / k;
        if (short) for (let r = m - k; r < m; r++) target[order[r]] = -weight / k;
        // reductions first (with the close fill model orders fill in the order they are sent), then additions
        for (let pass = 0; pass < 2; pass++) {
          for (let s = 0; s < n; s++) {
            const p = c.position(s);
            if (target[s] === 0 && p === 0) continue;
            const reduce = p !== 0 && (target[s] === 0 || Math.sign(target[s]) !== Math.sign(p) || Math.abs(target[s] * c.equity) < Math.abs(p * c.close(s)));
            if (reduce === (pass === 0)) c.targetWeight(s, target[s]);
          }
        }
        topUp = true;
      },
    };
  },
});
