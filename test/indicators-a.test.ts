import fc from 'fast-check';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  RollingMax,
  RollingStd,
  resolveParams,
  rollingMax,
  rollingMin,
  rollingStd,
  rollingSum,
  rollingVar,
} from '../data/indicators/kernels.ts';
import {
  BB,
  DEMA,
  DONCHIAN,
  EMA,
  HMA,
  ICHIMOKU,
  KAMA,
  KELTNER,
  LINEARREG_INTERCEPT,
  LINEARREG_R2,
  LINEARREG_SLOPE,
  MIDPOINT,
  MIDPRICE,
  SAR,
  SMA,
  SUPERTREND,
  TEMA,
  TREND_INDICATORS,
  TRIMA,
  VWAP,
  VWMA,
  WMA,
} from '../data/indicators/trend.ts';
import type { IndicatorSpec, Ohlcv } from '../data/indicators/types.ts';
import {
  ATR,
  NATR,
  TRANGE,
  ULCER,
  VOLATILITY_INDICATORS,
  VOL_CC,
  VOL_GK,
  VOL_PARKINSON,
  VOL_RS,
  VOL_YZ,
  yangZhangK,
} from '../data/indicators/volatility.ts';

const ALL: IndicatorSpec[] = [...TREND_INDICATORS, ...VOLATILITY_INDICATORS];
const N = NaN;

// ---------------------------------------------------------------------------------------------------------------
// helpers
// ---------------------------------------------------------------------------------------------------------------

function f64(a: readonly number[]): Float64Array {
  return Float64Array.from(a);
}

/** Columns from plain arrays; missing columns default to close (prices) or 1 (volume). */
function bars(c: number[], o?: number[], h?: number[], l?: number[], v?: number[]): Ohlcv {
  return {
    open: f64(o ?? c),
    high: f64(h ?? c),
    low: f64(l ?? c),
    close: f64(c),
    volume: f64(v ?? c.map(() => 1)),
  };
}

/** From (high, low, close) triples; open = close. */
function hlc(rows: [number, number, number][]): Ohlcv {
  return bars(
    rows.map((r) => r[2]),
    rows.map((r) => r[2]),
    rows.map((r) => r[0]),
    rows.map((r) => r[1]),
  );
}

/** Relative-or-absolute closeness: |a-b| <= tol·max(1, |a|, |b|); NaN matches only NaN. */
function near(a: number, b: number, tol = 1e-9): boolean {
  if (Number.isNaN(a) || Number.isNaN(b)) return Number.isNaN(a) && Number.isNaN(b);
  return Math.abs(a - b) <= tol * Math.max(1, Math.abs(a), Math.abs(b));
}

function expectSeries(actual: ArrayLike<number>, expected: readonly number[], tol = 1e-9): void {
  expect(actual.length).toBe(expected.length);
  const bad: string[] = [];
  for (let i = 0; i < expected.length; i++) {
    if (!near(actual[i], expected[i], tol)) bad.push(`[${i}] got ${actual[i]} want ${expected[i]}`);
  }
  expect(bad).toEqual([]);
}

function run(spec: IndicatorSpec, input: Ohlcv, p: number[] = []): Float64Array[] {
  const out = spec.batch(input, p);
  expect(out.length).toBe(spec.outputs.length);
  return out;
}

/** Feed the stream bar by bar, collecting each output column. */
function runStream(spec: IndicatorSpec, input: Ohlcv, p: number[]): Float64Array[] {
  const s = spec.stream(p);
  const len = input.close.length;
  const cols = spec.outputs.map(() => new Float64Array(len));
  for (let i = 0; i < len; i++) {
    const r = s.update(input.open[i], input.high[i], input.low[i], input.close[i], input.volume[i]);
    for (let k = 0; k < cols.length; k++) cols[k][i] = r[k];
  }
  return cols;
}

function leadingNaNs(a: Float64Array): number {
  let i = 0;
  while (i < a.length && Number.isNaN(a[i])) i++;
  return i;
}

/** Deterministic valid OHLCV random walk (LCG), positive prices and volumes. */
function walk(len: number, seed = 7, start = 100): Ohlcv {
  let s = seed;
  const rnd = () => {
    s = (s * 16807) % 2147483647;
    return s / 2147483647;
  };
  const o = new Float64Array(len);
  const h = new Float64Array(len);
  const l = new Float64Array(len);
  const c = new Float64Array(len);
  const v = new Float64Array(len);
  let p = start;
  for (let i = 0; i < len; i++) {
    o[i] = p * Math.exp((rnd() - 0.5) * 0.01);
    c[i] = o[i] * Math.exp((rnd() - 0.5) * 0.04);
    h[i] = Math.max(o[i], c[i]) * (1 + rnd() * 0.01);
    l[i] = Math.min(o[i], c[i]) * (1 - rnd() * 0.01);
    v[i] = 1 + Math.floor(rnd() * 100000);
    p = c[i];
  }
  return { open: o, high: h, low: l, close: c, volume: v };
}

// ---------------------------------------------------------------------------------------------------------------
// registry / parameters / lookbacks
// ---------------------------------------------------------------------------------------------------------------

