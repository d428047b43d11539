/**
 * Momentum indicators. TA-Lib names, defaults, formulas and lookbacks unless a spec's `note` says otherwise.
 * Each is an incremental kernel (see kernels-b.ts for the shared pieces and the missing-value rules); `batch` drives
 * the same kernel over the columns, so both forms agree exactly. Everything is O(1) per bar except CCI (O(n) per bar:
 * its mean absolute deviation has no running form, as in TA-Lib).
 *
 * Exception: CCI's batch sums the absolute deviations in four partial sums (within n·2^-53 of the kernel's single sum,
 * i.e. ~1e-15 relative), to break the dependency chain. Inside a pipeline call (a batch scope, kernels.ts) columns
 * several specs read (the high/low extremes, RSI, DM sums, ADX, close sums) are computed once and shared.
 *
 * The algorithms follow TA-Lib's C source, arithmetic order included (seeds, Wilder updates, tie rules). One
 * deliberate difference: TA-Lib tests most denominators with TA_IS_ZERO (|x| < 1e-8); we test exactly 0 (the result
 * is then 0, as TA-Lib's), so that instruments quoted in tiny units are not zeroed.
 */
import type { IndicatorSpec, Ohlcv } from './types.ts';
import {
  dmCols,
  emaCol,
  extCol,
  gainLossCol,
  lagAt,
  scratch,
  sumCol,
  Ema,
  Lag,
  RollingMax,
  RollingSum,
  WilderDM,
  WilderGainLoss,
  defineIndicator,
  period,
  trueRange,
  type DmCols,
  type Kernel,
} from './kernels-b.ts';
import { batchScopeActive, sharedColumn, sharedColumns, sharedExtreme, sharedExtremeSince } from './kernels.ts';

/**
 * Highest (isMin false) / lowest of an INPUT column over w bars for a batch form: shared with the other specs of the
 * pipeline call (kernels.ts sharedExtreme: read only) when the column is exactly `len` long, else extCol into scratch
 * slot `slot`. Never for a computed column (the share is keyed by the array).
 */
function extInput(src: Float64Array, w: number, len: number, isMin: boolean, slot: number): Float64Array {
  return src.length === len ? sharedExtreme(src, w, !isMin) : extCol(src, w, len, isMin, scratch(slot, len));
}

// ---------------------------------------------------------------- RSI / CMO

class RsiKernel implements Kernel {
  readonly out = new Float64Array(1);
  private readonly gl: WilderGainLoss;
  constructor(n: number) {
    this.gl = new WilderGainLoss(n);
  }
  update(_o: number, _h: number, _l: number, c: number): Float64Array {
    const gl = this.gl;
    if (gl.push(c)) {
      const s = gl.gain + gl.loss;
      this.out[0] = s !== 0 ? 100 * (gl.gain / s) : 0;
    } else this.out[0] = NaN;
    return this.out;
  }
}

export const RSI: IndicatorSpec = defineIndicator({
  name: 'rsi',
  description: "Relative Strength Index (Wilder), 0..100",
  group: 'momentum',
  inputs: ['close'],
  params: [period('period', 14)],
  outputs: ['rsi'],
  lookback: ([n]) => n,
  make: ([n]) => new RsiKernel(n),
  batch: rsiBatch,
});

class CmoKernel implements Kernel {
  readonly out = new Float64Array(1);
  private readonly gl: WilderGainLoss;
  constructor(n: number) {
    this.gl = new WilderGainLoss(n);
  }
  update(_o: number, _h: number, _l: number, c: number): Float64Array {
    const gl = this.gl;
    if (gl.push(c)) {
      const s = gl.gain + gl.loss;
      this.out[0] = s !== 0 ? 100 * ((gl.gain - gl.loss) / s) : 0;
    } else this.out[0] = NaN;
    return this.out;
  }
}

export const CMO: IndicatorSpec = defineIndicator({
  name: 'cmo',
  description: 'Chande Momentum Oscillator, -100..100 (Wilder-smoothed gains/losses, as TA-Lib)',
  group: 'momentum',
  inputs: ['close'],
  params: [period('period', 14)],
  outputs: ['cmo'],
  lookback: ([n]) => n,
  make: ([n]) => new CmoKernel(n),
  batch: cmoBatch,
});

// ---------------------------------------------------------------- Stochastics

/** TA-Lib's raw %K: (x - lowest)/((highest - lowest)/100), 0 when highest == lowest. */
function rawK(x: number, hi: number, lo: number): number {
  const diff = (hi - lo) / 100;
  return diff !== 0 ? (x - lo) / diff : 0;
}

class StochKernel implements Kernel {
  readonly out = new Float64Array(2);
  private readonly hi: RollingMax;
  private readonly lo: RollingMax;
  private readonly smaK: RollingSum;
  private readonly smaD: RollingSum;
  constructor(fastk: number, slowk: number, slowd: number) {
    this.hi = new RollingMax(fastk);
    this.lo = new RollingMax(fastk);
    this.smaK = new RollingSum(slowk);
    this.smaD = new RollingSum(slowd);
  }
  update(_o: number, h: number, l: number, c: number): Float64Array {
    const hh = this.hi.push(h);
    const ll = -this.lo.push(-l);
    const fastK = c - c === 0 ? rawK(c, hh, ll) : NaN; // NaN if hh/ll are
    const k = this.smaK.push(fastK) / this.smaK.w;
    const d = this.smaD.push(k) / this.smaD.w;
    const ok = d === d;
    this.out[0] = ok ? k : NaN;
    this.out[1] = ok ? d : NaN;
    return this.out;
  }
}

export const STOCH: IndicatorSpec = defineIndicator({
  name: 'stoch',
  description: 'Slow stochastic %K/%D (SMA smoothing, TA-Lib matype 0), 0..100',
  group: 'momentum',
  inputs: ['high', 'low', 'close'],
  params: [period('fastk', 14, 1), period('slowk', 3, 1), period('slowd', 3, 1)],
  outputs: ['stoch_k', 'stoch_d'],
  lookback: ([fk, sk, sd]) => fk - 1 + sk - 1 + sd - 1,
  make: ([fk, sk, sd]) => new StochKernel(fk, sk, sd),
  batch: stochBatch,
});

