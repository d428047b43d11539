/**
 * `alphatrade metrics --returns FILE [--column NAME] [--prices] [--periods N] [--rf R] [--benchmark FILE] [--json]`:
 * every return-series metric of engine/metrics.ts for any return (or price / equity) column of a CSV file, so users
 * can check any equity curve.
 *
 * File format: a header line, a date column (the one named date/time/timestamp/datetime/day, else the first column)
 * and value columns; separator , ; tab or | (detected). The value column is --column NAME, else the first column
 * whose values are numeric. Values are simple returns as fractions (0.012), or percentages written with a % sign
 * (1.2%); with --prices they are prices or equity and the returns are p_t / p_prev − 1.
 * Dates: ISO (2024-01-31, 2024-01-31T15:30:00[Z|±hh:mm]), YYYYMMDD, DD/MM/YYYY or MM/DD/YYYY, epoch s or ms; times
 * without a zone are read as UTC. Dates must strictly increase.
 *
 * Missing values: an empty cell (or NA, N/A, NaN, null, nil, #N/A) is missing. A missing return is not a zero return:
 * that row is skipped, the metrics use the other periods, and the result reports how many rows were skipped and
 * which lines (`skipped`). With --prices a missing price is skipped the same way and the next return spans the gap
 * (from the last available price). Nothing is dropped silently.
 */
import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { detectDateFormat, parseTimestamp, type DateFormat, type ParsedTime } from '../data/timeparse.ts';
import { computeMetrics, inferPeriods, METRIC_GROUPS, metricsJson, type MetricKey } from '../engine/metrics.ts';
import { DataError, nearest, UsageError } from '../src/errors.ts';
import { int, table } from './format.ts';
import { defineCommand } from './registry.ts';

// ---------------------------------------------------------------- CSV

export interface SeriesColumn {
  file: string;
  column: string;
  /** all value columns in the file (for messages) */
  columns: string[];
  /** data lines read (non-blank lines after the header) */
  rows: number;
  /** time (epoch ms) and value of each row with a value */
  ts: Float64Array;
  values: Float64Array;
  /** 1-based file line of each kept value */
  lines: Int32Array;
  /** 1-based file lines of the rows whose value was missing */
  missingLines: number[];
}

const MISSING = new Set(['', 'na', 'n/a', 'nan', 'null', 'nil', '#n/a', 'none']);
const DATE_NAMES = ['date', 'datetime', 'timestamp', 'time', 'day', 'dt'];

function detectSeparator(header: string): string {
  let best = ',';
  let bestN = 0;
  for (const c of [',', ';', '\t', '|']) {
    const k = header.split(c).length - 1;
    if (k > bestN) {
      best = c;
      bestN = k;
    }
  }
  return best;
}

function splitLine(text: string, sep: string): string[] {
  if (!text.includes('"')) return text.split(sep).map((s) => s.trim());
  const out: string[] = [];
  let cur = '';
  let q = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (ch === '"') {
      if (q && text[i + 1] === '"') {
        cur += '"';
        i++;
      } else q = !q;
    } else if (ch === sep && !q) {
      out.push(cur.trim());
      cur = '';
    } else cur += ch;
  }
  out.push(cur.trim());
  return out;
}

/** A number, a percentage ("1.5%" → 0.015), NaN for a missing value, undefined for anything else. */
export function parseValue(cell: string): number | undefined {
  const s = cell.trim();
  if (MISSING.has(s.toLowerCase())) return NaN;
  const pct = s.endsWith('%');
  const body = (pct ? s.slice(0, -1) : s).trim();
  if (body === '' || !/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(body)) return undefined;
  const v = Number(body);
  return pct ? v / 100 : v;
}

/**
 * Read one value column of a date + values CSV. Throws DataError (file, line, field) on a bad date, a non-numeric
 * value, unsorted dates or a missing column; missing values are kept out of `values` and listed in `missingLines`.
 */
