/**
 * Volatility indicators: TA-Lib's TRANGE, ATR, NATR, and ours: close-to-close, range-based (Parkinson, Garman-Klass,
 * Rogers-Satchell, Yang-Zhang) estimators and the Ulcer index.
 *
 * The volatility estimators are per-bar (not annualised): multiply by sqrt(bars per year) to annualise.
 * Logs are natural. Missing values follow kernels.ts: a bar with a missing read field is missing; windowed
 * quantities are NaN while a missing bar is in their window; ATR (recursive) skips missing bars. A return or true
 * range that needs the previous close is NaN on the bar after a missing one.
 */
import {
  RollingMax,
  RollingMean,
  RollingVar,
  TrueRange,
  Wilder,
  atrOf,
  batchScopeActive,
  makeSpec,
  nanArray,
  periodParam,
  rollingMax,
  rollingMean,
  rollingVar,
  sharedRetStd,
  tmpCol,
  trueRange,
  trueRangeColOf,
  wilder,
} from './kernels.ts';
import type { IndicatorSpec } from './types.ts';

const LN2 = Math.log(2);
/** Parkinson's constant 1/(4 ln 2). */
const PARKINSON_K = 1 / (4 * LN2);
/** Garman-Klass's 2 ln 2 - 1. */
const GK_K = 2 * LN2 - 1;

/** sqrt of a non-negative average that rounding may have pushed a hair below zero. */
function sqrt0(v: number): number {
  return Math.sqrt(v < 0 ? 0 : v);
}

export const TRANGE: IndicatorSpec = makeSpec({
  name: 'trange',
  description: 'True range: max(high, previous close) - min(low, previous close)',
  group: 'volatility',
  inputs: ['high', 'low', 'close'],
  params: [],
  outputs: ['trange'],
  lookback: () => 1,
  batch: (x) => [batchScopeActive() ? new Float64Array(trueRangeColOf(x.high, x.low, x.close, 0)) : trueRange(x.high, x.low, x.close)],
  step: (_q, out) => {
    const tr = new TrueRange();
    return (_o, h, l, c) => {
      out[0] = tr.update(h, l, c);
    };
  },
});

export const ATR: IndicatorSpec = makeSpec({
  name: 'atr',
  description: "Average true range, Wilder's smoothing (first value = mean of the first n true ranges)",
  group: 'volatility',
  inputs: ['high', 'low', 'close'],
  params: [periodParam('timeperiod', 14, 1)],
  outputs: ['atr'],
  lookback: ([n]) => n,
  batch: (x, [n]) => {
    const len = x.high.length;
    if (batchScopeActive()) return [new Float64Array(atrOf(x.high, x.low, x.close, n, 0))]; // shared with natr, keltner, supertrend
    return [wilder(trueRange(x.high, x.low, x.close, tmpCol(0, len)), n, new Float64Array(len))];
  },
  step: ([n], out) => {
    const tr = new TrueRange();
    const w = new Wilder(n);
    return (_o, h, l, c) => {
      out[0] = w.update(tr.update(h, l, c));
    };
  },
});

/** TA-Lib's NATR: (ATR / close)·100, and 0 when |close| < 1e-8 (TA_IS_ZERO). */
function natrOf(atr: number, c: number): number {
  if (atr !== atr) return NaN;
  return c > -0.00000001 && c < 0.00000001 ? 0.0 : (atr / c) * 100.0;
}

export const NATR: IndicatorSpec = makeSpec({
  name: 'natr',
  description: 'Normalized ATR: 100·ATR/close',
  group: 'volatility',
  inputs: ['high', 'low', 'close'],
  params: [periodParam('timeperiod', 14, 1)],
  outputs: ['natr'],
  lookback: ([n]) => n,
  batch: (x, [n]) => {
    const len = x.high.length;
    const atr = atrOf(x.high, x.low, x.close, n, 0); // read only (shared with atr in a batch scope)
    const c = x.close;
    const out = new Float64Array(len);
    for (let i = 0; i < len; i++) out[i] = natrOf(atr[i], c[i]);
    return [out];
  },
  step: ([n], out) => {
    const tr = new TrueRange();
    const w = new Wilder(n);
    return (_o, h, l, c) => {
      out[0] = natrOf(w.update(tr.update(h, l, c)), c);
    };
  },
});