class StochRsiKernel implements Kernel {
  readonly out = new Float64Array(2);
  private readonly gl: WilderGainLoss;
  private readonly hi: RollingMax;
  private readonly lo: RollingMax;
  private readonly smaD: RollingSum;
  constructor(n: number, fastk: number, fastd: number) {
    this.gl = new WilderGainLoss(n);
    this.hi = new RollingMax(fastk);
    this.lo = new RollingMax(fastk);
    this.smaD = new RollingSum(fastd);
  }
  update(_o: number, _h: number, _l: number, c: number): Float64Array {
    const gl = this.gl;
    let rsi = NaN;
    if (gl.push(c)) {
      const s = gl.gain + gl.loss;
      rsi = s !== 0 ? 100 * (gl.gain / s) : 0;
    }
    const hh = this.hi.push(rsi);
    const ll = -this.lo.push(-rsi);
    const k = rsi === rsi ? rawK(rsi, hh, ll) : NaN;
    const d = this.smaD.push(k) / this.smaD.w;
    const ok = d === d;
    this.out[0] = ok ? k : NaN;
    this.out[1] = ok ? d : NaN;
    return this.out;
  }
}

export const STOCHRSI: IndicatorSpec = defineIndicator({
  name: 'stochrsi',
  description: 'Stochastic RSI: fast stochastic (%K, SMA %D) of RSI, 0..100',
  group: 'momentum',
  inputs: ['close'],
  params: [period('period', 14), period('fastk', 5, 1), period('fastd', 3, 1)],
  outputs: ['stochrsi_k', 'stochrsi_d'],
  lookback: ([n, fk, fd]) => n + fk - 1 + fd - 1,
  make: ([n, fk, fd]) => new StochRsiKernel(n, fk, fd),
  batch: stochRsiBatch,
});

// ---------------------------------------------------------------- MACD / APO / PPO

class MacdKernel implements Kernel {
  readonly out = new Float64Array(3);
  private readonly fast: Ema;
  private readonly slow: Ema;
  private readonly signal: Ema;
  constructor(fast: number, slow: number, signal: number) {
    if (slow < fast) [fast, slow] = [slow, fast]; // as TA-Lib
    this.slow = new Ema(slow);
    // TA-Lib seeds the fast EMA on the fast-period window that ends on the slow EMA's seed bar.
    this.fast = new Ema(fast, slow - fast);
    this.signal = new Ema(signal);
  }
  update(_o: number, _h: number, _l: number, c: number): Float64Array {
    const m = this.fast.push(c) - this.slow.push(c);
    const s = this.signal.push(m);
    const ok = s === s && m === m;
    this.out[0] = ok ? m : NaN;
    this.out[1] = ok ? s : NaN;
    this.out[2] = ok ? m - s : NaN;
    return this.out;
  }
}

export const MACD: IndicatorSpec = defineIndicator({
  name: 'macd',
  description: 'MACD line, signal and histogram (SMA-seeded EMAs, TA-Lib alignment)',
  group: 'momentum',
  inputs: ['close'],
  params: [period('fast', 12), period('slow', 26), period('signal', 9, 1)],
  outputs: ['macd', 'macd_signal', 'macd_hist'],
  lookback: ([f, s, g]) => Math.max(f, s) - 1 + g - 1,
  make: ([f, s, g]) => new MacdKernel(f, s, g),
  batch: macdBatch,
});

class PoKernel implements Kernel {
  readonly out = new Float64Array(1);
  private readonly fast: RollingSum;
  private readonly slow: RollingSum;
  constructor(
    fast: number,
    slow: number,
    private readonly pct: boolean,
  ) {
    if (slow < fast) [fast, slow] = [slow, fast]; // as TA-Lib
    this.fast = new RollingSum(fast);
    this.slow = new RollingSum(slow);
  }
  update(_o: number, _h: number, _l: number, c: number): Float64Array {
    const f = this.fast.push(c) / this.fast.w;
    const s = this.slow.push(c) / this.slow.w;
    if (this.pct) {
      if (s === s) this.out[0] = s !== 0 ? ((f - s) / s) * 100 : 0;
      else this.out[0] = NaN;
    } else this.out[0] = f - s;
    return this.out;
  }
}

const PO_NOTE = 'SMA averages (TA-Lib matype 0); periods are swapped when slow < fast, as TA-Lib does';

export const APO: IndicatorSpec = defineIndicator({
  name: 'apo',
  description: 'Absolute Price Oscillator: SMA(fast) - SMA(slow)',
  group: 'momentum',
  inputs: ['close'],
  params: [period('fast', 12), period('slow', 26)],
  outputs: ['apo'],
  note: PO_NOTE,
  lookback: ([f, s]) => Math.max(f, s) - 1,
  make: ([f, s]) => new PoKernel(f, s, false),
  batch: (input, [f, s], len) => poBatch(input, f, s, false, len),
});

export const PPO: IndicatorSpec = defineIndicator({
  name: 'ppo',
  description: 'Percentage Price Oscillator: (SMA(fast) - SMA(slow)) / SMA(slow) * 100',
  group: 'momentum',
  inputs: ['close'],
  params: [period('fast', 12), period('slow', 26)],
  outputs: ['ppo'],
  note: PO_NOTE + '; no signal line (TA-Lib PPO has none)',
  lookback: ([f, s]) => Math.max(f, s) - 1,
  make: ([f, s]) => new PoKernel(f, s, true),
  batch: (input, [f, s], len) => poBatch(input, f, s, true, len),
});

// ---------------------------------------------------------------- ROC / MOM / TRIX

class RocKernel implements Kernel {
  readonly out = new Float64Array(1);
  private readonly lag: Lag;
  constructor(
    n: number,
    private readonly pct: boolean,
  ) {
    this.lag = new Lag(n);
  }
  update(_o: number, _h: number, _l: number, c: number): Float64Array {
    const prev = this.lag.push(c);
    if (this.pct) {
      if (prev === prev && c - c === 0) this.out[0] = prev !== 0 ? (c / prev - 1) * 100 : 0;
      else this.out[0] = NaN;
    } else this.out[0] = c - c === 0 ? c - prev : NaN;
    return this.out;
  }
}

export const ROC: IndicatorSpec = defineIndicator({
  name: 'roc',
  description: 'Rate of change in percent: (close/close[n] - 1) * 100',
  group: 'momentum',
  inputs: ['close'],
  params: [period('period', 10, 1)],
  outputs: ['roc'],
  lookback: ([n]) => n,
  make: ([n]) => new RocKernel(n, true),
  batch: (input, [n], len) => rocBatch(input, n, true, len),
});

export const MOM: IndicatorSpec = defineIndicator({
  name: 'mom',
  description: 'Momentum: close - close[n]',
  group: 'momentum',
  inputs: ['close'],
  params: [period('period', 10, 1)],
  outputs: ['mom'],
  lookback: ([n]) => n,
  make: ([n]) => new RocKernel(n, false),
  batch: (input, [n], len) => rocBatch(input, n, false, len),
});

