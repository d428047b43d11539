/**
 * What a user's strategy file may import as `alphatrade` (the loader maps the name here): the contract's types,
 * `defineStrategy`, and the helpers the built-in strategies use.
 */
export { defineStrategy } from './strategy.ts';
export type { BoundIndicator, OrderRequest, OrderView, ParamValues, Strategy, StrategyContext, StrategyInstance, StrategyParams, VectorInput } from './strategy.ts';
export { CROSS_EPS, CrossTracker, crossovers, diffSign, goTo } from './strategies/common.ts';
export { bool, num } from './params.ts';
