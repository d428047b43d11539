import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { finding, type Finding } from '../data/findings.ts';
import { applyPolicy, MIXED_TIMEFRAME_CAP, validateBars, type ValidateInput } from '../data/validate.ts';
import { parseTimeframe } from '../src/timeframe.ts';
import { allocBars, type BarSeries } from '../src/types.ts';
import { wallToUtc } from '../src/tz.ts';

// ---- helpers ----------------------------------------------------------------------------------------------------

/** [ts, open, high, low, close, volume?]; row i is on source line i + 2 (line 1 is the header). */
type Row = [number, number, number, number, number, number?];

function mk(tf: string, rows: Row[], tz = 'UTC'): { bars: BarSeries; lines: Int32Array } {
  const bars = allocBars('TEST', parseTimeframe(tf), tz, rows.length);
  const lines = new Int32Array(rows.length);
  rows.forEach(([t, o, h, l, c, v], i) => {
    bars.ts[i] = t;
    bars.open[i] = o;
    bars.high[i] = h;
    bars.low[i] = l;
    bars.close[i] = c;
    bars.volume[i] = v ?? 1000 + i;
    lines[i] = i + 2;
  });
  return { bars, lines };
}

/** A consistent bar around price p: open p, high p+1, low p-1, close p+0.5. */
const bar = (t: number, p: number, v?: number): Row => [t, p, p + 1, p - 1, p + 0.5, v];
/** Midnight UTC of a date. */
const D = (d: string) => Date.parse(`${d}T00:00:00Z`);
/** A UTC date-time, e.g. 2024-01-02T14:30. */
const M = (dt: string) => Date.parse(`${dt}:00Z`);
const NOW = D('2025-01-01');

/** Daily bars on the given dates with distinct prices (so nothing is stale), the rest of each row clean. */
const daily = (dates: string[]): Row[] => dates.map((d, i) => bar(D(d), 100 + i));
/** Consecutive 1m bars from 2024-01-02 14:30 UTC. */
const minute = (k: number) => M('2024-01-02T14:30') + k * 60_000;

function run(s: { bars: BarSeries; lines: Int32Array }, extra: Partial<ValidateInput> = {}): Finding[] {
  return validateBars({ file: 't.csv', bars: s.bars, lines: s.lines, volumeKnown: true, now: NOW, ...extra });
}
/** rule@line:field of each finding, sorted (order within a line is not part of the contract). */
const sum = (fs: Finding[]) => fs.map((f) => `${f.rule}@${f.line ?? '-'}:${f.field ?? ''}`).sort();
const errors = (fs: Finding[]) => fs.filter((f) => f.severity === 'error');

// Weekdays of early January 2024: Tue 2, Wed 3, Thu 4, Fri 5, Mon 8, Tue 9, Wed 10, Thu 11, Fri 12.
const JAN = ['2024-01-02', '2024-01-03', '2024-01-04', '2024-01-05', '2024-01-08', '2024-01-09', '2024-01-10', '2024-01-11', '2024-01-12'];

// ---- validateBars: one rule at a time ---------------------------------------------------------------------------