class TrixKernel implements Kernel {
  readonly out = new Float64Array(1);
  private readonly e1: Ema;
  private readonly e2: Ema;
  private readonly e3: Ema;
  private prev = NaN;
  constructor(n: number) {
    this.e1 = new Ema(n);
    this.e2 = new Ema(n);
    this.e3 = new Ema(n);
  }
  update(_o: number, _h: number, _l: number, c: number): Float64Array {
    const e = this.e3.push(this.e2.push(this.e1.push(c)));
    const prev = this.prev;
    this.prev = e;
    if (e === e && prev === prev) this.out[0] = prev !== 0 ? (e / prev - 1) * 100 : 0;
    else this.out[0] = NaN;
    return this.out;
  }
}

export const TRIX: IndicatorSpec = defineIndicator({
  name: 'trix',
  description: '1-bar rate of change (percent) of a triple EMA',
  group: 'momentum',
  inputs: ['close'],
  params: [period('period', 30, 1)],
  outputs: ['trix'],
  lookback: ([n]) => 3 * (n - 1) + 1,
  make: ([n]) => new TrixKernel(n),
  batch: trixBatch,
});

// ---------------------------------------------------------------- CCI / WILLR / BOP

class CciKernel implements Kernel {
  readonly out = new Float64Array(1);
  private readonly buf: Float64Array;
  private pos = 0;
  private i = -1;
  private lastBad = -Infinity;
  constructor(private readonly n: number) {
    this.buf = new Float64Array(n);
  }
  update(_o: number, h: number, l: number, c: number): Float64Array {
    const n = this.n;
    const i = ++this.i;
    let tp = (h + l + c) / 3;
    if (tp - tp !== 0) {
      this.lastBad = i;
      tp = 0;
    }
    const buf = this.buf;
    buf[this.pos] = tp;
    if (++this.pos === n) this.pos = 0;
    if (i < n - 1 || i - this.lastBad < n) {
      this.out[0] = NaN;
      return this.out;
    }
    // O(n) per bar, as TA-Lib: the mean deviation around the current mean has no running form.
    let avg = 0;
    for (let j = 0; j < n; j++) avg += buf[j];
    avg /= n;
    let dev = 0;
    for (let j = 0; j < n; j++) dev += Math.abs(buf[j] - avg);
    const num = tp - avg;
    // A mean deviation within rounding noise of the price level (all typical prices equal but for the last bits)
    // counts as zero: otherwise CCI would be a ±100-scale number made of rounding error.
    const md = dev / n;
    this.out[0] = num !== 0 && md > 1e-12 * Math.abs(avg) ? num / (0.015 * md) : 0;
    return this.out;
  }
}

export const CCI: IndicatorSpec = defineIndicator({
  name: 'cci',
  description: 'Commodity Channel Index: (tp - SMA(tp)) / (0.015 * mean deviation), tp = (h+l+c)/3',
  group: 'momentum',
  inputs: ['high', 'low', 'close'],
  params: [period('period', 14)],
  outputs: ['cci'],
  note: 'O(period) per bar (mean deviation), like TA-Lib',
  lookback: ([n]) => n - 1,
  make: ([n]) => new CciKernel(n),
  batch: cciBatch,
});

class WillrKernel implements Kernel {
  readonly out = new Float64Array(1);
  private readonly hi: RollingMax;
  private readonly lo: RollingMax;
  constructor(n: number) {
    this.hi = new RollingMax(n);
    this.lo = new RollingMax(n);
  }
  update(_o: number, h: number, l: number, c: number): Float64Array {
    const hh = this.hi.push(h);
    const ll = -this.lo.push(-l);
    const diff = (hh - ll) * -0.01;
    if (c - c === 0 && diff === diff) this.out[0] = diff !== 0 ? (hh - c) / diff : 0;
    else this.out[0] = NaN;
    return this.out;
  }
}

export const WILLR: IndicatorSpec = defineIndicator({
  name: 'willr',
  description: "Williams' %R, -100..0",
  group: 'momentum',
  inputs: ['high', 'low', 'close'],
  params: [period('period', 14)],
  outputs: ['willr'],
  lookback: ([n]) => n - 1,
  make: ([n]) => new WillrKernel(n),
  batch: willrBatch,
});

class BopKernel implements Kernel {
  readonly out = new Float64Array(1);
  update(o: number, h: number, l: number, c: number): Float64Array {
    const r = h - l;
    const v = (c - o) / r;
    // valid inputs: r is finite and c - o finite; TA-Lib gives 0 when h - l <= 0
    if (r - r === 0 && (c - o) - (c - o) === 0) this.out[0] = r > 0 ? v : 0;
    else this.out[0] = NaN;
    return this.out;
  }
}

export const BOP: IndicatorSpec = defineIndicator({
  name: 'bop',
  description: 'Balance of Power: (close - open) / (high - low)',
  group: 'momentum',
  inputs: ['open', 'high', 'low', 'close'],
  params: [],
  outputs: ['bop'],
  lookback: () => 0,
  make: () => new BopKernel(),
  batch: bopBatch,
});

// ---------------------------------------------------------------- Directional movement

class DiKernel implements Kernel {
  readonly out = new Float64Array(1);
  private readonly dm: WilderDM;
  constructor(
    n: number,
    private readonly plus: boolean,
  ) {
    this.dm = new WilderDM(n);
  }
  update(_o: number, h: number, l: number, c: number): Float64Array {
    const dm = this.dm;
    if (dm.push(h, l, c)) this.out[0] = dm.tr !== 0 ? 100 * ((this.plus ? dm.plusDM : dm.minusDM) / dm.tr) : 0;
    else this.out[0] = NaN;
    return this.out;
  }
}

export const PLUS_DI: IndicatorSpec = defineIndicator({
  name: 'plus_di',
  description: 'Plus Directional Indicator (Wilder)',
  group: 'momentum',
  inputs: ['high', 'low', 'close'],
  params: [period('period', 14)],
  outputs: ['plus_di'],
  lookback: ([n]) => n,
  make: ([n]) => new DiKernel(n, true),
  batch: (input, [n], len) => diBatch(input, n, true, len),
});