export const VOL_CC: IndicatorSpec = makeSpec({
  name: 'vol_cc',
  description: 'Close-to-close volatility: sample std (ddof 1) of the last n log returns ln(c/c[-1])',
  group: 'volatility',
  inputs: ['close'],
  params: [periodParam('timeperiod', 20)],
  outputs: ['vol_cc'],
  lookback: ([n]) => n,
  note: 'Not in TA-Lib. Per bar, not annualised (multiply by sqrt(bars per year)). Mean return not assumed zero (ddof 1 around the window mean).',
  batch: (x, [n]) => {
    // rollingVar treats ±Infinity as missing, like NaN: so this is ret_std's column exactly (shared in a batch scope)
    return [new Float64Array(sharedRetStd(x.close, n))];
  },
  step: ([n], out) => {
    const v = new RollingVar(n, 1);
    let pc = NaN;
    return (_o, _h, _l, c) => {
      const r = Math.log(c / pc);
      pc = c;
      out[0] = Math.sqrt(v.update(r));
    };
  },
});

/**
 * Range-based estimators: a per-bar variance estimate v_i is averaged over the last n bars (rolling mean) and the
 * volatility is sqrt(mean) — per bar, not annualised:
 *   Parkinson (1980):        v_i = ln(H/L)² / (4 ln 2)
 *   Garman-Klass (1980):     v_i = ½·ln(H/L)² - (2 ln 2 - 1)·ln(C/O)²
 *   Rogers-Satchell (1991):  v_i = ln(H/C)·ln(H/O) + ln(L/C)·ln(L/O)
 * Each is ≥ 0 for a valid bar (L ≤ O, C ≤ H).
 */
function parkinsonTerm(_o: number, h: number, l: number, _c: number): number {
  const u = Math.log(h / l);
  return u * u * PARKINSON_K;
}
function gkTerm(o: number, h: number, l: number, c: number): number {
  const u = Math.log(h / l);
  const d = Math.log(c / o);
  return 0.5 * u * u - GK_K * d * d;
}
function rsTerm(o: number, h: number, l: number, c: number): number {
  return Math.log(h / c) * Math.log(h / o) + Math.log(l / c) * Math.log(l / o);
}

type BarTerm = (o: number, h: number, l: number, c: number) => number;
/** The per-bar term over whole columns (a dedicated loop per estimator: no per-bar call through a function value). */
type TermCol = (o: Float64Array, h: Float64Array, l: Float64Array, c: Float64Array, t: Float64Array, len: number) => void;

function parkinsonCol(_o: Float64Array, h: Float64Array, l: Float64Array, _c: Float64Array, t: Float64Array, len: number): void {
  for (let i = 0; i < len; i++) {
    const u = Math.log(h[i] / l[i]);
    t[i] = u * u * PARKINSON_K;
  }
}
function gkCol(o: Float64Array, h: Float64Array, l: Float64Array, c: Float64Array, t: Float64Array, len: number): void {
  for (let i = 0; i < len; i++) {
    const u = Math.log(h[i] / l[i]);
    const d = Math.log(c[i] / o[i]);
    t[i] = 0.5 * u * u - GK_K * d * d;
  }
}
function rsCol(o: Float64Array, h: Float64Array, l: Float64Array, c: Float64Array, t: Float64Array, len: number): void {
  for (let i = 0; i < len; i++) {
    const hi = h[i];
    const lo = l[i];
    const cl = c[i];
    const op = o[i];
    t[i] = Math.log(hi / cl) * Math.log(hi / op) + Math.log(lo / cl) * Math.log(lo / op);
  }
}

function rangeEstimator(name: string, description: string, inputs: IndicatorSpec['inputs'], term: BarTerm, termCol: TermCol, formula: string): IndicatorSpec {
  return makeSpec({
    name,
    description,
    group: 'volatility',
    inputs,
    params: [periodParam('timeperiod', 20, 1)],
    outputs: [name],
    lookback: ([n]) => n - 1,
    note: `Not in TA-Lib. sqrt(mean over n bars of ${formula}); per bar, not annualised (multiply by sqrt(bars per year)).`,
    batch: (x, [n]) => {
      const { open, high, low, close } = x;
      const len = high.length;
      const t = tmpCol(0, len);
      termCol(open, high, low, close, t, len);
      const m = rollingMean(t, n, new Float64Array(len));
      for (let i = 0; i < len; i++) m[i] = sqrt0(m[i]);
      return [m];
    },
    step: ([n], out) => {
      const m = new RollingMean(n);
      return (o, h, l, c) => {
        out[0] = sqrt0(m.update(term(o, h, l, c)));
      };
    },
  });
}

export const VOL_PARKINSON: IndicatorSpec = rangeEstimator(
  'vol_parkinson',
  'Parkinson high-low volatility estimator over n bars',
  ['high', 'low'],
  parkinsonTerm,
  parkinsonCol,
  'ln(H/L)²/(4 ln 2)',
);

export const VOL_GK: IndicatorSpec = rangeEstimator(
  'vol_gk',
  'Garman-Klass OHLC volatility estimator over n bars',
  ['open', 'high', 'low', 'close'],
  gkTerm,
  gkCol,
  '½ ln(H/L)² - (2 ln 2 - 1) ln(C/O)²',
);

