/**
 * Reading price files (CSV and Parquet) into columnar bars.
 *
 * Parsing of values is done by nodejs-polars (multi-threaded, in Rust). Around it, a byte pre-scan in JS finds
 * what polars would silently paper over (it pads short rows with nulls and truncates long ones): every line's
 * field count and start offset, so every problem is reported with its file, line and field.
 */
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import type PL from 'nodejs-polars';
import { DataError } from '../src/errors.ts';
import { inferTimeframe, type Timeframe } from '../src/timeframe.ts';
import { allocBars, type BarSeries } from '../src/types.ts';
import { wallToUtc } from '../src/tz.ts';
import { finding, type Finding } from './findings.ts';
import { detectDateFormat, looksLikeTime, parseTimeOfDay, parseTimestamp, type DateFormat, type ParsedTime } from './timeparse.ts';

const requireCjs = createRequire(import.meta.url);
let plModule: typeof PL | undefined;
/** nodejs-polars loads a large native library: load it on first use, so commands and the console that never parse
 * a file don't pay for it at start-up. */
function polars(): typeof PL {
  return (plModule ??= requireCjs('nodejs-polars') as typeof PL);
}

export interface LoadOptions {
  symbol?: string;
  timeframe?: Timeframe;
  tz: string;
  adjust?: boolean;
  dateFormat?: DateFormat;
}

export interface LoadedSeries {
  symbol: string;
  bars: BarSeries;
  /** 1-based source line of each row. */
  lines: Int32Array;
  /** 1 where the loader already reported the row (bad column count, missing/non-numeric field, bad timestamp). */
  badRows: Uint8Array;
  volumeKnown: boolean;
  adjusted: boolean;
  timeframeNote: string;
}

export interface LoadResult {
  file: string;
  format: 'csv' | 'parquet';
  kind: 'ohlcv' | 'close_table' | 'quotes';
  series: LoadedSeries[];
  findings: Finding[];
  /** What was inferred or decided, in words, for the import report. */
  notes: string[];
  /** A file-level error: there is nothing to import. */
  fatal: boolean;
}

type Role = 'ts' | 'date' | 'time' | 'open' | 'high' | 'low' | 'close' | 'adjclose' | 'volume' | 'bid' | 'ask' | 'ignore' | 'value';

const ROLE_NAMES: Record<string, Role> = {
  '': 'ts', datetime: 'ts', timestamp: 'ts', dt: 'ts', index: 'ts', unnamed0: 'ts', ts: 'ts',
  date: 'date', day: 'date',
  time: 'time',
  open: 'open', high: 'high', low: 'low',
  close: 'close', price: 'close', last: 'close',
  adjclose: 'adjclose', adjustedclose: 'adjclose',
  volume: 'volume', vol: 'volume',
  bid: 'bid', ask: 'ask',
  openinterest: 'ignore', oi: 'ignore', tradecount: 'ignore', trades: 'ignore', vwap: 'ignore', dividends: 'ignore', stocksplits: 'ignore',
};

function normName(s: string): string {
  return s.trim().replace(/^"|"$/g, '').toLowerCase().replace(/[\s_\-.:]/g, '');
}

const TICKER_STOP = new Set(['day', 'daily', 'min', 'minute', 'minutes', 'week', 'weekly', 'month', 'monthly', 'volume', 'hour', 'hourly', 'bars', 'data', 'prices', 'price', 'tick', 'ticks', 'sample', 'csv', 'txt', 'ohlc', 'ohlcv', 'quotes']);

/** Symbol from a file name: the first letters-only token that is not a word like "day" or "prices"; else the name. */
export function symbolFromFileName(file: string): string {
  const base = path.basename(file).replace(/\.(csv|txt|tsv|parquet|pq|arrow|ipc)$/i, '');
  for (const tok of base.split(/[-_. ]+/)) {
    if (/^[A-Za-z][A-Za-z0-9]{0,5}$/.test(tok) && /[A-Za-z]/.test(tok) && !TICKER_STOP.has(tok.toLowerCase())) return tok.toUpperCase();
  }
  return base.replace(/[^A-Za-z0-9._-]+/g, '-').toUpperCase();
}

