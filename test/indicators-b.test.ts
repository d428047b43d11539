import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { IndicatorSpec, Ohlcv } from '../data/indicators/types.ts';
import * as M from '../data/indicators/momentum.ts';
import * as V from '../data/indicators/volume.ts';
import { MOMENTUM_INDICATORS } from '../data/indicators/momentum.ts';
import { VOLUME_INDICATORS } from '../data/indicators/volume.ts';

const ALL: IndicatorSpec[] = [...MOMENTUM_INDICATORS, ...VOLUME_INDICATORS];
const byName = new Map(ALL.map((s) => [s.name, s]));
const spec = (name: string): IndicatorSpec => {
  const s = byName.get(name);
  if (!s) throw new Error(`no indicator ${name}`);
  return s;
};

// ------------------------------------------------------------------ helpers

interface Cols {
  o?: number[];
  h?: number[];
  l?: number[];
  c?: number[];
  v?: number[];
}

/** Build an Ohlcv; missing columns are filled from close (or NaN). */
function mk(cols: Cols): Ohlcv {
  const n = (cols.c ?? cols.h ?? cols.v ?? []).length;
  const col = (x: number[] | undefined, fb: number[] | undefined) =>
    Float64Array.from(x ?? fb ?? new Array<number>(n).fill(NaN));
  return { open: col(cols.o, cols.c), high: col(cols.h, cols.c), low: col(cols.l, cols.c), close: col(cols.c, undefined), volume: col(cols.v, undefined) };
}

function run(name: string, cols: Cols | Ohlcv, p: number[] = []): number[][] {
  const input = 'close' in cols && cols.close instanceof Float64Array ? (cols as Ohlcv) : mk(cols as Cols);
  return spec(name).batch(input, p).map((a) => Array.from(a));
}

function slice(input: Ohlcv, from: number, to: number): Ohlcv {
  return {
    open: input.open.slice(from, to),
    high: input.high.slice(from, to),
    low: input.low.slice(from, to),
    close: input.close.slice(from, to),
    volume: input.volume.slice(from, to),
  };
}

function same(a: number, b: number, rel = 1e-9): boolean {
  if (a === b) return true;
  if (Number.isNaN(a) || Number.isNaN(b)) return Number.isNaN(a) && Number.isNaN(b);
  return Math.abs(a - b) <= rel * Math.max(1, Math.abs(a), Math.abs(b));
}

/** Throws with the first mismatching index (so fast-check shrinks to something readable). */
function assertSeries(got: ArrayLike<number>, want: ArrayLike<number>, label: string, rel = 1e-9): void {
  if (got.length !== want.length) throw new Error(`${label}: length ${got.length} != ${want.length}`);
  for (let i = 0; i < got.length; i++) {
    if (!same(got[i], want[i], rel)) throw new Error(`${label}[${i}]: got ${got[i]}, want ${want[i]}`);
  }
}

/** Expect `got` to equal `want` where want has numbers (compared to 1e-9) and NaN (warm-up). */
function expectValues(got: number[], want: number[]): void {
  expect(got.length).toBe(want.length);
  for (let i = 0; i < want.length; i++) {
    if (Number.isNaN(want[i])) expect(got[i], `index ${i}`).toBeNaN();
    else expect(Math.abs(got[i] - want[i]), `index ${i}: got ${got[i]}, want ${want[i]}`).toBeLessThanOrEqual(1e-9 * Math.max(1, Math.abs(want[i])));
  }
}

const N = NaN;

// ------------------------------------------------------------------ random OHLCV

interface RawBar {
  gap: number;
  ret: number;
  up: number;
  dn: number;
  vol: number;
}
const rawBar: fc.Arbitrary<RawBar> = fc.record({
  gap: fc.double({ min: -0.02, max: 0.02, noNaN: true }),
  ret: fc.double({ min: -0.06, max: 0.06, noNaN: true }),
  up: fc.double({ min: 0, max: 0.03, noNaN: true }),
  dn: fc.double({ min: 0, max: 0.03, noNaN: true }),
  vol: fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 5_000_000 })),
});

/** A valid OHLCV series (low <= open, close <= high, prices > 0). tick > 0 quantizes prices, producing ties/flat bars. */
function toOhlcv(start: number, tick: number, bars: RawBar[]): Ohlcv {
  const n = bars.length;
  const out: Ohlcv = {
    open: new Float64Array(n),
    high: new Float64Array(n),
    low: new Float64Array(n),
    close: new Float64Array(n),
    volume: new Float64Array(n),
  };
  const q = (x: number) => (tick > 0 ? Math.max(tick, Math.round(x / tick) * tick) : x);
  let prev = start;
  for (let i = 0; i < n; i++) {
    const b = bars[i];
    const o = q(Math.max(1, prev * (1 + b.gap)));
    const c = q(Math.max(1, o * (1 + b.ret)));
    const h = Math.max(o, c, q(Math.max(o, c) * (1 + b.up)));
    const l = Math.min(o, c, q(Math.min(o, c) * (1 - b.dn)));
    out.open[i] = o;
    out.high[i] = h;
    out.low[i] = l;
    out.close[i] = c;
    out.volume[i] = b.vol;
    prev = c;
  }
  return out;
}

/** ticks: price grids to draw from (0 = no grid). Comparisons with naive formulas use a grid: without one, near-equal
 * prices (5.000000000000002 vs 5.000000000000004) make ratio indicators such as CCI pure rounding noise. */
const cleanSeries = (minLength: number, maxLength: number, ticks: number[] = [0, 0, 0.01, 0.25]): fc.Arbitrary<Ohlcv> =>
  fc
    .tuple(fc.double({ min: 5, max: 500, noNaN: true }), fc.constantFrom(...ticks), fc.array(rawBar, { minLength, maxLength }))
    .map(([s, t, b]) => toOhlcv(s, t, b));

/** A series with some missing values (NaN/Infinity) in single fields or whole bars. */
const dirtySeries: fc.Arbitrary<Ohlcv> = fc
  .tuple(
    cleanSeries(0, 120),
    fc.array(
      fc.record({
        at: fc.nat(),
        field: fc.constantFrom('open', 'high', 'low', 'close', 'volume', 'all'),
        value: fc.constantFrom(NaN, NaN, Infinity, -Infinity),
      }),
      { maxLength: 6 },
    ),
  )
  .map(([s, holes]) => {
    const n = s.close.length;
    for (const h of holes) {
      if (n === 0) break;
      const i = h.at % n;
      if (h.field === 'all') for (const f of ['open', 'high', 'low', 'close', 'volume'] as const) s[f][i] = NaN;
      else s[h.field][i] = h.value;
    }
    return s;
  });

/** Random in-range parameters (periods capped so that short series still produce outputs). */
function paramsArb(s: IndicatorSpec): fc.Arbitrary<number[]> {
  if (s.params.length === 0) return fc.constant([]);
  return fc.tuple(
    ...s.params.map((p) => {
      const lo = p.min ?? 1;
      const hi = Math.min(p.max ?? lo + 30, lo + 30);
      return fc.integer({ min: lo, max: hi });
    }),
  );
}