export function readSeriesCsv(file: string, opts: { column?: string; flag?: string } = {}): SeriesColumn {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new UsageError(`no such file: ${file}`, `${opts.flag ?? '--returns'} takes a CSV file with a date column and value columns`);
    throw new DataError(`cannot read the file (${code ?? (e as Error).message})`, { file });
  }
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  const rawLines = text.split(/\r?\n/);
  let h = 0;
  while (h < rawLines.length && rawLines[h].trim() === '') h++;
  if (h === rawLines.length) throw new DataError('the file is empty', { file });
  const sep = detectSeparator(rawLines[h]);
  let header = splitLine(rawLines[h], sep);
  let first = h + 1;
  // A file without a header line: the first field is already a date.
  if (detectDateFormat([header[0]]) && header.slice(1).every((c) => parseValue(c) !== undefined)) {
    header = header.map((_, i) => (i === 0 ? 'date' : i === 1 ? 'value' : `value${i}`));
    first = h;
  }
  if (header.length < 2) throw new DataError(`expected a date column and at least one value column, found one column "${header[0]}"`, { file, line: h + 1 });
  const lower = header.map((c) => c.toLowerCase());
  let dateCol = lower.findIndex((c) => DATE_NAMES.includes(c));
  if (dateCol < 0) dateCol = 0;
  const valueCols = header.map((_, i) => i).filter((i) => i !== dateCol);
  const rows: { line: number; cells: string[] }[] = [];
  for (let k = first; k < rawLines.length; k++) {
    if (rawLines[k].trim() === '') continue;
    rows.push({ line: k + 1, cells: splitLine(rawLines[k], sep) });
  }
  if (rows.length === 0) throw new DataError('no data rows after the header', { file, line: h + 1 });

  // the value column
  let col: number;
  if (opts.column !== undefined) {
    col = header.indexOf(opts.column);
    if (col < 0) col = lower.indexOf(opts.column.toLowerCase());
    if (col < 0 || col === dateCol) {
      const names = valueCols.map((i) => header[i]);
      const near = nearest(opts.column, names);
      throw new UsageError(`no column "${opts.column}" in ${file}`, `${near ? `did you mean "${near}"? ` : ''}value columns: ${names.join(', ')}`);
    }
  } else {
    const numeric = valueCols.find((i) => {
      let seen = 0;
      for (const r of rows) {
        const v = parseValue(r.cells[i] ?? '');
        if (v === undefined) return false;
        if (v === v && ++seen >= 200) break;
      }
      return seen > 0;
    });
    if (numeric === undefined) throw new DataError(`no numeric value column (columns: ${header.join(', ')})`, { file, line: h + 1 });
    col = numeric;
  }

  // dates
  const dateName = header[dateCol];
  const sample: string[] = [];
  for (const r of rows) {
    const c = r.cells[dateCol] ?? '';
    if (c !== '') sample.push(c);
    if (sample.length >= 200) break;
  }
  const fmt = detectDateFormat(sample);
  if (!fmt) {
    const bad = rows.find((r) => !detectDateFormat([r.cells[dateCol] ?? ''])) ?? rows[0];
    throw new DataError(`not a date: "${bad.cells[dateCol] ?? ''}" (dates such as 2024-01-31, 20240131, 31/01/2024 or epoch seconds)`, { file, line: bad.line, field: dateName });
  }
  const format: DateFormat = fmt.format;
  const res: ParsedTime = { ms: NaN, hasZone: false };
  const ts = new Float64Array(rows.length);
  const values = new Float64Array(rows.length);
  const lines = new Int32Array(rows.length);
  const missingLines: number[] = [];
  let n = 0;
  let prevT = -Infinity;
  let prevLine = 0;
  const colName = header[col];
  for (const r of rows) {
    const dc = r.cells[dateCol] ?? '';
    if (dc === '') throw new DataError('missing date', { file, line: r.line, field: dateName });
    const t = parseTimestamp(dc, format, res).ms;
    if (t !== t) throw new DataError(`not a date: "${dc}"`, { file, line: r.line, field: dateName });
    if (!(t > prevT)) throw new DataError(`dates must increase: "${dc}" is not after the date on line ${prevLine}`, { file, line: r.line, field: dateName });
    prevT = t;
    prevLine = r.line;
    const cell = r.cells[col] ?? '';
    const v = parseValue(cell);
    if (v === undefined) throw new DataError(`not a number: "${cell}"`, { file, line: r.line, field: colName });
    if (v !== v) {
      missingLines.push(r.line);
      continue;
    }
    ts[n] = t;
    values[n] = v;
    lines[n] = r.line;
    n++;
  }
  return {
    file, column: colName, columns: valueCols.map((i) => header[i]), rows: rows.length,
    ts: ts.slice(0, n), values: values.slice(0, n), lines: lines.slice(0, n), missingLines,
  };
}

