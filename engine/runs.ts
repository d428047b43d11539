/**
 * Run history: every backtest is stored in the workspace catalog (table `runs`) with what reproduces it — strategy,
 * parameters, full configuration, the SHA-256 of each series, the program version — and what it gave: metrics, the
 * summary with its trades, and the equity curve (binary Float64 columns).
 */
import type { DB } from '../src/catalog.ts';
import { NotFoundError } from '../src/errors.ts';
import type { RunSummary } from './report.ts';

export interface RunRecord {
  id: number;
  kind: 'backtest' | 'sweep' | 'walkforward';
  created_at: string;
  strategy: string;
  symbols: string[];
  params: Record<string, number | boolean | string>;
  config: Record<string, unknown>;
  data_hash: Record<string, string>;
  version: string;
  final_equity: number | null;
  metrics: Record<string, number | null>;
  summary: RunSummary;
}

interface Row {
  id: number;
  kind: RunRecord['kind'];
  created_at: string;
  strategy: string;
  symbols: string;
  params: string;
  config: string;
  data_hash: string;
  version: string;
  final_equity: number | null;
  metrics: string;
  summary: string;
  equity_ts?: Buffer | null;
  equity?: Buffer | null;
}

const toBuf = (a: Float64Array) => Buffer.from(a.buffer, a.byteOffset, a.byteLength);
const toF64 = (b: Buffer) => new Float64Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength));

export class RunStore {
  constructor(private readonly db: DB) {}

  /**
   * Store a run. `deferCurves`: the equity columns are written by the returned callback instead (the row exists at
   * once with its id, summary and metrics; the 2 × 8 bytes per step follow).
   */
  save(r: { kind: RunRecord['kind']; summary: RunSummary; config: Record<string, unknown>; dataHash: Record<string, string>; version: string; ts?: Float64Array; equity?: Float64Array }, deferCurves?: (write: () => void) => void): number {
    const s = r.summary;
    const { equity: _e, ...summary } = s;
    const info = this.db
      .prepare(
        `INSERT INTO runs (kind, created_at, strategy, symbols, params, config, data_hash, version, final_equity, metrics, summary, equity_ts, equity)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(
        r.kind,
        new Date().toISOString(),
        s.strategy,
        s.symbols.join(','),
        JSON.stringify(s.params),
        JSON.stringify(r.config),
        JSON.stringify(r.dataHash),
        r.version,
        Number.isFinite(s.final_equity) ? s.final_equity : null,
        JSON.stringify(s.metrics),
        JSON.stringify(summary),
        !deferCurves && r.ts ? toBuf(r.ts) : null,
        !deferCurves && r.equity ? toBuf(r.equity) : null,
      );
    const id = Number(info.lastInsertRowid);
    if (deferCurves && r.ts && r.equity) {
      const ts = r.ts;
      const eq = r.equity;
      deferCurves(() => this.db.prepare('UPDATE runs SET equity_ts = ?, equity = ? WHERE id = ?').run(toBuf(ts), toBuf(eq), id));
    }
    return id;
  }

  list(opts: { strategy?: string; limit?: number } = {}): Omit<RunRecord, 'summary'>[] {
    const rows = (
      opts.strategy
        ? this.db.prepare('SELECT id, kind, created_at, strategy, symbols, params, config, data_hash, version, final_equity, metrics FROM runs WHERE strategy = ? ORDER BY id DESC LIMIT ?').all(opts.strategy, opts.limit ?? 50)
        : this.db.prepare('SELECT id, kind, created_at, strategy, symbols, params, config, data_hash, version, final_equity, metrics FROM runs ORDER BY id DESC LIMIT ?').all(opts.limit ?? 50)
    ) as Row[];
    return rows.map((row) => {
      const { summary: _s, ...rest } = this.decode({ ...row, summary: 'null' });
      return rest;
    });
  }

  get(id: number): RunRecord & { ts: Float64Array | null; equity: Float64Array | null } {
    const row = this.db.prepare('SELECT * FROM runs WHERE id = ?').get(id) as Row | undefined;
    if (!row) throw new NotFoundError(`no run ${id} (alphatrade runs list)`);
    return { ...this.decode(row), ts: row.equity_ts ? toF64(row.equity_ts) : null, equity: row.equity ? toF64(row.equity) : null };
  }

  delete(id: number): boolean {
    return this.db.prepare('DELETE FROM runs WHERE id = ?').run(id).changes > 0;
  }

  private decode(row: Row): RunRecord {
    return {
      id: row.id,
      kind: row.kind,
      created_at: row.created_at,
      strategy: row.strategy,
      symbols: row.symbols.split(','),
      params: JSON.parse(row.params),
      config: JSON.parse(row.config),
      data_hash: JSON.parse(row.data_hash),
      version: row.version,
      final_equity: row.final_equity,
      metrics: JSON.parse(row.metrics),
      summary: JSON.parse(row.summary),
    };
  }
}
