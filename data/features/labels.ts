/**
 * Supervised-learning labels. These look at FUTURE bars (t+1..t+horizon), so they are not IndicatorSpecs and must
 * never be used as model inputs; `end[t]` (the last bar the label at t used) is what purged / embargoed
 * cross-validation needs to drop training rows whose label overlaps the test period.
 *
 * Conventions:
 *  - logs are natural; returns are log returns;
 *  - a label is NaN when it cannot be computed: the last `horizon` bars (their future is not in the series), or a
 *    missing (NaN / ±Infinity) or non-positive price it needs;
 *  - end[t] = -1 wherever values[t] is NaN, else the index of the last bar the label read (≤ t + horizon).
 */
import { rollingStd } from '../indicators/kernels.ts';

export interface Label {
  name: string;
  values: Float64Array;
  /** how many bars ahead the label at t looks (t+1..t+horizon) */
  horizon: number;
  /** per bar: last index the label used (for purging) */
  end: Int32Array;
}

function checkInt(what: string, v: number, min: number): void {
  if (!Number.isInteger(v) || v < min) throw new RangeError(`${what} must be an integer >= ${min}, got ${v}`);
}

function checkNonNeg(what: string, v: number): void {
  if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) throw new RangeError(`${what} must be a finite number >= 0, got ${v}`);
}

/** ln(c_{t+h} / c_t), name fwd_ret_{h}; NaN for the last h bars and where either close is missing or ≤ 0. end[t] = t+h. */
export function forwardReturn(close: Float64Array, h: number): Label {
  checkInt('forwardReturn: h', h, 1);
  const n = close.length;
  const values = new Float64Array(n).fill(NaN);
  const end = new Int32Array(n).fill(-1);
  for (let t = 0; t + h < n; t++) {
    const r = Math.log(close[t + h] / close[t]);
    if (r - r === 0) {
      values[t] = r;
      end[t] = t + h;
    }
  }
  return { name: `fwd_ret_${h}`, values, horizon: h, end };
}

/**
 * Sign of the h-bar forward log return with a dead zone: +1 if r > deadZone, -1 if r < -deadZone, 0 if |r| ≤ deadZone
 * (deadZone in log-return units, ≥ 0). Name dir_{h}_{deadZone}; NaN where forwardReturn is NaN.
 */
export function direction(close: Float64Array, h: number, deadZone: number): Label {
  checkNonNeg('direction: deadZone', deadZone);
  const f = forwardReturn(close, h);
  const v = f.values;
  for (let t = 0; t < v.length; t++) {
    const r = v[t];
    if (r === r) v[t] = r > deadZone ? 1 : r < -deadZone ? -1 : 0;
  }
  return { name: `dir_${h}_${deadZone}`, values: v, horizon: h, end: f.end };
}

export interface TripleBarrierOptions {
  /** profit-take multiple of σ_t (upper barrier close_t·(1 + pt·σ_t)); 0 disables the upper barrier */
  pt: number;
  /** stop-loss multiple of σ_t (lower barrier close_t·(1 - sl·σ_t)); 0 disables the lower barrier */
  sl: number;
  /** vertical barrier: bars ahead (t+1..t+horizon) */
  horizon: number;
  /** window (bars) of the rolling std of 1-bar log returns that gives σ_t */
  volWindow: number;
}

/**
 * López de Prado's triple-barrier label.
 *
 * σ_t = rolling sample std (ddof 1, kernels.ts rollingStd) of the last volWindow 1-bar log returns ln(c_i/c_{i-1}),
 * i ≤ t: known at the close of bar t. Barriers: upper U = c_t·(1 + pt·σ_t), lower L = c_t·(1 - sl·σ_t). Scanning
 * j = t+1 … t+horizon:
 *   - low_j ≤ L → -1 (stop-loss), end = j; this is checked first, so a bar that touches BOTH barriers gives -1
 *     (conservative: with only OHLC we cannot tell which came first, and we assume the adverse one did);
 *   - else high_j ≥ U → +1 (profit-take), end = j;
 *   - no touch by t+horizon → 0 (vertical barrier), end = t+horizon.
 * NaN (end -1) for the last `horizon` bars (the vertical barrier is beyond the data, even if a horizontal barrier was
 * touched earlier: the same rows are labelled whatever the path), while σ_t is NaN (warm-up: t < volWindow, or a
 * missing close in its window), when c_t is missing, and when a bar scanned before the decision has a missing high
 * or low (whether it touched is unknown). pt = 0 / sl = 0 disable that barrier (López de Prado's convention).
 * Name tb_{pt}_{sl}_{horizon}. O(n·horizon) worst case.
 */
export function tripleBarrier(bars: { high: Float64Array; low: Float64Array; close: Float64Array }, opts: TripleBarrierOptions): Label {
  const { high, low, close } = bars;
  const { pt, sl, horizon, volWindow } = opts;
  checkNonNeg('tripleBarrier: pt', pt);
  checkNonNeg('tripleBarrier: sl', sl);
  checkInt('tripleBarrier: horizon', horizon, 1);
  checkInt('tripleBarrier: volWindow', volWindow, 2);
  const n = close.length;
  if (high.length !== n || low.length !== n) throw new RangeError(`tripleBarrier: high/low/close differ in length (${high.length}, ${low.length}, ${n})`);
  const ret = new Float64Array(n);
  if (n > 0) ret[0] = NaN;
  for (let i = 1; i < n; i++) ret[i] = Math.log(close[i] / close[i - 1]);
  const sigma = rollingStd(ret, volWindow, 1);
  const values = new Float64Array(n).fill(NaN);
  const end = new Int32Array(n).fill(-1);
  const usePt = pt > 0;
  const useSl = sl > 0;
  for (let t = 0; t + horizon < n; t++) {
    const c = close[t];
    const s = sigma[t];
    if (c - c !== 0 || s !== s || !(c > 0)) continue;
    const up = c * (1 + pt * s);
    const dn = c * (1 - sl * s);
    let label = 0;
    let at = t + horizon;
    let unknown = false;
    for (let j = t + 1; j <= t + horizon; j++) {
      const h = high[j];
      const l = low[j];
      if (h - h !== 0 || l - l !== 0) {
        unknown = true;
        break;
      }
      if (useSl && l <= dn) {
        label = -1;
        at = j;
        break;
      }
      if (usePt && h >= up) {
        label = 1;
        at = j;
        break;
      }
    }
    if (unknown) continue;
    values[t] = label;
    end[t] = at;
  }
  return { name: `tb_${pt}_${sl}_${horizon}`, values, horizon, end };
}