function outputsEqualExactlyOrNaN(a: Float64Array, b: Float64Array, upto: number): boolean {
  for (let i = 0; i < upto; i++) if (!Object.is(a[i], b[i]) && !(Number.isNaN(a[i]) && Number.isNaN(b[i]))) return false;
  return true;
}

// ------------------------------------------------------------------ naive reference implementations
// Written independently of the kernels, straight from TA-Lib's formulas, O(n·p), for clean data only.

type Arr = number[];
const nans = (n: number): Arr => new Array<number>(n).fill(NaN);
const A = (x: Float64Array): Arr => Array.from(x);

function rSMA(x: Arr, n: number): Arr {
  const out = nans(x.length);
  for (let i = n - 1; i < x.length; i++) {
    let s = 0;
    for (let j = i - n + 1; j <= i; j++) s += x[j];
    out[i] = s / n; // NaN if any is NaN
  }
  return out;
}

/** TA-Lib EMA: seed = mean of the first n values after the leading NaNs (+ skip), then (x-e)*k+e. */
function rEMA(x: Arr, n: number, skip = 0): Arr {
  const out = nans(x.length);
  let f = x.findIndex((v) => !Number.isNaN(v));
  if (f < 0) return out;
  f += skip;
  const seedEnd = f + n - 1;
  if (seedEnd >= x.length) return out;
  let s = 0;
  for (let j = f; j <= seedEnd; j++) s += x[j];
  let e = s / n;
  out[seedEnd] = e;
  const k = 2 / (n + 1);
  for (let i = seedEnd + 1; i < x.length; i++) {
    e = (x[i] - e) * k + e;
    out[i] = e;
  }
  return out;
}

function rMax(x: Arr, i: number, n: number): number {
  let m = -Infinity;
  for (let j = i - n + 1; j <= i; j++) m = Math.max(m, x[j]);
  return m;
}
function rMin(x: Arr, i: number, n: number): number {
  let m = Infinity;
  for (let j = i - n + 1; j <= i; j++) m = Math.min(m, x[j]);
  return m;
}

function rRSI(c: Arr, n: number, cmo = false): Arr {
  const out = nans(c.length);
  if (c.length <= n) return out;
  let g = 0;
  let l = 0;
  for (let i = 1; i <= n; i++) {
    const d = c[i] - c[i - 1];
    if (d < 0) l -= d;
    else g += d;
  }
  g /= n;
  l /= n;
  const val = () => (g + l === 0 ? 0 : cmo ? (100 * (g - l)) / (g + l) : (100 * g) / (g + l));
  out[n] = val();
  for (let i = n + 1; i < c.length; i++) {
    const d = c[i] - c[i - 1];
    g = (g * (n - 1) + (d > 0 ? d : 0)) / n;
    l = (l * (n - 1) + (d < 0 ? -d : 0)) / n;
    out[i] = val();
  }
  return out;
}

function rFastK(x: Arr, h: Arr, l: Arr, n: number): Arr {
  const out = nans(x.length);
  for (let i = 0; i < x.length; i++) {
    if (i < n - 1 || Number.isNaN(h[i - n + 1])) continue;
    const hh = rMax(h, i, n);
    const ll = rMin(l, i, n);
    out[i] = hh === ll ? 0 : (x[i] - ll) / ((hh - ll) / 100);
  }
  return out;
}

function maskAll(outs: Arr[]): Arr[] {
  const n = outs[0].length;
  for (let i = 0; i < n; i++) if (outs.some((o) => Number.isNaN(o[i]))) for (const o of outs) o[i] = NaN;
  return outs;
}

function rStoch(h: Arr, l: Arr, c: Arr, fk: number, sk: number, sd: number): Arr[] {
  const k = rSMA(rFastK(c, h, l, fk), sk);
  return maskAll([k, rSMA(k, sd)]);
}

function rStochRsi(c: Arr, n: number, fk: number, fd: number): Arr[] {
  const r = rRSI(c, n);
  const k = rFastK(r, r, r, fk);
  return maskAll([k, rSMA(k, fd)]);
}

function rMACD(c: Arr, f: number, s: number, g: number): Arr[] {
  if (s < f) [f, s] = [s, f];
  const slow = rEMA(c, s);
  const fast = rEMA(c, f, s - f);
  const m = slow.map((v, i) => fast[i] - v);
  const sig = rEMA(m, g);
  return maskAll([m, sig, m.map((v, i) => v - sig[i])]);
}

function rPO(c: Arr, f: number, s: number, pct: boolean): Arr {
  if (s < f) [f, s] = [s, f];
  const a = rSMA(c, f);
  const b = rSMA(c, s);
  return b.map((v, i) => (pct ? (v === 0 ? 0 : ((a[i] - v) / v) * 100) : a[i] - v));
}

function rCCI(h: Arr, l: Arr, c: Arr, n: number): Arr {
  const tp = c.map((v, i) => (h[i] + l[i] + v) / 3);
  const out = nans(c.length);
  for (let i = n - 1; i < c.length; i++) {
    let m = 0;
    for (let j = i - n + 1; j <= i; j++) m += tp[j];
    m /= n;
    let d = 0;
    for (let j = i - n + 1; j <= i; j++) d += Math.abs(tp[j] - m);
    d /= n;
    out[i] = tp[i] - m === 0 || d <= 1e-12 * Math.abs(m) ? 0 : (tp[i] - m) / (0.015 * d);
  }
  return out;
}

function rWILLR(h: Arr, l: Arr, c: Arr, n: number): Arr {
  const out = nans(c.length);
  for (let i = n - 1; i < c.length; i++) {
    const hh = rMax(h, i, n);
    const ll = rMin(l, i, n);
    out[i] = hh === ll ? 0 : (hh - c[i]) / ((hh - ll) * -0.01);
  }
  return out;
}

/** Wilder-smoothed +DM, -DM, TR as TA-Lib (first n-1 changes summed, then s - s/n + x); valid from index n. */
function rDM(h: Arr, l: Arr, c: Arr, n: number): { p: Arr; m: Arr; tr: Arr } {
  const len = c.length;
  const p = nans(len);
  const m = nans(len);
  const tr = nans(len);
  let sp = 0;
  let sm = 0;
  let st = 0;
  for (let i = 1; i < len; i++) {
    const up = h[i] - h[i - 1];
    const down = l[i - 1] - l[i];
    const pdm = up > 0 && up > down ? up : 0;
    const mdm = down > 0 && down > up ? down : 0;
    const t = Math.max(h[i] - l[i], Math.abs(h[i] - c[i - 1]), Math.abs(l[i] - c[i - 1]));
    if (i < n) {
      sp += pdm;
      sm += mdm;
      st += t;
    } else {
      sp = sp - sp / n + pdm;
      sm = sm - sm / n + mdm;
      st = st - st / n + t;
      p[i] = sp;
      m[i] = sm;
      tr[i] = st;
    }
  }
  return { p, m, tr };
}

function rDI(h: Arr, l: Arr, c: Arr, n: number, plus: boolean): Arr {
  const d = rDM(h, l, c, n);
  return d.tr.map((t, i) => (Number.isNaN(t) ? NaN : t === 0 ? 0 : (100 * (plus ? d.p[i] : d.m[i])) / t));
}

