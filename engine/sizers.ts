/**
 * Position sizers from their CLI specs. A sizer gives the quantity (≥ 0) of an order in the direction the strategy
 * chose, at fill time, from the fill price before slippage. "Cost" below is price × q + the commission model's exact
 * fee for an order of q (a fresh order: no earlier fills); a buy NEVER costs more than the cash.
 *
 *   fixed:N     N shares. Fixed is fixed, except that a buy the cash cannot pay shrinks to the largest affordable
 *               quantity ≤ N (never more). Sells are N regardless of cash (the engine's margin check applies).
 *               With whole shares (`integer`), N is floored.
 *   percent:P   0 < P ≤ 100. Opening or adding: the largest q whose cost fits in P % of equity (and, for a buy, in the
 *               cash). An order AGAINST the current position (a sell while long, a buy while short) closes it:
 *               |position| (a buy capped by the cash), as backtrader's PercentSizer does.
 *   all_in      backtrader's AllInSizer: the largest q whose cost fits in the cash — start at
 *               floor(cash / (price × (1 + commission rate))), then check the exact fee (down, and up when the rate
 *               overestimated) — for a buy, and for a sell that opens (or adds to) a short; against a position it
 *               closes it (|position|, a buy capped by the cash).
 *   weight:W    target W × equity / price shares (W a signed fraction of equity, |W| ≤ 100): |target − position| in
 *               the order's direction, 0 if the target is met or lies the other way; a buy capped by the cash.
 *   kelly:F[:MAX] fractional Kelly from the run's own closed trades so far (net of commission): f = F × (p − (1 − p)/b)
 *               with p the win rate and b the payoff ratio (mean win / mean loss), capped at MAX (default 1) and
 *               never below 0; until 20 trades have closed, f = F × MAX (a warm-up). Then as percent with f × 100.
 *               F defaults to 0.5 (half Kelly).
 *   voltarget:V[:N|:atr] a position whose annualised volatility is V (a fraction, e.g. 0.15): value = equity × V /
 *               σ, σ the realised volatility of the symbol's last N simple returns before the fill bar (sample sd,
 *               ddof 1; N = 20 by default) or, with `atr`, ATR(14) / close of the bar before × √P; P per year from the
 *               bar spacing (engine/metrics.ts periodsPerYear). Capped at the equity (no leverage) and, for a buy, at
 *               the cash; 0 while there are fewer than N + 1 bars (or no ATR) before the fill bar.
 *
 * `integer: false` allows fractional quantities (no flooring; still never overdraws). Bad input (price ≤ 0, no
 * cash for a buy) gives 0.
 */
import { specByName } from '../data/indicators/index.ts';
import { UsageError } from '../src/errors.ts';
import type { BarSeries } from '../src/types.ts';
import { periodsPerYear } from './metrics.ts';
import { kellyFraction } from './risk/sizing.ts';
import type { FeeInput, Sizer, SizerInput } from './types.ts';

/** Every sizer spec form, as the error messages and `--help` name them. */
export const SIZER_FORMS = 'fixed:100 | percent:95 | all_in | weight:0.5 | kelly:0.5[:1] | voltarget:0.15[:20|:atr]';

/** One reused fee quote (sizers run on every sized entry; fee() must not keep its argument). */
const quote: FeeInput = { side: 'buy', qty: 0, price: 0, orderFilledBefore: 0, orderFeeBefore: 0, orderValueBefore: 0, ts: 0 };

/** price × q + the exact commission of a fresh order of q at s.price (0 for q = 0). */
export function orderCost(q: number, s: SizerInput): number {
  if (!(q > 0)) return 0;
  quote.side = s.side;
  quote.qty = q;
  quote.price = s.price;
  quote.ts = s.ts;
  return q * s.price + s.commission.fee(quote);
}

/**
 * The largest quantity q ≤ cap whose cost price × q + fee(q) is ≤ `budget`: whole units unless `s.integer` is
 * false. The first guess floor(budget / (price × (1 + rate))) is usually exact (two fee quotes); minimums, caps,
 * per-order fees and tiers can make it off, and then a search settles it. Relies on the cost being increasing in q,
 * which holds for every commission model (fees are non-decreasing in q).
 */
