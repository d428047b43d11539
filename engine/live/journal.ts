/**
 * The trading journal: `journal.sqlite` in the workspace, SQLite in WAL mode with synchronous=FULL (a committed row
 * survives a power cut), append-only. Every order intent is committed before the order goes to the broker; every
 * broker event (fill, cancel, reject, expiry) is committed as it arrives; equity is sampled per bar in batches.
 * The live state — working orders, positions, cash — is derived from it, so a session killed at any moment can be
 * rebuilt (engine/live/session.ts) and a console in another tmux window can show it (the Blotter pane reads it).
 *
 * An order is identified by its client_order_id, `<session>-<n>` with n the kernel's order number: a deterministic
 * replay of the same session produces the same ids, so recording is idempotent and an id already in the journal is
 * never sent again.
 */
import Database from 'better-sqlite3';
import type { DB } from '../../src/catalog.ts';

const SCHEMA = `
  CREATE TABLE IF NOT EXISTS sessions (
    id TEXT PRIMARY KEY,
    strategy TEXT NOT NULL,
    symbols TEXT NOT NULL,
    broker TEXT NOT NULL,
    feed TEXT NOT NULL,
    config TEXT NOT NULL,
    started_at TEXT NOT NULL,
    status TEXT NOT NULL,
    pid INTEGER,
    heartbeat TEXT,
    last_bar_ts REAL,
    bars INTEGER NOT NULL DEFAULT 0
  );
  CREATE TABLE IF NOT EXISTS orders (
    client_order_id TEXT PRIMARY KEY,
    session_id TEXT NOT NULL,
    symbol TEXT NOT NULL,
    side TEXT NOT NULL,
    type TEXT NOT NULL,
    qty REAL,
    limit_price REAL,
    stop_price REAL,
    tif TEXT NOT NULL,
    parent_id TEXT,
    source TEXT NOT NULL,
    bar_ts REAL NOT NULL,
    created_at TEXT NOT NULL,
    status TEXT NOT NULL,
    filled_qty REAL NOT NULL DEFAULT 0,
    avg_price REAL,
    reason TEXT
  );
  CREATE INDEX IF NOT EXISTS orders_session ON orders (session_id, status);
  CREATE TABLE IF NOT EXISTS events (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    session_id TEXT NOT NULL,
    client_order_id TEXT NOT NULL,
    seq INTEGER NOT NULL,
    type TEXT NOT NULL,
    qty REAL,
    price REAL,
    commission REAL,
    bar_ts REAL NOT NULL,
    at TEXT NOT NULL,
    detail TEXT,
    UNIQUE (client_order_id, seq)
  );
  CREATE TABLE IF NOT EXISTS equity (
    session_id TEXT NOT NULL,
    bar_ts REAL NOT NULL,
    equity REAL NOT NULL,
    cash REAL NOT NULL,
    gross REAL NOT NULL,
    PRIMARY KEY (session_id, bar_ts)
  );
  CREATE TABLE IF NOT EXISTS marks (
    session_id TEXT NOT NULL,
    symbol TEXT NOT NULL,
    price REAL NOT NULL,
    bar_ts REAL NOT NULL,
    PRIMARY KEY (session_id, symbol)
  );
  CREATE TABLE IF NOT EXISTS live_bars (
    session_id TEXT NOT NULL,
    symbol TEXT NOT NULL,
    ts REAL NOT NULL,
    open REAL NOT NULL,
    high REAL NOT NULL,
    low REAL NOT NULL,
    close REAL NOT NULL,
    volume REAL NOT NULL,
    PRIMARY KEY (session_id, symbol, ts)
  );
  CREATE TABLE IF NOT EXISTS requests (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    session_id TEXT NOT NULL,
    kind TEXT NOT NULL,
    body TEXT NOT NULL,
    at TEXT NOT NULL,
    taken_bar_ts REAL,
    result TEXT
  );
`;

export interface SessionRow {
  id: string;
  strategy: string;
  symbols: string;
  broker: string;
  feed: string;
  config: string;
  started_at: string;
  status: 'running' | 'stopped' | 'finished' | 'failed';
  pid: number | null;
  heartbeat: string | null;
  last_bar_ts: number | null;
  bars: number;
}

export interface OrderRow {
  client_order_id: string;
  session_id: string;
  symbol: string;
  side: 'buy' | 'sell';
  type: string;
  qty: number | null;
  limit_price: number | null;
  stop_price: number | null;
  tif: string;
  parent_id: string | null;
  source: string;
  bar_ts: number;
  created_at: string;
  status: string;
  filled_qty: number;
  avg_price: number | null;
  reason: string | null;
}

export interface FillRow {
  id: number;
  session_id: string;
  client_order_id: string;
  symbol: string;
  side: 'buy' | 'sell';
  qty: number;
  price: number;
  commission: number;
  bar_ts: number;
  at: string;
}

export interface PositionRow {
  symbol: string;
  qty: number;
  avg_price: number;
  mark: number | null;
  market_value: number | null;
  unrealized_pnl: number | null;
  realized_pnl: number;
}

