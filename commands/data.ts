import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { countBySeverity, formatFinding, type Finding } from '../data/findings.ts';
import { importData, type ImportReport } from '../data/importer.ts';
import { resample } from '../data/resample.ts';
import { BarStore, type BarSetInfo } from '../data/store.ts';
import { generateUniverse, toCsv } from '../data/synthetic.ts';
import { detectDateFormat, parseTimestamp } from '../data/timeparse.ts';
import { UsageError } from '../src/errors.ts';
import { parseTimeframe } from '../src/timeframe.ts';
import { lowerBound } from '../src/types.ts';
import { checkTz, formatTs, wallToUtc } from '../src/tz.ts';
import { int, price, table, ts } from './format.ts';
import { defineCommand, type CommandContext } from './registry.ts';

const stores = new WeakMap<object, BarStore>();
export function storeOf(ctx: CommandContext): BarStore {
  const ws = ctx.workspace();
  let s = stores.get(ws);
  if (!s) {
    s = new BarStore(ws);
    stores.set(ws, s);
  }
  return s;
}

const tfArg = z.string().refine((s) => {
  try {
    parseTimeframe(s);
    return true;
  } catch {
    return false;
  }
}, 'not a timeframe (use 1m, 5m, 15m, 1h, 1d, 1w, 1mo)');

/** Parse a --from/--to date in the given zone. */
export function parseDateArg(s: string, tz: string, flag: string): number {
  const det = detectDateFormat([s]);
  const res = { ms: NaN, hasZone: false };
  if (det) parseTimestamp(s, det.format, res);
  if (!det || Number.isNaN(res.ms)) throw new UsageError(`${flag}: "${s}" is not a date (use YYYY-MM-DD or "YYYY-MM-DD HH:MM")`);
  return res.hasZone ? res.ms : wallToUtc(res.ms, tz);
}

// ---------------------------------------------------------------- import

export const dataImport = defineCommand({
  name: 'data import',
  summary: 'import price files (CSV or Parquet; a file or a directory), validated and stored',
  description:
    'Reads CSV (any column order, case-insensitive headers, date and time in one column or two; ISO, YYYYMMDD, DD/MM/YYYY or epoch timestamps) and Parquet.\n' +
    'Infers the symbol from the file name and the timeframe from the bar spacing when not given, and says so.\n' +
    'Errors fail the whole import (nothing is stored) unless --on-error drop|fix; every dropped or changed row is listed in the report.',
  args: () => z.object({
    paths: z.array(z.string()).min(1).describe('files or directories to import'),
    symbol: z.string().optional().describe('symbol name (one file only)'),
    timeframe: tfArg.optional().describe('bar timeframe, e.g. 1m 5m 15m 1h 1d (inferred when omitted)'),
    tz: z.string().optional().describe('time zone of naive timestamps (default: setting data.tz, UTC)'),
    adjust: z.boolean().default(false).describe('apply Adj Close ratios to OHLC (and the inverse to volume)'),
    onError: z.enum(['fail', 'drop', 'fix']).optional().describe('rows with errors: fail the import, drop them, or fix what can be fixed (default: setting data.onError)'),
    dateFormat: z.enum(['iso', 'ymd8', 'dmy', 'mdy', 'epoch_s', 'epoch_ms']).optional().describe('timestamp format when detection cannot tell'),
    showFindings: z.number().int().nonnegative().default(20).describe('findings listed per file in the text report (all are in --json and the catalog)'),
  }),
  positional: ['paths'],
  examples: ['alphatrade data import ../shared/data/backtrader/nvda-1999-2014.txt --adjust', 'alphatrade data import prices/ --tz America/New_York --on-error fix --json'],
  async run(ctx, a, progress) {
    const ws = ctx.workspace();
    const tz = checkTz(a.tz ?? ws.config.get('data.tz'));
    return importData(ws, storeOf(ctx), {
      paths: a.paths, symbol: a.symbol, timeframe: a.timeframe ? parseTimeframe(a.timeframe) : undefined, tz, adjust: a.adjust,
      onError: a.onError ?? ws.config.get('data.onError'), dateFormat: a.dateFormat, spikeSigma: ws.config.get('data.spikeSigma'), signal: ctx.signal,
    }, progress, ctx.cwd);
  },
  render: (r: ImportReport, a) => renderImport(r, a.showFindings),
  exitCode: (r: ImportReport) => (r.status === 'ok' ? 0 : 1),
});

