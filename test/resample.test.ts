import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { checkResample, resample } from '../data/resample.ts';
import { UsageError } from '../src/errors.ts';
import { parseTimeframe } from '../src/timeframe.ts';
import { allocBars, type BarSeries } from '../src/types.ts';
import { formatTs, wallToUtc } from '../src/tz.ts';

const MIN = 60_000;
const HOUR = 3_600_000;
const DAY = 86_400_000;

type Row = [ts: number, o: number, h: number, l: number, c: number, v: number];

function series(tf: string, tz: string, rows: Row[]): BarSeries {
  const s = allocBars('TEST', parseTimeframe(tf), tz, rows.length);
  rows.forEach(([t, o, h, l, c, v], i) => {
    s.ts[i] = t;
    s.open[i] = o;
    s.high[i] = h;
    s.low[i] = l;
    s.close[i] = c;
    s.volume[i] = v;
  });
  return s;
}

function rows(s: BarSeries): Row[] {
  return Array.from(s.ts, (t, i) => [t, s.open[i], s.high[i], s.low[i], s.close[i], s.volume[i]] as Row);
}

const utc = (iso: string) => Date.parse(`${iso}Z`);
/** A wall-clock time in tz ('YYYY-MM-DDTHH:MM') as a UTC instant. */
const local = (iso: string, tz: string) => wallToUtc(Date.parse(`${iso}Z`), tz);