export const MINUS_DI: IndicatorSpec = defineIndicator({
  name: 'minus_di',
  description: 'Minus Directional Indicator (Wilder)',
  group: 'momentum',
  inputs: ['high', 'low', 'close'],
  params: [period('period', 14)],
  outputs: ['minus_di'],
  lookback: ([n]) => n,
  make: ([n]) => new DiKernel(n, false),
  batch: (input, [n], len) => diBatch(input, n, false, len),
});

/** TA-Lib's ADX: DX averaged over the first n DX bars, then Wilder-smoothed. An undefined DX (zero TR or zero
 * +DI + -DI) counts as 0 in the first average and leaves ADX unchanged afterwards, as TA-Lib. */
class AdxState {
  private readonly dm: WilderDM;
  private cnt = 0;
  private sum = 0;
  adx = NaN;
  constructor(private readonly n: number) {
    this.dm = new WilderDM(n);
  }
  push(h: number, l: number, c: number): number {
    const dm = this.dm;
    if (!dm.push(h, l, c)) return NaN;
    let dx = NaN;
    if (dm.tr !== 0) {
      const mdi = 100 * (dm.minusDM / dm.tr);
      const pdi = 100 * (dm.plusDM / dm.tr);
      const s = mdi + pdi;
      if (s !== 0) dx = 100 * (Math.abs(mdi - pdi) / s);
    }
    const n = this.n;
    if (this.cnt < n) {
      if (dx === dx) this.sum += dx;
      if (++this.cnt < n) return NaN;
      this.adx = this.sum / n;
      return this.adx;
    }
    if (dx === dx) this.adx = (this.adx * (n - 1) + dx) / n;
    return this.adx;
  }
}

class AdxKernel implements Kernel {
  readonly out = new Float64Array(1);
  private readonly adx: AdxState;
  constructor(n: number) {
    this.adx = new AdxState(n);
  }
  update(_o: number, h: number, l: number, c: number): Float64Array {
    this.out[0] = this.adx.push(h, l, c);
    return this.out;
  }
}

export const ADX: IndicatorSpec = defineIndicator({
  name: 'adx',
  description: 'Average Directional Index (Wilder), 0..100',
  group: 'momentum',
  inputs: ['high', 'low', 'close'],
  params: [period('period', 14)],
  outputs: ['adx'],
  lookback: ([n]) => 2 * n - 1,
  make: ([n]) => new AdxKernel(n),
  batch: adxBatch,
});

class AdxrKernel implements Kernel {
  readonly out = new Float64Array(1);
  private readonly adx: AdxState;
  private readonly lag: Lag;
  constructor(n: number) {
    this.adx = new AdxState(n);
    this.lag = new Lag(n - 1);
  }
  update(_o: number, h: number, l: number, c: number): Float64Array {
    const a = this.adx.push(h, l, c);
    this.out[0] = (a + this.lag.push(a)) / 2;
    return this.out;
  }
}

export const ADXR: IndicatorSpec = defineIndicator({
  name: 'adxr',
  description: 'Average Directional Movement Rating: (ADX + ADX[n-1]) / 2',
  group: 'momentum',
  inputs: ['high', 'low', 'close'],
  params: [period('period', 14)],
  outputs: ['adxr'],
  lookback: ([n]) => 3 * n - 2,
  make: ([n]) => new AdxrKernel(n),
  batch: adxrBatch,
});

// ---------------------------------------------------------------- Aroon

class AroonKernel implements Kernel {
  readonly out: Float64Array;
  private readonly hi: RollingMax;
  private readonly lo: RollingMax;
  private readonly factor: number;
  constructor(
    private readonly n: number,
    private readonly osc: boolean,
  ) {
    this.out = new Float64Array(osc ? 1 : 2);
    this.hi = new RollingMax(n + 1);
    this.lo = new RollingMax(n + 1);
    this.factor = 100 / n;
  }
  update(_o: number, h: number, l: number): Float64Array {
    const hh = this.hi.push(h);
    const ll = this.lo.push(-l);
    const out = this.out;
    if (hh !== hh || ll !== ll) {
      out.fill(NaN);
      return out;
    }
    const n = this.n;
    if (this.osc) {
      // TA-Lib: factor * (highestIdx - lowestIdx)
      out[0] = this.factor * (this.lo.since - this.hi.since);
    } else {
      out[0] = this.factor * (n - this.lo.since);
      out[1] = this.factor * (n - this.hi.since);
    }
    return out;
  }
}

export const AROON: IndicatorSpec = defineIndicator({
  name: 'aroon',
  description: 'Aroon down/up: 100 * (n - bars since the lowest low / highest high of the last n+1 bars) / n',
  group: 'momentum',
  inputs: ['high', 'low'],
  params: [period('period', 14)],
  outputs: ['aroon_down', 'aroon_up'],
  lookback: ([n]) => n,
  make: ([n]) => new AroonKernel(n, false),
  batch: (input, [n], len) => aroonBatch(input, n, false, len),
});

export const AROONOSC: IndicatorSpec = defineIndicator({
  name: 'aroonosc',
  description: 'Aroon oscillator: Aroon up - Aroon down, -100..100',
  group: 'momentum',
  inputs: ['high', 'low'],
  params: [period('period', 14)],
  outputs: ['aroonosc'],
  lookback: ([n]) => n,
  make: ([n]) => new AroonKernel(n, true),
  batch: (input, [n], len) => aroonBatch(input, n, true, len),
});

// ---------------------------------------------------------------- MFI / ULTOSC

class MfiKernel implements Kernel {
  readonly out = new Float64Array(1);
  private readonly pos: RollingSum;
  private readonly neg: RollingSum;
  private prevTp = NaN;
  constructor(n: number) {
    this.pos = new RollingSum(n);
    this.neg = new RollingSum(n);
  }
  update(_o: number, h: number, l: number, c: number, v: number): Float64Array {
    let tp = (h + l + c) / 3;
    if (tp - tp !== 0) tp = NaN;
    const prev = this.prevTp;
    this.prevTp = tp;
    let p = NaN;
    let q = NaN;
    if (tp === tp && prev === prev && v - v === 0) {
      const mf = tp * v;
      p = tp > prev ? mf : 0;
      q = tp < prev ? mf : 0;
    }
    const ps = this.pos.push(p);
    const ns = this.neg.push(q);
    if (ps !== ps) {
      this.out[0] = NaN;
      return this.out;
    }
    const total = ps + ns;
    // running sums can drift by a few ulp: clamp the positive part into [0, total] so the result stays in 0..100
    const pc = ps < 0 ? 0 : ps > total ? total : ps;
    this.out[0] = total > 0 ? 100 * (pc / total) : 0;
    return this.out;
  }
}

