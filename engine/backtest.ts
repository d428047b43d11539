/**
 * The event-driven backtester.
 *
 * Bars of one or many symbols are merged in time order into steps. At each step, for every symbol with a bar:
 *   1. its pending orders are matched against the bar by the fill model (next bar's open, typical price, or volume
 *      participation; limit/stop logic from backtrader's broker, see orders.ts `execPrice`),
 *   2. its indicators are updated and its mark becomes the bar's close;
 * then the strategy's `onBar` runs once (history up to now only: the context refuses `ago` < 0), new orders are
 * queued for LATER bars (or, with the `close` fill model, market orders fill at this bar's close: cheat-on-close,
 * flagged in the result), and equity is recorded: cash plus every position at its mark.
 *
 * Hot path: no allocation per bar. Orders, fills and trades are objects (they are rare); per-bar state lives in
 * typed arrays, and the context object is reused.
 */
import { ALL_SPECS, specByName } from '../data/indicators/index.ts';
import type { IndicatorStream } from '../data/indicators/types.ts';
import { nearest, UsageError } from '../src/errors.ts';
import { isIntraday } from '../src/timeframe.ts';
import type { BarSeries, Side } from '../src/types.ts';
import { startOfLocalDay } from '../src/tz.ts';
import type { BreakerState, LimitUse, RiskManager, RiskRejection, RiskView } from './risk/manager.ts';
import { createOrder, execPrice, isOpen, resetOrderIds, trailAdjust, transition, validateOrder, type EndReason, type SimOrder } from './orders.ts';
import { Portfolio, type FillRecord, type TradeRecord } from './portfolio.ts';
import type { BoundIndicator, CustomStream, OrderRequest, OrderView, ParamValues, Strategy, StrategyContext, StrategyInstance } from './strategy.ts';
import type { CommissionModel, FillModelSpec, SlippageModel, Sizer, SizerInput } from './types.ts';

export interface BacktestConfig {
  strategy: Strategy;
  /** validated parameter values (see params.ts `resolveParams`) */
  params: ParamValues;
  series: BarSeries[];
  cash: number;
  commission: CommissionModel;
  slippage: SlippageModel;
  fill: FillModelSpec;
  sizer: Sizer;
  /** gross exposure may reach this multiple of equity (1 = cash account, no margin) */
  leverage: number;
  /** whole shares only (default true) */
  integer?: boolean;
  /** keep every fill in the result (default true) */
  recordFills?: boolean;
  /** called about every 64k steps */
  progress?: (done: number, total: number) => void;
  signal?: AbortSignal;
  /** weight sizers for `targetWeight` orders, by weight (from sizers.ts `parseSizer('weight:W')`) */
  weightSizer: (w: number) => Sizer;
  /**
   * Trading starts at this bar time (epoch ms): earlier bars only warm the strategy and its indicators up, and any
   * order placed before it is dropped (walk-forward test windows start flat with warm indicators).
   */
  tradeFrom?: number;
  /**
   * The vectorized engine writes equity into this column when its length is the bar count (sweeps reuse one per
   * worker: a fresh 72,000-bar column per run costs more in allocation and page faults than the run itself).
   */
  equityBuffer?: Float64Array;
  /** limits and circuit breakers checked on every order and fill (engine/risk/manager.ts) */
  risk?: RiskManager;
  /** told of every order placed, fill and order end, as they happen (the live journal listens) */
  events?: OrderEvents;
  /**
   * Orders are executed by an external broker: the kernel does not match its book; the session reports the broker's
   * fills and ends (externalFill, externalEnd). Orders sized at fill time are sized when placed, at the last close.
   */
  external?: boolean;
}

/** Order lifecycle events of the kernel, in the order they happen (engine/live writes them to the journal). */
export interface OrderEvents {
  /** an order was accepted into the book (before any fill; its intent must be recorded now) */
  placed(o: Readonly<SimOrder>, t: number): void;
  filled(o: Readonly<SimOrder>, qty: number, price: number, fee: number, t: number): void;
  /** canceled, rejected, expired or replaced, with the reason */
  ended(o: Readonly<SimOrder>, t: number): void;
}

export interface Rejection {
  ts: number;
  orderId: string;
  symbol: string;
  reason: EndReason;
  detail: string;
  /** a risk manager's rejection: the rule, its limit and the value that broke it */
  rule?: string;
  limit?: number;
  value?: number;
}

/** One submitted order, as placed (for the look-ahead check and the report). */
export interface OrderLogEntry {
  id: string;
  /** step time at which the strategy placed it */
  placedAt: number;
  symbol: string;
  side: Side;
  type: string;
  qty: number | null;
  limitPrice?: number;
  stopPrice?: number;
  status: string;
  filledQty: number;
  avgFillPrice: number;
  endReason?: string;
  tag?: string;
}

export interface BacktestResult {
  mode: 'event' | 'vectorized';
  strategy: string;
  params: ParamValues;
  symbols: string[];
  /** the run's steps: time (bar start), equity, cash and gross exposure at each step's close */
  ts: Float64Array;
  equity: Float64Array;
  cash: Float64Array;
  gross: Float64Array;
  initialCash: number;
  finalEquity: number;
  /** closed trades, then trades still open at the end (marked at the last close, `open: true`) */
  trades: TradeRecord[];
  fills: FillRecord[];
  orders: OrderLogEntry[];
  rejections: Rejection[];
  commission: number;
  slippage: number;
  /** 'cheat_on_close' when market orders filled at the bar they were placed on */
  flags: string[];
  logs: string[];
  /** fills whose slippage estimate was not yet available (warm-up) and so used none */
  warnings: string[];
  config: { commission: string; slippage: string; fill: string; sizer: string; leverage: number; cash: number };
  /** closed trades' count, wins and gross net win/loss, without building trade records (sweeps) */
  closedStats(): { n: number; wins: number; grossWin: number; grossLoss: number };
  /** the risk manager's account of the run (when the run had limits or breakers) */
  risk?: RiskReport;
}

