import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadBuffer, loadFile, symbolFromFileName } from '../data/loader.ts';
import { SHARED } from './helpers/tmp.ts';

const UTC = { tz: 'UTC' };
const day = (y: number, m: number, d: number) => Date.UTC(y, m - 1, d);

describe('loader on the real files in shared/data', () => {
  it('reads every price file as it is', () => {
    const files: string[] = [];
    for (const d of fs.readdirSync(SHARED, { withFileTypes: true })) {
      if (!d.isDirectory()) continue;
      for (const f of fs.readdirSync(path.join(SHARED, d.name))) files.push(path.join(SHARED, d.name, f));
    }
    expect(files.length).toBeGreaterThanOrEqual(25);
    for (const f of files) {
      const r = loadFile(f, UTC);
      expect(r.fatal, `${f}: ${JSON.stringify(r.findings.slice(0, 2))}`).toBe(false);
      expect(r.series.length).toBeGreaterThan(0);
      const errors = r.findings.filter((x) => x.severity === 'error');
      expect(errors, f).toEqual([]);
    }
  });

  it('Yahoo daily with Adj Close: values, symbol and timeframe inferred, not adjusted by default', () => {
    const r = loadFile(path.join(SHARED, 'backtrader/nvda-2014.txt'), UTC);
    const s = r.series[0];
    expect(s.symbol).toBe('NVDA');
    expect(s.bars.timeframe.label).toBe('1d');
    expect(s.bars.ts.length).toBe(252);
    // First data line: 2014-01-02,15.920000,15.980000,15.720000,15.860000,15.096152,6502300
    expect(s.bars.ts[0]).toBe(day(2014, 1, 2));
    expect([s.bars.open[0], s.bars.high[0], s.bars.low[0], s.bars.close[0], s.bars.volume[0]]).toEqual([15.92, 15.98, 15.72, 15.86, 6502300]);
    expect(s.lines[0]).toBe(2);
    expect(s.adjusted).toBe(false);
    expect(r.notes.join(' ')).toMatch(/NOT adjusted/);
  });

  it('--adjust scales OHLC by Adj Close / Close and volume by the inverse', () => {
    const s = loadFile(path.join(SHARED, 'backtrader/nvda-2014.txt'), { tz: 'UTC', adjust: true }).series[0];
    const ratio = 15.096152 / 15.86;
    expect(s.adjusted).toBe(true);
    expect(s.bars.open[0]).toBeCloseTo(15.92 * ratio, 10);
    expect(s.bars.high[0]).toBeCloseTo(15.98 * ratio, 10);
    expect(s.bars.close[0]).toBeCloseTo(15.096152, 10);
    expect(s.bars.volume[0]).toBeCloseTo(6502300 / ratio, 4);
  });

  it('intraday with a header one name short (Date holds date, then a time field) and CRLF', () => {
    const r = loadFile(path.join(SHARED, 'backtrader/2006-01-02-volume-min-001.txt'), { tz: 'Europe/Berlin' });
    const s = r.series[0];
    expect(r.notes.join(' ')).toMatch(/second field is a time of day/);
    expect(s.bars.timeframe.label).toBe('1m');
    // 2006-01-02 09:01 in Berlin (CET, UTC+1) = 08:01 UTC; first line 2006-01-02,09:01:00,3602.00,3603.00,3597.00,3599.00,5699,0
    expect(s.bars.ts[0]).toBe(Date.UTC(2006, 0, 2, 8, 1));
    expect([s.bars.open[0], s.bars.high[0], s.bars.low[0], s.bars.close[0], s.bars.volume[0]]).toEqual([3602, 3603, 3597, 3599, 5699]);
    expect(s.bars.ts.length).toBe(30889);
  });

  it('separate Date and Time columns (5-minute bars)', () => {
    const s = loadFile(path.join(SHARED, 'backtrader/2006-min-005.txt'), UTC).series[0];
    expect(s.bars.timeframe.label).toBe('5m');
    expect(s.bars.ts[0]).toBe(Date.UTC(2006, 0, 2, 9, 5));
    expect(s.bars.ts[1] - s.bars.ts[0]).toBe(5 * 60_000);
  });

  it('hourly FX with an unnamed index column', () => {
    const s = loadFile(path.join(SHARED, 'backtesting_py/EURUSD.csv'), UTC).series[0];
    expect(s.symbol).toBe('EURUSD');
    expect(s.bars.timeframe.label).toBe('1h');
    expect(s.bars.ts[0]).toBe(Date.UTC(2017, 3, 19, 9));
    expect(s.bars.close[0]).toBe(1.07219);
  });

  it('monthly and weekly spacing are recognised', () => {
    expect(loadFile(path.join(SHARED, 'backtesting_py/BTCUSD.csv'), UTC).series[0].bars.timeframe.label).toBe('1mo');
    expect(loadFile(path.join(SHARED, 'backtrader/2006-week-001.txt'), UTC).series[0].bars.timeframe.label).toBe('1w');
  });

  it('wide close table: one symbol per column; not-yet-listed rows are not part of a series', () => {
    const r = loadFile(path.join(SHARED, 'pypfopt/stock_prices.csv'), UTC);
    expect(r.kind).toBe('close_table');
    expect(r.series.map((s) => s.symbol)).toEqual(['GOOG', 'AAPL', 'FB', 'BABA', 'AMZN', 'GE', 'AMD', 'WMT', 'BAC', 'GM', 'T', 'UAA', 'SHLD', 'XOM', 'RRC', 'BBY', 'MA', 'PFE', 'JPM', 'SBUX']);
    const aapl = r.series[1];
    // 1989-12-29,,0.117203,...
    expect(aapl.bars.ts[0]).toBe(day(1989, 12, 29));
    expect(aapl.bars.close[0]).toBe(0.117203);
    expect(aapl.bars.open[0]).toBe(0.117203);
    expect(Number.isNaN(aapl.bars.volume[0])).toBe(true);
    const goog = r.series[0];
    expect(goog.bars.ts.length).toBeLessThan(aapl.bars.ts.length);
    expect(r.findings.some((f) => f.rule === 'leading_missing' && f.field === 'GOOG')).toBe(true);
  });

  it('bid/ask quotes become mid-price bars, with day-first dates as the source says', () => {
    const r = loadFile(path.join(SHARED, 'backtrader/bidask.csv'), UTC);
    expect(r.kind).toBe('quotes');
    const s = r.series[0];
    // 02/03/2010 16:53:50,0.5346,0.5347 → 2 March 2010, mid 0.53465
    expect(s.bars.ts[0]).toBe(Date.UTC(2010, 2, 2, 16, 53, 50));
    expect(s.bars.close[0]).toBeCloseTo(0.53465, 12);
  });

  it('symbol from file name', () => {
    expect(symbolFromFileName('/x/nvda-1999-2014.txt')).toBe('NVDA');
    expect(symbolFromFileName('GOOG.csv')).toBe('GOOG');
    expect(symbolFromFileName('2006-day-001.txt')).toBe('2006-DAY-001');
    expect(symbolFromFileName('SX5E-2006-min-005.txt')).toBe('SX5E');
  });
});

