/**
 * Helpers shared by the built-in strategies (and available to users' strategy files).
 */
import type { StrategyContext } from '../strategy.ts';

/**
 * Relative tolerance under which two averages count as equal. Batch and incremental indicators agree to ~1e-12
 * but not bitwise; without a tolerance a flat stretch (fast == slow) could read as a cross in one form and not the
 * other, so both forms compare through `diffSign`.
 */
export const CROSS_EPS = 1e-9;

/** sign of a − b, 0 when they are equal within CROSS_EPS (relative) or either is NaN */
export function diffSign(a: number, b: number): number {
  const d = a - b;
  if (!(d === d)) return 0;
  const tol = CROSS_EPS * Math.max(Math.abs(a), Math.abs(b));
  return d > tol ? 1 : d < -tol ? -1 : 0;
}

/**
 * backtrader's CrossOver: +1 when a crosses above b, −1 below, else 0. Equal bars do not break a cross: the last
 * non-zero difference is remembered (backtrader's NonZeroDifference). Keep one `last` per series.
 */
export class CrossTracker {
  last = 0;
  update(a: number, b: number): number {
    const s = diffSign(a, b);
    if (s === 0) return 0;
    const prev = this.last;
    this.last = s;
    if (prev === 0) return 0;
    return s !== prev ? s : 0;
  }
}

/** Vectorized CrossOver over whole arrays: out[i] = +1 / −1 / 0, same rule as CrossTracker. */
export function crossovers(a: Float64Array, b: Float64Array): Int8Array {
  const n = a.length;
  const out = new Int8Array(n);
  let last = 0;
  for (let i = 0; i < n; i++) {
    const s = diffSign(a[i], b[i]);
    if (s === 0) continue;
    if (last !== 0 && s !== last) out[i] = s;
    last = s;
  }
  return out;
}

/**
 * Move symbol `s` to a target direction (−1, 0, +1) the way every built-in single-symbol strategy does, so the
 * vectorized form (targets) and the event form (orders) agree: leave the current side if it differs (a market order
 * for the whole position), then, if the target is not flat and we are (or will be) flat, enter with the run's
 * sizer. Call only when the target CHANGES.
 */
export function goTo(ctx: StrategyContext, s: number, target: number): void {
  const p = ctx.position(s);
  if (p !== 0 && Math.sign(p) !== target) ctx.closePosition(s);
  if (target !== 0 && Math.sign(p) !== target) {
    if (target > 0) ctx.buy(s);
    else ctx.sell(s);
  }
}

/**
 * Targets from a crossover of two whole series: +1 on a cross above, `down` (0 or −1) on a cross below, NaN (no
 * action) elsewhere: the vectorized twin of calling `goTo` on each CrossTracker signal.
 */
export function crossTargets(a: Float64Array, b: Float64Array, down: number): Float64Array {
  const x = crossovers(a, b);
  const n = x.length;
  const out = new Float64Array(n).fill(NaN);
  for (let i = 0; i < n; i++) {
    const v = x[i];
    if (v > 0) out[i] = 1;
    else if (v < 0) out[i] = down;
  }
  return out;
}

/**
 * The state of a symbol moved to `next` (−1, 0, +1): orders only when it changes (`goTo` must not be repeated while
 * an order is pending). Returns the new state, so event forms write `st[s] = moveTo(c, s, st[s], next)`.
 */
export function moveTo(ctx: StrategyContext, s: number, state: number, next: number): number {
  if (next !== state) goTo(ctx, s, next);
  return next;
}