function rADX(h: Arr, l: Arr, c: Arr, n: number): Arr {
  const d = rDM(h, l, c, n);
  const dx = d.tr.map((t, i) => {
    if (Number.isNaN(t) || t === 0) return NaN; // undefined DX (or warm-up)
    const pdi = (100 * d.p[i]) / t;
    const mdi = (100 * d.m[i]) / t;
    return pdi + mdi === 0 ? NaN : (100 * Math.abs(pdi - mdi)) / (pdi + mdi);
  });
  const out = nans(c.length);
  const first = 2 * n - 1;
  if (first >= c.length) return out;
  let s = 0;
  for (let i = n; i <= first; i++) s += Number.isNaN(dx[i]) ? 0 : dx[i];
  let adx = s / n;
  out[first] = adx;
  for (let i = first + 1; i < c.length; i++) {
    if (!Number.isNaN(dx[i])) adx = (adx * (n - 1) + dx[i]) / n;
    out[i] = adx;
  }
  return out;
}

function rADXR(h: Arr, l: Arr, c: Arr, n: number): Arr {
  const a = rADX(h, l, c, n);
  return a.map((v, i) => (i >= n - 1 ? (v + a[i - n + 1]) / 2 : NaN));
}

function rAroon(h: Arr, l: Arr, n: number): Arr[] {
  const down = nans(h.length);
  const up = nans(h.length);
  for (let i = n; i < h.length; i++) {
    let hi = i - n;
    let lo = i - n;
    for (let j = i - n; j <= i; j++) {
      if (h[j] >= h[hi]) hi = j; // ties: most recent
      if (l[j] <= l[lo]) lo = j;
    }
    up[i] = (100 * (n - (i - hi))) / n;
    down[i] = (100 * (n - (i - lo))) / n;
  }
  return [down, up];
}

function rMFI(h: Arr, l: Arr, c: Arr, v: Arr, n: number): Arr {
  const tp = c.map((x, i) => (h[i] + l[i] + x) / 3);
  const out = nans(c.length);
  for (let i = n; i < c.length; i++) {
    let pos = 0;
    let neg = 0;
    for (let j = i - n + 1; j <= i; j++) {
      if (tp[j] > tp[j - 1]) pos += tp[j] * v[j];
      else if (tp[j] < tp[j - 1]) neg += tp[j] * v[j];
    }
    out[i] = pos + neg === 0 ? 0 : (100 * pos) / (pos + neg);
  }
  return out;
}

function rULTOSC(h: Arr, l: Arr, c: Arr, p1: number, p2: number, p3: number): Arr {
  const [s1, s2, s3] = [p1, p2, p3].sort((a, b) => a - b);
  const out = nans(c.length);
  const ratio = (i: number, n: number) => {
    let a = 0;
    let b = 0;
    for (let j = i - n + 1; j <= i; j++) {
      a += c[j] - Math.min(l[j], c[j - 1]);
      b += Math.max(h[j] - l[j], Math.abs(h[j] - c[j - 1]), Math.abs(l[j] - c[j - 1]));
    }
    return b === 0 ? 0 : a / b;
  };
  for (let i = s3; i < c.length; i++) out[i] = (100 * (4 * ratio(i, s1) + 2 * ratio(i, s2) + ratio(i, s3))) / 7;
  return out;
}

function rTRIX(c: Arr, n: number): Arr {
  const e = rEMA(rEMA(rEMA(c, n), n), n);
  return e.map((v, i) => (i === 0 ? NaN : e[i - 1] === 0 ? 0 : (v / e[i - 1] - 1) * 100));
}

function rTSI(c: Arr, lg: number, sh: number): Arr {
  const m = c.map((v, i) => (i === 0 ? NaN : v - c[i - 1]));
  const num = rEMA(rEMA(m, lg), sh);
  const den = rEMA(rEMA(m.map(Math.abs), lg), sh);
  return num.map((v, i) => (Number.isNaN(den[i]) ? NaN : den[i] === 0 ? 0 : (100 * v) / den[i]));
}

function rDPO(c: Arr, n: number): Arr {
  const s = rSMA(c, n);
  const k = Math.floor(n / 2) + 1;
  return c.map((v, i) => (i >= k ? v - s[i - k] : NaN));
}

function rCLV(h: number, l: number, c: number): number {
  return h > l ? (c - l - (h - c)) / (h - l) : 0;
}

function rAD(h: Arr, l: Arr, c: Arr, v: Arr): Arr {
  let ad = 0;
  return c.map((x, i) => (ad += rCLV(h[i], l[i], x) * v[i]));
}

function rADOSC(h: Arr, l: Arr, c: Arr, v: Arr, f: number, s: number): Arr {
  const ad = rAD(h, l, c, v);
  const fk = 2 / (f + 1);
  const sk = 2 / (s + 1);
  const out = nans(c.length);
  let fe = ad[0];
  let se = ad[0];
  for (let i = 0; i < c.length; i++) {
    if (i > 0) {
      fe = fk * ad[i] + (1 - fk) * fe;
      se = sk * ad[i] + (1 - sk) * se;
    }
    if (i >= Math.max(f, s) - 1) out[i] = fe - se;
  }
  return out;
}

function rCMF(h: Arr, l: Arr, c: Arr, v: Arr, n: number): Arr {
  const out = nans(c.length);
  for (let i = n - 1; i < c.length; i++) {
    let a = 0;
    let b = 0;
    for (let j = i - n + 1; j <= i; j++) {
      a += rCLV(h[j], l[j], c[j]) * v[j];
      b += v[j];
    }
    out[i] = b === 0 ? 0 : a / b;
  }
  return out;
}

function rEOM(h: Arr, l: Arr, v: Arr, n: number): Arr {
  const e = h.map((x, i) => {
    if (i === 0) return NaN;
    const dm = (x + l[i]) / 2 - (h[i - 1] + l[i - 1]) / 2;
    return x > l[i] && v[i] > 0 ? (dm * (x - l[i])) / (v[i] / 1e6) : 0;
  });
  return rSMA(e, n);
}

function rVolIndex(c: Arr, v: Arr, mode: 'nvi' | 'pvi' | 'vpt'): Arr {
  let x = mode === 'vpt' ? 0 : 1000;
  return c.map((cl, i) => {
    if (i === 0 || c[i - 1] === 0) return x;
    const r = (cl - c[i - 1]) / c[i - 1];
    if (mode === 'vpt') x += v[i] * r;
    else if (mode === 'nvi' ? v[i] < v[i - 1] : v[i] > v[i - 1]) x *= 1 + r;
    return x;
  });
}

function rOBV(c: Arr, v: Arr): Arr {
  let o = v[0];
  return c.map((x, i) => {
    if (i > 0) o += x > c[i - 1] ? v[i] : x < c[i - 1] ? -v[i] : 0;
    return o;
  });
}

