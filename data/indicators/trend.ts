/**
 * Trend / overlap indicators (TA-Lib's "overlap studies" and a few of ours): moving averages, SAR, bands, channels,
 * Ichimoku, Supertrend, rolling linear regression.
 *
 * Conventions (see types.ts): TA-Lib's formulas, defaults and lookbacks where TA-Lib has the function; warm-up
 * values are NaN; multi-output indicators start all outputs at the same bar (TA-Lib's single outBegIdx).
 *
 * Missing values (NaN or ±Infinity in any input field the indicator reads make the whole bar missing; see kernels.ts):
 * the output at a missing bar is NaN; windowed quantities are NaN while a missing bar is inside their window;
 * recursive ones (EMA, DEMA, TEMA, KAMA, SAR, the ATR inside Supertrend/Keltner) skip the missing bar and keep their
 * state, so one bad bar never poisons them. On clean data the number of leading NaNs is exactly lookback(p).
 *
 * Every indicator has a batch form (column kernels over Float64Array) and an incremental form (ring buffers, running
 * sums, deques) doing the same arithmetic in the same order.
 */
import {
  Ema,
  RollingLinreg,
  RollingMax,
  RollingMean,
  RollingMin,
  RollingSum,
  RollingVar,
  RollingWma,
  TrueRange,
  Wilder,
  atrOf,
  batchScopeActive,
  ema,
  emaOf,
  emaOwned,
  makeSpec,
  maskRows,
  meanOwned,
  nanArray,
  periodParam,
  rollingLinreg,
  rollingMean,
  rollingSum,
  rollingVar,
  rollingWma,
  sharedColumns,
  sharedExtreme,
  sumOf,
  tmpCol,
} from './kernels.ts';
import type { IndicatorSpec } from './types.ts';

// ---------------------------------------------------------------------------------------------------------------
// Moving averages
// ---------------------------------------------------------------------------------------------------------------

export const SMA: IndicatorSpec = makeSpec({
  name: 'sma',
  description: 'Simple moving average of close',
  group: 'trend',
  inputs: ['close'],
  params: [periodParam('timeperiod', 30)],
  outputs: ['sma'],
  lookback: ([n]) => n - 1,
  batch: (x, [n]) => [meanOwned(x.close, n)],
  step: ([n], out) => {
    const s = new RollingMean(n);
    return (_o, _h, _l, c) => {
      out[0] = s.update(c);
    };
  },
});

export const EMA: IndicatorSpec = makeSpec({
  name: 'ema',
  description: 'Exponential moving average of close (k = 2/(n+1), seeded with the SMA of the first n closes)',
  group: 'trend',
  inputs: ['close'],
  params: [periodParam('timeperiod', 30)],
  outputs: ['ema'],
  lookback: ([n]) => n - 1,
  batch: (x, [n]) => [emaOwned(x.close, n)],
  step: ([n], out) => {
    const e = new Ema(n);
    return (_o, _h, _l, c) => {
      out[0] = e.update(c);
    };
  },
});

export const WMA: IndicatorSpec = makeSpec({
  name: 'wma',
  description: 'Linearly weighted moving average of close (weights 1..n, newest n)',
  group: 'trend',
  inputs: ['close'],
  params: [periodParam('timeperiod', 30)],
  outputs: ['wma'],
  lookback: ([n]) => n - 1,
  batch: (x, [n]) => [rollingWma(x.close, n)],
  step: ([n], out) => {
    const w = new RollingWma(n);
    return (_o, _h, _l, c) => {
      out[0] = w.update(c);
    };
  },
});

export const DEMA: IndicatorSpec = makeSpec({
  name: 'dema',
  description: 'Double EMA: 2·EMA(close) - EMA(EMA(close))',
  group: 'trend',
  inputs: ['close'],
  params: [periodParam('timeperiod', 30)],
  outputs: ['dema'],
  lookback: ([n]) => 2 * (n - 1),
  batch: (x, [n]) => {
    const len = x.close.length;
    const e1 = emaOf(x.close, n, 0);
    const e2 = ema(e1, n, tmpCol(1, len));
    const out = new Float64Array(len);
    for (let i = 0; i < len; i++) out[i] = 2.0 * e1[i] - e2[i];
    return [out];
  },
  step: ([n], out) => {
    const a = new Ema(n);
    const b = new Ema(n);
    return (_o, _h, _l, c) => {
      const e1 = a.update(c);
      const e2 = b.update(e1);
      out[0] = 2.0 * e1 - e2;
    };
  },
});