export const VOL_RS: IndicatorSpec = rangeEstimator(
  'vol_rs',
  'Rogers-Satchell drift-independent OHLC volatility estimator over n bars',
  ['open', 'high', 'low', 'close'],
  rsTerm,
  rsCol,
  'ln(H/C) ln(H/O) + ln(L/C) ln(L/O)',
);

/** Yang-Zhang's weight k = 0.34 / (1.34 + (n+1)/(n-1)). */
export function yangZhangK(n: number): number {
  return 0.34 / (1.34 + (n + 1) / (n - 1));
}

/**
 * Yang-Zhang (2000): σ² = σ_o² + k·σ_c² + (1-k)·σ_rs² over the last n bars, where σ_o² is the sample variance
 * (ddof 1) of overnight returns ln(O/C[-1]), σ_c² the sample variance of open-to-close returns ln(C/O), σ_rs² the
 * mean Rogers-Satchell term, k = 0.34/(1.34 + (n+1)/(n-1)); volatility = sqrt(σ²), per bar, not annualised.
 */
export const VOL_YZ: IndicatorSpec = makeSpec({
  name: 'vol_yz',
  description: 'Yang-Zhang OHLC volatility estimator over n bars (overnight + open-close + Rogers-Satchell)',
  group: 'volatility',
  inputs: ['open', 'high', 'low', 'close'],
  params: [periodParam('timeperiod', 20)],
  outputs: ['vol_yz'],
  lookback: ([n]) => n,
  note: 'Not in TA-Lib. sqrt(var(ln O/C[-1]) + k·var(ln C/O) + (1-k)·mean(RS)) over n bars, sample variances (ddof 1), k = 0.34/(1.34+(n+1)/(n-1)); per bar, not annualised.',
  batch: (x, [n]) => {
    const { open, high, low, close } = x;
    const len = close.length;
    const k = yangZhangK(n);
    const ro = tmpCol(0, len);
    const rc = tmpCol(1, len);
    const rs = tmpCol(2, len);
    if (len > 0) ro[0] = NaN;
    for (let i = 1; i < len; i++) ro[i] = Math.log(open[i] / close[i - 1]);
    for (let i = 0; i < len; i++) rc[i] = Math.log(close[i] / open[i]);
    rsCol(open, high, low, close, rs, len);
    const vo = rollingVar(ro, n, 1, tmpCol(3, len));
    const vc = rollingVar(rc, n, 1, tmpCol(4, len));
    const mrs = rollingMean(rs, n, tmpCol(5, len));
    const out = new Float64Array(len);
    const k1 = 1 - k;
    for (let i = 0; i < len; i++) out[i] = sqrt0(vo[i] + k * vc[i] + k1 * mrs[i]);
    return [out];
  },
  step: ([n], out) => {
    const k = yangZhangK(n);
    const vo = new RollingVar(n, 1);
    const vc = new RollingVar(n, 1);
    const mrs = new RollingMean(n);
    let pc = NaN;
    return (o, h, l, c) => {
      const a = vo.update(Math.log(o / pc));
      pc = c;
      const b = vc.update(Math.log(c / o));
      const m = mrs.update(rsTerm(o, h, l, c));
      out[0] = sqrt0(a + k * b + (1 - k) * m);
    };
  },
});

export const ULCER: IndicatorSpec = makeSpec({
  name: 'ulcer',
  description: 'Ulcer index: root mean square over n bars of the % drawdown of close from its n-bar high',
  group: 'volatility',
  inputs: ['close'],
  params: [periodParam('timeperiod', 14, 1)],
  outputs: ['ulcer'],
  lookback: ([n]) => 2 * (n - 1),
  note: "Not in TA-Lib. Martin's definition: D = 100·(close - max close over n)/max close, ulcer = sqrt(mean of D² over n); two n-bar windows, hence lookback 2(n-1).",
  batch: (x, [n]) => {
    const c = x.close;
    const len = c.length;
    const d2 = rollingMax(c, n, tmpCol(0, len));
    for (let i = 0; i < len; i++) {
      const m = d2[i];
      const d = (100 * (c[i] - m)) / m;
      d2[i] = d * d;
    }
    const u = rollingMean(d2, n, new Float64Array(len));
    for (let i = 0; i < len; i++) u[i] = sqrt0(u[i]);
    return [u];
  },
  step: ([n], out) => {
    const mx = new RollingMax(n);
    const mean = new RollingMean(n);
    return (_o, _h, _l, c) => {
      const m = mx.update(c);
      const d = (100 * (c - m)) / m;
      out[0] = sqrt0(mean.update(d * d));
    };
  },
});

export const VOLATILITY_INDICATORS: IndicatorSpec[] = [TRANGE, ATR, NATR, VOL_CC, VOL_PARKINSON, VOL_GK, VOL_RS, VOL_YZ, ULCER];