describe('loader on broken input', () => {
  const load = (text: string | Buffer, name = 'bad.csv') => loadBuffer(name, Buffer.isBuffer(text) ? text : Buffer.from(text), UTC);

  it('empty file', () => {
    const r = load('');
    expect(r.fatal).toBe(true);
    expect(r.findings[0].rule).toBe('empty_file');
  });

  it('binary file', () => {
    const r = load(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 0, 1, 2, 3]));
    expect(r.fatal).toBe(true);
    expect(r.findings[0].rule).toBe('binary_file');
  });

  it('header only', () => {
    const r = load('Date,Open,High,Low,Close,Volume\n');
    expect(r.findings[0].rule).toBe('header_only');
  });

  it('wrong delimiter', () => {
    const r = load('Date:Open:High:Low:Close\n2020-01-02:1:2:0.5:1.5\n');
    expect(r.fatal).toBe(true);
    expect(r.findings[0].rule).toBe('unknown_columns');
    expect(r.findings[0].message).toMatch(/delimiter/);
  });

  it('newest-first files are read oldest first, and the notes say so', () => {
    const r = load('Date,Open,High,Low,Close,Volume\n2020-01-06,1,2,0.5,1.6,12\n2020-01-03,1,2,0.5,1.5,11\n2020-01-02,1,2,0.5,1.4,10\n');
    const s = r.series[0];
    expect(Array.from(s.bars.ts)).toEqual([Date.UTC(2020, 0, 2), Date.UTC(2020, 0, 3), Date.UTC(2020, 0, 6)]);
    expect(Array.from(s.bars.close)).toEqual([1.4, 1.5, 1.6]);
    expect(Array.from(s.lines)).toEqual([4, 3, 2]);
    expect(r.notes.join(' ')).toMatch(/newest first/);
  });

  it('semicolon-delimited files are read', () => {
    const r = load('Date;Open;High;Low;Close;Volume\n2020-01-02;1;2;0.5;1.5;10\n2020-01-03;1.5;2;1;1.2;11\n');
    expect(r.fatal).toBe(false);
    expect(r.series[0].bars.close[1]).toBe(1.2);
  });

  it('bad column count, missing and non-numeric fields and bad timestamps name the line and field', () => {
    const csv = [
      'Date,Open,High,Low,Close,Volume', // line 1
      '2020-01-02,1,2,0.5,1.5,10', // 2 ok
      '2020-01-03,1,2,0.5', // 3 short
      '2020-01-06,1,,0.5,1.5,10', // 4 missing High
      '2020-01-07,1,2,abc,1.5,10', // 5 non-numeric Low
      '2020-13-08,1,2,0.5,1.5,10', // 6 bad date
      '2020-01-09,1,2,0.5,1.5,10,99', // 7 long
      '', // 8 blank
      '2020-01-10,1,2,0.5,1.5,10', // 9 ok
    ].join('\n') + '\n';
    const r = load(csv);
    const by = (rule: string) => r.findings.filter((f) => f.rule === rule).map((f) => [f.line, f.field ?? null]);
    expect(by('bad_column_count')).toEqual([[3, null], [7, null]]);
    expect(by('missing_field')).toEqual([[4, 'High']]);
    expect(by('non_numeric')).toEqual([[5, 'Low']]);
    expect(by('bad_timestamp')).toEqual([[6, 'Date']]);
    expect(by('blank_line')).toEqual([[8, null]]);
    const s = r.series[0];
    expect(Array.from(s.lines)).toEqual([2, 3, 4, 5, 6, 7, 9]);
    expect(Array.from(s.badRows)).toEqual([0, 1, 1, 1, 1, 1, 0]);
  });

  it('a file cut short mid-line is reported as truncated', () => {
    const r = load('Date,Open,High,Low,Close,Volume\n2020-01-02,1,2,0.5,1.5,10\n2020-01-03,1,2');
    expect(r.findings.map((f) => [f.rule, f.line])).toEqual([['truncated_file', 3]]);
  });

  it('a Parquet file whose footer claims 2 GB but is cut short', () => {
    const b = Buffer.alloc(64);
    b.write('PAR1', 0, 'latin1');
    b.writeUInt32LE(2 ** 31 - 1, 56);
    b.write('PAR1', 60, 'latin1');
    const r = load(b, 'big.parquet');
    expect(r.fatal).toBe(true);
    expect(r.findings[0].rule).toBe('truncated_file');
    expect(r.findings[0].message).toMatch(/2,147,483,647 bytes/);
    const r2 = load(Buffer.from('PAR1\x00\x00\x00'), 'cut.parquet');
    expect(r2.findings[0].rule).toBe('truncated_file');
  });

  it('reads Parquet written by polars', async () => {
    const pl = (await import('nodejs-polars')).default;
    const df = pl.DataFrame({ date: ['2020-01-02', '2020-01-03'], open: [1, 1.5], high: [2, 2], low: [0.5, 1], close: [1.5, 1.2], volume: [10, 11] });
    const buf = df.writeParquet() as unknown as Buffer;
    const r = loadBuffer('x.parquet', buf, UTC);
    expect(r.format).toBe('parquet');
    expect(r.fatal).toBe(false);
    expect(Array.from(r.series[0].bars.close)).toEqual([1.5, 1.2]);
    expect(r.series[0].bars.ts[1]).toBe(day(2020, 1, 3));
  });
});