export const MFI: IndicatorSpec = defineIndicator({
  name: 'mfi',
  description: 'Money Flow Index, 0..100',
  group: 'momentum',
  inputs: ['high', 'low', 'close', 'volume'],
  params: [period('period', 14)],
  outputs: ['mfi'],
  note: 'an all-zero money-flow window gives 0; classic TA-Lib (0.4) gives 0 whenever the window total is < 1',
  lookback: ([n]) => n,
  make: ([n]) => new MfiKernel(n),
  batch: mfiBatch,
});

class UltoscKernel implements Kernel {
  readonly out = new Float64Array(1);
  private readonly a1: RollingSum;
  private readonly b1: RollingSum;
  private readonly a2: RollingSum;
  private readonly b2: RollingSum;
  private readonly a3: RollingSum;
  private readonly b3: RollingSum;
  private prevC = NaN;
  constructor(p1: number, p2: number, p3: number) {
    // TA-Lib sorts the periods: weight 4 on the shortest, 2 on the middle, 1 on the longest
    const s = [p1, p2, p3].sort((x, y) => x - y);
    this.a1 = new RollingSum(s[0]);
    this.b1 = new RollingSum(s[0]);
    this.a2 = new RollingSum(s[1]);
    this.b2 = new RollingSum(s[1]);
    this.a3 = new RollingSum(s[2]);
    this.b3 = new RollingSum(s[2]);
  }
  update(_o: number, h: number, l: number, c: number): Float64Array {
    const pc = this.prevC;
    const ok = h - h === 0 && l - l === 0 && c - c === 0;
    this.prevC = ok ? c : NaN;
    let bp = NaN;
    let tr = NaN;
    if (ok && pc === pc) {
      bp = c - (l < pc ? l : pc);
      tr = trueRange(h, l, pc);
    }
    const a1 = this.a1.push(bp);
    const b1 = this.b1.push(tr);
    const a2 = this.a2.push(bp);
    const b2 = this.b2.push(tr);
    const a3 = this.a3.push(bp);
    const b3 = this.b3.push(tr);
    if (a3 !== a3) {
      this.out[0] = NaN;
      return this.out;
    }
    let o = 0;
    if (b1 !== 0) o += 4 * (a1 / b1);
    if (b2 !== 0) o += 2 * (a2 / b2);
    if (b3 !== 0) o += a3 / b3;
    this.out[0] = 100 * (o / 7);
    return this.out;
  }
}

export const ULTOSC: IndicatorSpec = defineIndicator({
  name: 'ultosc',
  description: 'Ultimate Oscillator (weights 4/2/1 on the short/mid/long buying-pressure ratios), 0..100',
  group: 'momentum',
  inputs: ['high', 'low', 'close'],
  params: [period('period1', 7, 1), period('period2', 14, 1), period('period3', 28, 1)],
  outputs: ['ultosc'],
  lookback: (q) => Math.max(q[0], q[1], q[2]),
  make: ([a, b, c]) => new UltoscKernel(a, b, c),
  batch: ultoscBatch,
});

// ---------------------------------------------------------------- Ours: TSI / AO / DPO

class TsiKernel implements Kernel {
  readonly out = new Float64Array(1);
  private readonly m1: Ema;
  private readonly m2: Ema;
  private readonly a1: Ema;
  private readonly a2: Ema;
  private prevC = NaN;
  constructor(long: number, short: number) {
    this.m1 = new Ema(long);
    this.m2 = new Ema(short);
    this.a1 = new Ema(long);
    this.a2 = new Ema(short);
  }
  update(_o: number, _h: number, _l: number, c: number): Float64Array {
    if (c - c !== 0) c = NaN;
    const m = c - this.prevC;
    this.prevC = c;
    const num = this.m2.push(this.m1.push(m));
    const den = this.a2.push(this.a1.push(Math.abs(m)));
    if (den === den) this.out[0] = den !== 0 ? 100 * (num / den) : 0;
    else this.out[0] = NaN;
    return this.out;
  }
}

export const TSI: IndicatorSpec = defineIndicator({
  name: 'tsi',
  description: 'True Strength Index: 100 * EMA(short, EMA(long, Δclose)) / EMA(short, EMA(long, |Δclose|))',
  group: 'momentum',
  inputs: ['close'],
  params: [period('long', 25, 1), period('short', 13, 1)],
  outputs: ['tsi'],
  note: 'not in TA-Lib; EMAs are SMA-seeded like TA-Lib EMA; 0 when the |Δclose| average is 0',
  lookback: ([lg, sh]) => 1 + (lg - 1) + (sh - 1),
  make: ([lg, sh]) => new TsiKernel(lg, sh),
  batch: tsiBatch,
});

class AoKernel implements Kernel {
  readonly out = new Float64Array(1);
  private readonly fast: RollingSum;
  private readonly slow: RollingSum;
  constructor(fast: number, slow: number) {
    this.fast = new RollingSum(fast);
    this.slow = new RollingSum(slow);
  }
  update(_o: number, h: number, l: number): Float64Array {
    const m = (h + l) / 2;
    this.out[0] = this.fast.push(m) / this.fast.w - this.slow.push(m) / this.slow.w;
    return this.out;
  }
}

export const AO: IndicatorSpec = defineIndicator({
  name: 'ao',
  description: 'Awesome Oscillator: SMA(fast) - SMA(slow) of the median price (h+l)/2',
  group: 'momentum',
  inputs: ['high', 'low'],
  params: [period('fast', 5, 1), period('slow', 34, 1)],
  outputs: ['ao'],
  note: 'not in TA-Lib (Bill Williams)',
  lookback: ([f, s]) => Math.max(f, s) - 1,
  make: ([f, s]) => new AoKernel(f, s),
  batch: aoBatch,
});

class DpoKernel implements Kernel {
  readonly out = new Float64Array(1);
  private readonly sma: RollingSum;
  private readonly lag: Lag;
  constructor(n: number) {
    this.sma = new RollingSum(n);
    this.lag = new Lag(Math.floor(n / 2) + 1);
  }
  update(_o: number, _h: number, _l: number, c: number): Float64Array {
    const past = this.lag.push(this.sma.push(c) / this.sma.w);
    this.out[0] = c - past; // NaN if either is
    return this.out;
  }
}