describe('indicator registry', () => {
  it('exports every requested spec once, with consistent metadata', () => {
    const names = ALL.map((s) => s.name);
    expect(names).toEqual([
      'sma', 'ema', 'wma', 'dema', 'tema', 'trima', 'kama', 'hma', 'vwma', 'vwap', 'sar', 'ichimoku', 'supertrend',
      'linearreg_slope', 'linearreg_intercept', 'linearreg_r2', 'midpoint', 'midprice', 'bb', 'keltner', 'donchian',
      'trange', 'atr', 'natr', 'vol_cc', 'vol_parkinson', 'vol_gk', 'vol_rs', 'vol_yz', 'ulcer',
    ]);
    expect(new Set(ALL.flatMap((s) => s.outputs)).size).toBe(ALL.flatMap((s) => s.outputs).length);
    for (const s of TREND_INDICATORS) expect(s.group).toBe('trend');
    for (const s of VOLATILITY_INDICATORS) expect(s.group).toBe('volatility');
    expect(BB.outputs).toEqual(['bb_upper', 'bb_middle', 'bb_lower', 'bb_pctb', 'bb_width']);
    expect(`${BB.outputs[0]}_${BB.params.map((p) => p.default).join('_')}`).toBe('bb_upper_20_2');
    expect(ICHIMOKU.outputs).toEqual(['tenkan', 'kijun', 'senkou_a', 'senkou_b']);
    expect(ICHIMOKU.note).toMatch(/not shifted|NOT shifted/i);
    expect(VOL_CC.note).toMatch(/not annualised/);
  });

  it("uses TA-Lib's defaults where TA-Lib has the function", () => {
    const d = (s: IndicatorSpec) => s.params.map((p) => p.default);
    for (const s of [SMA, EMA, WMA, DEMA, TEMA, TRIMA, KAMA]) expect(d(s)).toEqual([30]);
    for (const s of [ATR, NATR, MIDPOINT, MIDPRICE, LINEARREG_SLOPE, LINEARREG_INTERCEPT]) expect(d(s)).toEqual([14]);
    expect(d(SAR)).toEqual([0.02, 0.2]);
    expect(d(BB)).toEqual([20, 2]); // ours: one nbdev (TA-Lib: 5, 2, 2)
    expect(d(TRANGE)).toEqual([]);
  });

  it("lookbacks are TA-Lib's", () => {
    expect(SMA.lookback([10])).toBe(9);
    expect(EMA.lookback([10])).toBe(9);
    expect(WMA.lookback([10])).toBe(9);
    expect(DEMA.lookback([10])).toBe(18);
    expect(TEMA.lookback([10])).toBe(27);
    expect(TRIMA.lookback([10])).toBe(9);
    expect(TRIMA.lookback([11])).toBe(10);
    expect(KAMA.lookback([10])).toBe(10);
    expect(ATR.lookback([10])).toBe(10);
    expect(NATR.lookback([10])).toBe(10);
    expect(TRANGE.lookback([])).toBe(1);
    expect(SAR.lookback([0.02, 0.2])).toBe(1);
    expect(MIDPRICE.lookback([10])).toBe(9);
    expect(MIDPOINT.lookback([10])).toBe(9);
    expect(LINEARREG_SLOPE.lookback([10])).toBe(9);
    expect(LINEARREG_INTERCEPT.lookback([10])).toBe(9);
    expect(BB.lookback([10, 2])).toBe(9);
    expect(SMA.lookback([])).toBe(29); // defaults
    expect(HMA.lookback([16])).toBe(15 + 3);
    expect(ICHIMOKU.lookback([])).toBe(51);
    expect(KELTNER.lookback([20, 10, 2])).toBe(19);
    expect(KELTNER.lookback([5, 10, 2])).toBe(10);
    expect(ULCER.lookback([14])).toBe(26);
    expect(VOL_YZ.lookback([20])).toBe(20);
  });

  it('checks parameters', () => {
    const x = bars([1, 2, 3]);
    expect(() => SMA.batch(x, [1])).toThrow(RangeError);
    expect(() => SMA.batch(x, [2.5])).toThrow(RangeError);
    expect(() => SMA.stream([Number.NaN])).toThrow(RangeError);
    expect(() => BB.batch(x, [20, 0])).toThrow(RangeError);
    expect(resolveParams('bb', BB.params, [10])).toEqual([10, 2]);
    expect(() => VWMA.batch({ ...bars([1, 2, 3]), volume: f64([1, 2]) }, [2])).toThrow(RangeError);
  });

  it('on clean data the leading NaNs of every output equal lookback(p), with none after (defaults)', () => {
    for (const spec of ALL) {
      const p = spec.params.map((q) => q.default);
      const lb = spec.lookback(p);
      const x = walk(lb + 60, 11);
      for (const [k, col] of run(spec, x, p).entries()) {
        expect([spec.name, spec.outputs[k], leadingNaNs(col)]).toEqual([spec.name, spec.outputs[k], lb]);
        expect(col.slice(lb).some(Number.isNaN)).toBe(false);
      }
    }
  });
});

// ---------------------------------------------------------------------------------------------------------------
// hand-computed cases
// ---------------------------------------------------------------------------------------------------------------

describe('hand-computed: moving averages', () => {
  it('SMA(3) of [1,2,3,4,5] = [NaN,NaN,2,3,4]', () => {
    expectSeries(run(SMA, bars([1, 2, 3, 4, 5]), [3])[0], [N, N, 2, 3, 4]);
  });

  it('EMA(3) is seeded with the SMA of the first 3 values, then k = 2/(3+1) = 0.5', () => {
    // [2,4,6,8,4]: seed at i=2: (2+4+6)/3 = 4; i=3: 4 + 0.5·(8-4) = 6; i=4: 6 + 0.5·(4-6) = 5
    expectSeries(run(EMA, bars([2, 4, 6, 8, 4]), [3])[0], [N, N, 4, 6, 5]);
  });

  it('WMA(3): weights 1,2,3 over 6', () => {
    // i=2: (1·2 + 2·4 + 3·6)/6 = 28/6; i=3: (4 + 12 + 24)/6 = 40/6; i=4: (6 + 16 + 12)/6 = 34/6
    expectSeries(run(WMA, bars([2, 4, 6, 8, 4]), [3])[0], [N, N, 28 / 6, 40 / 6, 34 / 6]);
  });

  it('DEMA(2) and TEMA(2) of [1,2,4,8,16,32] (k = 2/3), exact fractions', () => {
    // e1 = EMA(x): seed (1+2)/2 = 3/2; 3/2 + 2/3(4-3/2) = 19/6; 19/6 + 2/3(8-19/6) = 115/18; 691/54; 4147/162
    // e2 = EMA(e1): seed (3/2+19/6)/2 = 7/3 at i=2; 7/3 + 2/3(115/18-7/3) = 136/27; 827/81; 1658/81
    // e3 = EMA(e2): seed (7/3+136/27)/2 = 199/54 at i=3; 3905/486; 23801/1458
    // DEMA = 2e1 - e2: i=2: 19/3 - 7/3 = 4; i=3: 115/9 - 136/27 = 209/27; i=4: 1246/81; i=5: 2489/81
    // TEMA = 3e1 - 3e2 + e3: i=3: 115/6 - 136/9 + 199/54 = 209/27; i=4: 3838/243; i=5: 23119/729
    const x = bars([1, 2, 4, 8, 16, 32]);
    expectSeries(run(DEMA, x, [2])[0], [N, N, 4, 209 / 27, 1246 / 81, 2489 / 81]);
    expectSeries(run(TEMA, x, [2])[0], [N, N, N, 209 / 27, 3838 / 243, 23119 / 729]);
  });

  it('DEMA and TEMA reproduce a straight line (their lag cancels), from their lookback on', () => {
    // EMA(n) of x_t = t seeded with the SMA lags by exactly (n-1)/2, so e2 = e1 - L, e3 = e1 - 2L and
    // 2e1 - e2 = e1 + L = t, 3e1 - 3e2 + e3 = e1 + L = t.
    const line = Array.from({ length: 20 }, (_, i) => i + 1);
    const d = run(DEMA, bars(line), [4])[0];
    const t = run(TEMA, bars(line), [4])[0];
    expectSeries(d, line.map((v, i) => (i < 6 ? N : v)));
    expectSeries(t, line.map((v, i) => (i < 9 ? N : v)));
  });

  it("TRIMA: TA-Lib's triangular weights for even and odd periods", () => {
    // n=4 (even): SMA(SMA(x,2),3) = weights 1,2,2,1 / 6. [1,2,4,8,16]: i=3: (1+4+8+8)/6 = 3.5; i=4: (2+8+16+16)/6 = 7
    expectSeries(run(TRIMA, bars([1, 2, 4, 8, 16]), [4])[0], [N, N, N, 3.5, 7]);
    // n=5 (odd): SMA(SMA(x,3),3) = weights 1,2,3,2,1 / 9. i=4: (1+4+12+16+16)/9 = 49/9; i=5: (2+8+24+32+32)/9 = 98/9
    expectSeries(run(TRIMA, bars([1, 2, 4, 8, 16, 32]), [5])[0], [N, N, N, N, 49 / 9, 98 / 9]);
  });

  it("KAMA(3): TA-Lib's efficiency ratio and smoothing constant", () => {
    // x = [10,11,10,12,13,12]; fast = 2/3, slow = 2/31; sc = (er·(2/3 - 2/31) + 2/31)²
    // i=3: sum|Δ| over x[0..3] = 1+1+2 = 4, change = 12-10 = 2, er = 0.5 → sc = (0.5·56/93 + 6/93)² = (34/93)²
    //      prior KAMA = x[2] = 10 → KAMA = 10 + sc·(12-10)
    // i=4: sum|Δ| = 1+2+1 = 4, change = 13-11 = 2 → same sc; i=5: sum = 2+1+1 = 4, change = 12-10 = 2 → same sc
    const sc = (34 / 93) ** 2;
    const k3 = 10 + sc * (12 - 10);
    const k4 = k3 + sc * (13 - k3);
    const k5 = k4 + sc * (12 - k4);
    expectSeries(run(KAMA, bars([10, 11, 10, 12, 13, 12]), [3])[0], [N, N, N, k3, k4, k5]);
    // a monotonic run: er = 1 → sc = (2/3)²; [1,2,3,4]: KAMA at i=3 = 3 + 4/9·(4-3)
    expectSeries(run(KAMA, bars([1, 2, 3, 4]), [3])[0], [N, N, N, 3 + 4 / 9]);
  });

  it('HMA(4) = WMA(2·WMA(x,2) - WMA(x,4), 2)', () => {
    // x = [1,2,4,8,16,32]. WMA2 = (x[-1] + 2x)/3: i=3: 20/3, i=4: 40/3, i=5: 80/3
    // WMA4 = (1a+2b+3c+4d)/10: i=3: (1+4+12+32)/10 = 4.9, i=4: 9.8, i=5: 19.6
    // raw = 2·WMA2 - WMA4: i=3: 253/30, i=4: 506/30, i=5: 1012/30
    // HMA = WMA2(raw): i=4: (253/30 + 2·506/30)/3 = 1265/90; i=5: (506/30 + 2·1012/30)/3 = 2530/90
    expectSeries(run(HMA, bars([1, 2, 4, 8, 16, 32]), [4])[0], [N, N, N, N, 1265 / 90, 2530 / 90]);
  });

  it('VWMA(2) and rolling VWAP(2)', () => {
    // close [10,12,11], volume [100,300,200]: i=1: (1000+3600)/400 = 11.5; i=2: (3600+2200)/500 = 11.6
    expectSeries(run(VWMA, bars([10, 12, 11], undefined, undefined, undefined, [100, 300, 200]), [2])[0], [N, 11.5, 11.6]);
    // typical (h+l+c)/3: (11+9+10)/3 = 10, (13+11+12)/3 = 12, (12+9+12)/3 = 11 → same numbers
    const x = bars([10, 12, 12], undefined, [11, 13, 12], [9, 11, 9], [100, 300, 200]);
    expectSeries(run(VWAP, x, [2])[0], [N, 11.5, 11.6]);
    // zero total volume → NaN: volumes [5,0,0]: i=1: (10·5 + 12·0)/5 = 10; i=2: 0/0 → NaN
    expectSeries(run(VWMA, bars([10, 12, 11], undefined, undefined, undefined, [5, 0, 0]), [2])[0], [N, 10, N]);
  });
});

