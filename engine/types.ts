/**
 * The execution models' contracts: what a fill, slippage, commission or sizing model is given and returns. One set
 * of models serves the backtester, the paper broker and (for estimates) live trading. Every model has a null form
 * (no slippage, zero commission) that the tests use as the baseline.
 *
 * Prices and quantities are plain numbers; quantities are positive (the side says the direction) unless a field
 * says "signed".
 */
import type { BarSeries, Side } from '../src/types.ts';

/**
 * One bar of one symbol as the models see it: the series and the bar's index. Models must read only bars `<= i`
 * and, for estimates made at a fill (spread, ATR, ADV, volatility), only bars `< i`: the fill bar's high, low and
 * close are not known at its open.
 */
export interface BarRef {
  series: BarSeries;
  i: number;
}

// ------------------------------------------------------------------ slippage

/**
 * Moves a reference price against the trader: a buy pays more, a sell receives less. `prepare` runs once per series
 * (e.g. a causal ATR or rolling volume column) and its result is passed back on every call.
 */
export interface SlippageModel {
  /** `none`, `bps:5`, `per_share:0.01`, `spread`, `spread:0.0005`, `atr:0.1`, `impact:0.1` … (the CLI spec, canonical). */
  readonly spec: string;
  prepare?(series: BarSeries): unknown;
  /**
   * The executed price for `qty` at reference price `ref` (> 0 for a buy means worse). `count` (default true): count
   * a fill without an estimate in the model's warm-up tally; false when the engine quotes the same fill again (a buy
   * resized at the slipped price), so each fill is counted once.
   */
  price(side: Side, qty: number, ref: number, bar: BarRef, state: unknown, count?: boolean): number;
}

// ------------------------------------------------------------------ commission

/** What a commission model knows about one fill. */
export interface FeeInput {
  side: Side;
  /** this fill's quantity (> 0) and price */
  qty: number;
  price: number;
  /** quantity and commission already charged on earlier fills of the same order (minimums apply per order) */
  orderFilledBefore: number;
  orderFeeBefore: number;
  /** value (Σ qty × price) of the earlier fills of the same order; default orderFilledBefore × price */
  orderValueBefore?: number;
  /** bar start time of the fill (epoch ms), for models with monthly volume tiers */
  ts: number;
}

export interface CommissionModel {
  /** `none`, `pct:0.001`, `per_share:0.005[:min[:max]]`, `fixed:1`, `ibkr_fixed`, `ibkr_tiered` (canonical). */
  readonly spec: string;
  /**
   * Commission for this fill, ≥ 0. Per-order minimums and caps apply to the whole order: the fee of a partial fill
   * is the order's fee so far minus `orderFeeBefore`.
   */
  fee(f: FeeInput): number;
  /**
   * An upper bound of the commission rate per unit of value for an order of `qty` at `price` (used by sizers so an
   * all-in order never overdraws cash: they check the exact fee afterwards).
   */
  rate(qty: number, price: number, side: Side): number;
  /** Called once for each fill actually charged (fee() itself is a pure quote): monthly tier volume. */
  charged?(f: FeeInput): void;
  /** Forget per-run state (monthly tier volume). */
  reset?(): void;
}

// ------------------------------------------------------------------ sizers

/** What a sizer sees at fill time. */
export interface SizerInput {
  side: Side;
  /** the fill price before slippage (the sizer's reference) */
  price: number;
  cash: number;
  equity: number;
  /** signed current position of the symbol */
  position: number;
  commission: CommissionModel;
  ts: number;
  /** whole shares only (default true) */
  integer: boolean;
  /** the fill bar (its series and index): history for sizers that need it (volatility targets); bars < i only */
  bar?: BarRef;
  /** the run's closed trades so far (count, wins, summed net wins and losses): for Kelly sizing */
  closed?: () => { n: number; wins: number; grossWin: number; grossLoss: number };
}

export interface Sizer {
  /** `fixed:100`, `percent:95`, `all_in`, `weight:0.5` (canonical). */
  readonly spec: string;
  /** Quantity (≥ 0) for an order in direction `side`; 0 means "do not trade". Never more than cash allows for buys. */
  qty(s: SizerInput): number;
}

// ------------------------------------------------------------------ fills

export type FillModelKind = 'next_open' | 'close' | 'vwap' | 'volume';

export interface FillModelSpec {
  kind: FillModelKind;
  /** volume participation: at most this fraction of a bar's volume per bar (0 < x ≤ 1) */
  participation?: number;
  /** canonical CLI text: next_open | close | vwap | volume:0.1 */
  spec: string;
}
