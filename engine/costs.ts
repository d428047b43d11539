/**
 * Execution cost models from their CLI specs, in one import: slippage (slippage.ts), commission (commission.ts) and
 * sizers (sizers.ts), plus the `--help` text listing every spec form. Formulas and sources are stated beside each
 * model; every model moves prices against the trader and every fee is ≥ 0.
 */
export { ATR_PERIOD, corwinSchultzPair, corwinSchultzSpread, parseSlippage, sigmaAdv, SLIPPAGE_FORMS, SLIPPAGE_WINDOW } from './slippage.ts';
export type { CountingSlippageModel, ImpactState } from './slippage.ts';
export { COMMISSION_FORMS, FINRA_TAF_MAX, FINRA_TAF_PER_SHARE, IBKR, parseCommission, regulatoryFees, SEC_FEE_PER_MILLION, tieredRate } from './commission.ts';
export type { TieredCommissionModel } from './commission.ts';
export { affordable, orderCost, parseSizer, SIZER_FORMS } from './sizers.ts';

/** Every spec form of the three model kinds, one line each (shown by `backtest --help`). */
export const COSTS_HELP = [
  'Commission: none | pct:R (R × value, R a fraction) | per_share:X[:MIN[:MAX]] (X per share, at least MIN per order, at most MAX × value) | fixed:F (F per order) | ibkr_fixed | ibkr_tiered (Interactive Brokers US stocks, with sell-side SEC and FINRA TAF fees).',
  'Slippage: none | bps:N (N basis points) | per_share:X | spread:S (half of a fractional spread S) | spread (half the Corwin–Schultz spread of the previous 20 bars’ high/low) | atr:F (F × ATR(14) of the previous bars) | impact:K (K·σ·√(qty/ADV), σ and ADV over the previous 20 bars). Fills before an estimate exists get none and are counted.',
  'Sizer: fixed:N (N shares, fewer if cash runs short on a buy) | percent:P (P % of equity) | all_in (all the cash, never overdrawn) | weight:W (trade to W × equity) | kelly:F[:MAX] (F × the Kelly fraction of the closed trades so far, capped at MAX; F × MAX before 20 trades) | voltarget:V[:N|:atr] (a position with annual volatility V from the last N returns (20) or ATR(14)); sizers other than fixed and weight close a position they trade against.',
].join('\n');
