/**
 * Volume indicators. TA-Lib's OBV, AD and ADOSC follow TA-Lib exactly; the rest are ours (see each `note`).
 * Same kernel design and missing-value rules as momentum.ts (see kernels-b.ts). All O(1) per bar.
 *
 * Running totals (OBV, AD, NVI, PVI, VPT) start at the first bar whose inputs are all valid and skip bars with a
 * missing input (output NaN, total kept). The ones built on the bar-to-bar change (OBV, NVI, PVI, VPT) also output
 * NaN on the bar right after a missing one (no valid previous bar to compare with) and leave the total unchanged.
 */
import type { IndicatorSpec, Ohlcv } from './types.ts';
import { Ema, RollingSum, defineIndicator, emaCol, period, scratch, sumCol, type Kernel } from './kernels-b.ts';

// ---------------------------------------------------------------- OBV

class ObvKernel implements Kernel {
  readonly out = new Float64Array(1);
  private obv = NaN;
  private prevC = NaN;
  update(_o: number, _h: number, _l: number, c: number, v: number): Float64Array {
    if (c - c !== 0 || v - v !== 0) {
      this.prevC = NaN;
      this.out[0] = NaN;
      return this.out;
    }
    const pc = this.prevC;
    this.prevC = c;
    if (this.obv !== this.obv) {
      this.obv = v; // TA-Lib: OBV starts at the first bar's volume
      this.out[0] = v;
    } else if (pc !== pc) {
      this.out[0] = NaN;
    } else {
      if (c > pc) this.obv += v;
      else if (c < pc) this.obv -= v;
      this.out[0] = this.obv;
    }
    return this.out;
  }
}

export const OBV: IndicatorSpec = defineIndicator({
  name: 'obv',
  description: 'On-Balance Volume (starts at the first bar volume, as TA-Lib)',
  group: 'volume',
  inputs: ['close', 'volume'],
  params: [],
  outputs: ['obv'],
  lookback: () => 0,
  make: () => new ObvKernel(),
  batch: obvBatch,
});

// ---------------------------------------------------------------- AD / ADOSC / CMF

/** TA-Lib's close-location value times volume: ((c-l) - (h-c)) / (h-l) * v, 0 when h <= l; NaN on a missing input. */
function moneyFlowVolume(h: number, l: number, c: number, v: number): number {
  if (h - h !== 0 || l - l !== 0 || c - c !== 0 || v - v !== 0) return NaN;
  const r = h - l;
  return r > 0 ? ((c - l - (h - c)) / r) * v : 0;
}

class AdKernel implements Kernel {
  readonly out = new Float64Array(1);
  private ad = 0;
  update(_o: number, h: number, l: number, c: number, v: number): Float64Array {
    const x = moneyFlowVolume(h, l, c, v);
    if (x === x) {
      this.ad += x;
      this.out[0] = this.ad;
    } else this.out[0] = NaN;
    return this.out;
  }
}

export const AD: IndicatorSpec = defineIndicator({
  name: 'ad',
  description: 'Chaikin Accumulation/Distribution line',
  group: 'volume',
  inputs: ['high', 'low', 'close', 'volume'],
  params: [],
  outputs: ['ad'],
  lookback: () => 0,
  make: () => new AdKernel(),
  batch: adBatch,
});

class AdoscKernel implements Kernel {
  readonly out = new Float64Array(1);
  private ad = 0;
  private cnt = 0;
  private fastEma = 0;
  private slowEma = 0;
  private readonly fk: number;
  private readonly sk: number;
  private readonly lb: number;
  constructor(fast: number, slow: number) {
    this.fk = 2 / (fast + 1);
    this.sk = 2 / (slow + 1);
    this.lb = Math.max(fast, slow) - 1;
  }
  update(_o: number, h: number, l: number, c: number, v: number): Float64Array {
    const x = moneyFlowVolume(h, l, c, v);
    if (x !== x) {
      this.out[0] = NaN;
      return this.out;
    }
    this.ad += x;
    const ad = this.ad;
    // TA-Lib's ADOSC seeds both EMAs with the first AD value (not an SMA) and writes k*x + (1-k)*prev
    if (this.cnt === 0) {
      this.fastEma = ad;
      this.slowEma = ad;
    } else {
      this.fastEma = this.fk * ad + (1 - this.fk) * this.fastEma;
      this.slowEma = this.sk * ad + (1 - this.sk) * this.slowEma;
    }
    this.out[0] = this.cnt++ >= this.lb ? this.fastEma - this.slowEma : NaN;
    return this.out;
  }
}

