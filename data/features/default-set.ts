/**
 * The default feature set: 167 named features (names as in data/indicators/index.ts), JSON-able data.
 *
 * Several periods of the main indicators (short / medium / long), every other indicator at its TA-Lib default, and
 * the statistical, regime and calendar features. Calendar features only vary within a day for intraday bars (on
 * daily bars hour/minute features are constant); they are kept because they are cheap and a model can ignore them.
 * Benchmark features are NaN unless a benchmark is given.
 *
 * Changing this list changes `features SYM`'s default output and the cache keys; test/features.test.ts pins the
 * count (167) and a set of required names.
 */

/** One entry of a feature set. */
export interface FeatureEntry {
  name: string;
}

const TREND: string[] = [
  'sma_5', 'sma_10', 'sma_20', 'sma_50', 'sma_100', 'sma_200',
  'ema_5', 'ema_10', 'ema_12', 'ema_20', 'ema_26', 'ema_50', 'ema_100', 'ema_200',
  'wma_10', 'wma_30',
  'dema_20', 'tema_20', 'trima_20', 'kama_10', 'kama_30', 'hma_20',
  'vwma_20', 'vwap_20',
  'sar_0.02_0.2', 'sar_direction_0.02_0.2',
  'tenkan_9_26_52', 'kijun_9_26_52', 'senkou_a_9_26_52', 'senkou_b_9_26_52',
  'supertrend_10_3', 'supertrend_direction_10_3',
  'linearreg_slope_14', 'linearreg_slope_50', 'linearreg_slope_100', 'linearreg_intercept_14', 'linearreg_r2_14', 'linearreg_r2_50',
  'midpoint_14', 'midprice_14',
  'bb_upper_20_2', 'bb_middle_20_2', 'bb_lower_20_2', 'bb_pctb_20_2', 'bb_width_20_2',
  'bb_pctb_50_2', 'bb_width_50_2',
  'keltner_upper_20_10_2', 'keltner_middle_20_10_2', 'keltner_lower_20_10_2',
  'donchian_upper_20', 'donchian_middle_20', 'donchian_lower_20',
  'donchian_upper_55', 'donchian_lower_55',
];

const MOMENTUM: string[] = [
  'rsi_2', 'rsi_7', 'rsi_14', 'rsi_21', 'rsi_28',
  'stoch_k_14_3_3', 'stoch_d_14_3_3', 'stoch_k_5_3_3', 'stoch_d_5_3_3',
  'stochrsi_k_14_5_3', 'stochrsi_d_14_5_3',
  'macd_12_26_9', 'macd_signal_12_26_9', 'macd_hist_12_26_9',
  'ppo_12_26', 'apo_12_26',
  'roc_5', 'roc_10', 'roc_12', 'roc_20', 'roc_60',
  'mom_5', 'mom_10', 'mom_12', 'mom_20',
  'cci_14', 'cci_20', 'cci_40',
  'willr_7', 'willr_14', 'willr_28',
  'adx_7', 'adx_14', 'adx_28', 'adxr_14', 'plus_di_14', 'minus_di_14',
  'aroon_down_14', 'aroon_up_14', 'aroonosc_14', 'aroonosc_25',
  'mfi_7', 'mfi_14', 'mfi_28',
  'ultosc_7_14_28',
  'trix_15', 'trix_30',
  'cmo_14',
  'bop',
  'tsi_25_13',
  'ao_5_34',
  'dpo_20',
];

const VOLATILITY: string[] = [
  'trange',
  'atr_7', 'atr_14', 'atr_21',
  'natr_7', 'natr_14', 'natr_21',
  'vol_cc_10', 'vol_cc_20', 'vol_cc_60',
  'vol_parkinson_20', 'vol_gk_20', 'vol_rs_20', 'vol_yz_20',
  'ulcer_14',
];

const VOLUME: string[] = ['obv', 'ad', 'adosc_3_10', 'cmf_20', 'force_2', 'force_13', 'eom_14', 'nvi', 'pvi', 'vpt'];

const STATISTICAL: string[] = [
  'log_return_1', 'log_return_2', 'log_return_5', 'log_return_10', 'log_return_20', 'log_return_60',
  'ret_mean_20', 'ret_mean_60',
  'ret_std_5', 'ret_std_20', 'ret_std_60',
  'ret_skew_20', 'ret_skew_60',
  'ret_kurt_20', 'ret_kurt_60',
  'zscore_20', 'zscore_50',
  'autocorr_20_1', 'autocorr_60_1',
  'corr_bench_60', 'beta_bench_60',
  'hurst_100',
  'drawdown_60', 'drawdown_250',
  'dist_high_20', 'dist_low_20', 'dist_high_60', 'dist_low_60',
];

const REGIME: string[] = ['vol_regime_20_250', 'trend_regime_50_200', 'hmm_p_high_250_7'];

const CALENDAR: string[] = ['hour_sin', 'hour_cos', 'weekday_sin', 'weekday_cos'];

/** The default feature names, in output order. */
export const DEFAULT_FEATURE_NAMES: readonly string[] = [...TREND, ...MOMENTUM, ...VOLATILITY, ...VOLUME, ...STATISTICAL, ...REGIME, ...CALENDAR];

/** The default set as entries. */
export const DEFAULT_FEATURE_SET: readonly FeatureEntry[] = DEFAULT_FEATURE_NAMES.map((name) => ({ name }));

/** Named feature sets (`features SYM --set NAME`). */
export const FEATURE_SETS: Record<string, readonly string[]> = { default: DEFAULT_FEATURE_NAMES };
