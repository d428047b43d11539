/**
 * The order state machine, one module for the backtester, the paper broker and live brokers.
 *
 *   new ──accept──▶ accepted ──fill──▶ partially_filled ──fill──▶ filled
 *    │                 │ │ │                 │ │ │
 *    └─reject/cancel   │ │ └─cancel/expire───┘ │ └─replace (the old order ends `replaced`, a new one is created)
 *                      │ └──────reject (margin, risk) at match time
 *                      └────────replace
 * Terminal states: filled, canceled, rejected, expired, replaced. A transition not in the table throws: a broker
 * message that would move an order backwards (a late "new" after "filled") is a bug or a duplicate and must be
 * seen, not absorbed.
 */
import type { Order, OrderStatus, OrderType, Side, TimeInForce } from '../src/types.ts';

export const TRANSITIONS: Readonly<Record<OrderStatus, readonly OrderStatus[]>> = {
  new: ['accepted', 'rejected', 'canceled'],
  accepted: ['partially_filled', 'filled', 'canceled', 'expired', 'replaced', 'rejected'],
  partially_filled: ['partially_filled', 'filled', 'canceled', 'expired', 'replaced'],
  filled: [],
  canceled: [],
  rejected: [],
  expired: [],
  replaced: [],
};

export class IllegalTransition extends Error {
  constructor(
    readonly orderId: string,
    readonly from: OrderStatus,
    readonly to: OrderStatus,
  ) {
    super(`order ${orderId}: illegal transition ${from} → ${to}`);
    this.name = 'IllegalTransition';
  }
}

export function canTransition(from: OrderStatus, to: OrderStatus): boolean {
  return TRANSITIONS[from].includes(to);
}

export function transition(o: { id: string; status: OrderStatus }, to: OrderStatus): void {
  if (!canTransition(o.status, to)) throw new IllegalTransition(o.id, o.status, to);
  o.status = to;
}

export function isOpen(status: OrderStatus): boolean {
  return status === 'new' || status === 'accepted' || status === 'partially_filled';
}

export function isTerminal(status: OrderStatus): boolean {
  return !isOpen(status);
}

/** Why an order ended without filling completely. */
export type EndReason =
  | 'canceled'
  | 'oco'
  | 'expired_day'
  | 'ioc_remainder'
  | 'fok_unfilled'
  | 'margin'
  | 'no_cash'
  | 'zero_qty'
  | 'risk'
  | 'risk_limit'
  | 'end_of_data'
  | 'replaced'
  | 'parent_canceled'
  /** an external broker refused, canceled or expired it */
  | 'broker';

/**
 * An order inside a simulated broker (backtest and paper): the shared Order fields plus the matching state.
 * Quantities are positive; `side` gives the direction.
 */
export interface SimOrder extends Order {
  /** the number in the id (`o17` → 17), for columnar fill logs */
  no: number;
  /** symbol index in the run */
  sym: number;
  /** true: quantity decided at the first fill by the sizer (or `targetWeight`) */
  sized: boolean;
  /** target weight for `targetWeight` orders (sized at fill), else NaN */
  targetWeight: number;
  trailAmount?: number;
  /** stop-limit: the stop has triggered; the order now works as a limit */
  triggered: boolean;
  /** the order may match bars of its symbol with index ≥ this (the bar after the one it was placed on) */
  eligibleFrom: number;
  /** for day orders: local-day key (ms of local midnight) of the session it lives in; NaN until its first bar */
  dayKey: number;
  /** bracket children (take-profit, stop-loss), inactive until the parent fills */
  children?: SimOrder[];
  /** a bracket child waiting for its parent */
  waiting: boolean;
  tag?: string;
  endReason?: EndReason;
  /** commission charged so far on this order */
  commission: number;
  /** the order that replaced this one */
  replacedBy?: string;
  /** market order to be filled at the close of the bar it was placed on (cheat-on-close) */
  onClose: boolean;
  /** as placed by the strategy (a sized order's side and quantity are settled at its first fill) */
  placedSide: Side;
  /** NaN for a sized order */
  placedQty: number;
  /** the step at which the engine's reducing-orders pass matched it (engine bookkeeping) */
  seenStep: number;
}

let seq = 0;
/** Order ids are run-local and deterministic: the runner resets the counter. */
export function resetOrderIds(): void {
  seq = 0;
}
export function nextOrderNo(): number {
  return ++seq;
}

export interface NewOrder {
  sym: number;
  symbol: string;
  side: Side;
  type: OrderType;
  qty: number | undefined;
  targetWeight?: number;
  limitPrice?: number;
  stopPrice?: number;
  trailPercent?: number;
  trailAmount?: number;
  tif: TimeInForce;
  createdAt: number;
  eligibleFrom: number;
  ocoGroup?: string;
  parentId?: string;
  tag?: string;
  onClose?: boolean;
}