/** Limits with their values at the end and their peaks, breakers with their trips, exposure at the end. */
export interface RiskReport {
  limits: LimitUse[];
  breakers: BreakerState[];
  exposure: ReturnType<RiskManager['exposure']>;
}

const PROGRESS_EVERY = 65_536;

/** Merge the series' times into one ascending timeline (identical timelines are reused, not merged). */
export function mergeTimes(series: BarSeries[]): Float64Array {
  if (series.length === 1) return series[0].ts;
  const first = series[0].ts;
  let same = true;
  for (let k = 1; k < series.length && same; k++) {
    const t = series[k].ts;
    if (t.length !== first.length) same = false;
    else for (let i = 0; i < t.length; i++) if (t[i] !== first[i]) { same = false; break; }
  }
  if (same) return first;
  const ptr = new Int32Array(series.length);
  let total = 0;
  for (const s of series) total += s.ts.length;
  const out = new Float64Array(total);
  let n = 0;
  for (;;) {
    let t = Infinity;
    for (let k = 0; k < series.length; k++) {
      const p = ptr[k];
      const ts = series[k].ts;
      if (p < ts.length && ts[p] < t) t = ts[p];
    }
    if (t === Infinity) break;
    out[n++] = t;
    for (let k = 0; k < series.length; k++) {
      const ts = series[k].ts;
      while (ptr[k] < ts.length && ts[ptr[k]] === t) ptr[k]++;
    }
  }
  return out.slice(0, n);
}

/** Indicator values kept per bound indicator: `value(ago)` reaches back this many bars minus one. */
export const INDICATOR_HISTORY = 1024;

/**
 * An indicator stream bound to one symbol, keeping its last INDICATOR_HISTORY outputs in a ring (a whole-series
 * column per output would cost a large fresh allocation per run for values that are read once).
 */
class Bound implements BoundIndicator {
  private readonly ring: Float64Array;
  private readonly k: number;
  n = 0;
  constructor(
    readonly stream: IndicatorStream,
    outputs: number,
  ) {
    this.k = outputs;
    this.ring = new Float64Array(INDICATOR_HISTORY * outputs).fill(NaN);
  }
  push(o: number, h: number, l: number, c: number, v: number, ts: number): void {
    const r = this.stream.update(o, h, l, c, v, ts);
    const base = (this.n++ & (INDICATOR_HISTORY - 1)) * this.k;
    const ring = this.ring;
    for (let j = 0; j < this.k; j++) ring[base + j] = r[j];
  }
  value(ago = 0, k = 0): number {
    if (!(ago >= 0 && ago < INDICATOR_HISTORY) || ago !== (ago | 0)) {
      throw new RangeError(ago < 0 ? `an indicator cannot be read ${-ago} bar(s) ahead` : `indicator history reaches ${INDICATOR_HISTORY - 1} bars back; asked for ${ago}`);
    }
    if (!(k >= 0 && k < this.k)) throw new RangeError(`indicator has ${this.k} output(s); asked for output ${k}`);
    const j = this.n - 1 - ago;
    return j >= 0 ? this.ring[(j & (INDICATOR_HISTORY - 1)) * this.k + k] : NaN;
  }
}

/**
 * The result with `trades` (closed, then still open at the end) and `fills` built from the portfolio's columnar
 * logs on first access: sweeps that read only equity and metrics never allocate them.
 */
export function withLazyRecords(pf: Portfolio, lastT: number, barOf: (s: number) => number, base: Omit<BacktestResult, 'trades' | 'fills' | 'orders' | 'closedStats'>, orderLog: readonly SimOrder[] = []): BacktestResult {
  let trades: TradeRecord[] | undefined;
  let fills: FillRecord[] | undefined;
  let orders: OrderLogEntry[] | undefined;
  const open = pf.openTrades(lastT, barOf);
  const eq = base.equity;
  for (let i = 0; i < eq.length; i++) {
    if (eq[i] <= 0) {
      base.warnings.push(`equity fell to ${eq[i].toFixed(2)} at ${new Date(base.ts[i]).toISOString()}: no margin call or liquidation is modelled (size shorts with percent:P or leverage)`);
      break;
    }
  }
  return Object.defineProperties(base as BacktestResult, {
    trades: { get: () => (trades ??= [...pf.trades, ...open]), enumerable: true, configurable: true },
    fills: { get: () => (fills ??= pf.fills), enumerable: true, configurable: true },
    orders: { get: () => (orders ??= orderLog.map(logEntry)), enumerable: true, configurable: true },
    closedStats: { value: () => pf.closedNetStats(), enumerable: false, configurable: true },
  });
}

/** Run a strategy over bars, event by event. */
export function runBacktest(cfg: BacktestConfig): BacktestResult {
  return new EventEngine(cfg).run();
}

/** The event kernel stepped from outside (live sessions): begin(), advance(t) per bar time, finishStrategy(). */
export function steppedEngine(cfg: BacktestConfig): EventEngine {
  return new EventEngine(cfg);
}

export class EventEngine implements StrategyContext {
  // ---- context fields (read by the strategy)
  t = NaN;
  readonly symbols: string[];
  readonly params: ParamValues;
  readonly updated: Int32Array;
  nUpdated = 0;
  last = false;