export const TEMA: IndicatorSpec = makeSpec({
  name: 'tema',
  description: 'Triple EMA: 3·EMA1 - 3·EMA2 + EMA3 (each EMA of the previous one)',
  group: 'trend',
  inputs: ['close'],
  params: [periodParam('timeperiod', 30)],
  outputs: ['tema'],
  lookback: ([n]) => 3 * (n - 1),
  batch: (x, [n]) => {
    const len = x.close.length;
    const e1 = emaOf(x.close, n, 0);
    const e2 = ema(e1, n, tmpCol(1, len));
    const e3 = ema(e2, n, tmpCol(2, len));
    const out = new Float64Array(len);
    for (let i = 0; i < len; i++) out[i] = 3.0 * e1[i] - 3.0 * e2[i] + e3[i];
    return [out];
  },
  step: ([n], out) => {
    const a = new Ema(n);
    const b = new Ema(n);
    const d = new Ema(n);
    return (_o, _h, _l, c) => {
      const e1 = a.update(c);
      const e2 = b.update(e1);
      const e3 = d.update(e2);
      out[0] = 3.0 * e1 - 3.0 * e2 + e3;
    };
  },
});

/** TA-Lib's TRIMA as an SMA of an SMA: odd n → SMA(SMA(x,(n+1)/2),(n+1)/2); even n → SMA(SMA(x,n/2),n/2+1). */
function trimaPeriods(n: number): [number, number] {
  return n % 2 === 1 ? [(n + 1) / 2, (n + 1) / 2] : [n / 2, n / 2 + 1];
}

export const TRIMA: IndicatorSpec = makeSpec({
  name: 'trima',
  description: 'Triangular moving average of close (weights 1,2,..,peak,..,2,1)',
  group: 'trend',
  inputs: ['close'],
  params: [periodParam('timeperiod', 30)],
  outputs: ['trima'],
  lookback: ([n]) => n - 1,
  batch: (x, [n]) => {
    const [a, b] = trimaPeriods(n);
    const len = x.close.length;
    return [rollingMean(rollingMean(x.close, a, tmpCol(0, len)), b, new Float64Array(len))];
  },
  step: ([n], out) => {
    const [a, b] = trimaPeriods(n);
    const s1 = new RollingMean(a);
    const s2 = new RollingMean(b);
    return (_o, _h, _l, c) => {
      out[0] = s2.update(s1.update(c));
    };
  },
});

const KAMA_SLOW = 2.0 / (30.0 + 1.0);
const KAMA_DIFF = 2.0 / (2.0 + 1.0) - KAMA_SLOW;

/** TA-Lib's KAMA smoothing constant from the n-bar change and the sum of |1-bar changes| (TA_IS_ZERO: |s| < 1e-8). */
function kamaSc(roc: number, s: number): number {
  const er = s <= roc || (s > -0.00000001 && s < 0.00000001) ? 1.0 : Math.abs(roc / s);
  const sc = er * KAMA_DIFF + KAMA_SLOW;
  return sc * sc;
}

export const KAMA: IndicatorSpec = makeSpec({
  name: 'kama',
  description: "Kaufman adaptive moving average (efficiency ratio over n bars, fast 2, slow 30)",
  group: 'trend',
  inputs: ['close'],
  params: [periodParam('timeperiod', 30)],
  outputs: ['kama'],
  lookback: ([n]) => n,
  note: 'Seeded like TA-Lib with the previous close as the prior KAMA. During the n+1 bars after a missing close the efficiency ratio is undefined; KAMA skips those bars and resumes from its last value.',
  batch: (x, [n]) => {
    const c = x.close;
    const len = c.length;
    const d = tmpCol(0, len);
    if (len > 0) d[0] = NaN;
    for (let i = 1; i < len; i++) d[i] = Math.abs(c[i] - c[i - 1]);
    const vol = rollingSum(d, n, tmpCol(1, len));
    const out = new Float64Array(len);
    let prev = NaN;
    let started = false;
    for (let i = 0; i < len; i++) {
      const s = vol[i];
      if (s - s !== 0) {
        out[i] = NaN;
        continue;
      }
      const v = c[i];
      if (!started) {
        prev = c[i - 1];
        started = true;
      }
      prev = (v - prev) * kamaSc(v - c[i - n], s) + prev;
      out[i] = prev;
    }
    return [out];
  },
  step: ([n], out) => {
    const vol = new RollingSum(n);
    const ring = new Float64Array(n + 1); // last n+1 closes
    let pos = 0;
    let last = NaN;
    let prev = NaN;
    let started = false;
    return (_o, _h, _l, c) => {
      const s = vol.update(Math.abs(c - last));
      ring[pos] = c;
      if (++pos === n + 1) pos = 0;
      const before = last;
      last = c;
      if (s - s !== 0) {
        out[0] = NaN;
        return;
      }
      if (!started) {
        prev = before;
        started = true;
      }
      prev = (c - prev) * kamaSc(c - ring[pos], s) + prev; // ring[pos]: the close n bars ago
      out[0] = prev;
    };
  },
});