describe('hand-computed: SAR, Ichimoku, Supertrend', () => {
  it("SAR: TA-Lib's algorithm, starting long", () => {
    // bar (high, low):
    // 0 (10, 9)   -
    // 1 (11, 9.5) -DM = 9-9.5 < 0 → long; ep = 11, SAR = low0 = 9 (output). next = 9 + .02(11-9) = 9.04
    // 2 (12,10.5) out 9.04; new high: ep 12, af .04; next = 9.04 + .04(12-9.04) = 9.1584
    // 3 (12.5,11) out 9.1584; ep 12.5, af .06; next = 9.1584 + .06(12.5-9.1584) = 9.358896
    // 4 (11.5,9.2) low 9.2 <= 9.358896 → short; SAR = ep 12.5 (max with prev high 12.5, high 11.5) = 12.5 (out);
    //             af .02, ep 9.2; next = 12.5 + .02(9.2-12.5) = 12.434 → raised to prev high 12.5
    // 5 (11, 9)   out 12.5; ep 9, af .04; next = 12.5 + .04(9-12.5) = 12.36
    // 6 (10, 8.5) out 12.36; ep 8.5, af .06; next = 12.36 + .06(8.5-12.36) = 12.1284
    // 7 (12.2,11) high >= 12.1284 → long; SAR = ep 8.5 (min with prev low 8.5, low 11) = 8.5 (out);
    //             af .02, ep 12.2; next = 8.5 + .02·3.7 = 8.574 → lowered to prev low 8.5
    // 8 (12.5,11.8) out 8.5
    const h = [10, 11, 12, 12.5, 11.5, 11, 10, 12.2, 12.5];
    const l = [9, 9.5, 10.5, 11, 9.2, 9, 8.5, 11, 11.8];
    const x = bars(h, h, h, l);
    const [sar, dir] = run(SAR, x, [0.02, 0.2]);
    expectSeries(sar, [N, 9, 9.04, 9.1584, 12.5, 12.5, 12.36, 8.5, 8.5], 1e-12);
    expectSeries(dir, [N, 1, 1, 1, -1, -1, -1, 1, 1]);
  });

  it("SAR: starts short when the second bar's -DM is positive and larger than +DM", () => {
    // 0 (10, 9); 1 (9.8, 8): +DM = -0.2, -DM = 1 → short; ep = 8, SAR = high0 = 10 (out);
    //   next = 10 + .02(8-10) = 9.96; 2 (9.5, 7.5): out 9.96
    const h = [10, 9.8, 9.5];
    const l = [9, 8, 7.5];
    const [sar, dir] = run(SAR, bars(h, h, h, l), []);
    expectSeries(sar, [N, 10, 9.96], 1e-12);
    expectSeries(dir, [N, -1, -1]);
  });

  it('Ichimoku(2,3,4): midpoints of the high/low ranges, unshifted, all starting at max-1 = 3', () => {
    // i   h    l     tenkan(2)        kijun(3)         senkou_b(4)
    // 3   11   7     (12+7)/2 = 9.5   (12+7)/2 = 9.5   (12+7)/2 = 9.5
    // 4   14   10    (14+7)/2 = 10.5  (14+7)/2 = 10.5  (14+7)/2 = 10.5
    // 5   13   11    (14+10)/2 = 12   (14+7)/2 = 10.5  (14+7)/2 = 10.5
    // 6   12   11.5  (13+11)/2 = 12   (14+10)/2 = 12   (14+7)/2 = 10.5
    // senkou_a = (tenkan + kijun)/2: 9.5, 10.5, 11.25, 12
    const h = [10, 11, 12, 11, 14, 13, 12];
    const l = [8, 9, 9, 7, 10, 11, 11.5];
    const [t, k, a, b] = run(ICHIMOKU, bars(h, h, h, l), [2, 3, 4]);
    expectSeries(t, [N, N, N, 9.5, 10.5, 12, 12]);
    expectSeries(k, [N, N, N, 9.5, 10.5, 10.5, 12]);
    expectSeries(a, [N, N, N, 9.5, 10.5, 11.25, 12]);
    expectSeries(b, [N, N, N, 9.5, 10.5, 10.5, 10.5]);
  });

  it('Supertrend(2, 1): Wilder ATR bands, ratcheting, flips', () => {
    // bars (h, l, c); TR from bar 1; ATR(2) = mean of TR1,TR2 then (prev + TR)/2
    // 0 (10, 9, 9.5)
    // 1 (11, 9.5, 10.5)   TR 1.5
    // 2 (12, 10, 11.5)    TR 2    ATR 1.75    hl2 11: up 12.75, lo 9.25; first bar: dir -1, ST = 12.75
    // 3 (14, 12, 13.8)    TR 2.5  ATR 2.125   hl2 13: basic up 15.125 (kept 12.75), basic lo 10.875 > 9.25 → 10.875
    //                                         close 13.8 > 12.75 → dir +1, ST = 10.875
    // 4 (13.5,10.5,10.6)  TR 3.3  ATR 2.7125  hl2 12: basic up 14.7125, prev close 13.8 > 12.75 → up = 14.7125;
    //                                         basic lo 9.2875 (kept 10.875); close 10.6 < 10.875 → dir -1, ST = 14.7125
    // 5 (11, 9, 9.5)      TR 2    ATR 2.35625 hl2 10: basic up 12.35625 < 14.7125 → 12.35625;
    //                                         prev close 10.6 < 10.875 → lo = 7.64375; close 9.5 → dir -1, ST 12.35625
    const x = hlc([[10, 9, 9.5], [11, 9.5, 10.5], [12, 10, 11.5], [14, 12, 13.8], [13.5, 10.5, 10.6], [11, 9, 9.5]]);
    const [st, dir] = run(SUPERTREND, x, [2, 1]);
    expectSeries(st, [N, N, 12.75, 10.875, 14.7125, 12.35625], 1e-12);
    expectSeries(dir, [N, N, -1, 1, -1, -1]);
  });
});

