/**
 * `data import`: files → loader → validator → on-error policy → store, all or nothing.
 * Every finding (with what was done about it) goes into the import report, which is kept in the catalog whether
 * the import succeeded or not.
 */
import fs from 'node:fs';
import path from 'node:path';
import { DataError } from '../src/errors.ts';
import type { ProgressFn } from '../src/events.ts';
import type { Timeframe } from '../src/timeframe.ts';
import type { Workspace } from '../src/workspace.ts';
import { countBySeverity, type Finding } from './findings.ts';
import { loadFile, type LoadResult } from './loader.ts';
import type { DateFormat } from './timeparse.ts';
import { applyPolicy, validateBars, type OnError } from './validate.ts';
import type { BarStore } from './store.ts';

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
  for (const f of load.findings) {
    if (f.line === undefined || f.rule === 'blank_line' || f.rule === 'leading_missing') continue;
    if (load.kind === 'close_table' && f.field && f.field !== s.symbol && load.series.some((o) => o.symbol === f.field)) continue;
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

export function importData(ws: Workspace, store: BarStore, opts: ImportOptions, progress: ProgressFn = () => {}, cwd = process.cwd()): ImportReport {
  const t0 = performance.now();
  const files = expandPaths(opts.paths, cwd);
  if (opts.symbol && files.length > 1) throw new DataError(`--symbol names one symbol but ${files.length} files were given`, { file: opts.paths.join(', ') });
  const startedAt = new Date().toISOString();
  const batch = store.batch();
  const reports: FileReport[] = [];
  let failed = false;
  try {
    files.forEach((file, fi) => {
      if (opts.signal?.aborted) throw new DataError('import interrupted: nothing was stored');
      const rel = path.relative(cwd, file) || file;
      progress({ job: 'import', phase: 'read', done: fi, total: files.length, message: rel });
      const load = loadFile(file, { symbol: opts.symbol, timeframe: opts.timeframe, tz: opts.tz, adjust: opts.adjust, dateFormat: opts.dateFormat });
      load.file = rel;
      for (const f of load.findings) f.file = rel;
      const rep: FileReport = { file: rel, format: load.format, kind: load.kind, notes: load.notes, series: [], findings: [], counts: { error: 0, warning: 0, info: 0 }, status: 'ok' };
      // File-level findings (no row).
      for (const f of load.findings) {
        if (f.line === undefined || f.rule === 'blank_line' || f.rule === 'leading_missing' || load.fatal) {
          rep.findings.push({ ...f, action: f.action ?? (f.severity === 'error' ? 'failed' : 'kept') });
        }
      }
      if (load.fatal) rep.status = 'failed';
      load.series.forEach((s, si) => {
        const rowFindings = findingsFor(load, si);
        const vf = validateBars({ file: rel, bars: s.bars, lines: s.lines, badRows: s.badRows, volumeKnown: s.volumeKnown, now: opts.now, options: { spikeSigma: opts.spikeSigma } });
        const all = [...rowFindings, ...vf];
        const res = applyPolicy(s.bars, s.lines, all, opts.onError);
        const symFindings = res.findings.map((f) => ({ ...f, symbol: s.symbol }));
        rep.findings.push(...symFindings);
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
        if (sr.status === 'ok') sr.contentHash = batch.put(res.bars, { sourceFile: rel, adjusted: s.adjusted });
        else rep.status = 'failed';
        rep.series.push(sr);
      });
      rep.counts = countBySeverity(rep.findings);
      if (rep.status === 'failed') failed = true;
      reports.push(rep);
    });
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