export function sanitizeSymbol(s: string): string {
  const t = s.trim().toUpperCase();
  if (!/^[A-Z0-9][A-Z0-9._\-^=/]{0,31}$/.test(t)) throw new DataError(`invalid symbol "${s}": use letters, digits and . _ - ^ = / (at most 32)`);
  return t.replace(/\//g, '-');
}

const NL = 10;
const CR = 13;
const QUOTE = 34;

interface Scan {
  /** byte offset where each line starts (line k, 0-based, is file line k+1) */
  starts: Int32Array;
  /** number of fields on each line (0 for a blank line) */
  fields: Int32Array;
  lineCount: number;
  endsWithNewline: boolean;
}

function scanLines(buf: Buffer, sep: number): Scan {
  // Estimate capacity, grow if needed.
  let cap = Math.max(16, Math.ceil(buf.length / 24));
  let starts = new Int32Array(cap);
  let fields = new Int32Array(cap);
  let n = 0;
  let lineStart = 0;
  let count = 1;
  let blank = true;
  let inQuote = false;
  const len = buf.length;
  // Quote tracking only when the file has quotes at all (keeps the common loop tight).
  const quotes = buf.indexOf(QUOTE) >= 0;
  for (let i = 0; i < len; i++) {
    const b = buf[i];
    if (quotes && b === QUOTE) inQuote = !inQuote;
    else if (inQuote) continue;
    else if (b === sep) {
      count++;
      blank = false;
    } else if (b === NL) {
      if (n === cap) {
        cap *= 2;
        const s2 = new Int32Array(cap);
        s2.set(starts);
        starts = s2;
        const f2 = new Int32Array(cap);
        f2.set(fields);
        fields = f2;
      }
      starts[n] = lineStart;
      fields[n] = blank ? 0 : count;
      n++;
      lineStart = i + 1;
      count = 1;
      blank = true;
    } else if (b !== CR && b !== 32 && b !== 9) blank = false;
  }
  const endsWithNewline = lineStart === len;
  if (!endsWithNewline) {
    if (n === cap) {
      const s2 = new Int32Array(cap + 1);
      s2.set(starts);
      starts = s2;
      const f2 = new Int32Array(cap + 1);
      f2.set(fields);
      fields = f2;
    }
    starts[n] = lineStart;
    fields[n] = blank ? 0 : count;
    n++;
  }
  return { starts, fields, lineCount: n, endsWithNewline };
}

function lineText(buf: Buffer, scan: Scan, k: number): string {
  const start = scan.starts[k];
  let end = k + 1 < scan.lineCount ? scan.starts[k + 1] : buf.length;
  while (end > start && (buf[end - 1] === NL || buf[end - 1] === CR)) end--;
  return buf.toString('utf8', start, end);
}

function splitLine(text: string, sep: string): string[] {
  if (!text.includes('"')) return text.split(sep);
  const out: string[] = [];
  let cur = '';
  let q = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (ch === '"') q = !q;
    else if (ch === sep && !q) {
      out.push(cur);
      cur = '';
    } else cur += ch;
  }
  out.push(cur);
  return out;
}

function detectSeparator(header: string, next: string[]): string {
  const cands = [',', ';', '\t', '|'];
  let best = ',';
  let bestScore = -1;
  for (const c of cands) {
    const h = header.split(c).length - 1;
    if (h === 0) continue;
    const consistent = next.filter((l) => l.trim() !== '').every((l) => l.split(c).length - 1 >= h);
    const score = h + (consistent ? 1000 : 0);
    if (score > bestScore) {
      bestScore = score;
      best = c;
    }
  }
  return best;
}

function isBinary(buf: Buffer): boolean {
  const n = Math.min(buf.length, 8192);
  let odd = 0;
  for (let i = 0; i < n; i++) {
    const b = buf[i];
    if (b === 0) return true;
    if (b < 8 || (b > 13 && b < 32 && b !== 27)) odd++;
  }
  return n > 0 && odd / n > 0.1;
}

/** Load one file. Never throws on bad data: problems are findings (fatal ones set `fatal`). Throws on I/O errors. */
export function loadFile(file: string, opts: LoadOptions): LoadResult {
  let buf: Buffer;
  try {
    buf = fs.readFileSync(file);
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    throw new DataError(err.code === 'ENOENT' ? 'no such file' : err.code === 'EISDIR' ? 'is a directory' : `cannot read: ${err.message}`, { file });
  }
  return loadBuffer(file, buf, opts);
}