/** Reference outputs by indicator name, for resolved parameters (defaults filled in). */
function reference(name: string, x: Ohlcv, q: number[]): Arr[] {
  const h = A(x.high);
  const l = A(x.low);
  const c = A(x.close);
  const v = A(x.volume);
  const o = A(x.open);
  switch (name) {
    case 'rsi':
      return [rRSI(c, q[0])];
    case 'cmo':
      return [rRSI(c, q[0], true)];
    case 'stoch':
      return rStoch(h, l, c, q[0], q[1], q[2]);
    case 'stochrsi':
      return rStochRsi(c, q[0], q[1], q[2]);
    case 'macd':
      return rMACD(c, q[0], q[1], q[2]);
    case 'ppo':
      return [rPO(c, q[0], q[1], true)];
    case 'apo':
      return [rPO(c, q[0], q[1], false)];
    case 'roc':
      return [c.map((x, i) => (i < q[0] ? NaN : c[i - q[0]] === 0 ? 0 : (x / c[i - q[0]] - 1) * 100))];
    case 'mom':
      return [c.map((x, i) => (i < q[0] ? NaN : x - c[i - q[0]]))];
    case 'cci':
      return [rCCI(h, l, c, q[0])];
    case 'willr':
      return [rWILLR(h, l, c, q[0])];
    case 'adx':
      return [rADX(h, l, c, q[0])];
    case 'plus_di':
      return [rDI(h, l, c, q[0], true)];
    case 'minus_di':
      return [rDI(h, l, c, q[0], false)];
    case 'adxr':
      return [rADXR(h, l, c, q[0])];
    case 'aroon':
      return rAroon(h, l, q[0]);
    case 'aroonosc': {
      const [d, u] = rAroon(h, l, q[0]);
      return [u.map((x, i) => x - d[i])];
    }
    case 'mfi':
      return [rMFI(h, l, c, v, q[0])];
    case 'ultosc':
      return [rULTOSC(h, l, c, q[0], q[1], q[2])];
    case 'trix':
      return [rTRIX(c, q[0])];
    case 'bop':
      return [c.map((x, i) => (h[i] > l[i] ? (x - o[i]) / (h[i] - l[i]) : 0))];
    case 'tsi':
      return [rTSI(c, q[0], q[1])];
    case 'ao': {
      const med = h.map((x, i) => (x + l[i]) / 2);
      const a = rSMA(med, q[0]);
      const b = rSMA(med, q[1]);
      return [a.map((x, i) => x - b[i])];
    }
    case 'dpo':
      return [rDPO(c, q[0])];
    case 'obv':
      return [rOBV(c, v)];
    case 'ad':
      return [rAD(h, l, c, v)];
    case 'adosc':
      return [rADOSC(h, l, c, v, q[0], q[1])];
    case 'cmf':
      return [rCMF(h, l, c, v, q[0])];
    case 'force':
      return [rEMA(c.map((x, i) => (i === 0 ? NaN : (x - c[i - 1]) * v[i])), q[0])];
    case 'eom':
      return [rEOM(h, l, v, q[0])];
    case 'nvi':
    case 'pvi':
    case 'vpt':
      return [rVolIndex(c, v, name)];
  }
  throw new Error(`no reference for ${name}`);
}

const withDefaults = (s: IndicatorSpec, p: number[]) => s.params.map((ps, i) => p[i] ?? ps.default);

// ------------------------------------------------------------------ hand-computed cases