  private readonly cfg: BacktestConfig;
  private readonly series: BarSeries[];
  private readonly pf: Portfolio;
  /** current bar index per symbol (−1 before its first bar) */
  private readonly idx: Int32Array;
  private readonly pending: SimOrder[][];
  private readonly orderLog: SimOrder[] = [];
  private readonly bound: Bound[][];
  private readonly slipState: unknown[];
  private readonly usedVolume: Float64Array;
  private readonly intraday: boolean[];
  private readonly rejections: Rejection[] = [];
  private readonly logs: string[] = [];
  private readonly flags = new Set<string>();
  private inInit = false;
  private inBar = false;
  private readonly integer: boolean;
  private readonly onCloseFill: boolean;
  private readonly marketRef: 0 | 1; // 0 open, 1 typical price
  private readonly participation: number;
  private closeQueue: SimOrder[] = [];
  private tradeFrom: number;
  private readonly risk: RiskManager | undefined;
  private readonly riskView: RiskView;

  constructor(cfg: BacktestConfig) {
    if (cfg.series.length === 0) throw new UsageError('a backtest needs at least one series');
    this.cfg = cfg;
    this.series = cfg.series;
    this.symbols = cfg.series.map((s) => s.symbol);
    if (new Set(this.symbols).size !== this.symbols.length) throw new UsageError(`a symbol appears twice: ${this.symbols.join(', ')}`);
    this.params = cfg.params;
    const n = cfg.series.length;
    this.updated = new Int32Array(n);
    this.pf = new Portfolio(this.symbols, cfg.cash);
    this.pf.recordFills = cfg.recordFills ?? true;
    this.idx = new Int32Array(n).fill(-1);
    this.pending = Array.from({ length: n }, () => [] as SimOrder[]);
    this.bound = Array.from({ length: n }, () => [] as Bound[]);
    this.slipState = cfg.series.map((s) => cfg.slippage.prepare?.(s));
    this.usedVolume = new Float64Array(n);
    this.intraday = cfg.series.map((s) => isIntraday(s.timeframe));
    this.integer = cfg.integer ?? true;
    this.onCloseFill = cfg.fill.kind === 'close';
    this.marketRef = cfg.fill.kind === 'vwap' ? 1 : 0;
    this.participation = cfg.fill.kind === 'volume' ? (cfg.fill.participation ?? 1) : Infinity;
    this.tradeFrom = cfg.tradeFrom ?? -Infinity;
    this.risk = cfg.risk;
    const pf = this.pf;
    this.riskView = {
      symbols: this.symbols,
      equity: () => pf.equity(),
      position: (s) => pf.pos[s],
      mark: (s) => pf.mark[s],
      openOrders: () => {
        let n = 0;
        for (const list of this.pending) for (const o of list) if (isOpen(o.status) && !o.waiting) n++;
        return n;
      },
    };
    cfg.commission.reset?.();
    resetOrderIds();
  }

  run(): BacktestResult {
    const cfg = this.cfg;
    const times = mergeTimes(this.series);
    const nSteps = times.length;
    const equity = new Float64Array(nSteps);
    const cashCol = new Float64Array(nSteps);
    const grossCol = new Float64Array(nSteps);
    const pf = this.pf;
    this.begin();
    for (let step = 0; step < nSteps; step++) {
      this.advance(times[step], step === nSteps - 1, step);
      equity[step] = pf.equity();
      cashCol[step] = pf.cash;
      grossCol[step] = pf.lastGross;
      if (this.risk) {
        this.risk.onStep(this.t, equity[step], this.intraday[0] ? startOfLocalDay(this.t, this.series[0].tz) : this.t);
        this.risk.observe(this.riskView);
      }
      if ((step & (PROGRESS_EVERY - 1)) === PROGRESS_EVERY - 1) {
        cfg.progress?.(step + 1, nSteps);
        if (cfg.signal?.aborted) throw new Error('backtest canceled');
      }
    }
    this.finishStrategy();
    cfg.progress?.(nSteps, nSteps);
    return this.result(times, equity, cashCol, grossCol);
  }

  private inst: StrategyInstance | null = null;
  private ptr: Int32Array = new Int32Array(0);

  /** Start the strategy (its init); then advance() once per time step. */
  begin(): void {
    this.ptr = new Int32Array(this.series.length);
    this.inInit = true;
    try {
      this.inst = this.cfg.strategy.init(this);
    } finally {
      this.inInit = false;
    }
  }