export const ADOSC: IndicatorSpec = defineIndicator({
  name: 'adosc',
  description: 'Chaikin A/D oscillator: EMA(fast) - EMA(slow) of the A/D line',
  group: 'volume',
  inputs: ['high', 'low', 'close', 'volume'],
  params: [period('fast', 3), period('slow', 10)],
  outputs: ['adosc'],
  note: 'as TA-Lib: both EMAs are seeded with the first A/D value (no SMA seed), output from bar max(fast,slow)-1',
  lookback: ([f, s]) => Math.max(f, s) - 1,
  make: ([f, s]) => new AdoscKernel(f, s),
  batch: adoscBatch,
});

class CmfKernel implements Kernel {
  readonly out = new Float64Array(1);
  private readonly mfv: RollingSum;
  private readonly vol: RollingSum;
  constructor(n: number) {
    this.mfv = new RollingSum(n);
    this.vol = new RollingSum(n);
  }
  update(_o: number, h: number, l: number, c: number, v: number): Float64Array {
    const x = moneyFlowVolume(h, l, c, v);
    const sm = this.mfv.push(x);
    const sv = this.vol.push(x === x ? v : NaN);
    if (sm === sm) this.out[0] = sv !== 0 ? sm / sv : 0;
    else this.out[0] = NaN;
    return this.out;
  }
}

export const CMF: IndicatorSpec = defineIndicator({
  name: 'cmf',
  description: 'Chaikin Money Flow: sum(CLV * volume, n) / sum(volume, n), -1..1',
  group: 'volume',
  inputs: ['high', 'low', 'close', 'volume'],
  params: [period('period', 20, 1)],
  outputs: ['cmf'],
  note: 'not in TA-Lib 0.4; CLV = 0 when high == low; 0 when the window volume is 0',
  lookback: ([n]) => n - 1,
  make: ([n]) => new CmfKernel(n),
  batch: cmfBatch,
});

// ---------------------------------------------------------------- Force index / Ease of movement

class ForceKernel implements Kernel {
  readonly out = new Float64Array(1);
  private readonly ema: Ema;
  private prevC = NaN;
  constructor(n: number) {
    this.ema = new Ema(n);
  }
  update(_o: number, _h: number, _l: number, c: number, v: number): Float64Array {
    if (c - c !== 0) c = NaN;
    const pc = this.prevC;
    this.prevC = c;
    const f = v - v === 0 ? (c - pc) * v : NaN;
    this.out[0] = this.ema.push(f);
    return this.out;
  }
}

export const FORCE: IndicatorSpec = defineIndicator({
  name: 'force',
  description: "Elder's Force Index: EMA(n) of (close - prev close) * volume",
  group: 'volume',
  inputs: ['close', 'volume'],
  params: [period('period', 13, 1)],
  outputs: ['force'],
  note: 'not in TA-Lib; SMA-seeded EMA like TA-Lib EMA',
  lookback: ([n]) => n,
  make: ([n]) => new ForceKernel(n),
  batch: forceBatch,
});

/** Volume unit of the box ratio: volume is counted in millions of shares (Arms' convention). */
export const EOM_VOLUME_SCALE = 1e6;

class EomKernel implements Kernel {
  readonly out = new Float64Array(1);
  private readonly sma: RollingSum;
  private prevMid = NaN;
  constructor(n: number) {
    this.sma = new RollingSum(n);
  }
  update(_o: number, h: number, l: number, _c: number, v: number): Float64Array {
    let mid = (h + l) / 2;
    if (mid - mid !== 0) mid = NaN;
    const pm = this.prevMid;
    this.prevMid = mid;
    let e = NaN;
    if (mid === mid && pm === pm && v - v === 0) {
      const r = h - l;
      // box ratio = (v / 1e6) / (h - l); a bar with no range or no volume has no defined ratio: 0
      e = r > 0 && v > 0 ? (mid - pm) / (v / EOM_VOLUME_SCALE / r) : 0;
    }
    this.out[0] = this.sma.push(e) / this.sma.w;
    return this.out;
  }
}

export const EOM: IndicatorSpec = defineIndicator({
  name: 'eom',
  description: "Arms' Ease of Movement: SMA(n) of Δmidpoint / ((volume / 1e6) / (high - low))",
  group: 'volume',
  inputs: ['high', 'low', 'volume'],
  params: [period('period', 14, 1)],
  outputs: ['eom'],
  note:
    'not in TA-Lib; volume scaled to millions (box ratio = (v/1e6)/(h-l)), so values are price² per million shares; ' +
    'a bar with high == low or zero volume contributes 0',
  lookback: ([n]) => n,
  make: ([n]) => new EomKernel(n),
  batch: eomBatch,
});