export interface RequestRow {
  id: number;
  session_id: string;
  kind: 'order' | 'cancel' | 'cancel_all' | 'flatten' | 'stop';
  body: string;
  at: string;
  taken_bar_ts: number | null;
  result: string | null;
}

export function openJournal(file: string, readonly = false): DB {
  const db = new Database(file, readonly ? { readonly: true, fileMustExist: true } : {});
  if (!readonly) {
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = FULL');
    db.exec(SCHEMA);
  }
  db.pragma('busy_timeout = 5000');
  return db;
}

/** Writes of one session. */
export class Journal {
  private readonly insOrder;
  private readonly insEvent;
  private readonly updOrder;
  private readonly insEquity;
  private readonly upMark;
  private readonly pendingEquity: [number, number, number, number][] = [];
  private readonly flushEquity;

  constructor(
    readonly db: DB,
    readonly session: string,
  ) {
    this.insOrder = db.prepare(
      `INSERT OR IGNORE INTO orders (client_order_id, session_id, symbol, side, type, qty, limit_price, stop_price, tif, parent_id, source, bar_ts, created_at, status)
       VALUES (@client_order_id, @session_id, @symbol, @side, @type, @qty, @limit_price, @stop_price, @tif, @parent_id, @source, @bar_ts, @created_at, 'working')`,
    );
    this.insEvent = db.prepare('INSERT OR IGNORE INTO events (session_id, client_order_id, seq, type, qty, price, commission, bar_ts, at, detail) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)');
    this.updOrder = db.prepare('UPDATE orders SET status = ?, filled_qty = ?, avg_price = ?, reason = ?, qty = COALESCE(?, qty), side = ? WHERE client_order_id = ?');
    this.insEquity = db.prepare('INSERT OR REPLACE INTO equity (session_id, bar_ts, equity, cash, gross) VALUES (?, ?, ?, ?, ?)');
    this.upMark = db.prepare('INSERT OR REPLACE INTO marks (session_id, symbol, price, bar_ts) VALUES (?, ?, ?, ?)');
    this.flushEquity = db.transaction((rows: [number, number, number, number][]) => {
      for (const r of rows) this.insEquity.run(this.session, ...r);
    });
  }

  /** A live bar as it arrived (a live-feed session is rebuilt from its stored history and these). */
  liveBar(symbol: string, ts: number, o: number, h: number, l: number, c: number, v: number): void {
    this.db.prepare('INSERT OR IGNORE INTO live_bars (session_id, symbol, ts, open, high, low, close, volume) VALUES (?, ?, ?, ?, ?, ?, ?, ?)').run(this.session, symbol, ts, o, h, l, c, v);
  }

  liveBars(): { symbol: string; ts: number; open: number; high: number; low: number; close: number; volume: number }[] {
    return this.db.prepare('SELECT symbol, ts, open, high, low, close, volume FROM live_bars WHERE session_id = ? ORDER BY ts, symbol').all(this.session) as never;
  }

  /** The kernel orders' recorded fills and ends (not the algorithm parents'), in the order they happened. */
  brokerOutcomes(): { cid: string; type: string; qty: number | null; price: number | null; bar_ts: number; detail: string | null }[] {
    return this.db
      .prepare("SELECT client_order_id AS cid, type, qty, price, bar_ts, detail FROM events WHERE session_id = ? AND type IN ('fill', 'partial_fill', 'canceled', 'rejected', 'expired') AND client_order_id NOT LIKE ? ORDER BY id")
      .all(this.session, `${this.session}-a%`) as never;
  }

  /** Record an intent (committed on return: call before sending). Returns false when it was recorded before. */
  intent(o: Omit<OrderRow, 'session_id' | 'created_at' | 'status' | 'filled_qty' | 'avg_price' | 'reason'>): boolean {
    return this.insOrder.run({ ...o, session_id: this.session, created_at: new Date().toISOString() }).changes > 0;
  }

  /** Record a broker event (fill, canceled, …) and the order's new state, in one transaction. */
  event(e: { client_order_id: string; seq: number; type: string; qty?: number; price?: number; commission?: number; bar_ts: number; detail?: string }, state: { status: string; filled_qty: number; avg_price: number | null; reason: string | null; qty: number | null; side: string }): boolean {
    let added = false;
    this.db.transaction(() => {
      added = this.insEvent.run(this.session, e.client_order_id, e.seq, e.type, e.qty ?? null, e.price ?? null, e.commission ?? null, e.bar_ts, new Date().toISOString(), e.detail ?? null).changes > 0;
      this.updOrder.run(state.status, state.filled_qty, state.avg_price, state.reason, state.qty, state.side, e.client_order_id);
    })();
    return added;
  }

  /** Equity of a bar (batched: written by flush()). */
  equity(barTs: number, equity: number, cash: number, gross: number): void {
    this.pendingEquity.push([barTs, equity, cash, gross]);
  }

  mark(symbol: string, price: number, barTs: number): void {
    this.upMark.run(this.session, symbol, price, barTs);
  }