describe('hand-computed cases', () => {
  it('rsi(14), 16 bars', () => {
    // closes 10,11,12,11,12,13,12,13,14,13,14,15,14,15,16,15: changes +1,+1,-1 repeated, then +1,+1, then -1.
    // First 14 changes: 10 gains of 1, 4 losses of 1 -> avgGain = 10/14, avgLoss = 4/14.
    // rsi[14] = 100 * (10/14) / (14/14) = 71.428571...
    // bar 15 (change -1): avgGain = (10/14*13 + 0)/14 = 130/196, avgLoss = (4/14*13 + 1)/14 = 66/196
    // rsi[15] = 100 * 130 / 196 = 66.326530...
    const c = [10, 11, 12, 11, 12, 13, 12, 13, 14, 13, 14, 15, 14, 15, 16, 15];
    const [r] = run('rsi', { c }, [14]);
    expectValues(r, [...nans(14), 1000 / 14, 13000 / 196]);
    // all-flat window: avgGain + avgLoss = 0 -> 0 (TA-Lib)
    expectValues(run('rsi', { c: [5, 5, 5, 5] }, [3])[0], [N, N, N, 0]);
  });

  it('cmo(3)', () => {
    // closes 1,2,3,2,4: changes +1,+1,-1,+2. First 3: G = 2/3, L = 1/3 -> cmo[3] = 100*(1/3)/1 = 33.33
    // bar 4: G = (2/3*2 + 2)/3 = 10/9, L = (1/3*2 + 0)/3 = 2/9 -> cmo = 100*(8/9)/(12/9) = 66.67
    expectValues(run('cmo', { c: [1, 2, 3, 2, 4] }, [3])[0], [N, N, N, 100 / 3, 200 / 3]);
  });

  // bars used by stoch / willr
  const sh = [10, 11, 12, 12, 13, 14];
  const sl = [8, 9, 10, 9, 11, 12];
  const sc = [9, 10, 12, 10, 12, 13];

  it('stoch(3,2,2)', () => {
    // fastK (3 bars): i2: (12-8)/((12-8)/100) = 100; i3: hh 12, ll 9: (10-9)/(3/100) = 100/3;
    //                 i4: hh 13, ll 9: (12-9)/(4/100) = 75; i5: hh 14, ll 9: (13-9)/(5/100) = 80
    // slowK = SMA2(fastK): i3 200/3, i4 (100/3+75)/2 = 325/6, i5 (75+80)/2 = 77.5
    // slowD = SMA2(slowK): i4 (200/3+325/6)/2 = 725/12, i5 (325/6+77.5)/2 = 790/12
    // lookback = 2+1+1 = 4: both outputs start at i4
    const [k, d] = run('stoch', { h: sh, l: sl, c: sc }, [3, 2, 2]);
    expectValues(k, [N, N, N, N, 325 / 6, 77.5]);
    expectValues(d, [N, N, N, N, 725 / 12, 790 / 12]);
  });

  it('willr(3)', () => {
    // i2: hh 12 ll 8 c 12 -> (12-12)/((12-8)*-0.01) = 0; i3: hh 12 ll 9 c 10 -> 2/(-0.03) = -66.67
    // i4: hh 13 ll 9 c 12 -> 1/(-0.04) = -25; i5: hh 14 ll 9 c 13 -> 1/(-0.05) = -20
    expectValues(run('willr', { h: sh, l: sl, c: sc }, [3])[0], [N, N, 0, -200 / 3, -25, -20]);
  });

  it('stochrsi(3,3,2)', () => {
    // closes 1,2,3,2,4,3,5,4; changes +1,+1,-1,+2,-1,+2,-1
    // RSI(3): i3 G=2/3 L=1/3 -> 200/3; i4 G=10/9 L=2/9 -> 250/3; i5 G=20/27 L=13/27 -> 2000/33;
    //         i6 G=94/81 L=26/81 -> 235/3; i7 G=188/243 L=133/243 -> 18800/321
    // fastK over 3 RSI values: i5 {200/3,250/3,2000/33}: rsi is the min -> 0
    //   i6 {250/3, 2000/33, 235/3}: (235/3-2000/33)/((250/3-2000/33)/100) = (585/33)/(750/33)*100 = 78
    //   i7 {2000/33, 235/3, 18800/321}: rsi is the min -> 0
    // fastD = SMA2: i6 (0+78)/2 = 39, i7 (78+0)/2 = 39. lookback 3+2+1 = 6.
    const [k, d] = run('stochrsi', { c: [1, 2, 3, 2, 4, 3, 5, 4] }, [3, 3, 2]);
    expectValues(k, [...nans(6), 78, 0]);
    expectValues(d, [...nans(6), 39, 39]);
  });

  it('macd(2,3,2): TA-Lib alignment of the fast EMA', () => {
    // closes 1,2,4,7,11. slow EMA3 (k=1/2) seeded at i2 with (1+2+4)/3 = 7/3.
    // fast EMA2 (k=2/3) seeded on the 2 bars ending at i2: (2+4)/2 = 3 (not (1+2)/2 then stepped).
    // macd i2 = 3 - 7/3 = 2/3. i3: slow = (7-7/3)/2+7/3 = 14/3, fast = (7-3)*2/3+3 = 17/3 -> macd 1
    // signal EMA2 seeded at i3 with (2/3+1)/2 = 5/6 -> hist 1/6 (lookback 2+1 = 3)
    // i4: slow = (11-14/3)/2+14/3 = 47/6, fast = (11-17/3)*2/3+17/3 = 83/9 -> macd 25/18;
    //     signal = (25/18-5/6)*2/3+5/6 = 65/54; hist = 25/18-65/54 = 10/54
    const [m, s, h] = run('macd', { c: [1, 2, 4, 7, 11] }, [2, 3, 2]);
    expectValues(m, [N, N, N, 1, 25 / 18]);
    expectValues(s, [N, N, N, 5 / 6, 65 / 54]);
    expectValues(h, [N, N, N, 1 / 6, 10 / 54]);
    // fast > slow is swapped, as TA-Lib
    expectValues(run('macd', { c: [1, 2, 4, 7, 11] }, [3, 2, 2])[0], [N, N, N, 1, 25 / 18]);
  });

  it('apo / ppo (2,3), SMA', () => {
    // closes 1,2,4,7: i2 SMA2 = 3, SMA3 = 7/3 -> apo 2/3, ppo (2/3)/(7/3)*100 = 200/7
    //                 i3 SMA2 = 5.5, SMA3 = 13/3 -> apo 7/6, ppo (7/6)/(13/3)*100 = 2100/78
    expectValues(run('apo', { c: [1, 2, 4, 7] }, [2, 3])[0], [N, N, 2 / 3, 7 / 6]);
    expectValues(run('ppo', { c: [1, 2, 4, 7] }, [2, 3])[0], [N, N, 200 / 7, 2100 / 78]);
    expectValues(run('ppo', { c: [1, 2, 4, 7] }, [3, 2])[0], [N, N, 200 / 7, 2100 / 78]);
  });

  it('roc / mom', () => {
    // closes 10,12,15,9, n=2: roc i2 = (15/10-1)*100 = 50, i3 = (9/12-1)*100 = -25; mom 5, -3
    expectValues(run('roc', { c: [10, 12, 15, 9] }, [2])[0], [N, N, 50, -25]);
    expectValues(run('mom', { c: [10, 12, 15, 9] }, [2])[0], [N, N, 5, -3]);
    // previous close 0 -> 0 (TA-Lib)
    expectValues(run('roc', { c: [0, 1, 2] }, [1])[0], [N, 0, 100]);
  });

  it('trix(2)', () => {
    // closes 1..6, EMA2 k=2/3. e1: i1 1.5, then 2.5, 3.5, 4.5, 5.5. e2: i2 (1.5+2.5)/2 = 2, then 3, 4, 5.
    // e3: i3 (2+3)/2 = 2.5, i4 (4-2.5)*2/3+2.5 = 3.5, i5 4.5. trix i4 = (3.5/2.5-1)*100 = 40, i5 = (4.5/3.5-1)*100
    expectValues(run('trix', { c: [1, 2, 3, 4, 5, 6] }, [2])[0], [N, N, N, N, 40, 100 / 3.5]);
  });

  it('cci(3)', () => {
    // typical prices 2, 4, 9, 3 (bars (3,1,2), (5,3,4), (10,8,9), (4,2,3))
    // i2: mean 5, mean dev (3+1+4)/3 = 8/3 -> (9-5)/(0.015*8/3) = 100
    // i3: mean 16/3, devs 4/3, 11/3, 7/3 -> mean dev 22/9 -> (3-16/3)/(0.015*22/9) = -21/0.33
    expectValues(run('cci', { h: [3, 5, 10, 4], l: [1, 3, 8, 2], c: [2, 4, 9, 3] }, [3])[0], [N, N, 100, -21 / 0.33]);
  });

  it('bop', () => {
    // (11-10)/(12-8) = 0.25; h == l -> 0; (9.5-11)/(12-9) = -0.5
    expectValues(run('bop', { o: [10, 10, 11], h: [12, 10, 12], l: [8, 10, 9], c: [11, 10, 9.5] })[0], [0.25, 0, -0.5]);
  });

  // bars used by the DI family (n = 2)
  const dh = [10, 11, 12, 11, 12, 13];
  const dl = [8, 9, 9, 7, 8, 9];
  const dc = [9, 10, 11, 8, 11, 12];
  // changes:            +DM  -DM  TR
  //   i1 (11,9,10):      1    0   max(2,|11-9|,|9-9|) = 2
  //   i2 (12,9,11):      1    0   max(3,|12-10|,|9-10|) = 3
  //   i3 (11,7,8):       0    2   max(4,|11-11|,|7-11|) = 4
  //   i4 (12,8,11):      1    0   max(4,|12-8|,|8-8|) = 4
  //   i5 (13,9,12):      1    0   max(4,2,2) = 4
  // Wilder sums (first n-1 = 1 change summed, then s - s/2 + x):
  //   i2: +DM 1.5, -DM 0, TR 4 | i3: 0.75, 2, 6 | i4: 1.375, 1, 7 | i5: 1.6875, 0.5, 7.5
  it('plus_di / minus_di (2)', () => {
    expectValues(run('plus_di', { h: dh, l: dl, c: dc }, [2])[0], [N, N, 37.5, 12.5, 137.5 / 7, 22.5]);
    expectValues(run('minus_di', { h: dh, l: dl, c: dc }, [2])[0], [N, N, 0, 100 / 3, 100 / 7, 20 / 3]);
  });

  it('adx / adxr (2)', () => {
    // DX = 100*|+DM - -DM|/(+DM + -DM): i2 100, i3 100*1.25/2.75 = 500/11, i4 100*0.375/2.375 = 300/19,
    //      i5 100*1.1875/2.1875 = 380/7
    // ADX i3 = (100 + 500/11)/2 = 800/11; i4 = (800/11 + 300/19)/2 = 9250/209; i5 = (9250/209 + 380/7)/2 = 72085/1463
    // ADXR = (ADX[t] + ADX[t-1])/2: i4 (800/11 + 9250/209)/2 = 24450/418; i5 = 136835/2926
    expectValues(run('adx', { h: dh, l: dl, c: dc }, [2])[0], [N, N, N, 800 / 11, 9250 / 209, 72085 / 1463]);
    expectValues(run('adxr', { h: dh, l: dl, c: dc }, [2])[0], [N, N, N, N, 24450 / 418, 136835 / 2926]);
  });

  it('aroon / aroonosc (3)', () => {
    // window of 4 bars. i3: highs 5,7,6,7 -> highest 7, tie goes to the latest (i3): up = 100/3*(3-0) = 100
    //                       lows 3,2,4,5 -> lowest 2 at i1: down = 100/3*(3-2) = 33.33
    // i4: highs 7,6,7,4 -> 7 at i3 (1 bar ago): up = 66.67; lows 2,4,5,1 -> 1 at i4: down = 100
    const h = [5, 7, 6, 7, 4];
    const l = [3, 2, 4, 5, 1];
    const [down, up] = run('aroon', { h, l, c: h }, [3]);
    expectValues(down, [N, N, N, 100 / 3, 100]);
    expectValues(up, [N, N, N, 100, 200 / 3]);
    expectValues(run('aroonosc', { h, l, c: h }, [3])[0], [N, N, N, 200 / 3, -100 / 3]);
  });

  it('mfi(2)', () => {
    // typical prices 10, 12, 11, 11, 13 with volumes 100, 200, 100, 300, 100
    // flows: i1 +2400, i2 -1100, i3 0 (unchanged), i4 +1300
    // i2: 100*2400/3500; i3: pos 0, neg 1100 -> 0; i4: pos 1300, neg 0 -> 100
    const c = [10, 12, 11, 11, 13];
    const [m] = run('mfi', { h: c.map((x) => x + 1), l: c.map((x) => x - 1), c, v: [100, 200, 100, 300, 100] }, [2]);
    expectValues(m, [N, N, 240000 / 3500, 0, 100]);
  });

  it('ultosc(1,2,3), periods given out of order', () => {
    // bp = c - min(l, prevC), tr = max(h-l, |h-prevC|, |l-prevC|):
    //   i1 (11,9,10) pc 9: bp 1, tr 2 | i2 (12,10,11) pc 10: bp 1, tr 2 | i3 (11,9,9) pc 11: bp 0, tr 2
    //   i4 (13,10,13) pc 9: bp 4, tr 4
    // i3: 100*(4*(0/2) + 2*(1/4) + 2/6)/7 = 100*(5/6)/7; i4: 100*(4*1 + 2*(4/6) + 5/8)/7 = 100*(143/24)/7
    const [u] = run('ultosc', { h: [10, 11, 12, 11, 13], l: [8, 9, 10, 9, 10], c: [9, 10, 11, 9, 13] }, [3, 1, 2]);
    expectValues(u, [N, N, N, 500 / 42, 14300 / 168]);
  });

  it('tsi(2,2)', () => {
    // closes 1,2,4,3,5: momentum +1,+2,-1,+2; |m| 1,2,1,2 (EMA2: k = 2/3, SMA seed)
    // EMA2(m): i2 1.5, i3 -1/6, i4 23/18; EMA2 of that: i3 (1.5-1/6)/2 = 2/3, i4 (23/18-2/3)*2/3+2/3 = 29/27
    // EMA2(|m|): i2 1.5, i3 7/6, i4 31/18; EMA2 of that: i3 4/3, i4 (31/18-4/3)*2/3+4/3 = 43/27
    // tsi i3 = 100*(2/3)/(4/3) = 50; i4 = 100*29/43
    expectValues(run('tsi', { c: [1, 2, 4, 3, 5] }, [2, 2])[0], [N, N, N, 50, 2900 / 43]);
  });

  it('ao(2,3)', () => {
    // medians 2, 4, 6, 5: i2 SMA2 5 - SMA3 4 = 1; i3 SMA2 5.5 - SMA3 5 = 0.5
    expectValues(run('ao', { h: [3, 5, 7, 6], l: [1, 3, 5, 4], c: [2, 4, 6, 5] }, [2, 3])[0], [N, N, 1, 0.5]);
  });

  it('dpo(4): close - SMA4 from 3 bars ago', () => {
    // closes 4,2,6,8,3,5,9,7; SMA4: i3 5, i4 4.75; k = 4/2+1 = 3; lookback 3+3 = 6
    // dpo i6 = 9 - SMA4[3] = 4; i7 = 7 - SMA4[4] = 2.25
    expectValues(run('dpo', { c: [4, 2, 6, 8, 3, 5, 9, 7] }, [4])[0], [...nans(6), 4, 2.25]);
  });

  it('obv', () => {
    // starts at the first volume (100); +200 (up), unchanged, -400 (down), +500 (up)
    expectValues(run('obv', { c: [10, 11, 11, 9, 12], v: [100, 200, 300, 400, 500] })[0], [100, 300, 300, -100, 400]);
  });

  // bars used by ad / adosc / cmf
  const ah = [12, 10, 15, 20];
  const al = [8, 10, 10, 10];
  const ac = [11, 10, 10, 20];
  const av = [100, 50, 200, 100];
  // CLV*V: ((11-8)-(12-11))/4*100 = 50; h == l -> 0; ((10-10)-(15-10))/5*200 = -200; (10-0)/10*100 = 100

  it('ad', () => {
    expectValues(run('ad', { h: ah, l: al, c: ac, v: av })[0], [50, 50, -150, -50]);
  });

  it('adosc(2,3): EMAs seeded with the first A/D value', () => {
    // AD 50, 50, -150, -50; fast k = 2/3, slow k = 1/2, both start at 50
    // i1: 50, 50; i2: fast = 2/3*-150 + 1/3*50 = -250/3, slow = -50 -> -100/3
    // i3: fast = 2/3*-50 + 1/3*(-250/3) = -550/9, slow = -50 -> -100/9
    expectValues(run('adosc', { h: ah, l: al, c: ac, v: av }, [2, 3])[0], [N, N, -100 / 3, -100 / 9]);
  });

  it('cmf(2)', () => {
    // i1: (50+0)/(100+50) = 1/3; i2: (0-200)/(50+200) = -0.8; i3: (-200+100)/(200+100) = -1/3
    expectValues(run('cmf', { h: ah, l: al, c: ac, v: av }, [2])[0], [N, 1 / 3, -0.8, -1 / 3]);
  });

  it('force(2)', () => {
    // raw: i1 (11-10)*200 = 200, i2 (13-11)*100 = 200, i3 (12-13)*300 = -300
    // EMA2: seed i2 (200+200)/2 = 200; i3 (-300-200)*2/3+200 = -400/3
    expectValues(run('force', { c: [10, 11, 13, 12], v: [100, 200, 100, 300] }, [2])[0], [N, N, 200, -400 / 3]);
  });

  it('eom(2), volume in millions', () => {
    // mids 9, 11, 10, 11. i1: Δ 2, box (2e6/1e6)/(12-10) = 1 -> 2; i2: Δ -1, box (1e6/1e6)/4 = 0.25 -> -4
    // i3: h == l -> 0. SMA2: i2 (2-4)/2 = -1; i3 (-4+0)/2 = -2
    expectValues(run('eom', { h: [10, 12, 12, 11], l: [8, 10, 8, 11], c: [9, 11, 10, 11], v: [1e6, 2e6, 1e6, 5e5] }, [2])[0], [N, N, -1, -2]);
  });

  it('nvi / pvi / vpt', () => {
    // closes 100, 110, 99, 99, 120; volumes 1000, 900, 1200, 800, 700
    // nvi: 1000; vol down: *1.1 = 1100; vol up: 1100; vol down, no change: 1100; vol down: *120/99 = 1333.33
    // pvi: 1000; 1000; vol up: *99/110 = 900; 900; 900
    // vpt: 0; +900*0.1 = 90; +1200*(-0.1) = -30; +0 = -30; +700*21/99 = -30 + 148.4848
    const c = [100, 110, 99, 99, 120];
    const v = [1000, 900, 1200, 800, 700];
    expectValues(run('nvi', { c, v })[0], [1000, 1100, 1100, 1100, (1100 * 120) / 99]);
    expectValues(run('pvi', { c, v })[0], [1000, 1000, 900, 900, 900]);
    expectValues(run('vpt', { c, v })[0], [0, 90, -30, -30, -30 + (700 * 21) / 99]);
  });
});