export function renderImport(r: ImportReport, perFile = 20): string {
  const out: string[] = [];
  for (const f of r.files) {
    out.push(`${f.status === 'ok' ? '✓' : '✗'} ${f.file}  (${f.format}, ${f.kind.replace('_', ' ')})`);
    for (const n of f.notes) out.push(`    · ${n}`);
    for (const s of f.series) {
      out.push(`    ${s.symbol} ${s.timeframe}: ${int(s.rowsIn)} rows read, ${int(s.rowsStored)} stored${s.dropped ? `, ${int(s.dropped)} dropped` : ''}${s.fixed ? `, ${int(s.fixed)} fixed` : ''}, ${ts(s.firstTs, r.tz)} → ${ts(s.lastTs, r.tz)}${s.adjusted ? ', adjusted' : ', not adjusted'}`);
      out.push(`      ${s.timeframeNote}`);
    }
    const c = countBySeverity(f.findings);
    if (f.findings.length) {
      out.push(`    findings: ${c.error} error, ${c.warning} warning, ${c.info} info`);
      const order = { error: 0, warning: 1, info: 2 } as const;
      const sorted = [...f.findings].sort((x, y) => order[x.severity] - order[y.severity] || (x.line ?? 0) - (y.line ?? 0));
      for (const x of sorted.slice(0, perFile)) out.push(`      ${formatFinding(x)}`);
      if (sorted.length > perFile) out.push(`      … ${sorted.length - perFile} more (all in --json and in: alphatrade data show SYMBOL --findings)`);
    }
  }
  out.push('', `${r.status === 'ok' ? '' : 'FAILED: '}${r.message} in ${(r.durationMs / 1000).toFixed(2)} s (import #${r.id}, on-error ${r.onError}, tz ${r.tz})`);
  return out.join('\n');
}

// ---------------------------------------------------------------- list

export const dataList = defineCommand({
  name: 'data list',
  summary: 'list stored symbols and timeframes',
  args: () => z.object({ symbol: z.string().optional().describe('only this symbol') }),
  positional: ['symbol'],
  async run(ctx, a) {
    const sets = storeOf(ctx).list();
    return { sets: a.symbol ? sets.filter((s) => s.symbol === a.symbol!.toUpperCase()) : sets };
  },
  render: (r: { sets: BarSetInfo[] }) =>
    r.sets.length === 0
      ? 'no data yet: alphatrade data import FILE (or alphatrade data generate)'
      : table(
          ['symbol', 'tf', 'bars', 'first', 'last', 'adj', 'source'],
          r.sets.map((s) => [s.symbol, s.timeframe, int(s.rows), ts(s.firstTs, s.tz), ts(s.lastTs, s.tz), s.adjusted ? 'yes' : 'no', s.sourceFile ?? '—']),
          ['l', 'l', 'r', 'l', 'l', 'l', 'l'],
        ),
});

// ---------------------------------------------------------------- show

export interface ShowResult {
  info: BarSetInfo;
  range: { from: number | null; to: number | null; rows: number };
  bars: { ts: number; open: number; high: number; low: number; close: number; volume: number }[];
  findings: Finding[];
  findingCount: number;
  importId: number | null;
}

