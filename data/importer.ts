/**
 * `data import`: files → loader → validator → on-error policy → store, all or nothing.
 * Every finding (with what was done about it) goes into the import report, which is kept in the catalog whether
 * the import succeeded or not.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Piscina } from 'piscina';
import { DataError } from '../src/errors.ts';
import { workerEntry } from '../src/version.ts';
import type { ProgressFn } from '../src/events.ts';
import { parseTimeframe, type Timeframe } from '../src/timeframe.ts';
import type { Workspace } from '../src/workspace.ts';
import { encodeBars } from './arrow.ts';
import { countBySeverity, type Finding } from './findings.ts';
import { loadFile, type LoadResult } from './loader.ts';
import type { DateFormat } from './timeparse.ts';
import { applyPolicy, validateBars, type OnError } from './validate.ts';
import { contentHash, type BarStore, type StagedFile } from './store.ts';

export interface ImportOptions {
  paths: string[];
  symbol?: string;
  timeframe?: Timeframe;
  tz: string;
  adjust: boolean;
  onError: OnError;
  dateFormat?: DateFormat;
  spikeSigma?: number;
  now?: number;
  signal?: AbortSignal;
}

export interface SeriesReport {
  symbol: string;
  timeframe: string;
  timeframeNote: string;
  rowsIn: number;
  rowsStored: number;
  dropped: number;
  fixed: number;
  firstTs: number | null;
  lastTs: number | null;
  adjusted: boolean;
  contentHash?: string;
  status: 'ok' | 'failed';
}

export interface FileReport {
  file: string;
  format: string;
  kind: string;
  notes: string[];
  series: SeriesReport[];
  findings: Finding[];
  counts: { error: number; warning: number; info: number };
  status: 'ok' | 'failed';
}

export interface ImportReport {
  id: number;
  status: 'ok' | 'failed';
  onError: OnError;
  tz: string;
  files: FileReport[];
  totals: { files: number; series: number; rowsIn: number; rowsStored: number; dropped: number; fixed: number; errors: number; warnings: number };
  durationMs: number;
  message: string;
}

const EXTS = new Set(['.csv', '.txt', '.tsv', '.parquet', '.pq']);

export function expandPaths(paths: string[], cwd = process.cwd()): string[] {
  const out: string[] = [];
  for (const p of paths) {
    const abs = path.resolve(cwd, p);
    let st: fs.Stats;
    try {
      st = fs.statSync(abs);
    } catch {
      throw new DataError('no such file or directory', { file: p });
    }
    if (st.isDirectory()) {
      const walk = (d: string) => {
        for (const e of fs.readdirSync(d, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
          if (e.name.startsWith('.')) continue;
          const f = path.join(d, e.name);
          if (e.isDirectory()) walk(f);
          else if (EXTS.has(path.extname(e.name).toLowerCase())) out.push(f);
        }
      };
      walk(abs);
    } else out.push(abs);
  }
  if (out.length === 0) throw new DataError('no price files found (looked for .csv, .txt, .tsv, .parquet)', { file: paths.join(', ') });
  return out;
}

/** Attach loader findings to series rows by source line (and, for wide tables, by column). */
function findingsFor(load: LoadResult, seriesIdx: number): Finding[] {
  const s = load.series[seriesIdx];
  const lines = s.lines;
  const out: Finding[] = [];
  // Lines ascend, except in a newest-first file the loader reversed: then look them up in a map.
  const ascending = lines.length < 2 || lines[0] < lines[lines.length - 1];
  const byLine = ascending ? null : new Map(Array.from(lines, (l, i) => [l, i] as const));
  for (const f of load.findings) {
    if (f.line === undefined || f.rule === 'blank_line' || f.rule === 'leading_missing') continue;
    if (load.kind === 'close_table' && f.field && f.field !== s.symbol && load.series.some((o) => o.symbol === f.field)) continue;
    if (byLine) {
      const at = byLine.get(f.line);
      if (at !== undefined) out.push({ ...f, row: at });
      continue;
    }
    // binary search the line
    let lo = 0;
    let hi = lines.length;
    while (lo < hi) {
      const m = (lo + hi) >>> 1;
      if (lines[m] < f.line) lo = m + 1;
      else hi = m;
    }
    if (lo < lines.length && lines[lo] === f.line) out.push({ ...f, row: lo });
  }
  return out;
}

/** One file's work: load, validate, apply the policy, and write each series to a temporary Arrow file. */
export interface FileJob {
  file: string;
  rel: string;
  tmpDir: string;
  symbol?: string;
  timeframe?: string;
  tz: string;
  adjust: boolean;
  onError: OnError;
  dateFormat?: DateFormat;
  spikeSigma?: number;
  now?: number;
}

export interface FileResult {
  report: FileReport;
  staged: StagedFile[];
}

let tmpSeq = 0;