describe('hand-computed: regression, midpoints, bands, channels', () => {
  it('linear regression(3) of [1,3,2,5]: slope, intercept at the oldest bar, R²', () => {
    // window [1,3,2] at t = 0,1,2: t̄ = 1, ȳ = 2, Σ(t-t̄)(y-ȳ) = 1, Σ(t-t̄)² = 2 → slope 0.5,
    //   intercept = ȳ - slope·t̄ = 1.5, Σ(y-ȳ)² = 2 → R² = 1²/(2·2) = 0.25
    // window [3,2,5]: ȳ = 10/3, Σ(t-t̄)(y-ȳ) = 1/3 + 5/3 = 2 → slope 1, intercept 7/3,
    //   Σ(y-ȳ)² = (1+16+25)/9 = 14/3 → R² = 4/(2·14/3) = 3/7
    const x = bars([1, 3, 2, 5]);
    expectSeries(run(LINEARREG_SLOPE, x, [3])[0], [N, N, 0.5, 1]);
    expectSeries(run(LINEARREG_INTERCEPT, x, [3])[0], [N, N, 1.5, 7 / 3]);
    expectSeries(run(LINEARREG_R2, x, [3])[0], [N, N, 0.25, 3 / 7]);
    // a flat window: slope 0, intercept = the value, R² undefined (NaN)
    expectSeries(run(LINEARREG_SLOPE, bars([4, 4, 4]), [3])[0], [N, N, 0]);
    expectSeries(run(LINEARREG_R2, bars([4, 4, 4]), [3])[0], [N, N, N]);
    // a straight line: R² = 1
    expectSeries(run(LINEARREG_R2, bars([2, 4, 6, 8]), [3])[0], [N, N, 1, 1]);
  });

  it('MIDPOINT(3) and MIDPRICE(2)', () => {
    // [1,5,3,2,4]: (5+1)/2 = 3, (5+2)/2 = 3.5, (4+2)/2 = 3
    expectSeries(run(MIDPOINT, bars([1, 5, 3, 2, 4]), [3])[0], [N, N, 3, 3.5, 3]);
    // high [10,12,11], low [8,9,7]: (12+8)/2 = 10, (12+7)/2 = 9.5
    expectSeries(run(MIDPRICE, bars([9, 10, 9], undefined, [10, 12, 11], [8, 9, 7]), [2])[0], [N, 10, 9.5]);
  });

  it('Bollinger(3, 2) with the population std', () => {
    // [1,2,3]: mean 2, var = (1+0+1)/3 = 2/3 (ddof 0), s = sqrt(2/3): upper 2+2s, lower 2-2s,
    //   %b = (3 - (2-2s))/(4s) = (1+2s)/(4s), width = 4s/2 = 2s
    // [2,3,4]: mean 3, same s, close 4: %b = (1+2s)/(4s), width = 4s/3
    // [3,4,8]: mean 5, var = (4+1+9)/3 = 14/3, t = sqrt(14/3): %b = (8-5+2t)/(4t), width = 4t/5
    const s = Math.sqrt(2 / 3);
    const t = Math.sqrt(14 / 3);
    const [u, m, l, pb, w] = run(BB, bars([1, 2, 3, 4, 8]), [3, 2]);
    expectSeries(u, [N, N, 2 + 2 * s, 3 + 2 * s, 5 + 2 * t]);
    expectSeries(m, [N, N, 2, 3, 5]);
    expectSeries(l, [N, N, 2 - 2 * s, 3 - 2 * s, 5 - 2 * t]);
    expectSeries(pb, [N, N, (1 + 2 * s) / (4 * s), (1 + 2 * s) / (4 * s), (3 + 2 * t) / (4 * t)]);
    expectSeries(w, [N, N, 2 * s, (4 * s) / 3, (4 * t) / 5]);
    // flat window: the bands coincide, %b is undefined
    const [u2, , l2, pb2] = run(BB, bars([5, 5, 5]), [3, 2]);
    expect([u2[2], l2[2], pb2[2]]).toEqual([5, 5, N]);
  });

  it('Keltner(2, 2, 1): EMA(close,2) ± ATR(2)', () => {
    // closes [9.5,10.5,11.5,13.8,10.6,9.5]; EMA(2): seed 10 at i=1, then +2/3 of the gap: 11, 12.8667, 11.3556, 10.1185
    // ATR(2) (the Supertrend bars): -, -, 1.75, 2.125, 2.7125, 2.35625. Lookback max(2-1, 2) = 2.
    const x = hlc([[10, 9, 9.5], [11, 9.5, 10.5], [12, 10, 11.5], [14, 12, 13.8], [13.5, 10.5, 10.6], [11, 9, 9.5]]);
    const e2 = 11;
    const e3 = e2 + (2 / 3) * (13.8 - e2);
    const e4 = e3 + (2 / 3) * (10.6 - e3);
    const e5 = e4 + (2 / 3) * (9.5 - e4);
    const atr = [1.75, 2.125, 2.7125, 2.35625];
    const [u, m, l] = run(KELTNER, x, [2, 2, 1]);
    expectSeries(m, [N, N, e2, e3, e4, e5]);
    expectSeries(u, [N, N, e2 + atr[0], e3 + atr[1], e4 + atr[2], e5 + atr[3]]);
    expectSeries(l, [N, N, e2 - atr[0], e3 - atr[1], e4 - atr[2], e5 - atr[3]]);
  });

  it('Donchian(3)', () => {
    // high [10,11,12,14,13.5,11], low [9,9.5,10,12,10.5,9]
    // i=2: 12 / 9 / 10.5; i=3: 14 / 9.5 / 11.75; i=4: 14 / 10 / 12; i=5: 14 / 9 / 11.5
    const x = bars([9, 10, 11, 13, 11, 10], undefined, [10, 11, 12, 14, 13.5, 11], [9, 9.5, 10, 12, 10.5, 9]);
    const [u, m, l] = run(DONCHIAN, x, [3]);
    expectSeries(u, [N, N, 12, 14, 14, 14]);
    expectSeries(m, [N, N, 10.5, 11.75, 12, 11.5]);
    expectSeries(l, [N, N, 9, 9.5, 10, 9]);
  });
});