export const dataShow = defineCommand({
  name: 'data show',
  summary: 'show a symbol: metadata, bars, and what its import changed',
  args: () => z.object({
    symbol: z.string().describe('symbol'),
    timeframe: tfArg.optional().describe('timeframe (default: the finest stored)'),
    from: z.string().optional().describe('first bar time, YYYY-MM-DD[ HH:MM] in the symbol\'s zone'),
    to: z.string().optional().describe('last bar time (inclusive)'),
    tail: z.number().int().positive().optional().describe('show the last N bars (default 10 without --from/--to)'),
    head: z.number().int().positive().optional().describe('show the first N bars'),
    findings: z.boolean().default(false).describe('list every finding of the import that stored these bars'),
  }),
  positional: ['symbol'],
  async run(ctx, a): Promise<ShowResult> {
    const store = storeOf(ctx);
    const info = store.info(a.symbol, a.timeframe ? parseTimeframe(a.timeframe).label : undefined);
    const bars = store.load(info.symbol, info.timeframe);
    let lo = 0;
    let hi = bars.ts.length;
    if (a.from) lo = lowerBound(bars.ts, parseDateArg(a.from, info.tz, '--from'));
    if (a.to) {
      const t = parseDateArg(a.to, info.tz, '--to');
      hi = lowerBound(bars.ts, t + (a.to.trim().length <= 10 ? 86_400_000 : 1));
    }
    if (a.head) hi = Math.min(hi, lo + a.head);
    else if (a.tail || (!a.from && !a.to)) lo = Math.max(lo, hi - (a.tail ?? 10));
    const rows = [];
    for (let i = lo; i < hi; i++) rows.push({ ts: bars.ts[i], open: bars.open[i], high: bars.high[i], low: bars.low[i], close: bars.close[i], volume: bars.volume[i] });
    const { findings: clean } = store.findingsOf(info);
    return { info, range: { from: rows[0]?.ts ?? null, to: rows.at(-1)?.ts ?? null, rows: hi - lo }, bars: rows, findings: a.findings ? clean : clean.filter((f) => f.action === 'dropped' || f.action === 'fixed').slice(0, 50), findingCount: clean.length, importId: info.importId };
  },
  render(r: ShowResult) {
    const i = r.info;
    const dateOnly = parseTimeframe(i.timeframe).ms >= 86_400_000 || parseTimeframe(i.timeframe).unit === 'mo';
    const out = [
      `${i.symbol} ${i.timeframe}  ${int(i.rows)} bars  ${ts(i.firstTs, i.tz)} → ${ts(i.lastTs, i.tz)}  tz ${i.tz}`,
      `source ${i.sourceFile ?? '—'}  ${i.adjusted ? 'adjusted' : 'not adjusted'}  hash ${i.contentHash.slice(0, 16)}  import #${i.importId ?? '—'}`,
      '',
      table(['time', 'open', 'high', 'low', 'close', 'volume'], r.bars.map((b) => [formatTs(b.ts, i.tz, dateOnly), price(b.open), price(b.high), price(b.low), price(b.close), Number.isNaN(b.volume) ? '—' : int(b.volume)]), ['l', 'r', 'r', 'r', 'r', 'r']),
    ];
    if (r.findingCount) {
      out.push('', `import #${r.importId}: ${r.findingCount} finding${r.findingCount === 1 ? '' : 's'}${r.findings.length < r.findingCount ? ` (rows dropped or fixed shown; --findings for all)` : ''}`);
      for (const f of r.findings) out.push(`  ${formatFinding(f)}`);
    }
    return out.join('\n');
  },
});

// ---------------------------------------------------------------- resample

export const dataResample = defineCommand({
  name: 'data resample',
  summary: 'aggregate a stored symbol to a coarser timeframe and store it',
  description: 'open = first, high = max, low = min, close = last, volume = sum; bars are labelled by their start; no bar spans a local day boundary.',
  args: () => z.object({
    symbol: z.string().describe('symbol'),
    to: tfArg.describe('target timeframe, e.g. 15m 1h 1d 1w 1mo'),
    from: tfArg.optional().describe('source timeframe (default: the finest stored)'),
  }),
  positional: ['symbol'],
  async run(ctx, a, progress) {
    const store = storeOf(ctx);
    const info = store.info(a.symbol, a.from ? parseTimeframe(a.from).label : undefined);
    const src = store.load(info.symbol, info.timeframe);
    progress({ job: 'resample', phase: 'aggregate', done: 0, total: 1 });
    const out = resample(src, parseTimeframe(a.to));
    const batch = store.batch();
    const hash = batch.put(out, { sourceFile: `resample of ${info.symbol} ${info.timeframe}`, adjusted: info.adjusted, importId: info.importId });
    batch.commit();
    return { symbol: out.symbol, from: info.timeframe, to: out.timeframe.label, rowsIn: src.ts.length, rowsOut: out.ts.length, firstTs: out.ts[0] ?? null, lastTs: out.ts.at(-1) ?? null, contentHash: hash, tz: out.tz };
  },
  render: (r) => `${r.symbol}: ${int(r.rowsIn)} ${r.from} bars → ${int(r.rowsOut)} ${r.to} bars (${ts(r.firstTs, r.tz)} → ${ts(r.lastTs, r.tz)}), stored`,
});

