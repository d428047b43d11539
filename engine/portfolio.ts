/**
 * Cash, positions (long and short), average cost, realized P&L and round-trip trades, shared by the event-driven
 * and vectorized backtesters and the paper broker.
 *
 * Accounting (average-cost, like backtrader's Position): a fill that increases a position moves the average price
 * to the quantity-weighted mean; a fill that reduces it realizes (price − avg) × qty × direction and leaves the
 * average unchanged; a fill through zero closes the position and opens the opposite one at the fill price.
 * Cash moves by −signedQty × price − commission on every fill (a short sale adds its proceeds). Equity is cash plus
 * every position at its mark (the symbol's last close).
 *
 * A trade is a round trip: it opens when a position leaves zero and closes when it returns to zero (a reversal
 * closes one trade and opens another; the reversing fill's commission is split by quantity). Its `pnl` is the gross
 * price P&L (slippage is already in the fill prices); `commission` is what its fills paid. So over a run:
 * Σ closed pnl + Σ open unrealized − Σ commission = final equity − initial cash.
 */
import type { Side } from '../src/types.ts';

export interface TradeRecord {
  symbol: string;
  /** 'long' | 'short' */
  side: 'long' | 'short';
  /** largest absolute position during the trade */
  qty: number;
  entryTime: number;
  /** quantity-weighted average of the fills that opened or increased the position */
  entryPrice: number;
  exitTime: number;
  /** quantity-weighted average of the fills that reduced or closed it */
  exitPrice: number;
  /** gross price P&L */
  pnl: number;
  commission: number;
  /** bars held (bars of this symbol from entry fill to exit fill) */
  bars: number;
  /** still open at the end of the run: exit = last mark, pnl = unrealized */
  open: boolean;
  tag?: string;
}

export interface FillRecord {
  orderId: string;
  symbol: string;
  side: Side;
  qty: number;
  price: number;
  /** price before slippage */
  refPrice: number;
  commission: number;
  /** slippage cost in cash: |price − ref| × qty */
  slippage: number;
  ts: number;
}

/**
 * A growable table of numbers (one Float64Array, `width` columns per row), for fills and closed trades: the run
 * allocates no object per fill (allocation is the slow part on small VMs); rows become objects only when asked for.
 */
class Rows {
  data: Float64Array;
  n = 0;
  constructor(
    readonly width: number,
    // small to start (it doubles as it fills): a sweep makes a Portfolio per run, and a fresh 1,024-row log of zeros
    // per run cost ~0.25 ms of allocation there
    rows = 64,
  ) {
    this.data = new Float64Array(width * rows);
  }
  /** index of a new row's first cell */
  add(): number {
    if ((this.n + 1) * this.width > this.data.length) {
      const d = new Float64Array(this.data.length * 2);
      d.set(this.data);
      this.data = d;
    }
    return this.n++ * this.width;
  }
}

// fill columns
const F_ORDER = 0, F_SYM = 1, F_SIDE = 2, F_QTY = 3, F_PRICE = 4, F_REF = 5, F_COMM = 6, F_SLIP = 7, F_TS = 8, F_W = 9;
// trade columns (closed trades)
const T_SYM = 0, T_DIR = 1, T_QTY = 2, T_ENTRY_T = 3, T_ENTRY_P = 4, T_EXIT_T = 5, T_EXIT_P = 6, T_PNL = 7, T_COMM = 8, T_BARS = 9, T_W = 10;

export class Portfolio {
  cash: number;
  readonly initialCash: number;
  /** signed positions, average prices, marks (last close), realized P&L, per symbol index */
  readonly pos: Float64Array;
  readonly avg: Float64Array;
  readonly mark: Float64Array;
  readonly realized: Float64Array;
  commissionPaid = 0;
  slippagePaid = 0;
  /** keep every fill (tests, reports); off for sweeps */
  recordFills = true;
  /** order ids are `${prefix}${number}` */
  private readonly fillRows = new Rows(F_W);
  private readonly tradeRows = new Rows(T_W);
  private readonly tradeTags = new Map<number, string>();
  // the open trade of each symbol (dir 0 = none)
  private readonly oDir: Float64Array;
  private readonly oEntryTime: Float64Array;
  private readonly oEntryBar: Float64Array;
  private readonly oQtyIn: Float64Array;
  private readonly oValueIn: Float64Array;
  private readonly oQtyOut: Float64Array;
  private readonly oValueOut: Float64Array;
  private readonly oMaxQty: Float64Array;
  private readonly oPnl: Float64Array;
  private readonly oComm: Float64Array;
  private readonly oTag: (string | undefined)[];