/** Returns (labelled with their row's time) from a column: as they are, or from prices. */
export function toReturns(s: SeriesColumn, prices: boolean): { ts: Float64Array; r: Float64Array } {
  if (!prices) {
    for (let i = 0; i < s.values.length; i++) {
      if (s.values[i] < -1) {
        throw new DataError(`a simple return below −100 % (${s.values[i]}): is the column in percent without a % sign, or prices (--prices)?`, { file: s.file, line: s.lines[i], field: s.column });
      }
    }
    return { ts: s.ts, r: s.values };
  }
  for (let i = 0; i < s.values.length; i++) {
    if (!(s.values[i] > 0)) throw new DataError(`a price must be positive, got ${s.values[i]}`, { file: s.file, line: s.lines[i], field: s.column });
  }
  const n = Math.max(0, s.values.length - 1);
  const r = new Float64Array(n);
  for (let i = 0; i < n; i++) r[i] = s.values[i + 1] / s.values[i] - 1;
  return { ts: s.ts.subarray(1), r };
}

// ---------------------------------------------------------------- command

const KEYS: MetricKey[] = [...METRIC_GROUPS.returns, ...METRIC_GROUPS.drawdowns, ...METRIC_GROUPS.benchmark];

export interface MetricsCommandResult {
  file: string;
  column: string;
  /** what the column holds */
  input: 'returns' | 'prices';
  /** data rows in the file */
  rows: number;
  /** returns the metrics were computed on */
  returns: number;
  from: string | null;
  to: string | null;
  /** rows whose value was missing (empty, NA, NaN …): skipped, never treated as 0 */
  skipped: { count: number; lines: number[] };
  periods_per_year: number;
  /** how periods_per_year was chosen */
  periods_rule: string;
  /** annual risk-free rate (fraction) */
  rf: number;
  benchmark: null | { file: string; column: string; input: 'returns' | 'prices'; returns: number; matched: number; skipped: { count: number; lines: number[] } };
  /** return-series, drawdown and benchmark metrics (engine/metrics.ts); non-finite values are null */
  metrics: Record<string, number | null>;
  warnings: string[];
}

const LINES_LISTED = 20;