  /**
   * One time step at time t: the symbols whose next bar starts at t have it now; their pending orders are matched
   * against it, then the strategy sees it. Backtests call this for every merged time; a live session for each bar
   * its feed delivers (the series may be longer than what has arrived: only bars at t are taken).
   */
  advance(t: number, last: boolean, step: number): void {
    const pf = this.pf;
    const bound = this.bound;
    const pending = this.pending;
    const series = this.series;
    const idx = this.idx;
    const updated = this.updated;
    const ptr = this.ptr;
    const nSym = series.length;
    this.t = t;
    this.last = last;
    // which symbols have a bar now
    let nu = 0;
    for (let s = 0; s < nSym; s++) {
      const p = ptr[s];
      const ts = series[s].ts;
      if (p < ts.length && ts[p] === t) {
        updated[nu++] = s;
        idx[s] = p;
        ptr[s] = p + 1;
      }
    }
    this.nUpdated = nu;
    // Several symbols: every symbol with a bar now is valued at its open while orders are matched, so sizing
    // (target weights, percent of equity) and the margin check see one consistent equity — not some symbols at
    // yesterday's close and others, already matched, at today's.
    if (nSym > 1) {
      let any = false;
      for (let u = 0; u < nu && !any; u++) any = pending[updated[u]].length > 0;
      if (any) {
        for (let u = 0; u < nu; u++) {
          const s = updated[u];
          const o = series[s].open[idx[s]];
          if (o === o) pf.mark[s] = o;
        }
      }
    }
    // Orders that reduce a position are matched first across all symbols, so a rotation's sales pay for its
    // purchases at the same open; then every other order, each symbol's in the order they were placed.
    const match = !this.cfg.external;
    if (nSym > 1 && match) for (let u = 0; u < nu; u++) if (pending[updated[u]].length > 0) this.matchBar(updated[u], idx[updated[u]], t, 0, step);
    for (let u = 0; u < nu; u++) {
      const s = updated[u];
      const i = idx[s];
      const S = series[s];
      if (pending[s].length > 0 && match) this.matchBar(s, i, t, nSym > 1 ? 1 : 2, step);
      const c = S.close[i];
      if (c === c) pf.mark[s] = c;
      const bs = bound[s];
      for (let b = 0; b < bs.length; b++) bs[b].push(S.open[i], S.high[i], S.low[i], c, S.volume[i], t);
    }
    this.inBar = true;
    this.inst!.onBar(this);
    this.inBar = false;
    if (this.closeQueue.length > 0) this.fillOnClose(t);
  }

  /** The strategy's onEnd, after the last step. */
  finishStrategy(): void {
    const inst = this.inst;
    if (inst?.onEnd) {
      this.inBar = true;
      inst.onEnd(this);
      this.inBar = false;
    }
  }

  /** Trading starts at bar time t (a live feed: history before it only warms the strategy up). */
  setTradeFrom(t: number): void {
    this.tradeFrom = t;
  }

  /** Portfolio state for a live session: cash, equity, positions and marks now. */
  get portfolio(): Portfolio {
    return this.pf;
  }

  /** Every order placed so far, in order. */
  get orders(): readonly SimOrder[] {
    return this.orderLog;
  }

  /** An external broker's fill of order `id` (qty at price, fee), booked at the current bar. */
  externalFill(id: string, qty: number, price: number, fee: number): boolean {
    const o = this.orderById(id);
    if (!o || !isOpen(o.status) || !(qty > 0)) return false;
    const s = o.sym;
    this.applyFill(o, s, Math.max(0, this.idx[s]), this.t, Math.min(qty, o.qty - o.filledQty), price, fee, price);
    this.compact(s);
    return true;
  }

  /** An external broker ended order `id` (canceled, rejected, expired). */
  externalEnd(id: string, status: 'canceled' | 'rejected' | 'expired', detail?: string): void {
    const o = this.orderById(id);
    if (!o || !isOpen(o.status)) return;
    this.end(o, status, 'broker', this.t, detail);
    this.compact(o.sym);
  }

  /** Place an order from outside the strategy (a person at the blotter), as if during the current step. */
  placeExternal(s: number, req: OrderRequest): string {
    const was = this.inBar;
    this.inBar = true;
    try {
      return this.order(s, req);
    } finally {
      this.inBar = was;
    }
  }

  private result(times: Float64Array, equity: Float64Array, cashCol: Float64Array, grossCol: Float64Array): BacktestResult {
    const cfg = this.cfg;
    const pf = this.pf;
    const idx = this.idx;
    const nSteps = times.length;
    const lastT = nSteps > 0 ? times[nSteps - 1] : NaN;
    const warnings: string[] = [];
    const wf = (cfg.slippage as { warmupFills?: number }).warmupFills;
    if (wf) warnings.push(`${wf} fill(s) had no slippage estimate yet (warm-up bars) and used none`);
    const open = this.orderLog.filter((o) => isOpen(o.status)).length;
    if (open > 0) warnings.push(`${open} order(s) still open at the end of the data`);
    return withLazyRecords(pf, lastT, (s) => idx[s], {
      mode: 'event',
      strategy: cfg.strategy.name,
      params: cfg.params,
      symbols: this.symbols,
      ts: times,
      equity,
      cash: cashCol,
      gross: grossCol,
      initialCash: cfg.cash,
      finalEquity: nSteps > 0 ? equity[nSteps - 1] : cfg.cash,
      rejections: this.rejections,
      commission: pf.commissionPaid,
      slippage: pf.slippagePaid,
      flags: [...this.flags],
      logs: this.logs,
      warnings,
      config: {
        commission: cfg.commission.spec,
        slippage: cfg.slippage.spec,
        fill: cfg.fill.spec,
        sizer: cfg.sizer.spec,
        leverage: cfg.leverage,
        cash: cfg.cash,
      },
      ...(this.risk ? { risk: { limits: this.risk.observe(this.riskView), breakers: this.risk.breakers(), exposure: this.risk.exposure(this.riskView) } } : {}),
    }, this.orderLog);
  }

  // ------------------------------------------------------------------ matching