// ---------------------------------------------------------------- delete

export const dataDelete = defineCommand({
  name: 'data delete',
  summary: 'delete a stored symbol (all timeframes, or one)',
  args: () => z.object({ symbol: z.string().describe('symbol'), timeframe: tfArg.optional().describe('only this timeframe') }),
  positional: ['symbol'],
  async run(ctx, a) {
    const removed = storeOf(ctx).delete(a.symbol, a.timeframe ? parseTimeframe(a.timeframe).label : undefined);
    return { removed: removed.map((s) => ({ symbol: s.symbol, timeframe: s.timeframe, rows: s.rows })) };
  },
  render: (r) => r.removed.map((s) => `deleted ${s.symbol} ${s.timeframe} (${int(s.rows)} bars)`).join('\n'),
});

// ---------------------------------------------------------------- generate

export const dataGenerate = defineCommand({
  name: 'data generate',
  summary: 'generate a seeded synthetic universe (volatility clustering, regimes, fat tails, intraday volume U-shape)',
  args: () => z.object({
    symbols: z.number().int().positive().max(10_000).default(10).describe('number of symbols'),
    bars: z.number().int().positive().max(10_000_000).default(10_000).describe('bars per symbol'),
    timeframe: tfArg.default('15m').describe('bar timeframe'),
    seed: z.number().int().nonnegative().default(42).describe('random seed (same seed, same data)'),
    out: z.string().optional().describe('write CSV files to this directory instead of storing (for import tests and benchmarks)'),
  }),
  examples: ['alphatrade data generate --symbols 46 --bars 72000 --timeframe 15m --seed 7'],
  async run(ctx, a, progress) {
    const tf = parseTimeframe(a.timeframe);
    const t0 = performance.now();
    const universe = generateUniverse({ symbols: a.symbols, bars: a.bars, timeframe: tf, seed: a.seed }, (done, total) => progress({ job: 'generate', phase: 'generate', done, total }));
    const symbols = universe.map((s) => s.symbol);
    if (a.out) {
      const dir = path.resolve(ctx.cwd, a.out);
      fs.mkdirSync(dir, { recursive: true });
      universe.forEach((s, i) => {
        fs.writeFileSync(path.join(dir, `${s.symbol}.csv`), toCsv(s));
        progress({ job: 'generate', phase: 'write csv', done: i + 1, total: universe.length });
      });
      return { symbols, bars: a.bars, timeframe: tf.label, seed: a.seed, stored: false, out: dir, seconds: (performance.now() - t0) / 1000 };
    }
    const store = storeOf(ctx);
    const batch = store.batch();
    for (const s of universe) batch.put(s, { sourceFile: `synthetic seed ${a.seed}` });
    batch.commit();
    return { symbols, bars: a.bars, timeframe: tf.label, seed: a.seed, stored: true, out: null, seconds: (performance.now() - t0) / 1000 };
  },
  render: (r) => `${r.symbols.length} symbols × ${int(r.bars)} ${r.timeframe} bars (seed ${r.seed}) ${r.stored ? 'stored in the workspace' : `written to ${r.out}`} in ${r.seconds.toFixed(2)} s`,
});

export interface FetchOutput {
  source: 'alpaca';
  timeframe: string;
  symbols: { symbol: string; bars: number; first: string | null; last: string | null; findings: number; errors: number; stored: boolean }[];
  findings: { symbol: string; rule: string; severity: string; row?: number; message: string }[];
}