describe('resample: hand-worked examples', () => {
  it('1m -> 5m with a missing minute and an empty bucket', () => {
    const t = (hm: string) => utc(`2024-01-02T${hm}`);
    const src = series('1m', 'UTC', [
      [t('09:30'), 10, 11, 9, 10.5, 100],
      [t('09:31'), 10.5, 12, 10, 11, 200],
      // 09:32 missing
      [t('09:33'), 11, 11.5, 10.5, 11.2, 150],
      [t('09:34'), 11.2, 11.3, 8, 9, 50],
      [t('09:35'), 9, 9.5, 8.5, 9.2, 10],
      [t('09:36'), 9.2, 10, 9, 9.8, 20],
      [t('09:37'), 9.8, 10.2, 9.7, 10, 30],
      [t('09:38'), 10, 13, 9.9, 12.5, 40],
      [t('09:39'), 12.5, 12.6, 12, 12.1, 5],
      // 09:40-09:44 missing entirely: no bar is invented for that bucket
      [t('09:45'), 12, 12, 12, 12, 7],
    ]);
    const out = resample(src, parseTimeframe('5m'));
    expect(out.timeframe.label).toBe('5m');
    expect(out.tz).toBe('UTC');
    expect(out.symbol).toBe('TEST');
    expect(rows(out)).toEqual([
      // 09:30 bucket (09:30, 09:31, 09:33, 09:34): open 10 (first), high max(11,12,11.5,11.3)=12,
      // low min(9,10,10.5,8)=8, close 9 (last), volume 100+200+150+50=500
      [t('09:30'), 10, 12, 8, 9, 500],
      // 09:35 bucket: open 9, high max(9.5,10,10.2,13,12.6)=13, low min(8.5,9,9.7,9.9,12)=8.5, close 12.1,
      // volume 10+20+30+40+5=105
      [t('09:35'), 9, 13, 8.5, 12.1, 105],
      [t('09:45'), 12, 12, 12, 12, 7],
    ]);
  });

  it('5m -> 1h on the local clock of a +05:30 zone', () => {
    // Asia/Kolkata is UTC+05:30 with no DST: local hours start at hh:30 UTC, so a UTC-aligned bucketing would differ.
    const tz = 'Asia/Kolkata';
    const t = (hm: string) => local(`2024-01-02T${hm}`, tz);
    const src = series('5m', tz, [
      [t('09:50'), 100, 101, 99, 100, 1],
      [t('09:55'), 100, 102, 100, 101, 2],
      [t('10:00'), 101, 101, 97, 98, 4],
      [t('10:05'), 98, 99, 96, 99, 8],
      [t('10:55'), 99, 105, 99, 104, 16],
      [t('11:00'), 104, 104, 103, 103, 32],
    ]);
    const out = resample(src, parseTimeframe('1h'));
    expect(rows(out)).toEqual([
      // 09:00 IST (= 03:30 UTC): 09:50, 09:55 -> open 100, high 102, low 99, close 101, volume 1+2=3
      [t('09:00'), 100, 102, 99, 101, 3],
      // 10:00 IST: 10:00, 10:05, 10:55 -> open 101, high max(101,99,105)=105, low min(97,96,99)=96, close 104,
      // volume 4+8+16=28
      [t('10:00'), 101, 105, 96, 104, 28],
      [t('11:00'), 104, 104, 103, 103, 32],
    ]);
    expect(out.ts[1]).toBe(utc('2024-01-02T04:30'));
  });

  it('1h -> 1d in America/New_York across the 2021-03-14 DST change', () => {
    // 55 hourly bars from 2021-03-14T00:00Z; bar i has open = close = i, high = i + 0.5, low = i - 0.5, volume 1.
    // New York local days: Mar 13 (EST, bars 00:00Z..04:00Z = 19:00..23:00): indices 0..4 (5 bars);
    // Mar 14 starts 05:00Z (00:00 EST), clocks jump at 07:00Z, ends 04:00Z Mar 15 (00:00 EDT): a 23-hour day,
    // indices 5..27; Mar 15 (04:00Z .. 04:00Z): indices 28..51 (24 bars); Mar 16 from 04:00Z: indices 52..54.
    const tz = 'America/New_York';
    const t0 = utc('2021-03-14T00:00');
    const src = series('1h', tz, Array.from({ length: 55 }, (_, i) => [t0 + i * HOUR, i, i + 0.5, i - 0.5, i, 1] as Row));
    const out = resample(src, parseTimeframe('1d'));
    expect(rows(out)).toEqual([
      [utc('2021-03-13T05:00'), 0, 4.5, -0.5, 4, 5],
      [utc('2021-03-14T05:00'), 5, 27.5, 4.5, 27, 23],
      [utc('2021-03-15T04:00'), 28, 51.5, 27.5, 51, 24],
      [utc('2021-03-16T04:00'), 52, 54.5, 51.5, 54, 3],
    ]);
    expect(Array.from(out.ts, (x) => formatTs(x, tz))).toEqual(['2021-03-13', '2021-03-14', '2021-03-15', '2021-03-16']);
  });

  it('a 15m bucket never mixes bars of two local days (series spanning midnight)', () => {
    // 1m bars, some missing, from 23:00 to 01:00 New York time on a winter night, and also in a +05:45 zone.
    for (const tz of ['America/New_York', 'Asia/Kathmandu', 'UTC']) {
      const start = local('2024-01-09T23:00', tz);
      const r: Row[] = [];
      for (let m = 0; m < 120; m++) if (m % 7 !== 3) r.push([start + m * MIN, 1, 1, 1, 1, 1]);
      const src = series('1m', tz, r);
      for (const tf of ['15m', '7m', '1h', '4h']) {
        const out = resample(src, parseTimeframe(tf));
        // Assign each source bar to the last output bar starting at or before it.
        let k = 0;
        const days = new Map<number, Set<string>>();
        for (const t of src.ts) {
          while (k + 1 < out.ts.length && out.ts[k + 1] <= t) k++;
          const set = days.get(k) ?? new Set<string>();
          set.add(formatTs(t, tz, true));
          days.set(k, set);
        }
        for (const [i, set] of days) {
          expect(set.size, `${tz} ${tf} bucket ${formatTs(out.ts[i], tz)}`).toBe(1);
          expect([...set][0]).toBe(formatTs(out.ts[i], tz, true));
        }
        const vol = out.volume.reduce((a, b) => a + b, 0);
        expect(vol).toBe(r.length);
      }
      // 7m buckets restart at local midnight: 1440 = 205*7 + 5, so the last bucket of the day is 23:55 (5 minutes).
      const out7 = resample(src, parseTimeframe('7m'));
      const labels = Array.from(out7.ts, (x) => formatTs(x, tz));
      expect(labels).toContain('2024-01-09 23:55');
      expect(labels).toContain('2024-01-10');
      expect(labels).toContain('2024-01-10 00:07');
    }
  });

  it('fall-back night: the repeated hour gives distinct 15m bars, and one 1h bar', () => {
    // 2021-11-07 in New York: 01:00-01:59 EDT (05:00Z-05:59Z), then 01:00-01:59 EST (06:00Z-06:59Z).
    const tz = 'America/New_York';
    const t0 = utc('2021-11-07T05:00');
    const src = series('1m', tz, Array.from({ length: 120 }, (_, i) => [t0 + i * MIN, i, i, i, i, 1] as Row));
    const q = resample(src, parseTimeframe('15m'));
    expect(Array.from(q.ts)).toEqual(Array.from({ length: 8 }, (_, i) => t0 + i * 15 * MIN));
    expect(Array.from(q.volume)).toEqual(new Array(8).fill(15));
    // A wall-clock hour bucket covers both passes of 01:00-02:00: one bar labelled at the first 01:00 (EDT).
    const h = resample(src, parseTimeframe('1h'));
    expect(rows(h)).toEqual([[t0, 0, 119, 0, 119, 120]]);
  });

  it('daily -> weekly starts on Monday; daily -> monthly on the 1st', () => {
    const tz = 'America/New_York';
    const day = (d: string) => local(`2021-03-${d}T00:00`, tz);
    // Wed 10 .. Fri 12, a Sunday bar on the 14th, Mon 15 .. Fri 19, Mon 22, Tue 23; open = close = day of month.
    const days = [10, 11, 12, 14, 15, 16, 17, 18, 19, 22, 23];
    const src = series('1d', tz, days.map((d) => [day(String(d).padStart(2, '0')), d, d + 1, d - 1, d, 1] as Row));
    const w = resample(src, parseTimeframe('1w'));
    expect(rows(w)).toEqual([
      // week of Mon 8 Mar (EST, 05:00Z): 10, 11, 12 and Sunday 14 -> open 10, high 15, low 9, close 14, volume 4
      [utc('2021-03-08T05:00'), 10, 15, 9, 14, 4],
      // week of Mon 15 Mar (EDT, 04:00Z): 15..19 -> open 15, high 20, low 14, close 19, volume 5
      [utc('2021-03-15T04:00'), 15, 20, 14, 19, 5],
      [utc('2021-03-22T04:00'), 22, 24, 21, 23, 2],
    ]);
    expect(Array.from(w.ts, (x) => formatTs(x, tz))).toEqual(['2021-03-08', '2021-03-15', '2021-03-22']);

    // Weekdays from Thu 2021-01-28 to Tue 2021-03-02 with close = running index: Jan 28, 29 (idx 0, 1);
    // Feb 1..26 = 20 weekdays (idx 2..21); Mar 1, 2 (idx 22, 23).
    const r: Row[] = [];
    for (let d = Date.UTC(2021, 0, 28); d <= Date.UTC(2021, 2, 2); d += DAY) {
      const wd = new Date(d).getUTCDay();
      if (wd === 0 || wd === 6) continue;
      const i = r.length;
      r.push([wallToUtc(d, tz), i, i + 10, i - 10, i, 100]);
    }
    const m = resample(series('1d', tz, r), parseTimeframe('1mo'));
    expect(rows(m)).toEqual([
      [utc('2021-01-01T05:00'), 0, 11, -10, 1, 200],
      [utc('2021-02-01T05:00'), 2, 31, -8, 21, 2000],
      [utc('2021-03-01T05:00'), 22, 33, 12, 23, 200],
    ]);
    // 1mo -> 3mo: calendar quarters (Jan, Apr, ...): everything here is in Q1.
    expect(rows(resample(m, parseTimeframe('3mo')))).toEqual([[utc('2021-01-01T05:00'), 0, 33, -10, 23, 2400]]);
  });

  it('skips NaN inside a bucket; an all-NaN field stays NaN', () => {
    const t = (hm: string) => utc(`2024-01-02T${hm}`);
    const src = series('1m', 'UTC', [
      [t('10:00'), NaN, 5, NaN, NaN, NaN],
      [t('10:01'), 4, NaN, 3, 4.5, 10],
      [t('10:02'), 4.5, 6, 2, NaN, NaN],
      [t('10:05'), 7, 8, 6, 7.5, NaN],
      [t('10:06'), NaN, NaN, NaN, NaN, NaN],
    ]);
    expect(rows(resample(src, parseTimeframe('5m')))).toEqual([
      // open: first non-NaN (4); high max(5, 6) = 6; low min(3, 2) = 2; close: last non-NaN (4.5); volume 10
      [t('10:00'), 4, 6, 2, 4.5, 10],
      // every volume NaN -> NaN (not 0); the all-NaN bar changes nothing else
      [t('10:05'), 7, 8, 6, 7.5, NaN],
    ]);
  });

  it('handles an empty series', () => {
    const out = resample(series('1m', 'UTC', []), parseTimeframe('5m'));
    expect(out.ts.length).toBe(0);
    expect(out.timeframe.label).toBe('5m');
  });
});