function hmaPeriods(n: number): [number, number] {
  return [Math.floor(n / 2), Math.floor(Math.sqrt(n))];
}

export const HMA: IndicatorSpec = makeSpec({
  name: 'hma',
  description: 'Hull moving average: WMA(2·WMA(close, n/2) - WMA(close, n), sqrt(n))',
  group: 'trend',
  inputs: ['close'],
  params: [periodParam('timeperiod', 20)],
  outputs: ['hma'],
  lookback: ([n]) => n - 1 + hmaPeriods(n)[1] - 1,
  note: 'Not in TA-Lib. n/2 and sqrt(n) are floored to integers.',
  batch: (x, [n]) => {
    const [half, sq] = hmaPeriods(n);
    const len = x.close.length;
    const raw = rollingWma(x.close, half, tmpCol(0, len));
    const w2 = rollingWma(x.close, n, tmpCol(1, len));
    for (let i = 0; i < len; i++) raw[i] = 2 * raw[i] - w2[i];
    return [rollingWma(raw, sq, new Float64Array(len))];
  },
  step: ([n], out) => {
    const [half, sq] = hmaPeriods(n);
    const a = new RollingWma(half);
    const b = new RollingWma(n);
    const h = new RollingWma(sq);
    return (_o, _h, _l, c) => {
      out[0] = h.update(2 * a.update(c) - b.update(c));
    };
  },
});

export const VWMA: IndicatorSpec = makeSpec({
  name: 'vwma',
  description: 'Volume-weighted moving average: sum(close·volume)/sum(volume) over n bars',
  group: 'trend',
  inputs: ['close', 'volume'],
  params: [periodParam('timeperiod', 20, 1)],
  outputs: ['vwma'],
  lookback: ([n]) => n - 1,
  note: 'Not in TA-Lib. NaN when the window has zero total volume.',
  batch: (x, [n]) => {
    const { close: c, volume: v } = x;
    const len = c.length;
    const cv = tmpCol(0, len);
    for (let i = 0; i < len; i++) cv[i] = c[i] * v[i];
    const num = rollingSum(cv, n, new Float64Array(len));
    const den = sumOf(v, n, 1); // read only (vwma and vwap share it in a batch scope)
    for (let i = 0; i < len; i++) {
      const d = den[i];
      if (d !== 0) num[i] = num[i] / d;
      else num[i] = NaN;
    }
    return [num];
  },
  step: ([n], out) => {
    const num = new RollingSum(n);
    const den = new RollingSum(n);
    return (_o, _h, _l, c, v) => {
      const a = num.update(c * v);
      const b = den.update(v);
      out[0] = b !== 0 ? a / b : NaN;
    };
  },
});

export const VWAP: IndicatorSpec = makeSpec({
  name: 'vwap',
  description: 'Rolling VWAP: sum(typical·volume)/sum(volume) over n bars, typical = (high+low+close)/3',
  group: 'trend',
  inputs: ['high', 'low', 'close', 'volume'],
  params: [periodParam('timeperiod', 20, 1)],
  outputs: ['vwap'],
  lookback: ([n]) => n - 1,
  note: 'Not in TA-Lib. A rolling n-bar VWAP, not the session-anchored one. NaN when the window has zero total volume.',
  batch: (x, [n]) => {
    const { high: h, low: l, close: c, volume: v } = x;
    const len = c.length;
    const pv = tmpCol(0, len);
    for (let i = 0; i < len; i++) pv[i] = ((h[i] + l[i] + c[i]) / 3) * v[i];
    const num = rollingSum(pv, n, new Float64Array(len));
    const den = sumOf(v, n, 1); // read only (vwma and vwap share it in a batch scope)
    for (let i = 0; i < len; i++) {
      const d = den[i];
      if (d !== 0) num[i] = num[i] / d;
      else num[i] = NaN;
    }
    return [num];
  },
  step: ([n], out) => {
    const num = new RollingSum(n);
    const den = new RollingSum(n);
    return (_o, h, l, c, v) => {
      const a = num.update(((h + l + c) / 3) * v);
      const b = den.update(v);
      out[0] = b !== 0 ? a / b : NaN;
    };
  },
});

// ---------------------------------------------------------------------------------------------------------------
// Parabolic SAR (TA-Lib's algorithm, ta_SAR.c)
// ---------------------------------------------------------------------------------------------------------------

