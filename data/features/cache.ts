/**
 * On-disk feature cache: features/<SYMBOL>/<timeframe>-<spec hash>-<variant>-<key>.arrow in the workspace.
 *
 * Key: sha256 over the bars' content hash (store.ts contentHash: the six columns' bytes), the benchmark's content
 * hash (when the features read one), the spec hash (sha256 of the sorted canonical names, so `rsi` and `rsi_14` are
 * one entry and the order asked for does not matter), the zone (calendar features), the column precision, the
 * package version and the code hash (sha256 of the indicator and feature sources, when they are readable: changing
 * an indicator invalidates the cache without a version bump).
 *
 * File: Arrow IPC (file format, uncompressed), a float64 `ts` column then one column per canonical name (sorted),
 * schema metadata { key, warmup, rows }. Reading is zero-copy (typed arrays over the file's bytes).
 *
 * Precision: in memory the pipeline computes in Float64. By default the cache stores Float64 too, so a cache hit
 * returns exactly the values a fresh computation returns. With `float32` the columns are stored (and returned, hit
 * or miss) as Float32: half the disk and memory, ~7 significant digits (relative error ≤ 6e-8 — fine for model
 * inputs, not for reproducing prices of large cumulative series like OBV to the unit).
 *
 * When a new entry is written, older entries for the same symbol, timeframe, feature list and variant (precision, zone,
 * benchmark symbol) — earlier data or code versions — are removed, so the cache holds one version of each.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { makeTable, tableFromIPC, tableToIPC, type Table } from 'apache-arrow';
import type { BarSeries } from '../../src/types.ts';
import { PROJECT_ROOT, VERSION } from '../../src/version.ts';
import type { Workspace } from '../../src/workspace.ts';
import { contentHash } from '../store.ts';
import { canonicalFeatureName } from '../indicators/index.ts';
import { alignBenchmark, computePlan, planFeatures, type FeatureColumn, type FeatureMatrix } from './pipeline.ts';

/** Bump when the cache file layout changes. */
export const FEATURE_CACHE_FORMAT = 1;

export interface CacheOptions {
  benchmark?: BarSeries;
  /** Store and return Float32 columns (default false: Float64, exact). */
  float32?: boolean;
  /** The bars' content hash when already known (BarSetInfo.contentHash); computed otherwise. */
  dataHash?: string;
  /** The benchmark's content hash when already known. */
  benchmarkHash?: string;
  /** Ignore an existing entry and recompute (the new result is stored). */
  refresh?: boolean;
  /** Don't read or write the cache at all. */
  disabled?: boolean;
}

export interface CachedFeatures {
  matrix: FeatureMatrix;
  /** true when the matrix was read from the cache. */
  hit: boolean;
  key: string;
  /** Cache file (absolute), or null when the cache was disabled. */
  file: string | null;
  /** Milliseconds spent computing (0 on a hit) and reading / writing the cache. */
  computeMs: number;
  ioMs: number;
}

let codeHashMemo: string | undefined;
/** sha256 of the indicator and feature sources (empty string when they cannot be read, e.g. a stripped install). */
export function featureCodeHash(): string {
  if (codeHashMemo !== undefined) return codeHashMemo;
  const h = crypto.createHash('sha256');
  let any = false;
  for (const dir of ['data/indicators', 'data/features']) {
    const abs = path.join(PROJECT_ROOT, dir);
    let files: string[];
    try {
      files = fs.readdirSync(abs).filter((f) => f.endsWith('.ts') && f !== 'cache.ts').sort();
    } catch {
      continue;
    }
    for (const f of files) {
      try {
        h.update(`${dir}/${f}\n`);
        h.update(fs.readFileSync(path.join(abs, f)));
        any = true;
      } catch {
        /* unreadable: skip */
      }
    }
  }
  codeHashMemo = any ? h.digest('hex') : '';
  return codeHashMemo;
}

/** sha256 of the sorted, de-duplicated canonical names. */
export function specHash(names: readonly string[]): string {
  const canon = [...new Set(names.map(canonicalFeatureName))].sort();
  return crypto.createHash('sha256').update(JSON.stringify(canon)).digest('hex');
}

export function featureCacheKey(parts: { dataHash: string; benchmarkHash: string; specHash: string; tz: string; float32: boolean }): string {
  return crypto
    .createHash('sha256')
    .update(
      JSON.stringify({
        data: parts.dataHash,
        benchmark: parts.benchmarkHash,
        spec: parts.specHash,
        tz: parts.tz,
        precision: parts.float32 ? 'f32' : 'f64',
        version: VERSION,
        code: featureCodeHash(),
        format: FEATURE_CACHE_FORMAT,
      }),
    )
    .digest('hex');
}

function safePart(s: string): string {
  return s.replace(/[^A-Za-z0-9._-]/g, '_') || '_';
}

/**
 * Directory and file-name prefix of the entries for a symbol, timeframe, feature list and variant (precision, zone,
 * which benchmark): entries sharing a prefix differ only by data version, and a new one replaces the others.
 */
