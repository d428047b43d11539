/**
 * Paper trading: `paper` runs a strategy on a live clock over a feed with the paper broker and the journal
 * (engine/live); `paper resume` continues an interrupted session; `orders`, `fills`, `positions`, `account` read the
 * journal; `buy`, `sell`, `cancel`, `flatten`, `paper stop` send requests to the running session through it (the
 * session takes them at its next bar), so they work from the console or from another shell.
 */
import fs from 'node:fs';
import { z } from 'zod';
import { contentHash } from '../data/store.ts';
import { runSession, type SessionResult } from '../engine/live/session.ts';
import { equityOf, fillsOf, Journal, latestSession, openJournal, ordersOf, positionsOf, sessionById, type FillRow, type OrderRow, type PositionRow, type SessionRow } from '../engine/live/journal.ts';
import { buildConfig } from '../engine/run.ts';
import { parseTimeframe } from '../src/timeframe.ts';
import { UsageError } from '../src/errors.ts';
import type { DB } from '../src/catalog.ts';
import { num } from './format.ts';
import { loadRunSeries, strategyArgs } from './backtest.ts';
import { killState, loadRiskConfig } from './risk.ts';
import { RiskManager } from '../engine/risk/manager.ts';
import path from 'node:path';
import { defineCommand, type CommandContext } from './registry.ts';

/** The workspace's journal (created on first use). */
export function journalOf(ctx: CommandContext, readonly = false): DB {
  const file = ctx.workspace().path('journal.sqlite');
  if (readonly && !fs.existsSync(file)) throw new UsageError('no trading journal in this workspace yet', 'start a session: alphatrade paper --strategy NAME --symbols A,B');
  return openJournal(file, false);
}

function parseSpeed(s: string): 'max' | number {
  if (s === 'max') return 'max';
  const m = /^(\d+(?:\.\d+)?)x$/.exec(s);
  if (!m || !(Number(m[1]) > 0)) throw new UsageError(`--speed takes max or Nx (1x = real time), got '${s}'`);
  return Number(m[1]);
}

function parseDuration(s: string | undefined): number | undefined {
  if (!s) return undefined;
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h)$/.exec(s);
  if (!m) throw new UsageError(`--duration takes N followed by ms, s, m or h (e.g. 60m), got '${s}'`);
  return Number(m[1]) * { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[m[2] as 'ms' | 's' | 'm' | 'h'];
}

interface StoredConfig {
  strategy?: string;
  strategyFile?: string;
  symbols?: string;
  data?: string;
  tz?: string;
  timeframe?: string;
  from?: string;
  to?: string;
  param: string[];
  capital: number;
  commission: string;
  slippage: string;
  fill: string;
  sizer: string;
  leverage: number;
  risk?: string;
  speed: string;
  data_hash: Record<string, string>;
  broker?: 'paper' | 'alpaca';
  feed?: 'replay' | 'alpaca';
  data_feed?: string;
  live?: boolean;
  base_url?: string;
  data_url?: string;
  stream_url?: string;
}

export interface PaperOutput extends SessionResult {
  session: string;
  strategy: string;
  symbols: string[];
  positions: PositionRow[];
  journal: string;
}