// ---------------------------------------------------------------- NVI / PVI / VPT

/** mode 0: NVI (update on falling volume), 1: PVI (rising volume), 2: VPT (every bar, volume-weighted). */
class VolumeIndexKernel implements Kernel {
  readonly out = new Float64Array(1);
  private value = NaN;
  private prevC = NaN;
  private prevV = NaN;
  constructor(
    private readonly mode: 0 | 1 | 2,
    private readonly start: number,
  ) {}
  update(_o: number, _h: number, _l: number, c: number, v: number): Float64Array {
    if (c - c !== 0 || v - v !== 0) {
      this.prevC = this.prevV = NaN;
      this.out[0] = NaN;
      return this.out;
    }
    const pc = this.prevC;
    const pv = this.prevV;
    this.prevC = c;
    this.prevV = v;
    if (this.value !== this.value) {
      this.value = this.start;
      this.out[0] = this.value;
      return this.out;
    }
    if (pc !== pc) {
      this.out[0] = NaN;
      return this.out;
    }
    if (pc !== 0) {
      const mode = this.mode;
      const r = (c - pc) / pc;
      if (mode === 2) this.value += v * r;
      else if (mode === 0 ? v < pv : v > pv) this.value += this.value * r;
    }
    this.out[0] = this.value;
    return this.out;
  }
}

export const NVI: IndicatorSpec = defineIndicator({
  name: 'nvi',
  description: 'Negative Volume Index (starts at 1000; moves with price on bars whose volume fell)',
  group: 'volume',
  inputs: ['close', 'volume'],
  params: [],
  outputs: ['nvi'],
  note: 'not in TA-Lib; starts at 1000 on the first bar; a previous close of 0 leaves it unchanged',
  lookback: () => 0,
  make: () => new VolumeIndexKernel(0, 1000),
  batch: (input, _q, len) => volumeIndexBatch(input, 0, 1000, len),
});

export const PVI: IndicatorSpec = defineIndicator({
  name: 'pvi',
  description: 'Positive Volume Index (starts at 1000; moves with price on bars whose volume rose)',
  group: 'volume',
  inputs: ['close', 'volume'],
  params: [],
  outputs: ['pvi'],
  note: 'not in TA-Lib; starts at 1000 on the first bar; a previous close of 0 leaves it unchanged',
  lookback: () => 0,
  make: () => new VolumeIndexKernel(1, 1000),
  batch: (input, _q, len) => volumeIndexBatch(input, 1, 1000, len),
});

export const VPT: IndicatorSpec = defineIndicator({
  name: 'vpt',
  description: 'Volume-Price Trend: running sum of volume * (close - prev close) / prev close',
  group: 'volume',
  inputs: ['close', 'volume'],
  params: [],
  outputs: ['vpt'],
  note: 'not in TA-Lib; 0 on the first bar; a previous close of 0 adds nothing',
  lookback: () => 0,
  make: () => new VolumeIndexKernel(2, 0),
  batch: (input, _q, len) => volumeIndexBatch(input, 2, 0, len),
});

// ---------------------------------------------------------------- Batch forms
// Each reproduces its kernel above exactly (same arithmetic, same order) as a tight loop over the columns.

function obvBatch(input: Ohlcv, _q: number[], len: number): Float64Array[] {
  const { close, volume } = input;
  const out = new Float64Array(len);
  let obv = NaN;
  let prevC = NaN;
  for (let i = 0; i < len; i++) {
    const c = close[i];
    const v = volume[i];
    if (c - c !== 0 || v - v !== 0) {
      prevC = NaN;
      out[i] = NaN;
      continue;
    }
    const pc = prevC;
    prevC = c;
    if (obv !== obv) {
      obv = v;
      out[i] = v;
    } else if (pc !== pc) {
      out[i] = NaN;
    } else {
      if (c > pc) obv += v;
      else if (c < pc) obv -= v;
      out[i] = obv;
    }
  }
  return [out];
}

/** moneyFlowVolume over the columns. */
function mfvCol(input: Ohlcv, len: number, out: Float64Array): Float64Array {
  const { high, low, close, volume } = input;
  // moneyFlowVolume written out with a store per branch: merging its NaN / number / 0 returns makes V8 box a double
  for (let i = 0; i < len; i++) {
    const h = high[i];
    const l = low[i];
    const c = close[i];
    const v = volume[i];
    if (h - h !== 0 || l - l !== 0 || c - c !== 0 || v - v !== 0) {
      out[i] = NaN;
      continue;
    }
    const r = h - l;
    if (r > 0) out[i] = ((c - l - (h - c)) / r) * v;
    else out[i] = 0;
  }
  return out;
}