export function affordable(budget: number, s: SizerInput, cap = Infinity): number {
  const p = s.price;
  if (!(budget > 0 && p > 0 && cap > 0)) return 0;
  const hiReal = Math.min(cap, budget / p); // fees ≥ 0: never more than this
  const r0 = s.commission.rate(hiReal >= 1 ? Math.floor(hiReal) : hiReal, p, s.side);
  const r = r0 > 0 && Number.isFinite(r0) ? r0 : 0;
  if (s.integer !== false) {
    let hi = Math.floor(Math.min(hiReal, Number.MAX_SAFE_INTEGER));
    // budget / price can round just below a whole number whose cost, rounded, equals the budget exactly
    if (hi + 1 <= cap && orderCost(hi + 1, s) <= budget) hi++;
    if (hi < 1) return 0;
    let q = Math.min(hi, Math.floor(budget / (p * (1 + r))));
    let lo: number; // affordable
    let up: number; // not affordable (hi + 1 is treated as such)
    if (orderCost(q, s) <= budget) {
      if (q === hi || orderCost(q + 1, s) > budget) return q;
      lo = q + 1;
      up = hi + 1;
    } else {
      // the usual case of an off guess is one or two units too many: step down a little first
      for (let k = 0; k < 3 && q > 0; k++) {
        q--;
        if (orderCost(q, s) <= budget) return q;
      }
      lo = 0;
      up = q;
    }
    while (up - lo > 1) {
      const mid = lo + Math.floor((up - lo) / 2);
      if (orderCost(mid, s) <= budget) lo = mid;
      else up = mid;
    }
    return lo;
  }
  // fractional quantities: the supremum from below, to ~1e-13 relative
  if (orderCost(hiReal, s) <= budget) return hiReal;
  let g = Math.min(hiReal, budget / (p * (1 + r)));
  let lo = 0;
  let up = hiReal;
  for (let k = 0; k < 4 && g > 0; k++) {
    const c = orderCost(g, s);
    if (c <= budget) {
      lo = g;
      break;
    }
    if (g < up) up = g;
    g *= (budget / c) * (1 - 4e-16 * (k + 1));
  }
  for (let k = 0; k < 200 && up - lo > 1e-13 * up; k++) {
    const mid = lo + (up - lo) / 2;
    if (orderCost(mid, s) <= budget) lo = mid;
    else up = mid;
  }
  return lo;
}

/** Whole units when asked (with a tolerance of 1e-9 for 499.9999999 that is 500 in exact arithmetic). */
function whole(q: number, s: SizerInput): number {
  return s.integer !== false ? Math.floor(q + 1e-9) : q;
}

/** |position| when the order goes against it (sell while long, buy while short), else 0. */
function against(s: SizerInput): number {
  const p = s.position;
  if (s.side === 'sell' && p > 0) return p;
  if (s.side === 'buy' && p < 0) return -p;
  return 0;
}

function bad(spec: string, why: string): UsageError {
  return new UsageError(`bad sizer '${spec}': ${why}; accepted forms: ${SIZER_FORMS}`);
}

function specNumber(spec: string, raw: string | undefined, what: string): number {
  if (raw === undefined || raw.trim() === '') throw bad(spec, `${what} is missing`);
  const x = Number(raw);
  if (!Number.isFinite(x)) throw bad(spec, `${what} must be a number, got '${raw}'`);
  return x;
}

/**
 * Parse a sizer spec (case-insensitive, surrounding blanks ignored) into a sizer whose `spec` is canonical.
 * Throws UsageError naming the accepted forms.
 */