describe('resample: errors', () => {
  const tf = parseTimeframe;
  const src = series('5m', 'UTC', [[utc('2024-01-02T10:00'), 1, 1, 1, 1, 1]]);
  it.each([
    ['5m', '5m'], // equal
    ['5m', '1m'], // finer
    ['5m', '7m'], // not a whole multiple
    ['1h', '30m'],
    ['1d', '4h'],
    ['1d', '1d'],
    ['2d', '3d'],
    ['1w', '1mo'],
    ['2d', '1mo'],
    ['1mo', '1w'],
    ['2mo', '3mo'],
    ['1m', 'tick'],
    ['tick', 'tick'],
  ])('%s -> %s throws UsageError', (from, to) => {
    expect(() => checkResample(tf(from), tf(to))).toThrow(UsageError);
    expect(() => resample({ ...src, timeframe: tf(from) }, tf(to))).toThrow(UsageError);
  });
  it.each([
    ['tick', '1m'],
    ['tick', '1s'],
    ['tick', '1d'],
    ['1m', '5m'],
    ['5m', '1h'],
    ['15m', '1d'],
    ['7m', '1d'],
    ['1d', '1w'],
    ['1d', '1mo'],
    ['1mo', '3mo'],
    ['1w', '2w'],
  ])('%s -> %s is allowed', (from, to) => {
    expect(() => checkResample(tf(from), tf(to))).not.toThrow();
  });
  it('the message names both timeframes', () => {
    expect(() => resample(src, tf('7m'))).toThrow(/5m.*7m/);
  });
  it('tick series aggregate into 1m bars', () => {
    const t = utc('2024-01-02T10:00');
    const ticks = series('tick', 'UTC', [
      [t + 100, 5, 5, 5, 5, 1],
      [t + 30_000, 6, 6, 6, 6, 2],
      [t + 59_999, 4, 4, 4, 4, 3],
      [t + 60_000, 7, 7, 7, 7, 4],
    ]);
    expect(rows(resample(ticks, tf('1m')))).toEqual([
      [t, 5, 6, 4, 4, 6],
      [t + MIN, 7, 7, 7, 7, 4],
    ]);
  });
});

