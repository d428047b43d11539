/**
 * Slippage models from their CLI specs. A model moves the reference price against the trader: a buy pays more, a
 * sell receives less (a sell price is never below 0).
 *
 *   none           the reference price
 *   bps:N          ref × (1 ± N / 10,000)
 *   per_share:X    ref ± X
 *   spread:S       ref × (1 ± S / 2): half of a given fractional spread S (0.001 = 0.1 %)
 *   spread         ref × (1 ± Ŝ / 2), Ŝ the Corwin–Schultz high/low spread estimate of the previous 20 bars
 *   atr:F          ref ± F × ATR(14) of the bars up to i − 1 (Wilder / TA-Lib ATR)
 *   impact:K       ref × (1 ± K · σ · √(qty / ADV)): square-root market impact, σ the sample standard deviation
 *                  (ddof 1) of the previous 20 bars' close-to-close returns, ADV their mean volume
 *
 * Causality: estimates made at a fill on bar i use bars < i only (the fill bar's high, low, close and volume are not
 * known at its open). `prepare(series)` computes a causal column once per series (column[j] uses bars ≤ j) and a
 * fill on bar i reads column[i − 1].
 *
 * Warm-up: while an estimate does not exist yet (the first bars, missing data, zero volume) the model does not
 * invent one: the fill gets NO slippage and the model counts it in `warmupFills`, which the engine reports as a
 * warning. `warmupFills` counts fills answered without an estimate (the engines quote a resized buy again with
 * `count = false`, so each fill counts once); `resetWarmup()` sets it back to 0. Models without an
 * estimate (none, bps, per_share, spread:S) always report 0.
 */
import { specByName } from '../data/indicators/index.ts';
import { UsageError } from '../src/errors.ts';
import type { BarSeries, Side } from '../src/types.ts';
import type { BarRef, SlippageModel } from './types.ts';

/** Every slippage spec form, as the error messages and `--help` name them. */
export const SLIPPAGE_FORMS = 'none | bps:5 | per_share:0.01 | spread | spread:0.0005 | atr:0.1 | impact:0.1';

/** Bars in the window of the estimated spread, σ and ADV. */
export const SLIPPAGE_WINDOW = 20;
/** ATR period of `atr:F`. */
export const ATR_PERIOD = 14;

/** A slippage model that counts fills made without an estimate (warm-up); see the module comment. */
export interface CountingSlippageModel extends SlippageModel {
  /** fills (price() calls) that had no estimate yet and were given no slippage */
  readonly warmupFills: number;
  resetWarmup(): void;
}

/** The causal columns of `impact:K`: σ and ADV of the 20 bars ending at each index. */
export interface ImpactState {
  sigma: Float64Array;
  adv: Float64Array;
}

function bad(spec: string, why: string): UsageError {
  return new UsageError(`bad slippage model '${spec}': ${why}; accepted forms: ${SLIPPAGE_FORMS}`);
}

/** The number after `kind:` (0 ≤ x < upper), or a UsageError naming the accepted forms. */
function specNumber(spec: string, raw: string | undefined, what: string, upper = Infinity): number {
  if (raw === undefined || raw.trim() === '') throw bad(spec, `${what} is missing`);
  const x = Number(raw);
  if (!Number.isFinite(x) || x < 0 || !(x < upper)) throw bad(spec, `${what} must be a number ≥ 0${upper < Infinity ? ` and < ${upper}` : ''}, got '${raw}'`);
  return x;
}

/** ref moved against the trader by `amount` (≥ 0); a sell never goes below 0. */
function adverse(side: Side, ref: number, amount: number): number {
  if (side === 'buy') return ref + amount;
  const p = ref - amount;
  return p > 0 ? p : 0;
}

/**
 * Parse a slippage spec (case-insensitive, surrounding blanks ignored) into a model whose `spec` is canonical
 * (`BPS:5.0` → `bps:5`). Throws UsageError naming the accepted forms.
 */