/** Runs in a worker thread for multi-file imports (see import-worker.mjs), inline otherwise. Pure but for temp files. */
export function processFile(job: FileJob): FileResult {
  const rel = job.rel;
  const load = loadFile(job.file, { symbol: job.symbol, timeframe: job.timeframe ? parseTimeframe(job.timeframe) : undefined, tz: job.tz, adjust: job.adjust, dateFormat: job.dateFormat });
  load.file = rel;
  for (const f of load.findings) f.file = rel;
  const rep: FileReport = { file: rel, format: load.format, kind: load.kind, notes: load.notes, series: [], findings: [], counts: { error: 0, warning: 0, info: 0 }, status: 'ok' };
  const staged: StagedFile[] = [];
  // File-level findings (no row).
  for (const f of load.findings) {
    if (f.line === undefined || f.rule === 'blank_line' || f.rule === 'leading_missing' || load.fatal) {
      rep.findings.push({ ...f, action: f.action ?? (f.severity === 'error' ? 'failed' : 'kept') });
    }
  }
  if (load.fatal) rep.status = 'failed';
  load.series.forEach((s, si) => {
    const rowFindings = findingsFor(load, si);
    const vf = validateBars({ file: rel, bars: s.bars, lines: s.lines, badRows: s.badRows, volumeKnown: s.volumeKnown, now: job.now, options: { spikeSigma: job.spikeSigma } });
    const res = applyPolicy(s.bars, s.lines, [...rowFindings, ...vf], job.onError);
    rep.findings.push(...capWarnings(res.findings, rel).map((f) => ({ ...f, symbol: s.symbol })));
    const n = res.bars.ts.length;
    const sr: SeriesReport = {
      symbol: s.symbol, timeframe: s.bars.timeframe.label, timeframeNote: s.timeframeNote, rowsIn: s.bars.ts.length, rowsStored: res.failed ? 0 : n,
      dropped: res.dropped, fixed: res.fixed, firstTs: n ? res.bars.ts[0] : null, lastTs: n ? res.bars.ts[n - 1] : null, adjusted: s.adjusted,
      status: res.failed ? 'failed' : 'ok',
    };
    if (!res.failed && n === 0) {
      sr.status = 'failed';
      rep.findings.push({ rule: 'header_only', severity: 'error', file: rel, message: `${s.symbol}: no rows left to store`, action: 'failed' });
    }
    if (sr.status === 'ok') {
      const tmp = path.join(job.tmpDir, `${s.symbol}.${sr.timeframe}.${process.pid}.${Date.now()}.${tmpSeq++}.${Math.random().toString(36).slice(2, 8)}.arrow`);
      fs.writeFileSync(tmp, encodeBars(res.bars));
      sr.contentHash = contentHash(res.bars);
      staged.push({ tmp, symbol: s.symbol, timeframe: sr.timeframe, rows: n, firstTs: sr.firstTs, lastTs: sr.lastTs, hash: sr.contentHash, tz: res.bars.tz, meta: { sourceFile: rel, adjusted: s.adjusted } });
    } else rep.status = 'failed';
    rep.series.push(sr);
  });
  rep.counts = countBySeverity(rep.findings);
  return { report: rep, staged };
}

/** Warnings listed one by one per rule and series; the rest are counted in one summary finding. */
export const WARNINGS_LISTED = 200;

/**
 * Keep reports readable and imports fast on files with very many warnings (an illiquid minute file can have
 * hundreds of thousands of zero-volume bars): warnings and infos about rows that were kept are listed up to
 * WARNINGS_LISTED per rule, then summarised with their total. Errors, and every dropped or fixed row, are always
 * listed one by one.
 */
export function capWarnings(findings: Finding[], file: string): Finding[] {
  const seen = new Map<string, number>();
  const out: Finding[] = [];
  for (const f of findings) {
    const listable = f.severity === 'error' || (f.action !== undefined && f.action !== 'kept') || f.line === undefined;
    if (listable) {
      out.push(f);
      continue;
    }
    const n = (seen.get(f.rule) ?? 0) + 1;
    seen.set(f.rule, n);
    if (n <= WARNINGS_LISTED) out.push(f);
  }
  for (const [rule, n] of seen) {
    if (n > WARNINGS_LISTED) {
      const first = findings.find((f) => f.rule === rule)!;
      out.push({ rule: first.rule, severity: first.severity, file, message: `${n} rows in all have this ${first.severity}; the first ${WARNINGS_LISTED} are listed`, action: 'kept', field: first.field });
    }
  }
  return out;
}

/** Files big enough together to be worth worker threads (start-up costs ~0.3 s per thread). */
const PARALLEL_MIN_BYTES = 8 * 2 ** 20;