export function loadBuffer(file: string, buf: Buffer, opts: LoadOptions): LoadResult {
  const pl = polars();
  const base: LoadResult = { file, format: 'csv', kind: 'ohlcv', series: [], findings: [], notes: [], fatal: false };
  const fail = (rule: Parameters<typeof finding>[0], msg: string, extra: Partial<Finding> = {}): LoadResult => {
    base.findings.push(finding(rule, file, msg, extra));
    base.fatal = true;
    return base;
  };
  if (buf.length === 0) return fail('empty_file', 'the file is empty');
  if (buf.length >= 4 && buf.toString('latin1', 0, 4) === 'PAR1') return loadParquet(file, buf, opts, base);
  if (isBinary(buf)) return fail('binary_file', 'the file is binary, not CSV text (a NUL or control bytes in its first 8 KB)');
  // Strip a UTF-8 byte-order mark.
  if (buf[0] === 0xef && buf[1] === 0xbb && buf[2] === 0xbf) buf = buf.subarray(3);

  const firstNl = buf.indexOf(NL);
  const headerText = buf.toString('utf8', 0, firstNl < 0 ? buf.length : firstNl).replace(/\r$/, '');
  const peek = buf.toString('utf8', 0, Math.min(buf.length, 4096)).split(/\r?\n/).slice(1, 6);
  const sepChar = detectSeparator(headerText, peek);
  const sep = sepChar.charCodeAt(0);
  const scan = scanLines(buf, sep);
  let dataLines = 0;
  for (let k = 1; k < scan.lineCount; k++) if (scan.fields[k] > 0) dataLines++;
  if (headerText.trim() === '') return fail('empty_file', 'the first line is empty: expected a header', { line: 1 });
  let names = splitLine(headerText, sepChar).map((s) => s.trim().replace(/^"|"$/g, ''));
  if (dataLines === 0) return fail('header_only', `the file has a header (${names.join(sepChar)}) but no data rows`);
  if (names.length === 1) {
    return fail('unknown_columns', `the header "${headerText.slice(0, 80)}" has a single column: the delimiter is not one of , ; tab |`, { line: 1 });
  }

  // A header one name short whose rows carry a time after the date (backtrader's intraday files): read as Date,Time.
  let want = names.length;
  let plusOne = 0;
  for (let k = 1; k < scan.lineCount; k++) if (scan.fields[k] === want + 1) plusOne++;
  if (plusOne > 0.95 * dataLines && plusOne > 0) {
    const sample = splitLine(lineText(buf, scan, 1), sepChar);
    if (sample.length === want + 1 && looksLikeTime(sample[1]) && ['date', 'ts'].includes(ROLE_NAMES[normName(names[0])] ?? '')) {
      base.notes.push(`header names ${want} columns but rows have ${want + 1}: the second field is a time of day, read as ${names[0]},Time`);
      names = [names[0], 'Time', ...names.slice(1)];
      want++;
    }
  }

  // Assign roles. One-letter names (t,o,h,l,c,v as some exchanges export) count only when o,h,l,c are all there:
  // otherwise they are tickers (T, C, V, O are real symbols in a wide close table).
  const norm = names.map(normName);
  const short = ['o', 'h', 'l', 'c'].every((x) => norm.includes(x));
  const SHORT: Record<string, Role> = { t: 'ts', o: 'open', h: 'high', l: 'low', c: 'close', v: 'volume' };
  const roles: Role[] = names.map((n, i) => {
    const r = ROLE_NAMES[norm[i]] ?? (short ? SHORT[norm[i]] : undefined);
    if (r) return r;
    if (i === 0 && /^unnamed/i.test(n)) return 'ts';
    return 'value';
  });
  if (roles[0] === 'time' && !roles.includes('date')) roles[0] = 'ts';
  if (roles[0] === 'date' && !roles.includes('time')) roles[0] = 'ts';
  const idx = (r: Role) => roles.indexOf(r);
  let tsCol = idx('ts');
  const dateCol = idx('date');
  const timeCol = idx('time');
  if (tsCol < 0 && dateCol < 0) {
    if (/^\d/.test(names[0])) return fail('unknown_columns', `no header found: the first line "${headerText.slice(0, 60)}" looks like data; add a header such as Date,Open,High,Low,Close,Volume`, { line: 1 });
    tsCol = 0;
    base.notes.push(`no date column by name: the first column "${names[0]}" is read as the timestamp`);
    roles[0] = 'ts';
  }
  const ignored = names.filter((_, i) => roles[i] === 'ignore');
  if (ignored.length) base.notes.push(`columns not used: ${ignored.join(', ')}`);

  const has = (r: Role) => roles.includes(r);
  let kind: LoadResult['kind'];
  if (has('open') && has('high') && has('low') && has('close')) kind = 'ohlcv';
  else if (has('bid') && has('ask')) kind = 'quotes';
  else if (has('close') && !has('open')) kind = 'close_table';
  else if (roles.some((r) => r === 'value')) kind = 'close_table';
  else return fail('unknown_columns', `cannot tell the price columns in header "${headerText.slice(0, 120)}": expected Open,High,Low,Close[,Volume], Bid,Ask, or one price column per symbol`, { line: 1 });
  base.kind = kind;
  const unknown = names.filter((_, i) => roles[i] === 'value');
  if (kind !== 'close_table' && unknown.length) base.notes.push(`columns not used: ${unknown.join(', ')}`);

  // Structural findings: bad column counts, blank lines, truncation.
  const nRows = scan.lineCount - 1;
  const badRows = new Uint8Array(nRows);
  for (let k = 1; k < scan.lineCount; k++) {
    const f = scan.fields[k];
    if (f === 0) {
      badRows[k - 1] = 2; // blank: not a row at all
      if (!(k === scan.lineCount - 1)) base.findings.push(finding('blank_line', file, 'blank line skipped', { line: k + 1, action: 'dropped' }));
      continue;
    }
    if (f !== want) {
      badRows[k - 1] = 1;
      const last = k === scan.lineCount - 1 && !scan.endsWithNewline;
      base.findings.push(
        finding(last && f < want ? 'truncated_file' : 'bad_column_count', file, `${f} fields where the header has ${want}${last && f < want ? ' (the last line is cut short: is the file truncated?)' : ''}: "${lineText(buf, scan, k).slice(0, 80)}"`, { line: k + 1, row: k - 1 }),
      );
    }
  }

  // Parse with polars: a synthetic header c0..cN so names and widths are ours; date columns as text, numbers as f64.
  const header = Array.from({ length: want }, (_, i) => `c${i}`).join(sepChar) + '\n';
  const body = buf.subarray(firstNl + 1);
  const dtypes: Record<string, any> = {};
  roles.forEach((r, i) => {
    dtypes[`c${i}`] = r === 'ts' || r === 'date' || r === 'time' || r === 'ignore' ? pl.Utf8 : pl.Float64;
  });
  let df: PL.DataFrame;
  try {
    df = pl.readCSV(Buffer.concat([Buffer.from(header), body]), {
      hasHeader: true, sep: sepChar, dtypes, ignoreErrors: true, quoteChar: '"', inferSchemaLength: 0,
    } as any);
  } catch (e) {
    return fail('bad_column_count', `the CSV reader failed: ${(e as Error).message.split('\n')[0]}`);
  }
  // Map polars rows to file lines. Polars yields a (null) row for each blank line except trailing ones.
  let rowLine: Int32Array;
  if (df.height === nRows) {
    rowLine = new Int32Array(nRows);
    for (let r = 0; r < nRows; r++) rowLine[r] = r + 2;
  } else {
    let lastNonBlank = nRows - 1;
    while (lastNonBlank >= 0 && badRows[lastNonBlank] === 2) lastNonBlank--;
    if (df.height === lastNonBlank + 1) {
      rowLine = new Int32Array(df.height);
      for (let r = 0; r < df.height; r++) rowLine[r] = r + 2;
    } else {
      return fail('bad_column_count', `could not align parsed rows (${df.height}) with the file's ${nRows} lines; check quoting and line endings`);
    }
  }
  const H = df.height;

  // All numeric columns in one polars pass (nulls → NaN), converted to typed arrays once, on first use.
  let numeric: Map<number, Float64Array> | null = null;
  const numCol = (i: number): Float64Array => {
    if (!numeric) {
      numeric = new Map();
      const idxs = roles.map((r, k) => (dtypes[`c${k}`] === pl.Float64 && r !== 'value' ? k : -1)).filter((k) => k >= 0);
      if (idxs.length) {
        const o = df.select(...idxs.map((k) => pl.col(`c${k}`).fillNull(pl.lit(NaN))));
        for (const k of idxs) numeric.set(k, o.getColumn(`c${k}`).toTypedArray() as Float64Array);
      }
    }
    let a = numeric.get(i);
    if (!a) {
      a = df.select(pl.col(`c${i}`).fillNull(pl.lit(NaN))).getColumn(`c${i}`).toTypedArray() as Float64Array;
      numeric.set(i, a);
    }
    return a;
  };
  const rawField = (r: number, i: number): string => {
    const parts = splitLine(lineText(buf, scan, rowLine[r] - 1), sepChar);
    return (parts[i] ?? '').trim();
  };
  const rowBad = new Uint8Array(H);
  for (let r = 0; r < H; r++) rowBad[r] = badRows[rowLine[r] - 2] ?? 0;

  // Timestamps.
  const ts = new Float64Array(H).fill(NaN);
  const tsIdx = tsCol >= 0 ? tsCol : dateCol;
  const timeText = tsCol < 0 && timeCol >= 0 ? (df.getColumn(`c${timeCol}`).toArray() as (string | null)[]) : null;
  // Date text is pulled into JS only when needed (a separate time column); otherwise polars parses it below.
  const tsText = timeText ? (df.getColumn(`c${tsIdx}`).toArray() as (string | null)[]) : null;
  if (tsCol < 0 && timeCol >= 0) base.notes.push(`timestamps from ${names[dateCol]} + ${names[timeCol]}`);
  const samples: string[] = [];
  {
    const head = tsText ?? (df.getColumn(`c${tsIdx}`).head(Math.min(H, 400)).toArray() as (string | null)[]);
    for (let r = 0; r < head.length && samples.length < 200; r++) if (!rowBad[r] && head[r]) samples.push(head[r]!);
  }
  let fmt: DateFormat | undefined = opts.dateFormat;
  if (!fmt) {
    const det = detectDateFormat(samples);
    if (!det) return fail('bad_timestamp', `cannot recognise the timestamp format of column "${names[tsIdx]}" (e.g. "${samples[0] ?? ''}"): use ISO (YYYY-MM-DD[ HH:MM:SS]), YYYYMMDD, DD/MM/YYYY or epoch seconds/ms`, { line: 2, field: names[tsIdx] });
    fmt = det.format;
    if (det.note) base.notes.push(det.note);
  }
  const pt: ParsedTime = { ms: NaN, hasZone: false };
  let zoned = 0;
  // Fast path: a fixed-width format polars can parse (ISO without zone, YYYYMMDD). Rows whose text has another
  // length, or that polars cannot parse, go through our own parser, which gives the exact finding.
  const fast = timeText ? null : polarsFormat(samples, fmt);
  let fastMs: Float64Array | null = null;
  let fastLen: Float64Array | null = null;
  if (fast) {
    const c = pl.col(`c${tsIdx}`);
    const parsed = fast.dateOnly ? c.str.strptime(pl.Date, fast.fmt).cast(pl.Float64).mul(86_400_000) : c.str.strptime(pl.Datetime('ms'), fast.fmt).cast(pl.Float64).div(1000);
    const o = df.select(parsed.fillNull(pl.lit(NaN)).alias('t'), c.str.lengths().cast(pl.Float64).fillNull(pl.lit(-1)).alias('n'));
    fastMs = o.getColumn('t').toTypedArray() as Float64Array;
    fastLen = o.getColumn('n').toTypedArray() as Float64Array;
  }
  const tsTextAt = (r: number): string | null => (tsText ? tsText[r] : (df.getColumn(`c${tsIdx}`).get(r) as string | null));
  for (let r = 0; r < H; r++) {
    if (rowBad[r]) continue;
    if (fastMs && fastLen![r] === fast!.len && fastMs[r] === fastMs[r]) {
      ts[r] = wallToUtc(fastMs[r], opts.tz);
      continue;
    }
    const t = tsTextAt(r);
    if (t === null || t.trim() === '') {
      rowBad[r] = 1;
      base.findings.push(finding('missing_field', file, 'timestamp is empty', { line: rowLine[r], row: r, field: names[tsIdx] }));
      continue;
    }
    parseTimestamp(t, fmt, pt);
    let ms = pt.ms;
    if (timeText) {
      const tt = timeText[r];
      const tod = tt === null ? NaN : parseTimeOfDay(tt);
      if (Number.isNaN(tod)) {
        rowBad[r] = 1;
        base.findings.push(finding('bad_timestamp', file, `time "${tt ?? ''}" is not HH:MM[:SS]`, { line: rowLine[r], row: r, field: names[timeCol] }));
        continue;
      }
      ms += tod;
    }
    if (Number.isNaN(ms)) {
      rowBad[r] = 1;
      base.findings.push(finding('bad_timestamp', file, `"${t}" is not a valid ${fmt} timestamp`, { line: rowLine[r], row: r, field: names[tsIdx] }));
      continue;
    }
    if (pt.hasZone) zoned++;
    ts[r] = pt.hasZone ? ms : wallToUtc(ms, opts.tz);
  }
  if (zoned > 0) base.notes.push('timestamps carry their own UTC offset or are epoch times: --tz is used only for the calendar');

  // Numeric columns: a NaN where the text was not a number is a finding naming the field.
  const checkNumeric = (i: number, arr: Float64Array, allowEmptyEdges: boolean): { first: number; last: number } => {
    let first = -1;
    let last = -1;
    for (let r = 0; r < H; r++) if (!rowBad[r] && !Number.isNaN(arr[r])) {
      if (first < 0) first = r;
      last = r;
    }
    for (let r = 0; r < H; r++) {
      if (rowBad[r] || !Number.isNaN(arr[r])) continue;
      if (allowEmptyEdges && (first < 0 || r < first || r > last)) continue;
      const raw = rawField(r, i);
      if (raw === '' || /^(nan|null|na|n\/a|none|-)$/i.test(raw)) {
        base.findings.push(finding('missing_field', file, raw === '' ? 'value is empty' : `value is "${raw}" (missing)`, { line: rowLine[r], row: r, field: names[i] }));
      } else {
        base.findings.push(finding('non_numeric', file, `"${raw.slice(0, 40)}" is not a number`, { line: rowLine[r], row: r, field: names[i] }));
      }
      rowBad[r] = 1;
    }
    return { first, last };
  };

  const tfNote = (b: BarSeries): string => '';
  void tfNote;
  const finish = (symbol: string, cols: { open: Float64Array; high: Float64Array; low: Float64Array; close: Float64Array; volume: Float64Array }, keep: Uint8Array | null, volumeKnown: boolean, adjusted: boolean) => {
    // keep: 1 = row belongs to this series (wide tables drop not-yet-listed rows). Blank lines never do.
    let n = 0;
    for (let r = 0; r < H; r++) if (rowBad[r] !== 2 && (!keep || keep[r])) n++;
    const bars = allocBars(symbol, opts.timeframe ?? { label: '1d', unit: 'd', n: 1, ms: 86_400_000 }, opts.tz, n);
    const lines = new Int32Array(n);
    const bad = new Uint8Array(n);
    let j = 0;
    for (let r = 0; r < H; r++) {
      if (rowBad[r] === 2 || (keep && !keep[r])) continue;
      bars.ts[j] = ts[r];
      bars.open[j] = cols.open[r];
      bars.high[j] = cols.high[r];
      bars.low[j] = cols.low[r];
      bars.close[j] = cols.close[r];
      bars.volume[j] = cols.volume[r];
      lines[j] = rowLine[r];
      bad[j] = rowBad[r];
      j++;
    }
    // Newest-first files (common in exports) are read oldest-first, and the report says so; without this every row
    // would be an unsorted_timestamp error.
    let desc = 0;
    let steps = 0;
    let prevT = NaN;
    for (let k = 0; k < n; k++) {
      if (bad[k] || !Number.isFinite(bars.ts[k])) continue;
      if (prevT === prevT) {
        steps++;
        if (bars.ts[k] < prevT) desc++;
      }
      prevT = bars.ts[k];
    }
    if (steps >= 2 && desc / steps > 0.95) {
      for (const a of [bars.ts, bars.open, bars.high, bars.low, bars.close, bars.volume, lines, bad] as const) a.reverse();
      base.notes.push(`${symbol}: rows are newest first (${desc} of ${steps} steps go back in time): read oldest first`);
    }
    let timeframeNote = '';
    if (!opts.timeframe) {
      const good: number[] = [];
      for (let k = 0; k < n; k++) if (!bad[k] && Number.isFinite(bars.ts[k])) good.push(bars.ts[k]);
      good.sort((a, b) => a - b);
      const inf = inferTimeframe(Float64Array.from(good));
      bars.timeframe = inf.tf;
      timeframeNote = `timeframe ${inf.tf.label} inferred (${inf.note})`;
    } else timeframeNote = `timeframe ${opts.timeframe.label} given`;
    base.series.push({ symbol, bars, lines, badRows: bad, volumeKnown, adjusted, timeframeNote });
  };

  const nan = () => new Float64Array(H).fill(NaN);
  if (kind === 'ohlcv') {
    const o = numCol(idx('open'));
    const h = numCol(idx('high'));
    const l = numCol(idx('low'));
    const c = numCol(idx('close'));
    const vi = idx('volume');
    const v = vi >= 0 ? numCol(vi) : nan();
    for (const [role, arr] of [['open', o], ['high', h], ['low', l], ['close', c]] as const) checkNumeric(idx(role), arr, false);
    if (vi >= 0) checkNumeric(vi, v, false);
    else base.notes.push('no Volume column: volume is unknown (NaN), not zero');
    let adjusted = false;
    const ai = idx('adjclose');
    if (ai >= 0) {
      const a = numCol(ai);
      if (opts.adjust) {
        checkNumeric(ai, a, false);
        for (let r = 0; r < H; r++) {
          const ratio = a[r] / c[r];
          o[r] *= ratio;
          h[r] *= ratio;
          l[r] *= ratio;
          c[r] = a[r];
          v[r] /= ratio;
        }
        adjusted = true;
        base.notes.push(`prices adjusted: OHLC × (${names[ai]} / Close), volume ÷ the same ratio`);
      } else base.notes.push(`prices NOT adjusted (${names[ai]} present; pass --adjust to apply it)`);
    } else if (opts.adjust) base.notes.push('--adjust given but the file has no Adj Close column: prices stored as they are (not adjusted)');
    const symbol = sanitizeSymbol(opts.symbol ?? symbolFromFileName(file));
    if (!opts.symbol) base.notes.push(`symbol ${symbol} inferred from the file name`);
    finish(symbol, { open: o, high: h, low: l, close: c, volume: v }, null, vi >= 0, adjusted);
  } else if (kind === 'quotes') {
    const b = numCol(idx('bid'));
    const a = numCol(idx('ask'));
    checkNumeric(idx('bid'), b, false);
    checkNumeric(idx('ask'), a, false);
    const mid = new Float64Array(H);
    for (let r = 0; r < H; r++) mid[r] = (b[r] + a[r]) / 2;
    base.notes.push('quote file: each bar is the mid price (bid+ask)/2 as open=high=low=close; volume unknown (NaN)');
    const symbol = sanitizeSymbol(opts.symbol ?? symbolFromFileName(file));
    if (!opts.symbol) base.notes.push(`symbol ${symbol} inferred from the file name`);
    finish(symbol, { open: mid, high: mid, low: mid, close: mid, volume: nan() }, null, false, false);
  } else {
    // One price column per symbol (or a single close column).
    const valueCols = roles.map((r, i) => (r === 'value' || r === 'close' ? i : -1)).filter((i) => i >= 0);
    if (opts.symbol && valueCols.length > 1) throw new DataError(`--symbol cannot be used with a table of ${valueCols.length} symbols (one per column)`, { file });
    base.notes.push(valueCols.length > 1 ? `wide table: ${valueCols.length} symbols, one close-price column each; open=high=low=close, volume unknown` : 'close prices only: open=high=low=close, volume unknown');
    const sharedBad = rowBad.slice();
    for (const i of valueCols) {
      rowBad.set(sharedBad);
      const c = numCol(i);
      const { first, last } = checkNumeric(i, c, true);
      const name = names[i];
      const symbol = sanitizeSymbol(opts.symbol ?? (roles[i] === 'close' && valueCols.length === 1 ? symbolFromFileName(file) : name));
      if (first < 0) {
        base.findings.push(finding('leading_missing', file, `column ${name} has no prices: skipped`, { field: name }));
        continue;
      }
      const keep = new Uint8Array(H);
      for (let r = first; r <= last; r++) keep[r] = 1;
      if (first > 0) base.findings.push(finding('leading_missing', file, `${symbol}: ${first} rows before its first price (not yet listed) are not part of its series`, { field: name, line: rowLine[0] }));
      if (last < H - 1) base.findings.push(finding('leading_missing', file, `${symbol}: ${H - 1 - last} rows after its last price (no longer listed) are not part of its series`, { field: name, line: rowLine[last + 1] }));
      finish(symbol, { open: c, high: c, low: c, close: c, volume: nan() }, keep, false, false);
    }
  }
  return base;
}

