import { describe, expect, it } from 'vitest';
import { detectDateFormat, parseTimeOfDay, parseTimestamp } from '../data/timeparse.ts';

const p = (s: string, f: Parameters<typeof parseTimestamp>[1]) => parseTimestamp(s, f, { ms: NaN, hasZone: false });

describe('timestamp formats', () => {
  it('detects the formats found in real files', () => {
    expect(detectDateFormat(['2014-01-02', '2014-01-03'])?.format).toBe('iso');
    expect(detectDateFormat(['2015-09-23T20:57:42.146'])?.format).toBe('iso');
    expect(detectDateFormat(['20140102', '20140103'])?.format).toBe('ymd8');
    expect(detectDateFormat(['1388620800', '1388707200'])?.format).toBe('epoch_s');
    expect(detectDateFormat(['1388620800000'])?.format).toBe('epoch_ms');
    expect(detectDateFormat(['02/03/2010 16:53:50'])?.format).toBe('dmy');
    expect(detectDateFormat(['13/03/2010'])?.format).toBe('dmy');
    expect(detectDateFormat(['03/13/2010'])?.format).toBe('mdy');
    expect(detectDateFormat(['hello'])).toBeNull();
  });

  it('parses each format to the instant worked out by hand', () => {
    // 2014-01-02 00:00 UTC = 16072 days * 86400000 ms
    expect(p('2014-01-02', 'iso').ms).toBe(16072 * 86_400_000);
    expect(p('2014-01-02 09:30', 'iso').ms).toBe(16072 * 86_400_000 + 9.5 * 3_600_000);
    expect(p('2014-01-02T09:30:15.250', 'iso').ms).toBe(16072 * 86_400_000 + 9.5 * 3_600_000 + 15_250);
    const z = p('2014-01-02T09:30:00-05:00', 'iso');
    expect(z.hasZone).toBe(true);
    expect(z.ms).toBe(16072 * 86_400_000 + 14.5 * 3_600_000);
    expect(p('20140102', 'ymd8').ms).toBe(16072 * 86_400_000);
    expect(p('1388620800', 'epoch_s').ms).toBe(1388620800000);
    // 02/03/2010 day-first = 2 March 2010 = 14670 days
    expect(p('02/03/2010 16:53:50', 'dmy').ms).toBe(14670 * 86_400_000 + (16 * 3600 + 53 * 60 + 50) * 1000);
    expect(p('03/02/2010', 'mdy').ms).toBe(14670 * 86_400_000);
  });

  it('rejects impossible dates and junk instead of rolling them over', () => {
    expect(p('2021-02-30', 'iso').ms).toBeNaN();
    expect(p('2021-13-01', 'iso').ms).toBeNaN();
    expect(p('2021-01-01 25:00', 'iso').ms).toBeNaN();
    expect(p('2021-01-01x', 'iso').ms).toBeNaN();
    expect(p('', 'iso').ms).toBeNaN();
    expect(p('20211301', 'ymd8').ms).toBeNaN();
    expect(parseTimeOfDay('09:05:00')).toBe(9 * 3_600_000 + 5 * 60_000);
    expect(parseTimeOfDay('9:05')).toBe(9 * 3_600_000 + 5 * 60_000);
    expect(parseTimeOfDay('09:61')).toBeNaN();
  });
});