export const SAR: IndicatorSpec = makeSpec({
  name: 'sar',
  description: 'Parabolic SAR (acceleration 0.02, maximum 0.2), and the trend direction it implies (+1 long, -1 short)',
  group: 'trend',
  inputs: ['high', 'low'],
  params: [
    { name: 'acceleration', default: 0.02, min: 0, max: 1 },
    { name: 'maximum', default: 0.2, min: 0, max: 1 },
  ],
  outputs: ['sar', 'sar_direction'],
  lookback: () => 1,
  note:
    "Values are TA-Lib's SAR exactly (initial direction from the first two bars' -DM: short if -DM > 0, else long; the first SAR is the first bar's low (long) or high (short); acceleration is capped at maximum). The sar_direction output is ours: +1 when the SAR is a long stop (below the bar), -1 when short (above). A missing bar is skipped (state kept).",
  batch: (x, [accIn, maxIn]) => {
    const { high, low } = x;
    const len = high.length;
    const sarOut = nanArray(len);
    const dirOut = nanArray(len);
    let acc = accIn;
    const max = maxIn;
    if (acc > max) acc = max;
    let prevIdx = -1; // last valid bar
    let started = false;
    let isLong = true;
    let sar = NaN;
    let ep = NaN;
    let af = acc;
    for (let i = 0; i < len; i++) {
      const newHigh = high[i];
      const newLow = low[i];
      if (newHigh - newHigh !== 0 || newLow - newLow !== 0) continue;
      if (prevIdx < 0) {
        prevIdx = i;
        continue;
      }
      let prevHigh: number;
      let prevLow: number;
      if (!started) {
        // TA-Lib: MINUS_DM(1) of the first two bars decides; the first SAR is the first bar's extreme.
        const h0 = high[prevIdx];
        const l0 = low[prevIdx];
        const diffP = newHigh - h0;
        const diffM = l0 - newLow;
        isLong = !(diffM > 0 && diffP < diffM);
        if (isLong) {
          ep = newHigh;
          sar = l0;
        } else {
          ep = newLow;
          sar = h0;
        }
        af = acc;
        prevHigh = newHigh; // TA-Lib's "cheat" for the first iteration
        prevLow = newLow;
        started = true;
      } else {
        prevHigh = high[prevIdx];
        prevLow = low[prevIdx];
      }
      prevIdx = i;
      if (isLong) {
        if (newLow <= sar) {
          isLong = false;
          sar = ep;
          if (sar < prevHigh) sar = prevHigh;
          if (sar < newHigh) sar = newHigh;
          sarOut[i] = sar;
          af = acc;
          ep = newLow;
          sar = sar + af * (ep - sar);
          if (sar < prevHigh) sar = prevHigh;
          if (sar < newHigh) sar = newHigh;
        } else {
          sarOut[i] = sar;
          if (newHigh > ep) {
            ep = newHigh;
            af += acc;
            if (af > max) af = max;
          }
          sar = sar + af * (ep - sar);
          if (sar > prevLow) sar = prevLow;
          if (sar > newLow) sar = newLow;
        }
      } else if (newHigh >= sar) {
        isLong = true;
        sar = ep;
        if (sar > prevLow) sar = prevLow;
        if (sar > newLow) sar = newLow;
        sarOut[i] = sar;
        af = acc;
        ep = newHigh;
        sar = sar + af * (ep - sar);
        if (sar > prevLow) sar = prevLow;
        if (sar > newLow) sar = newLow;
      } else {
        sarOut[i] = sar;
        if (newLow < ep) {
          ep = newLow;
          af += acc;
          if (af > max) af = max;
        }
        sar = sar + af * (ep - sar);
        if (sar < prevHigh) sar = prevHigh;
        if (sar < newHigh) sar = newHigh;
      }
      dirOut[i] = isLong ? 1 : -1;
    }
    return [sarOut, dirOut];
  },
  step: ([accIn, max], out) => {
    const acc = accIn > max ? max : accIn;
    let phase = 0; // 0: no bar yet, 1: one bar seen, 2: running
    let lastHigh = NaN;
    let lastLow = NaN;
    let isLong = true;
    let sar = NaN;
    let ep = NaN;
    let af = acc;
    return (_o, h, l) => {
      out[0] = NaN;
      out[1] = NaN;
      if (h - h !== 0 || l - l !== 0) return;
      if (phase === 0) {
        lastHigh = h;
        lastLow = l;
        phase = 1;
        return;
      }
      let prevHigh = lastHigh;
      let prevLow = lastLow;
      lastHigh = h;
      lastLow = l;
      if (phase === 1) {
        const diffP = h - prevHigh;
        const diffM = prevLow - l;
        isLong = !(diffM > 0 && diffP < diffM);
        ep = isLong ? h : l;
        sar = isLong ? prevLow : prevHigh;
        af = acc;
        prevHigh = h;
        prevLow = l;
        phase = 2;
      }
      let shown: number;
      if (isLong) {
        if (l <= sar) {
          isLong = false;
          sar = Math.max(ep, prevHigh, h);
          shown = sar;
          af = acc;
          ep = l;
          sar = Math.max(sar + af * (ep - sar), prevHigh, h);
        } else {
          shown = sar;
          if (h > ep) {
            ep = h;
            af = Math.min(af + acc, max);
          }
          sar = Math.min(sar + af * (ep - sar), prevLow, l);
        }
      } else if (h >= sar) {
        isLong = true;
        sar = Math.min(ep, prevLow, l);
        shown = sar;
        af = acc;
        ep = h;
        sar = Math.min(sar + af * (ep - sar), prevLow, l);
      } else {
        shown = sar;
        if (l < ep) {
          ep = l;
          af = Math.min(af + acc, max);
        }
        sar = Math.max(sar + af * (ep - sar), prevHigh, h);
      }
      out[0] = shown;
      out[1] = isLong ? 1 : -1;
    };
  },
});