async function startSession(ctx: CommandContext, c: StoredConfig, id: string, resume: SessionRow | null, speed: string, duration: string | undefined, progress: Parameters<Parameters<typeof defineCommand>[0]['run']>[2]): Promise<PaperOutput> {
  const strategy = await strategyArgs({ strategy: c.strategy, strategyFile: c.strategyFile }, ctx);
  const { series } = loadRunSeries(ctx, { symbol: c.symbols, data: c.data, tz: c.tz, timeframe: c.timeframe, from: c.from, to: c.to });
  const hashes = Object.fromEntries(series.map((s) => [s.symbol, contentHash(s)]));
  // a new session records its bars' hashes (in the config stored below); a resumed one must find the same bars
  if (!resume) c.data_hash = hashes;
  else for (const [sym, h] of Object.entries(c.data_hash)) if (hashes[sym] !== h) throw new UsageError(`session ${id}: the bars of ${sym} changed since it started (data hash ${h} → ${hashes[sym]})`, 'a session replays the same bars to rebuild its state; restore the data or start a new session');
  const params: Record<string, string> = {};
  for (const p of c.param) {
    const k = p.indexOf('=');
    if (k > 0) params[p.slice(0, k)] = p.slice(k + 1);
  }
  // a live session always has a risk manager: the kill switch (risk kill, K in the Blotter) can trip it at any bar
  const risk = new RiskManager(c.risk ? loadRiskConfig(path.resolve(ctx.cwd, c.risk)) : {});
  const cfg = buildConfig({ strategy, params, series, cash: c.capital, commission: c.commission, slippage: c.slippage, fill: c.fill, sizer: c.sizer, leverage: c.leverage, risk, signal: ctx.signal });
  const db = journalOf(ctx);
  try {
    if (!resume) {
      db.prepare('INSERT INTO sessions (id, strategy, symbols, broker, feed, config, started_at, status, pid) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)').run(id, strategy.name, series.map((s) => s.symbol).join(','), c.broker ?? 'paper', c.feed ?? 'replay', JSON.stringify(c), new Date().toISOString(), 'running', process.pid);
    } else db.prepare("UPDATE sessions SET status = 'running', pid = ?, heartbeat = ? WHERE id = ?").run(process.pid, new Date().toISOString(), id);
    const journal = new Journal(db, id);
    let broker: import('../engine/live/alpaca.ts').AlpacaBroker | undefined;
    let live: { next(): Promise<number | null> } | undefined;
    let stopFeed: (() => void) | undefined;
    let hours: import('../engine/live/hours.ts').MarketHours | undefined;
    let liveFrom: number | null = null;
    if (c.broker === 'alpaca' || c.feed === 'alpaca') {
      const { AlpacaBroker } = await import('../engine/live/alpaca.ts');
      try {
        const ab = new AlpacaBroker({ env: ctx.env, live: c.live, baseUrl: c.base_url, dataUrl: c.data_url, streamUrl: c.stream_url });
        if (c.broker === 'alpaca') {
          // every symbol must be tradable there
          const assets = new Map((await ab.assets()).map((x) => [x.symbol, x]));
          const bad = series.map((s) => s.symbol).filter((sym) => !assets.get(sym)?.tradable);
          if (bad.length) throw new Error(`not tradable at Alpaca: ${bad.join(', ')}`);
          await ab.connect();
          broker = ab;
          // market hours from the clock and the calendar: orders placed while closed are held until the open
          const { MarketHours } = await import('../engine/live/hours.ts');
          const today = new Date();
          hours = new MarketHours(await ab.calendar(new Date(today.getTime() - 86_400_000), new Date(today.getTime() + 14 * 86_400_000)));
          const clock = await ab.clock();
          progress({ job: 'paper', phase: 'market', done: 0, total: 0, message: clock.is_open ? `market open until ${clock.next_close}` : `market closed: orders are held until ${clock.next_open}` });
        }
        if (c.feed === 'alpaca') {
          // live bars extend the stored ones: the series grow in place as bars arrive
          const { LiveSeries, StepFeed } = await import('../engine/live/feed.ts');
          const liveSeries = new Map(series.map((s) => [s.symbol, new LiveSeries(s)]));
          // resume: the live bars the session had (journaled as they arrived) extend the stored ones
          if (resume) {
            for (const b of journal.liveBars()) {
              liveSeries.get(b.symbol)?.append(b.ts, b.open, b.high, b.low, b.close, b.volume);
              liveFrom = liveFrom === null ? b.ts : Math.min(liveFrom, b.ts);
            }
          }
          const steps = new StepFeed(liveSeries, 5000, (b) => journal.liveBar(b.symbol!, b.timestamp.getTime(), b.open, b.high, b.low, b.close, b.volume));
          const stopStream = await ab.barStream(series.map((s) => s.symbol), c.data_feed ?? 'iex', (b) => steps.push(b));
          live = steps;
          stopFeed = () => {
            stopStream();
            steps.close();
          };
        }
      } catch (e) {
        throw new UsageError(`Alpaca: ${(e as Error).message}`, 'set APCA_API_KEY_ID and APCA_API_SECRET_KEY (paper keys for the paper endpoint)');
      }
    }
    const tf = series[0].timeframe ?? parseTimeframe('1d');
    const r = await runSession({
      journal,
      cfg,
      barMs: tf.ms,
      speed: parseSpeed(speed),
      durationMs: parseDuration(duration),
      resumeThrough: resume ? resume.last_bar_ts : null,
      broker,
      hours,
      live,
      liveFrom,
      signal: ctx.signal,
      killSwitch: () => {
        const k = killState(ctx);
        if (k.killed && !risk.isKilled) risk.kill(Date.parse(k.since ?? '') || Date.now(), k.reason ?? 'manual');
        return k.killed;
      },
      onProgress: (p) => progress({ job: 'paper', phase: 'bars', done: p.bars, total: p.total, message: `equity ${p.equity.toFixed(2)} · ${p.orders} orders · ${p.fills} fills` }),
    });
    await broker?.close();
    stopFeed?.();
    return { session: id, strategy: strategy.name, symbols: series.map((s) => s.symbol), ...r, positions: positionsOf(db, id), journal: ctx.workspace().path('journal.sqlite') };
  } catch (e) {
    db.prepare("UPDATE sessions SET status = 'failed' WHERE id = ?").run(id);
    throw e;
  } finally {
    db.close();
  }
}