describe('validateBars', () => {
  it('reports nothing on a clean daily series (weekends are not gaps)', () => {
    expect(run(mk('1d', daily(JAN)))).toEqual([]);
  });

  it('reports nothing on a clean intraday series', () => {
    const rows = Array.from({ length: 30 }, (_, k) => bar(minute(k), 100 + (k % 2)));
    expect(run(mk('1m', rows))).toEqual([]);
  });

  it('unsorted_timestamp: a row earlier than the one before it', () => {
    // Jan 2, 3, 5, 4, 8: row 3 (line 5) is Jan 4 after Jan 5.
    const f = run(mk('1d', daily(['2024-01-02', '2024-01-03', '2024-01-05', '2024-01-04', '2024-01-08'])));
    expect(sum(f)).toEqual(['unsorted_timestamp@5:ts']);
    expect(f[0].row).toBe(3);
    expect(f[0].message).toContain('2024-01-04');
    expect(f[0].message).toContain('2024-01-05');
    expect(f[0].message).toContain('line 4');
  });

  it('duplicate_timestamp: every repeat of a timestamp is reported', () => {
    // Jan 3 three times on lines 3, 4, 5: the second and third are duplicates.
    const f = run(mk('1d', daily(['2024-01-02', '2024-01-03', '2024-01-03', '2024-01-03', '2024-01-04'])));
    expect(sum(f)).toEqual(['duplicate_timestamp@4:ts', 'duplicate_timestamp@5:ts']);
    expect(f.map((x) => x.row)).toEqual([2, 3]);
  });

  it('future_timestamp: beyond now + tolerance (1 day by default), not at it', () => {
    // now = 2025-01-01; 2025-01-02 is exactly now + 1 day (allowed), 2025-01-03 is beyond.
    const s = mk('1d', daily(['2024-12-30', '2024-12-31', '2025-01-01', '2025-01-02', '2025-01-03']));
    const f = run(s);
    expect(sum(f)).toEqual(['future_timestamp@6:ts']);
    expect(f[0].message).toContain('2025-01-03');
    // With a 3-day tolerance nothing is in the future; with none, both 01-02 and 01-03 are.
    expect(run(s, { options: { futureToleranceMs: 3 * 86_400_000 } })).toEqual([]);
    expect(sum(run(s, { options: { futureToleranceMs: 0 } }))).toEqual(['future_timestamp@5:ts', 'future_timestamp@6:ts']);
  });

  it('non_positive_price: names each offending column', () => {
    const rows = daily(JAN.slice(0, 4));
    rows[1] = [D('2024-01-03'), 0, 11, 0, 10]; // open 0 and low 0 (low 0 <= open, so no low_above_open_close)
    rows[3] = [D('2024-01-05'), -2, 5, -3, 4]; // open -2 and low -3
    const f = run(mk('1d', rows));
    expect(sum(f)).toEqual(['non_positive_price@3:low', 'non_positive_price@3:open', 'non_positive_price@5:low', 'non_positive_price@5:open']);
    expect(f.find((x) => x.line === 3 && x.field === 'open')!.message).toContain('open is 0');
    expect(f.find((x) => x.line === 5 && x.field === 'low')!.message).toContain('-3');
  });

  it('high_below_open_close: high under the close', () => {
    const rows = daily(JAN.slice(0, 3));
    rows[2] = [D('2024-01-04'), 10, 10.5, 9, 11];
    const f = run(mk('1d', rows));
    expect(sum(f)).toEqual(['high_below_open_close@4:high']);
    expect(f[0].message).toContain('10.5');
    expect(f[0].message).toContain('close 11');
  });

  it('low_above_open_close: low over the open', () => {
    const rows = daily(JAN.slice(0, 3));
    rows[0] = [D('2024-01-02'), 10, 12, 10.5, 11];
    const f = run(mk('1d', rows));
    expect(sum(f)).toEqual(['low_above_open_close@2:low']);
    expect(f[0].message).toContain('low 10.5');
  });

  it('high_below_low: comes with both open/close rules (high < low cannot happen alone)', () => {
    const rows = daily(JAN.slice(0, 3));
    rows[1] = [D('2024-01-03'), 10, 9, 11, 10];
    const f = run(mk('1d', rows));
    expect(sum(f)).toEqual(['high_below_low@3:high', 'high_below_open_close@3:high', 'low_above_open_close@3:low']);
    expect(f.find((x) => x.rule === 'high_below_low')!.message).toBe('high 9 is below low 11');
  });

  it('negative_volume', () => {
    const rows = daily(JAN.slice(0, 3));
    rows[2][5] = -5;
    const f = run(mk('1d', rows));
    expect(sum(f)).toEqual(['negative_volume@4:volume']);
    expect(f[0].message).toContain('-5');
  });

  it('zero_volume: one per row, or one file-level finding when every bar has volume 0', () => {
    const rows = daily(JAN.slice(0, 4));
    rows[1][5] = 0;
    const one = run(mk('1d', rows));
    expect(sum(one)).toEqual(['zero_volume@3:volume']);
    expect(one[0].severity).toBe('warning');

    const all = daily(JAN.slice(0, 4)).map((r): Row => [r[0], r[1], r[2], r[3], r[4], 0]);
    const f = run(mk('1d', all));
    expect(sum(f)).toEqual(['zero_volume@-:volume']);
    expect(f[0].row).toBeUndefined();
    expect(f[0].message).toContain('all 4 bars');
  });

  it('skips volume rules entirely when the volume is not known', () => {
    const rows = daily(JAN.slice(0, 4));
    rows[1][5] = -5;
    rows[2][5] = 0;
    expect(run(mk('1d', rows), { volumeKnown: false })).toEqual([]);
  });

  it('price_spike: a log return far beyond the robust (MAD) sigma', () => {
    // 30 one-minute bars, closes alternating 100/101 (returns ±a, a = ln 1.01), except bar 15 closes at 200 and bar 16
    // opens there and falls back to 100. Returns: +a x14, -a x13, +ln2, -ln2 -> median +a, MAD 2a, sigma 2a*1.4826 =
    // 0.0295; |ln 2 - a| = 0.683 is 23 sigmas, |-ln 2 - a| = 0.703 is 24: both > 10.
    const closes = Array.from({ length: 30 }, (_, k): number => (k % 2 ? 101 : 100));
    closes[15] = 200;
    const rows: Row[] = closes.map((c, k) => {
      const o = k === 0 ? 100 : closes[k - 1];
      return [minute(k), o, Math.max(o, c) + 0.5, Math.min(o, c) - 0.5, c];
    });
    const f = run(mk('1m', rows));
    expect(sum(f)).toEqual(['price_spike@17:close', 'price_spike@18:close']);
    expect(f[0].severity).toBe('warning');
    expect(f[0].message).toContain('close 200');
    expect(f[0].message).toMatch(/23\.\d robust sigmas/);
    // At 30 sigmas neither is a spike.
    expect(run(mk('1m', rows), { options: { spikeSigma: 30 } })).toEqual([]);
  });

  it('split_like_jump: next open within 3% of a split ratio of the previous close', () => {
    const rows = daily(JAN.slice(0, 4)); // closes 100.5, 101.5, 102.5, 103.5
    rows[2] = [D('2024-01-04'), 50.8, 51.5, 50, 51]; // 50.8 / 101.5 = 0.5005: 1/2
    rows[3] = [D('2024-01-05'), 76.5, 77, 76, 76.5]; // 76.5 / 51 = 1.5: 1.5
    const f = run(mk('1d', rows));
    expect(sum(f)).toEqual(['split_like_jump@4:open', 'split_like_jump@5:open']);
    expect(f[0].message).toContain('1/2');
    expect(f[0].message).toContain('--adjust');
    expect(f[1].message).toContain('1.5×');
    // 1.44 is 4% off 1.5 (no finding), 1.47 is 2% off (finding).
    const edge = daily(JAN.slice(0, 3));
    edge[1] = [D('2024-01-03'), 100.5 * 1.44, 146, 144, 145]; // prev close 100.5
    edge[2] = [D('2024-01-04'), 145 * 1.47, 214, 212, 213]; // prev close 145
    expect(sum(run(mk('1d', edge)))).toEqual(['split_like_jump@4:open']);
  });

  it('a split is reported as split_like_jump, not again as a price_spike', () => {
    // 30 bars alternating 100/101; from bar 15 on the prices are halved (a 2:1 split overnight).
    const closes = Array.from({ length: 30 }, (_, k) => (k % 2 ? 101 : 100) / (k >= 15 ? 2 : 1));
    const rows: Row[] = closes.map((c, k) => {
      const o = k === 0 ? 100 : k === 15 ? c : closes[k - 1];
      return [minute(k), o, Math.max(o, c) + 0.25, Math.min(o, c) - 0.25, c];
    });
    // Bar 15: open 50.5 after close 100: ratio 0.505.
    expect(sum(run(mk('1m', rows)))).toEqual(['split_like_jump@17:open']);
  });

  it('gap (intraday): a hole inside one local day, not overnight', () => {
    const rows: Row[] = [0, 1, 2, 10, 11].map((k, i) => bar(minute(k), 100 + i));
    const f = run(mk('1m', rows));
    expect(sum(f)).toEqual(['gap@5:ts']);
    expect(f[0].message).toContain('2024-01-02 14:32');
    expect(f[0].message).toContain('2024-01-02 14:40');
    // Overnight: 15:59 New York to 09:30 the next morning is closed market, not a gap.
    const ny = (d: string, hm: string) => wallToUtc(Date.parse(`${d}T${hm}:00Z`), 'America/New_York');
    const night: Row[] = [ny('2024-01-02', '15:58'), ny('2024-01-02', '15:59'), ny('2024-01-03', '09:30'), ny('2024-01-03', '09:31')].map((t, i) => bar(t, 100 + i));
    expect(run(mk('1m', night, 'America/New_York'))).toEqual([]);
  });

  it('gap (intraday): the day is the local day of bars.tz', () => {
    // 18:58 and 19:05 New York time (23:58 and 00:05 UTC): the same day in New York, two days in UTC.
    const rows: Row[] = [M('2024-01-02T23:57'), M('2024-01-02T23:58'), M('2024-01-03T00:05')].map((t, i) => bar(t, 100 + i));
    expect(sum(run(mk('1m', rows, 'America/New_York')))).toEqual(['gap@4:ts']);
    expect(run(mk('1m', rows, 'UTC'))).toEqual([]);
  });

  it('gap and mixed_timeframe: a DST change is neither', () => {
    // 4h bars at New York 00:00, 04:00, 08:00 on 2024-11-03 (clocks fall back at 02:00): 00:00 -> 04:00 is 5 hours.
    const ny = (hm: string) => wallToUtc(Date.parse(`2024-11-03T${hm}:00Z`), 'America/New_York');
    const rows = ['00:00', '04:00', '08:00'].map((hm, i) => bar(ny(hm), 100 + i));
    expect(rows[1][0] - rows[0][0]).toBe(5 * 3_600_000);
    expect(run(mk('4h', rows, 'America/New_York'))).toEqual([]);
  });

  it('gap (daily): more than 4 weekdays missing', () => {
    // Tue Jan 2 -> Tue Jan 9: Wed, Thu, Fri, Mon missing (4: holidays allowed). -> Wed Jan 17: Wed 10..Tue 16 = 5 missing.
    const f = run(mk('1d', daily(['2024-01-02', '2024-01-09', '2024-01-17'])));
    expect(sum(f)).toEqual(['gap@4:ts']);
    expect(f[0].message).toContain('2024-01-09');
    expect(f[0].message).toContain('2024-01-17');
    expect(f[0].message).toContain('5 weekdays');
  });

  it('gap (weekly, monthly): more than 2.5 periods', () => {
    // Mondays: Jan 1 -> 8 -> 22 (2 weeks: fine) -> Feb 12 (3 weeks: gap).
    const w = run(mk('1w', daily(['2024-01-01', '2024-01-08', '2024-01-22', '2024-02-12'])));
    expect(sum(w)).toEqual(['gap@5:ts']);
    // Months: Jan -> Feb -> Mar -> Jun (92 days > 75) -> Jul.
    const m = run(mk('1mo', daily(['2024-01-01', '2024-02-01', '2024-03-01', '2024-06-01', '2024-07-01'])));
    expect(sum(m)).toEqual(['gap@5:ts']);
    expect(m[0].message).toContain('2024-03-01');
  });

  it('stale_bars: a run of 5+ identical bars, one finding at its first line', () => {
    const same = (d: string): Row => [D(d), 10, 11, 9, 10.5, 500];
    const rows: Row[] = [bar(D('2024-01-02'), 100), same('2024-01-03'), same('2024-01-04'), same('2024-01-05'), same('2024-01-08'), same('2024-01-09'), bar(D('2024-01-10'), 20)];
    const f = run(mk('1d', rows));
    expect(sum(f)).toEqual(['stale_bars@3:']);
    expect(f[0].row).toBe(1);
    expect(f[0].message).toContain('5 consecutive bars');
    expect(f[0].message).toContain('lines 3-7');
    // Four identical bars are not a stale run.
    expect(run(mk('1d', rows.filter((_, i) => i !== 5)))).toEqual([]);
    // With the volume known, a different volume breaks the run; without it, it does not.
    const vary = rows.map((r, i): Row => [r[0], r[1], r[2], r[3], r[4], 500 + i]);
    expect(run(mk('1d', vary))).toEqual([]);
    expect(sum(run(mk('1d', vary), { volumeKnown: false }))).toEqual(['stale_bars@3:']);
  });

  it('mixed_timeframe: spacing shorter than, or not a multiple of, the timeframe', () => {
    // 5m bars at 14:30, 14:35, 14:37 (2m: shorter), 14:42 (5m: fine), 14:50 (8m: not a multiple, and a gap).
    const t = (hm: string) => M(`2024-01-02T${hm}`);
    const f = run(mk('5m', [t('14:30'), t('14:35'), t('14:37'), t('14:42'), t('14:50')].map((x, i) => bar(x, 100 + i))));
    expect(sum(f)).toEqual(['gap@6:ts', 'mixed_timeframe@4:ts', 'mixed_timeframe@6:ts']);
    expect(f.find((x) => x.line === 4)!.message).toContain('shorter than');
    expect(f.find((x) => x.rule === 'mixed_timeframe' && x.line === 6)!.message).toContain('not a whole multiple');
  });

  it('mixed_timeframe: daily bars across a DST change are whole local days', () => {
    // New York midnight bars Fri Mar 8 -> Mon Mar 11 2024 are 71 hours apart in UTC.
    const ny = (d: string) => wallToUtc(D(d), 'America/New_York');
    const rows = ['2024-03-07', '2024-03-08', '2024-03-11', '2024-03-12'].map((d, i) => bar(ny(d), 100 + i));
    expect(run(mk('1d', rows, 'America/New_York'))).toEqual([]);
  });

  it('mixed_timeframe: capped at the first 50 plus one summary with the total', () => {
    // 200 bars 30 s apart on a 1m timeframe: 199 spacings are too short.
    const rows = Array.from({ length: 200 }, (_, k) => bar(minute(0) + k * 30_000, 100 + k * 0.01));
    const f = run(mk('1m', rows)).filter((x) => x.rule === 'mixed_timeframe');
    expect(f).toHaveLength(MIXED_TIMEFRAME_CAP + 1);
    expect(MIXED_TIMEFRAME_CAP).toBe(50);
    const perBar = f.filter((x) => x.line !== undefined);
    expect(perBar.map((x) => x.line)).toEqual(Array.from({ length: 50 }, (_, k) => k + 3));
    const summary = f.find((x) => x.line === undefined)!;
    expect(summary.row).toBeUndefined();
    expect(summary.message).toContain('199');
  });

  it('skips rows the loader already reported (badRows), for row and sequence rules alike', () => {
    const rows = daily(['2024-01-02', '2024-01-03', '2024-01-03', '2024-01-04']);
    rows[1] = [D('2024-01-03'), -1, NaN, NaN, 6];
    const s = mk('1d', rows);
    expect(sum(run(s))).toEqual(['duplicate_timestamp@4:ts', 'non_positive_price@3:open']);
    expect(run(s, { badRows: Uint8Array.from([0, 1, 0, 0]) })).toEqual([]);
  });

  it('property: random valid OHLC series have no errors', () => {
    const barArb = fc.record({
      o: fc.double({ min: 0.01, max: 1e6, noNaN: true }),
      c: fc.double({ min: 0.01, max: 1e6, noNaN: true }),
      up: fc.double({ min: 0, max: 1e3, noNaN: true }),
      down: fc.double({ min: 0.001, max: 1, noNaN: true }),
      v: fc.double({ min: 0, max: 1e9, noNaN: true }),
      dt: fc.integer({ min: 1, max: 7 * 86_400_000 }),
    });
    fc.assert(
      fc.property(fc.array(barArb, { minLength: 1, maxLength: 80 }), fc.constantFrom('1m', '5m', '1h', '1d', '1w', '1mo', 'tick'), fc.constantFrom('UTC', 'America/New_York'), (bs, tf, tz) => {
        let t = D('2020-01-01');
        const rows: Row[] = bs.map((b) => {
          t += b.dt;
          return [t, b.o, Math.max(b.o, b.c) + b.up, Math.min(b.o, b.c) * b.down, b.c, b.v];
        });
        const f = run(mk(tf, rows, tz));
        expect(errors(f)).toEqual([]);
      }),
      { numRuns: 200 },
    );
  });

  it('validates a clean 1,000,000-bar series with no errors', () => {
    const n = 1_000_000;
    const bars = allocBars('BIG', parseTimeframe('1m'), 'UTC', n);
    const lines = new Int32Array(n);
    let seed = 7;
    let p = 100;
    for (let i = 0; i < n; i++) {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      const c = p * (1 + (seed / 2147483648 - 0.5) * 0.002);
      bars.ts[i] = D('2020-01-01') + i * 60_000;
      bars.open[i] = p;
      bars.close[i] = c;
      bars.high[i] = Math.max(p, c) * 1.0005;
      bars.low[i] = Math.min(p, c) * 0.9995;
      bars.volume[i] = 100 + (i % 13);
      lines[i] = i + 2;
      p = c;
    }
    const f = validateBars({ file: 'big.csv', bars, lines, volumeKnown: true, now: NOW });
    expect(errors(f)).toEqual([]);
    expect(f).toEqual([]);
  });
});