// ---------------------------------------------------------------------------------------------------------------
// Ichimoku, Supertrend
// ---------------------------------------------------------------------------------------------------------------

export const ICHIMOKU: IndicatorSpec = makeSpec({
  name: 'ichimoku',
  description: 'Ichimoku lines: tenkan, kijun, senkou A and B (midpoints of the n-bar high/low range), unshifted',
  group: 'trend',
  inputs: ['high', 'low'],
  params: [periodParam('tenkan', 9, 1), periodParam('kijun', 26, 1), periodParam('senkou', 52, 1)],
  outputs: ['tenkan', 'kijun', 'senkou_a', 'senkou_b'],
  lookback: ([a, b, s]) => Math.max(a, b, s) - 1,
  note:
    'Not in TA-Lib. senkou_a = (tenkan+kijun)/2 and senkou_b = (52-bar high + low)/2 are given at the bar they are computed, NOT shifted forward 26 bars as on charts (plotting shifts them; as features the shift would be look-ahead); chikou is omitted (it is the close shifted back, i.e. look-ahead). All four start together at max(periods)-1.',
  batch: (x, [a, b, s]) => {
    const { high, low } = x;
    const len = high.length;
    // read only: shared with the other specs' extremes of high / low in a batch scope
    const ha = sharedExtreme(high, a, true);
    const la = sharedExtreme(low, a, false);
    const hb = sharedExtreme(high, b, true);
    const lb = sharedExtreme(low, b, false);
    const hs = sharedExtreme(high, s, true);
    const ls = sharedExtreme(low, s, false);
    const tenkan = new Float64Array(len);
    const kijun = new Float64Array(len);
    const spanA = new Float64Array(len);
    const spanB = new Float64Array(len);
    for (let i = 0; i < len; i++) {
      const t = (ha[i] + la[i]) / 2;
      const k = (hb[i] + lb[i]) / 2;
      const sb = (hs[i] + ls[i]) / 2;
      if (t !== t || k !== k || sb !== sb) {
        tenkan[i] = kijun[i] = spanA[i] = spanB[i] = NaN;
        continue;
      }
      tenkan[i] = t;
      kijun[i] = k;
      spanA[i] = (t + k) / 2;
      spanB[i] = sb;
    }
    return [tenkan, kijun, spanA, spanB];
  },
  step: ([a, b, s], out) => {
    const ha = new RollingMax(a);
    const la = new RollingMin(a);
    const hb = new RollingMax(b);
    const lb = new RollingMin(b);
    const hs = new RollingMax(s);
    const ls = new RollingMin(s);
    return (_o, h, l) => {
      const t = (ha.update(h) + la.update(l)) / 2;
      const k = (hb.update(h) + lb.update(l)) / 2;
      const sb = (hs.update(h) + ls.update(l)) / 2;
      if (t !== t || k !== k || sb !== sb) {
        out.fill(NaN);
        return;
      }
      out[0] = t;
      out[1] = k;
      out[2] = (t + k) / 2;
      out[3] = sb;
    };
  },
});