export function parseSizer(spec: string): Sizer {
  const s = spec.trim().toLowerCase();
  const parts = s.split(':');
  const kind = parts[0];
  const a = parts[1];
  const most = kind === 'all_in' ? 1 : kind === 'kelly' || kind === 'voltarget' ? 3 : 2;
  if (parts.length > most) throw bad(spec, kind === 'all_in' ? `'all_in' takes no number` : `'${kind}' takes ${most === 3 ? 'at most two values' : 'one number'}`);
  switch (kind) {
    case 'fixed': {
      const n = specNumber(spec, a, 'N (shares)');
      if (!(n > 0)) throw bad(spec, `N must be > 0, got ${n}`);
      return {
        spec: `fixed:${n}`,
        qty(x) {
          const q = whole(n, x);
          return x.side === 'buy' ? affordable(x.cash, x, q) : q;
        },
      };
    }
    case 'percent': {
      const p = specNumber(spec, a, 'P (percent of equity)');
      if (!(p > 0 && p <= 100)) throw bad(spec, `percent sizer takes 0 < P ≤ 100, got ${p}`);
      const f = p / 100;
      return {
        spec: `percent:${p}`,
        qty(x) {
          const close = against(x);
          if (close > 0) return x.side === 'buy' ? affordable(x.cash, x, close) : close;
          const budget = f * x.equity;
          return affordable(x.side === 'buy' ? Math.min(budget, x.cash) : budget, x);
        },
      };
    }
    case 'all_in':
      return {
        spec: 'all_in',
        qty(x) {
          const close = against(x);
          if (close > 0) return x.side === 'buy' ? affordable(x.cash, x, close) : close;
          return affordable(x.cash, x);
        },
      };
    case 'weight': {
      const w = specNumber(spec, a, 'W (fraction of equity)');
      if (Math.abs(w) > 100) throw bad(spec, `W is a fraction of equity (0.5 = 50 %, negative = short), |W| ≤ 100, got ${w}`);
      return {
        spec: `weight:${w}`,
        qty(x) {
          if (!(x.price > 0) || !Number.isFinite(x.equity)) return 0;
          const target = (w * x.equity) / x.price;
          const d = whole(x.side === 'buy' ? target - x.position : x.position - target, x);
          if (!(d > 0)) return 0;
          return x.side === 'buy' ? affordable(x.cash, x, d) : d;
        },
      };
    }
    case 'kelly': {
      const F = a === undefined || a === '' ? 0.5 : specNumber(spec, a, 'F (Kelly fraction)');
      const max = parts[2] === undefined ? 1 : specNumber(spec, parts[2], 'MAX (cap)');
      if (!(F > 0 && F <= 1)) throw bad(spec, `F is a fraction of full Kelly, 0 < F ≤ 1, got ${F}`);
      if (!(max > 0 && max <= 1)) throw bad(spec, `MAX is a fraction of equity, 0 < MAX ≤ 1, got ${max}`);
      return {
        spec: `kelly:${F}:${max}`,
        qty(x) {
          const close = against(x);
          if (close > 0) return x.side === 'buy' ? affordable(x.cash, x, close) : close;
          const f = kellyOf(x, F, max);
          if (!(f > 0)) return 0;
          const budget = f * x.equity;
          return affordable(x.side === 'buy' ? Math.min(budget, x.cash) : budget, x);
        },
      };
    }
    case 'voltarget': {
      const v = specNumber(spec, a, 'V (target annual volatility)');
      if (!(v > 0 && v <= 5)) throw bad(spec, `V is an annual volatility as a fraction (0.15 = 15%), got ${v}`);
      const useAtr = parts[2] === 'atr';
      const n = useAtr || parts[2] === undefined ? 20 : specNumber(spec, parts[2], 'N (returns)');
      if (!useAtr && !(Number.isInteger(n) && n >= 2)) throw bad(spec, `N is a whole number of returns ≥ 2, got ${parts[2]}`);
      const atrOf = new WeakMap<BarSeries, Float64Array>();
      const perYear = new WeakMap<BarSeries, number>();
      return {
        spec: `voltarget:${v}${useAtr ? ':atr' : n !== 20 ? `:${n}` : ''}`,
        qty(x) {
          const close = against(x);
          if (close > 0) return x.side === 'buy' ? affordable(x.cash, x, close) : close;
          const b = x.bar;
          if (!b) return 0;
          const S = b.series;
          let P = perYear.get(S);
          if (P === undefined) perYear.set(S, (P = periodsPerYear(S.ts)));
          let sigma: number;
          if (useAtr) {
            let atr = atrOf.get(S);
            if (!atr) atrOf.set(S, (atr = specByName('atr')!.batch(S, [14])[0]));
            const c = S.close[b.i - 1];
            sigma = b.i >= 1 && c > 0 ? (atr[b.i - 1] / c) * Math.sqrt(P) : NaN;
          } else sigma = realisedVol(S.close, b.i, n) * Math.sqrt(P);
          if (!(sigma > 0)) return 0;
          const value = Math.min(x.equity, (x.equity * v) / sigma);
          return affordable(x.side === 'buy' ? Math.min(value, x.cash) : value, x);
        },
      };
    }
  }
  throw bad(spec, `unknown sizer '${kind}'`);
}

/** Kelly fraction for the sizer: the closed trades' win rate and payoff ratio, F × f*, capped; F × MAX before 20 trades. */
function kellyOf(x: SizerInput, F: number, max: number): number {
  const st = x.closed?.();
  if (!st || st.n < KELLY_MIN_TRADES) return F * max;
  const losses = st.n - st.wins;
  if (st.wins === 0) return 0;
  if (losses === 0 || !(st.grossLoss > 0)) return max;
  const b = st.grossWin / st.wins / (st.grossLoss / losses);
  return kellyFraction(st.wins / st.n, b, { fraction: F, max });
}

/** closed trades a Kelly sizer needs before it trusts their statistics */
export const KELLY_MIN_TRADES = 20;

/** sample sd (ddof 1) of the last n simple returns of close before bar i (returns i−n … i−1), NaN if too few */
function realisedVol(close: Float64Array, i: number, n: number): number {
  if (i - n - 1 < 0) return NaN;
  let s = 0;
  let s2 = 0;
  let k = 0;
  for (let j = i - n; j < i; j++) {
    const r = close[j] / close[j - 1] - 1;
    if (!(r === r)) continue;
    s += r;
    s2 += r * r;
    k++;
  }
  if (k < 2) return NaN;
  const m = s / k;
  return Math.sqrt(Math.max(0, (s2 - k * m * m) / (k - 1)));
}