export const DPO: IndicatorSpec = defineIndicator({
  name: 'dpo',
  description: 'Detrended Price Oscillator (causal): close - SMA(n) as of n/2+1 bars ago',
  group: 'momentum',
  inputs: ['close'],
  params: [period('period', 20, 1)],
  outputs: ['dpo'],
  note:
    'not in TA-Lib. Causal form dpo[t] = close[t] - SMA(n)[t - k], k = floor(n/2)+1 (pandas-ta centered=False); ' +
    'the textbook centered form close[t-k] - SMA(n)[t] shifted back k bars would look k bars ahead',
  lookback: ([n]) => n - 1 + Math.floor(n / 2) + 1,
  make: ([n]) => new DpoKernel(n),
  batch: dpoBatch,
});

// ---------------------------------------------------------------- Batch forms
// Each reproduces its kernel above exactly (same arithmetic, same order) as tight loops over the columns, using the
// column forms of the kernels-b pieces (sumCol, extCol, emaCol, gainLossCol, dmCols).

/** The RSI column for a batch form: shared READ ONLY in a batch scope (rsi and stochrsi of one period), else scratch. */
function rsiOf(input: Ohlcv, n: number, len: number, slot: number): Float64Array {
  const c = input.close;
  if (!batchScopeActive() || c.length !== len) return gainLossCol(c, n, len, 0, scratch(slot, len));
  return sharedColumn(`rsi:${n}`, c, (x, out) => gainLossCol(x, n, len, 0, out));
}

function rsiBatch(input: Ohlcv, [n]: number[], len: number): Float64Array[] {
  if (!batchScopeActive() || input.close.length !== len) return [gainLossCol(input.close, n, len, 0)];
  return [new Float64Array(rsiOf(input, n, len, 0))];
}

function cmoBatch(input: Ohlcv, [n]: number[], len: number): Float64Array[] {
  return [gainLossCol(input.close, n, len, 1)];
}

function stochBatch(input: Ohlcv, [fk, sk, sd]: number[], len: number): Float64Array[] {
  const { high, low, close } = input;
  const hh = extInput(high, fk, len, false, 0);
  const ll = extInput(low, fk, len, true, 1);
  const fastK = scratch(2, len);
  for (let i = 0; i < len; i++) {
    const c = close[i];
    fastK[i] = c - c === 0 ? rawK(c, hh[i], ll[i]) : NaN;
  }
  const k = sumCol(fastK, sk, len);
  for (let i = 0; i < len; i++) k[i] = k[i] / sk;
  const d = sumCol(k, sd, len);
  for (let i = 0; i < len; i++) {
    const di = d[i] / sd;
    const ok = di === di;
    d[i] = ok ? di : NaN;
    if (!ok) k[i] = NaN;
  }
  return [k, d];
}

function stochRsiBatch(input: Ohlcv, [n, fk, fd]: number[], len: number): Float64Array[] {
  const rsi = rsiOf(input, n, len, 0);
  const hh = extCol(rsi, fk, len, false, scratch(1, len));
  const ll = extCol(rsi, fk, len, true, scratch(2, len));
  const k = new Float64Array(len);
  for (let i = 0; i < len; i++) {
    const r = rsi[i];
    k[i] = r === r ? rawK(r, hh[i], ll[i]) : NaN;
  }
  const d = sumCol(k, fd, len);
  for (let i = 0; i < len; i++) {
    const di = d[i] / fd;
    const ok = di === di;
    d[i] = ok ? di : NaN;
    if (!ok) k[i] = NaN;
  }
  return [k, d];
}

function macdBatch(input: Ohlcv, [fast, slow, signal]: number[], len: number): Float64Array[] {
  if (slow < fast) [fast, slow] = [slow, fast];
  const c = input.close;
  const m = emaCol(c, fast, slow - fast, len);
  const sl = emaCol(c, slow, 0, len, scratch(0, len));
  for (let i = 0; i < len; i++) m[i] = m[i] - sl[i];
  const s = emaCol(m, signal, 0, len);
  const h = new Float64Array(len);
  for (let i = 0; i < len; i++) {
    const mi = m[i];
    const si = s[i];
    if (si === si && mi === mi) h[i] = mi - si;
    else m[i] = s[i] = h[i] = NaN;
  }
  return [m, s, h];
}

/** sumCol of the close column for a batch form: shared READ ONLY in a batch scope (ppo and apo), else into scratch. */
function closeSum(input: Ohlcv, w: number, len: number, slot: number): Float64Array {
  const c = input.close;
  if (!batchScopeActive() || c.length !== len) return sumCol(c, w, len, scratch(slot, len));
  return sharedColumn(`sumCol:${w}`, c, (x, out) => sumCol(x, w, len, out));
}

function poBatch(input: Ohlcv, fast: number, slow: number, pct: boolean, len: number): Float64Array[] {
  if (slow < fast) [fast, slow] = [slow, fast];
  const f = closeSum(input, fast, len, 1);
  const s = closeSum(input, slow, len, 0);
  const out = new Float64Array(len);
  if (pct) {
    for (let i = 0; i < len; i++) {
      const fi = f[i] / fast;
      const si = s[i] / slow;
      if (si === si) out[i] = si !== 0 ? ((fi - si) / si) * 100 : 0;
      else out[i] = NaN;
    }
  } else {
    for (let i = 0; i < len; i++) out[i] = f[i] / fast - s[i] / slow;
  }
  return [out];
}

function rocBatch(input: Ohlcv, n: number, pct: boolean, len: number): Float64Array[] {
  const c = input.close;
  const out = new Float64Array(len);
  for (let i = 0; i < len; i++) {
    const x = c[i];
    const prev = lagAt(c, i, n);
    // (if/else, not a nested ?: — V8 would box a double per bar to merge the nested ternary's three values)
    if (pct) {
      if (prev === prev && x - x === 0) out[i] = prev !== 0 ? (x / prev - 1) * 100 : 0;
      else out[i] = NaN;
    } else out[i] = x - x === 0 ? x - prev : NaN;
  }
  return [out];
}

function trixBatch(input: Ohlcv, [n]: number[], len: number): Float64Array[] {
  const e = emaCol(input.close, n, 0, len);
  emaCol(e, n, 0, len, e);
  emaCol(e, n, 0, len, e);
  let prev = NaN;
  for (let i = 0; i < len; i++) {
    const x = e[i];
    if (x === x && prev === prev) e[i] = prev !== 0 ? (x / prev - 1) * 100 : 0;
    else e[i] = NaN;
    prev = x;
  }
  return [e];
}