export const metricsCommand = defineCommand({
  name: 'metrics',
  summary: 'performance metrics (Sharpe, Sortino, drawdowns, VaR, alpha/beta …) of a return or price series in a CSV file',
  description:
    'The file has a header, a date column and value columns; the first numeric column is used unless --column. Values are simple returns as fractions (or with a % sign); --prices: prices or equity, returns computed from them.\n' +
    'Empty cells (and NA, NaN, null) are missing values: those rows are skipped, not read as 0, and reported (count and lines).\n' +
    'Annualisation: --periods N, else from the dates: 252 per year for daily bars (365 when weekends trade), 252 × bars per day intraday, 52 weekly, 12 monthly.\n' +
    'Conventions (empyrical): sample std (ddof 1); max_drawdown, avg_drawdown, var_95 and cvar_95 are negative fractions for losses; kurtosis is excess kurtosis; --rf is an annual rate converted per period as (1 + rf)^(1/P) − 1. --benchmark FILE adds alpha, beta, correlation, information ratio and tracking error, pairing returns by date.',
  args: () => z.object({
    returns: z.string().optional().describe('CSV file: a date column and value columns'),
    column: z.string().optional().describe('value column (default: the first numeric column)'),
    prices: z.boolean().default(false).describe('the column holds prices or equity, not returns (applies to --benchmark too)'),
    periods: z.number().positive().optional().describe('periods per year (default: from the dates, e.g. 252 for daily bars)'),
    calendar: z.enum(['equity', '24x7']).optional().describe('trading calendar for the default periods (default: 24x7 when weekends trade)'),
    rf: z.number().gt(-1).default(0).describe('annual risk-free rate as a fraction, e.g. 0.02'),
    benchmark: z.string().optional().describe('CSV file with benchmark returns (or prices with --prices), paired by date'),
    benchmarkColumn: z.string().optional().describe('value column of the benchmark file (default: the first numeric column)'),
  }),
  positional: ['returns'],
  examples: [
    'alphatrade metrics --returns strategy.csv',
    'alphatrade metrics --returns equity.csv --column equity --prices --rf 0.02 --json',
    'alphatrade metrics --returns daily.csv --benchmark spy.csv --periods 252',
  ],
  async run(ctx, a): Promise<MetricsCommandResult> {
    if (!a.returns) throw new UsageError('--returns FILE is required', 'e.g. alphatrade metrics --returns returns.csv (a date column and value columns)');
    const file = path.resolve(ctx.cwd, a.returns);
    const shown = (f: string) => path.relative(ctx.cwd, f) || f;
    const s = readSeriesCsv(file, { column: a.column, flag: '--returns' });
    const { ts, r } = toReturns(s, a.prices);
    const warnings: string[] = [];
    if (r.length < 2) warnings.push(`only ${r.length} return${r.length === 1 ? '' : 's'}: most metrics are undefined (null)`);
    if (!a.prices && s.values.length >= 5) {
      let pos = 0;
      let big = 0;
      for (const v of s.values) {
        if (v > 0) pos++;
        if (Math.abs(v) > 1) big++;
      }
      if (pos === s.values.length && big > s.values.length / 2) warnings.push(`column "${s.column}" looks like prices (all positive, mostly above 1): pass --prices to compute returns from it`);
      else if (big > 0) warnings.push(`${big} value${big === 1 ? '' : 's'} above 100 % in absolute value: returns are read as fractions (0.01 = 1 %); write 1% for a percentage`);
    }
    const info = a.periods !== undefined
      ? { periods: a.periods, rule: `given (--periods ${a.periods})` }
      : inferPeriods(ts.length >= 3 ? ts : s.ts, undefined, a.calendar);

    let bench: Float64Array | undefined;
    let benchOut: MetricsCommandResult['benchmark'] = null;
    if (a.benchmark) {
      const bfile = path.resolve(ctx.cwd, a.benchmark);
      const bs = readSeriesCsv(bfile, { column: a.benchmarkColumn, flag: '--benchmark' });
      const br = toReturns(bs, a.prices);
      const byTime = new Map<number, number>();
      for (let i = 0; i < br.r.length; i++) byTime.set(br.ts[i], br.r[i]);
      bench = new Float64Array(r.length);
      let matched = 0;
      for (let i = 0; i < r.length; i++) {
        const v = byTime.get(ts[i]);
        bench[i] = v === undefined ? NaN : v;
        if (v !== undefined) matched++;
      }
      benchOut = {
        file: shown(bfile), column: bs.column, input: a.prices ? 'prices' : 'returns', returns: br.r.length, matched,
        skipped: { count: bs.missingLines.length, lines: bs.missingLines.slice(0, LINES_LISTED) },
      };
      if (matched < r.length) warnings.push(`benchmark: ${matched} of ${r.length} returns have a benchmark return on the same date; the benchmark metrics use those ${matched}`);
      if (bs.missingLines.length) warnings.push(`benchmark: ${bs.missingLines.length} missing value${bs.missingLines.length === 1 ? '' : 's'} skipped`);
    }

    const m = computeMetrics({ returns: r, ts, periods: info.periods, rf: a.rf, benchmark: bench });
    const all = metricsJson(m);
    const metrics: Record<string, number | null> = {};
    for (const k of KEYS) metrics[k] = all[k];
    const n = ts.length;
    return {
      file: shown(file),
      column: s.column,
      input: a.prices ? 'prices' : 'returns',
      rows: s.rows,
      returns: r.length,
      from: n ? new Date(ts[0]).toISOString() : null,
      to: n ? new Date(ts[n - 1]).toISOString() : null,
      skipped: { count: s.missingLines.length, lines: s.missingLines.slice(0, LINES_LISTED) },
      periods_per_year: info.periods,
      periods_rule: info.rule,
      rf: a.rf,
      benchmark: benchOut,
      metrics,
      warnings,
    };
  },
  render: renderMetrics,
});