// ---- applyPolicy ------------------------------------------------------------------------------------------------

/** Validate and apply a policy in one go. */
function policy(s: { bars: BarSeries; lines: Int32Array }, mode: 'fail' | 'drop' | 'fix', extra: Finding[] = []) {
  const f = [...extra, ...run(s)];
  return applyPolicy(s.bars, s.lines, f, mode);
}
const dates = (b: BarSeries) => Array.from(b.ts, (t) => new Date(t).toISOString().slice(0, 10));
const actions = (fs: Finding[]) => fs.map((f) => `${f.rule}@${f.line ?? '-'}:${f.action}${f.fixedTo !== undefined ? `=${f.fixedTo}` : ''}`).sort();

describe('applyPolicy', () => {
  /** Six clean daily bars; line 4 has open 0 (error), line 6 volume -5 (error), line 7 volume 0 (warning). */
  const withErrors = () => {
    const rows = daily(JAN.slice(0, 6));
    rows[2] = [D('2024-01-04'), 0, 103, 0, 102.5];
    rows[4][5] = -5;
    rows[5][5] = 0;
    return mk('1d', rows);
  };

  it('fail: any error fails, the bars are untouched', () => {
    const s = withErrors();
    const before = Array.from(s.bars.open);
    const r = policy(s, 'fail');
    expect(r.failed).toBe(true);
    expect(r.bars).toBe(s.bars);
    expect(r.lines).toBe(s.lines);
    expect(Array.from(r.bars.open)).toEqual(before);
    expect(r.dropped).toBe(0);
    expect(r.fixed).toBe(0);
    expect(actions(r.findings)).toEqual(['negative_volume@6:failed', 'non_positive_price@4:failed', 'non_positive_price@4:failed', 'zero_volume@7:kept']);
  });

  it('fail: warnings alone do not fail', () => {
    const rows = daily(JAN.slice(0, 3));
    rows[1][5] = 0;
    const r = policy(mk('1d', rows), 'fail');
    expect(r.failed).toBe(false);
    expect(actions(r.findings)).toEqual(['zero_volume@3:kept']);
  });

  it('drop: removes exactly the rows with errors, and their lines', () => {
    const s = withErrors();
    const r = policy(s, 'drop');
    expect(r.failed).toBe(false);
    expect(r.dropped).toBe(2);
    expect(Array.from(r.lines)).toEqual([2, 3, 5, 7]);
    expect(dates(r.bars)).toEqual(['2024-01-02', '2024-01-03', '2024-01-05', '2024-01-09']);
    expect(Array.from(r.bars.close)).toEqual([100.5, 101.5, 103.5, 105.5]);
    expect(Array.from(r.bars.volume)).toEqual([1000, 1001, 1003, 0]);
    expect(actions(r.findings)).toEqual(['negative_volume@6:dropped', 'non_positive_price@4:dropped', 'non_positive_price@4:dropped', 'zero_volume@7:kept']);
    // The input is not modified.
    expect(s.bars.ts.length).toBe(6);
    expect(validateBars({ file: 't.csv', bars: r.bars, lines: r.lines, volumeKnown: true, now: NOW }).filter((f) => f.severity === 'error')).toEqual([]);
  });

  it('drop: a file-level error fails the series', () => {
    const s = mk('1d', daily(JAN.slice(0, 3)));
    const r = policy(s, 'drop', [finding('truncated_file', 't.csv', 'cut short')]);
    expect(r.failed).toBe(true);
    expect(r.findings[0].action).toBe('failed');
  });

  it('drop: unsorted rows go, and the result is in time order', () => {
    // Jan 2, 3, 5, 4, 8: the validator flags Jan 4 (line 5).
    const r = policy(mk('1d', daily(['2024-01-02', '2024-01-03', '2024-01-05', '2024-01-04', '2024-01-08'])), 'drop');
    expect(Array.from(r.lines)).toEqual([2, 3, 4, 6]);
    expect(actions(r.findings)).toEqual(['unsorted_timestamp@5:dropped']);
    // Jan 2, 10, 3, 4, 11: the validator flags only Jan 3 (before Jan 10); Jan 4 is still before the kept Jan 10, so it
    // goes too, with a finding of its own.
    const r2 = policy(mk('1d', daily(['2024-01-02', '2024-01-10', '2024-01-03', '2024-01-04', '2024-01-11'])), 'drop');
    expect(Array.from(r2.lines)).toEqual([2, 3, 6]);
    expect(r2.dropped).toBe(2);
    expect(actions(r2.findings)).toEqual(['gap@3:kept', 'unsorted_timestamp@4:dropped', 'unsorted_timestamp@5:dropped']);
  });

  it('drop: duplicates keep the first row', () => {
    const rows = daily(['2024-01-02', '2024-01-03', '2024-01-03', '2024-01-04']);
    const r = policy(mk('1d', rows), 'drop');
    expect(Array.from(r.lines)).toEqual([2, 3, 5]);
    expect(actions(r.findings)).toEqual(['duplicate_timestamp@4:dropped']);
  });

  it('fix: sorts an unsorted file and reports the moved row', () => {
    const s = mk('1d', daily(['2024-01-02', '2024-01-03', '2024-01-05', '2024-01-04', '2024-01-08']));
    const r = policy(s, 'fix');
    expect(r.failed).toBe(false);
    expect(dates(r.bars)).toEqual(['2024-01-02', '2024-01-03', '2024-01-04', '2024-01-05', '2024-01-08']);
    expect(Array.from(r.lines)).toEqual([2, 3, 5, 4, 6]);
    expect(Array.from(r.bars.close)).toEqual([100.5, 101.5, 103.5, 102.5, 104.5]);
    expect(r.fixed).toBe(1);
    expect(r.dropped).toBe(0);
    expect(actions(r.findings)).toEqual(['unsorted_timestamp@5:fixed=moved after line 3 (2024-01-03)']);
  });

  it('fix: a reversed file reports each moved row', () => {
    const r = policy(mk('1d', daily(['2024-01-05', '2024-01-04', '2024-01-03', '2024-01-02'])), 'fix');
    expect(dates(r.bars)).toEqual(['2024-01-02', '2024-01-03', '2024-01-04', '2024-01-05']);
    expect(Array.from(r.lines)).toEqual([5, 4, 3, 2]);
    expect(r.fixed).toBe(3);
    expect(actions(r.findings)).toEqual([
      'unsorted_timestamp@3:fixed=moved after line 4 (2024-01-03)',
      'unsorted_timestamp@4:fixed=moved after line 5 (2024-01-02)',
      'unsorted_timestamp@5:fixed=moved to the start',
    ]);
  });

  it('fix: a moved row the validator did not flag gets a finding of its own', () => {
    // Jan 2, 10, 3, 4, 5, 11: the validator flags Jan 3 (before Jan 10), but it is Jan 10 (line 3) that moves.
    const r = policy(mk('1d', daily(['2024-01-02', '2024-01-10', '2024-01-03', '2024-01-04', '2024-01-05', '2024-01-11'])), 'fix');
    expect(Array.from(r.lines)).toEqual([2, 4, 5, 6, 3, 7]);
    expect(r.fixed).toBe(1);
    expect(actions(r.findings)).toEqual([
      'gap@3:kept',
      'unsorted_timestamp@3:fixed=moved after line 6 (2024-01-05)',
      'unsorted_timestamp@4:fixed=in time order after sorting',
    ]);
    expect(r.findings.find((f) => f.line === 3 && f.rule === 'unsorted_timestamp')!.severity).toBe('error');
  });

  it('fix: duplicates keep the last row, the earlier ones are dropped and reported', () => {
    const rows = daily(['2024-01-02', '2024-01-03', '2024-01-03', '2024-01-03', '2024-01-04']);
    const r = policy(mk('1d', rows), 'fix');
    expect(Array.from(r.lines)).toEqual([2, 5, 6]);
    expect(Array.from(r.bars.close)).toEqual([100.5, 103.5, 104.5]);
    expect(r.dropped).toBe(2);
    expect(r.fixed).toBe(0);
    // Lines 4 and 5 were flagged; line 4 is dropped, line 5 kept; line 3 was not flagged but is dropped.
    expect(actions(r.findings)).toEqual([
      'duplicate_timestamp@3:dropped',
      'duplicate_timestamp@4:dropped',
      'duplicate_timestamp@5:fixed=this row kept: the last row for its timestamp',
    ]);
  });

  it('fix: duplicates that only meet after sorting', () => {
    // Jan 2, Jan 4 (a), Jan 3, Jan 4 (b): the validator sees Jan 3 out of order but no duplicate. After sorting,
    // Jan 4 (a) on line 3 and Jan 4 (b) on line 5 meet: the last (line 5) is kept.
    const r = policy(mk('1d', daily(['2024-01-02', '2024-01-04', '2024-01-03', '2024-01-04'])), 'fix');
    expect(dates(r.bars)).toEqual(['2024-01-02', '2024-01-03', '2024-01-04']);
    expect(Array.from(r.lines)).toEqual([2, 4, 5]);
    expect(r.dropped).toBe(1);
    expect(actions(r.findings)).toEqual(['duplicate_timestamp@3:dropped', 'unsorted_timestamp@4:fixed=in time order after sorting']);
  });

  it('fix: high and low are repaired from the bar, other errors dropped', () => {
    const rows = daily(JAN.slice(0, 5));
    rows[1] = [D('2024-01-03'), 10, 10.5, 9, 11]; // high -> 11
    rows[2] = [D('2024-01-04'), 10, 12, 10.5, 11]; // low -> 10
    rows[3] = [D('2024-01-05'), 10, 9, 11, 10]; // high -> 11, low -> 9
    rows[4] = [D('2024-01-08'), -1, 5, -2, 4]; // not fixable: dropped
    const r = policy(mk('1d', rows), 'fix');
    expect(r.failed).toBe(false);
    expect(r.fixed).toBe(3);
    expect(r.dropped).toBe(1);
    expect(Array.from(r.lines)).toEqual([2, 3, 4, 5]);
    expect(Array.from(r.bars.high)).toEqual([101, 11, 12, 11]);
    expect(Array.from(r.bars.low)).toEqual([99, 9, 10, 9]);
    expect(actions(r.findings)).toEqual([
      'high_below_low@5:fixed=11',
      'high_below_open_close@3:fixed=11',
      'high_below_open_close@5:fixed=11',
      'low_above_open_close@4:fixed=10',
      'low_above_open_close@5:fixed=9',
      'non_positive_price@6:dropped',
      'non_positive_price@6:dropped',
    ]);
    expect(validateBars({ file: 't.csv', bars: r.bars, lines: r.lines, volumeKnown: true, now: NOW })).toEqual([]);
  });

  it('fix and drop: loader findings are placed by their line; file-level errors fail; warnings are kept', () => {
    const s = mk('1d', daily(JAN.slice(0, 5)));
    const loader = [
      // The loader's row numbering can be off (blank lines); line 5 is row 3 here.
      finding('missing_field', 't.csv', 'value is empty', { line: 5, row: 2, field: 'Close' }),
      finding('blank_line', 't.csv', 'blank line skipped', { line: 9, action: 'dropped' }),
    ];
    for (const mode of ['fix', 'drop'] as const) {
      const r = applyPolicy(s.bars, s.lines, loader, mode);
      expect(Array.from(r.lines)).toEqual([2, 3, 4, 6]);
      expect(r.failed).toBe(false);
      expect(actions(r.findings)).toEqual(['blank_line@9:dropped', 'missing_field@5:dropped']);
    }
    const r = applyPolicy(s.bars, s.lines, [finding('truncated_file', 't.csv', 'cut short')], 'fix');
    expect(r.failed).toBe(true);
    expect(r.findings[0].action).toBe('failed');
    // Nothing to do: the same arrays come back.
    const same = applyPolicy(s.bars, s.lines, [], 'fix');
    expect(same.bars).toBe(s.bars);
    expect(same.dropped + same.fixed).toBe(0);
  });

  it('property: after fix or drop, the series validates without errors', () => {
    const rowArb = fc.record({
      day: fc.integer({ min: 0, max: 40 }),
      o: fc.integer({ min: -5, max: 200 }),
      h: fc.integer({ min: -5, max: 200 }),
      l: fc.integer({ min: -5, max: 200 }),
      c: fc.integer({ min: -5, max: 200 }),
      v: fc.integer({ min: -3, max: 1000 }),
    });
    fc.assert(
      fc.property(fc.array(rowArb, { minLength: 1, maxLength: 40 }), fc.constantFrom('fix', 'drop'), (rs, mode) => {
        const s = mk('1d', rs.map((x): Row => [D('2024-01-01') + x.day * 86_400_000, x.o, x.h, x.l, x.c, x.v]));
        const r = policy(s, mode);
        expect(r.failed).toBe(false);
        expect(r.bars.ts.length + r.dropped).toBe(rs.length);
        const again = validateBars({ file: 't.csv', bars: r.bars, lines: r.lines, volumeKnown: true, now: NOW });
        expect(errors(again)).toEqual([]);
        // Every row dropped or changed is in the findings, with its line.
        const kept = new Set(r.lines);
        for (let i = 0; i < rs.length; i++) {
          if (!kept.has(s.lines[i])) expect(r.findings.some((f) => f.line === s.lines[i] && f.action === 'dropped')).toBe(true);
        }
        for (let k = 0; k < r.lines.length; k++) {
          const i = r.lines[k] - 2;
          const movedOrFixed = r.bars.high[k] !== s.bars.high[i] || r.bars.low[k] !== s.bars.low[i];
          if (movedOrFixed) expect(r.findings.some((f) => f.line === r.lines[k] && f.action === 'fixed')).toBe(true);
        }
      }),
      { numRuns: 300 },
    );
  });
});
