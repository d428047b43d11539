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

interface OpenTrade {
  dir: number;
  entryTime: number;
  entryBar: number;
  qtyIn: number;
  valueIn: number;
  qtyOut: number;
  valueOut: number;
  maxQty: number;
  pnl: number;
  commission: number;
  tag?: string;
}

export class Portfolio {
  cash: number;
  readonly initialCash: number;
  /** signed positions, average prices, marks (last close), realized P&L, per symbol index */
  readonly pos: Float64Array;
  readonly avg: Float64Array;
  readonly mark: Float64Array;
  readonly realized: Float64Array;
  readonly trades: TradeRecord[] = [];
  readonly fills: FillRecord[] = [];
  commissionPaid = 0;
  slippagePaid = 0;
  private readonly open: (OpenTrade | null)[];
  /** keep every fill (tests, reports); off for sweeps */
  recordFills = true;

  constructor(
    readonly symbols: readonly string[],
    cash: number,
  ) {
    const n = symbols.length;
    this.cash = cash;
    this.initialCash = cash;
    this.pos = new Float64Array(n);
    this.avg = new Float64Array(n);
    this.mark = new Float64Array(n).fill(NaN);
    this.realized = new Float64Array(n);
    this.open = new Array<OpenTrade | null>(n).fill(null);
  }

  /** cash plus positions at their marks (a position whose symbol has no mark yet counts at its average price) */
  equity(): number {
    let e = this.cash;
    const pos = this.pos;
    const mark = this.mark;
    for (let s = 0; s < pos.length; s++) {
      const q = pos[s];
      if (q !== 0) {
        const m = mark[s];
        e += q * (m === m ? m : this.avg[s]);
      }
    }
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

  /**
   * Apply one fill. `bar` is the symbol's bar index (for holding time), `ts` the fill bar's time. Returns the
   * realized P&L of this fill.
   */
  fill(sym: number, side: Side, qty: number, price: number, commission: number, ts: number, bar: number, orderId: string, refPrice: number, tag?: string): number {
    const dq = side === 'buy' ? qty : -qty;
    this.cash -= dq * price + commission;
    this.commissionPaid += commission;
    const slip = Math.abs(price - refPrice) * qty;
    this.slippagePaid += slip;
    if (this.recordFills) {
      this.fills.push({ orderId, symbol: this.symbols[sym], side, qty, price, refPrice, commission, slippage: slip, ts });
    }
    const q0 = this.pos[sym];
    const q1 = q0 + dq;
    let realized = 0;
    if (q0 === 0 || Math.sign(q0) === Math.sign(dq)) {
      // open or increase
      const t = this.open[sym] ?? this.startTrade(sym, Math.sign(dq), ts, bar, tag);
      this.avg[sym] = (this.avg[sym] * Math.abs(q0) + price * qty) / Math.abs(q1);
      t.qtyIn += qty;
      t.valueIn += qty * price;
      t.commission += commission;
      if (Math.abs(q1) > t.maxQty) t.maxQty = Math.abs(q1);
      this.pos[sym] = q1;
      return 0;
    }
    // reduce, close or reverse
    const closing = Math.min(qty, Math.abs(q0));
    const dir = Math.sign(q0);
    realized = (price - this.avg[sym]) * closing * dir;
    this.realized[sym] += realized;
    const t = this.open[sym]!;
    t.qtyOut += closing;
    t.valueOut += closing * price;
    t.pnl += realized;
    const share = closing / qty;
    t.commission += commission * share;
    const rest = qty - closing;
    const tol = 1e-9 * Math.abs(q0);
    if (rest > tol) {
      // reversal: close this trade, open the opposite one with the rest at the fill price
      this.closeTrade(sym, ts, bar, false);
      const nt = this.startTrade(sym, Math.sign(dq), ts, bar, tag);
      nt.qtyIn = rest;
      nt.valueIn = rest * price;
      nt.maxQty = rest;
      nt.commission = commission * (1 - share);
      this.pos[sym] = q1;
      this.avg[sym] = price;
    } else if (Math.abs(q1) <= tol) {
      this.pos[sym] = 0;
      this.avg[sym] = 0;
      this.closeTrade(sym, ts, bar, false);
    } else {
      this.pos[sym] = q1;
    }
    return realized;
  }

  private startTrade(sym: number, dir: number, ts: number, bar: number, tag?: string): OpenTrade {
    const t: OpenTrade = { dir, entryTime: ts, entryBar: bar, qtyIn: 0, valueIn: 0, qtyOut: 0, valueOut: 0, maxQty: 0, pnl: 0, commission: 0 };
    if (tag !== undefined) t.tag = tag;
    this.open[sym] = t;
    return t;
  }

  private closeTrade(sym: number, ts: number, bar: number, open: boolean): void {
    const t = this.open[sym]!;
    this.trades.push(this.record(sym, t, ts, t.qtyOut > 0 ? t.valueOut / t.qtyOut : NaN, t.pnl, bar, open));
    this.open[sym] = null;
  }

  private record(sym: number, t: OpenTrade, exitTime: number, exitPrice: number, pnl: number, bar: number, open: boolean): TradeRecord {
    const rec: TradeRecord = {
      symbol: this.symbols[sym],
      side: t.dir > 0 ? 'long' : 'short',
      qty: t.maxQty,
      entryTime: t.entryTime,
      entryPrice: t.valueIn / t.qtyIn,
      exitTime,
      exitPrice,
      pnl,
      commission: t.commission,
      bars: bar - t.entryBar,
      open,
    };
    if (t.tag !== undefined) rec.tag = t.tag;
    return rec;
  }

  /**
   * Trades still open at the end, marked at the last close: exit price = the mark, pnl = realized part + unrealized.
   * Does not change the portfolio; returns new records.
   */
  openTrades(ts: number, barOf: (sym: number) => number): TradeRecord[] {
    const out: TradeRecord[] = [];
    for (let s = 0; s < this.pos.length; s++) {
      const t = this.open[s];
      if (!t) continue;
      const q = this.pos[s];
      const m = this.mark[s];
      const unreal = (m - this.avg[s]) * q;
      out.push(this.record(s, t, ts, m, t.pnl + unreal, barOf(s), true));
    }
    return out;
  }
}
