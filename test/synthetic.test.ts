import { describe, expect, it } from 'vitest';
import { resample } from '../data/resample.ts';
import { generateSeries, generateUniverse, symbolName, symbolRng, toCsv, type SyntheticOptions } from '../data/synthetic.ts';
import { UsageError } from '../src/errors.ts';
import { DAY_MS, parseTimeframe } from '../src/timeframe.ts';
import { BAR_FIELDS, type BarSeries } from '../src/types.ts';
import { formatTs, utcToWall } from '../src/tz.ts';

const NY = 'America/New_York';
const opts = (over: Partial<SyntheticOptions> = {}): SyntheticOptions => ({
  symbols: 3,
  bars: 2000,
  timeframe: parseTimeframe('15m'),
  seed: 42,
  ...over,
});

function bytesEqual(a: BarSeries, b: BarSeries): boolean {
  return BAR_FIELDS.every((f) => Buffer.from(a[f].buffer).equals(Buffer.from(b[f].buffer)));
}

function logReturns(c: Float64Array): Float64Array {
  const r = new Float64Array(c.length - 1);
  for (let i = 1; i < c.length; i++) r[i - 1] = Math.log(c[i] / c[i - 1]);
  return r;
}

function mean(x: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < x.length; i++) s += x[i];
  return s / x.length;
}

function acf1(x: Float64Array): number {
  const m = mean(x);
  let num = 0;
  let den = 0;
  for (let i = 0; i < x.length; i++) {
    den += (x[i] - m) ** 2;
    if (i > 0) num += (x[i] - m) * (x[i - 1] - m);
  }
  return num / den;
}

function excessKurtosis(x: Float64Array): number {
  const m = mean(x);
  let v = 0;
  let k = 0;
  for (const y of x) {
    v += (y - m) ** 2;
    k += (y - m) ** 4;
  }
  v /= x.length;
  k /= x.length;
  return k / (v * v) - 3;
}

function corr(a: Float64Array, b: Float64Array): number {
  const ma = mean(a);
  const mb = mean(b);
  let sab = 0;
  let saa = 0;
  let sbb = 0;
  for (let i = 0; i < a.length; i++) {
    sab += (a[i] - ma) * (b[i] - mb);
    saa += (a[i] - ma) ** 2;
    sbb += (b[i] - mb) ** 2;
  }
  return sab / Math.sqrt(saa * sbb);
}

describe('synthetic: names and determinism', () => {
  it('names symbols deterministically', () => {
    expect([0, 1, 45, 999, 1000].map(symbolName)).toEqual(['SYN000', 'SYN001', 'SYN045', 'SYN999', 'SYN1000']);
    expect(generateUniverse(opts()).map((s) => s.symbol)).toEqual(['SYN000', 'SYN001', 'SYN002']);
  });

  it('same options give bit-identical output, also after other universes were generated', () => {
    const a = generateUniverse(opts());
    generateUniverse(opts({ seed: 7, bars: 500, timeframe: parseTimeframe('1d') })); // evicts any cache
    const b = generateUniverse(opts());
    expect(a.length).toBe(3);
    for (let i = 0; i < 3; i++) expect(bytesEqual(a[i], b[i])).toBe(true);
  });

  it('different seeds differ, and symbols differ from each other', () => {
    const a = generateUniverse(opts());
    const b = generateUniverse(opts({ seed: 43 }));
    for (let i = 0; i < 3; i++) {
      expect(a[i].close[100]).not.toBe(b[i].close[100]);
      expect(a[i].volume.some((v, j) => v !== b[i].volume[j])).toBe(true);
    }
    expect(a[0].close[100]).not.toBe(a[1].close[100]);
    // Timestamps are the calendar, shared by all.
    expect(Array.from(a[0].ts)).toEqual(Array.from(b[2].ts));
  });

  it('symbol k is identical whether the universe has 3 or 10 symbols, or is generated alone', () => {
    const three = generateUniverse(opts({ symbols: 3 }));
    const ten = generateUniverse(opts({ symbols: 10 }));
    for (let k = 0; k < 3; k++) expect(bytesEqual(three[k], ten[k])).toBe(true);
    // What a parallel worker would do for symbol 7 alone.
    const alone = generateSeries(symbolName(7), opts({ symbols: 10 }), symbolRng(42, 7));
    expect(bytesEqual(alone, ten[7])).toBe(true);
  });

  it('reports progress once per symbol', () => {
    const calls: Array<[number, number]> = [];
    generateUniverse(opts({ symbols: 4, bars: 10 }), (d, t) => calls.push([d, t]));
    expect(calls).toEqual([[1, 4], [2, 4], [3, 4], [4, 4]]);
  });

  it('rejects tick data, bad counts and unknown zones with UsageError', () => {
    expect(() => generateUniverse(opts({ timeframe: parseTimeframe('tick') }))).toThrow(UsageError);
    expect(() => generateUniverse(opts({ bars: -1 }))).toThrow(UsageError);
    expect(() => generateUniverse(opts({ symbols: 1.5 }))).toThrow(UsageError);
    expect(() => generateUniverse(opts({ tz: 'Mars/Olympus' }))).toThrow(UsageError);
    expect(generateUniverse(opts({ bars: 0 }))[0].ts.length).toBe(0);
  });
});