function cciBatch(input: Ohlcv, [n]: number[], len: number): Float64Array[] {
  const { high, low, close } = input;
  const out = new Float64Array(len);
  const buf = new Float64Array(n);
  // pre[j] = the kernel's running sum of buf[0..j) in ring order (from 0): a bar changes one slot, so the sums before
  // it stay valid and only pre[slot+1..n] are redone (n/2 adds per bar on average, same bits as the kernel's loop)
  const pre = new Float64Array(n + 1);
  let valid = 0; // pre[0..valid] are current
  let pos = 0;
  let lastBad = -Infinity;
  for (let i = 0; i < len; i++) {
    let tp = (high[i] + low[i] + close[i]) / 3;
    if (tp - tp !== 0) {
      lastBad = i;
      tp = 0;
    }
    buf[pos] = tp;
    if (pos < valid) valid = pos;
    if (++pos === n) pos = 0;
    if (i < n - 1 || i - lastBad < n) {
      out[i] = NaN;
      continue;
    }
    let avg = pre[valid];
    for (let j = valid; j < n; j++) {
      avg += buf[j];
      pre[j + 1] = avg;
    }
    valid = n;
    avg /= n;
    // the mean absolute deviation: a sum of non-negative terms, in four partial sums (within n·2^-53 of the kernel's
    // single left-to-right sum)
    let d0 = 0;
    let d1 = 0;
    let d2 = 0;
    let d3 = 0;
    let j = 0;
    for (; j + 3 < n; j += 4) {
      d0 += Math.abs(buf[j] - avg);
      d1 += Math.abs(buf[j + 1] - avg);
      d2 += Math.abs(buf[j + 2] - avg);
      d3 += Math.abs(buf[j + 3] - avg);
    }
    for (; j < n; j++) d0 += Math.abs(buf[j] - avg);
    const dev = d0 + d1 + (d2 + d3);
    const num = tp - avg;
    const md = dev / n;
    out[i] = num !== 0 && md > 1e-12 * Math.abs(avg) ? num / (0.015 * md) : 0;
  }
  return [out];
}

function willrBatch(input: Ohlcv, [n]: number[], len: number): Float64Array[] {
  const c = input.close;
  const hh = extInput(input.high, n, len, false, 0);
  const ll = extInput(input.low, n, len, true, 1);
  const out = new Float64Array(len);
  for (let i = 0; i < len; i++) {
    const h = hh[i];
    const x = c[i];
    const diff = (h - ll[i]) * -0.01;
    if (x - x === 0 && diff === diff) out[i] = diff !== 0 ? (h - x) / diff : 0;
    else out[i] = NaN;
  }
  return [out];
}

function bopBatch(input: Ohlcv, _q: number[], len: number): Float64Array[] {
  const { open, high, low, close } = input;
  const out = new Float64Array(len);
  for (let i = 0; i < len; i++) {
    const r = high[i] - low[i];
    const co = close[i] - open[i];
    if (r - r === 0 && co - co === 0) out[i] = r > 0 ? co / r : 0;
    else out[i] = NaN;
  }
  return [out];
}

/**
 * dmCols for the batch forms. In a batch scope it is computed once per period and shared, read only (plus_di,
 * minus_di, adx and adxr of one period all read it; keyed by the high column: the scope's specs all read one input).
 */
function dmShared(input: Ohlcv, n: number, len: number): DmCols {
  const { high, low, close } = input;
  if (!batchScopeActive() || high.length !== len || low.length !== len || close.length !== len) return dmCols(high, low, close, n, len);
  const c = sharedColumns(`dm:${n}`, high, 4, (_h, outs) => copyDm(dmCols(high, low, close, n, len), len, outs));
  return { plus: c[0], minus: c[1], tr: c[2], ok: c[3] };
}

/** dmCols' scratch columns into outs (plus, minus, tr, ok as 0/1). A top-level loop: see kernels.ts sparseQuery. */
function copyDm(d: DmCols, len: number, outs: Float64Array[]): void {
  outs[0].set(d.plus.subarray(0, len));
  outs[1].set(d.minus.subarray(0, len));
  outs[2].set(d.tr.subarray(0, len));
  const ok = outs[3];
  const src = d.ok;
  for (let i = 0; i < len; i++) ok[i] = src[i];
}

function diBatch(input: Ohlcv, n: number, plus: boolean, len: number): Float64Array[] {
  const dm = dmShared(input, n, len);
  const src = plus ? dm.plus : dm.minus;
  const { tr, ok } = dm;
  const out = new Float64Array(len);
  for (let i = 0; i < len; i++) {
    const t = tr[i];
    if (ok[i] === 1) out[i] = t !== 0 ? 100 * (src[i] / t) : 0;
    else out[i] = NaN;
  }
  return [out];
}

/** AdxState over columns. */
function adxCol(input: Ohlcv, n: number, len: number, out: Float64Array): Float64Array {
  const { plus, minus, tr, ok } = dmShared(input, n, len);
  let cnt = 0;
  let sum = 0;
  let adx = NaN;
  for (let i = 0; i < len; i++) {
    if (ok[i] === 0) {
      out[i] = NaN;
      continue;
    }
    const t = tr[i];
    let dx = NaN;
    if (t !== 0) {
      const mdi = 100 * (minus[i] / t);
      const pdi = 100 * (plus[i] / t);
      const s = mdi + pdi;
      if (s !== 0) dx = 100 * (Math.abs(mdi - pdi) / s);
    }
    if (cnt < n) {
      if (dx === dx) sum += dx;
      if (++cnt < n) {
        out[i] = NaN;
        continue;
      }
      adx = sum / n;
    } else if (dx === dx) adx = (adx * (n - 1) + dx) / n;
    out[i] = adx;
  }
  return out;
}

/**
 * adxCol for the batch forms; in a batch scope once per period, shared read only (adx and adxr of one period), else
 * into scratch slot `slot` (valid for i < len).
 */
function adxShared(input: Ohlcv, n: number, len: number, slot: number): Float64Array {
  if (!batchScopeActive() || input.high.length !== len) return adxCol(input, n, len, scratch(slot, len));
  return sharedColumn(`adx:${n}`, input.high, (_h, out) => adxCol(input, n, len, out));
}

function adxBatch(input: Ohlcv, [n]: number[], len: number): Float64Array[] {
  if (!batchScopeActive() || input.high.length !== len) return [adxCol(input, n, len, new Float64Array(len))];
  return [new Float64Array(adxShared(input, n, len, 0))];
}

function adxrBatch(input: Ohlcv, [n]: number[], len: number): Float64Array[] {
  const a = adxShared(input, n, len, 0);
  const out = new Float64Array(len);
  const k = n - 1;
  for (let i = 0; i < len; i++) out[i] = (a[i] + lagAt(a, i, k)) / 2;
  return [out];
}

