/**
 * Indicator contract. Every indicator has a batch form over whole columns and an incremental form that takes one
 * bar at a time (live trading); the two must agree to 1e-9. Conventions are TA-Lib's: Wilder smoothing where TA-Lib
 * uses it, SMA-seeded EMAs, TA-Lib's lookback (warm-up) lengths; warm-up values are NaN, never zeros.
 */
export type InputField = 'open' | 'high' | 'low' | 'close' | 'volume';

/** Columns an indicator reads (a BarSeries satisfies this). */
export interface Ohlcv {
  open: Float64Array;
  high: Float64Array;
  low: Float64Array;
  close: Float64Array;
  volume: Float64Array;
}

/**
 * What features that need more than OHLCV receive (statistical, calendar, cross-asset). A BarSeries plus an
 * optional benchmark close aligned bar-for-bar (NaN where the benchmark has no bar) satisfies it.
 */
export interface FeatureInput extends Ohlcv {
  /** bar start, epoch ms UTC */
  ts: Float64Array;
  /** IANA zone the calendar is read in */
  tz: string;
  /** benchmark close aligned to `ts` (only for features with `needs: ['benchmark']`) */
  benchmark?: Float64Array;
}

export interface ParamSpec {
  name: string;
  default: number;
  min?: number;
  max?: number;
  /** integer parameter (periods) */
  int?: boolean;
}

/** Incremental form: feed bars in order; `update` returns the outputs for that bar (NaN during warm-up). */
export interface IndicatorStream {
  /**
   * Returns an array of outputs (same order as `outputs`); the array may be reused between calls. `ts` (bar start,
   * epoch ms) and `benchmark` (the benchmark's close for this bar) are passed to every stream; most ignore them.
   */
  update(open: number, high: number, low: number, close: number, volume: number, ts?: number, benchmark?: number): ArrayLike<number>;
}

export interface IndicatorSpec {
  /** TA-Lib function name lower-cased where TA-Lib has it (sma, rsi, macd, bbands → 'bb'), else ours in that style. */
  name: string;
  /** One line, for `features list`. */
  description: string;
  group: 'trend' | 'momentum' | 'volatility' | 'volume' | 'statistical' | 'regime' | 'calendar';
  /** Extra inputs beyond OHLCV: 'ts' (calendar), 'benchmark' (cross-asset). */
  needs?: ('ts' | 'benchmark')[];
  inputs: InputField[];
  params: ParamSpec[];
  /** Output names; the feature name is `${output}_${params.join('_')}` (e.g. macd_signal_12_26_9, bb_upper_20_2). */
  outputs: string[];
  /** Number of leading NaN bars for these parameters (TA-Lib's lookback). */
  lookback(p: number[]): number;
  batch(input: Ohlcv | FeatureInput, p: number[]): Float64Array[];
  /** `tz` is given to streams of features that need the calendar. */
  stream(p: number[], tz?: string): IndicatorStream;
  /** Where we differ from TA-Lib, say how (shown in docs and `features list`). */
  note?: string;
}