// ------------------------------------------------------------------ missing values

describe('missing values', () => {
  it('windowed: NaN while the hole is in the window, then recovers', () => {
    // willr(3) with the high of bar 2 missing: bars 2,3,4 see it; bar 5's window (3,4,5) is clean again
    const h = [10, 11, NaN, 12, 13, 14];
    const [w] = run('willr', { h, l: [8, 9, 10, 9, 11, 12], c: [9, 10, 12, 10, 12, 13] }, [3]);
    expectValues(w, [N, N, N, N, N, -20]);
  });

  it('recursive: one NaN does not poison the state', () => {
    // 200 bars (longer than every default lookback, trix's 88 included), close missing at bar 120
    const c = Array.from({ length: 200 }, (_, i) => 100 + 10 * Math.sin(i / 3));
    c[120] = NaN;
    for (const name of ['rsi', 'macd', 'trix', 'tsi', 'adx', 'obv', 'ad', 'nvi']) {
      const outs = run(name, { h: c.map((x) => x + 1), l: c.map((x) => x - 1), c, v: c.map(() => 1000) });
      for (const o of outs) {
        expect(o[120], name).toBeNaN();
        expect(Number.isFinite(o[199]), `${name} recovers`).toBe(true);
      }
    }
  });

  it('obv skips the missing bar and the bar after it', () => {
    // 100; +100; missing; no valid previous close -> NaN (prev becomes 12); 11 < 12 -> 200 - 100
    expectValues(run('obv', { c: [10, 11, NaN, 12, 11], v: [100, 100, 100, 100, 100] })[0], [100, 200, N, N, 100]);
  });

  it('rsi skips the two changes around a hole (state kept)', () => {
    // rsi(2) over 1,2,3,NaN,4,5: changes used: +1,+1 (seed, avg 1/0 -> 100), then 5-4 = +1 -> still 100
    expectValues(run('rsi', { c: [1, 2, 3, NaN, 4, 5] }, [2])[0], [N, N, 100, N, N, 100]);
  });

  it('invalid parameters throw', () => {
    expect(() => spec('rsi').batch(mk({ c: [1, 2, 3] }), [1])).toThrow(RangeError);
    expect(() => spec('rsi').stream([2.5])).toThrow(RangeError);
    expect(() => spec('macd').lookback([12, 26, 0])).toThrow(RangeError);
  });
});