const renderPaper = (r: PaperOutput) =>
  [
    `session ${r.session}: ${r.strategy} on ${r.symbols.join(', ')} — ${r.status} after ${r.bars.toLocaleString('en-US')} bars${r.last_bar_ts !== null ? ` (last ${new Date(r.last_bar_ts).toISOString().slice(0, 16).replace('T', ' ')})` : ''}`,
    r.replay ? `rebuilt from the journal: ${r.replay.bars.toLocaleString('en-US')} bars replayed, ${r.replay.known_orders} orders and ${r.replay.known_fills} fills found recorded, ${r.replay.recorded_orders} orders and ${r.replay.recorded_fills} fills recorded now (none sent twice)` : '',
    `equity ${r.equity.toFixed(2)} · cash ${r.cash.toFixed(2)} · ${r.orders} orders · ${r.fills} fills`,
    ...r.positions.filter((p) => p.qty !== 0).map((p) => `  ${p.symbol} ${p.qty} @ ${p.avg_price.toFixed(4)} · mark ${num(p.mark, 4)} · unrealised ${num(p.unrealized_pnl, 2)}`),
    ...r.position_mismatches.map((m) => `  position differs from the broker's: ${m.symbol} broker ${m.broker} · session ${m.session}`),
    r.status === 'stopped' ? `resume with: alphatrade paper resume --session ${r.session}` : '',
  ]
    .filter(Boolean)
    .join('\n');