export function createOrder(n: NewOrder): SimOrder {
  const no = nextOrderNo();
  const o: SimOrder = {
    id: `o${no}`,
    no,
    symbol: n.symbol,
    sym: n.sym,
    side: n.side,
    type: n.type,
    qty: n.qty ?? 0,
    sized: n.qty === undefined,
    targetWeight: n.targetWeight ?? NaN,
    tif: n.tif,
    status: 'new',
    filledQty: 0,
    avgFillPrice: 0,
    createdAt: n.createdAt,
    triggered: false,
    eligibleFrom: n.eligibleFrom,
    dayKey: NaN,
    waiting: false,
    commission: 0,
    onClose: n.onClose ?? false,
    placedSide: n.side,
    placedQty: n.qty ?? NaN,
    seenStep: -1,
    // every field present from the start: one object shape for all orders keeps the matching loop monomorphic
    limitPrice: n.limitPrice,
    stopPrice: n.stopPrice,
    trailPercent: n.trailPercent,
    trailAmount: n.trailAmount,
    ocoGroup: n.ocoGroup,
    parentId: n.parentId,
    tag: n.tag,
    children: undefined,
    endReason: undefined,
    replacedBy: undefined,
    clientId: undefined,
  };
  return o;
}

/** Check an order's prices against its type; returns an error text or null. */
const pos = (x: number | undefined): boolean => x !== undefined && Number.isFinite(x) && x > 0;

export function validateOrder(o: SimOrder): string | null {
  if (!o.sized && !(o.qty > 0 && Number.isFinite(o.qty))) return `quantity must be > 0 (got ${o.qty})`;
  switch (o.type) {
    case 'market':
      return null;
    case 'limit':
      return pos(o.limitPrice) ? null : 'a limit order needs limitPrice > 0';
    case 'stop':
      return pos(o.stopPrice) ? null : 'a stop order needs stopPrice > 0';
    case 'stop_limit':
      return pos(o.stopPrice) && pos(o.limitPrice) ? null : 'a stop-limit order needs stopPrice and limitPrice > 0';
    case 'trailing_stop':
      if (o.trailPercent !== undefined) return o.trailPercent > 0 && o.trailPercent < 1 ? null : 'trailPercent must be in (0, 1)';
      if (o.trailAmount !== undefined) return o.trailAmount > 0 ? null : 'trailAmount must be > 0';
      return 'a trailing stop needs trailPercent or trailAmount';
  }
}

/**
 * The price at which an order executes on a bar, before slippage, following backtrader's broker
 * (`bbroker._try_exec_*`); NaN when it does not execute on this bar. `ref` is the fill model's price for market
 * orders (the open for next_open and volume, the typical price for vwap). Limit orders fill at the limit or at a
 * better open when the bar gaps through it; stop orders fill at the stop, or at the (worse) open when the bar gaps
 * through it. A stop-limit triggers like a stop and then works as a limit from the trigger price. Mutates
 * `triggered` (stop-limit) only.
 */
export function execPrice(o: SimOrder, ref: number, open: number, high: number, low: number): number {
  const buy = o.side === 'buy';
  switch (o.type) {
    case 'market':
      return ref;
    case 'limit':
      return limitPrice(buy, o.limitPrice!, open, high, low);
    case 'stop':
    case 'trailing_stop':
      return stopPrice(buy, o.stopPrice!, open, high, low);
    case 'stop_limit': {
      const stop = o.stopPrice!;
      const lim = o.limitPrice!;
      if (o.triggered) return limitPrice(buy, lim, open, high, low);
      if (buy) {
        if (open >= stop) {
          o.triggered = true;
          return limitPrice(buy, lim, open, high, low);
        }
        if (high >= stop) {
          o.triggered = true;
          return limitPrice(buy, lim, stop, high, low);
        }
      } else {
        if (open <= stop) {
          o.triggered = true;
          return limitPrice(buy, lim, open, high, low);
        }
        if (low <= stop) {
          o.triggered = true;
          return limitPrice(buy, lim, stop, high, low);
        }
      }
      return NaN;
    }
  }
}

function limitPrice(buy: boolean, lim: number, open: number, high: number, low: number): number {
  if (buy) {
    if (open <= lim) return open;
    if (low <= lim) return lim;
  } else {
    if (open >= lim) return open;
    if (high >= lim) return lim;
  }
  return NaN;
}

function stopPrice(buy: boolean, stop: number, open: number, high: number, low: number): number {
  if (buy) {
    if (open >= stop) return open;
    if (high >= stop) return stop;
  } else {
    if (open <= stop) return open;
    if (low <= stop) return stop;
  }
  return NaN;
}

/**
 * Move a trailing stop after a bar that did not trigger it (backtrader's `trailadjust` with the bar's close): a
 * sell stop trails below the highest close by the amount or percent and never moves down; a buy stop trails above
 * the lowest close and never moves up.
 */
export function trailAdjust(o: SimOrder, close: number): void {
  const dist = o.trailAmount !== undefined ? o.trailAmount : close * o.trailPercent!;
  if (o.side === 'sell') {
    const s = close - dist;
    if (o.stopPrice === undefined || s > o.stopPrice) o.stopPrice = s;
  } else {
    const s = close + dist;
    if (o.stopPrice === undefined || s < o.stopPrice) o.stopPrice = s;
  }
}
