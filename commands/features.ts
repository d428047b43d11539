/**
 * `features list` (every indicator and feature spec) and `features SYM|--data FILE` (compute named features for a
 * series, through the workspace's feature cache; print a summary and the last rows, or write CSV / Parquet).
 */
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import type PL from 'nodejs-polars';
import { z } from 'zod';
import { cachedFeatures } from '../data/features/cache.ts';
import { FEATURE_SETS } from '../data/features/default-set.ts';
import { planFeatures, type FeatureColumn, type FeatureMatrix } from '../data/features/pipeline.ts';
import { ALL_SPECS, specFeatureNames } from '../data/indicators/index.ts';
import type { IndicatorSpec } from '../data/indicators/types.ts';
import { loadFile } from '../data/loader.ts';
import { DataError, UsageError } from '../src/errors.ts';
import { parseTimeframe } from '../src/timeframe.ts';
import type { BarSeries } from '../src/types.ts';
import { checkTz, formatTs } from '../src/tz.ts';
import { storeOf } from './data.ts';
import { int, table } from './format.ts';
import { defineCommand } from './registry.ts';

const requireCjs = createRequire(import.meta.url);
let plModule: typeof PL | undefined;
/** nodejs-polars is large: loaded only when a Parquet file is written. */
function polars(): typeof PL {
  return (plModule ??= requireCjs('nodejs-polars') as typeof PL);
}

const GROUPS = ['trend', 'momentum', 'volatility', 'volume', 'statistical', 'regime', 'calendar'] as const;

// ---------------------------------------------------------------- list

export interface FeatureListEntry {
  name: string;
  group: IndicatorSpec['group'];
  description: string;
  params: { name: string; default: number; min?: number; max?: number; int?: boolean }[];
  outputs: string[];
  /** Feature names at the default parameters (one per output). */
  names: string[];
  /** Warm-up bars at the default parameters. */
  lookback: number;
  needs?: string[];
  note?: string;
}

export function listEntry(s: IndicatorSpec): FeatureListEntry {
  const e: FeatureListEntry = {
    name: s.name,
    group: s.group,
    description: s.description,
    params: s.params.map((p) => ({ ...p })),
    outputs: [...s.outputs],
    names: specFeatureNames(s),
    lookback: s.lookback(s.params.map((p) => p.default)),
  };
  if (s.needs?.length) e.needs = [...s.needs];
  if (s.note) e.note = s.note;
  return e;
}

export const featuresList = defineCommand({
  name: 'features list',
  summary: 'list every indicator and feature: parameters and defaults, outputs, warm-up, description',
  description:
    'Feature names are `${output}_${params joined by _}`, e.g. sma_20, macd_signal_12_26_9, bb_upper_20_2.5; a spec without parameters is named by its output (obv, hour_sin).\n' +
    'A bare output name means the defaults (rsi = rsi_14). Lookback is the number of leading NaN (warm-up) bars at the defaults.',
  args: () => z.object({
    group: z.enum(GROUPS).optional().describe('only this group'),
  }),
  examples: ['alphatrade features list', 'alphatrade features list --group momentum --json'],
  async run(_ctx, a) {
    const specs = ALL_SPECS.filter((s) => !a.group || s.group === a.group);
    return { count: specs.length, indicators: specs.map(listEntry) };
  },
  render: (r: { count: number; indicators: FeatureListEntry[] }) => {
    const out: string[] = [];
    for (const g of GROUPS) {
      const es = r.indicators.filter((e) => e.group === g);
      if (!es.length) continue;
      out.push(`${g} (${es.length})`);
      for (const e of es) {
        const ps = e.params.map((p) => `${p.name}=${p.default}`).join(', ');
        out.push(`  ${e.name}(${ps})  →  ${e.names.join(' ')}   [lookback ${e.lookback}${e.needs?.length ? `, needs ${e.needs.join('+')}` : ''}]`);
        out.push(`      ${e.description}`);
        if (e.note) out.push(`      note: ${e.note}`);
      }
      out.push('');
    }
    out.push(`${r.count} indicators and features; name features as OUTPUT_PARAM_PARAM (e.g. sma_50, bb_upper_20_2.5), or OUTPUT alone for the defaults`);
    return out.join('\n');
  },
});