  /** Match symbol s's pending orders against its bar i (the open phase of the bar). */
  /**
   * Match symbol s's pending orders against its bar i. `pass` 0: only orders that reduce the position; 1: the
   * others (orders seen in pass 0 of this step are skipped); 2: all (one symbol).
   */
  private matchBar(s: number, i: number, t: number, pass: 0 | 1 | 2, step: number): void {
    const S = this.series[s];
    const open = S.open[i];
    const high = S.high[i];
    const low = S.low[i];
    const close = S.close[i];
    if (!(open === open && high === high && low === low && close === close)) return; // a bar without prices cannot trade
    const ref = this.marketRef === 0 ? open : (high + low + close) / 3;
    if (pass !== 1) this.usedVolume[s] = 0;
    const list = this.pending[s];
    let dayKey = NaN;
    const p = this.pf.pos[s];
    for (let k = 0; k < list.length; k++) {
      const o = list[k];
      if (!isOpen(o.status) || o.waiting || o.onClose || o.eligibleFrom > i) continue;
      if (pass === 0) {
        const reducing = o.targetWeight !== o.targetWeight && ((o.side === 'sell' && p > 0) || (o.side === 'buy' && p < 0));
        const reducingTarget = o.targetWeight === o.targetWeight && Math.abs(o.targetWeight * this.pf.equity()) < Math.abs(p * (this.pf.mark[s] || 0));
        if (!reducing && !reducingTarget) continue;
        o.seenStep = step;
      } else if (pass === 1 && o.seenStep === step) continue;
      if (o.tif === 'day') {
        if (dayKey !== dayKey) dayKey = this.intraday[s] ? startOfLocalDay(t, S.tz) : t;
        if (o.dayKey !== o.dayKey) o.dayKey = dayKey;
        else if (dayKey > o.dayKey) {
          this.end(o, 'expired', 'expired_day', t);
          continue;
        }
      }
      if (o.type === 'trailing_stop' && o.stopPrice === undefined) {
        trailAdjust(o, close);
        continue;
      }
      const px = execPrice(o, ref, open, high, low);
      if (px === px) this.execute(o, s, i, t, px, S.volume[i]);
      if (isOpen(o.status)) {
        if (o.tif === 'ioc') this.end(o, 'canceled', 'ioc_remainder', t);
        else if (o.tif === 'fok') this.end(o, 'canceled', 'fok_unfilled', t);
        else if (o.type === 'trailing_stop') trailAdjust(o, close);
      }
    }
    this.compact(s);
  }

  /** Cheat-on-close: market orders placed during this step's onBar fill at their symbol's current close. */
  private fillOnClose(t: number): void {
    const q = this.closeQueue;
    this.closeQueue = [];
    for (const o of q) {
      if (!isOpen(o.status)) continue;
      const s = o.sym;
      const i = this.idx[s];
      const S = this.series[s];
      const c = i >= 0 ? S.close[i] : NaN;
      if (c === c) {
        this.flags.add('cheat_on_close');
        this.usedVolume[s] = 0;
        this.execute(o, s, i, t, c, S.volume[i]);
      }
      if (isOpen(o.status)) {
        // not fillable at this close (no bar yet, volume cap): from now on it works as a next-bar order
        if (o.tif === 'ioc') this.end(o, 'canceled', 'ioc_remainder', t);
        else if (o.tif === 'fok') this.end(o, 'canceled', 'fok_unfilled', t);
        else o.onClose = false;
      }
    }
    for (let s = 0; s < this.pending.length; s++) this.compact(s);
  }

  /** Try to fill order o at price px (before slippage) on bar i of symbol s. */
  private execute(o: SimOrder, s: number, i: number, t: number, px: number, barVolume: number): void {
    const pf = this.pf;
    const cfg = this.cfg;
    // size at fill time
    const wasSized = o.sized;
    if (o.sized) {
      let side: Side = o.side;
      let q: number;
      if (o.targetWeight === o.targetWeight) {
        const w = o.targetWeight;
        const target = (w * pf.equity()) / px;
        const delta = target - pf.pos[s];
        side = delta >= 0 ? 'buy' : 'sell';
        q = this.cfg.weightSizer(w).qty(this.sizerInput(side, px, s, t, i));
      } else {
        q = cfg.sizer.qty(this.sizerInput(side, px, s, t, i));
      }
      if (!(q > 0)) {
        this.end(o, 'canceled', 'zero_qty', t, `sizer ${o.targetWeight === o.targetWeight ? `weight:${o.targetWeight}` : cfg.sizer.spec} gave 0 at ${px}`);
        return;
      }
      o.side = side;
      o.qty = q;
      o.sized = false;
    }
    let q = o.qty - o.filledQty;
    // volume participation
    if (this.participation !== Infinity) {
      const cap = Math.floor(this.participation * (barVolume === barVolume ? barVolume : 0)) - this.usedVolume[s];
      if (o.tif === 'fok' && cap < q) return;
      if (cap <= 0) return;
      if (cap < q) q = cap;
    }
    const bar = { series: this.series[s], i };
    let price = cfg.slippage.price(o.side, q, px, bar, this.slipState[s]);
    // a limit order never executes beyond its limit
    if (o.limitPrice !== undefined && (o.type === 'limit' || o.type === 'stop_limit')) {
      price = o.side === 'buy' ? Math.min(price, o.limitPrice) : Math.max(price, o.limitPrice);
    }
    let fee = cfg.commission.fee({ side: o.side, qty: q, price, orderFilledBefore: o.filledQty, orderFeeBefore: o.commission, orderValueBefore: o.filledQty * o.avgFillPrice, ts: t });
    // buys sized from cash must not overdraw it once slippage is known: size again at the slipped price
    if (wasSized && o.side === 'buy' && q * price + fee > pf.cash) {
      const sizer = o.targetWeight === o.targetWeight ? cfg.weightSizer(o.targetWeight) : cfg.sizer;
      const q2 = Math.min(q, sizer.qty(this.sizerInput('buy', price, s, t, i)));
      if (!(q2 > 0)) {
        this.end(o, 'canceled', 'no_cash', t, `cannot afford one unit at ${price}`);
        return;
      }
      q = q2;
      o.qty = q2;
      price = cfg.slippage.price(o.side, q, px, bar, this.slipState[s], false);
      fee = cfg.commission.fee({ side: o.side, qty: q, price, orderFilledBefore: o.filledQty, orderFeeBefore: o.commission, orderValueBefore: o.filledQty * o.avgFillPrice, ts: t });
    }
    const dq = o.side === 'buy' ? q : -q;
    if (this.risk) {
      const rej = this.risk.checkFill(s, dq, price, this.riskView);
      if (rej) {
        this.rejectForRisk(o, rej);
        return;
      }
    }
    // margin: an order that increases exposure must keep gross ≤ leverage × equity
    const p0 = pf.pos[s];
    if (Math.abs(p0 + dq) > Math.abs(p0)) {
      const m = pf.mark[s];
      const markNow = m === m ? m : price;
      const grossAfter = pf.gross() - Math.abs(p0 * markNow) + Math.abs((p0 + dq) * price);
      // this symbol re-marked at the fill price; the fill itself moves cash and position value equally
      const equityAfter = pf.equity() - p0 * markNow + p0 * price - fee;
      if (grossAfter > cfg.leverage * equityAfter * (1 + 1e-12) + 1e-9) {
        this.end(o, 'rejected', 'margin', t, `gross exposure ${grossAfter.toFixed(2)} would exceed ${cfg.leverage} × equity ${equityAfter.toFixed(2)}`);
        return;
      }
    }
    this.applyFill(o, s, i, t, q, price, fee, px);
  }