// ------------------------------------------------------------------ lookback

describe('lookback', () => {
  it('default lookbacks match TA-Lib (and ours)', () => {
    const want: Record<string, number> = {
      rsi: 14, stoch: 17, stochrsi: 20, macd: 33, ppo: 25, apo: 25, roc: 10, mom: 10, cci: 13, willr: 13, adx: 27,
      plus_di: 14, minus_di: 14, adxr: 40, aroon: 14, aroonosc: 14, mfi: 14, ultosc: 28, trix: 88, cmo: 14, bop: 0,
      tsi: 37, ao: 33, dpo: 30, obv: 0, ad: 0, adosc: 9, cmf: 19, force: 13, eom: 14, nvi: 0, pvi: 0, vpt: 0,
    };
    expect(new Set(ALL.map((s) => s.name))).toEqual(new Set(Object.keys(want)));
    for (const s of ALL) expect(s.lookback([]), s.name).toBe(want[s.name]);
  });

  it('leading NaNs == lookback(p) on clean data, then no NaN, for every indicator and random params', () => {
    for (const s of ALL) {
      fc.assert(
        fc.property(paramsArb(s), cleanSeries(0, 60), (p, extra) => {
          const lb = s.lookback(p);
          // make sure the series is longer than the lookback: prepend a clean random prefix
          const x = toOhlcv(50, 0, Array.from({ length: lb + 1 }, (_, i) => ({ gap: 0, ret: ((i * 7919) % 13) / 200 - 0.03, up: 0.01, dn: 0.01, vol: 1000 + i })));
          const n = x.close.length + extra.close.length;
          const full: Ohlcv = { open: new Float64Array(n), high: new Float64Array(n), low: new Float64Array(n), close: new Float64Array(n), volume: new Float64Array(n) };
          for (const f of ['open', 'high', 'low', 'close', 'volume'] as const) {
            full[f].set(x[f]);
            full[f].set(extra[f], x.close.length);
          }
          const outs = s.batch(full, p);
          expect(outs.length).toBe(s.outputs.length);
          for (const o of outs) {
            expect(o.length).toBe(n);
            let lead = 0;
            while (lead < n && Number.isNaN(o[lead])) lead++;
            if (lead !== lb) throw new Error(`${s.name}(${p}): ${lead} leading NaNs, lookback ${lb}`);
            for (let i = lead; i < n; i++) if (!Number.isFinite(o[i])) throw new Error(`${s.name}(${p}): non-finite at ${i}`);
          }
        }),
        { numRuns: 25 },
      );
    }
  });

  it('a series shorter than the lookback gives all NaN', () => {
    const x = mk({ h: [2, 3], l: [1, 2], c: [1.5, 2.5], v: [10, 20] });
    for (const s of ALL) {
      if (s.lookback([]) < 2) continue;
      for (const o of s.batch(x, [])) expect(Array.from(o).every(Number.isNaN), s.name).toBe(true);
    }
  });
});

// ------------------------------------------------------------------ properties