// ---------------------------------------------------------------- compute

export interface FeaturesResult {
  symbol: string;
  timeframe: string;
  tz: string;
  source: string;
  rows: number;
  features: number;
  names: string[];
  warmup: number;
  cache: 'hit' | 'miss' | 'off';
  cacheFile: string | null;
  seconds: number;
  computeMs: number;
  out: string | null;
  precision: 'float64' | 'float32';
  benchmark: string | null;
  /** The last rows: ISO UTC timestamps and each feature's values (NaN → null in JSON). */
  tail: { timestamp: string[]; values: Record<string, number[]> };
}

/** Every output of every spec at its defaults. */
export function allFeatureNames(): string[] {
  return ALL_SPECS.flatMap((s) => specFeatureNames(s));
}

function featureNamesFor(a: { only?: string; set: string }): string[] {
  if (a.only !== undefined) {
    const names = [...new Set(a.only.split(',').map((s) => s.trim()).filter(Boolean))];
    if (!names.length) throw new UsageError('--only needs at least one feature name', 'e.g. --only sma_50,rsi_14 (alphatrade features list shows every indicator)');
    return names;
  }
  if (a.set === 'all') return allFeatureNames();
  const set = FEATURE_SETS[a.set];
  if (!set) throw new UsageError(`unknown feature set "${a.set}"`, `sets: ${[...Object.keys(FEATURE_SETS), 'all'].join(', ')}`);
  return [...set];
}

/** The matrix as a polars DataFrame: `timestamp` (datetime ms UTC) then one float column per feature. */
function toDataFrame(m: FeatureMatrix, nanAsNull: boolean): PL.DataFrame {
  const pl = polars();
  const series: PL.Series[] = [pl.Series('timestamp', m.ts).cast(pl.Int64).cast(pl.Datetime('ms', 'UTC'))];
  m.names.forEach((n, j) => series.push(pl.Series(n, m.columns[j])));
  const df = pl.DataFrame(series);
  return nanAsNull ? df.select(pl.col('timestamp'), ...m.names.map((n) => pl.col(n).fillNan(null))) : df;
}

/**
 * Write the matrix as CSV: `timestamp` (ISO 8601 UTC, e.g. 2014-12-31T00:00:00.000Z) then one column per feature;
 * NaN is an empty field; numbers in their shortest round-trip form (a Float64 value reads back exactly). Written by
 * polars (Rust): ~10× faster than formatting 12 M numbers in JS.
 */
export function writeFeaturesCsv(file: string, m: FeatureMatrix): void {
  toDataFrame(m, true).writeCSV(file, { datetimeFormat: '%Y-%m-%dT%H:%M:%S%.3fZ', nullValue: '' });
}

/** Write the matrix as Parquet: `timestamp` (datetime ms UTC) then one float column per feature (NaN kept as NaN). */
export function writeFeaturesParquet(file: string, m: FeatureMatrix): void {
  toDataFrame(m, false).writeParquet(file);
}

function tailOf(m: FeatureMatrix, n: number): FeaturesResult['tail'] {
  const lo = Math.max(0, m.rows - n);
  const timestamp: string[] = [];
  for (let i = lo; i < m.rows; i++) timestamp.push(new Date(m.ts[i]).toISOString());
  const values: Record<string, number[]> = {};
  m.names.forEach((name, j) => {
    const c: FeatureColumn = m.columns[j];
    values[name] = Array.from(c.subarray(lo, m.rows));
  });
  return { timestamp, values };
}