  /** Book a fill of q at price (px: the price before slippage) into the portfolio and the order. */
  private applyFill(o: SimOrder, s: number, i: number, t: number, q: number, price: number, fee: number, px: number): void {
    const pf = this.pf;
    const cfg = this.cfg;
    const closedBefore = pf.tradeCount;
    pf.fill(s, o.side, q, price, fee, t, i, o.no, px, o.tag);
    cfg.events?.filled(o, q, price, fee, t);
    if (this.risk) for (let j = closedBefore; j < pf.tradeCount; j++) this.risk.onTradeClosed(t, pf.closedNet(j));
    cfg.commission.charged?.({ side: o.side, qty: q, price, orderFilledBefore: o.filledQty, orderFeeBefore: o.commission, ts: t });
    o.avgFillPrice = (o.avgFillPrice * o.filledQty + price * q) / (o.filledQty + q);
    o.filledQty += q;
    o.commission += fee;
    this.usedVolume[s] += q;
    if (o.status === 'new') transition(o, 'accepted');
    if (o.filledQty >= o.qty - 1e-9) {
      transition(o, 'filled');
      this.afterFill(o, i);
    } else {
      transition(o, 'partially_filled');
      this.cancelOco(o, t);
    }
  }

  private sizerInput(side: Side, price: number, s: number, t: number, i: number): SizerInput {
    const pf = this.pf;
    return { side, price, cash: pf.cash, equity: pf.equity(), position: pf.pos[s], commission: this.cfg.commission, ts: t, integer: this.integer, bar: { series: this.series[s], i }, closed: this.closedStats };
  }
  private readonly closedStats = () => this.pf.closedNetStats();

  /** after a complete fill: cancel OCO siblings, activate bracket children */
  private afterFill(o: SimOrder, i: number): void {
    this.cancelOco(o, this.t);
    if (o.children) {
      for (const c of o.children) {
        c.waiting = false;
        c.qty = o.filledQty;
        c.eligibleFrom = i + 1;
        if (c.type === 'trailing_stop' && c.stopPrice === undefined) trailAdjust(c, this.pf.mark[o.sym]);
      }
    }
  }

  private cancelOco(o: SimOrder, t: number): void {
    if (o.ocoGroup === undefined) return;
    for (const x of this.pending[o.sym]) {
      if (x !== o && x.ocoGroup === o.ocoGroup && isOpen(x.status)) this.end(x, 'canceled', 'oco', t);
    }
  }

  private riskNow: RiskRejection | null = null;

  private rejectForRisk(o: SimOrder, r: RiskRejection): void {
    // a partly filled order keeps its fills and is canceled for the rest
    this.riskNow = r;
    try {
      this.end(o, o.filledQty > 0 ? 'canceled' : 'rejected', 'risk_limit', this.t, `${r.rule}: ${r.detail}`);
    } finally {
      this.riskNow = null;
    }
  }

  /** The rejection recorded for an order (with the risk rule, limit and value when a limit refused it). */
  rejectionOf(orderId: string): Rejection | undefined {
    for (let k = this.rejections.length - 1; k >= 0; k--) if (this.rejections[k].orderId === orderId) return this.rejections[k];
    return undefined;
  }

  private end(o: SimOrder, status: 'canceled' | 'rejected' | 'expired' | 'replaced', reason: EndReason, t: number, detail?: string): void {
    if (o.status === 'new' && status !== 'rejected' && status !== 'canceled') transition(o, 'accepted');
    transition(o, status);
    o.endReason = reason;
    if (status === 'rejected' || reason === 'no_cash' || reason === 'zero_qty' || reason === 'risk_limit') {
      const r = this.riskNow;
      this.rejections.push({ ts: t, orderId: o.id, symbol: o.symbol, reason, detail: detail ?? reason, ...(r ? { rule: r.rule, limit: r.limit, value: r.value } : {}) });
    }
    this.cfg.events?.ended(o, t);
    if (!o.children) return;
    for (const c of o.children) {
      if (!c.waiting || !isOpen(c.status)) continue;
      if (o.filledQty === 0) this.end(c, 'canceled', 'parent_canceled', t);
      else {
        // a partly filled parent that ends: its children protect what was filled
        c.waiting = false;
        c.qty = o.filledQty;
        c.eligibleFrom = this.idx[o.sym] + 1;
      }
    }
  }