export const SUPERTREND: IndicatorSpec = makeSpec({
  name: 'supertrend',
  description: 'Supertrend: ATR bands around (high+low)/2 that ratchet with the trend; direction +1 up, -1 down',
  group: 'trend',
  inputs: ['high', 'low', 'close'],
  params: [periodParam('timeperiod', 10, 1), { name: 'multiplier', default: 3, min: 0, max: 100 }],
  outputs: ['supertrend', 'supertrend_direction'],
  lookback: ([n]) => n,
  note:
    "Not in TA-Lib. ATR is Wilder's (TA-Lib's ATR, first value at bar n). Bands: upper = hl2 + m·ATR kept at its previous value unless lower than it or the previous close closed above it; lower symmetric. Direction starts at -1 (supertrend = upper band) on the first bar, as TradingView's ta.supertrend, then flips to +1 when close > upper band and back to -1 when close < lower band. supertrend = lower band when up, upper band when down.",
  batch: (x, [n, m]) => {
    const { high, low, close } = x;
    const len = close.length;
    const atr = atrOf(high, low, close, n, 0); // read only
    const st = nanArray(len);
    const dirOut = nanArray(len);
    let started = false;
    let upper = NaN;
    let lower = NaN;
    let dir = -1;
    let lastClose = NaN; // close of the previous valid bar
    for (let i = 0; i < len; i++) {
      const c = close[i];
      if (c - c !== 0) continue;
      const pc = lastClose;
      lastClose = c;
      const a = atr[i];
      if (a - a !== 0) continue;
      const hl2 = (high[i] + low[i]) / 2;
      const bu = hl2 + m * a;
      const bl = hl2 - m * a;
      if (!started) {
        upper = bu;
        lower = bl;
        dir = -1;
        started = true;
      } else {
        upper = bu < upper || pc > upper ? bu : upper;
        lower = bl > lower || pc < lower ? bl : lower;
        dir = dir === -1 ? (c > upper ? 1 : -1) : c < lower ? -1 : 1;
      }
      st[i] = dir === 1 ? lower : upper;
      dirOut[i] = dir;
    }
    return [st, dirOut];
  },
  step: ([n, m], out) => {
    const tr = new TrueRange();
    const atr = new Wilder(n);
    let started = false;
    let upper = NaN;
    let lower = NaN;
    let dir = -1;
    let lastClose = NaN;
    return (_o, h, l, c) => {
      out[0] = NaN;
      out[1] = NaN;
      const a = atr.update(tr.update(h, l, c));
      if (c - c !== 0) return;
      const pc = lastClose;
      lastClose = c;
      if (a - a !== 0) return;
      const hl2 = (h + l) / 2;
      const bu = hl2 + m * a;
      const bl = hl2 - m * a;
      if (!started) {
        upper = bu;
        lower = bl;
        dir = -1;
        started = true;
      } else {
        if (bu < upper || pc > upper) upper = bu;
        if (bl > lower || pc < lower) lower = bl;
        if (dir === -1) {
          if (c > upper) dir = 1;
        } else if (c < lower) {
          dir = -1;
        }
      }
      out[0] = dir === 1 ? lower : upper;
      out[1] = dir;
    };
  },
});

// ---------------------------------------------------------------------------------------------------------------
// Linear regression
// ---------------------------------------------------------------------------------------------------------------

/**
 * rollingLinreg of close over n in a batch scope, [slope, intercept, r2], computed once and shared READ ONLY: the
 * three linearreg specs of one period are one computation.
 */
function linregOf(close: Float64Array, n: number): Float64Array[] {
  return sharedColumns(`linreg:${n}`, close, 3, (x, o) => {
    rollingLinreg(x, n, o[0], o[1], o[2]);
  });
}

export const LINEARREG_SLOPE: IndicatorSpec = makeSpec({
  name: 'linearreg_slope',
  description: 'Slope per bar of the least-squares line through the last n closes',
  group: 'trend',
  inputs: ['close'],
  params: [periodParam('timeperiod', 14)],
  outputs: ['linearreg_slope'],
  lookback: ([n]) => n - 1,
  batch: (x, [n]) => {
    const len = x.close.length;
    return [batchScopeActive() ? new Float64Array(linregOf(x.close, n)[0]) : rollingLinreg(x.close, n, new Float64Array(len), tmpCol(0, len), tmpCol(1, len)).slope];
  },
  step: ([n], out) => {
    const r = new RollingLinreg(n);
    return (_o, _h, _l, c) => {
      r.update(c);
      out[0] = r.slope;
    };
  },
});

export const LINEARREG_INTERCEPT: IndicatorSpec = makeSpec({
  name: 'linearreg_intercept',
  description: "Intercept of the least-squares line through the last n closes (its value at the window's oldest bar)",
  group: 'trend',
  inputs: ['close'],
  params: [periodParam('timeperiod', 14)],
  outputs: ['linearreg_intercept'],
  lookback: ([n]) => n - 1,
  note: "As TA-Lib: the fitted value at the oldest bar of the window (x = 0), not at the current bar (that is LINEARREG = intercept + slope·(n-1)).",
  batch: (x, [n]) => {
    const len = x.close.length;
    return [batchScopeActive() ? new Float64Array(linregOf(x.close, n)[1]) : rollingLinreg(x.close, n, tmpCol(0, len), new Float64Array(len), tmpCol(1, len)).intercept];
  },
  step: ([n], out) => {
    const r = new RollingLinreg(n);
    return (_o, _h, _l, c) => {
      r.update(c);
      out[0] = r.intercept;
    };
  },
});