export function parseSlippage(spec: string): CountingSlippageModel {
  const s = spec.trim().toLowerCase();
  const parts = s.split(':');
  const kind = parts[0];
  const a = parts[1];
  if (parts.length > 2) throw bad(spec, `'${kind}' takes at most one number`);
  const noArg = () => {
    if (a !== undefined) throw bad(spec, `'${kind}' takes no number`);
  };
  switch (kind) {
    case 'none':
      noArg();
      return fixedModel('none', (_side, ref) => ref);
    case 'bps': {
      const n = specNumber(spec, a, 'N (basis points)', 10_000);
      const f = n / 10_000;
      return fixedModel(`bps:${n}`, (side, ref) => adverse(side, ref, ref * f));
    }
    case 'per_share': {
      const x = specNumber(spec, a, 'X (amount per share)');
      return fixedModel(`per_share:${x}`, (side, ref) => adverse(side, ref, x));
    }
    case 'spread': {
      if (a === undefined) return spreadEstimateModel();
      const sp = specNumber(spec, a, 'S (fractional spread, 0.001 = 0.1 %)', 2);
      const half = sp / 2;
      return fixedModel(`spread:${sp}`, (side, ref) => adverse(side, ref, ref * half));
    }
    case 'atr':
      return atrModel(specNumber(spec, a, 'F (multiple of ATR)'));
    case 'impact':
      return impactModel(specNumber(spec, a, 'K (impact coefficient)'));
  }
  throw bad(spec, `unknown model '${kind}'`);
}

/** A model with no estimate: never in warm-up. */
function fixedModel(spec: string, f: (side: Side, ref: number) => number): CountingSlippageModel {
  return {
    spec,
    warmupFills: 0,
    resetWarmup() {},
    price: (side, _qty, ref) => f(side, ref),
  };
}

/** `spread`: half the Corwin–Schultz spread of the 20 bars before the fill bar. */
function spreadEstimateModel(): CountingSlippageModel {
  let warm = 0;
  return {
    spec: 'spread',
    get warmupFills() {
      return warm;
    },
    resetWarmup() {
      warm = 0;
    },
    prepare: (S: BarSeries) => corwinSchultzSpread(S, SLIPPAGE_WINDOW),
    price(side, _qty, ref, bar: BarRef, state, count = true) {
      const col = state as Float64Array | undefined;
      const j = bar.i - 1;
      const est = col !== undefined && j >= 0 && j < col.length ? col[j] : NaN;
      if (!(est >= 0)) {
        if (count) warm++;
        return ref;
      }
      return adverse(side, ref, (ref * est) / 2);
    },
  };
}

/** `atr:F`: F × ATR(14) at bar i − 1. */
function atrModel(f: number): CountingSlippageModel {
  let warm = 0;
  const atr = specByName('atr');
  if (!atr) throw new Error('slippage atr: the atr indicator is not registered');
  return {
    spec: `atr:${f}`,
    get warmupFills() {
      return warm;
    },
    resetWarmup() {
      warm = 0;
    },
    prepare: (S: BarSeries) => atr.batch(S, [ATR_PERIOD])[0],
    price(side, _qty, ref, bar: BarRef, state, count = true) {
      const col = state as Float64Array | undefined;
      const j = bar.i - 1;
      const a = col !== undefined && j >= 0 && j < col.length ? col[j] : NaN;
      if (!(a >= 0)) {
        if (count) warm++;
        return ref;
      }
      return adverse(side, ref, f * a);
    },
  };
}

/**
 * `impact:K`: the square-root law of market impact (e.g. Almgren, Thum, Hauptmann & Li 2005, "Direct Estimation of
 * Equity Market Impact"; Tóth et al. 2011): cost fraction = K · σ · √(qty / ADV). With σ and ADV measured per bar
 * (σ of bar returns, mean bar volume) the product σ/√ADV is independent of the bar length under random-walk scaling
 * (σ ∝ √T, volume ∝ T), so on daily bars these are the textbook daily σ and ADV and on other bars the same number.
 * A zero, missing or not yet available σ / ADV is a warm-up fill (no slippage, counted).
 */
function impactModel(k: number): CountingSlippageModel {
  let warm = 0;
  return {
    spec: `impact:${k}`,
    get warmupFills() {
      return warm;
    },
    resetWarmup() {
      warm = 0;
    },
    prepare: (S: BarSeries): ImpactState => sigmaAdv(S, SLIPPAGE_WINDOW),
    price(side, qty, ref, bar: BarRef, state, count = true) {
      const st = state as ImpactState | undefined;
      const j = bar.i - 1;
      const ok = st !== undefined && j >= 0 && j < st.adv.length;
      const sigma = ok ? st.sigma[j] : NaN;
      const adv = ok ? st.adv[j] : NaN;
      if (!(sigma >= 0 && adv > 0)) {
        if (count) warm++;
        return ref;
      }
      if (!(qty > 0)) return ref;
      return adverse(side, ref, ref * k * sigma * Math.sqrt(qty / adv));
    },
  };
}

/** 3 − 2√2, the constant of the Corwin–Schultz α. */
const CS_K = 3 - 2 * Math.SQRT2;