  private compact(s: number): void {
    const list = this.pending[s];
    let w = 0;
    for (let k = 0; k < list.length; k++) if (isOpen(list[k].status)) list[w++] = list[k];
    list.length = w;
  }

  // ------------------------------------------------------------------ context: data

  count(s: number): number {
    return this.idx[s] + 1;
  }
  private at(col: 'open' | 'high' | 'low' | 'close' | 'volume' | 'ts', s: number, ago: number): number {
    if (ago < 0 || ago !== Math.floor(ago)) throw new RangeError(`bars can only be read back in time: ago=${ago} (no look-ahead)`);
    const j = this.idx[s] - ago;
    return j >= 0 ? this.series[s][col][j] : NaN;
  }
  open(s: number, ago = 0): number {
    return this.at('open', s, ago);
  }
  high(s: number, ago = 0): number {
    return this.at('high', s, ago);
  }
  low(s: number, ago = 0): number {
    return this.at('low', s, ago);
  }
  close(s: number, ago = 0): number {
    if (ago === 0) {
      const j = this.idx[s];
      return j >= 0 ? this.series[s].close[j] : NaN;
    }
    return this.at('close', s, ago);
  }
  volume(s: number, ago = 0): number {
    return this.at('volume', s, ago);
  }
  time(s: number, ago = 0): number {
    return this.at('ts', s, ago);
  }

  indicator(s: number, name: string, params?: number[]): BoundIndicator {
    if (!this.inInit) throw new Error('create indicators in init(), not in onBar()');
    const spec = specByName(name);
    if (!spec) {
      const near = nearest(name, ALL_SPECS.map((x) => x.name));
      throw new UsageError(`unknown indicator '${name}'${near ? ` (did you mean ${near}?)` : ''}; see alphatrade features list`);
    }
    const p = params ?? spec.params.map((x) => x.default);
    if (p.length !== spec.params.length) throw new UsageError(`indicator ${name} takes ${spec.params.length} parameter(s) (${spec.params.map((x) => x.name).join(', ')}); got ${p.length}`);
    if (spec.needs?.includes('benchmark')) throw new UsageError(`indicator ${name} needs a benchmark series; strategies cannot use it yet`);
    const b = new Bound(spec.stream(p, this.series[s].tz), spec.outputs.length);
    this.bound[s].push(b);
    return b;
  }

  stream(s: number, stream: CustomStream, outputs = 1): BoundIndicator {
    if (!this.inInit) throw new Error('create streams in init(), not in onBar()');
    const b = new Bound(stream, outputs);
    this.bound[s].push(b);
    return b;
  }

  // ------------------------------------------------------------------ context: account

  position(s: number): number {
    return this.pf.pos[s];
  }
  avgPrice(s: number): number {
    return this.pf.avg[s];
  }
  get cash(): number {
    return this.pf.cash;
  }
  get equity(): number {
    return this.pf.equity();
  }

  // ------------------------------------------------------------------ context: orders

  order(s: number, req: OrderRequest): string {
    if (!this.inBar) throw new Error('orders can be placed only from onBar()');
    if (this.t < this.tradeFrom) return '';
    if (!(s >= 0 && s < this.symbols.length)) throw new RangeError(`no symbol index ${s}`);
    const type = req.type ?? 'market';
    const tif = req.tif ?? 'gtc';
    const onClose = this.onCloseFill && type === 'market';
    const o = createOrder({
      sym: s,
      symbol: this.symbols[s],
      side: req.side,
      type,
      qty: req.qty,
      limitPrice: req.limitPrice,
      stopPrice: req.stopPrice,
      trailPercent: req.trailPercent,
      trailAmount: req.trailAmount,
      tif,
      createdAt: this.t,
      eligibleFrom: this.idx[s] + 1,
      ocoGroup: req.ocoGroup,
      tag: req.tag,
      onClose,
    });
    if (o.type === 'trailing_stop' && o.stopPrice === undefined && (o.trailPercent !== undefined || o.trailAmount !== undefined)) {
      const c = this.pf.mark[s];
      if (c === c) trailAdjust(o, c);
    }
    return this.submit(o, req);
  }

  private submit(o: SimOrder, req?: Partial<OrderRequest>): string {
    this.orderLog.push(o);
    const err = validateOrder(o);
    if (err) {
      this.end(o, 'rejected', 'risk', this.t, err);
      return o.id;
    }
    if (this.risk) {
      const p = this.pf.pos[o.sym];
      // reduces: a sell of at most a long (a buy of at most a short), or a target weight of zero
      const reducing = o.targetWeight === o.targetWeight ? o.targetWeight === 0 : o.qty !== undefined && !o.sized && p !== 0 && (o.side === 'sell') === p > 0 && o.qty <= Math.abs(p) + 1e-9;
      const rej = this.risk.checkPlacement(this.t, o.sym, reducing, this.riskView);
      if (rej) {
        this.rejectForRisk(o, rej);
        return o.id;
      }
    }
    if (this.cfg.external && o.sized) {
      // the broker needs a quantity now: size at the last close
      const s = o.sym;
      const px = this.pf.mark[s];
      const i = Math.max(0, this.idx[s]);
      let side: Side = o.side;
      let q = 0;
      if (px === px && px > 0) {
        if (o.targetWeight === o.targetWeight) {
          const delta = (o.targetWeight * this.pf.equity()) / px - this.pf.pos[s];
          side = delta >= 0 ? 'buy' : 'sell';
          q = this.cfg.weightSizer(o.targetWeight).qty(this.sizerInput(side, px, s, this.t, i));
        } else q = this.cfg.sizer.qty(this.sizerInput(side, px, s, this.t, i));
      }
      if (!(q > 0)) {
        this.end(o, 'canceled', 'zero_qty', this.t, `sized 0 at ${px}`);
        return o.id;
      }
      o.side = side;
      o.qty = q;
      o.sized = false;
    }
    transition(o, 'accepted');
    this.pending[o.sym].push(o);
    this.cfg.events?.placed(o, this.t);
    if (o.onClose) this.closeQueue.push(o);
    if (req && (req.takeProfit !== undefined || req.stopLoss !== undefined)) {
      const exit: Side = o.side === 'buy' ? 'sell' : 'buy';
      const group = `bracket-${o.id}`;
      o.children = [];
      const mk = (type: 'limit' | 'stop', price: number, tag: string) => {
        const c = createOrder({
          sym: o.sym,
          symbol: o.symbol,
          side: exit,
          type,
          qty: o.qty || 1,
          limitPrice: type === 'limit' ? price : undefined,
          stopPrice: type === 'stop' ? price : undefined,
          tif: 'gtc',
          createdAt: this.t,
          eligibleFrom: Number.MAX_SAFE_INTEGER,
          ocoGroup: group,
          parentId: o.id,
          tag,
        });
        c.waiting = true;
        transition(c, 'accepted');
        this.orderLog.push(c);
        this.pending[o.sym].push(c);
        o.children!.push(c);
      };
      if (req.takeProfit !== undefined) mk('limit', req.takeProfit, 'take_profit');
      if (req.stopLoss !== undefined) mk('stop', req.stopLoss, 'stop_loss');
    }
    return o.id;
  }

