/**
 * The bar store: Arrow IPC files under bars/<SYMBOL>/<timeframe>.arrow, indexed by the catalog's bar_sets table,
 * with an in-memory LRU cache in front (capacity counted in bars).
 *
 * Writes are atomic across a whole import: every new file is written to a temporary name first; then, in one
 * catalog transaction, the rows are upserted and the files renamed into place (old files kept aside until the
 * transaction commits). Any failure restores the previous files and catalog rows.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { NotFoundError, UsageError, nearest } from '../src/errors.ts';
import { parseTimeframe } from '../src/timeframe.ts';
import { BAR_FIELDS, type BarSeries } from '../src/types.ts';
import type { Workspace } from '../src/workspace.ts';
import { encodeBars, readBarFile } from './arrow.ts';
import type { Finding } from './findings.ts';

export interface BarSetInfo {
  symbol: string;
  timeframe: string;
  rows: number;
  firstTs: number | null;
  lastTs: number | null;
  contentHash: string;
  path: string;
  sourceFile: string | null;
  adjusted: boolean;
  tz: string;
  importId: number | null;
  updatedAt: string;
}

interface Row {
  symbol: string;
  timeframe: string;
  rows: number;
  first_ts: number | null;
  last_ts: number | null;
  content_hash: string;
  path: string;
  source_file: string | null;
  adjusted: number;
  tz: string;
  import_id: number | null;
  updated_at: string;
}

const toInfo = (r: Row): BarSetInfo => ({
  symbol: r.symbol,
  timeframe: r.timeframe,
  rows: r.rows,
  firstTs: r.first_ts,
  lastTs: r.last_ts,
  contentHash: r.content_hash,
  path: r.path,
  sourceFile: r.source_file,
  adjusted: !!r.adjusted,
  tz: r.tz,
  importId: r.import_id,
  updatedAt: r.updated_at,
});

/** SHA-256 over the six columns' bytes: identical bars give identical hashes whatever file they came from. */
export function contentHash(bars: BarSeries): string {
  const h = crypto.createHash('sha256');
  for (const f of BAR_FIELDS) {
    const a = bars[f];
    h.update(new Uint8Array(a.buffer, a.byteOffset, a.byteLength));
  }
  return h.digest('hex');
}

export interface PutMeta {
  sourceFile?: string;
  adjusted?: boolean;
  importId?: number | null;
}

class LruCache {
  private map = new Map<string, { hash: string; bars: BarSeries; size: number }>();
  private total = 0;
  constructor(private capacity: number) {}
  get(key: string, hash: string): BarSeries | undefined {
    const e = this.map.get(key);
    if (!e) return undefined;
    if (e.hash !== hash) {
      this.delete(key);
      return undefined;
    }
    this.map.delete(key);
    this.map.set(key, e);
    return e.bars;
  }
  set(key: string, hash: string, bars: BarSeries): void {
    this.delete(key);
    const size = bars.ts.length;
    if (size > this.capacity) return;
    this.map.set(key, { hash, bars, size });
    this.total += size;
    while (this.total > this.capacity) {
      const oldest = this.map.keys().next().value as string;
      this.delete(oldest);
    }
  }
  delete(key: string): void {
    const e = this.map.get(key);
    if (e) {
      this.total -= e.size;
      this.map.delete(key);
    }
  }
  clear(): void {
    this.map.clear();
    this.total = 0;
  }
  get size(): number {
    return this.total;
  }
}

export class BarStore {
  private cache: LruCache;
  constructor(readonly ws: Workspace) {
    this.cache = new LruCache(ws.config.get('data.cacheBars'));
  }

  list(): BarSetInfo[] {
    return (this.ws.db.prepare('SELECT * FROM bar_sets ORDER BY symbol, timeframe').all() as Row[]).map(toInfo);
  }

  symbols(): string[] {
    return (this.ws.db.prepare('SELECT DISTINCT symbol FROM bar_sets ORDER BY symbol').all() as { symbol: string }[]).map((r) => r.symbol);
  }