// ---------------------------------------------------------------- text

type Kind = 'pct' | 'ratio' | 'int' | 'days' | 'num';

const KIND: Partial<Record<MetricKey, Kind>> = {
  num_periods: 'int', periods_per_year: 'num', total_return: 'pct', annual_return: 'pct', cagr: 'pct', annual_volatility: 'pct',
  downside_risk: 'pct', best_period: 'pct', worst_period: 'pct', positive_periods_share: 'pct', positive_months_share: 'pct',
  var_95: 'pct', cvar_95: 'pct', max_drawdown: 'pct', max_drawdown_duration: 'int', max_drawdown_duration_days: 'days',
  avg_drawdown: 'pct', ulcer_index: 'pct', alpha: 'pct', tracking_error: 'pct', benchmark_total_return: 'pct',
};

const LABEL: Partial<Record<MetricKey, string>> = {
  num_periods: 'periods', periods_per_year: 'periods per year', annual_return: 'annual return (CAGR)', var_95: 'VaR 95 %',
  cvar_95: 'CVaR 95 %', max_drawdown_duration: 'max drawdown duration (bars)', max_drawdown_duration_days: 'max drawdown duration',
  kurtosis: 'kurtosis (excess)', benchmark_total_return: 'benchmark total return',
};

export function formatMetric(k: MetricKey, v: number | null | undefined): string {
  if (v === null || v === undefined || Number.isNaN(v)) return '—';
  if (v === Infinity) return '∞';
  if (v === -Infinity) return '−∞';
  switch (KIND[k] ?? 'ratio') {
    case 'pct':
      return `${(v * 100).toFixed(2)}%`;
    case 'int':
      return int(v);
    case 'days':
      return `${v.toFixed(1)} days`;
    case 'num':
      return Number(v.toPrecision(6)).toLocaleString('en-US');
    default:
      return v.toFixed(3);
  }
}

function lineList(lines: number[], count: number): string {
  return `${lines.join(', ')}${count > lines.length ? `, … (${count - lines.length} more)` : ''}`;
}

export function renderMetrics(r: MetricsCommandResult): string {
  const out: string[] = [];
  out.push(`${r.file} · column "${r.column}" (${r.input}) · ${int(r.returns)} returns${r.from ? ` · ${r.from.slice(0, 10)} → ${r.to!.slice(0, 10)}` : ''}`);
  out.push(`periods per year ${formatMetric('periods_per_year', r.periods_per_year)} (${r.periods_rule})${r.rf ? ` · risk-free ${(r.rf * 100).toFixed(2)}% a year` : ''}`);
  if (r.skipped.count) out.push(`skipped ${r.skipped.count} row${r.skipped.count === 1 ? '' : 's'} with a missing value (line${r.skipped.count === 1 ? '' : 's'} ${lineList(r.skipped.lines, r.skipped.count)})`);
  if (r.benchmark) out.push(`benchmark ${r.benchmark.file} · column "${r.benchmark.column}" · ${int(r.benchmark.matched)} of ${int(r.returns)} dates paired`);
  const groups: [string, readonly MetricKey[]][] = [
    ['returns', METRIC_GROUPS.returns.filter((k) => k !== 'num_periods' && k !== 'periods_per_year' && k !== 'cagr')],
    ['drawdowns', METRIC_GROUPS.drawdowns],
  ];
  if (r.benchmark) groups.push(['benchmark', METRIC_GROUPS.benchmark]);
  const rows: string[][] = [];
  for (const [g, keys] of groups) {
    rows.push([g, '']);
    for (const k of keys) rows.push([`  ${LABEL[k] ?? k.replace(/_/g, ' ')}`, formatMetric(k, r.metrics[k])]);
  }
  out.push('', table(['metric', 'value'], rows, ['l', 'r']));
  for (const w of r.warnings) out.push(`note: ${w}`);
  out.push('', 'drawdowns, VaR and CVaR are negative fractions (losses); — = undefined (null in --json)');
  return out.join('\n');
}