  buy(s: number, qty?: number, req?: Partial<OrderRequest>): string {
    return this.order(s, { ...req, side: 'buy', qty: qty ?? req?.qty });
  }
  sell(s: number, qty?: number, req?: Partial<OrderRequest>): string {
    return this.order(s, { ...req, side: 'sell', qty: qty ?? req?.qty });
  }
  closePosition(s: number, req?: Partial<OrderRequest>): string {
    const p = this.pf.pos[s];
    if (p === 0) return '';
    return this.order(s, { ...req, side: p > 0 ? 'sell' : 'buy', qty: Math.abs(p), type: req?.type ?? 'market' });
  }
  targetWeight(s: number, weight: number, req?: Partial<OrderRequest>): string {
    if (!Number.isFinite(weight)) throw new RangeError(`target weight must be a number, got ${weight}`);
    if (!this.inBar) throw new Error('orders can be placed only from onBar()');
    if (this.t < this.tradeFrom) return '';
    const o = createOrder({
      sym: s,
      symbol: this.symbols[s],
      side: weight * this.pf.equity() >= this.pf.pos[s] * (this.pf.mark[s] || 0) ? 'buy' : 'sell',
      type: 'market',
      qty: undefined,
      targetWeight: weight,
      tif: req?.tif ?? 'gtc',
      createdAt: this.t,
      eligibleFrom: this.idx[s] + 1,
      tag: req?.tag,
      onClose: this.onCloseFill,
    });
    return this.submit(o);
  }
  /** ids are `o<number>` in placement order: the order log is the index */
  private orderById(id: string): SimOrder | undefined {
    const no = Number(id.slice(1));
    const o = id.charCodeAt(0) === 111 /* o */ && no >= 1 ? this.orderLog[no - 1] : undefined;
    return o && o.id === id ? o : this.orderLog.find((x) => x.id === id);
  }

  cancel(id: string): void {
    const o = this.orderById(id);
    if (o && isOpen(o.status)) this.end(o, 'canceled', 'canceled', this.t);
  }
  replace(id: string, changes: { qty?: number; limitPrice?: number; stopPrice?: number }): string {
    const o = this.orderById(id);
    if (!o) throw new RangeError(`no order ${id}`);
    if (!isOpen(o.status)) return '';
    const req: OrderRequest = {
      side: o.side,
      type: o.type,
      qty: changes.qty ?? (o.sized ? undefined : o.qty - o.filledQty),
      limitPrice: changes.limitPrice ?? o.limitPrice,
      stopPrice: changes.stopPrice ?? o.stopPrice,
      trailPercent: o.trailPercent,
      trailAmount: o.trailAmount,
      tif: o.tif,
      ocoGroup: o.ocoGroup,
      tag: o.tag,
    };
    this.end(o, 'replaced', 'replaced', this.t);
    const nid = this.order(o.sym, req);
    o.replacedBy = nid;
    return nid;
  }
  openOrders(s?: number): OrderView[] {
    const out: OrderView[] = [];
    const from = s ?? 0;
    const to = s === undefined ? this.pending.length : s + 1;
    for (let k = from; k < to; k++) for (const o of this.pending[k]) if (isOpen(o.status)) out.push(o);
    return out;
  }

  log(msg: string): void {
    if (this.logs.length < 10_000) this.logs.push(`${new Date(this.t).toISOString()} ${msg}`);
  }
}

function logEntry(o: SimOrder): OrderLogEntry {
  const e: OrderLogEntry = {
    id: o.id,
    placedAt: o.createdAt,
    symbol: o.symbol,
    side: o.placedSide,
    type: o.type,
    qty: o.placedQty === o.placedQty ? o.placedQty : null,
    status: o.status,
    filledQty: o.filledQty,
    avgFillPrice: o.avgFillPrice,
  };
  if (o.limitPrice !== undefined) e.limitPrice = o.limitPrice;
  if (o.stopPrice !== undefined) e.stopPrice = o.stopPrice;
  if (o.endReason !== undefined) e.endReason = o.endReason;
  if (o.tag !== undefined) e.tag = o.tag;
  return e;
}