export const LINEARREG_R2: IndicatorSpec = makeSpec({
  name: 'linearreg_r2',
  description: 'R² of the least-squares line through the last n closes (1 = perfectly straight)',
  group: 'trend',
  inputs: ['close'],
  params: [periodParam('timeperiod', 14)],
  outputs: ['linearreg_r2'],
  lookback: ([n]) => n - 1,
  note: 'Not in TA-Lib (ours; the square of TA-Lib\'s CORREL of close with bar index). NaN for a flat window, where R² is undefined.',
  batch: (x, [n]) => {
    const len = x.close.length;
    return [batchScopeActive() ? new Float64Array(linregOf(x.close, n)[2]) : rollingLinreg(x.close, n, tmpCol(0, len), tmpCol(1, len), new Float64Array(len)).r2];
  },
  step: ([n], out) => {
    const r = new RollingLinreg(n);
    return (_o, _h, _l, c) => {
      r.update(c);
      out[0] = r.r2;
    };
  },
});

// ---------------------------------------------------------------------------------------------------------------
// Midpoints, bands, channels
// ---------------------------------------------------------------------------------------------------------------

export const MIDPOINT: IndicatorSpec = makeSpec({
  name: 'midpoint',
  description: 'Midpoint of the n-bar close range: (highest close + lowest close)/2',
  group: 'trend',
  inputs: ['close'],
  params: [periodParam('timeperiod', 14)],
  outputs: ['midpoint'],
  lookback: ([n]) => n - 1,
  batch: (x, [n]) => {
    const len = x.close.length;
    const hi = sharedExtreme(x.close, n, true); // read only
    const lo = sharedExtreme(x.close, n, false);
    const out = new Float64Array(len);
    for (let i = 0; i < len; i++) out[i] = (hi[i] + lo[i]) / 2.0;
    return [out];
  },
  step: ([n], out) => {
    const hi = new RollingMax(n);
    const lo = new RollingMin(n);
    return (_o, _h, _l, c) => {
      out[0] = (hi.update(c) + lo.update(c)) / 2.0;
    };
  },
});

export const MIDPRICE: IndicatorSpec = makeSpec({
  name: 'midprice',
  description: 'Midpoint of the n-bar price range: (highest high + lowest low)/2',
  group: 'trend',
  inputs: ['high', 'low'],
  params: [periodParam('timeperiod', 14)],
  outputs: ['midprice'],
  lookback: ([n]) => n - 1,
  batch: (x, [n]) => {
    const len = x.high.length;
    // the 14-bar high / low are shared with stoch and willr (batch scope)
    const hi = sharedExtreme(x.high, n, true);
    const lo = sharedExtreme(x.low, n, false);
    const out = new Float64Array(len);
    for (let i = 0; i < len; i++) out[i] = (hi[i] + lo[i]) / 2.0;
    return [out];
  },
  step: ([n], out) => {
    const hi = new RollingMax(n);
    const lo = new RollingMin(n);
    return (_o, h, l) => {
      out[0] = (hi.update(h) + lo.update(l)) / 2.0;
    };
  },
});

/** Bollinger outputs from the middle (SMA), the population std, the close and nbdev. Writes into arrays at i. */
function bbRow(mid: number, sd: number, c: number, k: number, o: Float64Array[] | Float64Array, i: number): void {
  const upper = mid + k * sd;
  const lower = mid - k * sd;
  const w = upper - lower;
  const pctb = w !== 0 ? (c - lower) / w : NaN;
  const width = w / mid;
  if (o instanceof Float64Array) {
    o[0] = upper;
    o[1] = mid;
    o[2] = lower;
    o[3] = pctb;
    o[4] = width;
  } else {
    o[0][i] = upper;
    o[1][i] = mid;
    o[2][i] = lower;
    o[3][i] = pctb;
    o[4][i] = width;
  }
}

export const BB: IndicatorSpec = makeSpec({
  name: 'bb',
  description: 'Bollinger Bands: SMA(close, n) ± nbdev·(population std of close over n); %b and width',
  group: 'trend',
  inputs: ['close'],
  params: [periodParam('timeperiod', 20), { name: 'nbdev', default: 2, min: 0.1, max: 10 }],
  outputs: ['bb_upper', 'bb_middle', 'bb_lower', 'bb_pctb', 'bb_width'],
  lookback: ([n]) => n - 1,
  note:
    "TA-Lib's BBANDS with matype SMA and nbdevup = nbdevdn = nbdev (one parameter); defaults 20, 2 (TA-Lib's are 5, 2, 2) so the feature names read bb_upper_20_2. Std is the population one (ddof 0) like TA-Lib, computed stably (TA-Lib's zeroing of variances below 1e-8 is not reproduced). Ours: bb_pctb = (close - lower)/(upper - lower) (NaN when the bands coincide, i.e. a flat window) and bb_width = (upper - lower)/middle (a fraction, not percent).",
  batch: (x, [n, k]) => {
    const c = x.close;
    const len = c.length;
    const upperO = new Float64Array(len);
    const mid = meanOwned(c, n);
    const lowerO = new Float64Array(len);
    const pctbO = new Float64Array(len);
    const widthO = new Float64Array(len);
    const v = rollingVar(c, n, 0, tmpCol(0, len));
    // bbRow, inlined
    for (let i = 0; i < len; i++) {
      const m = mid[i];
      const sd = Math.sqrt(v[i]);
      const upper = m + k * sd;
      const lower = m - k * sd;
      const w = upper - lower;
      upperO[i] = upper;
      lowerO[i] = lower;
      // (a store per branch: a `?:` here made V8 box a double per bar)
      if (w !== 0) pctbO[i] = (c[i] - lower) / w;
      else pctbO[i] = NaN;
      widthO[i] = w / m;
    }
    return [upperO, mid, lowerO, pctbO, widthO];
  },
  step: ([n, k], out) => {
    const mean = new RollingMean(n);
    const v = new RollingVar(n, 0);
    return (_o, _h, _l, c) => {
      bbRow(mean.update(c), Math.sqrt(v.update(c)), c, k, out, 0);
    };
  },
});