export const dataFetch = defineCommand({
  name: 'data fetch',
  summary: 'fetch historical bars from Alpaca’s market-data API into the store (validated like an import)',
  description:
    'Keys from APCA_API_KEY_ID / APCA_API_SECRET_KEY; the data host from --data-url or APCA_API_DATA_URL (default Alpaca’s). Requests follow Alpaca’s 200/minute limit with backoff on 429. Every fetched series goes through the import validation rules; a series with errors is not stored and the findings say why (symbol, bar, field).',
  args: () =>
    z.object({
      source: z.enum(['alpaca']).default('alpaca').describe('alpaca'),
      symbols: z.string().describe('symbols A,B,…'),
      timeframe: z.string().default('1d').describe('1m…59m, 1h…23h, 1d, 1w'),
      from: z.string().describe('first day, YYYY-MM-DD'),
      to: z.string().optional().describe('last day (default: now)'),
      feed: z.string().optional().describe('iex or sip (your Alpaca data plan)'),
      tz: z.string().default('America/New_York').describe('the exchange’s zone (sessions and days)'),
      dataUrl: z.string().optional().describe('market-data base URL (default APCA_API_DATA_URL or Alpaca’s)'),
    }),
  examples: ['alphatrade data fetch --source alpaca --symbols AAPL,MSFT --timeframe 1d --from 2020-01-01'],
  async run(ctx, a, progress): Promise<FetchOutput> {
    checkTz(a.tz);
    const tf = parseTimeframe(a.timeframe);
    const symbols = a.symbols.split(',').map((x) => x.trim().toUpperCase()).filter(Boolean);
    const day = (x: string, flag: string) => {
      const t = Date.parse(`${x}T00:00:00Z`);
      if (!/^\d{4}-\d\d-\d\d$/.test(x) || !Number.isFinite(t)) throw new UsageError(`${flag} takes YYYY-MM-DD, got '${x}'`);
      return new Date(t);
    };
    const start = day(a.from, '--from');
    const end = a.to ? new Date(day(a.to, '--to').getTime() + 86_400_000 - 1) : undefined;
    const { AlpacaBroker } = await import('../engine/live/alpaca.ts');
    let b: InstanceType<typeof AlpacaBroker>;
    try {
      b = new AlpacaBroker({ env: ctx.env, dataUrl: a.dataUrl });
    } catch (e) {
      throw new UsageError((e as Error).message);
    }
    progress({ job: 'fetch', phase: 'alpaca', done: 0, total: symbols.length });
    const got = await b.bars(symbols, tf.label, start, end, a.feed);
    const { validateBars } = await import('../data/validate.ts');
    const store = storeOf(ctx);
    const batch = store.batch();
    const out: FetchOutput = { source: 'alpaca', timeframe: tf.label, symbols: [], findings: [] };
    for (const sym of symbols) {
      const c = got.get(sym)!;
      const f = (x: number[]) => Float64Array.from(x);
      const bars = { symbol: sym, timeframe: tf, tz: a.tz, ts: f(c.ts), open: f(c.open), high: f(c.high), low: f(c.low), close: f(c.close), volume: f(c.volume) };
      const findings = c.ts.length ? validateBars({ file: `alpaca:${sym}`, bars, lines: Int32Array.from(c.ts, (_, i) => i + 1), volumeKnown: true }) : [];
      const errors = findings.filter((x) => x.severity === 'error').length;
      const ok = c.ts.length > 0 && errors === 0;
      if (ok) batch.put(bars, { sourceFile: `alpaca ${tf.label} ${a.from}${a.to ? `..${a.to}` : ''}${a.feed ? ` ${a.feed}` : ''}` });
      out.symbols.push({ symbol: sym, bars: c.ts.length, first: c.ts.length ? new Date(c.ts[0]).toISOString() : null, last: c.ts.length ? new Date(c.ts[c.ts.length - 1]).toISOString() : null, findings: findings.length, errors, stored: ok });
      for (const x of findings.slice(0, 50)) out.findings.push({ symbol: sym, rule: x.rule, severity: x.severity, row: x.row, message: x.message });
    }
    batch.commit();
    return out;
  },
  render: (r: FetchOutput) =>
    [
      ...r.symbols.map((s) => `${s.symbol.padEnd(8)} ${int(s.bars).padStart(8)} ${r.timeframe} bars  ${s.first?.slice(0, 10) ?? '—'} → ${s.last?.slice(0, 10) ?? '—'}  ${s.stored ? 'stored' : s.bars ? `not stored: ${s.errors} error(s)` : 'no bars'}${s.findings ? ` · ${s.findings} finding(s)` : ''}`),
      ...r.findings.slice(0, 10).map((f) => `  ${f.symbol} row ${f.row ?? '—'} ${f.rule} (${f.severity}): ${f.message}`),
    ].join('\n'),
});

export const DATA_COMMANDS = [dataImport, dataList, dataShow, dataResample, dataDelete, dataGenerate, dataFetch];