describe('synthetic: bar validity and calendar', () => {
  it.each(['1m', '15m', '1h', '4h', '1d', '1w', '1mo'])('OHLC valid, prices positive, volume positive integers (%s)', (tf) => {
    for (const s of generateUniverse(opts({ symbols: 3, bars: 5000, timeframe: parseTimeframe(tf) }))) {
      expect(s.timeframe.label).toBe(tf);
      expect(s.tz).toBe(NY);
      for (let i = 0; i < s.ts.length; i++) {
        const o = s.open[i];
        const h = s.high[i];
        const l = s.low[i];
        const c = s.close[i];
        const v = s.volume[i];
        const ok = l > 0 && l <= Math.min(o, c) && Math.max(o, c) <= h && Number.isFinite(h) && Number.isInteger(v) && v >= 1;
        if (!ok) throw new Error(`${tf} ${s.symbol} bar ${i}: o=${o} h=${h} l=${l} c=${c} v=${v}`);
      }
    }
  });

  it('15m bars: strictly increasing, inside 09:30-16:00 New York time, weekdays only, across DST changes', () => {
    const [s] = generateUniverse(opts({ symbols: 1, bars: 26 * 400 })); // ~400 sessions: 2015-01-02 .. mid 2016
    expect(formatTs(s.ts[0], NY)).toBe('2015-01-02 09:30');
    const perDay = new Map<string, number>();
    for (let i = 0; i < s.ts.length; i++) {
      if (i > 0) expect(s.ts[i]).toBeGreaterThan(s.ts[i - 1]);
      const wall = utcToWall(s.ts[i], NY);
      const dow = new Date(wall).getUTCDay();
      const minute = (wall % DAY_MS) / 60_000;
      if (dow === 0 || dow === 6 || minute < 9 * 60 + 30 || minute + 15 > 16 * 60) {
        throw new Error(`bar ${i} at ${formatTs(s.ts[i], NY)} is outside the session`);
      }
      const day = formatTs(s.ts[i], NY, true);
      perDay.set(day, (perDay.get(day) ?? 0) + 1);
    }
    // Every session is complete: 26 bars of 15 minutes (09:30 .. 15:45), in winter and summer alike.
    expect(new Set(perDay.values())).toEqual(new Set([26]));
    expect(formatTs(s.ts.find((t) => formatTs(t, NY, true) === '2015-07-01')!, NY)).toBe('2015-07-01 09:30');
  });

  it('coarser calendars: 1h sessions of 7 bars, daily weekdays at midnight, Mondays, 1st of the month', () => {
    const [h] = generateUniverse(opts({ symbols: 1, bars: 14, timeframe: parseTimeframe('1h') }));
    expect(Array.from(h.ts.slice(0, 8), (t) => formatTs(t, NY))).toEqual([
      '2015-01-02 09:30', '2015-01-02 10:30', '2015-01-02 11:30', '2015-01-02 12:30', '2015-01-02 13:30',
      '2015-01-02 14:30', '2015-01-02 15:30', '2015-01-05 09:30',
    ]);
    const [d] = generateUniverse(opts({ symbols: 1, bars: 4, timeframe: parseTimeframe('1d') }));
    expect(Array.from(d.ts, (t) => formatTs(t, NY))).toEqual(['2015-01-02', '2015-01-05', '2015-01-06', '2015-01-07']);
    const [w] = generateUniverse(opts({ symbols: 1, bars: 2, timeframe: parseTimeframe('1w') }));
    expect(Array.from(w.ts, (t) => formatTs(t, NY))).toEqual(['2015-01-05', '2015-01-12']);
    const [m] = generateUniverse(opts({ symbols: 1, bars: 3, timeframe: parseTimeframe('1mo') }));
    expect(Array.from(m.ts, (t) => formatTs(t, NY))).toEqual(['2015-02-01', '2015-03-01', '2015-04-01']);
    const [late] = generateUniverse(opts({ symbols: 1, bars: 2, start: Date.parse('2020-03-09T15:00:00Z') }));
    expect(Array.from(late.ts, (t) => formatTs(t, NY))).toEqual(['2020-03-09 11:00', '2020-03-09 11:15']);
  });

  it('resampling 15m bars to 1d gives one bar per session, labelled at local midnight', () => {
    const [s] = generateUniverse(opts({ symbols: 1, bars: 26 * 30 }));
    const d = resample(s, parseTimeframe('1d'));
    expect(d.ts.length).toBe(30);
    for (let i = 0; i < d.ts.length; i++) {
      expect(formatTs(d.ts[i], NY)).toMatch(/^\d{4}-\d\d-\d\d$/);
      expect(d.open[i]).toBe(s.open[i * 26]);
      expect(d.close[i]).toBe(s.close[i * 26 + 25]);
    }
  });
});

