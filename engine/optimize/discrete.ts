/**
 * Discrete allocation: continuous weights → whole shares for a capital and the latest prices, greedy like
 * PyPortfolioOpt's DiscreteAllocation.greedy_portfolio (long only, no LP):
 *
 * 1. assets sorted by weight, descending (ties keep input order); first round: buy ⌊w_i · capital / p_i⌋ shares of
 *    each (never more than the cash, since the weights sum to ≤ 1);
 * 2. second round, one share at a time: the current value weights are v_i = shares_i p_i / Σ shares_j p_j, the
 *    deficit d_i = w_i − v_i; buy one share of the AFFORDABLE asset (p_i ≤ cash left) with the largest deficit.
 *    PyPortfolioOpt stops as soon as that largest affordable deficit is ≤ 0 (and after 10 unaffordable retries);
 *    with `fillCash` (our default) the loop goes on buying the least over-weight affordable asset until no share is
 *    affordable, so the leftover cash is always below the cheapest price. `fillCash: false` reproduces
 *    PyPortfolioOpt's rule (without the 10-retry cut-off: every affordable asset is considered).
 *
 * Weights must be ≥ 0 (shorts are not supported here). Weights summing to s < 1 mean a cash weight 1 − s: that
 * much of the capital, (1 − s) × capital, is reserved and the second round only spends the rest, so then
 * leftover − reserved < the cheapest price. Assets with a weight of 0 get no shares. Prices must be > 0.
 */
export interface DiscreteAllocation {
  /** whole shares per asset, in input order */
  shares: Int32Array;
  /** capital − Σ shares × price */
  leftover: number;
  /** Σ shares × price */
  invested: number;
  /** cash kept for a weight sum below 1: (1 − Σw) × capital */
  reserved: number;
}

export function greedyAllocation(
  weights: ArrayLike<number>,
  prices: ArrayLike<number>,
  capital: number,
  o: { fillCash?: boolean } = {},
): DiscreteAllocation {
  const n = weights.length;
  if (prices.length !== n) throw new Error(`${n} weights but ${prices.length} prices`);
  if (!(capital > 0)) throw new Error(`capital must be > 0, got ${capital}`);
  let wsum = 0;
  for (let i = 0; i < n; i++) {
    if (!(weights[i] >= 0)) throw new Error(`weight ${i} is ${weights[i]}: only long (≥ 0) weights are supported`);
    if (weights[i] > 0 && !(prices[i] > 0)) throw new Error(`price ${i} must be > 0, got ${prices[i]}`);
    wsum += weights[i];
  }
  if (wsum > 1 + 1e-9) throw new Error(`weights sum to ${wsum} > 1`);
  const fill = o.fillCash ?? true;
  const idx = Array.from({ length: n }, (_, i) => i).filter((i) => weights[i] > 0);
  idx.sort((a, b) => weights[b] - weights[a]);
  const shares = new Int32Array(n);
  let cash = capital;
  for (const i of idx) {
    const q = Math.floor((weights[i] * capital) / prices[i]);
    shares[i] = q;
    cash -= q * prices[i];
  }
  const reserved = 1 - wsum > 1e-9 ? (1 - wsum) * capital : 0;
  for (;;) {
    const spendable = cash - reserved;
    let value = 0;
    for (const i of idx) value += shares[i] * prices[i];
    let best = -1;
    let bestDef = -Infinity;
    for (const i of idx) {
      if (prices[i] > spendable) continue;
      const def = weights[i] - (value > 0 ? (shares[i] * prices[i]) / value : 0);
      if (def > bestDef) {
        bestDef = def;
        best = i;
      }
    }
    if (best < 0) break; // nothing affordable
    if (!fill && bestDef <= 0) break; // PyPortfolioOpt's stop
    shares[best]++;
    cash -= prices[best];
  }
  return { shares, leftover: cash, invested: capital - cash, reserved };
}