describe('hand-computed: volatility', () => {
  // bars (h, l, c):      TR = max(h-l, |pc-h|, |pc-l|)
  // 0 (10, 9, 9.5)       -
  // 1 (11, 9.5, 10.5)    max(1.5, 1.5, 0)   = 1.5
  // 2 (12, 10, 11.5)     max(2, 1.5, 0.5)   = 2
  // 3 (14, 12, 13.8)     max(2, 2.5, 0.5)   = 2.5   (gap up: |pc - h| wins)
  // 4 (13.5, 10.5, 10.6) max(3, 0.3, 3.3)   = 3.3   (|pc - l| wins)
  // 5 (11, 9, 9.5)       max(2, 0.4, 1.6)   = 2
  const x = hlc([[10, 9, 9.5], [11, 9.5, 10.5], [12, 10, 11.5], [14, 12, 13.8], [13.5, 10.5, 10.6], [11, 9, 9.5]]);

  it('TRANGE', () => {
    expectSeries(run(TRANGE, x)[0], [N, 1.5, 2, 2.5, 3.3, 2]);
  });

  it("ATR(3), Wilder: first = mean of TR1..TR3, then (prev·2 + TR)/3", () => {
    // i=3: (1.5+2+2.5)/3 = 2; i=4: (2·2 + 3.3)/3 = 7.3/3; i=5: (2·7.3/3 + 2)/3 = 20.6/9
    expectSeries(run(ATR, x, [3])[0], [N, N, N, 2, 7.3 / 3, 20.6 / 9]);
    // ATR(2): 1.75, (1.75 + 2.5)/2 = 2.125, (2.125 + 3.3)/2 = 2.7125, (2.7125 + 2)/2 = 2.35625
    expectSeries(run(ATR, x, [2])[0], [N, N, 1.75, 2.125, 2.7125, 2.35625]);
    // ATR(1) is the true range
    expectSeries(run(ATR, x, [1])[0], [N, 1.5, 2, 2.5, 3.3, 2]);
  });

  it('ATR(3) on a second hand example with gaps both ways', () => {
    // (h, l, c): (20,18,19) (22,19,21) (21,17,18) (25,23,24) (19,16,17) (18,17,17.5) (19,17,18.5)
    // TR: 1: max(3,3,0)=3; 2: max(4,0,4)=4; 3: max(2,7,5)=7; 4: max(3,5,8)=8; 5: max(1,1,0)=1; 6: max(2,1.5,0.5)=2
    // ATR(3): i=3: (3+4+7)/3 = 14/3; i=4: (2·14/3 + 8)/3 = 52/9; i=5: (2·52/9 + 1)/3 = 113/27;
    //         i=6: (2·113/27 + 2)/3 = 280/81
    const y = hlc([[20, 18, 19], [22, 19, 21], [21, 17, 18], [25, 23, 24], [19, 16, 17], [18, 17, 17.5], [19, 17, 18.5]]);
    expectSeries(run(TRANGE, y)[0], [N, 3, 4, 7, 8, 1, 2]);
    expectSeries(run(ATR, y, [3])[0], [N, N, N, 14 / 3, 52 / 9, 113 / 27, 280 / 81]);
  });

  it('NATR(3) = 100·ATR/close', () => {
    expectSeries(run(NATR, x, [3])[0], [N, N, N, (100 * 2) / 13.8, (100 * 7.3) / 3 / 10.6, (100 * 20.6) / 9 / 9.5]);
  });

  it('vol_cc(3): sample std of log returns', () => {
    // closes 100, 110, 99, 108.9, 98.01: returns a = ln 1.1, b = ln 0.9, a, b
    // window [a,b,a]: mean (2a+b)/3, deviations (a-b)/3, -2(a-b)/3, (a-b)/3 → Σd² = 6(a-b)²/9,
    //   var (ddof 1) = (a-b)²/3 → std = |a-b|/√3; window [b,a,b] the same
    const a = Math.log(1.1);
    const b = Math.log(0.9);
    const sd = Math.abs(a - b) / Math.sqrt(3);
    expectSeries(run(VOL_CC, bars([100, 110, 99, 108.9, 98.01]), [3])[0], [N, N, N, sd, sd], 1e-9);
  });

  it('range estimators: Parkinson, Garman-Klass, Rogers-Satchell', () => {
    // Parkinson(2): bars H/L = 110/100 and 121/110: ln(H/L) = ln 1.1 both → sqrt(ln(1.1)²/(4 ln 2)) = ln 1.1/sqrt(4 ln 2)
    const p = bars([105, 115], [100, 110], [110, 121], [100, 110]);
    expectSeries(run(VOL_PARKINSON, p, [2])[0], [N, Math.log(1.1) / Math.sqrt(4 * Math.LN2)]);
    // one bar O 100 H 110 L 95 C 105, n = 1:
    // GK = ½ ln(110/95)² - (2 ln 2 - 1) ln(1.05)²  (= 0.0098267); vol = sqrt
    // RS = ln(110/105) ln(1.1) + ln(95/105) ln(0.95)  (= 0.0095674); vol = sqrt
    const q = bars([105], [100], [110], [95]);
    const gk = 0.5 * Math.log(110 / 95) ** 2 - (2 * Math.LN2 - 1) * Math.log(1.05) ** 2;
    const rs = Math.log(110 / 105) * Math.log(1.1) + Math.log(95 / 105) * Math.log(0.95);
    expect(gk).toBeCloseTo(0.0098267, 6);
    expect(rs).toBeCloseTo(0.0095674, 6);
    expectSeries(run(VOL_GK, q, [1])[0], [Math.sqrt(gk)]);
    expectSeries(run(VOL_RS, q, [1])[0], [Math.sqrt(rs)]);
    // n = 2 averages the per-bar variances before the sqrt: GK bars 1,2 of p (O=L, C between)
    const gk1 = 0.5 * Math.log(1.1) ** 2 - (2 * Math.LN2 - 1) * Math.log(105 / 100) ** 2;
    const gk2 = 0.5 * Math.log(1.1) ** 2 - (2 * Math.LN2 - 1) * Math.log(115 / 110) ** 2;
    expectSeries(run(VOL_GK, p, [2])[0], [N, Math.sqrt((gk1 + gk2) / 2)]);
  });

  it('Yang-Zhang(2)', () => {
    // bars O H L C: (100,102,99,101) (102,104,101,103) (102,105,100,104)
    // overnight o_i = ln(O_i/C_{i-1}): ln(102/101), ln(102/103); open-close c_i = ln(C_i/O_i): ln(103/102), ln(104/102)
    // RS_i = ln(H/C)ln(H/O) + ln(L/C)ln(L/O); with n = 2 a sample variance is (u-v)²/2, k = 0.34/(1.34 + 3/1)
    // σ² at i=2 = var(o) + k·var(c) + (1-k)·(RS_1 + RS_2)/2
    const y = bars([101, 103, 104], [100, 102, 102], [102, 104, 105], [99, 101, 100]);
    const k = 0.34 / (1.34 + 3);
    expect(yangZhangK(2)).toBeCloseTo(k, 15);
    const vo = (Math.log(102 / 101) - Math.log(102 / 103)) ** 2 / 2;
    const vc = (Math.log(103 / 102) - Math.log(104 / 102)) ** 2 / 2;
    const rs1 = Math.log(104 / 103) * Math.log(104 / 102) + Math.log(101 / 103) * Math.log(101 / 102);
    const rs2 = Math.log(105 / 104) * Math.log(105 / 102) + Math.log(100 / 104) * Math.log(100 / 102);
    expectSeries(run(VOL_YZ, y, [2])[0], [N, N, Math.sqrt(vo + k * vc + ((1 - k) * (rs1 + rs2)) / 2)]);
  });

  it('Ulcer(2): RMS of % drawdowns from the 2-bar max close', () => {
    // closes [10,8,9,12,6]; 2-bar max: -,10,9,12,12; D% = -,-20,0,0,-50
    // ulcer: i=2: sqrt((400+0)/2) = sqrt(200); i=3: 0; i=4: sqrt((0+2500)/2) = sqrt(1250)
    expectSeries(run(ULCER, bars([10, 8, 9, 12, 6]), [2])[0], [N, N, Math.sqrt(200), 0, Math.sqrt(1250)]);
  });
});