function aroonBatch(input: Ohlcv, n: number, osc: boolean, len: number): Float64Array[] {
  // aroon and aroonosc of one period read the same extremes (shared in the batch scope)
  let hh: Float64Array, hs: Float64Array, ll: Float64Array, ls: Float64Array; // prettier-ignore
  if (input.high.length === len && input.low.length === len) {
    [hh, hs] = sharedExtremeSince(input.high, n + 1, true);
    [ll, ls] = sharedExtremeSince(input.low, n + 1, false);
  } else {
    hs = scratch(0, len);
    ls = scratch(1, len);
    hh = extCol(input.high, n + 1, len, false, scratch(2, len), hs);
    ll = extCol(input.low, n + 1, len, true, scratch(3, len), ls);
  }
  const factor = 100 / n;
  const o0 = new Float64Array(len);
  if (osc) {
    for (let i = 0; i < len; i++) o0[i] = hh[i] !== hh[i] || ll[i] !== ll[i] ? NaN : factor * (ls[i] - hs[i]);
    return [o0];
  }
  const o1 = new Float64Array(len);
  for (let i = 0; i < len; i++) {
    if (hh[i] !== hh[i] || ll[i] !== ll[i]) {
      o0[i] = o1[i] = NaN;
    } else {
      o0[i] = factor * (n - ls[i]);
      o1[i] = factor * (n - hs[i]);
    }
  }
  return [o0, o1];
}

function mfiBatch(input: Ohlcv, [n]: number[], len: number): Float64Array[] {
  const { high, low, close, volume } = input;
  const pf = scratch(0, len);
  const nf = scratch(1, len);
  let prev = NaN;
  for (let i = 0; i < len; i++) {
    let tp = (high[i] + low[i] + close[i]) / 3;
    if (tp - tp !== 0) tp = NaN;
    const pv = prev;
    prev = tp;
    const v = volume[i];
    if (tp === tp && pv === pv && v - v === 0) {
      const mf = tp * v;
      pf[i] = tp > pv ? mf : 0;
      nf[i] = tp < pv ? mf : 0;
    } else pf[i] = nf[i] = NaN;
  }
  const pss = sumCol(pf, n, len);
  const nss = sumCol(nf, n, len, scratch(2, len));
  for (let i = 0; i < len; i++) {
    const ps = pss[i];
    if (ps !== ps) continue;
    const total = ps + nss[i];
    const pc = ps < 0 ? 0 : ps > total ? total : ps;
    pss[i] = total > 0 ? 100 * (pc / total) : 0;
  }
  return [pss];
}

function ultoscBatch(input: Ohlcv, [p1, p2, p3]: number[], len: number): Float64Array[] {
  const s = [p1, p2, p3].sort((x, y) => x - y);
  const { high, low, close } = input;
  const bp = scratch(0, len);
  const trs = scratch(1, len);
  let prevC = NaN;
  for (let i = 0; i < len; i++) {
    const h = high[i];
    const l = low[i];
    const c = close[i];
    const pc = prevC;
    const ok = h - h === 0 && l - l === 0 && c - c === 0;
    prevC = ok ? c : NaN;
    if (ok && pc === pc) {
      bp[i] = c - (l < pc ? l : pc);
      trs[i] = trueRange(h, l, pc);
    } else bp[i] = trs[i] = NaN;
  }
  const a1 = sumCol(bp, s[0], len, scratch(2, len));
  const b1 = sumCol(trs, s[0], len, scratch(3, len));
  const a2 = sumCol(bp, s[1], len, scratch(4, len));
  const b2 = sumCol(trs, s[1], len, scratch(5, len));
  const a3 = sumCol(bp, s[2], len);
  const b3 = sumCol(trs, s[2], len, scratch(6, len));
  const out = a3;
  for (let i = 0; i < len; i++) {
    const x3 = a3[i];
    if (x3 !== x3) continue;
    let o = 0;
    if (b1[i] !== 0) o += 4 * (a1[i] / b1[i]);
    if (b2[i] !== 0) o += 2 * (a2[i] / b2[i]);
    if (b3[i] !== 0) o += x3 / b3[i];
    out[i] = 100 * (o / 7);
  }
  return [out];
}

function tsiBatch(input: Ohlcv, [lg, sh]: number[], len: number): Float64Array[] {
  const c = input.close;
  const m = new Float64Array(len);
  const am = scratch(0, len);
  let prevC = NaN;
  for (let i = 0; i < len; i++) {
    let x = c[i];
    if (x - x !== 0) x = NaN;
    const d = x - prevC;
    prevC = x;
    m[i] = d;
    am[i] = Math.abs(d);
  }
  emaCol(m, lg, 0, len, m);
  emaCol(m, sh, 0, len, m);
  emaCol(am, lg, 0, len, am);
  emaCol(am, sh, 0, len, am);
  for (let i = 0; i < len; i++) {
    const den = am[i];
    if (den === den) m[i] = den !== 0 ? 100 * (m[i] / den) : 0;
    else m[i] = NaN;
  }
  return [m];
}

function aoBatch(input: Ohlcv, [f, s]: number[], len: number): Float64Array[] {
  const { high, low } = input;
  const mid = scratch(0, len);
  for (let i = 0; i < len; i++) mid[i] = (high[i] + low[i]) / 2;
  const fs = sumCol(mid, f, len);
  const ss = sumCol(mid, s, len, scratch(1, len));
  for (let i = 0; i < len; i++) fs[i] = fs[i] / f - ss[i] / s;
  return [fs];
}

function dpoBatch(input: Ohlcv, [n]: number[], len: number): Float64Array[] {
  const c = input.close;
  const sma = sumCol(c, n, len, scratch(0, len));
  for (let i = 0; i < len; i++) sma[i] = sma[i] / n;
  const k = Math.floor(n / 2) + 1;
  const out = new Float64Array(len);
  for (let i = 0; i < len; i++) out[i] = c[i] - lagAt(sma, i, k);
  return [out];
}

export const MOMENTUM_INDICATORS: IndicatorSpec[] = [
  RSI,
  STOCH,
  STOCHRSI,
  MACD,
  PPO,
  APO,
  ROC,
  MOM,
  CCI,
  WILLR,
  ADX,
  PLUS_DI,
  MINUS_DI,
  ADXR,
  AROON,
  AROONOSC,
  MFI,
  ULTOSC,
  TRIX,
  CMO,
  BOP,
  TSI,
  AO,
  DPO,
];