function loadDataFile(file: string, tz: string, cwd: string): { bars: BarSeries; source: string } {
  const abs = path.resolve(cwd, file);
  const r = loadFile(abs, { tz });
  if (r.fatal || r.series.length === 0) {
    const f = r.findings.find((x) => x.severity === 'error') ?? r.findings[0];
    throw new DataError(f ? f.message : 'no price series in the file', { file: abs, line: f?.line });
  }
  if (r.series.length > 1) throw new DataError(`the file holds ${r.series.length} series (${r.series.map((s) => s.symbol).join(', ')}): import it (alphatrade data import) and name one symbol`, { file: abs });
  return { bars: r.series[0].bars, source: path.relative(cwd, abs) || abs };
}

const tfArg = z.string().refine((s) => {
  try {
    parseTimeframe(s);
    return true;
  } catch {
    return false;
  }
}, 'not a timeframe (use 1m, 5m, 15m, 1h, 1d, 1w, 1mo)');

export const featuresCompute = defineCommand({
  name: 'features',
  summary: 'compute features for a stored symbol or a file (cached in the workspace); print the last rows or write CSV / Parquet',
  description:
    'Computes the default set (167 features; --set all: every output of every indicator at its defaults) or the features named by --only.\n' +
    'Results are cached under the workspace\'s features/ directory, keyed by the data\'s content, the feature list and the code version: a second run reads the cache.\n' +
    'CSV: a `timestamp` column (ISO 8601, UTC) then one column per feature, NaN (warm-up) as an empty field. Parquet: timestamp as datetime[ms, UTC], NaN kept.\n' +
    'Features that need a benchmark (corr_bench, beta_bench, …) are NaN without --benchmark. See: alphatrade features list',
  args: () => z.object({
    symbol: z.string().optional().describe('stored symbol (or --data FILE)'),
    data: z.string().optional().describe('compute for a price file (CSV or Parquet) instead of a stored symbol'),
    timeframe: tfArg.optional().describe('timeframe of the stored symbol (default: the finest stored)'),
    set: z.string().default('default').describe('feature set: default or all'),
    only: z.string().optional().describe('comma-separated feature names instead of the set, e.g. sma_50,rsi_7,bb_upper_20_2.5'),
    benchmark: z.string().optional().describe('stored symbol used as the benchmark (aligned by bar time)'),
    out: z.string().optional().describe('write every row to FILE.csv or FILE.parquet'),
    tail: z.number().int().nonnegative().default(5).describe('rows shown (and in --json)'),
    float32: z.boolean().default(false).describe('Float32 columns (cache and output): half the size, ~7 significant digits'),
    cache: z.boolean().default(true).describe('use the feature cache (--no-cache: compute, store nothing)'),
    refresh: z.boolean().default(false).describe('recompute and replace the cached entry'),
    tz: z.string().optional().describe('zone of naive timestamps in --data files (default: setting data.tz)'),
  }),
  positional: ['symbol'],
  examples: [
    'alphatrade features ORCL --tail 3',
    'alphatrade features ORCL --only sma_20,rsi_14,macd_hist_12_26_9 --out orcl-features.csv',
    'alphatrade features --data prices.csv --out features.parquet',
    'alphatrade features NVDA --benchmark SPY --json',
  ],
  async run(ctx, a, progress): Promise<FeaturesResult> {
    const t0 = performance.now();
    if (!a.symbol === !a.data) throw new UsageError(a.symbol ? 'give a SYMBOL or --data FILE, not both' : 'give a SYMBOL or --data FILE', 'e.g. alphatrade features ORCL, or alphatrade features --data prices.csv');
    let outFile: string | null = null;
    let outKind: 'csv' | 'parquet' | null = null;
    if (a.out) {
      outFile = path.resolve(ctx.cwd, a.out);
      const ext = path.extname(outFile).toLowerCase();
      if (ext === '.csv') outKind = 'csv';
      else if (ext === '.parquet' || ext === '.pq') outKind = 'parquet';
      else throw new UsageError(`--out ${a.out}: the file name must end in .csv or .parquet`);
    }
    const names = featureNamesFor(a);
    planFeatures(names); // unknown or malformed names: a usage error before any data is read
    const ws = ctx.workspace();
    const store = storeOf(ctx);
    let bars: BarSeries;
    let source: string;
    let dataHash: string | undefined;
    if (a.symbol) {
      const info = store.info(a.symbol, a.timeframe ? parseTimeframe(a.timeframe).label : undefined);
      bars = store.load(info.symbol, info.timeframe);
      source = `${info.symbol} ${info.timeframe} (workspace)`;
      dataHash = info.contentHash;
    } else {
      const loaded = loadDataFile(a.data!, checkTz(a.tz ?? ws.config.get('data.tz')), ctx.cwd);
      bars = loaded.bars;
      source = loaded.source;
    }
    let benchmark: BarSeries | undefined;
    let benchmarkHash: string | undefined;
    if (a.benchmark) {
      const bi = store.info(a.benchmark, store.has(a.benchmark, bars.timeframe.label) ? bars.timeframe.label : undefined);
      benchmark = store.load(bi.symbol, bi.timeframe);
      benchmarkHash = bi.contentHash;
    }
    progress({ job: 'features', phase: 'compute', done: 0, total: 1 });
    const r = cachedFeatures(ws, bars, names, { benchmark, benchmarkHash, dataHash, float32: a.float32, disabled: !a.cache, refresh: a.refresh });
    progress({ job: 'features', phase: 'compute', done: 1, total: 1 });
    if (outFile) {
      fs.mkdirSync(path.dirname(outFile), { recursive: true });
      progress({ job: 'features', phase: `write ${outKind}`, done: 0, total: 1 });
      if (outKind === 'csv') writeFeaturesCsv(outFile, r.matrix);
      else writeFeaturesParquet(outFile, r.matrix);
    }
    return {
      symbol: bars.symbol,
      timeframe: bars.timeframe.label,
      tz: bars.tz,
      source,
      rows: r.matrix.rows,
      features: names.length,
      names,
      warmup: r.matrix.warmup,
      cache: a.cache ? (r.hit ? 'hit' : 'miss') : 'off',
      cacheFile: r.file,
      seconds: (performance.now() - t0) / 1000,
      computeMs: r.computeMs,
      out: outFile,
      precision: a.float32 ? 'float32' : 'float64',
      benchmark: benchmark ? `${benchmark.symbol} ${benchmark.timeframe.label}` : null,
      tail: tailOf(r.matrix, a.tail),
    };
  },
  render(r: FeaturesResult) {
    const out = [
      `${r.symbol} ${r.timeframe}: ${int(r.rows)} rows × ${r.features} features, warm-up ${r.warmup} bars, ${r.precision}${r.benchmark ? `, benchmark ${r.benchmark}` : ''}`,
      `cache ${r.cache}${r.cache === 'miss' ? ` (computed in ${(r.computeMs / 1000).toFixed(3)} s, stored)` : ''}, ${r.seconds.toFixed(3)} s in all${r.out ? `; wrote ${r.out}` : ''}`,
    ];
    const n = r.tail.timestamp.length;
    if (n > 0) {
      const shown = r.names.slice(0, 6);
      const dateOnly = parseTimeframe(r.timeframe).ms >= 86_400_000 || parseTimeframe(r.timeframe).unit === 'mo';
      const rows = r.tail.timestamp.map((t, i) => [formatTs(Date.parse(t), r.tz, dateOnly), ...shown.map((name) => fmtCell(r.tail.values[name][i]))]);
      out.push('', table(['time', ...shown], rows, ['l', ...shown.map(() => 'r' as const)]));
      if (r.names.length > shown.length) out.push(`(${shown.length} of ${r.names.length} features shown: --only NAMES to choose, --json or --out FILE for all)`);
    }
    return out.join('\n');
  },
});

function fmtCell(v: number): string {
  if (v === null || v === undefined || !Number.isFinite(v)) return 'NaN';
  const a = Math.abs(v);
  if (a !== 0 && (a >= 1e7 || a < 1e-4)) return v.toExponential(4);
  return Number(v.toPrecision(6)).toString();
}

export const FEATURE_COMMANDS = [featuresList, featuresCompute];