/**
 * The Corwin–Schultz two-bar spread estimate for bars (j − 1, j), or NaN when a price is missing or not > 0
 * (Corwin & Schultz 2012, "A Simple Way to Estimate Bid-Ask Spreads from Daily High and Low Prices", J. Finance
 * 67(2), eqs. 14, 18 and 19, with the paper's overnight adjustment):
 *
 *   if L₂ > C₁ the second bar's H₂, L₂ are lowered by L₂ − C₁; if H₂ < C₁ they are raised by C₁ − H₂ (a gap between
 *   the bars is not spread);
 *   β = ln(H₁/L₁)² + ln(H₂/L₂)²,  γ = ln(max(H₁,H₂) / min(L₁,L₂))²
 *   α = (√(2β) − √β) / (3 − 2√2) − √(γ / (3 − 2√2))
 *   S = 2(eᵅ − 1) / (1 + eᵅ), and 0 when negative (as the paper does before averaging).
 */
export function corwinSchultzPair(h1: number, l1: number, c1: number, h2: number, l2: number): number {
  if (!(h1 > 0 && l1 > 0 && h2 > 0 && l2 > 0 && c1 > 0 && h1 >= l1 && h2 >= l2)) return NaN;
  if (l2 > c1) {
    const d = l2 - c1;
    h2 -= d;
    l2 -= d;
  } else if (h2 < c1) {
    const d = c1 - h2;
    h2 += d;
    l2 += d;
  }
  const r1 = Math.log(h1 / l1);
  const r2 = Math.log(h2 / l2);
  const b = r1 * r1 + r2 * r2;
  const g0 = Math.log(Math.max(h1, h2) / Math.min(l1, l2));
  const g = g0 * g0;
  const alpha = (Math.sqrt(2 * b) - Math.sqrt(b)) / CS_K - Math.sqrt(g / CS_K);
  const e = Math.exp(alpha);
  const sp = (2 * (e - 1)) / (1 + e);
  return sp > 0 ? sp : 0;
}

/**
 * Rolling Corwin–Schultz spread: out[j] = mean of the n − 1 two-bar estimates of the n bars j − n + 1 … j (pairs
 * (k − 1, k) for k = j − n + 2 … j), NaN unless all of them exist. Causal: out[j] uses bars ≤ j; a fill on bar i
 * reads out[i − 1], i.e. the 20 bars i − 20 … i − 1.
 */
export function corwinSchultzSpread(S: BarSeries, n: number): Float64Array {
  const len = S.ts.length;
  const out = new Float64Array(len).fill(NaN);
  const m = n - 1; // pairs in the window
  if (m < 1) return out;
  const pair = new Float64Array(len).fill(NaN);
  for (let j = 1; j < len; j++) pair[j] = corwinSchultzPair(S.high[j - 1], S.low[j - 1], S.close[j - 1], S.high[j], S.low[j]);
  for (let j = m; j < len; j++) {
    let sum = 0;
    let k = j - m + 1;
    for (; k <= j; k++) {
      const x = pair[k];
      if (x !== x) break;
      sum += x;
    }
    if (k > j) out[j] = sum / m;
  }
  return out;
}

/**
 * σ and ADV columns for the impact model: sigma[j] = sample standard deviation (ddof 1) of the n simple returns
 * close[k] / close[k − 1] − 1, k = j − n + 1 … j; adv[j] = mean volume of bars j − n + 1 … j. NaN when any input is
 * missing or there are not enough bars. Causal: a fill on bar i reads index i − 1.
 */
export function sigmaAdv(S: BarSeries, n: number): ImpactState {
  const len = S.ts.length;
  const sigma = new Float64Array(len).fill(NaN);
  const adv = new Float64Array(len).fill(NaN);
  const c = S.close;
  const v = S.volume;
  for (let j = n - 1; j < len; j++) {
    let vs = 0;
    for (let k = j - n + 1; k <= j; k++) vs += v[k];
    if (vs === vs) adv[j] = vs / n;
    if (j < n || n < 2) continue;
    let mean = 0;
    for (let k = j - n + 1; k <= j; k++) mean += c[k] / c[k - 1] - 1;
    if (!Number.isFinite(mean)) continue;
    mean /= n;
    let ss = 0;
    for (let k = j - n + 1; k <= j; k++) {
      const d = c[k] / c[k - 1] - 1 - mean;
      ss += d * d;
    }
    sigma[j] = Math.sqrt(ss / (n - 1));
  }
  return { sigma, adv };
}