function entryPrefix(ws: Workspace, bars: BarSeries, spec: string, variant: string): { dir: string; prefix: string } {
  const v = crypto.createHash('sha256').update(variant).digest('hex').slice(0, 8);
  return { dir: ws.path('features', safePart(bars.symbol || 'UNNAMED')), prefix: `${safePart(bars.timeframe?.label ?? 'bars')}-${spec.slice(0, 16)}-${v}-` };
}

/** Read an entry; undefined when missing, unreadable or not what the key promises (then it is recomputed). */
function readEntry(file: string, key: string, canon: string[], rows: number, float32: boolean): Map<string, FeatureColumn> | undefined {
  let buf: Buffer;
  try {
    buf = fs.readFileSync(file);
  } catch {
    return undefined;
  }
  let table: Table;
  try {
    table = tableFromIPC(buf);
  } catch {
    return undefined;
  }
  if (table.schema.metadata.get('key') !== key || table.numRows !== rows) return undefined;
  const cols = new Map<string, FeatureColumn>();
  for (const name of canon) {
    const v = table.getChild(name);
    if (!v) return undefined;
    const a = v.toArray();
    if (float32 ? !(a instanceof Float32Array) : !(a instanceof Float64Array)) return undefined;
    cols.set(name, a as FeatureColumn);
  }
  return cols;
}

function writeEntry(dir: string, prefix: string, file: string, key: string, ts: Float64Array, canon: string[], cols: Map<string, FeatureColumn>, warmup: number): void {
  fs.mkdirSync(dir, { recursive: true });
  const data: Record<string, FeatureColumn> = { ts };
  for (const n of canon) data[n] = cols.get(n)!;
  const table = makeTable(data);
  table.schema.metadata.set('key', key);
  table.schema.metadata.set('warmup', String(warmup));
  table.schema.metadata.set('rows', String(ts.length));
  const bytes = tableToIPC(table, 'file');
  const tmp = `${file}.${process.pid}.${Math.random().toString(36).slice(2, 8)}.tmp`;
  fs.writeFileSync(tmp, bytes);
  fs.renameSync(tmp, file);
  // older data versions of the same (symbol, timeframe, feature list)
  for (const f of fs.readdirSync(dir)) {
    if (f.startsWith(prefix) && f.endsWith('.arrow') && path.join(dir, f) !== file) fs.rmSync(path.join(dir, f), { force: true });
  }
}

/**
 * Features for a series through the workspace cache: read when an entry with the same key exists, else computed
 * (computeFeatures semantics) and stored. A cache that cannot be written (read-only workspace, full disk) only costs
 * the write: the computed matrix is returned.
 */
export function cachedFeatures(ws: Workspace, bars: BarSeries, names: readonly string[], opts: CacheOptions = {}): CachedFeatures {
  const plan = planFeatures(names);
  const float32 = opts.float32 ?? false;
  const benchmarkClose = plan.needsBenchmark && opts.benchmark ? alignBenchmark(bars.ts, opts.benchmark) : undefined;
  const compute = (): { matrix: FeatureMatrix; ms: number } => {
    const t0 = performance.now();
    const matrix = computePlan(bars, plan, benchmarkClose, float32);
    return { matrix, ms: performance.now() - t0 };
  };
  if (opts.disabled) {
    const c = compute();
    return { matrix: c.matrix, hit: false, key: '', file: null, computeMs: c.ms, ioMs: 0 };
  }
  const t0 = performance.now();
  const canonOf = plan.parsed.map((p) => p.canonical);
  const canon = [...new Set(canonOf)].sort();
  const sh = crypto.createHash('sha256').update(JSON.stringify(canon)).digest('hex');
  const key = featureCacheKey({
    dataHash: opts.dataHash ?? contentHash(bars),
    benchmarkHash: plan.needsBenchmark && opts.benchmark ? (opts.benchmarkHash ?? contentHash(opts.benchmark)) : '',
    specHash: sh,
    tz: bars.tz,
    float32,
  });
  const bench = plan.needsBenchmark && opts.benchmark ? `${opts.benchmark.symbol}/${opts.benchmark.timeframe?.label ?? ''}` : '';
  const { dir, prefix } = entryPrefix(ws, bars, sh, JSON.stringify([float32, bars.tz, bench]));
  const file = path.join(dir, `${prefix}${key.slice(0, 32)}.arrow`);
  const rows = bars.ts.length;
  if (!opts.refresh) {
    const cols = readEntry(file, key, canon, rows, float32);
    if (cols) {
      const matrix: FeatureMatrix = { names: plan.names, columns: canonOf.map((c) => cols.get(c)!), ts: bars.ts, warmup: plan.warmup, rows };
      return { matrix, hit: true, key, file, computeMs: 0, ioMs: performance.now() - t0 };
    }
  }
  const hashMs = performance.now() - t0;
  const c = compute();
  const t1 = performance.now();
  const byCanon = new Map<string, FeatureColumn>();
  canonOf.forEach((n, i) => byCanon.set(n, c.matrix.columns[i]));
  try {
    writeEntry(dir, prefix, file, key, bars.ts, canon, byCanon, plan.warmup);
  } catch (e) {
    ws.log.warn({ err: (e as Error).message, file }, 'feature cache: cannot write entry');
  }
  return { matrix: c.matrix, hit: false, key, file, computeMs: c.ms, ioMs: hashMs + performance.now() - t1 };
}
