/**
 * Portfolio optimisation library (PyPortfolioOpt conventions: daily simple returns from prices, 252 periods per
 * year, annual μ and Σ, rf = 0.02 for max Sharpe). Pure functions over typed arrays; the only I/O is readPricesCsv.
 *
 *   returns.ts          prices CSV, returns, expected returns (mean historical, EMA, CAPM)
 *   covariance.ts       sample, exponentially weighted, Ledoit-Wolf (constant variance); PSD repair
 *   qp.ts               typed wrapper over the `quadprog` QP solver
 *   mvo.ts              min volatility, max Sharpe, efficient return / risk, max utility, performance
 *   risk-parity.ts      equal risk contribution (Spinu / coordinate descent), equal weight, inverse volatility
 *   hrp.ts              hierarchical risk parity (single linkage, quasi-diagonalisation, recursive bisection)
 *   black-litterman.ts  market-implied prior, views, Ω (He-Litterman or Idzorek), posterior, BL + max Sharpe
 *   discrete.ts         weights → whole shares (greedy), leftover cash
 */
export * from './returns.ts';
export * from './covariance.ts';
export * from './qp.ts';
export * from './mvo.ts';
export * from './risk-parity.ts';
export * from './hrp.ts';
export * from './black-litterman.ts';
export * from './discrete.ts';
export * from './methods.ts';
