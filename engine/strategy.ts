/**
 * The strategy contract, one for backtests, paper and live trading (and for users' own strategy files).
 *
 * A strategy declares its parameters once (type, default, range: the CLI, the TUI editor and sweeps read them),
 * `init` creates its state and incremental indicators, and `onBar` runs once per time step with the bars of that
 * step. It sees history only through the context's accessors, which refuse to look forward (`ago` ≥ 0), and its
 * orders are matched against LATER bars by the fill model (or the same bar's close when cheat-on-close is asked
 * for, which the report flags). That is how "no look-ahead" holds by construction.
 *
 * Optionally a strategy also gives a vectorized form: a target position per bar (a fraction of equity, e.g. 1 =
 * all in long, 0 = flat, -1 = all in short) decided at each bar's close from the arrays up to that bar. The
 * vectorized engine trades to that target at the next fill; a test holds both forms to the same trades and equity.
 */
import type { IndicatorStream } from '../data/indicators/types.ts';
import type { BarSeries, OrderType, Side, TimeInForce } from '../src/types.ts';

// ------------------------------------------------------------------ parameters

export type StrategyParamType = 'int' | 'float' | 'bool' | 'string';

export interface StrategyParamSpec {
  type: StrategyParamType;
  default: number | boolean | string;
  /** inclusive range for numbers (sweeps and the editor step inside it) */
  min?: number;
  max?: number;
  /** step for the editor's +/- and default sweep grids */
  step?: number;
  /** allowed values for strings */
  choices?: string[];
  description: string;
}

export type StrategyParams = Record<string, StrategyParamSpec>;
export type ParamValues = Record<string, number | boolean | string>;

// ------------------------------------------------------------------ orders from a strategy

/**
 * An order a strategy asks for. Without `qty` the run's sizer decides the quantity at fill time from the fill
 * price (so all-in never overdraws cash). `target*` orders trade the difference to a target and are sized at fill.
 */
export interface OrderRequest {
  side: Side;
  /** default 'market' */
  type?: OrderType;
  qty?: number;
  limitPrice?: number;
  stopPrice?: number;
  /** trailing stop distance as a fraction of price (0.05 = 5 %) … */
  trailPercent?: number;
  /** … or in price units */
  trailAmount?: number;
  /** default 'gtc' */
  tif?: TimeInForce;
  /** a bracket: take-profit limit and stop-loss stop prices, active once this order fills, one cancels the other */
  takeProfit?: number;
  stopLoss?: number;
  /** orders sharing an OCO group: a fill of one cancels the others */
  ocoGroup?: string;
  /** free text carried to the trade list */
  tag?: string;
}

/** A live order as the strategy sees it (read-only). */
export interface OrderView {
  readonly id: string;
  readonly symbol: string;
  readonly side: Side;
  readonly type: OrderType;
  readonly qty: number;
  readonly filledQty: number;
  readonly status: string;
  readonly limitPrice?: number;
  readonly stopPrice?: number;
  readonly tag?: string;
}

// ------------------------------------------------------------------ indicators

/**
 * An incremental indicator bound to one symbol, created in `init`; the engine updates it with each new bar of its
 * symbol BEFORE `onBar` runs. Values are kept for the whole run (typed arrays), so `value(ago)` can look back.
 */
export interface BoundIndicator {
  /** output `k` (default 0) `ago` bars back (default 0 = this bar); NaN in warm-up or before the first bar */
  value(ago?: number, k?: number): number;
}

/** A strategy's own incremental computation, fed the same way (e.g. a rolling regression for pairs). */
export type CustomStream = IndicatorStream;

// ------------------------------------------------------------------ context

export interface StrategyContext {
  /** current step's time: bar start, epoch ms UTC */
  readonly t: number;
  /** every symbol of the run, by index */
  readonly symbols: readonly string[];
  /** the run's parameters (defaults filled in, validated) */
  readonly params: ParamValues;
  /** symbol indices that received a bar at this step, `updated[0..nUpdated)` */
  readonly updated: Int32Array;
  readonly nUpdated: number;
  /** true when this step is the last bar of the data (orders placed now cannot fill) */
  readonly last: boolean;

  /** number of bars of symbol `s` seen so far (0 before its first bar) */
  count(s: number): number;
  /** price fields `ago` bars back (0 = current bar of that symbol); NaN before its first bar; `ago` < 0 throws */
  open(s: number, ago?: number): number;
  high(s: number, ago?: number): number;
  low(s: number, ago?: number): number;
  close(s: number, ago?: number): number;
  volume(s: number, ago?: number): number;
  time(s: number, ago?: number): number;

  /** an incremental indicator by name and parameters, e.g. indicator(0, 'sma', [20]); call in init only */
  indicator(s: number, name: string, params?: number[]): BoundIndicator;
  /** a custom stream fed with each bar of `s`, with `outputs` outputs (default 1), read like an indicator */
  stream(s: number, stream: CustomStream, outputs?: number): BoundIndicator;

  /** signed position (negative = short), its average entry price, cash and marked equity */
  position(s: number): number;
  avgPrice(s: number): number;
  readonly cash: number;
  readonly equity: number;

  /** place an order for symbol `s`; returns the order id */
  order(s: number, req: OrderRequest): string;
  buy(s: number, qty?: number, req?: Partial<OrderRequest>): string;
  sell(s: number, qty?: number, req?: Partial<OrderRequest>): string;
  /** a market order that flattens `s` (no-op and '' when flat) */
  closePosition(s: number, req?: Partial<OrderRequest>): string;
  /** trade to a target weight of equity (sized at fill from the fill price) */
  targetWeight(s: number, weight: number, req?: Partial<OrderRequest>): string;
  cancel(id: string): void;
  /** replace an open order's quantity or prices: the old order ends `replaced`, the new id is returned */
  replace(id: string, changes: { qty?: number; limitPrice?: number; stopPrice?: number }): string;
  openOrders(s?: number): OrderView[];

  /** a line in the run's log (kept with the result, shown in the Log pane) */
  log(msg: string): void;
}

export interface StrategyInstance {
  onBar(ctx: StrategyContext): void;
  /** called after the last bar (optional) */
  onEnd?(ctx: StrategyContext): void;
}

/**
 * Targets as the list of decisions only (bar index ascending, target value), for strategies that decide rarely: a
 * dense column of NaN costs a fresh allocation per run (see BENCHMARKS.md). `length` is the series' length.
 */
export interface SparseTargets {
  kind: 'sparse';
  length: number;
  index: Int32Array;
  value: Float64Array;
  count: number;
}

/** Inputs to the vectorized form: one series (or several for cross-sectional strategies, aligned by index). */
export interface VectorInput {
  series: BarSeries[];
}

export interface Strategy {
  name: string;
  /** one paragraph: the rules */
  description: string;
  params: StrategyParams;
  /** 'single' trades each symbol on its own; 'pair' needs exactly two; 'universe' ranks across symbols */
  universe: 'single' | 'pair' | 'universe';
  /** whether the strategy may go short with these parameters (informational) */
  init(ctx: StrategyContext): StrategyInstance;
  /**
   * Target position per bar for each series (fraction of equity, signed), decided at bar i's close using bars ≤ i.
   * Only single-symbol strategies give it; returned arrays have the series' length (NaN = no action), or are the
   * same as SparseTargets.
   */
  vectorized?(input: VectorInput, params: ParamValues): (Float64Array | SparseTargets)[];
}

export function defineStrategy(s: Strategy): Strategy {
  return s;
}