describe('missing values', () => {
  it('windowed: NaN while the missing value is in the window; no poisoning afterwards', () => {
    expectSeries(run(SMA, bars([1, 2, N, 4, 5, 6, 7]), [3])[0], [N, N, N, N, N, 5, 6]);
    expectSeries(run(SMA, bars([1, 2, Infinity, 4, 5, 6, 7]), [3])[0], [N, N, N, N, N, 5, 6]);
    expectSeries(run(MIDPOINT, bars([1, 5, N, 3, 2, 4]), [2])[0], [N, 3, N, N, 2.5, 3]);
  });

  it('recursive: EMA skips a missing value and keeps its state', () => {
    // [1,3,NaN,5,Inf,7], n = 2, k = 2/3: seed 2 at i=1; i=3: 2 + 2/3(5-2) = 4; i=5: 4 + 2/3(7-4) = 6
    expectSeries(run(EMA, bars([1, 3, N, 5, Infinity, 7]), [2])[0], [N, 2, N, 4, N, 6]);
  });

  it('a bar is missing when any field the indicator reads is missing', () => {
    // VWMA(2) reads close and volume: a NaN volume makes bar 1 missing
    expectSeries(
      run(VWMA, bars([10, 12, 11, 13], undefined, undefined, undefined, [100, N, 200, 100]), [2])[0],
      [N, N, N, (2200 + 1300) / 300],
    );
    // SMA reads only close: a NaN volume changes nothing
    expectSeries(run(SMA, bars([1, 2, 3], undefined, undefined, undefined, [N, N, N]), [2])[0], [N, 1.5, 2.5]);
  });

  it('ATR: a missing bar and the bar after it (no previous close) are skipped', () => {
    const y = hlc([[20, 18, 19], [22, 19, 21], [21, 17, 18], [25, 23, 24], [19, 16, N], [18, 17, 17.5], [19, 17, 18.5]]);
    // TR: -,3,4,7, missing, no previous close, 2 → ATR(3): 14/3 at i=3, skip 4 and 5, i=6: (2·14/3 + 2)/3 = 34/9
    expectSeries(run(ATR, y, [3])[0], [N, N, N, 14 / 3, N, N, 34 / 9]);
  });
});

// ---------------------------------------------------------------------------------------------------------------
// properties
// ---------------------------------------------------------------------------------------------------------------

type Step = { gap: number; ret: number; up: number; dn: number; vol: number };
type Hole = { at: number; field: keyof Ohlcv; value: number };

const sizeArb = fc.oneof(fc.constant(0), fc.double({ min: -1, max: 1, noNaN: true }));
const stepArb: fc.Arbitrary<Step> = fc.record({
  gap: sizeArb.map((x) => x * 0.02),
  ret: sizeArb.map((x) => x * 0.05),
  up: sizeArb.map((x) => Math.abs(x) * 0.03),
  dn: sizeArb.map((x) => Math.abs(x) * 0.03),
  vol: fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 1_000_000 })),
});
const holeArb: fc.Arbitrary<Hole> = fc.record({
  at: fc.nat(),
  field: fc.constantFrom<keyof Ohlcv>('open', 'high', 'low', 'close', 'volume'),
  value: fc.constantFrom(Number.NaN, Infinity, -Infinity),
});

/** Valid positive OHLCV from a random walk; optionally with missing values punched in. */
function buildBars(start: number, steps: Step[], holes: Hole[]): Ohlcv {
  const len = steps.length;
  const x: Ohlcv = {
    open: new Float64Array(len),
    high: new Float64Array(len),
    low: new Float64Array(len),
    close: new Float64Array(len),
    volume: new Float64Array(len),
  };
  let p = start;
  for (let i = 0; i < len; i++) {
    const s = steps[i];
    const o = p * Math.exp(s.gap);
    const c = o * Math.exp(s.ret);
    x.open[i] = o;
    x.close[i] = c;
    x.high[i] = Math.max(o, c) * Math.exp(s.up);
    x.low[i] = Math.min(o, c) * Math.exp(-s.dn);
    x.volume[i] = s.vol;
    p = c;
  }
  if (len > 0) for (const h of holes) x[h.field][h.at % len] = h.value;
  return x;
}

const seriesArb = (maxLen: number, withHoles: boolean) =>
  fc
    .record({
      start: fc.double({ min: 0.01, max: 50_000, noNaN: true }),
      // size 'max': without it fast-check caps arrays at ~10 elements whatever maxLength says
      steps: fc.array(stepArb, { minLength: 0, maxLength: maxLen, size: 'max' }),
      holes: withHoles ? fc.array(holeArb, { maxLength: 4 }) : fc.constant([] as Hole[]),
    })
    .map(({ start, steps, holes }) => buildBars(start, steps, holes));

/** Random parameters in the spec's range (periods capped at 25, reals at 10 so the series exercise the warm-up). */
function paramsArb(spec: IndicatorSpec): fc.Arbitrary<number[]> {
  if (spec.params.length === 0) return fc.constant([]);
  return fc.tuple(
    ...spec.params.map((q) =>
      q.int
        ? fc.integer({ min: q.min ?? 1, max: Math.min(q.max ?? 25, Math.max(q.min ?? 1, 25)) })
        : fc.double({ min: q.min ?? 0, max: Math.min(q.max ?? 10, 10), noNaN: true }),
    ),
  );
}

function sliceBars(x: Ohlcv, k: number): Ohlcv {
  return {
    open: x.open.slice(0, k),
    high: x.high.slice(0, k),
    low: x.low.slice(0, k),
    close: x.close.slice(0, k),
    volume: x.volume.slice(0, k),
  };
}