function adBatch(input: Ohlcv, _q: number[], len: number): Float64Array[] {
  const out = mfvCol(input, len, new Float64Array(len));
  let ad = 0;
  for (let i = 0; i < len; i++) {
    const x = out[i];
    if (x === x) {
      ad += x;
      out[i] = ad;
    }
  }
  return [out];
}

function adoscBatch(input: Ohlcv, [fast, slow]: number[], len: number): Float64Array[] {
  const out = mfvCol(input, len, new Float64Array(len));
  const fk = 2 / (fast + 1);
  const sk = 2 / (slow + 1);
  const lb = Math.max(fast, slow) - 1;
  let ad = 0;
  let cnt = 0;
  let fe = 0;
  let se = 0;
  for (let i = 0; i < len; i++) {
    const x = out[i];
    if (x !== x) continue;
    ad += x;
    if (cnt === 0) {
      fe = ad;
      se = ad;
    } else {
      fe = fk * ad + (1 - fk) * fe;
      se = sk * ad + (1 - sk) * se;
    }
    out[i] = cnt++ >= lb ? fe - se : NaN;
  }
  return [out];
}

function cmfBatch(input: Ohlcv, [n]: number[], len: number): Float64Array[] {
  const volume = input.volume;
  const x = mfvCol(input, len, scratch(0, len));
  const vol = scratch(1, len);
  for (let i = 0; i < len; i++) vol[i] = x[i] === x[i] ? volume[i] : NaN;
  const sm = sumCol(x, n, len);
  const sv = sumCol(vol, n, len, scratch(2, len));
  for (let i = 0; i < len; i++) {
    const a = sm[i];
    const b = sv[i];
    if (a === a) sm[i] = b !== 0 ? a / b : 0;
    else sm[i] = NaN;
  }
  return [sm];
}

function forceBatch(input: Ohlcv, [n]: number[], len: number): Float64Array[] {
  const { close, volume } = input;
  const f = new Float64Array(len);
  let prevC = NaN;
  for (let i = 0; i < len; i++) {
    let c = close[i];
    if (c - c !== 0) c = NaN;
    const pc = prevC;
    prevC = c;
    const v = volume[i];
    f[i] = v - v === 0 ? (c - pc) * v : NaN;
  }
  return [emaCol(f, n, 0, len, f)];
}

function eomBatch(input: Ohlcv, [n]: number[], len: number): Float64Array[] {
  const { high, low, volume } = input;
  const e = scratch(0, len);
  let prevMid = NaN;
  for (let i = 0; i < len; i++) {
    const h = high[i];
    const l = low[i];
    const v = volume[i];
    let mid = (h + l) / 2;
    if (mid - mid !== 0) mid = NaN;
    const pm = prevMid;
    prevMid = mid;
    if (mid === mid && pm === pm && v - v === 0) {
      const r = h - l;
      e[i] = r > 0 && v > 0 ? (mid - pm) / (v / EOM_VOLUME_SCALE / r) : 0;
    } else e[i] = NaN;
  }
  const out = sumCol(e, n, len);
  for (let i = 0; i < len; i++) out[i] = out[i] / n;
  return [out];
}

function volumeIndexBatch(input: Ohlcv, mode: 0 | 1 | 2, startValue: number, len: number): Float64Array[] {
  // read back from a Float64Array: a number parameter merged into the loop variable would make V8 box it every bar
  const start = Float64Array.of(startValue)[0];
  const { close, volume } = input;
  const out = new Float64Array(len);
  let value = NaN;
  let prevC = NaN;
  let prevV = NaN;
  for (let i = 0; i < len; i++) {
    const c = close[i];
    const v = volume[i];
    if (c - c !== 0 || v - v !== 0) {
      prevC = prevV = NaN;
      out[i] = NaN;
      continue;
    }
    const pc = prevC;
    const pv = prevV;
    prevC = c;
    prevV = v;
    if (value !== value) {
      value = start;
      out[i] = value;
      continue;
    }
    if (pc !== pc) {
      out[i] = NaN;
      continue;
    }
    if (pc !== 0) {
      const r = (c - pc) / pc;
      if (mode === 2) value += v * r;
      else if (mode === 0 ? v < pv : v > pv) value += value * r;
    }
    out[i] = value;
  }
  return [out];
}

export const VOLUME_INDICATORS: IndicatorSpec[] = [OBV, AD, ADOSC, CMF, FORCE, EOM, NVI, PVI, VPT];