describe('resample: properties', () => {
  // Starts near interesting instants: DST changes in New York (spring and fall), local midnights, plain days.
  const starts = [
    utc('2021-03-14T05:30'), // 00:30 EST, 90 minutes before the spring-forward gap
    utc('2021-11-07T04:00'), // 00:00 EDT, the fall-back night
    utc('2024-01-09T22:00'),
    utc('2024-06-30T18:00'),
  ];
  const value = fc.oneof({ weight: 9, arbitrary: fc.integer({ min: 1, max: 1000 }) }, { weight: 1, arbitrary: fc.constant(NaN) });
  const bar = fc.record({
    gap: fc.oneof({ weight: 6, arbitrary: fc.constant(0) }, { weight: 1, arbitrary: fc.integer({ min: 1, max: 40 }) }),
    o: value,
    h: value,
    l: value,
    c: value,
    v: value,
  });
  const arbSeries = fc.record({
    start: fc.constantFrom(...starts),
    shift: fc.integer({ min: 0, max: 600 }),
    tz: fc.constantFrom('UTC', 'America/New_York', 'Asia/Kolkata'),
    bars: fc.array(bar, { minLength: 0, maxLength: 400 }),
  });
  type Drawn = typeof arbSeries extends fc.Arbitrary<infer T> ? T : never;
  const build = (a: Drawn): BarSeries => {
    let t = a.start + a.shift * MIN;
    const r: Row[] = [];
    for (const b of a.bars) {
      t += b.gap * MIN;
      r.push([t, b.o, b.h, b.l, b.c, b.v]);
      t += MIN;
    }
    return series('1m', a.tz, r);
  };
  const nansum = (x: Float64Array) => x.reduce((s, v) => (Number.isNaN(v) ? s : s + v), 0);

  it('1m -> 5m -> 15m equals 1m -> 15m, and total volume is preserved', () => {
    fc.assert(
      fc.property(arbSeries, (a) => {
        const src = build(a);
        const direct = resample(src, parseTimeframe('15m'));
        const viaFive = resample(resample(src, parseTimeframe('5m')), parseTimeframe('15m'));
        expect(rows(viaFive)).toEqual(rows(direct));
        expect(nansum(direct.volume)).toBe(nansum(src.volume));
        // Labels strictly increase and each is at or before the bucket's first bar.
        for (let i = 1; i < direct.ts.length; i++) expect(direct.ts[i]).toBeGreaterThan(direct.ts[i - 1]);
        if (src.ts.length > 0) expect(direct.ts[0]).toBeLessThanOrEqual(src.ts[0]);
      }),
      { numRuns: 300 },
    );
  });

  it('1m -> 1h and 1m -> 1d compose through 15m as well', () => {
    fc.assert(
      fc.property(arbSeries, (a) => {
        const src = build(a);
        const q = resample(src, parseTimeframe('15m'));
        for (const to of ['1h', '1d']) {
          expect(rows(resample(q, parseTimeframe(to)))).toEqual(rows(resample(src, parseTimeframe(to))));
        }
      }),
      { numRuns: 200 },
    );
  });
});