describe('properties', () => {
  it('batch matches the naive reference formulas on random clean series and params', () => {
    for (const s of ALL) {
      fc.assert(
        fc.property(paramsArb(s), cleanSeries(0, 130, [0.01, 0.25, 1 / 64]), (p, x) => {
          const outs = s.batch(x, p);
          const ref = reference(s.name, x, withDefaults(s, p));
          outs.forEach((o, j) => assertSeries(o, ref[j], `${s.name}(${p}).${s.outputs[j]}`, 1e-8));
        }),
        { numRuns: 60 },
      );
    }
  });

  it('stream equals batch bar by bar (clean and with missing values)', () => {
    for (const s of ALL) {
      fc.assert(
        fc.property(paramsArb(s), fc.oneof(cleanSeries(0, 120), dirtySeries), (p, x) => {
          const outs = s.batch(x, p);
          const st = s.stream(p);
          for (let i = 0; i < x.close.length; i++) {
            const r = st.update(x.open[i], x.high[i], x.low[i], x.close[i], x.volume[i]);
            expect(r.length).toBe(outs.length);
            for (let j = 0; j < outs.length; j++) {
              if (!same(r[j], outs[j][i])) throw new Error(`${s.name}(${p}).${s.outputs[j]}[${i}]: stream ${r[j]} batch ${outs[j][i]}`);
            }
          }
        }),
        { numRuns: 60 },
      );
    }
  });

  it('no look-ahead: truncating at k leaves outputs before k unchanged', () => {
    for (const s of ALL) {
      fc.assert(
        fc.property(paramsArb(s), fc.oneof(cleanSeries(1, 120), dirtySeries), fc.nat(), (p, x, kk) => {
          const n = x.close.length;
          if (n === 0) return;
          const k = kk % (n + 1);
          const full = s.batch(x, p);
          const cut = s.batch(slice(x, 0, k), p);
          for (let j = 0; j < full.length; j++) {
            expect(cut[j].length).toBe(k);
            if (!outputsEqualExactlyOrNaN(full[j], cut[j], k)) throw new Error(`${s.name}(${p}) output ${j} changed before ${k}`);
          }
        }),
        { numRuns: 40 },
      );
    }
  });

  it('streams are independent (no shared state between instances)', () => {
    const x = toOhlcv(100, 0, Array.from({ length: 80 }, (_, i) => ({ gap: 0, ret: Math.sin(i) / 30, up: 0.01, dn: 0.02, vol: 1000 * (1 + (i % 5)) })));
    for (const s of ALL) {
      const a = s.stream([]);
      const b = s.stream([]);
      const want = s.batch(x, []);
      for (let i = 0; i < 80; i++) {
        const ra = Array.from(a.update(x.open[i], x.high[i], x.low[i], x.close[i], x.volume[i]));
        if (i % 2 === 0) b.update(x.open[i], x.high[i] * 2, x.low[i], x.close[i], x.volume[i]); // b drifts away
        want.forEach((w, j) => expect(same(ra[j], w[i]), `${s.name}[${i}]`).toBe(true));
      }
    }
  });
});

// ------------------------------------------------------------------ real data

describe('real data: NVDA 2014 daily', () => {
  const here = path.dirname(fileURLToPath(import.meta.url));
  const file = path.resolve(here, '../../shared/data/backtrader/nvda-2014.txt');
  const lines = fs.readFileSync(file, 'utf8').trim().split(/\r?\n/).slice(1);
  const rows = lines.map((ln) => ln.split(',').map(Number)); // Date is NaN, unused
  const x: Ohlcv = {
    open: Float64Array.from(rows.map((r) => r[1])),
    high: Float64Array.from(rows.map((r) => r[2])),
    low: Float64Array.from(rows.map((r) => r[3])),
    close: Float64Array.from(rows.map((r) => r[4])),
    volume: Float64Array.from(rows.map((r) => r[6])),
  };
  const n = x.close.length;

  it('parses a full year', () => {
    expect(n).toBe(252);
    for (const f of ['open', 'high', 'low', 'close', 'volume'] as const) expect(x[f].every(Number.isFinite)).toBe(true);
  });

  it('oscillator ranges', () => {
    const inRange = (a: Float64Array, lo: number, hi: number, lb: number, label: string) => {
      for (let i = lb; i < n; i++) {
        expect(a[i] >= lo - 1e-9 && a[i] <= hi + 1e-9, `${label}[${i}] = ${a[i]}`).toBe(true);
      }
    };
    inRange(M.RSI.batch(x, [])[0], 0, 100, 14, 'rsi');
    inRange(M.WILLR.batch(x, [])[0], -100, 0, 13, 'willr');
    const [k, d] = M.STOCH.batch(x, []);
    inRange(k, 0, 100, 17, 'stoch_k');
    inRange(d, 0, 100, 17, 'stoch_d');
    inRange(M.MFI.batch(x, [])[0], 0, 100, 14, 'mfi');
    const [sk, sd] = M.STOCHRSI.batch(x, []);
    inRange(sk, 0, 100, 20, 'stochrsi_k');
    inRange(sd, 0, 100, 20, 'stochrsi_d');
    inRange(M.ADX.batch(x, [])[0], 0, 100, 27, 'adx');
    inRange(M.ULTOSC.batch(x, [])[0], 0, 100, 28, 'ultosc');
    inRange(M.CMO.batch(x, [])[0], -100, 100, 14, 'cmo');
    inRange(V.CMF.batch(x, [])[0], -1, 1, 19, 'cmf');
    const [ad, au] = M.AROON.batch(x, []);
    inRange(ad, 0, 100, 14, 'aroon_down');
    inRange(au, 0, 100, 14, 'aroon_up');
  });

  it('spot values recomputed naively (O(n·p)) in the test', () => {
    const c = A(x.close);
    const h = A(x.high);
    const l = A(x.low);
    const v = A(x.volume);
    const t = n - 1;

    // RSI(14) at the last bar: Wilder recursion written out from scratch
    let g = 0;
    let lo = 0;
    for (let i = 1; i <= 14; i++) {
      const dd = c[i] - c[i - 1];
      g += Math.max(dd, 0) / 14;
      lo += Math.max(-dd, 0) / 14;
    }
    for (let i = 15; i <= t; i++) {
      const dd = c[i] - c[i - 1];
      g = (g * 13 + Math.max(dd, 0)) / 14;
      lo = (lo * 13 + Math.max(-dd, 0)) / 14;
    }
    expect(M.RSI.batch(x, [])[0][t]).toBeCloseTo((100 * g) / (g + lo), 9);

    // Williams %R(14) at bar 100
    const hh = Math.max(...h.slice(87, 101));
    const ll = Math.min(...l.slice(87, 101));
    expect(M.WILLR.batch(x, [])[0][100]).toBeCloseTo((-100 * (hh - c[100])) / (hh - ll), 9);

    // CCI(20) at bar 150
    const tp = c.map((cc, i) => (h[i] + l[i] + cc) / 3).slice(131, 151);
    const mean = tp.reduce((a, b) => a + b, 0) / 20;
    const md = tp.reduce((a, b) => a + Math.abs(b - mean), 0) / 20;
    expect(M.CCI.batch(x, [20])[0][150]).toBeCloseTo((tp[19] - mean) / (0.015 * md), 8);

    // MFI(14) at bar 200
    let pos = 0;
    let neg = 0;
    for (let i = 187; i <= 200; i++) {
      const a = (h[i] + l[i] + c[i]) / 3;
      const b = (h[i - 1] + l[i - 1] + c[i - 1]) / 3;
      if (a > b) pos += a * v[i];
      if (a < b) neg += a * v[i];
    }
    expect(M.MFI.batch(x, [])[0][200]).toBeCloseTo((100 * pos) / (pos + neg), 9);

    // OBV at the last bar
    let obv = v[0];
    for (let i = 1; i <= t; i++) obv += Math.sign(c[i] - c[i - 1]) * v[i];
    expect(V.OBV.batch(x, [])[0][t]).toBe(obv);
  });

  it('every indicator matches its reference on the real series (default params)', () => {
    for (const s of ALL) {
      const outs = s.batch(x, []);
      const ref = reference(s.name, x, withDefaults(s, []));
      outs.forEach((o, j) => assertSeries(o, ref[j], `${s.name}.${s.outputs[j]}`, 1e-8));
      for (const o of outs) expect(Array.from(o).filter(Number.isNaN).length, s.name).toBe(s.lookback([]));
    }
  });
});