export async function importData(ws: Workspace, store: BarStore, opts: ImportOptions, progress: ProgressFn = () => {}, cwd = process.cwd()): Promise<ImportReport> {
  const t0 = performance.now();
  const files = expandPaths(opts.paths, cwd);
  if (opts.symbol && files.length > 1) throw new DataError(`--symbol names one symbol but ${files.length} files were given`, { file: opts.paths.join(', ') });
  const startedAt = new Date().toISOString();
  const batch = store.batch();
  const jobs: FileJob[] = files.map((file) => ({
    file, rel: path.relative(cwd, file) || file, tmpDir: ws.path('tmp'), symbol: opts.symbol, timeframe: opts.timeframe?.label, tz: opts.tz, adjust: opts.adjust,
    onError: opts.onError, dateFormat: opts.dateFormat, spikeSigma: opts.spikeSigma, now: opts.now,
  }));
  const bytes = files.reduce((a, f) => a + fs.statSync(f).size, 0);
  const threads = Math.min(files.length, os.availableParallelism());
  const results: FileResult[] = new Array(files.length);
  let done = 0;
  progress({ job: 'import', phase: 'read + validate', done: 0, total: files.length });
  try {
    if (threads > 1 && bytes >= PARALLEL_MIN_BYTES) {
      const pool = new Piscina({ filename: workerEntry('import-worker', 'data/import-worker.mjs').href, maxThreads: threads, minThreads: threads, idleTimeout: 1000 });
      try {
        await Promise.all(
          jobs.map(async (j, i) => {
            results[i] = (await pool.run(j, { signal: opts.signal })) as FileResult;
            progress({ job: 'import', phase: 'read + validate', done: ++done, total: files.length, message: j.rel });
          }),
        );
      } finally {
        await pool.destroy();
      }
    } else {
      for (let i = 0; i < jobs.length; i++) {
        if (opts.signal?.aborted) throw new DataError('import interrupted: nothing was stored');
        results[i] = processFile(jobs[i]);
        progress({ job: 'import', phase: 'read + validate', done: ++done, total: files.length, message: jobs[i].rel });
        await new Promise((r) => setImmediate(r)); // let progress and cancellation through
      }
    }
  } catch (e) {
    for (const r of results) for (const st of r?.staged ?? []) fs.rmSync(st.tmp, { force: true });
    batch.abort();
    if (opts.signal?.aborted) throw new DataError('import cancelled: nothing was stored');
    throw e;
  }
  const reports = results.map((r) => r.report);
  const failed = reports.some((r) => r.status === 'failed');
  try {
    for (const r of results) for (const st of r.staged) batch.adopt(st);
  } catch (e) {
    batch.abort();
    throw e;
  }
  const totals = {
    files: reports.length,
    series: reports.reduce((a, r) => a + r.series.length, 0),
    rowsIn: reports.reduce((a, r) => a + r.series.reduce((b, s) => b + s.rowsIn, 0), 0),
    rowsStored: 0,
    dropped: reports.reduce((a, r) => a + r.series.reduce((b, s) => b + s.dropped, 0), 0),
    fixed: reports.reduce((a, r) => a + r.series.reduce((b, s) => b + s.fixed, 0), 0),
    errors: reports.reduce((a, r) => a + r.counts.error, 0),
    warnings: reports.reduce((a, r) => a + r.counts.warning, 0),
  };
  const report: ImportReport = { id: 0, status: failed ? 'failed' : 'ok', onError: opts.onError, tz: opts.tz, files: reports, totals, durationMs: 0, message: '' };
  const insertImport = ws.db.prepare(`INSERT INTO imports (started_at, finished_at, source, status, on_error, files, rows_in, rows_stored, dropped, fixed, errors, warnings, report)
    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`);
  const insertFinding = ws.db.prepare(`INSERT INTO import_findings (import_id, symbol, rule, severity, file, line, field, message, action, fixed_to) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`);
  const record = () => {
    if (!failed) totals.rowsStored = reports.reduce((a, r) => a + r.series.reduce((b, s) => b + s.rowsStored, 0), 0);
    report.message = failed
      ? `import failed: nothing was stored (${totals.errors} error${totals.errors === 1 ? '' : 's'}${opts.onError === 'fail' ? '; --on-error drop or fix to import the clean rows' : ''})`
      : `imported ${totals.series} series, ${totals.rowsStored.toLocaleString('en-US')} bars`;
    report.durationMs = Math.round(performance.now() - t0);
    const summary = { ...report, files: report.files.map((f) => ({ ...f, findings: undefined, findingCount: f.findings.length })) };
    const info = insertImport.run(startedAt, new Date().toISOString(), opts.paths.join(' '), report.status, opts.onError, totals.files, totals.rowsIn, totals.rowsStored, totals.dropped, totals.fixed, totals.errors, totals.warnings, JSON.stringify(summary));
    report.id = Number(info.lastInsertRowid);
    for (const r of reports) for (const f of r.findings) insertFinding.run(report.id, (f as Finding & { symbol?: string }).symbol ?? null, f.rule, f.severity, f.file, f.line ?? null, f.field ?? null, f.message, f.action ?? null, f.fixedTo ?? null);
  };
  progress({ job: 'import', phase: 'store', done: files.length, total: files.length });
  if (failed) {
    batch.abort();
    ws.db.transaction(record)();
  } else {
    batch.commit(() => {
      record();
      return report.id;
    });
  }
  ws.log.info({ id: report.id, status: report.status, totals }, 'import');
  return report;
}