describe('properties (fast-check)', () => {
  for (const spec of ALL) {
    it(`${spec.name}: stream reproduces batch to 1e-9 at every bar (random OHLCV, params, missing values)`, () => {
      fc.assert(
        fc.property(seriesArb(120, true), paramsArb(spec), (x, p) => {
          const b = spec.batch(x, p);
          const s = runStream(spec, x, p);
          for (let k = 0; k < b.length; k++) {
            for (let i = 0; i < b[k].length; i++) {
              if (!near(b[k][i], s[k][i])) throw new Error(`${spec.outputs[k]}[${i}]: batch ${b[k][i]} stream ${s[k][i]}`);
            }
          }
        }),
        { numRuns: 80 },
      );
    });

    it(`${spec.name}: no look-ahead (truncating at k leaves outputs before k unchanged)`, () => {
      fc.assert(
        fc.property(seriesArb(100, true), paramsArb(spec), fc.nat(), (x, p, kk) => {
          const len = x.close.length;
          const k = len === 0 ? 0 : kk % (len + 1);
          const full = spec.batch(x, p);
          const part = spec.batch(sliceBars(x, k), p);
          for (let j = 0; j < full.length; j++) {
            expect(part[j].length).toBe(k);
            for (let i = 0; i < k; i++) {
              if (!Object.is(part[j][i], full[j][i]) && !(Number.isNaN(part[j][i]) && Number.isNaN(full[j][i]))) {
                throw new Error(`${spec.outputs[j]}[${i}] changed: ${full[j][i]} vs ${part[j][i]} truncated at ${k}`);
              }
            }
          }
        }),
        { numRuns: 60 },
      );
    });

    it(`${spec.name}: leading NaNs = lookback(p) on clean data, for random params`, () => {
      fc.assert(
        fc.property(paramsArb(spec), fc.integer({ min: 1, max: 1000 }), (p, seed) => {
          const lb = spec.lookback(p);
          const x = walk(lb + 30, seed);
          const out = spec.batch(x, p);
          for (let k = 0; k < out.length; k++) {
            if (leadingNaNs(out[k]) !== lb) throw new Error(`${spec.outputs[k]}: ${leadingNaNs(out[k])} leading NaNs, lookback ${lb}`);
            if (out[k].slice(lb).some(Number.isNaN)) throw new Error(`${spec.outputs[k]}: NaN after the warm-up`);
          }
        }),
        { numRuns: 25 },
      );
    });
  }

  it('kernels: running sums stay exact over long series (recompute every n values)', () => {
    // a huge value leaves the window: without recomputation its rounding residue would stay in the sum
    const src = new Float64Array(1000).fill(0.1);
    src[10] = 1e15;
    const s = rollingSum(src, 5);
    expect(s[999]).toBeCloseTo(0.5, 12);
    const v = rollingVar(src, 5, 0);
    expect(v[999]).toBe(0);
    const big = new Float64Array(500);
    for (let i = 0; i < big.length; i++) big[i] = 1e6 + (i % 7) * 0.001;
    const sd = rollingStd(big, 7, 0);
    const ref = Math.sqrt([0, 1, 2, 3, 4, 5, 6].reduce((a, j) => a + (j * 0.001 - 0.003) ** 2, 0) / 7);
    expect(sd[499]).toBeCloseTo(ref, 9);
    const rs = new RollingStd(7, 0);
    let last = NaN;
    for (const v of big) last = rs.update(v);
    expect(last).toBe(sd[499]);
    expectSeries(rollingMax(f64([3, 1, 2, 5, 4, 1, 1]), 3), [N, N, 3, 5, 5, 5, 4]);
    const rm = new RollingMax(3);
    expectSeries([3, 1, 2, 5, 4, 1, 1].map((v) => rm.update(v)), [N, N, 3, 5, 5, 5, 4]);
    expectSeries(rollingMin(f64([3, 1, 2, 5, 4, 1, 1]), 3), [N, N, 1, 1, 2, 1, 1]);
  });
});

// ---------------------------------------------------------------------------------------------------------------
// real data: ORCL 2014 (Yahoo CSV)
// ---------------------------------------------------------------------------------------------------------------

function loadYahoo(path: URL): Ohlcv {
  const lines = readFileSync(path, 'utf8').trim().split(/\r?\n/).slice(1);
  const cols = [0, 1, 2, 3, 5].map(() => new Float64Array(lines.length));
  lines.forEach((line, i) => {
    const f = line.split(',');
    cols[0][i] = Number(f[1]);
    cols[1][i] = Number(f[2]);
    cols[2][i] = Number(f[3]);
    cols[3][i] = Number(f[4]);
    cols[4][i] = Number(f[6]);
  });
  return { open: cols[0], high: cols[1], low: cols[2], close: cols[3], volume: cols[4] };
}