  constructor(
    readonly symbols: readonly string[],
    cash: number,
    private readonly idPrefix = 'o',
  ) {
    const n = symbols.length;
    this.cash = cash;
    this.initialCash = cash;
    const f = () => new Float64Array(n);
    this.pos = f();
    this.avg = f();
    this.mark = f().fill(NaN);
    this.realized = f();
    this.oDir = f();
    this.oEntryTime = f();
    this.oEntryBar = f();
    this.oQtyIn = f();
    this.oValueIn = f();
    this.oQtyOut = f();
    this.oValueOut = f();
    this.oMaxQty = f();
    this.oPnl = f();
    this.oComm = f();
    this.oTag = new Array<string | undefined>(n).fill(undefined);
  }

  /** Σ |position × mark| as of the last `equity()` call */
  lastGross = 0;

  /**
   * Cash plus positions at their marks (a position whose symbol has no mark yet counts at its average price); also
   * sets `lastGross` in the same pass.
   */
  equity(): number {
    let e = this.cash;
    let g = 0;
    const pos = this.pos;
    const mark = this.mark;
    for (let s = 0; s < pos.length; s++) {
      const q = pos[s];
      if (q !== 0) {
        const m = mark[s];
        const v = q * (m === m ? m : this.avg[s]);
        e += v;
        g += v < 0 ? -v : v;
      }
    }
    this.lastGross = g;
    return e;
  }

  /** Σ |position × mark| */
  gross(): number {
    let g = 0;
    for (let s = 0; s < this.pos.length; s++) {
      const q = this.pos[s];
      if (q !== 0) {
        const m = this.mark[s];
        g += Math.abs(q * (m === m ? m : this.avg[s]));
      }
    }
    return g;
  }

  get fillCount(): number {
    return this.fillRows.n;
  }
  get tradeCount(): number {
    return this.tradeRows.n;
  }

  /**
   * Apply one fill. `bar` is the symbol's bar index (for holding time), `ts` the fill bar's time, `orderNo` the
   * order's number (its id is the prefix and this number). Returns the realized P&L of this fill.
   */
  fill(sym: number, side: Side, qty: number, price: number, commission: number, ts: number, bar: number, orderNo: number, refPrice: number, tag?: string): number {
    const dq = side === 'buy' ? qty : -qty;
    this.cash -= dq * price + commission;
    this.commissionPaid += commission;
    const slip = Math.abs(price - refPrice) * qty;
    this.slippagePaid += slip;
    if (this.recordFills) {
      const r = this.fillRows;
      const k = r.add();
      const d = r.data;
      d[k + F_ORDER] = orderNo;
      d[k + F_SYM] = sym;
      d[k + F_SIDE] = dq > 0 ? 1 : -1;
      d[k + F_QTY] = qty;
      d[k + F_PRICE] = price;
      d[k + F_REF] = refPrice;
      d[k + F_COMM] = commission;
      d[k + F_SLIP] = slip;
      d[k + F_TS] = ts;
    }
    const q0 = this.pos[sym];
    const q1 = q0 + dq;
    if (q0 === 0 || (q0 > 0) === (dq > 0)) {
      // open or increase
      if (this.oDir[sym] === 0) this.startTrade(sym, dq > 0 ? 1 : -1, ts, bar, tag);
      this.avg[sym] = (this.avg[sym] * Math.abs(q0) + price * qty) / Math.abs(q1);
      this.oQtyIn[sym] += qty;
      this.oValueIn[sym] += qty * price;
      this.oComm[sym] += commission;
      if (Math.abs(q1) > this.oMaxQty[sym]) this.oMaxQty[sym] = Math.abs(q1);
      this.pos[sym] = q1;
      return 0;
    }
    // reduce, close or reverse
    const a0 = Math.abs(q0);
    const closing = qty < a0 ? qty : a0;
    const dir = q0 > 0 ? 1 : -1;
    const realized = (price - this.avg[sym]) * closing * dir;
    this.realized[sym] += realized;
    this.oQtyOut[sym] += closing;
    this.oValueOut[sym] += closing * price;
    this.oPnl[sym] += realized;
    const share = closing / qty;
    this.oComm[sym] += commission * share;
    const rest = qty - closing;
    const tol = 1e-9 * a0;
    if (rest > tol) {
      // reversal: close this trade, open the opposite one with the rest at the fill price
      this.closeTrade(sym, ts, bar);
      this.startTrade(sym, dq > 0 ? 1 : -1, ts, bar, tag);
      this.oQtyIn[sym] = rest;
      this.oValueIn[sym] = rest * price;
      this.oMaxQty[sym] = rest;
      this.oComm[sym] = commission * (1 - share);
      this.pos[sym] = q1;
      this.avg[sym] = price;
    } else if (Math.abs(q1) <= tol) {
      this.pos[sym] = 0;
      this.avg[sym] = 0;
      this.closeTrade(sym, ts, bar);
    } else {
      this.pos[sym] = q1;
    }
    return realized;
  }

  private startTrade(sym: number, dir: number, ts: number, bar: number, tag?: string): void {
    this.oDir[sym] = dir;
    this.oEntryTime[sym] = ts;
    this.oEntryBar[sym] = bar;
    this.oQtyIn[sym] = 0;
    this.oValueIn[sym] = 0;
    this.oQtyOut[sym] = 0;
    this.oValueOut[sym] = 0;
    this.oMaxQty[sym] = 0;
    this.oPnl[sym] = 0;
    this.oComm[sym] = 0;
    this.oTag[sym] = tag;
  }

