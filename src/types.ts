import type { Timeframe } from './timeframe.ts';

/**
 * Bars of one symbol and timeframe, stored columnar: one typed array per field, all the same length.
 * `ts` is the bar's START time in epoch milliseconds (UTC). Missing values are NaN.
 */
export interface BarSeries {
  symbol: string;
  timeframe: Timeframe;
  /** IANA zone the bars' calendar (days, sessions) is read in. */
  tz: string;
  ts: Float64Array;
  open: Float64Array;
  high: Float64Array;
  low: Float64Array;
  close: Float64Array;
  volume: Float64Array;
}

export const BAR_FIELDS = ['ts', 'open', 'high', 'low', 'close', 'volume'] as const;
export type BarField = (typeof BAR_FIELDS)[number];

export function barCount(s: BarSeries): number {
  return s.ts.length;
}

/** Allocate an empty series of n bars (all NaN except ts = 0). */
export function allocBars(symbol: string, timeframe: Timeframe, tz: string, n: number): BarSeries {
  const mk = () => new Float64Array(n).fill(NaN);
  return { symbol, timeframe, tz, ts: new Float64Array(n), open: mk(), high: mk(), low: mk(), close: mk(), volume: mk() };
}

/** A copy of bars [from, to). */
export function sliceBars(s: BarSeries, from: number, to: number): BarSeries {
  return {
    symbol: s.symbol,
    timeframe: s.timeframe,
    tz: s.tz,
    ts: s.ts.slice(from, to),
    open: s.open.slice(from, to),
    high: s.high.slice(from, to),
    low: s.low.slice(from, to),
    close: s.close.slice(from, to),
    volume: s.volume.slice(from, to),
  };
}

/** First index with ts >= t (binary search; ts ascending). */
export function lowerBound(ts: Float64Array, t: number): number {
  let lo = 0;
  let hi = ts.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (ts[mid] < t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

// ---- Trading types (shared by backtest and live) ----

export type Side = 'buy' | 'sell';
export type OrderType = 'market' | 'limit' | 'stop' | 'stop_limit' | 'trailing_stop';
export type TimeInForce = 'day' | 'gtc' | 'ioc' | 'fok';
export type OrderStatus = 'new' | 'accepted' | 'partially_filled' | 'filled' | 'canceled' | 'rejected' | 'expired' | 'replaced';

export interface Order {
  id: string;
  clientId?: string;
  symbol: string;
  side: Side;
  type: OrderType;
  qty: number;
  limitPrice?: number;
  stopPrice?: number;
  trailPercent?: number;
  tif: TimeInForce;
  status: OrderStatus;
  filledQty: number;
  avgFillPrice: number;
  createdAt: number;
  parentId?: string;
  ocoGroup?: string;
}

export interface Fill {
  orderId: string;
  symbol: string;
  side: Side;
  qty: number;
  price: number;
  commission: number;
  slippage: number;
  ts: number;
}

export interface Position {
  symbol: string;
  qty: number;
  avgPrice: number;
  realizedPnl: number;
}

export interface Account {
  cash: number;
  equity: number;
  buyingPower: number;
  positions: Position[];
}

/** A strategy's wish: a target (fraction of equity or quantity) for a symbol at a time. */
export interface Signal {
  symbol: string;
  ts: number;
  target: number;
  kind: 'weight' | 'qty';
  strength?: number;
}

/** A copy in a SharedArrayBuffer (worker threads then read it without a copy of their own). */
export function sharedF64(v: ArrayLike<number>): Float64Array {
  const a = new Float64Array(new SharedArrayBuffer(8 * v.length));
  a.set(v);
  return a;
}

/** An Int32Array copy in a SharedArrayBuffer. */
export function sharedI32(v: ArrayLike<number>): Int32Array {
  const a = new Int32Array(new SharedArrayBuffer(4 * v.length));
  a.set(v);
  return a;
}