  /** The bar set for symbol (and timeframe; when omitted, the finest stored one). Throws NotFoundError with a suggestion. */
  info(symbol: string, timeframe?: string): BarSetInfo {
    const sym = symbol.toUpperCase();
    const rows = (this.ws.db.prepare('SELECT * FROM bar_sets WHERE symbol = ?').all(sym) as Row[]).map(toInfo);
    if (rows.length === 0) {
      const near = nearest(sym, this.symbols());
      throw new NotFoundError(`no data for symbol ${sym}`, near ? `did you mean ${near}?` : 'import some with: alphatrade data import FILE');
    }
    if (!timeframe) {
      rows.sort((a, b) => tfOrder(a.timeframe) - tfOrder(b.timeframe));
      return rows[0];
    }
    const tf = parseTimeframe(timeframe).label;
    const hit = rows.find((r) => r.timeframe === tf);
    if (!hit) throw new NotFoundError(`no ${tf} bars for ${sym}`, `stored timeframes: ${rows.map((r) => r.timeframe).join(', ')}`);
    return hit;
  }

  has(symbol: string, timeframe: string): boolean {
    return !!this.ws.db.prepare('SELECT 1 FROM bar_sets WHERE symbol = ? AND timeframe = ?').get(symbol.toUpperCase(), timeframe);
  }

  load(symbol: string, timeframe?: string): BarSeries {
    const info = this.info(symbol, timeframe);
    const key = `${info.symbol}/${info.timeframe}`;
    const hit = this.cache.get(key, info.contentHash);
    if (hit) return hit;
    const bars = readBarFile(this.ws.path(info.path), info.symbol, parseTimeframe(info.timeframe), info.tz);
    this.cache.set(key, info.contentHash, bars);
    return bars;
  }

  get cachedBars(): number {
    return this.cache.size;
  }

  clearCache(): void {
    this.cache.clear();
  }

  relPath(symbol: string, tf: string): string {
    return path.join('bars', symbol, `${tf}.arrow`);
  }

  /** Start an atomic batch of writes. */
  batch(): StoreBatch {
    return new StoreBatch(this);
  }

  /** Remove a symbol (all timeframes, or one). Returns the removed sets. */
  delete(symbol: string, timeframe?: string): BarSetInfo[] {
    const sym = symbol.toUpperCase();
    const sets = timeframe ? [this.info(sym, timeframe)] : this.list().filter((s) => s.symbol === sym);
    if (sets.length === 0) this.info(sym); // throws NotFoundError with a suggestion
    const del = this.ws.db.prepare('DELETE FROM bar_sets WHERE symbol = ? AND timeframe = ?');
    this.ws.db.transaction(() => {
      for (const s of sets) del.run(s.symbol, s.timeframe);
    })();
    for (const s of sets) {
      fs.rmSync(this.ws.path(s.path), { force: true });
      this.cache.delete(`${s.symbol}/${s.timeframe}`);
    }
    try {
      fs.rmdirSync(this.ws.path('bars', sym));
    } catch {
      /* not empty or absent */
    }
    return sets;
  }

  /** The findings of the import that stored a bar set: errors first, then by line; at most `limit`, and the total. */
  findingsOf(info: BarSetInfo, limit = -1): { findings: Finding[]; count: number } {
    if (info.importId === null) return { findings: [], count: 0 };
    const where = 'WHERE import_id = ? AND (symbol = ? OR symbol IS NULL)';
    const rows = this.ws.db
      .prepare(`SELECT rule, severity, file, line, field, message, action, fixed_to AS fixedTo FROM import_findings ${where}
        ORDER BY CASE severity WHEN 'error' THEN 0 WHEN 'warning' THEN 1 ELSE 2 END, line LIMIT ?`)
      .all(info.importId, info.symbol, limit) as Record<string, unknown>[];
    const count = (this.ws.db.prepare(`SELECT COUNT(*) AS n FROM import_findings ${where}`).get(info.importId, info.symbol) as { n: number }).n;
    // SQL NULLs become absent fields, as in a Finding made in memory.
    const findings = rows.map((r) => Object.fromEntries(Object.entries(r).filter(([, v]) => v !== null)) as unknown as Finding);
    return { findings, count };
  }

  invalidate(symbol: string, timeframe: string): void {
    this.cache.delete(`${symbol}/${timeframe}`);
  }
}

function tfOrder(label: string): number {
  const tf = parseTimeframe(label);
  return tf.unit === 'tick' ? 0 : tf.ms;
}

/** A bar file written to a temporary path, waiting for commit(). */
export interface StagedFile {
  tmp: string;
  symbol: string;
  timeframe: string;
  rows: number;
  firstTs: number | null;
  lastTs: number | null;
  hash: string;
  tz: string;
  meta: PutMeta;
}