/** A polars strptime format for fixed-width samples (all the same length and shape), or null. */
function polarsFormat(samples: string[], fmt: DateFormat): { fmt: string; len: number; dateOnly: boolean } | null {
  if (samples.length === 0) return null;
  const len = samples[0].length;
  if (!samples.every((s) => s.length === len)) return null;
  const s0 = samples[0];
  const shapes: [RegExp, string, boolean][] =
    fmt === 'ymd8'
      ? [[/^\d{8}$/, '%Y%m%d', true]]
      : fmt === 'iso'
        ? [
            [/^\d{4}-\d{2}-\d{2}$/, '%Y-%m-%d', true],
            [/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/, '%Y-%m-%d %H:%M:%S', false],
            [/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}$/, '%Y-%m-%dT%H:%M:%S', false],
            [/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}$/, '%Y-%m-%d %H:%M', false],
            [/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}$/, '%Y-%m-%dT%H:%M', false],
          ]
        : [];
  for (const [re, f, dateOnly] of shapes) if (re.test(s0) && samples.every((s) => re.test(s))) return { fmt: f, len, dateOnly };
  return null;
}

function loadParquet(file: string, buf: Buffer, opts: LoadOptions, base: LoadResult): LoadResult {
  const pl = polars();
  base.format = 'parquet';
  const n = buf.length;
  const fail = (msg: string): LoadResult => {
    base.findings.push(finding('truncated_file', file, msg));
    base.fatal = true;
    return base;
  };
  if (n < 12 || buf.toString('latin1', n - 4) !== 'PAR1') return fail(`Parquet file is truncated: ${n} bytes and no closing PAR1 marker`);
  const footerLen = buf.readUInt32LE(n - 8);
  if (footerLen > n - 12) return fail(`Parquet footer claims ${footerLen.toLocaleString('en-US')} bytes of metadata but the file has only ${n.toLocaleString('en-US')} bytes: truncated or corrupt`);
  let df: PL.DataFrame;
  try {
    df = pl.readParquet(buf);
  } catch (e) {
    return fail(`cannot read Parquet: ${(e as Error).message.split('\n')[0]}`);
  }
  // Re-express as CSV-like columns and reuse the CSV path's checks: write the frame as CSV in memory.
  const cols = df.columns;
  const conv = df.select(
    ...cols.map((c) => {
      const dt = String(df.getColumn(c).dtype);
      if (dt.startsWith('Datetime') || dt.startsWith('Date')) return pl.col(c).cast(pl.Utf8).alias(c);
      return pl.col(c);
    }),
  );
  const csv = conv.writeCSV() as unknown as Buffer;
  const res = loadBuffer(file, Buffer.isBuffer(csv) ? csv : Buffer.from(String(csv)), opts);
  res.format = 'parquet';
  res.notes.unshift('Parquet: line numbers are row numbers + 1 (row 1 is the header)');
  return res;
}