describe('synthetic: stylised facts', () => {
  // One long universe shared by these checks (seeded, so the numbers are fixed; bounds keep a wide margin).
  const long = generateUniverse(opts({ symbols: 4, bars: 26 * 1500 }));
  const daily = generateUniverse(opts({ symbols: 4, bars: 4000, timeframe: parseTimeframe('1d') }));

  it('volatility clusters: lag-1 autocorrelation of |returns| > 0.1', () => {
    // 15m: every symbol (about 0.21 .. 0.26 here). Daily series are shorter and noisier (0.13 .. 0.21): their mean.
    for (const s of long) expect(acf1(logReturns(s.close).map(Math.abs)), s.symbol).toBeGreaterThan(0.1);
    expect(mean(daily.map((s) => acf1(logReturns(s.close).map(Math.abs))))).toBeGreaterThan(0.1);
  });

  it('fat tails: excess kurtosis of returns > 1', () => {
    for (const s of [...long, ...daily]) expect(excessKurtosis(logReturns(s.close)), `${s.symbol} ${s.timeframe.label}`).toBeGreaterThan(1);
  });

  it('mild positive correlation through the market factor', () => {
    const rs = long.map((s) => logReturns(s.close));
    for (let a = 0; a < rs.length; a++) {
      for (let b = a + 1; b < rs.length; b++) {
        const c = corr(rs[a], rs[b]);
        expect(c).toBeGreaterThan(0.02);
        expect(c).toBeLessThan(0.6);
      }
    }
  });

  it('annualised volatility of daily bars is plausible (5% .. 150%)', () => {
    for (const s of daily) {
      const r = logReturns(s.close);
      const m = mean(r);
      const sd = Math.sqrt(mean(r.map((x) => (x - m) ** 2)));
      expect(sd * Math.sqrt(252)).toBeGreaterThan(0.05);
      expect(sd * Math.sqrt(252)).toBeLessThan(1.5);
    }
  });

  it('intraday volume is U-shaped: first and last bars > 1.3 x midday', () => {
    for (const s of long) {
      let first = 0;
      let last = 0;
      let mid = 0;
      let nMid = 0;
      const days = s.ts.length / 26;
      for (let i = 0; i < s.ts.length; i++) {
        const k = i % 26; // complete sessions from 09:30: slot = i mod 26
        if (k === 0) first += s.volume[i];
        else if (k === 25) last += s.volume[i];
        else if (k >= 10 && k <= 15) {
          mid += s.volume[i];
          nMid++;
        }
      }
      const midMean = mid / nMid;
      expect(first / days).toBeGreaterThan(1.3 * midMean);
      expect(last / days).toBeGreaterThan(1.3 * midMean);
    }
  });
});

describe('synthetic: toCsv', () => {
  it('writes the header and one row per bar in UTC with 4-decimal prices and integer volume', () => {
    const [s] = generateUniverse(opts({ symbols: 1, bars: 30 }));
    const text = toCsv(s);
    expect(text.endsWith('\n')).toBe(true);
    const lines = text.trimEnd().split('\n');
    expect(lines[0]).toBe('timestamp,open,high,low,close,volume');
    expect(lines.length).toBe(31);
    // 2015-01-02 09:30 New York (EST, UTC-5) is 14:30 UTC.
    expect(lines[1].startsWith('2015-01-02 14:30:00,')).toBe(true);
    for (let i = 0; i < 30; i++) {
      const line = lines[i + 1];
      expect(line).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d+\.\d{4},\d+\.\d{4},\d+\.\d{4},\d+\.\d{4},\d+$/);
      const [ts, o, h, l, c, v] = line.split(',');
      expect(ts).toBe(new Date(s.ts[i]).toISOString().slice(0, 19).replace('T', ' '));
      expect(o).toBe(s.open[i].toFixed(4));
      expect(h).toBe(s.high[i].toFixed(4));
      expect(l).toBe(s.low[i].toFixed(4));
      expect(c).toBe(s.close[i].toFixed(4));
      expect(Number(v)).toBe(s.volume[i]);
    }
  });

  it('formats far dates and NaN as empty fields', () => {
    const [s] = generateUniverse(opts({ symbols: 1, bars: 2 }));
    s.ts[0] = Date.UTC(2000, 1, 29, 23, 59, 58);
    s.close[1] = NaN;
    const lines = toCsv(s).trimEnd().split('\n');
    expect(lines[1].startsWith('2000-02-29 23:59:58,')).toBe(true);
    expect(lines[2].split(',')[4]).toBe('');
  });
});

describe('synthetic: scale', () => {
  // Speed is measured in bench/ (npm run bench), not asserted here.
  it('generates the full 46 symbols x 72,000 bars of 15m with finite values', () => {
    const u = generateUniverse(opts({ symbols: 46, bars: 72_000, seed: 1 }));
    expect(u.length).toBe(46);
    expect(u[45].close.length).toBe(72_000);
    expect(Number.isFinite(u[45].close[71_999])).toBe(true);
  });
});