  /** Write buffered equity rows and the session's progress. */
  flush(lastBarTs: number, bars: number): void {
    const rows = this.pendingEquity.splice(0);
    this.db.transaction(() => {
      this.flushEquity(rows);
      this.db.prepare('UPDATE sessions SET last_bar_ts = ?, bars = ?, heartbeat = ? WHERE id = ?').run(lastBarTs, bars, new Date().toISOString(), this.session);
    })();
  }

  setStatus(status: SessionRow['status']): void {
    this.db.prepare('UPDATE sessions SET status = ?, heartbeat = ? WHERE id = ?').run(status, new Date().toISOString(), this.session);
  }

  /** Requests from the console (manual orders, cancels, flatten, stop) not yet taken. */
  takeRequests(barTs: number): RequestRow[] {
    const rows = this.db.prepare('SELECT * FROM requests WHERE session_id = ? AND taken_bar_ts IS NULL ORDER BY id').all(this.session) as RequestRow[];
    if (rows.length) {
      const up = this.db.prepare('UPDATE requests SET taken_bar_ts = ? WHERE id = ?');
      this.db.transaction(() => {
        for (const r of rows) up.run(barTs, r.id);
      })();
    }
    return rows;
  }

  /** Requests taken at a bar before (replayed at the same bar when a session is rebuilt). */
  takenRequests(): RequestRow[] {
    return this.db.prepare('SELECT * FROM requests WHERE session_id = ? AND taken_bar_ts IS NOT NULL ORDER BY id').all(this.session) as RequestRow[];
  }

  answer(id: number, result: string): void {
    this.db.prepare('UPDATE requests SET result = ? WHERE id = ?').run(result, id);
  }
}

// ---------------------------------------------------------------- reading (commands and the Blotter pane)

export function latestSession(db: DB): SessionRow | undefined {
  return db.prepare('SELECT * FROM sessions ORDER BY started_at DESC, rowid DESC LIMIT 1').get() as SessionRow | undefined;
}

export function sessionById(db: DB, id: string): SessionRow | undefined {
  return db.prepare('SELECT * FROM sessions WHERE id = ?').get(id) as SessionRow | undefined;
}

export function ordersOf(db: DB, session: string, open = false): OrderRow[] {
  return db.prepare(`SELECT * FROM orders WHERE session_id = ?${open ? " AND status IN ('working', 'partially_filled')" : ''} ORDER BY rowid`).all(session) as OrderRow[];
}

export function fillsOf(db: DB, session: string): FillRow[] {
  return db
    .prepare(
      `SELECT e.id, e.session_id, e.client_order_id, o.symbol, o.side, e.qty, e.price, e.commission, e.bar_ts, e.at
       FROM events e JOIN orders o ON o.client_order_id = e.client_order_id
       WHERE e.session_id = ? AND e.type IN ('fill', 'partial_fill') ORDER BY e.id`,
    )
    .all(session) as FillRow[];
}

/** Positions as the sum of fills (average price of the open quantity, realised P&L of closed quantity), marked. */
export function positionsOf(db: DB, session: string, fills: FillRow[] = fillsOf(db, session)): PositionRow[] {
  const marks = new Map((db.prepare('SELECT symbol, price FROM marks WHERE session_id = ?').all(session) as { symbol: string; price: number }[]).map((m) => [m.symbol, m.price]));
  const pos = new Map<string, { qty: number; avg: number; realized: number }>();
  for (const f of fills) {
    const p = pos.get(f.symbol) ?? { qty: 0, avg: 0, realized: 0 };
    const dq = f.side === 'buy' ? f.qty : -f.qty;
    if (p.qty === 0 || Math.sign(p.qty) === Math.sign(dq)) {
      p.avg = (p.avg * Math.abs(p.qty) + f.price * Math.abs(dq)) / (Math.abs(p.qty) + Math.abs(dq));
      p.qty += dq;
    } else {
      const closing = Math.min(Math.abs(dq), Math.abs(p.qty));
      p.realized += closing * (f.price - p.avg) * Math.sign(p.qty);
      const rest = Math.abs(dq) - closing;
      p.qty += dq;
      if (Math.abs(p.qty) < 1e-9) p.qty = 0;
      if (rest > 1e-9) p.avg = f.price; // flipped: the rest opens a position at this price
    }
    p.realized -= f.commission;
    pos.set(f.symbol, p);
  }
  return [...pos].map(([symbol, p]) => {
    const mark = marks.get(symbol) ?? null;
    return {
      symbol,
      qty: p.qty,
      avg_price: p.qty ? p.avg : 0,
      mark,
      market_value: mark === null ? null : p.qty * mark,
      unrealized_pnl: mark === null || !p.qty ? (p.qty ? null : 0) : (mark - p.avg) * p.qty,
      realized_pnl: p.realized,
    };
  });
}

export function equityOf(db: DB, session: string, limit = 2000): { bar_ts: number; equity: number; cash: number; gross: number }[] {
  const rows = db.prepare('SELECT bar_ts, equity, cash, gross FROM equity WHERE session_id = ? ORDER BY bar_ts DESC LIMIT ?').all(session, limit) as { bar_ts: number; equity: number; cash: number; gross: number }[];
  return rows.reverse();
}