export const paper = defineCommand({
  name: 'paper',
  summary: 'trade a strategy on a live clock (stored bars replayed, or Alpaca’s live bars) with the paper broker or Alpaca, every order journaled',
  description:
    'The strategy runs in the backtest kernel (same code, same incremental indicators, same risk manager); the paper broker fills with the backtester’s fill, slippage and commission models, so a replay gives the backtest’s fills. Every order intent is committed to the workspace journal (journal.sqlite, WAL, synchronous=FULL) before it reaches the broker, and every fill as it happens; a killed session continues with `paper resume`.\n' +
    'Brokers: paper (in process) or alpaca (its paper endpoint; --live --confirm LIVE for real money; keys from APCA_API_KEY_ID / APCA_API_SECRET_KEY, hosts from APCA_API_BASE_URL, APCA_API_DATA_URL, APCA_API_STREAM_URL or the flags). With Alpaca, orders placed while the market is closed (its calendar) are held and sent at the open. Feeds: replay of stored bars at --speed max or Nx real time, or alpaca: live bars after the stored ones (which only warm the strategy up), journaled as they arrive.\n' +
    'While it runs, another shell (or the console’s Blotter pane) can read it (orders, fills, positions, account) and steer it (buy, sell, cancel, flatten, paper stop).',
  args: () =>
    z.object({
      strategy: z.string().optional().describe('strategy name (alphatrade strategies list) or a file in the workspace strategies/ folder'),
      strategyFile: z.string().optional().describe('a strategy file'),
      symbols: z.string().optional().describe('stored symbols A,B,…'),
      data: z.string().optional().describe('a price file instead of stored symbols'),
      tz: z.string().optional().describe('zone of naive timestamps in --data files'),
      timeframe: z.string().optional().describe('timeframe of stored symbols'),
      from: z.string().optional().describe('first bar of the replay'),
      to: z.string().optional().describe('last bar of the replay'),
      param: z.array(z.string()).optional().describe('strategy parameter k=v (repeatable)'),
      broker: z.enum(['paper', 'alpaca']).default('paper').describe('paper (in process, the backtester’s models) or alpaca (its paper endpoint unless --live)'),
      feed: z.enum(['replay', 'alpaca']).default('replay').describe('replay of stored bars, or live bars from Alpaca’s market-data stream after the stored ones (which warm the strategy up)'),
      dataFeed: z.string().default('iex').describe('alpaca feed: iex or sip (your data plan)'),
      live: z.boolean().default(false).describe('alpaca: trade the live endpoint (needs --confirm LIVE)'),
      confirm: z.string().optional().describe('type LIVE to confirm --live'),
      baseUrl: z.string().optional().describe('alpaca: trading REST base URL (default APCA_API_BASE_URL or Alpaca’s)'),
      dataUrl: z.string().optional().describe('alpaca: market-data REST base URL (default APCA_API_DATA_URL)'),
      streamUrl: z.string().optional().describe('alpaca: trade-updates stream URL (default APCA_API_STREAM_URL)'),
      speed: z.string().default('max').describe('max, or Nx real time (1x: one bar per bar duration)'),
      capital: z.number().positive().default(100_000).describe('starting cash'),
      commission: z.string().default('none').describe('as backtest --commission'),
      slippage: z.string().default('none').describe('as backtest --slippage'),
      fill: z.string().default('next_open').describe('as backtest --fill'),
      sizer: z.string().default('all_in').describe('as backtest --sizer'),
      leverage: z.number().min(1).default(1).describe('gross exposure limit as a multiple of equity'),
      risk: z.string().optional().describe('limits and breakers (JSON, as backtest --risk)'),
      duration: z.string().optional().describe('stop after this much wall time (e.g. 60m); resume later'),
      headless: z.boolean().default(false).describe('no console: trade and write the journal (for tmux or a service); another `alphatrade` shows the blotter. Backgrounded in the shell of a console, give it < /dev/null'),
    }),
  examples: ['alphatrade paper --strategy sma_cross --symbols ORCL --speed max --headless', 'alphatrade paper --strategy sma_cross --symbols ORCL,NVDA --speed 600x --duration 10m --headless'],
  async run(ctx, a, progress): Promise<PaperOutput> {
    if (a.live && a.broker !== 'alpaca') throw new UsageError('--live trades through Alpaca: add --broker alpaca');
    if (a.live && a.confirm !== 'LIVE') throw new UsageError('--live sends real orders with real money: confirm with --confirm LIVE');
    if (!a.strategy && !a.strategyFile) throw new UsageError('give --strategy NAME or --strategy-file PATH');
    if (!a.symbols === !a.data) throw new UsageError('give --symbols A,B or --data FILE');
    parseSpeed(a.speed);
    parseDuration(a.duration);
    const id = `p${new Date().toISOString().replace(/[-:T]/g, '').slice(0, 14)}-${process.pid.toString(36)}`;
    const c: StoredConfig = { strategy: a.strategyFile ? undefined : a.strategy, strategyFile: a.strategyFile, symbols: a.symbols, data: a.data, tz: a.tz, timeframe: a.timeframe, from: a.from, to: a.to, param: a.param ?? [], capital: a.capital, commission: a.commission, slippage: a.slippage, fill: a.fill, sizer: a.sizer, leverage: a.leverage, risk: a.risk, speed: a.speed, data_hash: {}, broker: a.broker, feed: a.feed, data_feed: a.dataFeed, live: a.live, base_url: a.baseUrl, data_url: a.dataUrl, stream_url: a.streamUrl };
    return startSession(ctx, c, id, null, a.speed, a.duration, progress);
  },
  render: renderPaper,
});