export class StoreBatch {
  private staged: StagedFile[] = [];
  private done = false;
  constructor(private store: BarStore) {}

  private check(symbol: string, tf: string): void {
    if (this.done) throw new UsageError('batch already finished');
    if (this.staged.some((s) => s.symbol === symbol && s.timeframe === tf)) {
      throw new UsageError(`${symbol} ${tf} appears twice in one import; import the files separately or give distinct --symbol names`);
    }
  }

  /** Write the bars to a temporary file; nothing is visible until commit(). */
  put(bars: BarSeries, meta: PutMeta = {}): string {
    const tf = bars.timeframe.label;
    this.check(bars.symbol, tf);
    const ws = this.store.ws;
    const tmp = ws.path('tmp', `${bars.symbol}.${tf}.${process.pid}.${Date.now()}.${this.staged.length}.arrow`);
    fs.writeFileSync(tmp, encodeBars(bars));
    const hash = contentHash(bars);
    const n = bars.ts.length;
    this.staged.push({ tmp, symbol: bars.symbol, timeframe: tf, rows: n, firstTs: n ? bars.ts[0] : null, lastTs: n ? bars.ts[n - 1] : null, hash, tz: bars.tz, meta });
    return hash;
  }

  /** Take over a bar file another thread wrote to a temporary path. */
  adopt(st: StagedFile): void {
    try {
      this.check(st.symbol, st.timeframe);
    } catch (e) {
      fs.rmSync(st.tmp, { force: true });
      throw e;
    }
    this.staged.push(st);
  }

  get size(): number {
    return this.staged.length;
  }

  /**
   * Upsert catalog rows and move files into place, all or nothing. `extra` runs first inside the same transaction;
   * a number it returns becomes the import id of rows that have none.
   */
  commit(extra?: () => number | void): void {
    if (this.done) throw new UsageError('batch already finished');
    this.done = true;
    const ws = this.store.ws;
    const now = new Date().toISOString();
    const upsert = ws.db.prepare(`INSERT INTO bar_sets (symbol, timeframe, rows, first_ts, last_ts, content_hash, path, source_file, adjusted, tz, import_id, created_at, updated_at)
      VALUES (@symbol, @timeframe, @rows, @first, @last, @hash, @path, @source, @adjusted, @tz, @importId, @now, @now)
      ON CONFLICT(symbol, timeframe) DO UPDATE SET rows=excluded.rows, first_ts=excluded.first_ts, last_ts=excluded.last_ts,
        content_hash=excluded.content_hash, path=excluded.path, source_file=excluded.source_file, adjusted=excluded.adjusted,
        tz=excluded.tz, import_id=excluded.import_id, updated_at=excluded.updated_at`);
    const backups: { final: string; backup: string | null }[] = [];
    try {
      ws.db.transaction(() => {
        const importId = extra?.();
        for (const s of this.staged) {
          upsert.run({
            symbol: s.symbol, timeframe: s.timeframe, rows: s.rows, first: s.firstTs, last: s.lastTs, hash: s.hash, path: this.store.relPath(s.symbol, s.timeframe),
            source: s.meta.sourceFile ?? null, adjusted: s.meta.adjusted ? 1 : 0, tz: s.tz, importId: s.meta.importId ?? importId ?? null, now,
          });
        }
        for (const s of this.staged) {
          const final = ws.path(this.store.relPath(s.symbol, s.timeframe));
          fs.mkdirSync(path.dirname(final), { recursive: true });
          let backup: string | null = null;
          if (fs.existsSync(final)) {
            backup = `${s.tmp}.old`;
            fs.renameSync(final, backup);
          }
          backups.push({ final, backup });
          fs.renameSync(s.tmp, final);
        }
      })();
    } catch (e) {
      // Roll files back; the transaction has rolled the catalog back.
      for (const b of backups.reverse()) {
        try {
          if (b.backup) fs.renameSync(b.backup, b.final);
          else fs.rmSync(b.final, { force: true });
        } catch {
          /* best effort */
        }
      }
      this.cleanup();
      throw e;
    }
    for (const b of backups) if (b.backup) fs.rmSync(b.backup, { force: true });
    for (const s of this.staged) this.store.invalidate(s.symbol, s.timeframe);
  }

  abort(): void {
    this.done = true;
    this.cleanup();
  }

  private cleanup(): void {
    for (const s of this.staged) fs.rmSync(s.tmp, { force: true });
  }
}