export const KELTNER: IndicatorSpec = makeSpec({
  name: 'keltner',
  description: 'Keltner channel: EMA(close, n) ± multiplier·ATR(atrperiod)',
  group: 'trend',
  inputs: ['high', 'low', 'close'],
  params: [periodParam('timeperiod', 20), periodParam('atrperiod', 10, 1), { name: 'multiplier', default: 2, min: 0, max: 100 }],
  outputs: ['keltner_upper', 'keltner_middle', 'keltner_lower'],
  lookback: ([n, m]) => Math.max(n - 1, m),
  note: "Not in TA-Lib. EMA is TA-Lib's (SMA-seeded), ATR is Wilder's (TA-Lib's ATR). All three outputs start together at max(n-1, atrperiod).",
  batch: (x, [n, m, k]) => {
    const { high, low, close } = x;
    const len = close.length;
    const up = new Float64Array(len);
    const mid = emaOwned(close, n);
    const lo = new Float64Array(len);
    const atr = atrOf(high, low, close, m, 0); // read only
    for (let i = 0; i < len; i++) {
      const md = mid[i];
      const a = atr[i];
      const u = md + k * a;
      if (u !== u) {
        up[i] = mid[i] = lo[i] = NaN;
        continue;
      }
      up[i] = u;
      lo[i] = md - k * a;
    }
    return [up, mid, lo];
  },
  step: ([n, m, k], out) => {
    const e = new Ema(n);
    const tr = new TrueRange();
    const atr = new Wilder(m);
    return (_o, h, l, c) => {
      const mid = e.update(c);
      const a = atr.update(tr.update(h, l, c));
      const up = mid + k * a;
      if (up !== up) {
        out.fill(NaN);
        return;
      }
      out[0] = up;
      out[1] = mid;
      out[2] = mid - k * a;
    };
  },
});

export const DONCHIAN: IndicatorSpec = makeSpec({
  name: 'donchian',
  description: 'Donchian channel: highest high and lowest low over n bars, and their midpoint',
  group: 'trend',
  inputs: ['high', 'low'],
  params: [periodParam('timeperiod', 20, 1)],
  outputs: ['donchian_upper', 'donchian_middle', 'donchian_lower'],
  lookback: ([n]) => n - 1,
  note: 'Not in TA-Lib. The window includes the current bar (so price can touch the bands); no look-ahead.',
  batch: (x, [n]) => {
    const len = x.high.length;
    // the extremes may be shared with dist_high / dist_low (batch scope): copy them into the outputs
    const up = new Float64Array(sharedExtreme(x.high, n, true));
    const mid = new Float64Array(len);
    const lo = new Float64Array(sharedExtreme(x.low, n, false));
    for (let i = 0; i < len; i++) mid[i] = (up[i] + lo[i]) / 2;
    return [up, mid, lo];
  },
  step: ([n], out) => {
    const hi = new RollingMax(n);
    const lo = new RollingMin(n);
    return (_o, h, l) => {
      const u = hi.update(h);
      const d = lo.update(l);
      out[0] = u;
      out[1] = (u + d) / 2;
      out[2] = d;
    };
  },
});

export const TREND_INDICATORS: IndicatorSpec[] = [
  SMA,
  EMA,
  WMA,
  DEMA,
  TEMA,
  TRIMA,
  KAMA,
  HMA,
  VWMA,
  VWAP,
  SAR,
  ICHIMOKU,
  SUPERTREND,
  LINEARREG_SLOPE,
  LINEARREG_INTERCEPT,
  LINEARREG_R2,
  MIDPOINT,
  MIDPRICE,
  BB,
  KELTNER,
  DONCHIAN,
];