const pidAlive = (pid: number | null) => {
  if (!pid || pid === process.pid) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

export const paperResume = defineCommand({
  name: 'paper resume',
  summary: 'continue an interrupted paper session from the journal (never sends an order twice)',
  args: () =>
    z.object({
      session: z.string().optional().describe('session id (default: the latest)'),
      speed: z.string().optional().describe('max or Nx (default: the session’s)'),
      duration: z.string().optional().describe('stop after this much wall time'),
      headless: z.boolean().default(false).describe('no console'),
    }),
  async run(ctx, a, progress): Promise<PaperOutput> {
    const db = journalOf(ctx, true);
    const s = a.session ? sessionById(db, a.session) : latestSession(db);
    db.close();
    if (!s) throw new UsageError(a.session ? `no session ${a.session} in the journal` : 'no session in the journal');
    if (s.status === 'finished') throw new UsageError(`session ${s.id} finished: nothing to resume`);
    if (s.status === 'running' && pidAlive(s.pid)) throw new UsageError(`session ${s.id} is running in process ${s.pid}`, 'stop it first (alphatrade paper stop) or wait for it');
    const c = JSON.parse(s.config) as StoredConfig;
    return startSession(ctx, c, s.id, s, a.speed ?? c.speed, a.duration, progress);
  },
  render: renderPaper,
});

function sessionOf(ctx: CommandContext, id?: string): { db: DB; s: SessionRow } {
  const db = journalOf(ctx, true);
  const s = id ? sessionById(db, id) : latestSession(db);
  if (!s) {
    db.close();
    throw new UsageError(id ? `no session ${id} in the journal` : 'no session in the journal yet', 'start one: alphatrade paper --strategy NAME --symbols A,B');
  }
  return { db, s };
}

const sessionArg = () => ({ session: z.string().optional().describe('session id (default: the latest)') });

export const ordersCmd = defineCommand({
  name: 'orders',
  summary: 'orders of a paper session from the journal (with their client_order_id)',
  args: () => z.object({ ...sessionArg(), open: z.boolean().default(false).describe('working orders only'), limit: z.number().int().positive().default(20).describe('rows in the text output (JSON has all)') }),
  async run(ctx, a): Promise<OrderRow[]> {
    const { db, s } = sessionOf(ctx, a.session);
    try {
      return ordersOf(db, s.id, a.open);
    } finally {
      db.close();
    }
  },
  render: (rows: OrderRow[], a) =>
    rows.length
      ? rows
          .slice(-a.limit)
          .map((o) => `${o.client_order_id.padEnd(28)} ${new Date(o.bar_ts).toISOString().slice(0, 16).replace('T', ' ')} ${o.symbol.padEnd(6)} ${o.side.padEnd(4)} ${String(o.qty ?? 'sized').padStart(8)} ${o.type.padEnd(7)} ${o.status.padEnd(17)} filled ${o.filled_qty}${o.avg_price !== null ? ` @ ${o.avg_price.toFixed(4)}` : ''}${o.reason && o.status !== 'filled' ? ` (${o.reason})` : ''}`)
          .join('\n')
      : 'no orders',
});

export const fillsCmd = defineCommand({
  name: 'fills',
  summary: 'fills of a paper session from the journal',
  args: () => z.object({ ...sessionArg(), limit: z.number().int().positive().default(20).describe('rows in the text output (JSON has all)') }),
  async run(ctx, a): Promise<FillRow[]> {
    const { db, s } = sessionOf(ctx, a.session);
    try {
      return fillsOf(db, s.id);
    } finally {
      db.close();
    }
  },
  render: (rows: FillRow[], a) => (rows.length ? rows.slice(-a.limit).map((f) => `${new Date(f.bar_ts).toISOString().slice(0, 16).replace('T', ' ')} ${f.symbol.padEnd(6)} ${f.side.padEnd(4)} ${String(f.qty).padStart(8)} @ ${f.price.toFixed(4)} fee ${f.commission.toFixed(2)}  ${f.client_order_id}`).join('\n') : 'no fills'),
});

export const positionsCmd = defineCommand({
  name: 'positions',
  summary: 'positions of a paper session: the sum of its fills, marked at the last bar',
  args: () => z.object({ ...sessionArg() }),
  async run(ctx, a): Promise<PositionRow[]> {
    const { db, s } = sessionOf(ctx, a.session);
    try {
      return positionsOf(db, s.id);
    } finally {
      db.close();
    }
  },
  render: (rows: PositionRow[]) => (rows.length ? rows.map((p) => `${p.symbol.padEnd(6)} ${String(p.qty).padStart(8)} @ ${p.avg_price.toFixed(4)} · mark ${num(p.mark, 4)} · value ${num(p.market_value, 2)} · unrealised ${num(p.unrealized_pnl, 2)} · realised ${p.realized_pnl.toFixed(2)}`).join('\n') : 'no positions'),
});

export interface AccountOutput {
  session: string;
  status: string;
  strategy: string;
  symbols: string[];
  equity: number | null;
  cash: number | null;
  gross: number | null;
  capital: number;
  pnl: number | null;
  bars: number;
  last_bar_ts: number | null;
  heartbeat: string | null;
  open_orders: number;
}

export const accountCmd = defineCommand({
  name: 'account',
  summary: 'a paper session’s account: equity, cash, exposure, P&L, status',
  args: () => z.object({ ...sessionArg() }),
  async run(ctx, a): Promise<AccountOutput> {
    const { db, s } = sessionOf(ctx, a.session);
    try {
      const eq = equityOf(db, s.id, 1)[0];
      const c = JSON.parse(s.config) as StoredConfig;
      return { session: s.id, status: s.status, strategy: s.strategy, symbols: s.symbols.split(','), equity: eq?.equity ?? null, cash: eq?.cash ?? null, gross: eq?.gross ?? null, capital: c.capital, pnl: eq ? eq.equity - c.capital : null, bars: s.bars, last_bar_ts: s.last_bar_ts, heartbeat: s.heartbeat, open_orders: ordersOf(db, s.id, true).length };
    } finally {
      db.close();
    }
  },
  render: (r: AccountOutput) => `session ${r.session} (${r.status}) · ${r.strategy} on ${r.symbols.join(', ')}\nequity ${num(r.equity, 2)} · cash ${num(r.cash, 2)} · exposure ${num(r.gross, 2)} · P&L ${num(r.pnl, 2)} on ${r.capital} · ${r.open_orders} working orders · ${r.bars.toLocaleString('en-US')} bars`,
});

/** A request to the running session (taken at its next bar). */
function request(ctx: CommandContext, session: string | undefined, kind: string, body: Record<string, unknown>): { request: number; session: string } {
  const { db, s } = sessionOf(ctx, session);
  try {
    if (s.status !== 'running') throw new UsageError(`session ${s.id} is ${s.status}: requests go to a running session`);
    const r = db.prepare('INSERT INTO requests (session_id, kind, body, at) VALUES (?, ?, ?, ?)').run(s.id, kind, JSON.stringify(body), new Date().toISOString());
    return { request: Number(r.lastInsertRowid), session: s.id };
  } finally {
    db.close();
  }
}

const orderCmd = (side: 'buy' | 'sell') =>
  defineCommand({
    name: side,
    summary: `${side} in the running paper session (market; --limit PRICE; --algo twap|vwap|iceberg|auto)`,
    positional: ['symbol', 'qty', 'word', 'price'],
    args: () =>
      z.object({
        symbol: z.string().describe('symbol'),
        qty: z.coerce.number().positive().describe('quantity'),
        word: z.string().optional().describe('`limit`, followed by the price: buy SYM QTY limit PRICE'),
        price: z.coerce.number().positive().optional().describe('the limit price after `limit`'),
        limit: z.number().positive().optional().describe('limit price (iceberg: the clips’ limit)'),
        algo: z.enum(['twap', 'vwap', 'iceberg', 'auto']).optional().describe('work the order: twap or vwap over --slices bars, iceberg in --clip pieces, auto routes by size against volume'),
        slices: z.number().int().positive().optional().describe('twap/vwap: child orders, one per bar (10)'),
        clip: z.number().positive().optional().describe('iceberg: visible quantity'),
        ...sessionArg(),
      }),
    async run(ctx, a) {
      if (a.word !== undefined && (a.word !== 'limit' || a.price === undefined)) throw new UsageError(`after the quantity: limit PRICE (or --limit PRICE), got '${a.word}${a.price !== undefined ? ` ${a.price}` : ''}'`);
      const limit = a.limit ?? a.price;
      return request(ctx, a.session, 'order', { symbol: a.symbol.toUpperCase(), side, qty: a.qty, ...(limit !== undefined ? { limit } : {}), ...(a.algo ? { algo: a.algo, slices: a.slices, clip: a.clip } : {}) });
    },
    render: (r: { request: number; session: string }) => `request ${r.request} sent to session ${r.session} (taken at its next bar)`,
  });

export const cancelCmd = defineCommand({
  name: 'cancel',
  summary: 'cancel a working order of the running paper session (or --all)',
  positional: ['id'],
  args: () => z.object({ id: z.string().optional().describe('client_order_id'), all: z.boolean().default(false).describe('cancel every working order'), ...sessionArg() }),
  async run(ctx, a) {
    if (!a.id && !a.all) throw new UsageError('give a client_order_id or --all');
    return request(ctx, a.session, a.all ? 'cancel_all' : 'cancel', { id: a.id });
  },
  render: (r: { request: number; session: string }) => `request ${r.request} sent to session ${r.session}`,
});

export const flattenCmd = defineCommand({
  name: 'flatten',
  summary: 'cancel every working order and close every position of the running paper session',
  args: () => z.object({ ...sessionArg() }),
  async run(ctx, a) {
    return request(ctx, a.session, 'flatten', {});
  },
  render: (r: { request: number; session: string }) => `request ${r.request} sent to session ${r.session}`,
});

export const paperStop = defineCommand({
  name: 'paper stop',
  summary: 'stop the running paper session at its next bar (resumable)',
  args: () => z.object({ ...sessionArg() }),
  async run(ctx, a) {
    return request(ctx, a.session, 'stop', {});
  },
  render: (r: { request: number; session: string }) => `request ${r.request} sent to session ${r.session}`,
});

export const PAPER_COMMANDS = [paper, paperResume, paperStop, ordersCmd, fillsCmd, positionsCmd, accountCmd, orderCmd('buy'), orderCmd('sell'), cancelCmd, flattenCmd];