  private closeTrade(sym: number, ts: number, bar: number): void {
    const r = this.tradeRows;
    const k = r.add();
    const d = r.data;
    d[k + T_SYM] = sym;
    d[k + T_DIR] = this.oDir[sym];
    d[k + T_QTY] = this.oMaxQty[sym];
    d[k + T_ENTRY_T] = this.oEntryTime[sym];
    d[k + T_ENTRY_P] = this.oValueIn[sym] / this.oQtyIn[sym];
    d[k + T_EXIT_T] = ts;
    d[k + T_EXIT_P] = this.oQtyOut[sym] > 0 ? this.oValueOut[sym] / this.oQtyOut[sym] : NaN;
    d[k + T_PNL] = this.oPnl[sym];
    d[k + T_COMM] = this.oComm[sym];
    d[k + T_BARS] = bar - this.oEntryBar[sym];
    const tag = this.oTag[sym];
    if (tag !== undefined) this.tradeTags.set(r.n - 1, tag);
    this.oDir[sym] = 0;
  }

  /** Closed trades' net P&L (pnl − commission) summed as win rate and profit factor need it, without building records. */
  /** net P&L (pnl − commission) of closed trade j (0 = the first closed) */
  closedNet(j: number): number {
    const d = this.tradeRows.data;
    return d[j * T_W + T_PNL] - d[j * T_W + T_COMM];
  }

  closedNetStats(): { n: number; wins: number; grossWin: number; grossLoss: number } {
    const d = this.tradeRows.data;
    const out = { n: this.tradeRows.n, wins: 0, grossWin: 0, grossLoss: 0 };
    for (let j = 0; j < this.tradeRows.n; j++) {
      const x = d[j * T_W + T_PNL] - d[j * T_W + T_COMM];
      if (x > 0) {
        out.wins++;
        out.grossWin += x;
      } else if (x < 0) out.grossLoss -= x;
    }
    return out;
  }

  /** closed trades as records (built on each call) */
  get trades(): TradeRecord[] {
    const out: TradeRecord[] = [];
    const d = this.tradeRows.data;
    for (let j = 0; j < this.tradeRows.n; j++) {
      const k = j * T_W;
      const rec: TradeRecord = {
        symbol: this.symbols[d[k + T_SYM]],
        side: d[k + T_DIR] > 0 ? 'long' : 'short',
        qty: d[k + T_QTY],
        entryTime: d[k + T_ENTRY_T],
        entryPrice: d[k + T_ENTRY_P],
        exitTime: d[k + T_EXIT_T],
        exitPrice: d[k + T_EXIT_P],
        pnl: d[k + T_PNL],
        commission: d[k + T_COMM],
        bars: d[k + T_BARS],
        open: false,
      };
      const tag = this.tradeTags.get(j);
      if (tag !== undefined) rec.tag = tag;
      out.push(rec);
    }
    return out;
  }

  /** fills as records (built on each call; empty when recordFills is off) */
  get fills(): FillRecord[] {
    const out: FillRecord[] = [];
    const d = this.fillRows.data;
    for (let j = 0; j < this.fillRows.n; j++) {
      const k = j * F_W;
      out.push({
        orderId: `${this.idPrefix}${d[k + F_ORDER]}`,
        symbol: this.symbols[d[k + F_SYM]],
        side: d[k + F_SIDE] > 0 ? 'buy' : 'sell',
        qty: d[k + F_QTY],
        price: d[k + F_PRICE],
        refPrice: d[k + F_REF],
        commission: d[k + F_COMM],
        slippage: d[k + F_SLIP],
        ts: d[k + F_TS],
      });
    }
    return out;
  }

  /**
   * Trades still open at the end, marked at the last close: exit price = the mark, pnl = realized part + unrealized.
   * Does not change the portfolio; returns new records.
   */
  openTrades(ts: number, barOf: (sym: number) => number): TradeRecord[] {
    const out: TradeRecord[] = [];
    for (let s = 0; s < this.pos.length; s++) {
      if (this.oDir[s] === 0) continue;
      const m = this.mark[s];
      const rec: TradeRecord = {
        symbol: this.symbols[s],
        side: this.oDir[s] > 0 ? 'long' : 'short',
        qty: this.oMaxQty[s],
        entryTime: this.oEntryTime[s],
        entryPrice: this.oValueIn[s] / this.oQtyIn[s],
        exitTime: ts,
        exitPrice: m,
        pnl: this.oPnl[s] + (m - this.avg[s]) * this.pos[s],
        commission: this.oComm[s],
        bars: barOf(s) - this.oEntryBar[s],
        open: true,
      };
      const tag = this.oTag[s];
      if (tag !== undefined) rec.tag = tag;
      out.push(rec);
    }
    return out;
  }
}