describe('real data: ORCL 2014', () => {
  const x = loadYahoo(new URL('../../shared/data/backtrader/orcl-2014.txt', import.meta.url));
  const { open, high, low, close } = x;
  const len = close.length;
  const valid = (lb: number) => Array.from({ length: len - lb }, (_, j) => j + lb);

  it('loads 252 daily bars', () => {
    expect(len).toBe(252);
    expect(close[0]).toBeCloseTo(37.84, 6);
  });

  it('invariants', () => {
    const [bu, bm, bl, pb, bw] = run(BB, x);
    for (const i of valid(19)) {
      expect(bl[i]).toBeLessThanOrEqual(bm[i]);
      expect(bm[i]).toBeLessThanOrEqual(bu[i]);
      expect(pb[i]).toBeCloseTo((close[i] - bl[i]) / (bu[i] - bl[i]), 12);
      expect(bw[i]).toBeGreaterThan(0);
    }
    const atr = run(ATR, x)[0];
    const natr = run(NATR, x)[0];
    const tr = run(TRANGE, x)[0];
    for (const i of valid(14)) {
      expect(atr[i]).toBeGreaterThan(0);
      expect(natr[i]).toBeCloseTo((100 * atr[i]) / close[i], 12);
    }
    for (const i of valid(1)) expect(tr[i]).toBeGreaterThanOrEqual(high[i] - low[i]);
    const [sar, dir] = run(SAR, x);
    let flips = 0;
    for (const i of valid(1)) {
      if (dir[i] === 1) expect(sar[i]).toBeLessThanOrEqual(low[i]);
      else {
        expect(dir[i]).toBe(-1);
        expect(sar[i]).toBeGreaterThanOrEqual(high[i]);
      }
      if (i > 1 && dir[i] !== dir[i - 1]) flips++;
    }
    expect(flips).toBeGreaterThan(5);
    const [st, sdir] = run(SUPERTREND, x);
    for (const i of valid(10)) {
      if (sdir[i] === 1) expect(st[i]).toBeLessThanOrEqual(close[i]);
      else expect(st[i]).toBeGreaterThanOrEqual(close[i]);
    }
    const [du, dm, dl] = run(DONCHIAN, x);
    const [ku, km, kl] = run(KELTNER, x);
    const [tk, kj, sa, sb] = run(ICHIMOKU, x);
    for (const i of valid(51)) {
      expect(du[i]).toBeGreaterThanOrEqual(high[i]);
      expect(dl[i]).toBeLessThanOrEqual(low[i]);
      expect(dm[i]).toBeCloseTo((du[i] + dl[i]) / 2, 12);
      expect(kl[i]).toBeLessThan(km[i]);
      expect(km[i]).toBeLessThan(ku[i]);
      expect(sa[i]).toBeCloseTo((tk[i] + kj[i]) / 2, 12);
      // tenkan/kijun/senkou_b lie within the 52-bar high/low range
      const hi52 = Math.max(...high.slice(i - 51, i + 1));
      const lo52 = Math.min(...low.slice(i - 51, i + 1));
      for (const v of [tk[i], kj[i], sb[i]]) {
        expect(v).toBeLessThanOrEqual(hi52);
        expect(v).toBeGreaterThanOrEqual(lo52);
      }
      expect(sb[i]).toBeCloseTo((hi52 + lo52) / 2, 12);
    }
    const r2 = run(LINEARREG_R2, x)[0];
    for (const i of valid(13)) {
      expect(r2[i]).toBeGreaterThanOrEqual(0);
      expect(r2[i]).toBeLessThanOrEqual(1);
    }
    for (const spec of [VOL_CC, VOL_PARKINSON, VOL_GK, VOL_RS, VOL_YZ, ULCER]) {
      const v = run(spec, x)[0];
      for (const i of valid(spec.lookback([]))) expect(v[i]).toBeGreaterThanOrEqual(0);
    }
  });

  it('values recomputed naively (O(n·p)) agree', () => {
    const mean = (a: ArrayLike<number>, from: number, to: number) => {
      let s = 0;
      for (let j = from; j <= to; j++) s += a[j];
      return s / (to - from + 1);
    };
    // SMA(30), WMA(30), population std in BB(20,2)
    const sma = run(SMA, x)[0];
    const wma = run(WMA, x)[0];
    const [bu, bm] = run(BB, x);
    for (const i of valid(29)) {
      expect(sma[i]).toBeCloseTo(mean(close, i - 29, i), 10);
      let w = 0;
      for (let k = 1; k <= 30; k++) w += k * close[i - 30 + k];
      expect(wma[i]).toBeCloseTo(w / 465, 10);
    }
    for (const i of valid(19)) {
      const m = mean(close, i - 19, i);
      let ss = 0;
      for (let j = i - 19; j <= i; j++) ss += (close[j] - m) ** 2;
      expect(bm[i]).toBeCloseTo(m, 10);
      expect(bu[i]).toBeCloseTo(m + 2 * Math.sqrt(ss / 20), 10);
    }
    // EMA(30) and ATR(14) by their textbook recursions
    const ema = run(EMA, x)[0];
    let e = mean(close, 0, 29);
    expect(ema[29]).toBeCloseTo(e, 10);
    for (let i = 30; i < len; i++) {
      e = close[i] * (2 / 31) + e * (1 - 2 / 31);
      expect(ema[i]).toBeCloseTo(e, 9);
    }
    const atr = run(ATR, x)[0];
    const trs = [NaN];
    for (let i = 1; i < len; i++) trs.push(Math.max(high[i], close[i - 1]) - Math.min(low[i], close[i - 1]));
    let a = mean(trs, 1, 14);
    expect(atr[14]).toBeCloseTo(a, 10);
    for (let i = 15; i < len; i++) {
      a = (a * 13 + trs[i]) / 14;
      expect(atr[i]).toBeCloseTo(a, 10);
    }
    // LINEARREG_SLOPE / INTERCEPT(14): TA-Lib's own O(n) loop (x = bars ago)
    const slope = run(LINEARREG_SLOPE, x)[0];
    const icpt = run(LINEARREG_INTERCEPT, x)[0];
    const n = 14;
    const sumX = n * (n - 1) * 0.5;
    const sumXSqr = (n * (n - 1) * (2 * n - 1)) / 6;
    const divisor = sumX * sumX - n * sumXSqr;
    for (const i of valid(13)) {
      let sumXY = 0;
      let sumY = 0;
      for (let k = n; k-- !== 0; ) {
        sumY += close[i - k];
        sumXY += k * close[i - k];
      }
      const m = (n * sumXY - sumX * sumY) / divisor;
      expect(slope[i]).toBeCloseTo(m, 10);
      expect(icpt[i]).toBeCloseTo((sumY - m * sumX) / n, 9);
    }
    // TRIMA(30) with explicit triangular weights 1..15,15..1 / 240
    const trima = run(TRIMA, x)[0];
    for (const i of valid(29)) {
      let s = 0;
      for (let k = 0; k < 30; k++) s += (k < 15 ? k + 1 : 30 - k) * close[i - 29 + k];
      expect(trima[i]).toBeCloseTo(s / 240, 10);
    }
    // KAMA(30) with the volatility summed afresh at each bar
    const kama = run(KAMA, x)[0];
    let kp = close[29];
    for (let i = 30; i < len; i++) {
      let vol = 0;
      for (let j = i - 29; j <= i; j++) vol += Math.abs(close[j] - close[j - 1]);
      const er = Math.abs(close[i] - close[i - 30]) / vol;
      const sc = (er * (2 / 3 - 2 / 31) + 2 / 31) ** 2;
      kp = kp + sc * (close[i] - kp);
      expect(kama[i]).toBeCloseTo(kp, 9);
    }
    // Yang-Zhang(20), Parkinson(20), Ulcer(14)
    const yz = run(VOL_YZ, x)[0];
    const pk = run(VOL_PARKINSON, x)[0];
    const ul = run(ULCER, x)[0];
    const svar = (a: number[]) => {
      const m = a.reduce((s, v) => s + v, 0) / a.length;
      return a.reduce((s, v) => s + (v - m) ** 2, 0) / (a.length - 1);
    };
    const kk = 0.34 / (1.34 + 21 / 19);
    for (const i of valid(20)) {
      const ro: number[] = [];
      const rc: number[] = [];
      let rs = 0;
      let park = 0;
      for (let j = i - 19; j <= i; j++) {
        ro.push(Math.log(open[j] / close[j - 1]));
        rc.push(Math.log(close[j] / open[j]));
        rs += Math.log(high[j] / close[j]) * Math.log(high[j] / open[j]) + Math.log(low[j] / close[j]) * Math.log(low[j] / open[j]);
        park += Math.log(high[j] / low[j]) ** 2 / (4 * Math.LN2);
      }
      expect(yz[i]).toBeCloseTo(Math.sqrt(svar(ro) + kk * svar(rc) + ((1 - kk) * rs) / 20), 12);
      expect(pk[i]).toBeCloseTo(Math.sqrt(park / 20), 12);
    }
    for (const i of valid(26)) {
      let s = 0;
      for (let j = i - 13; j <= i; j++) {
        const mx = Math.max(...close.slice(j - 13, j + 1));
        s += (100 * (close[j] - mx) / mx) ** 2;
      }
      expect(ul[i]).toBeCloseTo(Math.sqrt(s / 14), 10);
    }
    // stream agrees with batch on the real series too (defaults)
    for (const spec of ALL) {
      const p = spec.params.map((q) => q.default);
      const b = spec.batch(x, p);
      const s = runStream(spec, x, p);
      for (let k = 0; k < b.length; k++) expectSeries(s[k], Array.from(b[k]));
    }
  });
});
